using System;
using System.IO;
using System.Linq;
using AuthForge.Tests.Support;
using Xunit;

namespace AuthForge.Tests.Faults
{
    /// <summary>
    /// docs/FAULT-MATRIX.md holds two tables rendered from the code the matrix tests run: the clients' settings beside
    /// the defaults (<see cref="FaultMatrix.RenderSettings"/>) and the matrix itself (<see cref="FaultMatrix.RenderMarkdown"/>,
    /// from the very rows <see cref="FaultMatrixTests"/> and <see cref="ServerRestartTests"/> assert). A row changed in
    /// the code and not in the document fails here, naming the first line that differs.
    /// </summary>
    public sealed class FaultMatrixDocumentTests
    {
        /// <summary>Set to 1 to rewrite the tables in docs/FAULT-MATRIX.md from the code (then review the diff).</summary>
        public const string RewriteVariable = "AUTHFORGE_WRITE_MATRIX";

        private const string Document = "docs/FAULT-MATRIX.md";

        [Fact]
        public void TheSettingsTableIsTheTestsOwn() => AssertBlock("settings", FaultMatrix.RenderSettings());

        [Fact]
        public void TheMatrixIsTheAssertedOne() => AssertBlock("matrix", FaultMatrix.RenderMarkdown());

        [Fact]
        public void OnlyOneCopyExists()
        {
            // The table once lived twice (one copy beside the tests, one in docs/), and the untested one went stale.
            string[] copies = Directory.GetFiles(RepositoryFiles.Root, "FAULT-MATRIX.md", SearchOption.AllDirectories)
                .Where(p => !RepositoryFiles.IsBuildOutput(p))
                .Select(p => Path.GetRelativePath(RepositoryFiles.Root, p).Replace('\\', '/'))
                .ToArray();
            Assert.Equal(new[] { Document }, copies);
        }

        private static void AssertBlock(string name, string rendered)
        {
            string path = RepositoryFiles.PathOf(Document);
            string document = File.ReadAllText(path).Replace("\r\n", "\n");
            string begin = "<!-- " + name + ":begin (rendered by the tests: FaultMatrixDocumentTests) -->\n";
            string end = "<!-- " + name + ":end -->";
            int from = document.IndexOf(begin, StringComparison.Ordinal);
            int to = document.IndexOf(end, StringComparison.Ordinal);
            Assert.True(from >= 0 && to > from, Document + " must keep its markers: " + begin.Trim() + " ... " + end);

            string documented = document.Substring(from + begin.Length, to - from - begin.Length);
            if (documented == rendered) return;
            if (Environment.GetEnvironmentVariable(RewriteVariable) == "1")
            {
                File.WriteAllText(path, document.Substring(0, from + begin.Length) + rendered + document.Substring(to));
                return;
            }

            string[] want = rendered.Split('\n');
            string[] have = documented.Split('\n');
            int line = 0;
            while (line < want.Length && line < have.Length && want[line] == have[line]) line++;
            Assert.Fail(
                "The " + name + " table in " + Document + " is not what the tests run. First difference, line " + (line + 1) + " of the table:\n" +
                "  the tests: " + (line < want.Length ? want[line] : "(no more lines)") + "\n" +
                "  the doc:   " + (line < have.Length ? have[line] : "(no more lines)") + "\n" +
                "To rewrite the tables from the code: " + RewriteVariable + "=1 dotnet test AuthForge.Tests --filter FullyQualifiedName~FaultMatrixDocumentTests, then review the diff.");
        }
    }
}
