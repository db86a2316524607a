using System;
using System.Collections.Generic;
using System.Globalization;
using System.Text;
using System.Text.Json;

namespace AuthForge.Tests.Fuzz
{
    /// <summary>One object member as raw JSON text: the quoted name exactly as written, and the value's text.</summary>
    internal readonly struct JsonMember
    {
        public JsonMember(string name, string value)
        {
            Name = name;
            Value = value;
        }

        /// <summary>The name token including its quotes, possibly escaped (<c>"\u006eonce"</c>).</summary>
        public string Name { get; }

        public string Value { get; }

        public JsonMember WithValue(string value) => new JsonMember(Name, value);

        /// <summary>Whether the name, unescaped, is <paramref name="plain"/> (compared on the quoted form we write).</summary>
        public bool Is(string plain) => Name == FuzzJson.Quote(plain);

        public override string ToString() => Name + ":" + Value;
    }

    /// <summary>
    /// JSON text for the fuzzer, built by hand or read with System.Text.Json: never with the product's reader, whose
    /// behaviour is under test.
    /// </summary>
    internal static class FuzzJson
    {
        public static string Quote(string value)
        {
            var builder = new StringBuilder(value.Length + 2).Append('"');
            foreach (char c in value)
            {
                switch (c)
                {
                    case '"': builder.Append("\\\""); break;
                    case '\\': builder.Append("\\\\"); break;
                    case '\n': builder.Append("\\n"); break;
                    case '\r': builder.Append("\\r"); break;
                    case '\t': builder.Append("\\t"); break;
                    default:
                        if (c < 0x20) builder.Append("\\u").Append(((int)c).ToString("x4", CultureInfo.InvariantCulture));
                        else builder.Append(c);
                        break;
                }
            }
            return builder.Append('"').ToString();
        }

        /// <summary>Every character as a <c>\uXXXX</c> escape: the same string to any conforming reader.</summary>
        public static string QuoteFullyEscaped(string value)
        {
            var builder = new StringBuilder(value.Length * 6 + 2).Append('"');
            foreach (char c in value) builder.Append("\\u").Append(((int)c).ToString("x4", CultureInfo.InvariantCulture));
            return builder.Append('"').ToString();
        }

        public static string Object(IEnumerable<JsonMember> members)
        {
            var builder = new StringBuilder().Append('{');
            bool first = true;
            foreach (JsonMember member in members)
            {
                if (!first) builder.Append(',');
                builder.Append(member.Name).Append(':').Append(member.Value);
                first = false;
            }
            return builder.Append('}').ToString();
        }

        /// <summary>The members of a JSON object text, in order, as raw text (names re-quoted canonically).</summary>
        public static List<JsonMember> Members(string objectJson)
        {
            using JsonDocument document = JsonDocument.Parse(objectJson);
            var members = new List<JsonMember>();
            foreach (JsonProperty property in document.RootElement.EnumerateObject())
                members.Add(new JsonMember(Quote(property.Name), property.Value.GetRawText()));
            return members;
        }

        /// <summary>The string value of a raw JSON string token, or null when the text is not one.</summary>
        public static string? TryUnquote(string raw)
        {
            if (raw.Length < 2 || raw[0] != '"') return null;
            try
            {
                using JsonDocument document = JsonDocument.Parse(raw);
                return document.RootElement.ValueKind == JsonValueKind.String ? document.RootElement.GetString() : null;
            }
            catch (JsonException)
            {
                return null;
            }
            catch (InvalidOperationException)
            {
                return null;
            }
        }
    }

    internal enum Base64Style
    {
        Standard,
        StandardUnpadded,
        UrlSafe,
        UrlSafeUnpadded,
    }

    /// <summary>Base64 forms the protocol allows, computed with <see cref="Convert"/> (not the product's decoder).</summary>
    internal static class FuzzBase64
    {
        public static string Encode(byte[] bytes, Base64Style style)
        {
            string text = Convert.ToBase64String(bytes);
            if (style == Base64Style.StandardUnpadded || style == Base64Style.UrlSafeUnpadded) text = text.TrimEnd('=');
            if (style == Base64Style.UrlSafe || style == Base64Style.UrlSafeUnpadded) text = text.Replace('+', '-').Replace('/', '_');
            return text;
        }

        /// <summary>
        /// The bytes of a base64 text only when it is the canonical encoding of them in one of the allowed styles
        /// (alphabet and padding), so whitespace or non-zero trailing bits never count as "the same signature".
        /// </summary>
        public static byte[]? DecodeCanonical(string text)
        {
            byte[]? bytes = DecodeLenient(text);
            if (bytes is null) return null;
            foreach (Base64Style style in Enum.GetValues<Base64Style>())
            {
                if (string.Equals(Encode(bytes, style), text, StringComparison.Ordinal)) return bytes;
            }
            return null;
        }

        /// <summary>Any alphabet, padding optional, whitespace ignored: how the oracle reads a payload it was told is genuine.</summary>
        public static byte[]? DecodeLenient(string text)
        {
            var builder = new StringBuilder(text.Length + 3);
            foreach (char c in text)
            {
                if (c == ' ' || c == '\t' || c == '\r' || c == '\n') continue;
                builder.Append(c == '-' ? '+' : c == '_' ? '/' : c);
            }
            string normal = builder.ToString().TrimEnd('=');
            if (normal.Length % 4 == 1) return null;
            normal = normal.PadRight(normal.Length + (4 - normal.Length % 4) % 4, '=');
            try
            {
                return Convert.FromBase64String(normal);
            }
            catch (FormatException)
            {
                return null;
            }
        }

        public static byte[]? DecodeHex(string text)
        {
            if (text.Length != 64) return null;
            try
            {
                return Convert.FromHexString(text);
            }
            catch (FormatException)
            {
                return null;
            }
        }
    }
}
