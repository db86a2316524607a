using System;
using System.Collections.Generic;
using System.Globalization;
using System.Text;

namespace AuthForge.Tests.Fuzz
{
    /// <summary>JSON value texts the mutators put in place of a field: type swaps, edge numbers, huge and deep values.</summary>
    internal static class FuzzValues
    {
        /// <summary>The transport caps bodies at 1 MiB; payload text is base64 (4/3 larger) inside the envelope.</summary>
        public const int MaxBodyBytes = 1 << 20;
        public const int MaxPayloadJsonBytes = 700 * 1024;

        public static readonly string[] EdgeNumbers =
        {
            "0", "-0", "1", "-1", "1850000000", "1.85e9", "1850000000.0", "18500000000e-1", "1850000000.5", "253402300799",
            "253402300800", "9223372036854775807", "9223372036854775808", "-9223372036854775808", "-9223372036854775809",
            "1e18", "1e19", "1e308", "1e309", "-1e400", "0.1", "4.9e-324", "1E+2", "1e-0", "0e999999999", "1e-999999999",
        };

        public static readonly string[] EdgeStrings =
        {
            "\"\"", "\" \"", "\"ok\"", "\"OK\"", "\"true\"", "\"1\"", "\"null\"", "\"\\u0000\"", "\"\\ud83d\\ude00\"", "\"\u00e9\u2713\"",
            "\"1850000000\"", "\"2026-04-20T00:00:00.000Z\"", "\"0001-01-01T00:00:00+14:00\"", "\"9999-12-31T23:59:59-14:00\"",
            "\"e30=\"", "\"e30\"", "\"=\"", "\".\"", "\"a.b\"", "\"\\\\\"", "\"\\/\"",
        };

        /// <summary>Every other JSON type in place of <paramref name="original"/>, named for failure messages.</summary>
        public static IReadOnlyList<KeyValuePair<string, string>> TypeSwaps(string original)
        {
            return new[]
            {
                Named("string-of-raw", FuzzJson.Quote(original)),
                Named("empty-string", "\"\""),
                Named("number-0", "0"),
                Named("number-big", "123456789012345678901234567890"),
                Named("number-frac", "-1.5e-7"),
                Named("true", "true"),
                Named("false", "false"),
                Named("null", "null"),
                Named("empty-array", "[]"),
                Named("array-of-original", "[" + original + "]"),
                Named("empty-object", "{}"),
                Named("object-of-original", "{\"value\":" + original + "}"),
            };
        }

        private static KeyValuePair<string, string> Named(string name, string value) => new KeyValuePair<string, string>(name, value);

        public static KeyValuePair<string, string> RandomSwap(Random random, string original)
        {
            IReadOnlyList<KeyValuePair<string, string>> swaps = TypeSwaps(original);
            return swaps[random.Next(swaps.Count)];
        }

        public static string HugeString(Random random, int length, out string shape)
        {
            // A random 4 KiB chunk repeated: as hard for a reader as fully random text, and cheap to make.
            const string letters = "abcdefghijklmnopqrstuvwxyz";
            const string alphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
            string unit;
            switch (random.Next(5))
            {
                case 0:
                    shape = "ascii";
                    unit = RandomChunk(random, letters);
                    break;
                case 1:
                    shape = "escapes";
                    unit = "\\u0041\\n\\\"";
                    break;
                case 2:
                    shape = "multibyte";
                    unit = "\u00e9\u2713\U0001F600";
                    length /= 2;
                    break;
                case 3:
                    shape = "base64ish";
                    unit = RandomChunk(random, alphabet);
                    break;
                default:
                    shape = "surrogate-escapes";
                    unit = "\\ud83d\\ude00";
                    break;
            }
            var builder = new StringBuilder(length + unit.Length + 2).Append('"');
            while (builder.Length < length) builder.Append(unit);
            return builder.Append('"').ToString();
        }

        private static string RandomChunk(Random random, string alphabet)
        {
            var chars = new char[4096];
            for (int i = 0; i < chars.Length; i++) chars[i] = alphabet[random.Next(alphabet.Length)];
            return new string(chars);
        }

