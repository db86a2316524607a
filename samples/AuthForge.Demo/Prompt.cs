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

        /// <summary>Asks until the answer is not empty; null only at the end of input.</summary>
        public static string? AskNonEmpty(string question)
        {
            while (true)
            {
                Console.Write($"{question}: ");
                string? line = Console.ReadLine();
                if (line is null) return null;
                line = line.Trim();
                if (line.Length > 0) return line;
            }
        }

        /// <summary>
        /// A yes/no question: y, yes, n or no in any case; Enter takes <paramref name="defaultYes"/>; anything else
        /// asks again rather than guessing. End of input agrees to nothing.
        /// </summary>
        public static bool Confirm(string question, bool defaultYes)
        {
            while (true)
            {
                Console.Write($"{question} [{(defaultYes ? "Y/n" : "y/N")}]: ");
                string? line = Console.ReadLine();
                if (line is null) return false;
                switch (line.Trim().ToLowerInvariant())
                {
                    case "":
                        return defaultYes;
                    case "y" or "yes":
                        return true;
                    case "n" or "no":
                        return false;
                    default:
                        Console.WriteLine("Please answer y or n.");
                        break;
                }
            }
        }
    }
}
