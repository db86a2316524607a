using System;

namespace AuthForge.Tests.Crypto
{
    /// <summary>
    /// RFC 8032 5.1.7 in one call, for the vector tests: the key decoded exactly as <see cref="Ed25519PublicKey"/>
    /// decodes it, then the product's verification of a decoded key (the path a key's first verification takes).
    /// </summary>
    internal static class Ed25519OneShot
    {
        public static bool Verify(byte[] publicKey, byte[] message, byte[] signature)
        {
            if (publicKey == null) throw new ArgumentNullException(nameof(publicKey));
            if (message == null) throw new ArgumentNullException(nameof(message));
            if (signature == null) throw new ArgumentNullException(nameof(signature));
            // The cheap rejections first, then the two decodings.
            if (signature.Length != 64 || !Ed25519.Scalar.IsCanonical(signature, 32) || publicKey.Length != 32) return false;
            if (!Ed25519.TryDecodePoint(publicKey, 0, out Ed25519.ExtendedPoint a)) return false;
            return Ed25519.VerifyWithPoint(publicKey, in a, message, signature);
        }
    }
}
