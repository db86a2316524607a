using System.Text;
using AuthForge.Tests.Support;
using Xunit;

namespace AuthForge.Tests.Protocol
{
    /// <summary>
    /// Protocol.Bind, the pure half of the binding: which fields are compared and how, what a missing field means, and
    /// how a session's length is capped. The relay attacks themselves run over real HTTP in Client/SessionBindingTests.
    /// </summary>
    public sealed class BindTests
    {
        private const string Secret = "unit-test-secret";
        private const string Nonce = "00112233445566778899aabbccddeeff";
        private const long Timestamp = 1800000000;
        private static readonly HmacSignatureVerifier Verifier = new HmacSignatureVerifier(Encoding.UTF8.GetBytes(Secret));

        private static readonly SessionBinding Sent = new SessionBinding("app-1", "KEY-ABC", "hwid-1", null, Timestamp);

        private static VerifiedResponse Verify(string tokenBody, string payloadExtra = "", string timestamp = ",\"timestamp\":1800000000",
            SessionBinding? binding = null)
        {
            string json = "{\"sessionToken\":\"" + Signed.Token(tokenBody) + "\"" + timestamp + ",\"nonce\":\"" + Nonce + "\"" + payloadExtra + "}";
            string payload = Signed.Base64Json(json);
            return AuthForge.Internal.Protocol.Verify(200, Signed.Envelope(payload, Signed.HmacHex(Secret, Nonce, payload)), Nonce, Verifier, binding ?? Sent);
        }

        private static string Mismatch(string tokenBody, string payloadExtra = "") =>
            Assert.Throws<AuthForgeException>(() => Verify(tokenBody, payloadExtra)).Code;

        [Fact]
        public void AcceptsASessionNamingExactlyWhatWasSent()
        {
            VerifiedResponse response = Verify("{\"appId\":\"app-1\",\"licenseKey\":\"KEY-ABC\",\"hwid\":\"hwid-1\",\"exp\":1800003600}",
                ",\"appId\":\"app-1\",\"licenseKey\":\"KEY-ABC\",\"hwid\":\"hwid-1\"");
            Assert.Equal(1800003600, response.ExpiresInUnix);
            Assert.Equal(Timestamp, response.IssuedAtUnix);
        }

        [Theory]
        [InlineData("{\"exp\":1800003600}")]
        [InlineData("{\"appId\":null,\"licenseKey\":null,\"hwid\":null,\"exp\":1800003600}")]
        public void AFieldTheServerLeavesOutIsNotInvented(string tokenBody)
        {
            Verify(tokenBody);
        }

        [Theory]
        [InlineData("{\"appId\":\"app-2\",\"exp\":1800003600}", "")]
        [InlineData("{\"appId\":\"APP-1\",\"exp\":1800003600}", "")]
        [InlineData("{\"hwid\":\"hwid-2\",\"exp\":1800003600}", "")]
        [InlineData("{\"hwid\":\"HWID-1\",\"exp\":1800003600}", "")]
        [InlineData("{\"hwid\":\" hwid-1\",\"exp\":1800003600}", "")]
        [InlineData("{\"licenseKey\":\"KEY-XYZ\",\"exp\":1800003600}", "")]
        [InlineData("{\"licenseKey\":7,\"exp\":1800003600}", "")]
        [InlineData("{\"exp\":1800003600}", ",\"hwid\":\"hwid-2\"")]
        [InlineData("{\"exp\":1800003600}", ",\"licenseKey\":\"KEY-XYZ\"")]
        [InlineData("{\"exp\":1800003600}", ",\"appId\":\"app-2\"")]
        public void AnyNamedFieldThatDiffersIsSessionMismatch(string tokenBody, string payloadExtra)
        {
            Assert.Equal(AuthForgeErrorCodes.SessionMismatch, Mismatch(tokenBody, payloadExtra));
        }

        [Theory]
        [InlineData("key-abc")]
        [InlineData(" KEY-ABC ")]
        [InlineData("Key-Abc\\t")] // a JSON-escaped tab
        public void TheLicenceKeyIsComparedTrimmedAndIgnoringCase(string echoed)
        {
            Verify("{\"licenseKey\":\"" + echoed + "\",\"exp\":1800003600}");
        }

        [Theory]
        [InlineData(null, 86400)]
        [InlineData(60, 3600)]
        [InlineData(7200, 7200)]
        [InlineData(10_000_000, 604800)]
        public void ALongerGrantIsShortenedToTheRequestedTtlPlusSlack(int? ttl, long expected)
        {
            var binding = new SessionBinding("app-1", "KEY-ABC", "hwid-1", ttl, Timestamp);
            VerifiedResponse response = Verify("{\"exp\":1900000000}", binding: binding);
            Assert.Equal(Timestamp + expected + 60, response.ExpiresInUnix);
        }

        [Fact]
        public void WithoutAServerTimestampTheCapCountsFromReceipt()
        {
            // The wall clock at receipt is a year behind: the session still lasts only a day and a minute from then.
            long receipt = Timestamp - 365L * 86400;
            var binding = new SessionBinding("app-1", "KEY-ABC", "hwid-1", null, receipt);
            VerifiedResponse response = Verify("{\"exp\":1800003600}", timestamp: "", binding: binding);
            Assert.Equal(receipt, response.IssuedAtUnix);
            Assert.Equal(receipt + 86400 + 60, response.ExpiresInUnix);
        }

        [Theory]
        [InlineData("{\"exp\":1800000000}")]
        [InlineData("{\"exp\":1799999999}")]
        [InlineData("{\"expiresIn\":1800000000}")]
        public void ASessionEndedAtTheServersTimeIsSessionExpired(string tokenBody)
        {
            Assert.Equal(AuthForgeErrorCodes.SessionExpired, Mismatch(tokenBody));
        }

        [Fact]
        public void TheTokensExpComesBeforeItsExpiresInAndThePayloads()
        {
            VerifiedResponse response = Verify("{\"exp\":1800001000,\"expiresIn\":1800002000}", ",\"expiresIn\":1800003000");
            Assert.Equal(1800001000, response.ExpiresInUnix);
        }

        [Fact]
        public void AnAnswerContinuingASessionIsCappedFromTheSessionsOriginNotItsOwnTime()
        {
            // A heartbeat twelve hours into a day's session, answered with a week's end: still the day from the origin.
            long origin = Timestamp - 12 * 3600;
            var binding = new SessionBinding("app-1", "KEY-ABC", "hwid-1", null, Timestamp, origin);
            VerifiedResponse response = Verify("{\"exp\":1900000000}", binding: binding);
            Assert.Equal(origin + 86400 + 60, response.ExpiresInUnix);
            Assert.Equal(Timestamp, response.IssuedAtUnix);
        }

        [Fact]
        public void AnAnswerContinuingASessionPastItsCapIsSessionExpired()
        {
            long origin = Timestamp - 86400 - 61;
            var binding = new SessionBinding("app-1", "KEY-ABC", "hwid-1", null, Timestamp, origin);
            Assert.Equal(AuthForgeErrorCodes.SessionExpired, Assert.Throws<AuthForgeException>(() => Verify("{\"exp\":1900000000}", binding: binding)).Code);
        }
    }
}
