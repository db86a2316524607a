using System.Collections.Generic;
using System.Text.Json;
using AuthForge.DevServer;
using Xunit;

namespace AuthForge.Tests.Crypto
{
    /// <summary>RFC 8032 section 7.1: the five Ed25519 test vectors, verified and re-signed byte for byte.</summary>
    public sealed class Ed25519Rfc8032Tests
    {
        public static IEnumerable<object[]> Vectors()
        {
            using JsonDocument doc = Ed25519TestData.Load("rfc8032-ed25519.json");
            foreach (JsonElement v in doc.RootElement.GetProperty("vectors").EnumerateArray())
            {
                yield return new object[]
                {
                    v.GetProperty("name").GetString()!, v.GetProperty("secretKey").GetString()!,
                    v.GetProperty("publicKey").GetString()!, v.GetProperty("message").GetString()!,
                    v.GetProperty("signature").GetString()!,
                };
            }
        }

        [Fact]
        public void File_holds_the_five_section_7_1_vectors()
        {
            Assert.Equal(
                new[] { "TEST 1", "TEST 2", "TEST 3", "TEST 1024", "TEST SHA(abc)" },
                System.Linq.Enumerable.ToArray(System.Linq.Enumerable.Select(Vectors(), v => (string)v[0])));
        }

        [Theory]
        [MemberData(nameof(Vectors))]
        public void Verify_accepts_the_vector(string name, string secretKey, string publicKey, string message, string signature)
        {
            _ = name; _ = secretKey;
            byte[] pk = Ed25519TestData.Hex(publicKey), m = Ed25519TestData.Hex(message), sig = Ed25519TestData.Hex(signature);
            Assert.True(Ed25519OneShot.Verify(pk, m, sig));
            Assert.True(Ed25519PublicKey.TryCreate(pk, out Ed25519PublicKey? key));
            Assert.True(key!.Verify(m, sig));
        }

        [Theory]
        [MemberData(nameof(Vectors))]
        public void Verify_rejects_the_vector_with_a_changed_message(string name, string secretKey, string publicKey, string message, string signature)
        {
            _ = name; _ = secretKey;
            byte[] pk = Ed25519TestData.Hex(publicKey), m = Ed25519TestData.Hex(message), sig = Ed25519TestData.Hex(signature);
            byte[] changed = m.Length == 0 ? new byte[] { 0 } : (byte[])m.Clone();
            if (m.Length > 0) changed[m.Length / 2] ^= 0x01;
            Assert.False(Ed25519OneShot.Verify(pk, changed, sig));
        }

        [Theory]
        [MemberData(nameof(Vectors))]
        public void Signer_reproduces_public_key_and_signature(string name, string secretKey, string publicKey, string message, string signature)
        {
            _ = name;
            Ed25519Signer signer = Ed25519Signer.FromSeed(Ed25519TestData.Hex(secretKey));
            Assert.Equal(publicKey, System.Convert.ToHexStringLower(signer.PublicKey));
            Assert.Equal(signature, System.Convert.ToHexStringLower(signer.Sign(Ed25519TestData.Hex(message))));
        }
    }
}
