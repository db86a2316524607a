using System;
using System.Collections.Generic;
using System.Linq;
using System.Text;

namespace AuthForge.Tests.Fuzz
{
    /// <summary>
    /// Mutations of the signed payload. After them the payload is re-encoded and signed by the draft's policy: kept
    /// signature and wrong keys must always be refused; a trusted key makes a genuine-but-odd response, which drives
    /// the code behind the signature check (nonce, token body, expiry, variables, timestamps).
    /// </summary>
    internal static class PayloadMutators
    {
        private static readonly string[] s_fields =
        {
            "nonce", "sessionToken", "expiresIn", "timestamp", "appVariables", "licenseVariables", "requestId", "keyId",
        };

        public static readonly FuzzMutator[] All =
        {
            new FuzzMutator("payload.remove", MutationLayer.Payload, 12, Remove),
            new FuzzMutator("payload.duplicate", MutationLayer.Payload, 12, Duplicate),
            new FuzzMutator("payload.typeSwap", MutationLayer.Payload, 18, TypeSwap),
            new FuzzMutator("payload.nonce", MutationLayer.Payload, 12, Nonce),
            new FuzzMutator("payload.expiry", MutationLayer.Payload, 12, Expiry),
            new FuzzMutator("payload.timestamp", MutationLayer.Payload, 9, Timestamp),
            new FuzzMutator("payload.token", MutationLayer.Payload, 15, Token),
            new FuzzMutator("payload.variables", MutationLayer.Payload, 9, Variables),
            new FuzzMutator("payload.addMember", MutationLayer.Payload, 6, AddMember),
            new FuzzMutator("payload.huge", MutationLayer.Payload, 1, Huge),
            new FuzzMutator("payload.deep", MutationLayer.Payload, 1, Deep),
            new FuzzMutator("payloadBytes.bitFlip", MutationLayer.PayloadBytes, 6, BitFlip),
            new FuzzMutator("payloadBytes.truncate", MutationLayer.PayloadBytes, 6, Truncate),
            new FuzzMutator("payloadBytes.invalidUtf8", MutationLayer.PayloadBytes, 6, InvalidUtf8),
            new FuzzMutator("payloadBytes.replace", MutationLayer.PayloadBytes, 6, ReplaceWhole),
            new FuzzMutator("payloadBytes.restyle", MutationLayer.PayloadBytes, 12, Restyle),
        };

        public static void Set(List<JsonMember> members, string name, string value)
        {
            int index = members.FindIndex(m => m.Is(name));
            if (index >= 0) members[index] = members[index].WithValue(value);
            else members.Add(new JsonMember(FuzzJson.Quote(name), value));
        }

        private static void Remove(FuzzDraft draft, Random random)
        {
            List<JsonMember> members = draft.PayloadMembers();
            if (members.Count == 0) return;
            int index = random.Next(members.Count);
            draft.Step("payload.remove(" + members[index].Name + ")");
            members.RemoveAt(index);
        }

        private static void Duplicate(FuzzDraft draft, Random random)
        {
            List<JsonMember> members = draft.PayloadMembers();
            if (members.Count == 0) return;
            JsonMember original = members[random.Next(members.Count)];
            string value = random.Next(4) switch
            {
                0 => original.Value,
                1 => FuzzJson.Quote(FuzzPick.OtherThan(random, FuzzSeedSet.Instance.Nonces, draft.Seed.Nonce)),
                2 => FuzzJson.Quote(draft.Seed.Nonce),
                _ => FuzzValues.RandomValue(random, 2),
            };
            // The same name written with escapes is the same name: a reader that compares raw text would miss it.
            string? plain = FuzzJson.TryUnquote(original.Name);
            string name = random.Next(3) == 0 && plain != null ? FuzzJson.QuoteFullyEscaped(plain) : original.Name;
            int at = random.Next(members.Count + 1);
            members.Insert(at, new JsonMember(name, value));
            draft.Step("payload.duplicate(" + name + "=" + Clip(value) + " at " + at + ")");
        }

        private static void TypeSwap(FuzzDraft draft, Random random)
        {
            List<JsonMember> members = draft.PayloadMembers();
            if (members.Count == 0) return;
            int index = random.Next(members.Count);
            KeyValuePair<string, string> swap = FuzzValues.RandomSwap(random, members[index].Value);
            members[index] = members[index].WithValue(swap.Value);
            draft.Step("payload.typeSwap(" + members[index].Name + "->" + swap.Key + ")");
        }

        private static void Nonce(FuzzDraft draft, Random random)
        {
            string nonce = draft.Seed.Nonce;
            string value = random.Next(7) switch
            {
                0 => FuzzJson.Quote(FuzzPick.OtherThan(random, FuzzSeedSet.Instance.Nonces, nonce)),
                1 => FuzzJson.Quote(nonce.ToUpperInvariant()),
                2 => FuzzJson.QuoteFullyEscaped(nonce), // the same string: a genuine response must still pass
                3 => FuzzJson.Quote(nonce + "\u0000"),
                4 => FuzzJson.Quote(" " + nonce),
                5 => FuzzJson.Quote(nonce.Substring(0, nonce.Length - 1)),
                _ => "[" + FuzzJson.Quote(nonce) + "]",
            };
            Set(draft.PayloadMembers(), "nonce", value);
            draft.Step("payload.nonce(" + value + ")");
        }

