using System;
using System.Collections.Generic;
using System.IO;
using System.Linq;
using System.Text.Json;
using System.Text.RegularExpressions;
using System.Xml.Linq;
using AuthForge.Tests.Support;
using Xunit;

namespace AuthForge.Tests.Unity
{
    /// <summary>
    /// The Unity package (src/AuthForge.Unity) as the Package Manager reads it from a git URL: the manifest, the
    /// assembly definition, a .meta beside every asset (an immutable package's assets without one are ignored), and
    /// the very same AuthForge.cs as the repository's root.
    /// </summary>
    public sealed class UnityPackageTests
    {
        private static readonly string Root = RepositoryFiles.Root;
        private static readonly string Package = Path.Combine(Root, "src", "AuthForge.Unity");

        [Fact]
        public void ThePackagesAuthForgeCsIsTheRootsByteForByte()
        {
            byte[] root = File.ReadAllBytes(Path.Combine(Root, "AuthForge.cs"));
            byte[] copy = File.ReadAllBytes(Path.Combine(Package, "Runtime", "AuthForge.cs"));
            Assert.True(root.AsSpan().SequenceEqual(copy),
                "src/AuthForge.Unity/Runtime/AuthForge.cs differs from AuthForge.cs: run scripts/sync-unity-package.sh and commit the copy.");
        }

        [Fact]
        public void TheManifestNamesThePackageItsVersionAndTheMinimumUnity()
        {
            using JsonDocument manifest = JsonDocument.Parse(File.ReadAllText(Path.Combine(Package, "package.json")));
            JsonElement json = manifest.RootElement;

            // Unity's rules for a package name: reverse-domain, lower case.
            Assert.Matches(new Regex("^com\\.[a-z0-9-]+(\\.[a-z0-9-]+)+$"), json.GetProperty("name").GetString());
            // One version for the NuGet packages and the Unity package.
            string? nugetVersion = XDocument.Load(Path.Combine(Root, "src", "AuthForge", "Package.props")).Descendants("Version").Single().Value;
            Assert.Equal(nugetVersion, json.GetProperty("version").GetString());
            // The minimum the file needs: C# 8, which Unity has from 2020.2.
            Assert.Equal("2020.2", json.GetProperty("unity").GetString());
            Assert.False(string.IsNullOrWhiteSpace(json.GetProperty("displayName").GetString()));
            Assert.False(string.IsNullOrWhiteSpace(json.GetProperty("description").GetString()));
        }

        [Fact]
        public void TheAssemblyDefinitionBuildsARuntimeAssemblyWithUnityEngine()
        {
            using JsonDocument asmdef = JsonDocument.Parse(File.ReadAllText(Path.Combine(Package, "Runtime", "AuthForge.Client.asmdef")));
            JsonElement json = asmdef.RootElement;

            Assert.Equal("AuthForge.Client", json.GetProperty("name").GetString());
            // The Editor and player paths call UnityEngine (and, in the Editor, UnityEditor): engine references stay on,
            // and no platform is left out.
            Assert.False(json.GetProperty("noEngineReferences").GetBoolean());
            Assert.Equal(0, json.GetProperty("includePlatforms").GetArrayLength());
            Assert.Equal(0, json.GetProperty("excludePlatforms").GetArrayLength());
        }

        [Fact]
        public void EveryAssetHasAMetaWithAUniqueGuidAndNoMetaIsOrphaned()
        {
            var guids = new Dictionary<string, string>();
            IEnumerable<string> entries = Directory.EnumerateFileSystemEntries(Package, "*", SearchOption.AllDirectories)
                .Where(p => !Path.GetFileName(p).StartsWith('.'));
            foreach (string path in entries.OrderBy(p => p, StringComparer.Ordinal))
            {
                string relative = Path.GetRelativePath(Package, path);
                if (path.EndsWith(".meta", StringComparison.Ordinal))
                {
                    string asset = path[..^".meta".Length];
                    Assert.True(File.Exists(asset) || Directory.Exists(asset), relative + " has no asset beside it.");
                    continue;
                }
                string meta = path + ".meta";
                Assert.True(File.Exists(meta), relative + " has no .meta file: run scripts/unity-meta.py and commit it.");
                Match guid = Regex.Match(File.ReadAllText(meta), "^guid: ([0-9a-f]{32})$", RegexOptions.Multiline);
                Assert.True(guid.Success, relative + ".meta has no 32-hex-digit guid.");
                Assert.False(guids.ContainsKey(guid.Groups[1].Value), relative + " shares its guid with " + guids.GetValueOrDefault(guid.Groups[1].Value));
                guids[guid.Groups[1].Value] = relative;
                Assert.Equal(Directory.Exists(path), File.ReadAllText(meta).Contains("folderAsset: yes", StringComparison.Ordinal));
            }
            Assert.Contains("package.json", guids.Values);
            Assert.Contains(Path.Combine("Runtime", "AuthForge.cs"), guids.Values);
        }
    }
}
