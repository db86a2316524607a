using System;
using System.Collections.Generic;
using System.Linq;
using System.Text;

namespace AuthForge.Tests.Fuzz
{
    /// <summary>
    /// Random inputs, each a pure function of (run seed, index): a failure names both, and any single input can be
    /// rebuilt without replaying the ones before it, whatever order the parallel workers ran them in.
    /// </summary>
    internal static class FuzzGenerator
    {
        private static readonly FuzzMutator[] s_all = PayloadMutators.All.Concat(EnvelopeMutators.All).Concat(BodyMutators.All).ToArray();
        private static readonly int s_totalWeight = s_all.Sum(m => m.Weight);
        private static readonly FuzzMutator[] s_bodyOnly = BodyMutators.All.Where(m => m.Layer == MutationLayer.Body).ToArray();

        public static IReadOnlyList<FuzzMutator> AllMutators => s_all;

        /// <summary>A seed with one to three mutations from any layers (a combination runs them layer by layer).</summary>
        public static FuzzInput Mutate(int runSeed, long index)
        {
            var random = RandomFor(runSeed, index, 1);
            FuzzSeed seed = FuzzPick.One(random, FuzzSeedSet.Instance.Seeds);
            int roll = random.Next(10);
            int count = roll < 5 ? 1 : roll < 8 ? 2 : 3;
            var chosen = new List<FuzzMutator>(count);
            for (int i = 0; i < count; i++) chosen.Add(PickWeighted(random));
            return Build(seed, chosen.OrderBy(m => m.Layer), random);
        }

        public static FuzzInput Build(FuzzSeed seed, IEnumerable<FuzzMutator> mutators, Random random)
        {
            var draft = new FuzzDraft(seed, random);
            foreach (FuzzMutator mutator in mutators) mutator.Apply(draft, random);
            return draft.ToInput();
        }

        /// <summary>
        /// A structure-aware input: an envelope of random members around a random payload object (often with the
        /// expected nonce, a token and an expiry) whose signature is random, borrowed, or made with a trusted or an
        /// untrusted key, sometimes followed by a byte-level mutation.
        /// </summary>
        public static FuzzInput RandomEnvelope(int runSeed, long index)
        {
            var random = RandomFor(runSeed, index, 2);
            FuzzSeed seed = FuzzPick.One(random, FuzzSeedSet.Instance.Seeds);
            var steps = new List<string>();
            var signed = new List<GenuineSignature>();

            string payloadJson = RandomPayloadJson(random, seed.Nonce);
            string payloadText = FuzzBase64.Encode(Encoding.UTF8.GetBytes(payloadJson), (Base64Style)random.Next(4));
            steps.Add("random.payload(" + PayloadMutators.Clip(payloadJson) + ")");

            string signature;
            int how = random.Next(6);
            if (how <= 1 && seed.Signer != null)
            {
                GenuineSignature genuine = seed.Signer.Genuine(payloadText, seed.Nonce, isSeed: false);
                signed.Add(genuine);
                signature = seed.Signer.Encode(genuine.Signature);
                steps.Add("random.sign=right");
            }
            else if (how == 2)
            {
                FuzzSigner wrong = FuzzPick.One(random, seed.WrongSigners);
                GenuineSignature genuine = wrong.Genuine(payloadText, seed.Nonce, isSeed: false);
                signed.Add(genuine);
                signature = wrong.Encode(genuine.Signature);
                steps.Add("random.sign=wrong(" + wrong.KeyId + ")");
            }
            else if (how == 3)
            {
                signature = FuzzPick.One(random, FuzzSeedSet.Instance.Seeds).SignatureText;
                steps.Add("random.sign=borrowed");
            }
            else
            {
                var bytes = new byte[random.Next(2) == 0 ? 32 : 64];
                random.NextBytes(bytes);
                signature = seed.Kind == SignatureKind.Hmac ? Convert.ToHexString(bytes).ToLowerInvariant() : Convert.ToBase64String(bytes);
                steps.Add("random.sign=random-bytes(" + bytes.Length + ")");
            }

            var members = new List<JsonMember>();
            if (random.Next(10) != 0) members.Add(new JsonMember("\"status\"", random.Next(4) != 0 ? "\"ok\"" : EnvelopeMutators.StatusValues[random.Next(EnvelopeMutators.StatusValues.Length)]));
            if (random.Next(10) != 0) members.Add(new JsonMember("\"payload\"", random.Next(8) != 0 ? FuzzJson.Quote(payloadText) : FuzzValues.RandomValue(random, 2)));
            if (random.Next(10) != 0) members.Add(new JsonMember("\"signature\"", random.Next(8) != 0 ? FuzzJson.Quote(signature) : FuzzValues.RandomValue(random, 2)));
            if (random.Next(4) == 0) members.Add(new JsonMember("\"keyId\"", FuzzValues.RandomValue(random, 1)));
            if (random.Next(6) == 0) members.Add(new JsonMember("\"error\"", EnvelopeMutators.ErrorValues[random.Next(EnvelopeMutators.ErrorValues.Length)]));
            for (int i = random.Next(3); i > 0; i--) members.Add(new JsonMember(FuzzJson.Quote(FuzzValues.RandomName(random)), FuzzValues.RandomValue(random, 3)));
            for (int i = members.Count - 1; i > 0; i--)
            {
                int j = random.Next(i + 1);
                (members[i], members[j]) = (members[j], members[i]);
            }
            steps.Add("random.envelope(" + string.Join(",", members.Select(m => m.Name)) + ")");

            int status = random.Next(4) != 0 ? 200 : BodyMutators.Statuses[random.Next(BodyMutators.Statuses.Length)];
            var input = new FuzzInput(seed.Name, status, Encoding.UTF8.GetBytes(FuzzJson.Object(members)), seed.Nonce, seed.Verifier, signed, string.Join(" | ", steps));
            if (random.Next(5) != 0) return input;

            // Now and then, also damage the bytes.
            FuzzMutator byteMutator = FuzzPick.One(random, s_bodyOnly);
            var draft = new FuzzDraft(seed, random);
            draft.SetBody(input.Body);
            byteMutator.Apply(draft, random);
            return new FuzzInput(seed.Name, status, draft.Body(), seed.Nonce, seed.Verifier, signed, input.Steps + " | " + draft.ToInput().Steps);
        }

