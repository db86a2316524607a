using System;
using System.Text;
using AuthForge.Tests.Support;
using Xunit;

namespace AuthForge.Tests.Protocol
{
    /// <summary>Protocol.Verify, the one pure function that decides whether a response is trusted.</summary>
    public sealed class VerifyTests
    {
        private const string Secret = "unit-test-secret";
        private const string Nonce = "00112233445566778899aabbccddeeff";
        private static readonly HmacSignatureVerifier Verifier = new HmacSignatureVerifier(Encoding.UTF8.GetBytes(Secret));

        private static string PayloadJson(string nonce = Nonce, string? token = null, string extra = "") =>
            "{\"sessionToken\":\"" + (token ?? Signed.Token("{\"appId\":\"a\",\"expiresIn\":1900000000}")) +
            "\",\"timestamp\":1800000000,\"expiresIn\":1850000000,\"nonce\":\"" + nonce + "\"" + extra + "}";

        private static byte[] SignedBody(string payloadJson, string status = "\"ok\"")
        {
            string payload = Signed.Base64Json(payloadJson);
            return Signed.Envelope(payload, Signed.HmacHex(Secret, Nonce, payload), status);
        }

        private static string CodeOf(int status, byte[] body) =>
            Assert.Throws<AuthForgeException>(() => AuthForge.Internal.Protocol.Verify(status, body, Nonce, Verifier)).Code;

        [Fact]
        public void AcceptsAValidResponseAndPrefersTheTokenBodysExpiry()
        {
            VerifiedResponse response = AuthForge.Internal.Protocol.Verify(200,
                SignedBody(PayloadJson(extra: ",\"appVariables\":{\"tier\":\"pro\"}")), Nonce, Verifier);

            Assert.Equal(1900000000, response.ExpiresInUnix);
            Assert.Equal(1800000000, response.ServerTimeUnix);
            Assert.Equal("pro", response.Payload["appVariables"]!["tier"]!.AsString());
        }

        [Fact]
        public void FallsBackToThePayloadsExpiryForAnOpaqueToken()
        {
            VerifiedResponse response = AuthForge.Internal.Protocol.Verify(200, SignedBody(PayloadJson(token: "opaque-token")), Nonce, Verifier);
            Assert.Equal(1850000000, response.ExpiresInUnix);
            Assert.Null(response.TokenBody);
        }

        [Theory]
        [InlineData("true")]
        [InlineData("\"ok\"")]
        [InlineData("\"OK\"")]
        [InlineData("\"Success\"")]
        [InlineData("\"valid\"")]
        [InlineData("\"TRUE\"")]
        [InlineData("\"1\"")]
        public void AcceptsEverySuccessStatusSpelling(string status)
        {
            AuthForge.Internal.Protocol.Verify(200, SignedBody(PayloadJson(), status), Nonce, Verifier);
        }

        [Theory]
        [InlineData("false")]
        [InlineData("\"no\"")]
        [InlineData("1")]
        [InlineData("null")]
        [InlineData("\"oks\"")]
        public void RejectsAnyOtherStatusEvenWhenSigned(string status)
        {
            // Neither the server's success nor its error body: not its word, whatever signature it carries.
            Assert.Equal(AuthForgeErrorCodes.ForeignAnswer, CodeOf(200, SignedBody(PayloadJson(), status)));
        }

        [Fact]
        public void RejectsATamperedPayload()
        {
            string payload = Signed.Base64Json(PayloadJson());
            string signature = Signed.HmacHex(Secret, Nonce, payload);
            string tampered = Signed.Base64Json(PayloadJson().Replace("1850000000", "1999999999"));
            Assert.NotEqual(payload, tampered);
            Assert.Equal(AuthForgeErrorCodes.SignatureMismatch, CodeOf(200, Signed.Envelope(tampered, signature)));
        }

        [Fact]
        public void RejectsATamperedSignature()
        {
            string payload = Signed.Base64Json(PayloadJson());
            char[] signature = Signed.HmacHex(Secret, Nonce, payload).ToCharArray();
            signature[10] = signature[10] == 'a' ? 'b' : 'a';
            Assert.Equal(AuthForgeErrorCodes.SignatureMismatch, CodeOf(200, Signed.Envelope(payload, new string(signature))));
        }

        [Fact]
        public void RejectsAResponseSignedForAnotherNonce()
        {
            string payload = Signed.Base64Json(PayloadJson());
            string signature = Signed.HmacHex(Secret, "ffffffffffffffffffffffffffffffff", payload);
            Assert.Equal(AuthForgeErrorCodes.SignatureMismatch, CodeOf(200, Signed.Envelope(payload, signature)));
        }

        [Fact]
        public void RejectsASignedPayloadThatEchoesAnotherNonce()
        {
            Assert.Equal(AuthForgeErrorCodes.NonceMismatch, CodeOf(200, SignedBody(PayloadJson(nonce: "ffffffffffffffffffffffffffffffff"))));
        }

