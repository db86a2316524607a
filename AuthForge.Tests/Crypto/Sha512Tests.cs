using System;
using System.Security.Cryptography;
using Xunit;

namespace AuthForge.Tests.Crypto
{
    /// <summary>The Ed25519 section's own SHA-512 against FIPS 180-4's examples and the platform's SHA-512.</summary>
    public sealed class Sha512Tests
    {
        private static string Hash(byte[] data)
        {
            var sha = new Ed25519.Sha512();
            sha.Append(data, 0, data.Length);
            var digest = new byte[64];
            sha.Finish(digest);
            return Convert.ToHexString(digest).ToLowerInvariant();
        }

        [Fact]
        public void Fips180ExamplesHashAsPublished()
        {
            // FIPS 180-4 appendix examples (NIST's "SHA512.pdf"): "abc" (one block) and the 112-byte two-block message.
            Assert.Equal("ddaf35a193617abacc417349ae20413112e6fa4e89a97ea20a9eeee64b55d39a2192992a274fc1a836ba3c23a3feebbd454d4423643ce80e2a9ac94fa54ca49f",
                Hash("abc"u8.ToArray()));
            Assert.Equal("8e959b75dae313da8cf4f72814fc143f8f7779c6eb9f7fa17299aeadb6889018501d289e4900f7e4331b99dec4b5433ac7d329eeb6dd26545e96e55b874be909",
                Hash("abcdefghbcdefghicdefghijdefghijkefghijklfghijklmghijklmnhijklmnoijklmnopjklmnopqklmnopqrlmnopqrsmnopqrstnopqrstu"u8.ToArray()));
        }

        [Fact]
        public void EveryLengthAroundTheBlockBoundariesMatchesThePlatform()
        {
            // Lengths 0..400 cover the padding cases: room for the length in the last block (< 112), no room (112..127),
            // exact blocks, several blocks. Appended in uneven pieces so the buffering between calls is exercised too.
            var random = new Random(512);
            var sha = new Ed25519.Sha512();
            var digest = new byte[64];
            for (int length = 0; length <= 400; length++)
            {
                byte[] data = new byte[length];
                random.NextBytes(data);
                int offset = 0;
                while (offset < length)
                {
                    int piece = Math.Min(length - offset, random.Next(1, 150));
                    sha.Append(data, offset, piece);
                    offset += piece;
                }
                sha.Finish(digest);   // also resets: the next length starts from a fresh state
                Assert.Equal(SHA512.HashData(data), digest);
            }
        }
    }
}
