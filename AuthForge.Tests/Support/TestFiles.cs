using System;
using System.IO;
using System.Text.Json;

namespace AuthForge.Tests.Support
{
    /// <summary>The vector files copied beside the test assembly.</summary>
    internal static class TestFiles
    {
        public static string PathOf(string name) => Path.Combine(AppContext.BaseDirectory, "TestData", name);

        public static JsonElement ReadJson(string name)
        {
            using JsonDocument document = JsonDocument.Parse(File.ReadAllText(PathOf(name)));
            return document.RootElement.Clone();
        }
    }
}
