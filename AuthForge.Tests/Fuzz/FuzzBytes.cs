using System;

namespace AuthForge.Tests.Fuzz
{
    /// <summary>Byte-level helpers shared by the mutators.</summary>
    internal static class FuzzBytes
    {
        // Each is ill-formed UTF-8 by Unicode Table 3-7: lone continuation, overlong, encoded surrogate, above
        // U+10FFFF, truncated sequences, bytes that never occur.
        private static readonly byte[][] s_invalidUtf8 =
        {
            new byte[] { 0x80 },
            new byte[] { 0xBF },
            new byte[] { 0xC0, 0xAF },
            new byte[] { 0xC1, 0xBF },
            new byte[] { 0xE0, 0x80, 0xAF },
            new byte[] { 0xED, 0xA0, 0x80 },
            new byte[] { 0xED, 0xBF, 0xBF },
            new byte[] { 0xF0, 0x80, 0x80, 0xAF },
            new byte[] { 0xF4, 0x90, 0x80, 0x80 },
            new byte[] { 0xF5, 0x80, 0x80, 0x80 },
            new byte[] { 0xE2, 0x82 },
            new byte[] { 0xF0, 0x9F, 0x98 },
            new byte[] { 0xC3 },
            new byte[] { 0xFE },
            new byte[] { 0xFF },
        };

        public static readonly byte[] Interesting =
        {
            (byte)'"', (byte)'\\', (byte)'{', (byte)'}', (byte)'[', (byte)']', (byte)',', (byte)':', (byte)'0', (byte)'-',
            (byte)'e', (byte)'=', (byte)'/', (byte)'+', (byte)' ', (byte)'\n', 0x00, 0x1F, 0x7F, 0x80, 0xC0, 0xED, 0xF4, 0xFF,
        };

        public static byte[] InvalidUtf8(Random random) => s_invalidUtf8[random.Next(s_invalidUtf8.Length)];

        public static byte[] InsertAt(byte[] bytes, int at, byte[] insert)
        {
            var result = new byte[bytes.Length + insert.Length];
            Buffer.BlockCopy(bytes, 0, result, 0, at);
            Buffer.BlockCopy(insert, 0, result, at, insert.Length);
            Buffer.BlockCopy(bytes, at, result, at + insert.Length, bytes.Length - at);
            return result;
        }

        public static byte[] Remove(byte[] bytes, int at, int count)
        {
            var result = new byte[bytes.Length - count];
            Buffer.BlockCopy(bytes, 0, result, 0, at);
            Buffer.BlockCopy(bytes, at + count, result, at, bytes.Length - at - count);
            return result;
        }

        /// <summary>A position just after a random double quote (most likely inside a string), else anywhere.</summary>
        public static int InsideAString(Random random, byte[] bytes)
        {
            if (bytes.Length == 0) return 0;
            int start = random.Next(bytes.Length);
            int quote = Array.IndexOf(bytes, (byte)'"', start);
            if (quote < 0) quote = Array.IndexOf(bytes, (byte)'"');
            return quote < 0 ? random.Next(bytes.Length + 1) : quote + 1;
        }

        /// <summary>
        /// The same base64 text with its unused low bits set (a different text for the same bytes to a lenient
        /// decoder); null when the text has no unused bits.
        /// </summary>
        public static string? WithTrailingBits(string text)
        {
            const string alphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
            string data = text.TrimEnd('=');
            int unused = (data.Length % 4) switch { 2 => 4, 3 => 2, _ => 0 };
            if (unused == 0 || data.Length == 0) return null;
            char last = data[data.Length - 1] == '-' ? '+' : data[data.Length - 1] == '_' ? '/' : data[data.Length - 1];
            int value = alphabet.IndexOf(last);
            if (value < 0) return null;
            char replaced = alphabet[value | 1];
            return data.Substring(0, data.Length - 1) + replaced + text.Substring(data.Length);
        }
    }
}
