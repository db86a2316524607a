using System;
using System.Linq;
using System.Threading;
using Xunit;

namespace AuthForge.Tests.Fuzz
{
    /// <summary>
    /// The harness must fail for a broken pipeline, not only pass for a good one: each test plants a broken
    /// verifier in the real pipeline and checks that the matching invariant trips.
    /// </summary>
    public sealed class FuzzHarnessSelfTests
    {
        [Fact]
        public void AVerifierThatAcceptsAnySignatureIsCaughtForging()
        {
            FuzzReport report = FuzzHarness.Run("self-accept-all", 1, 2000, i => Plant(FuzzGenerator.Mutate(1, i), new AcceptingVerifier()));

            Assert.False(report.Passed);
            Assert.True(report.Forged > 0);
            Assert.Contains(report.Failures, f => f.Contains("FORGED ACCEPT", StringComparison.Ordinal) && f.Contains("body hex:", StringComparison.Ordinal));
        }

        [Fact]
        public void AnExceptionOtherThanAuthForgeExceptionIsCaught()
        {
            FuzzReport report = FuzzHarness.Run("self-throw", 1, 50, i => Plant(FuzzGenerator.Mutate(1, i), new ThrowingVerifier()));

            Assert.True(report.Escapes > 0);
            Assert.Contains(report.Failures, f => f.Contains("ESCAPE: System.InvalidOperationException", StringComparison.Ordinal));
        }

        [Fact]
        public void ASlowInputIsCaught()
        {
            var limits = new FuzzLimits { MaxPerInput = TimeSpan.FromMilliseconds(5) };
            FuzzReport report = FuzzHarness.Run("self-slow", 1, 4, i => Plant(Seed(i), new SleepingVerifier()), limits);

            Assert.True(report.OverLimit > 0);
            Assert.Contains(report.Failures, f => f.StartsWith("SLOW:", StringComparison.Ordinal));
        }

        [Fact]
        public void AnAllocationBlowUpIsCaught()
        {
            FuzzReport report = FuzzHarness.Run("self-alloc", 1, 4, i => Plant(Seed(i), new AllocatingVerifier()));

            Assert.True(report.OverLimit > 0);
            Assert.Contains(report.Failures, f => f.StartsWith("ALLOCATION:", StringComparison.Ordinal));
        }

        [Fact]
        public void AHangIsReportedWithItsInput()
        {
            using var release = new ManualResetEventSlim();
            var limits = new FuzzLimits { HangAfter = TimeSpan.FromMilliseconds(500), MaxPerInput = TimeSpan.FromMinutes(1) };
            try
            {
                FuzzReport report = FuzzHarness.Run("self-hang", 1, 1, i => Plant(Seed(i), new BlockingVerifier(release)), limits);

                Assert.True(report.Hung);
                Assert.Contains(report.Failures, f => f.StartsWith("HANG:", StringComparison.Ordinal) && f.Contains("input #0", StringComparison.Ordinal));
            }
            finally
            {
                release.Set(); // let the abandoned worker finish
            }
        }

        private static FuzzInput Seed(long index) =>
            new FuzzDraft(FuzzSeedSet.Instance.Seeds[(int)(index % FuzzSeedSet.Instance.Seeds.Count)], new Random(0)).ToInput();

        private static FuzzInput Plant(FuzzInput input, SignatureVerifier product) =>
            input.WithVerifier(input.Verifier.WithProduct("planted " + product.GetType().Name, product));

        private sealed class AcceptingVerifier : SignatureVerifier
        {
            public override bool Verify(byte[] payload, string signature, string nonce) => true;
        }

        private sealed class ThrowingVerifier : SignatureVerifier
        {
            public override bool Verify(byte[] payload, string signature, string nonce) => throw new InvalidOperationException("planted");
        }

        private sealed class SleepingVerifier : SignatureVerifier
        {
            public override bool Verify(byte[] payload, string signature, string nonce)
            {
                Thread.Sleep(50);
                return false;
            }
        }

        private sealed class AllocatingVerifier : SignatureVerifier
        {
            public override bool Verify(byte[] payload, string signature, string nonce)
            {
                byte[][] waste = Enumerable.Range(0, 8).Select(_ => new byte[1 << 20]).ToArray();
                return waste.Length == 0;
            }
        }

        private sealed class BlockingVerifier : SignatureVerifier
        {
            private readonly ManualResetEventSlim _release;

            public BlockingVerifier(ManualResetEventSlim release) => _release = release;

            public override bool Verify(byte[] payload, string signature, string nonce)
            {
                _release.Wait();
                return false;
            }
        }
    }
}
