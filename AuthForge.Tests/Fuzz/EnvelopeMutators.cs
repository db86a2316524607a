using System;
using System.Collections.Generic;
using System.Linq;
using AuthForge.Tests.Crypto;

namespace AuthForge.Tests.Fuzz
{
    /// <summary>Mutations of the envelope's members, including the base64 and hex forms of the payload and signature.</summary>
    internal static class EnvelopeMutators
    {
        /// <summary>The deepest nesting a deep value gets (FUZZING.md quotes it).</summary>
        internal const int MaxNesting = 150_000;

        public static readonly FuzzMutator[] All =
        {
            new FuzzMutator("envelope.remove", MutationLayer.Envelope, 12, Remove),
            new FuzzMutator("envelope.duplicate", MutationLayer.Envelope, 12, Duplicate),
            new FuzzMutator("envelope.typeSwap", MutationLayer.Envelope, 15, TypeSwap),
            new FuzzMutator("envelope.status", MutationLayer.Envelope, 9, Status),
            new FuzzMutator("envelope.error", MutationLayer.Envelope, 6, Error),
            new FuzzMutator("envelope.payloadText", MutationLayer.Envelope, 18, PayloadText),
            new FuzzMutator("envelope.signatureText", MutationLayer.Envelope, 18, SignatureText),
            new FuzzMutator("envelope.replay", MutationLayer.Envelope, 12, Replay),
            new FuzzMutator("envelope.addMember", MutationLayer.Envelope, 6, AddMember),
            new FuzzMutator("envelope.reorder", MutationLayer.Envelope, 6, Reorder),
            new FuzzMutator("envelope.escape", MutationLayer.Envelope, 6, Escape),
            new FuzzMutator("envelope.whitespace", MutationLayer.Envelope, 6, Whitespace),
            new FuzzMutator("envelope.huge", MutationLayer.Envelope, 1, Huge),
            new FuzzMutator("envelope.deep", MutationLayer.Envelope, 1, Deep),
        };

        public static readonly string[] StatusValues =
        {
            "\"ok\"", "\"OK\"", "\"Success\"", "\"VALID\"", "\"true\"", "\"1\"", "true", "\"\\u006fk\"", // success spellings
            "\"error\"", "\"\"", "\"ok \"", "\" ok\"", "\"okay\"", "\"o\\u0000k\"", "1", "false", "null", "[\"ok\"]", "{\"ok\":true}", "\"0\"",
        };

        public static readonly string[] ErrorValues =
        {
            "\"invalid_key\"", "\"rate_limited\"", "\"replay_detected\"", "\"something_new\"", "\"\"", "null", "5", "[\"expired\"]",
        };

        private static void Remove(FuzzDraft draft, Random random)
        {
            List<JsonMember> members = draft.Envelope();
            if (members.Count == 0) return;
            int index = random.Next(members.Count);
            draft.Step("envelope.remove(" + members[index].Name + ")");
            members.RemoveAt(index);
        }

        private static void Duplicate(FuzzDraft draft, Random random)
        {
            List<JsonMember> members = draft.Envelope();
            if (members.Count == 0) return;
            JsonMember original = members[random.Next(members.Count)];
            FuzzSeed other = FuzzPick.One(random, FuzzSeedSet.Instance.Seeds);
            string value = random.Next(4) switch
            {
                0 => original.Value,
                1 => original.Is("signature") ? FuzzJson.Quote(other.SignatureText) : FuzzJson.Quote(other.PayloadText),
                2 => FuzzValues.RandomValue(random, 2),
                _ => "\"ok\"",
            };
            string? plain = FuzzJson.TryUnquote(original.Name);
            string name = random.Next(3) == 0 && plain != null ? FuzzJson.QuoteFullyEscaped(plain) : original.Name;
            int at = random.Next(members.Count + 1);
            members.Insert(at, new JsonMember(name, value));
            draft.Step("envelope.duplicate(" + name + "=" + PayloadMutators.Clip(value) + " at " + at + ")");
        }

        private static void TypeSwap(FuzzDraft draft, Random random)
        {
            List<JsonMember> members = draft.Envelope();
            if (members.Count == 0) return;
            int index = random.Next(members.Count);
            KeyValuePair<string, string> swap = FuzzValues.RandomSwap(random, members[index].Value);
            members[index] = members[index].WithValue(swap.Value);
            draft.Step("envelope.typeSwap(" + members[index].Name + "->" + swap.Key + ")");
        }

