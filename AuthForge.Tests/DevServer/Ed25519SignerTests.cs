using System;
using System.Collections.Generic;
using AuthForge.DevServer;
using AuthForge.Tests.Crypto;
using Xunit;

namespace AuthForge.Tests.DevServer
{
    /// <summary>
    /// The DevServer's own Ed25519 signer (BouncyCastle): RFC 8032's vectors re-signed byte for byte, its argument
    /// checks, fresh keys. The client's verification of the same vectors is in the unit tier (Crypto/).
    /// </summary>
    public sealed class Ed25519SignerTests
    {
        public static IEnumerable<object[]> Vectors() => Ed25519TestData.Rfc8032Vectors();

        [Theory]
        [MemberData(nameof(Vectors))]
        public void Signer_reproduces_public_key_and_signature(string name, string secretKey, string publicKey, string message, string signature)
        {
            _ = name;
            Ed25519Signer signer = Ed25519Signer.FromSeed(Ed25519TestData.Hex(secretKey));
            Assert.Equal(publicKey, System.Convert.ToHexStringLower(signer.PublicKey));
            Assert.Equal(signature, System.Convert.ToHexStringLower(signer.Sign(Ed25519TestData.Hex(message))));
        }

        [Theory]
        [InlineData(0)]
        [InlineData(31)]
        [InlineData(33)]
        [InlineData(64)]
        public void Signer_FromSeed_rejects_wrong_seed_length(int length)
        {
            var e = Assert.Throws<ArgumentException>(() => Ed25519Signer.FromSeed(new byte[length]));
            Assert.Equal("seed", e.ParamName);
            Assert.Throws<ArgumentNullException>("seed", () => Ed25519Signer.FromSeed(null!));
        }

        [Fact]
        public void Signer_Generate_makes_distinct_working_keys()
        {
            Ed25519Signer a = Ed25519Signer.Generate(), b = Ed25519Signer.Generate();
            Assert.NotEqual(a.PublicKeyBase64, b.PublicKeyBase64);
            byte[] message = { 1, 2, 3 };
            Assert.True(Ed25519OneShot.Verify(a.PublicKey, message, a.Sign(message)));
            Assert.False(Ed25519OneShot.Verify(b.PublicKey, message, a.Sign(message)));
            Assert.Equal(Convert.ToBase64String(a.PublicKey), a.PublicKeyBase64);
        }
    }
}
