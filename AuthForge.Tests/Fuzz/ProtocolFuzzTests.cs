// Fuzzes the whole response pipeline: Protocol.Verify, then Session.FromAnswer (verify and bind) and what a client does with a session.
//
// CI runs a fixed-seed quick pass (QuickPassInputs(): the corpora, QuickMutations and QuickEnvelopes; a few seconds
// on two idle cores):
//   dotnet test AuthForge.Tests --filter "FullyQualifiedName~Fuzz"
//
// Long run: the random parts scale with AUTHFORGE_FUZZ_ITERATIONS (mutation combinations; structured envelopes get
// a quarter as many) and draw from AUTHFORGE_FUZZ_SEED (an int); the summaries print with the detailed logger:
//   AUTHFORGE_FUZZ_ITERATIONS=1000000 AUTHFORGE_FUZZ_SEED=42 dotnet test AuthForge.Tests --filter "FullyQualifiedName~Fuzz" --logger "console;verbosity=detailed"
//
// Every input is a pure function of (seed, index); a failure prints both, the mutations applied, and the body.
using System;
using System.Globalization;
using System.Linq;
using Xunit;
using Xunit.Abstractions;

namespace AuthForge.Tests.Fuzz
{
    public sealed class ProtocolFuzzTests
    {
        internal const int DefaultSeed = 20260420;
        internal const long QuickMutations = 20_000;
        internal const long QuickEnvelopes = 8_000;

        /// <summary>The seeds whose every bit is flipped, one at a time.</summary>
        private static readonly string[] s_bitFlipSeeds = { "v1-vector-validate", "v2-heartbeat-sigkey", "v3-vector-validate_success" };

        private readonly ITestOutputHelper _output;

        public ProtocolFuzzTests(ITestOutputHelper output) => _output = output;

        private static int RunSeed =>
            int.TryParse(Environment.GetEnvironmentVariable("AUTHFORGE_FUZZ_SEED"), NumberStyles.Integer, CultureInfo.InvariantCulture, out int seed) ? seed : DefaultSeed;

        private static long? Iterations =>
            long.TryParse(Environment.GetEnvironmentVariable("AUTHFORGE_FUZZ_ITERATIONS"), NumberStyles.Integer, CultureInfo.InvariantCulture, out long n) && n > 0 ? n : null;

        [Fact]
        public void EverySeedIsAcceptedAsItIs()
        {
            // Without this the rest proves nothing: a pipeline that refused everything would pass every other test.
            string refused = string.Join("; ", FuzzSeedSet.Instance.Seeds.Select(seed =>
            {
                try
                {
                    AuthForge.Internal.Protocol.Verify(200, seed.Body, seed.Nonce, seed.Verifier.Product);
                    return null;
                }
                catch (AuthForgeException e)
                {
                    return seed.Name + ": " + e.Code;
                }
            }).Where(failure => failure != null));
            Assert.True(refused.Length == 0, "seeds refused: " + refused);

            FuzzReport report = FuzzHarness.Run("seeds", 0, FuzzSeedSet.Instance.Seeds.Count,
                i => new FuzzDraft(FuzzSeedSet.Instance.Seeds[(int)i], new Random(0)).ToInput());
            Check(report);
            Assert.Equal(FuzzSeedSet.Instance.Seeds.Count, report.AcceptedEquivalent);
        }

        [Fact]
        public void TruncationAtEveryLength() => CheckCorpus("truncations", FuzzCorpus.Truncations());

        [Fact]
        public void EveryBitFlip() =>
            CheckCorpus("bit-flips", FuzzCorpus.BitFlips(s_bitFlipSeeds));

        [Fact]
        public void EveryFieldRemovedDuplicatedAndTypeSwapped() => CheckCorpus("fields", FuzzCorpus.FieldMutations());

        [Fact]
        public void EveryEncodingStatusNonceVerifierAndReplay() => CheckCorpus("variants", FuzzCorpus.Variants());

        /// <summary>
        /// How many inputs one run of these tests makes: every seed, every corpus, and the random parts, which scale with
        /// <paramref name="iterations"/> (AUTHFORGE_FUZZ_ITERATIONS; null for CI's quick pass). FUZZING.md quotes it.
        /// </summary>
        internal static long Inputs(long? iterations = null) =>
            FuzzSeedSet.Instance.Seeds.Count + FuzzCorpus.Truncations().Count + FuzzCorpus.BitFlips(s_bitFlipSeeds).Count
            + FuzzCorpus.FieldMutations().Count + FuzzCorpus.Variants().Count
            + (iterations ?? QuickMutations) + (iterations is long n ? Math.Max(1, n / 4) : QuickEnvelopes);

        [Fact]
        public void RandomMutationCombinations()
        {
            int seed = RunSeed;
            FuzzReport report = FuzzHarness.Run("mutations", seed, Iterations ?? QuickMutations, i => FuzzGenerator.Mutate(seed, i));
            Check(report);
            Assert.True(report.AcceptedEquivalent > 0, "no mutation kept a seed acceptable: the generator lost its seeds");
            Assert.True(report.AcceptedResigned > 0, "no re-signed payload was accepted: the code behind the signature check went unexercised");
        }

        [Fact]
        public void RandomStructuredEnvelopes()
        {
            int seed = RunSeed;
            long count = Iterations is long n ? Math.Max(1, n / 4) : QuickEnvelopes;
            Check(FuzzHarness.Run("envelopes", seed, count, i => FuzzGenerator.RandomEnvelope(seed, i)));
        }

        private void CheckCorpus(string name, System.Collections.Generic.IReadOnlyList<FuzzInput> corpus) =>
            Check(FuzzHarness.Run(name, 0, corpus.Count, i => corpus[(int)i]));

        private void Check(FuzzReport report)
        {
            _output.WriteLine(report.Details());
            Assert.True(report.Passed, report.Details());
            Assert.Equal(0, report.Forged);
            Assert.Equal(0, report.Escapes);
            Assert.Equal(0, report.OverLimit);
        }
    }
}