        [Fact]
        public void RejectsNonceThatDiffersOnlyInCase()
        {
            Assert.Equal(AuthForgeErrorCodes.NonceMismatch, CodeOf(200, SignedBody(PayloadJson(nonce: Nonce.ToUpperInvariant()))));
        }

        [Fact]
        public void AcceptsAnUppercaseHexSignature()
        {
            string payload = Signed.Base64Json(PayloadJson());
            AuthForge.Internal.Protocol.Verify(200, Signed.Envelope(payload, Signed.HmacHex(Secret, Nonce, payload).ToUpperInvariant()), Nonce, Verifier);
        }

        [Fact]
        public void AcceptsAnUnpaddedUrlSafePayloadSignedAsSent()
        {
            string payload = Signed.Base64UrlJson(PayloadJson(extra: ",\"x\":\"\u00ff\u00fe??>>\""));
            Assert.Contains(payload, c => c == '-' || c == '_');
            AuthForge.Internal.Protocol.Verify(200, Signed.Envelope(payload, Signed.HmacHex(Secret, Nonce, payload)), Nonce, Verifier);
        }

        [Fact]
        public void MissingSessionTokenIsItsOwnCode()
        {
            string json = "{\"timestamp\":1800000000,\"expiresIn\":1850000000,\"nonce\":\"" + Nonce + "\"}";
            Assert.Equal(AuthForgeErrorCodes.MissingSessionToken, CodeOf(200, SignedBody(json)));
        }

        [Fact]
        public void MissingExpiryIsItsOwnCode()
        {
            string json = "{\"sessionToken\":\"opaque\",\"timestamp\":1800000000,\"nonce\":\"" + Nonce + "\"}";
            Assert.Equal(AuthForgeErrorCodes.MissingExpiresIn, CodeOf(200, SignedBody(json)));
        }

        [Theory]
        [InlineData("\"1850000000\"")]
        [InlineData("-5")]
        [InlineData("1e300")]
        [InlineData("253402300800")]
        [InlineData("1.5")]
        public void AnExpiryThatIsNotAUnixTimeIsInvalid(string expiresIn)
        {
            string json = "{\"sessionToken\":\"opaque\",\"expiresIn\":" + expiresIn + ",\"nonce\":\"" + Nonce + "\"}";
            Assert.Equal(AuthForgeErrorCodes.InvalidPayload, CodeOf(200, SignedBody(json)));
        }

        [Fact]
        public void ASignedPayloadThatIsNotJsonIsInvalid()
        {
            string payload = Signed.Base64Json("not json");
            Assert.Equal(AuthForgeErrorCodes.InvalidPayload, CodeOf(200, Signed.Envelope(payload, Signed.HmacHex(Secret, Nonce, payload))));
        }

        [Fact]
        public void VariablesThatAreNotObjectsAreInvalid()
        {
            Assert.Equal(AuthForgeErrorCodes.InvalidPayload, CodeOf(200, SignedBody(PayloadJson(extra: ",\"appVariables\":[1]"))));
        }

