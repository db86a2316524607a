using System;
using System.Collections.Generic;
using System.IO;
using System.Linq;
using System.Text.RegularExpressions;
using AuthForge.Tests.Support;
using Xunit;

namespace AuthForge.Tests.Hygiene
{
    /// <summary>
    /// Every relative link in the repository's documents leads somewhere: the file exists and, when the link names a
    /// heading (<c>#anchor</c>), the heading does. The READMEs that ship inside the packages link only to absolute
    /// addresses, since a package page has no repository beside it.
    /// </summary>
    public sealed class DocumentLinkTests
    {
        // [text](target) and [text](target "title"); images too. Code spans are removed first (see Links).
        private static readonly Regex s_link = new Regex(@"\]\(\s*<?([^)\s>]+)>?(?:\s+""[^""]*"")?\s*\)", RegexOptions.Compiled);
        private static readonly Regex s_codeSpan = new Regex(@"`[^`\n]*`", RegexOptions.Compiled);

        public static IEnumerable<object[]> Documents() =>
            RepositoryDocuments().Select(path => new object[] { Path.GetRelativePath(Root, path).Replace('\\', '/') });

        [Theory]
        [MemberData(nameof(Documents))]
        public void EveryRelativeLinkResolves(string document)
        {
            string path = Path.Combine(Root, document);
            var broken = new List<string>();
            foreach (string target in Links(File.ReadAllText(path)))
            {
                if (IsAbsolute(target)) continue;
                int hash = target.IndexOf('#', StringComparison.Ordinal);
                string file = hash < 0 ? target : target.Substring(0, hash);
                string? anchor = hash < 0 ? null : target.Substring(hash + 1);
                string resolved = file.Length == 0 ? path : Path.GetFullPath(Path.Combine(Path.GetDirectoryName(path)!, Uri.UnescapeDataString(file)));
                if (!File.Exists(resolved) && !Directory.Exists(resolved))
                    broken.Add(target + " (no such file)");
                else if (anchor is { Length: > 0 } && resolved.EndsWith(".md", StringComparison.OrdinalIgnoreCase) && !Anchors(resolved).Contains(anchor))
                    broken.Add(target + " (no such heading)");
            }

            Assert.True(broken.Count == 0, document + " links to what is not there: " + string.Join(", ", broken));
        }

        [Fact]
        public void PackageReadmes_LinkOnlyToAbsoluteAddresses()
        {
            string[] readmes = PackageReadmes().ToArray();
            Assert.Equal(2, readmes.Length);
            foreach (string readme in readmes)
            {
                string[] relative = Links(File.ReadAllText(readme)).Where(t => !IsAbsolute(t)).ToArray();
                Assert.True(relative.Length == 0, readme + " is shown on a package page, where these relative links lead nowhere: " + string.Join(", ", relative));
            }
        }

        [Fact]
        public void TheLinkReader_FindsLinksAndSkipsCodeSpans()
        {
            string[] links = Links("See [a](docs/A.md#x), ![i](img.png \"t\"), `[not](a-link)` and [b](https://example.com).").ToArray();

            Assert.Equal(new[] { "docs/A.md#x", "img.png", "https://example.com" }, links);
            Assert.Contains("running-unattended", Anchors("# Running unattended"));
            Assert.Contains("migrating-from-the-official-authforge-sdks", Anchors("## Migrating from the official AuthForge SDKs"));
            Assert.Contains("ui-threads-wpf-winforms", Anchors("## UI threads (WPF, WinForms)"));
        }

        private static string Root => RepositoryFiles.Root;

        private static IEnumerable<string> RepositoryDocuments()
        {
            foreach (string name in new[] { "README.md", "AGENTS.md" })
                yield return Path.Combine(Root, name);
            foreach (string doc in Directory.GetFiles(Path.Combine(Root, "docs"), "*.md").OrderBy(p => p, StringComparer.Ordinal))
                yield return doc;
            foreach (string readme in PackageReadmes())
                yield return readme;
        }

        /// <summary>The READMEs packed into AuthForge.Client and AuthForge.Client.Sources (see their project files).</summary>
        private static IEnumerable<string> PackageReadmes() =>
            Directory.GetFiles(Root, "PACKAGE-README.md", SearchOption.AllDirectories)
                .Where(p => !p.Contains(Path.DirectorySeparatorChar + "bin" + Path.DirectorySeparatorChar, StringComparison.Ordinal)
                    && !p.Contains(Path.DirectorySeparatorChar + "obj" + Path.DirectorySeparatorChar, StringComparison.Ordinal))
                .OrderBy(p => p, StringComparer.Ordinal);

        private static IEnumerable<string> Links(string markdown)
        {
            // Fenced blocks and code spans hold code, not links.
            string text = Regex.Replace(markdown.Replace("\r\n", "\n"), "(?ms)^```.*?^```", "");
            text = s_codeSpan.Replace(text, "");
            return s_link.Matches(text).Select(m => m.Groups[1].Value);
        }

        private static bool IsAbsolute(string target) =>
            target.StartsWith("https://", StringComparison.Ordinal) || target.StartsWith("http://", StringComparison.Ordinal)
            || target.StartsWith("mailto:", StringComparison.Ordinal);

        private static HashSet<string> Anchors(string pathOrMarkdown)
        {
            string text = File.Exists(pathOrMarkdown) ? File.ReadAllText(pathOrMarkdown) : pathOrMarkdown;
            text = Regex.Replace(text.Replace("\r\n", "\n"), "(?ms)^```.*?^```", "");
            var anchors = new HashSet<string>(StringComparer.Ordinal);
            foreach (Match heading in Regex.Matches(text, @"(?m)^#{1,6}\s+(.+?)\s*#*\s*$"))
            {
                // GitHub's slugs: lower case, punctuation dropped (hyphens and underscores kept), spaces to hyphens;
                // a repeated heading gets -1, -2, ...
                string slug = Regex.Replace(heading.Groups[1].Value.ToLowerInvariant(), @"[^\p{L}\p{N}\s_-]", "").Replace(' ', '-');
                string unique = slug;
                for (int n = 1; !anchors.Add(unique); n++) unique = slug + "-" + n;
            }
            return anchors;
        }
    }
}
