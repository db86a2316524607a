using System;
using System.Security.Cryptography;
using Rfc8032 = Org.BouncyCastle.Math.EC.Rfc8032.Ed25519;

namespace AuthForge.DevServer
{
    /// <summary>
    /// RFC 8032 Ed25519 signing for the DevServer, by BouncyCastle's implementation: the server the tests trust shares
    /// no arithmetic with the client they test, so a bug in the client's Ed25519 cannot be mirrored here and pass.
    /// Deterministic: the same seed and message always give the same signature.
    /// </summary>
    public sealed class Ed25519Signer
    {
        private readonly byte[] seed;       // the RFC 8032 secret key
        private readonly byte[] publicKey;  // ENC([s]B), RFC 8032 5.1.5

        private Ed25519Signer(byte[] seed, byte[] publicKey)
        {
            this.seed = seed;
            this.publicKey = publicKey;
        }

        /// <summary>The key pair of a 32-byte RFC 8032 secret key (seed).</summary>
        public static Ed25519Signer FromSeed(byte[] seed)
        {
            ArgumentNullException.ThrowIfNull(seed);
            if (seed.Length != Rfc8032.SecretKeySize) throw new ArgumentException("An Ed25519 seed is exactly 32 bytes.", nameof(seed));

            byte[] copy = (byte[])seed.Clone();
            var publicKey = new byte[Rfc8032.PublicKeySize];
            Rfc8032.GeneratePublicKey(copy, 0, publicKey, 0);
            return new Ed25519Signer(copy, publicKey);
        }

        /// <summary>A fresh key pair from a random seed.</summary>
        public static Ed25519Signer Generate()
        {
            byte[] seed = RandomNumberGenerator.GetBytes(Rfc8032.SecretKeySize);
            try
            {
                return FromSeed(seed);
            }
            finally
            {
                Array.Clear(seed);
            }
        }

        /// <summary>The 32-byte encoded public key (a copy).</summary>
        public byte[] PublicKey => (byte[])publicKey.Clone();

        /// <summary>The public key as standard base64, the form the protocol publishes.</summary>
        public string PublicKeyBase64 => Convert.ToBase64String(publicKey);

        /// <summary>The 64-byte signature R || S of <paramref name="message"/> (RFC 8032 5.1.6).</summary>
        public byte[] Sign(byte[] message)
        {
            ArgumentNullException.ThrowIfNull(message);
            var signature = new byte[Rfc8032.SignatureSize];
            Rfc8032.Sign(seed, 0, message, 0, message.Length, signature, 0);
            return signature;
        }
    }
}
