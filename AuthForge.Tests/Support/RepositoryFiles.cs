using System;
using System.IO;

namespace AuthForge.Tests.Support
{
    /// <summary>Files of the source tree (documents, CI scripts), found from the test assembly's folder.</summary>
    internal static class RepositoryFiles
    {
        /// <summary>The repository root: the folder holding AuthForge.sln above the test's bin folder.</summary>
        public static string Root { get; } = FindRoot();

        /// <summary>The full path of <paramref name="relativePath"/> (with '/') under the root.</summary>
        public static string PathOf(string relativePath) => Path.Combine(Root, relativePath.Replace('/', Path.DirectorySeparatorChar));

        /// <summary>The text of <paramref name="relativePath"/> with Unix line ends.</summary>
        public static string Read(string relativePath) => File.ReadAllText(PathOf(relativePath)).Replace("\r\n", "\n");

        /// <summary>True for a path inside a bin/ or obj/ folder: build output, not source.</summary>
        public static bool IsBuildOutput(string path)
        {
            char s = Path.DirectorySeparatorChar;
            return path.Contains(s + "bin" + s, StringComparison.Ordinal) || path.Contains(s + "obj" + s, StringComparison.Ordinal);
        }

        private static string FindRoot()
        {
            for (DirectoryInfo? dir = new DirectoryInfo(AppContext.BaseDirectory); dir != null; dir = dir.Parent)
            {
                if (File.Exists(Path.Combine(dir.FullName, "AuthForge.sln"))) return dir.FullName;
            }
            throw new InvalidOperationException("The repository root (the folder with AuthForge.sln) is not above " + AppContext.BaseDirectory);
        }
    }
}
