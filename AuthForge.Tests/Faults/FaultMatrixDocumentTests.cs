using System;
using System.IO;
using Xunit;

namespace AuthForge.Tests.Faults
{
    /// <summary>
    /// FAULT-MATRIX.md is the fault table rendered from the very rows the matrix tests assert, so the document cannot
    /// drift from the tests. Set AUTHFORGE_WRITE_MATRIX=1 to rewrite the table after changing a row.
    /// </summary>
    public sealed class FaultMatrixDocumentTests
    {
        private const string Begin = "<!-- matrix:begin (rendered from FaultMatrix.Rows; see FaultMatrixDocumentTests) -->\n";
        private const string End = "<!-- matrix:end -->";

        [Fact]
        public void DocumentedTableIsTheAssertedOne()
        {
            string path = FindDocument();
            string document = File.ReadAllText(path).Replace("\r\n", "\n");
            int begin = document.IndexOf(Begin, StringComparison.Ordinal);
            int end = document.IndexOf(End, StringComparison.Ordinal);
            Assert.True(begin >= 0 && end > begin, "FAULT-MATRIX.md must keep its matrix markers.");

            string documented = document.Substring(begin + Begin.Length, end - begin - Begin.Length);
            string rendered = FaultMatrix.RenderMarkdown();
            if (documented != rendered && Environment.GetEnvironmentVariable("AUTHFORGE_WRITE_MATRIX") == "1")
            {
                File.WriteAllText(path, document.Substring(0, begin + Begin.Length) + rendered + document.Substring(end));
                return;
            }

            Assert.Equal(rendered, documented);
        }

        [Fact]
        public void TheDocsSummaryCountsTheAssertedRows()
        {
            // docs/FAULT-MATRIX.md summarises the asserted table and says how many rows it has: that number must follow it.
            string text = File.ReadAllText(Path.Combine(Path.GetDirectoryName(FindDocument())!, "..", "..", "docs", "FAULT-MATRIX.md"));
            string summary = string.Join(" ", text.Split(new[] { ' ', '\r', '\n' }, StringSplitOptions.RemoveEmptyEntries));
            int rows = FaultMatrix.RenderMarkdown().Split('\n', StringSplitOptions.RemoveEmptyEntries).Length - 2;

            Assert.Contains("**, " + rows + " rows, ", summary, StringComparison.Ordinal);
            Assert.Contains("](../AuthForge.Tests/Faults/FAULT-MATRIX.md)", summary, StringComparison.Ordinal);
        }

        private static string FindDocument()
        {
            // The test runs from bin/<configuration>/<framework>; the document sits beside this file in the source tree.
            for (DirectoryInfo? dir = new DirectoryInfo(AppContext.BaseDirectory); dir != null; dir = dir.Parent)
            {
                string candidate = Path.Combine(dir.FullName, "AuthForge.Tests", "Faults", "FAULT-MATRIX.md");
                if (File.Exists(candidate)) return candidate;
                candidate = Path.Combine(dir.FullName, "Faults", "FAULT-MATRIX.md");
                if (File.Exists(candidate)) return candidate;
            }
            throw new FileNotFoundException("FAULT-MATRIX.md was not found above " + AppContext.BaseDirectory);
        }
    }
}