        public static string HugeNumber(Random random, int length, out string shape)
        {
            var builder = new StringBuilder(length + 8);
            switch (random.Next(5))
            {
                case 0:
                    shape = "integer";
                    builder.Append('1').Append('0', length);
                    break;
                case 1:
                    shape = "fraction";
                    builder.Append("-0.").Append('0', length).Append('1');
                    break;
                case 2:
                    shape = "exponent";
                    builder.Append("1e").Append('9', length);
                    break;
                case 3:
                    shape = "digits-negative-exponent";
                    builder.Append('7', length / 2).Append("e-").Append('8', length / 2);
                    break;
                default:
                    shape = "zeros-with-exponent";
                    builder.Append("0.").Append('0', length).Append("e+").Append('9', 12);
                    break;
            }
            return builder.ToString();
        }

        /// <summary>Thousands of levels of nesting; sometimes never closed.</summary>
        public static string Deep(Random random, int depth, out string shape)
        {
            bool closed = random.Next(4) != 0;
            var builder = new StringBuilder(depth * 6);
            switch (random.Next(3))
            {
                case 0:
                    shape = "arrays";
                    builder.Append('[', depth);
                    if (closed) builder.Append(']', depth);
                    break;
                case 1:
                    shape = "objects";
                    for (int i = 0; i < depth; i++) builder.Append("{\"a\":");
                    builder.Append('1');
                    if (closed) builder.Append('}', depth);
                    break;
                default:
                    shape = "mixed";
                    for (int i = 0; i < depth; i++) builder.Append(i % 2 == 0 ? "[" : "{\"n\":");
                    builder.Append("null");
                    if (closed)
                    {
                        for (int i = depth - 1; i >= 0; i--) builder.Append(i % 2 == 0 ? ']' : '}');
                    }
                    break;
            }
            if (!closed) shape += "-unclosed";
            return builder.ToString();
        }

        /// <summary>A small random JSON value; <paramref name="depth"/> bounds its nesting.</summary>
        public static string RandomValue(Random random, int depth)
        {
            int kind = random.Next(depth > 0 ? 9 : 6);
            switch (kind)
            {
                case 0: return "null";
                case 1: return random.Next(2) == 0 ? "true" : "false";
                case 2: return EdgeNumbers[random.Next(EdgeNumbers.Length)];
                case 3: return random.Next(1_000_000_000).ToString(CultureInfo.InvariantCulture);
                case 4: return EdgeStrings[random.Next(EdgeStrings.Length)];
                case 5: return FuzzJson.Quote(RandomText(random));
                case 6:
                {
                    var items = new List<string>();
                    for (int i = random.Next(4); i > 0; i--) items.Add(RandomValue(random, depth - 1));
                    return "[" + string.Join(",", items) + "]";
                }
                default:
                {
                    var members = new List<JsonMember>();
                    var names = new HashSet<string>(StringComparer.Ordinal);
                    for (int i = random.Next(5); i > 0; i--)
                    {
                        string name = RandomName(random);
                        if (names.Add(name)) members.Add(new JsonMember(FuzzJson.Quote(name), RandomValue(random, depth - 1)));
                    }
                    return FuzzJson.Object(members);
                }
            }
        }

        private static readonly string[] s_names =
        {
            "status", "payload", "signature", "keyId", "error", "nonce", "sessionToken", "expiresIn", "timestamp",
            "appVariables", "licenseVariables", "sigKey", "requestId", "x", "",
        };

        public static string RandomName(Random random) =>
            random.Next(3) == 0 ? RandomText(random) : s_names[random.Next(s_names.Length)];

        public static string RandomText(Random random)
        {
            const string pool = "abcXYZ019+/=-_.: \"\\\u00e9\u2713\u0000\u001f\u007f";
            var builder = new StringBuilder();
            for (int i = random.Next(12); i > 0; i--)
            {
                if (random.Next(16) == 0) builder.Append("\U0001F600");
                else builder.Append(pool[random.Next(pool.Length)]);
            }
            return builder.ToString();
        }
    }
}
