using System.Text;
using System.Text.Json;
using AuthForge.Tests.Support;
using Xunit;

namespace AuthForge.Tests.Vectors
{
    /// <summary>The shared cross-SDK HMAC vectors, replayed through the code the client itself verifies with.</summary>
    public sealed class HmacVectorTests
    {
        public static TheoryData<string, string> Cases => new TheoryData<string, string>
        {
            { "test_vectors.json", "" },
            { "hmac-v2.json", "validate" },
            { "hmac-v2.json", "heartbeat" },
        };

        [Theory]
        [MemberData(nameof(Cases))]
        public void DerivedKeyAndSignatureMatchTheVector(string file, string section)
        {
            JsonElement vector = Section(file, section);
            JsonElement inputs = vector.GetProperty("inputs");
            string secret = inputs.TryGetProperty("appSecret", out JsonElement s) ? s.GetString()! : inputs.GetProperty("sigKey").GetString()!;
            string nonce = inputs.GetProperty("nonce").GetString()!;
            string payload = inputs.GetProperty("payload").GetString()!;

            byte[] key = HmacSignatureVerifier.DeriveKey(Encoding.UTF8.GetBytes(secret), nonce);
            byte[] signature = HmacSignatureVerifier.Sign(key, Encoding.ASCII.GetBytes(payload));

            Assert.Equal(vector.GetProperty("outputs").GetProperty("derivedKeyHex").GetString(), Hex.Encode(key));
            Assert.Equal(vector.GetProperty("outputs").GetProperty("signatureHex").GetString(), Hex.Encode(signature));
        }

        [Theory]
        [MemberData(nameof(Cases))]
        public void VerifierAcceptsTheVectorSignatureInEitherCaseAndRejectsAnyOtherNonce(string file, string section)
        {
            JsonElement vector = Section(file, section);
            JsonElement inputs = vector.GetProperty("inputs");
            string secret = inputs.TryGetProperty("appSecret", out JsonElement s) ? s.GetString()! : inputs.GetProperty("sigKey").GetString()!;
            string nonce = inputs.GetProperty("nonce").GetString()!;
            byte[] payload = Encoding.ASCII.GetBytes(inputs.GetProperty("payload").GetString()!);
            string signature = vector.GetProperty("outputs").GetProperty("signatureHex").GetString()!;
            var verifier = new HmacSignatureVerifier(Encoding.UTF8.GetBytes(secret));

            Assert.True(verifier.Verify(payload, signature, nonce));
            Assert.True(verifier.Verify(payload, signature.ToUpperInvariant(), nonce));
            Assert.False(verifier.Verify(payload, signature, "0123456789abcdeffedcba9876543211"));
            Assert.False(verifier.Verify(payload, signature.Substring(2), nonce));
            Assert.False(new HmacSignatureVerifier(Encoding.UTF8.GetBytes(secret + "x")).Verify(payload, signature, nonce));
        }

        [Fact]
        public void V1VectorVerifiesEndToEndAndTakesExpiryFromTheTokenBody()
        {
            JsonElement inputs = Section("test_vectors.json", "").GetProperty("inputs");
            string payload = inputs.GetProperty("payload").GetString()!;
            string nonce = inputs.GetProperty("nonce").GetString()!;
            string signature = Section("test_vectors.json", "").GetProperty("outputs").GetProperty("signatureHex").GetString()!;
            var verifier = new HmacSignatureVerifier(Encoding.UTF8.GetBytes(inputs.GetProperty("appSecret").GetString()!));

            VerifiedResponse response = AuthForge.Internal.Protocol.Verify(200, Signed.Envelope(payload, signature), nonce, verifier);

            Assert.Equal(1740433200, response.ExpiresInUnix);
            Assert.Equal(1740429600, response.ServerTimeUnix);
            Assert.Equal("test-app", response.TokenBody!["appId"]!.AsString());
            Assert.Null(response.TokenBody["sigKey"]);
        }

        [Fact]
        public void V2ValidateTokenCarriesTheSigKeyThatSignsTheHeartbeatVector()
        {
            JsonElement validate = Section("hmac-v2.json", "validate");
            JsonElement heartbeat = Section("hmac-v2.json", "heartbeat");
            string payload = validate.GetProperty("inputs").GetProperty("payload").GetString()!;
            string nonce = validate.GetProperty("inputs").GetProperty("nonce").GetString()!;
            var verifier = new HmacSignatureVerifier(Encoding.UTF8.GetBytes(validate.GetProperty("inputs").GetProperty("appSecret").GetString()!));

            VerifiedResponse response = AuthForge.Internal.Protocol.Verify(200,
                Signed.Envelope(payload, validate.GetProperty("outputs").GetProperty("signatureHex").GetString()!), nonce, verifier);

            Assert.Equal(heartbeat.GetProperty("inputs").GetProperty("sigKey").GetString(), response.TokenBody!["sigKey"]!.AsString());
        }

        [Fact]
        public void RootTestVectorsFileIsTheSharedV1VectorByteForByte()
        {
            byte[] root = System.IO.File.ReadAllBytes(TestFiles.PathOf("test_vectors.json"));
            string shared = System.IO.Path.Combine(RepositoryFiles.Root, "..", "shared", "vectors", "hmac-v1.json");
            if (!System.IO.File.Exists(shared)) return; // shared/ sits beside every clone here and in CI; elsewhere nothing to compare
            Assert.Equal(System.IO.File.ReadAllBytes(shared), root);
        }

        private static JsonElement Section(string file, string section)
        {
            JsonElement root = TestFiles.ReadJson(file);
            return section.Length == 0 ? root : root.GetProperty(section);
        }
    }
}