        private static void Status(FuzzDraft draft, Random random)
        {
            string value = StatusValues[random.Next(StatusValues.Length)];
            PayloadMutators.Set(draft.Envelope(), "status", value);
            draft.Step("envelope.status(" + value + ")");
        }

        private static void Error(FuzzDraft draft, Random random)
        {
            string value = ErrorValues[random.Next(ErrorValues.Length)];
            PayloadMutators.Set(draft.Envelope(), "error", value);
            draft.Step("envelope.error(" + value + ")");
        }

        private static void PayloadText(FuzzDraft draft, Random random)
        {
            IReadOnlyList<KeyValuePair<string, string>> variants = PayloadTextVariants(draft.PayloadText, draft.Seed);
            KeyValuePair<string, string> pick = variants[random.Next(variants.Count)];
            PayloadMutators.Set(draft.Envelope(), "payload", pick.Value);
            draft.Step("envelope.payloadText(" + pick.Key + ")");
        }

        private static void SignatureText(FuzzDraft draft, Random random)
        {
            IReadOnlyList<KeyValuePair<string, string>> variants = SignatureTextVariants(draft.SignatureText, draft.Seed);
            KeyValuePair<string, string> pick = variants[random.Next(variants.Count)];
            PayloadMutators.Set(draft.Envelope(), "signature", pick.Value);
            draft.Step("envelope.signatureText(" + pick.Key + ")");
        }

        /// <summary>Another seed's payload, signature, or both: replays across generations, keys and requests.</summary>
        private static void Replay(FuzzDraft draft, Random random)
        {
            FuzzSeed other = FuzzPick.One(random, FuzzSeedSet.Instance.Seeds);
            int what = random.Next(3);
            if (what != 1) PayloadMutators.Set(draft.Envelope(), "payload", FuzzJson.Quote(other.PayloadText));
            if (what != 0) PayloadMutators.Set(draft.Envelope(), "signature", FuzzJson.Quote(other.SignatureText));
            draft.Step("envelope.replay(" + (what == 0 ? "payload" : what == 1 ? "signature" : "both") + " of " + other.Name + ")");
        }

        private static void AddMember(FuzzDraft draft, Random random)
        {
            List<JsonMember> members = draft.Envelope();
            string name = FuzzValues.RandomName(random);
            string value = FuzzValues.RandomValue(random, 3);
            members.Insert(random.Next(members.Count + 1), new JsonMember(FuzzJson.Quote(name), value));
            draft.Step("envelope.add(" + FuzzJson.Quote(name) + ":" + PayloadMutators.Clip(value) + ")");
        }

        private static void Reorder(FuzzDraft draft, Random random)
        {
            List<JsonMember> members = draft.Envelope();
            for (int i = members.Count - 1; i > 0; i--)
            {
                int j = random.Next(i + 1);
                (members[i], members[j]) = (members[j], members[i]);
            }
            draft.Step("envelope.reorder(" + string.Join(",", members.Select(m => m.Name)) + ")");
        }

        /// <summary>A name or string value rewritten with <c>\u</c> escapes: the same document to any reader.</summary>
        private static void Escape(FuzzDraft draft, Random random)
        {
            List<JsonMember> members = draft.Envelope();
            if (members.Count == 0) return;
            int index = random.Next(members.Count);
            JsonMember member = members[index];
            if (random.Next(2) == 0)
            {
                string? name = FuzzJson.TryUnquote(member.Name);
                if (name != null) members[index] = new JsonMember(FuzzJson.QuoteFullyEscaped(name), member.Value);
            }
            else
            {
                string? value = FuzzJson.TryUnquote(member.Value);
                if (value != null) members[index] = member.WithValue(FuzzJson.QuoteFullyEscaped(value));
            }
            draft.Step("envelope.escape(" + member.Name + ")");
        }

        private static void Whitespace(FuzzDraft draft, Random random)
        {
            List<JsonMember> members = draft.Envelope();
            if (members.Count == 0) return;
            int index = random.Next(members.Count);
            // JSON whitespace is insignificant; the others (vertical tab, form feed, NBSP, BOM) are errors.
            string[] spaces = { " ", "\n\t\r ", "\u000b", "\u000c", "\u00a0", "\ufeff" };
            string space = spaces[random.Next(spaces.Length)];
            members[index] = new JsonMember(space + members[index].Name + space, space + members[index].Value + space);
            draft.Step("envelope.whitespace(" + members[index].Name.Trim() + "," + Convert.ToHexString(System.Text.Encoding.UTF8.GetBytes(space)) + ")");
        }