        [Theory]
        [InlineData(200, "{\"status\":\"ok\",\"signature\":\"00\"}", "missing_payload")]
        [InlineData(200, "{\"status\":\"ok\",\"payload\":\"e30=\"}", "missing_signature")]
        [InlineData(200, "{\"status\":\"ok\",\"payload\":5,\"signature\":\"00\"}", "missing_payload")]
        // The server's error body, at whatever status it comes: its code.
        [InlineData(200, "{\"status\":\"error\",\"error\":\"invalid_key\"}", "invalid_key")]
        [InlineData(403, "{\"status\":\"error\",\"error\":\"revoked\"}", "revoked")]
        [InlineData(402, "{\"status\":\"error\",\"error\":\"no_credits\"}", "no_credits")]
        [InlineData(409, "{\"status\":\"error\",\"error\":\"replay_detected\"}", "replay_detected")]
        [InlineData(302, "{\"status\":\"error\",\"error\":\"revoked\"}", "revoked")]
        [InlineData(407, "{\"status\":\"error\",\"error\":\"blocked\"}", "blocked")]
        [InlineData(400, "{\"status\":\"error\",\"error\":\"something_new\"}", "unknown_error")]
        [InlineData(200, "{\"status\":\"error\",\"error\":\"rate_limited\"}", "rate_limited")]
        [InlineData(429, "", "rate_limited")]
        [InlineData(429, "{\"status\":\"error\",\"error\":\"invalid_key\"}", "rate_limited")]
        // Anything else is not the server's word, at any status: a portal, a proxy, a firewall, another service.
        [InlineData(200, "hello", "foreign_answer")]
        [InlineData(200, "[1,2,3]", "foreign_answer")]
        [InlineData(200, "", "foreign_answer")]
        [InlineData(200, "<html><body>Sign in</body></html>", "foreign_answer")]
        [InlineData(200, "{\"status\":\"error\"}", "foreign_answer")]
        [InlineData(200, "{\"message\":\"Forbidden\"}", "foreign_answer")]
        [InlineData(302, "", "foreign_answer")]
        [InlineData(403, "<html><body>Blocked</body></html>", "foreign_answer")]
        [InlineData(404, "Not Found", "foreign_answer")]
        [InlineData(407, "", "foreign_answer")]
        [InlineData(500, "<html><body>Internal Server Error</body></html>", "foreign_answer")]
        [InlineData(502, "{\"status\":\"error\"}", "foreign_answer")]
        [InlineData(500, "{\"status\":\"ok\",\"payload\":\"e30=\",\"signature\":\"00\"}", "foreign_answer")]
        [InlineData(200, "{\"status\":\"ok\",\"status\":\"ok\",\"payload\":\"e30=\",\"signature\":\"00\"}", "foreign_answer")]
        // Almost the server's error body: the status must be "error" exactly, the code a snake_case word.
        [InlineData(403, "{\"error\":\"revoked\"}", "foreign_answer")]
        [InlineData(403, "{\"status\":\"failed\",\"error\":\"revoked\"}", "foreign_answer")]
        [InlineData(403, "{\"status\":\"ERROR\",\"error\":\"revoked\"}", "foreign_answer")]
        [InlineData(403, "{\"status\":\"error\",\"error\":\"Access denied by policy\"}", "foreign_answer")]
        [InlineData(403, "{\"status\":\"error\",\"error\":\"Revoked\"}", "foreign_answer")]
        [InlineData(403, "{\"status\":\"error\",\"error\":\"\"}", "foreign_answer")]
        [InlineData(403, "{\"status\":\"error\",\"error\":403}", "foreign_answer")]
        public void EnvelopeFailuresCarryTheirCode(int status, string body, string code)
        {
            Assert.Equal(code, CodeOf(status, Encoding.UTF8.GetBytes(body)));
        }

        [Fact]
        public void AnErrorCodeLongerThanTheServersCodesIsNotTheServers()
        {
            Assert.Equal(AuthForgeErrorCodes.UnknownError, CodeOf(403, Encoding.UTF8.GetBytes("{\"status\":\"error\",\"error\":\"" + new string('a', 64) + "\"}")));
            Assert.Equal(AuthForgeErrorCodes.ForeignAnswer, CodeOf(403, Encoding.UTF8.GetBytes("{\"status\":\"error\",\"error\":\"" + new string('a', 65) + "\"}")));
        }

        [Theory]
        [InlineData(302, "", "HTTP 302 (a redirect) with an empty body")]
        [InlineData(407, " \r\n", "HTTP 407 (a proxy asking for credentials) with an empty body")]
        [InlineData(200, "\n<html><title>Hotel SECRET-IN-PAGE</title></html>", "HTTP 200 with an HTML page")]
        [InlineData(403, "{\"message\":\"SECRET-IN-PAGE\"}", "HTTP 403 with JSON that is not the AuthForge server's")]
        [InlineData(404, "SECRET-IN-PAGE", "HTTP 404 with a body that is not JSON (14 bytes)")]
        public void AForeignAnswerNamesItsStatusAndKindOfBodyButNeverEchoesTheBody(int status, string body, string says)
        {
            var ex = Assert.Throws<AuthForgeException>(() =>
                AuthForge.Internal.Protocol.Verify(status, Encoding.UTF8.GetBytes(body), Nonce, Verifier));

            Assert.Equal((AuthForgeErrorCodes.ForeignAnswer, (int?)status), (ex.Code, ex.HttpStatusCode));
            Assert.StartsWith("The answer did not come from the AuthForge server: " + says + ".", ex.Message, StringComparison.Ordinal);
            Assert.DoesNotContain("SECRET", ex.ToString(), StringComparison.Ordinal);
            Assert.True(ex.IsNoAnswer);
            Assert.False(ex.IsServerError);
        }

        [Fact]
        public void HttpStatusIsCarriedOnTheException()
        {
            var ex = Assert.Throws<AuthForgeException>(() =>
                AuthForge.Internal.Protocol.Verify(403, Encoding.UTF8.GetBytes("{\"status\":\"error\",\"error\":\"revoked\"}"), Nonce, Verifier));
            Assert.Equal(403, ex.HttpStatusCode);
            Assert.True(ex.IsServerError);
        }

        [Fact]
        public void ASecondNonceMemberCannotSmuggleAMatch()
        {
            // Duplicate members are refused by the reader, so no parser differential can pick "the other" nonce.
            string json = "{\"sessionToken\":\"opaque\",\"expiresIn\":1850000000,\"nonce\":\"other\",\"nonce\":\"" + Nonce + "\"}";
            Assert.Equal(AuthForgeErrorCodes.InvalidPayload, CodeOf(200, SignedBody(json)));
        }
    }
}
