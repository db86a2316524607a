using System;
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

        // The RFC 8032 section 7.1 scalar L, little-endian.
        public static readonly byte[] L = Hex("edd3f55c1a631258d69cf7a2def9de1400000000000000000000000000000010");
    }
}