        private static void Expiry(FuzzDraft draft, Random random)
        {
            string value = random.Next(3) == 0
                ? FuzzValues.EdgeStrings[random.Next(FuzzValues.EdgeStrings.Length)]
                : FuzzValues.EdgeNumbers[random.Next(FuzzValues.EdgeNumbers.Length)];
            Set(draft.PayloadMembers(), "expiresIn", value);
            draft.Step("payload.expiresIn(" + value + ")");
        }

        private static void Timestamp(FuzzDraft draft, Random random)
        {
            string value = random.Next(2) == 0
                ? FuzzValues.EdgeStrings[random.Next(FuzzValues.EdgeStrings.Length)]
                : FuzzValues.EdgeNumbers[random.Next(FuzzValues.EdgeNumbers.Length)];
            Set(draft.PayloadMembers(), "timestamp", value);
            draft.Step("payload.timestamp(" + value + ")");
        }

        private static void Token(FuzzDraft draft, Random random)
        {
            string token = TokenVariant(random, out string shape);
            Set(draft.PayloadMembers(), "sessionToken", FuzzJson.Quote(token));
            draft.Step("payload.token(" + shape + ")");
        }

        /// <summary>A session token: opaque shapes, or <c>base64url(body).mac</c> with an odd body.</summary>
        public static string TokenVariant(Random random, out string shape)
        {
            switch (random.Next(6))
            {
                case 0:
                {
                    string[] opaque = { "opaque", ".", ".bWFj", "Ym9keQ.", "a.b.c", "e30.bWFj", "e30=.bWFj", "!!!.bWFj", "\u00e9.bWFj", "..", " . " };
                    shape = opaque[random.Next(opaque.Length)];
                    return shape;
                }
                case 1:
                    shape = "body-bytes";
                    return TokenOfBytes(RandomBodyBytes(random));
                case 2:
                {
                    shape = "deep-body";
                    return FuzzSeedSet.TokenOf(FuzzValues.Deep(random, FuzzPick.LogUniform(random, 15, 20_000), out _));
                }
                default:
                {
                    var members = new List<JsonMember>
                    {
                        new JsonMember("\"appId\"", "\"fuzz-app\""),
                        new JsonMember("\"expiresIn\"", "1900000000"),
                        new JsonMember("\"sigKey\"", "\"sk_other\""),
                    };
                    int field = random.Next(members.Count);
                    string value = random.Next(2) == 0
                        ? FuzzValues.RandomSwap(random, members[field].Value).Value
                        : FuzzValues.EdgeNumbers[random.Next(FuzzValues.EdgeNumbers.Length)];
                    if (random.Next(4) == 0) members.Add(new JsonMember(members[field].Name, value)); // duplicate
                    else members[field] = members[field].WithValue(value);
                    if (random.Next(5) == 0) members.RemoveAt(random.Next(members.Count));
                    shape = "body(" + FuzzJson.Object(members) + ")";
                    return FuzzSeedSet.TokenOf(FuzzJson.Object(members));
                }
            }
        }

        private static byte[] RandomBodyBytes(Random random)
        {
            // Near-JSON bytes: invalid UTF-8, a BOM, or a truncated object.
            byte[] json = Encoding.UTF8.GetBytes("{\"expiresIn\":1900000000,\"sigKey\":\"k\u00e9y\"}");
            switch (random.Next(3))
            {
                case 0: return FuzzBytes.InsertAt(json, 1 + random.Next(json.Length - 1), FuzzBytes.InvalidUtf8(random));
                case 1: return new byte[] { 0xEF, 0xBB, 0xBF }.Concat(json).ToArray();
                default: return json.Take(random.Next(json.Length)).ToArray();
            }
        }

        private static string TokenOfBytes(byte[] body) => FuzzBase64.Encode(body, Base64Style.UrlSafeUnpadded) + ".bWFj";

        private static void Variables(FuzzDraft draft, Random random)
        {
            string name = random.Next(2) == 0 ? "appVariables" : "licenseVariables";
            string value;
            switch (random.Next(6))
            {
                case 0: value = FuzzValues.RandomSwap(random, "{\"tier\":\"pro\"}").Value; break;
                case 1: value = FuzzValues.Deep(random, random.Next(12, 20), out _); break;
                case 2: value = "{\"a\":1,\"b\":2,\"a\":3}"; break;
                case 3: value = "{\"big\":1e400,\"neg\":-1e400,\"zero\":-0,\"long\":9223372036854775808,\"tiny\":4.9e-325}"; break;
                case 4:
                {
                    // Past the reader's index threshold, so duplicates are found by hashing.
                    var members = Enumerable.Range(0, random.Next(16, 3000)).Select(i => new JsonMember("\"k" + i + "\"", i.ToString(System.Globalization.CultureInfo.InvariantCulture))).ToList();
                    if (random.Next(2) == 0) members.Add(new JsonMember("\"k" + random.Next(members.Count) + "\"", "0"));
                    value = FuzzJson.Object(members);
                    break;
                }
                default: value = FuzzValues.RandomValue(random, 4); break;
            }
            Set(draft.PayloadMembers(), name, value);
            draft.Step("payload." + name + "(" + Clip(value) + ")");
        }

