using System;

namespace AuthForge.Demo
{
    /// <summary>Questions at the terminal. End of input (Ctrl+D) answers every question with null.</summary>
    internal static class Prompt
    {
        /// <summary>Asks for a line; an empty answer takes <paramref name="fallback"/>.</summary>
        public static string? Ask(string question, string? fallback = null)
        {
            Console.Write(fallback is null ? $"{question}: " : $"{question} [{fallback}]: ");
            string? line = Console.ReadLine();
            if (line is null) return null;
            line = line.Trim();
            return line.Length == 0 ? fallback : line;
        }

        /// <summary>A yes/no question; Enter takes <paramref name="defaultYes"/>.</summary>
        public static bool Confirm(string question, bool defaultYes)
        {
            Console.Write($"{question} [{(defaultYes ? "Y/n" : "y/N")}]: ");
            string? line = Console.ReadLine();
            if (line is null) return false; // end of input agrees to nothing
            line = line.Trim();
            if (line.Length == 0) return defaultYes;
            return line.StartsWith('y') || line.StartsWith('Y');
        }
    }
}
