using System;
using System.Collections.Generic;
using System.Text;
using System.Text.Json;
using Xunit;

namespace AuthForge.Tests.Crypto
{
    /// <summary>The AuthForge v3 cases: the signature covers the payload's base64 text, as ASCII, exactly.</summary>
    public sealed class Ed25519AuthForgeVectorTests
    {
        public static IEnumerable<object[]> Cases()
        {
            using JsonDocument doc = Ed25519TestData.Load("ed25519-authforge.json");
            string key = doc.RootElement.GetProperty("publicKey").GetString()!;
            foreach (JsonElement c in doc.RootElement.GetProperty("cases").EnumerateArray())
            {
                yield return new object[]
                {
                    c.GetProperty("id").GetString()!, key, c.GetProperty("payload").GetString()!,
                    c.GetProperty("signature").GetString()!, c.GetProperty("shouldVerify").GetBoolean(),
                };
            }
        }

        [Fact]
        public void File_has_the_four_cases()
        {
            Assert.Equal(4, System.Linq.Enumerable.Count(Cases()));
        }

        [Theory]
        [MemberData(nameof(Cases))]
        public void Verify_gives_the_expected_result(string id, string publicKey, string payload, string signature, bool shouldVerify)
        {
            _ = id;
            byte[] pk = Convert.FromBase64String(publicKey), sig = Convert.FromBase64String(signature);
            byte[] signed = Encoding.ASCII.GetBytes(payload);
            Assert.Equal(shouldVerify, Ed25519OneShot.Verify(pk, signed, sig));
            Assert.True(Ed25519PublicKey.TryCreate(pk, out Ed25519PublicKey? key));
            Assert.Equal(shouldVerify, key!.Verify(signed, sig));
        }
    }
}
