// STAGING: the Ed25519 section of AuthForge.cs, developed here and merged into the single file.
using System;

namespace AuthForge
{
    /// <summary>A decoded, validated Ed25519 public key, ready to verify many signatures.</summary>
    internal sealed class Ed25519PublicKey
    {
        /// <summary>False for a length other than 32, a non-canonical encoding, or a point not on the curve.</summary>
        public static bool TryCreate(byte[] encoded, out Ed25519PublicKey? key) => throw new NotImplementedException();
        /// <summary>RFC 8032 5.1.7 verification, cofactorless, strict: false for any signature length but 64 or S ≥ L.</summary>
        public bool Verify(byte[] message, byte[] signature) => throw new NotImplementedException();
    }

    internal static class Ed25519
    {
        /// <summary>One-shot verification: decodes the key, then verifies.</summary>
        public static bool Verify(byte[] publicKey, byte[] message, byte[] signature) => throw new NotImplementedException();
    }
}
