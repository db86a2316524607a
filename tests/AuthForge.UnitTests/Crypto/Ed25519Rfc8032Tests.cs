using System.Collections.Generic;
using Xunit;

namespace AuthForge.Tests.Crypto
{
    /// <summary>RFC 8032 section 7.1: the five Ed25519 test vectors, verified (the DevServer's signer re-signs them in
    /// DevServer/Ed25519SignerTests).</summary>
    public sealed class Ed25519Rfc8032Tests
    {
        public static IEnumerable<object[]> Vectors() => Ed25519TestData.Rfc8032Vectors();

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
    }
}