        private static string RandomPayloadJson(Random random, string nonce)
        {
            var members = new List<JsonMember>();
            if (random.Next(4) != 0) members.Add(new JsonMember("\"nonce\"", random.Next(5) != 0 ? FuzzJson.Quote(nonce) : FuzzValues.RandomValue(random, 1)));
            if (random.Next(4) != 0)
            {
                string token = random.Next(2) == 0 ? PayloadMutators.TokenVariant(random, out _) : "opaque-" + random.Next(1000);
                members.Add(new JsonMember("\"sessionToken\"", random.Next(6) != 0 ? FuzzJson.Quote(token) : FuzzValues.RandomValue(random, 1)));
            }
            if (random.Next(4) != 0) members.Add(new JsonMember("\"expiresIn\"", random.Next(2) == 0 ? "1900000000" : FuzzValues.RandomValue(random, 1)));
            if (random.Next(2) == 0) members.Add(new JsonMember("\"timestamp\"", random.Next(2) == 0 ? "\"2026-04-20T00:00:00Z\"" : FuzzValues.RandomValue(random, 1)));
            if (random.Next(3) == 0) members.Add(new JsonMember("\"appVariables\"", FuzzValues.RandomValue(random, 4)));
            if (random.Next(3) == 0) members.Add(new JsonMember("\"licenseVariables\"", FuzzValues.RandomValue(random, 4)));
            for (int i = random.Next(3); i > 0; i--) members.Add(new JsonMember(FuzzJson.Quote(FuzzValues.RandomName(random)), FuzzValues.RandomValue(random, 3)));
            return FuzzJson.Object(members);
        }

        private static FuzzMutator PickWeighted(Random random)
        {
            int roll = random.Next(s_totalWeight);
            foreach (FuzzMutator mutator in s_all)
            {
                roll -= mutator.Weight;
                if (roll < 0) return mutator;
            }
            return s_all[s_all.Length - 1];
        }

        /// <summary>A <see cref="Random"/> seeded from (run seed, index, stream) by SplitMix64, so nearby indices are unrelated.</summary>
        public static Random RandomFor(int runSeed, long index, int stream)
        {
            ulong z = unchecked(((ulong)(uint)runSeed << 32) ^ (ulong)index ^ ((ulong)stream << 60));
            z = unchecked(z + 0x9E3779B97F4A7C15UL);
            z = unchecked((z ^ (z >> 30)) * 0xBF58476D1CE4E5B9UL);
            z = unchecked((z ^ (z >> 27)) * 0x94D049BB133111EBUL);
            z ^= z >> 31;
            return new Random((int)(z & 0x7FFFFFFF));
        }
    }
}
