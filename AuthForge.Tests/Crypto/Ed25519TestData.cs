using System;
using System.Collections.Generic;
using System.IO;
using System.Text.Json;

namespace AuthForge.Tests.Crypto
{
    /// <summary>Loads the Ed25519 vector files copied to the test output's TestData folder.</summary>
    internal static class Ed25519TestData
    {
        public static JsonDocument Load(string fileName) =>
            JsonDocument.Parse(File.ReadAllBytes(Path.Combine(AppContext.BaseDirectory, "TestData", fileName)));

        public static byte[] Hex(string hex) => Convert.FromHexString(hex);

        /// <summary>RFC 8032 section 7.1's vectors as theory rows: name, secret key, public key, message, signature (hex).</summary>
        public static IEnumerable<object[]> Rfc8032Vectors()
        {
            using JsonDocument doc = Load("rfc8032-ed25519.json");
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

        // The RFC 8032 section 7.1 scalar L, little-endian.
        public static readonly byte[] L = Hex("edd3f55c1a631258d69cf7a2def9de1400000000000000000000000000000010");
    }
}