        private static void Huge(FuzzDraft draft, Random random)
        {
            List<JsonMember> members = draft.Envelope();
            int used = FuzzJson.Object(members).Length;
            int length = FuzzPick.LogUniform(random, 1024, Math.Max(1024, FuzzValues.MaxBodyBytes - used - 64));
            string shape;
            string value = random.Next(2) == 0 ? FuzzValues.HugeString(random, length, out shape) : FuzzValues.HugeNumber(random, length, out shape);
            string[] names = { "status", "payload", "signature", "keyId", "error", "filler" };
            string name = names[random.Next(names.Length)];
            PayloadMutators.Set(members, name, value);
            draft.Step("envelope.huge(" + name + "," + shape + "," + length + ")");
        }

        private static void Deep(FuzzDraft draft, Random random)
        {
            int depth = FuzzPick.LogUniform(random, 15, MaxNesting);
            string value = FuzzValues.Deep(random, depth, out string shape);
            string[] names = { "status", "payload", "signature", "keyId", "error", "filler" };
            string name = names[random.Next(names.Length)];
            PayloadMutators.Set(draft.Envelope(), name, value);
            draft.Step("envelope.deep(" + name + "," + shape + "," + depth + ")");
        }

        /// <summary>The payload text in other forms; only the escaped ones are the same text.</summary>
        public static IReadOnlyList<KeyValuePair<string, string>> PayloadTextVariants(string text, FuzzSeed seed)
        {
            string data = text.TrimEnd('=');
            string standard = text.Replace('-', '+').Replace('_', '/');
            string urlSafe = text.Replace('+', '-').Replace('/', '_');
            var variants = new List<KeyValuePair<string, string>>
            {
                Named("unpadded", data),
                Named("padded-extra", text + "="),
                Named("padded-2-extra", text + "=="),
                Named("repadded", data.PadRight(data.Length + (4 - data.Length % 4) % 4, '=')),
                Named("standard-alphabet", standard),
                Named("url-safe-alphabet", urlSafe),
                Named("space-inside", text.Insert(text.Length / 2, " ")),
                Named("newline-inside", text.Insert(text.Length / 3, "\n")),
                Named("tab-inside", text.Insert(Math.Min(1, text.Length), "\t")),
                Named("leading-space", " " + text),
                Named("trailing-space", text + " "),
                Named("trailing-newline", text + "\r\n"),
                Named("trailing-bits", FuzzBytes.WithTrailingBits(text) ?? text + "A="),
                Named("case-flip", FlipCase(text, text.Length / 2)),
                Named("char-deleted", text.Length == 0 ? "=" : text.Remove(text.Length / 2, 1)),
                Named("char-inserted", text.Insert(text.Length / 2, "A")),
                Named("doubled", text + text),
                Named("empty", ""),
                Named("decoded-json", seed.PayloadJson),
                Named("other-seed", FuzzSeedSet.Instance.Seeds.First(s => s != seed).PayloadText),
            };
            for (int i = 0; i < variants.Count; i++) variants[i] = Named(variants[i].Key, FuzzJson.Quote(variants[i].Value));
            variants.Add(Named("escaped-same", FuzzJson.QuoteFullyEscaped(text)));
            variants.Add(Named("solidus-escaped-same", FuzzJson.Quote(text).Replace("/", "\\/")));
            variants.Add(Named("nul-escape-appended", FuzzJson.Quote(text).TrimEnd('"') + "\\u0000\""));
            return variants;
        }

