using System;
using System.Text;
using AuthForge.Tests.Support;
using Xunit;

namespace AuthForge.Tests.Sessions
{
    /// <summary>
    /// A session's life on a manual clock, with no server: it lasts what the server granted by its own arithmetic,
    /// ends at the earlier of the monotonic and the wall-clock reckoning (a clock set back never lengthens it, a machine
    /// that slept through its end finds it over), and a session read back from a store ends at its signed end.
    /// </summary>
    public sealed class SessionClockTests
    {
        private const string Secret = "unit-test-secret";
        private const string Nonce = "00112233445566778899aabbccddeeff";
        private const long SignedAt = 1_800_000_000;
        private const long Lifetime = 3600;
        private static readonly HmacSignatureVerifier Verifier = new HmacSignatureVerifier(Encoding.UTF8.GetBytes(Secret));

        // The server's answer: signed at SignedAt, ending Lifetime seconds later.
        private static readonly string Payload = Signed.Base64Json("{\"sessionToken\":\"" + Signed.Token("{\"exp\":" + (SignedAt + Lifetime) + "}")
            + "\",\"timestamp\":" + SignedAt + ",\"expiresIn\":" + (SignedAt + Lifetime) + ",\"nonce\":\"" + Nonce + "\"}");
        private static readonly string Signature = Signed.HmacHex(Secret, Nonce, Payload);

        private static Session Receive(ManualClock clock) =>
            Session.FromAnswer(200, Signed.Envelope(Payload, Signature), Nonce, Verifier,
                new SessionBinding("app", "KEY", "hwid", ttlSeconds: 7200, clock.UtcNow.ToUnixTimeSeconds()), clock);

        private static ManualClock ClockAt(long unixSeconds) => new ManualClock(DateTimeOffset.FromUnixTimeSeconds(unixSeconds));

        [Fact]
        public void ASessionLastsWhatTheServerGrantedAndNotASecondMore()
        {
            ManualClock clock = ClockAt(SignedAt);
            Session session = Receive(clock);

            Assert.Equal(TimeSpan.FromSeconds(Lifetime), session.Lifetime);
            Assert.Equal(DateTimeOffset.FromUnixTimeSeconds(SignedAt + Lifetime), session.ExpiresAt);
            clock.Advance(TimeSpan.FromSeconds(Lifetime - 1));
            Assert.False(session.IsExpired(clock));
            Assert.Equal(TimeSpan.FromSeconds(1), session.Remaining(clock));
            clock.Advance(TimeSpan.FromSeconds(1));
            Assert.True(session.IsExpired(clock));
            Assert.Equal(TimeSpan.Zero, session.Remaining(clock));
        }

        [Fact]
        public void ALocalClockThatIsWrongAtLoginNeitherLengthensNorShortensIt()
        {
            // The machine's clock is a day behind the server's: the time left is the server's end minus the server's now.
            ManualClock clock = ClockAt(SignedAt - 86400);
            Session session = Receive(clock);

            clock.Advance(TimeSpan.FromSeconds(Lifetime - 1));
            Assert.False(session.IsExpired(clock));
            clock.Advance(TimeSpan.FromSeconds(1));
            Assert.True(session.IsExpired(clock));
        }

        [Fact]
        public void TurningTheClockBackDoesNotLengthenIt()
        {
            ManualClock clock = ClockAt(SignedAt);
            Session session = Receive(clock);

            clock.Advance(TimeSpan.FromMinutes(30));
            clock.SetWallClock(clock.UtcNow.AddDays(-1));
            clock.Advance(TimeSpan.FromMinutes(30));
            Assert.True(session.IsExpired(clock));
        }

        [Fact]
        public void AMachineThatSleptThroughTheEndFindsItOver()
        {
            // Stopwatch stops while Linux and macOS sleep: only the wall clock moved.
            ManualClock clock = ClockAt(SignedAt);
            Session session = Receive(clock);

            clock.Advance(TimeSpan.FromMinutes(10));
            clock.SetWallClock(clock.UtcNow.AddHours(2));
            Assert.True(session.IsExpired(clock));
        }

        [Fact]
        public void AStoredAnswerEndsAtItsSignedEndByTheWallClock()
        {
            var stored = new StoredAnswer("app", Payload, Signature, null, Nonce);
            ManualClock later = ClockAt(SignedAt + Lifetime - 600);
            Session restored = Session.FromStoredAnswer(stored, Verifier,
                new SessionBinding("app", "KEY", "hwid", 7200, later.UtcNow.ToUnixTimeSeconds()), later, origin: null);

            // Received by an earlier process: ten minutes are left, not the whole hour from now.
            Assert.Equal(TimeSpan.FromMinutes(10), restored.Remaining(later));
            later.Advance(TimeSpan.FromMinutes(10));
            Assert.True(restored.IsExpired(later));
        }

        [Fact]
        public void AStoredAnswerIsVerifiedAsALiveOneIs()
        {
            var altered = new StoredAnswer("app", Payload, Signature.Substring(0, 63) + (Signature[63] == '0' ? "1" : "0"), null, Nonce);
            ManualClock clock = ClockAt(SignedAt);
            AuthForgeException error = Assert.Throws<AuthForgeException>(() => Session.FromStoredAnswer(altered, Verifier,
                new SessionBinding("app", "KEY", "hwid", 7200, clock.UtcNow.ToUnixTimeSeconds()), clock, origin: null));
            Assert.Equal(AuthForgeErrorCodes.SignatureMismatch, error.Code);
        }
    }
}
