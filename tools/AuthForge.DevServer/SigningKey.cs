using System;
using System.Security.Cryptography;

namespace AuthForge.DevServer
{
    /// <summary>An Ed25519 signing key with the id the server names it by in <c>keyId</c>.</summary>
    internal sealed class SigningKey
    {
        public SigningKey(Ed25519Signer signer)
        {
            ArgumentNullException.ThrowIfNull(signer);
            Signer = signer;
            PublicKeyBase64 = signer.PublicKeyBase64;
            // A short, stable fingerprint of the public key, so a client can pick the key without trying each one.
            KeyId = Convert.ToHexStringLower(SHA256.HashData(signer.PublicKey).AsSpan(0, 8));
        }

        public Ed25519Signer Signer { get; }

        public string PublicKeyBase64 { get; }

        public string KeyId { get; }

        /// <summary>Standard base64 of the 64-byte signature over <paramref name="message"/>.</summary>
        public string SignBase64(byte[] message) => Convert.ToBase64String(Signer.Sign(message));
    }
}