        private static void AddMember(FuzzDraft draft, Random random)
        {
            string name = FuzzValues.RandomName(random);
            string value = FuzzValues.RandomValue(random, 3);
            List<JsonMember> members = draft.PayloadMembers();
            members.Insert(random.Next(members.Count + 1), new JsonMember(FuzzJson.Quote(name), value));
            draft.Step("payload.add(" + FuzzJson.Quote(name) + ":" + Clip(value) + ")");
        }

        private static void Huge(FuzzDraft draft, Random random)
        {
            List<JsonMember> members = draft.PayloadMembers();
            int length = FuzzPick.LogUniform(random, 1024, FuzzValues.MaxPayloadJsonBytes / 2);
            string shape;
            string value = random.Next(2) == 0 ? FuzzValues.HugeString(random, length, out shape) : FuzzValues.HugeNumber(random, length, out shape);
            string name = random.Next(3) == 0 ? "filler" : s_fields[random.Next(s_fields.Length)];
            Set(members, name, value);
            draft.Step("payload.huge(" + name + "," + shape + "," + length + ")");
        }

        private static void Deep(FuzzDraft draft, Random random)
        {
            int depth = FuzzPick.LogUniform(random, 15, 80_000);
            string value = FuzzValues.Deep(random, depth, out string shape);
            string name = s_fields[random.Next(s_fields.Length)];
            Set(draft.PayloadMembers(), name, value);
            draft.Step("payload.deep(" + name + "," + shape + "," + depth + ")");
        }

        private static void BitFlip(FuzzDraft draft, Random random)
        {
            byte[] bytes = (byte[])draft.PayloadBytes().Clone();
            int flips = 1 + random.Next(4);
            for (int i = 0; i < flips && bytes.Length > 0; i++) bytes[random.Next(bytes.Length)] ^= (byte)(1 << random.Next(8));
            draft.SetPayloadBytes(bytes);
            draft.Step("payloadBytes.bitFlip(" + flips + ")");
        }

        private static void Truncate(FuzzDraft draft, Random random)
        {
            byte[] bytes = draft.PayloadBytes();
            int length = random.Next(bytes.Length);
            draft.SetPayloadBytes(bytes.Take(length).ToArray());
            draft.Step("payloadBytes.truncate(" + length + ")");
        }

        private static void InvalidUtf8(FuzzDraft draft, Random random)
        {
            byte[] bytes = draft.PayloadBytes();
            int at = FuzzBytes.InsideAString(random, bytes);
            byte[] bad = FuzzBytes.InvalidUtf8(random);
            draft.SetPayloadBytes(FuzzBytes.InsertAt(bytes, at, bad));
            draft.Step("payloadBytes.invalidUtf8(" + Convert.ToHexString(bad) + " at " + at + ")");
        }

        private static void ReplaceWhole(FuzzDraft draft, Random random)
        {
            string[] texts = { "", " ", "{}", "[]", "null", "1", "\"text\"", "{", "{\"nonce\":", "[{}]", "\uFEFF{}" };
            string text = random.Next(3) == 0 ? FuzzValues.RandomValue(random, 3) : texts[random.Next(texts.Length)];
            draft.SetPayloadBytes(Encoding.UTF8.GetBytes(text));
            draft.Step("payloadBytes.replace(" + Clip(text) + ")");
        }

        private static void Restyle(FuzzDraft draft, Random random)
        {
            draft.PayloadBytes();
            draft.PayloadStyle = (Base64Style)random.Next(4);
            string edit;
            switch (random.Next(6))
            {
                case 0:
                    edit = "whitespace";
                    draft.PayloadTextEdit = text => text.Insert(random.Next(text.Length + 1), random.Next(2) == 0 ? " " : "\n");
                    break;
                case 1:
                    edit = "extra-padding";
                    draft.PayloadTextEdit = text => text + "=";
                    break;
                case 2:
                    edit = "nonzero-trailing-bits";
                    draft.PayloadTextEdit = text => FuzzBytes.WithTrailingBits(text) ?? text + "A";
                    break;
                default:
                    edit = "none";
                    break;
            }
            draft.Step("payloadBytes.restyle(" + draft.PayloadStyle + "," + edit + ")");
        }

        public static string Clip(string text) => text.Length <= 80 ? text : text.Substring(0, 60) + "…(" + text.Length + " chars)";
    }
}