        /// <summary>The signature in other forms: equivalent encodings, broken encodings, and other signatures.</summary>
        public static IReadOnlyList<KeyValuePair<string, string>> SignatureTextVariants(string text, FuzzSeed seed)
        {
            var variants = new List<KeyValuePair<string, string>>();
            byte[]? bytes = seed.Kind == SignatureKind.Hmac ? FuzzBase64.DecodeHex(text) : FuzzBase64.DecodeCanonical(text);
            if (seed.Kind == SignatureKind.Hmac)
            {
                variants.Add(Named("uppercase", text.ToUpperInvariant()));
                variants.Add(Named("mixed-case", FlipCase(text, 3)));
                variants.Add(Named("0x-prefix", "0x" + text));
                variants.Add(Named("short", text.Substring(0, text.Length - 2)));
                variants.Add(Named("odd-length", text.Substring(0, text.Length - 1)));
                variants.Add(Named("long", text + "00"));
                variants.Add(Named("non-hex", "g" + text.Substring(1)));
                variants.Add(Named("fullwidth-digit", "\uff10" + text.Substring(1)));
                variants.Add(Named("zeros", new string('0', 64)));
                if (bytes != null) variants.Add(Named("as-base64", Convert.ToBase64String(bytes)));
                variants.Add(Named("digit-changed", (text[0] == '0' ? '1' : '0') + text.Substring(1)));
            }
            else
            {
                string data = text.TrimEnd('=');
                variants.Add(Named("unpadded", data));
                variants.Add(Named("url-safe", text.Replace('+', '-').Replace('/', '_')));
                variants.Add(Named("url-safe-unpadded", data.Replace('+', '-').Replace('/', '_')));
                variants.Add(Named("extra-padding", text + "="));
                variants.Add(Named("trailing-bits", FuzzBytes.WithTrailingBits(text) ?? text + "A"));
                variants.Add(Named("case-flip", FlipCase(text, 5)));
                if (bytes != null && bytes.Length == 64)
                {
                    variants.Add(Named("as-hex", Convert.ToHexString(bytes)));
                    variants.Add(Named("truncated-63", Convert.ToBase64String(bytes.Take(63).ToArray())));
                    variants.Add(Named("extended-65", Convert.ToBase64String(bytes.Concat(new byte[] { 0 }).ToArray())));
                    variants.Add(Named("s-plus-l", Convert.ToBase64String(AddLToS(bytes))));
                    variants.Add(Named("s-zero", Convert.ToBase64String(bytes.Take(32).Concat(new byte[32]).ToArray())));
                    variants.Add(Named("halves-swapped", Convert.ToBase64String(bytes.Skip(32).Concat(bytes.Take(32)).ToArray())));
                    variants.Add(Named("r-bit-flipped", Convert.ToBase64String(FlipBit(bytes, 3))));
                    variants.Add(Named("s-bit-flipped", Convert.ToBase64String(FlipBit(bytes, 40))));
                    variants.Add(Named("s-high-bit", Convert.ToBase64String(FlipBit(bytes, 63, 0x80))));
                }
                variants.Add(Named("zeros", Convert.ToBase64String(new byte[64])));
                variants.Add(Named("ones", Convert.ToBase64String(Enumerable.Repeat((byte)0xFF, 64).ToArray())));
            }
            variants.Add(Named("space-inside", text.Insert(text.Length / 2, " ")));
            variants.Add(Named("leading-space", " " + text));
            variants.Add(Named("trailing-newline", text + "\n"));
            variants.Add(Named("empty", ""));
            foreach (FuzzSeed other in FuzzSeedSet.Instance.Seeds)
            {
                if (other != seed) variants.Add(Named("of-" + other.Name, other.SignatureText));
            }
            for (int i = 0; i < variants.Count; i++) variants[i] = Named(variants[i].Key, FuzzJson.Quote(variants[i].Value));
            variants.Add(Named("escaped-same", FuzzJson.QuoteFullyEscaped(text)));
            return variants;
        }

        private static KeyValuePair<string, string> Named(string name, string value) => new KeyValuePair<string, string>(name, value);

        private static string FlipCase(string text, int from)
        {
            char[] chars = text.ToCharArray();
            for (int i = Math.Min(from, chars.Length); i < chars.Length; i++)
            {
                if (char.IsLetter(chars[i]))
                {
                    chars[i] = char.IsUpper(chars[i]) ? char.ToLowerInvariant(chars[i]) : char.ToUpperInvariant(chars[i]);
                    break;
                }
            }
            return new string(chars);
        }

        private static byte[] FlipBit(byte[] bytes, int index, byte mask = 0x01)
        {
            byte[] copy = (byte[])bytes.Clone();
            copy[index] ^= mask;
            return copy;
        }

        /// <summary>R ‖ (S + L): the malleable twin of a valid signature, which strict RFC 8032 verification refuses.</summary>
        public static byte[] AddLToS(byte[] signature)
        {
            byte[] result = (byte[])signature.Clone();
            int carry = 0;
            for (int i = 0; i < 32; i++)
            {
                int sum = result[32 + i] + Ed25519TestData.L[i] + carry;
                result[32 + i] = (byte)sum;
                carry = sum >> 8;
            }
            return result;
        }
    }
}
