using System;
using System.Linq;

namespace AuthForge.Tests.Fuzz
{
    /// <summary>Mutations of the raw body bytes, and of the request context the response is checked against.</summary>
    internal static class BodyMutators
    {
        /// <summary>Statuses a server or a proxy in front of it plausibly sends, then a few impossible ones.</summary>
        public static readonly int[] Statuses = { 200, 201, 204, 301, 400, 401, 429, 500, 502 };
        private static readonly int[] s_oddStatuses = { 0, -1, 100, 199, 299, 300, 600, int.MaxValue, int.MinValue };

        public static readonly FuzzMutator[] All =
        {
            new FuzzMutator("body.bitFlip", MutationLayer.Body, 18, BitFlip),
            new FuzzMutator("body.substitute", MutationLayer.Body, 18, Substitute),
            new FuzzMutator("body.truncate", MutationLayer.Body, 12, Truncate),
            new FuzzMutator("body.invalidUtf8", MutationLayer.Body, 12, InvalidUtf8),
            new FuzzMutator("body.deleteRange", MutationLayer.Body, 6, DeleteRange),
            new FuzzMutator("body.duplicateRange", MutationLayer.Body, 6, DuplicateRange),
            new FuzzMutator("body.splice", MutationLayer.Body, 6, Splice),
            new FuzzMutator("body.wrap", MutationLayer.Body, 6, Wrap),
            new FuzzMutator("context.status", MutationLayer.Context, 12, Status),
            new FuzzMutator("context.nonce", MutationLayer.Context, 12, Nonce),
            new FuzzMutator("context.verifier", MutationLayer.Context, 9, Verifier),
        };

        private static void BitFlip(FuzzDraft draft, Random random)
        {
            byte[] body = (byte[])draft.Body().Clone();
            if (body.Length == 0) return;
            int flips = 1 + random.Next(random.Next(2) == 0 ? 1 : 8);
            for (int i = 0; i < flips; i++)
            {
                int at = random.Next(body.Length);
                int bit = random.Next(8);
                body[at] ^= (byte)(1 << bit);
                draft.Step("body.bitFlip(" + at + ":" + bit + ")");
            }
            draft.SetBody(body);
        }

        private static void Substitute(FuzzDraft draft, Random random)
        {
            byte[] body = (byte[])draft.Body().Clone();
            if (body.Length == 0) return;
            int count = 1 + random.Next(4);
            for (int i = 0; i < count; i++)
            {
                int at = random.Next(body.Length);
                body[at] = random.Next(2) == 0 ? FuzzBytes.Interesting[random.Next(FuzzBytes.Interesting.Length)] : (byte)random.Next(256);
                draft.Step("body.substitute(" + at + "=" + body[at].ToString("x2", System.Globalization.CultureInfo.InvariantCulture) + ")");
            }
            draft.SetBody(body);
        }

        private static void Truncate(FuzzDraft draft, Random random)
        {
            byte[] body = draft.Body();
            int length = random.Next(body.Length);
            draft.SetBody(body.Take(length).ToArray());
            draft.Step("body.truncate(" + length + ")");
        }

        private static void InvalidUtf8(FuzzDraft draft, Random random)
        {
            byte[] body = draft.Body();
            int at = FuzzBytes.InsideAString(random, body);
            byte[] bad = FuzzBytes.InvalidUtf8(random);
            draft.SetBody(FuzzBytes.InsertAt(body, at, bad));
            draft.Step("body.invalidUtf8(" + Convert.ToHexString(bad) + " at " + at + ")");
        }

        private static void DeleteRange(FuzzDraft draft, Random random)
        {
            byte[] body = draft.Body();
            if (body.Length == 0) return;
            int at = random.Next(body.Length);
            int count = 1 + random.Next(Math.Min(32, body.Length - at));
            draft.SetBody(FuzzBytes.Remove(body, at, count));
            draft.Step("body.delete(" + at + "+" + count + ")");
        }

        private static void DuplicateRange(FuzzDraft draft, Random random)
        {
            byte[] body = draft.Body();
            if (body.Length == 0) return;
            int from = random.Next(body.Length);
            int count = 1 + random.Next(Math.Min(64, body.Length - from));
            int at = random.Next(body.Length + 1);
            draft.SetBody(FuzzBytes.InsertAt(body, at, body.Skip(from).Take(count).ToArray()));
            draft.Step("body.duplicate(" + from + "+" + count + " at " + at + ")");
        }

        /// <summary>The head of this body and the tail of another seed's.</summary>
        private static void Splice(FuzzDraft draft, Random random)
        {
            byte[] body = draft.Body();
            FuzzSeed other = FuzzPick.One(random, FuzzSeedSet.Instance.Seeds);
            int head = random.Next(body.Length + 1);
            int tail = random.Next(other.Body.Length + 1);
            draft.SetBody(body.Take(head).Concat(other.Body.Skip(tail)).ToArray());
            draft.Step("body.splice(" + head + "|" + other.Name + "@" + tail + ")");
        }

        private static void Wrap(FuzzDraft draft, Random random)
        {
            byte[] body = draft.Body();
            byte[][] prefixes = { new byte[] { 0xEF, 0xBB, 0xBF }, new byte[] { (byte)'[' }, new byte[] { (byte)' ', (byte)'\n' }, new byte[0], new byte[] { 0 } };
            byte[][] suffixes = { new byte[] { (byte)']' }, new byte[] { (byte)' ', (byte)'\r', (byte)'\n' }, new byte[] { 0 }, "{}"u8.ToArray(), ",{}"u8.ToArray(), new byte[0] };
            byte[] prefix = prefixes[random.Next(prefixes.Length)];
            byte[] suffix = suffixes[random.Next(suffixes.Length)];
            draft.SetBody(prefix.Concat(body).Concat(suffix).ToArray());
            draft.Step("body.wrap(" + Convert.ToHexString(prefix) + "," + Convert.ToHexString(suffix) + ")");
        }

        private static void Status(FuzzDraft draft, Random random)
        {
            draft.Status = random.Next(8) == 0 ? s_oddStatuses[random.Next(s_oddStatuses.Length)] : Statuses[random.Next(Statuses.Length)];
            draft.Step("context.status(" + draft.Status + ")");
        }

        private static void Nonce(FuzzDraft draft, Random random)
        {
            draft.Nonce = FuzzPick.OtherThan(random, FuzzSeedSet.Instance.Nonces, draft.Seed.Nonce);
            draft.Step("context.nonce(" + draft.Nonce + ")");
        }

        private static void Verifier(FuzzDraft draft, Random random)
        {
            draft.Verifier = FuzzPick.One(random, FuzzSeedSet.Instance.Verifiers);
            draft.Step("context.verifier(" + draft.Verifier.Name + ")");
        }
    }
}
