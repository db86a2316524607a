using System;
using System.Security.Cryptography;

namespace AuthForge.DevServer
{
    /// <summary>
    /// RFC 8032 Ed25519 signing (sections 5.1.5 and 5.1.6) for the DevServer, on the arithmetic of AuthForge's Ed25519
    /// section. Deterministic: the same seed and message always give the same signature.
    /// Not constant time (the fixed-base multiplication and the scalar reduction branch on secret data): fine for a
    /// local development server, not for a production signer.
    /// </summary>
    public sealed class Ed25519Signer
    {
        private readonly byte[] scalar;     // s mod L, s the clamped secret scalar (RFC 8032 5.1.5 steps 2-3)
        private readonly byte[] prefix;     // the second half of SHA-512(seed), hashed into r (5.1.6 step 2)
        private readonly byte[] publicKey;  // ENC([s]B)

        private Ed25519Signer(byte[] scalar, byte[] prefix, byte[] publicKey)
        {
            this.scalar = scalar;
            this.prefix = prefix;
            this.publicKey = publicKey;
        }

        /// <summary>The key pair of a 32-byte RFC 8032 secret key (seed).</summary>
        public static Ed25519Signer FromSeed(byte[] seed)
        {
            if (seed == null) throw new ArgumentNullException(nameof(seed));
            if (seed.Length != 32) throw new ArgumentException("An Ed25519 seed is exactly 32 bytes.", nameof(seed));

            // 5.1.5 steps 1-3: h = SHA-512(seed); s = the low half, clamped; the high half is the nonce prefix.
            byte[] h = Sha512(seed);
            var clamped = new byte[32];
            Buffer.BlockCopy(h, 0, clamped, 0, 32);
            clamped[0] &= 248;                  // a multiple of the cofactor 8
            clamped[31] &= 127;
            clamped[31] |= 64;                  // bit 254 set
            var prefix = new byte[32];
            Buffer.BlockCopy(h, 32, prefix, 0, 32);

            // [s]B = [s mod L]B since B has order L; keeping s mod L lets the multiplication use the wNAF tables.
            var limbs = new long[24];
            AuthForge.Internal.Ed25519.Scalar.Unpack21(clamped, 0, 32, limbs, 24);
            var scalar = new byte[32];
            AuthForge.Internal.Ed25519.Scalar.Reduce(limbs, scalar, 0);

            // 5.1.5 step 4: A = ENC([s]B).
            return new Ed25519Signer(scalar, prefix, MulBase(scalar));
        }

        /// <summary>A fresh key pair from a random seed.</summary>
        public static Ed25519Signer Generate()
        {
            byte[] seed = RandomNumberGenerator.GetBytes(32);
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
            if (message == null) throw new ArgumentNullException(nameof(message));

            // Step 2: r = SHA-512(prefix || M) mod L. Step 3: R = ENC([r]B).
            byte[] r = ReduceDigest(Sha512(prefix, message));
            byte[] encodedR = MulBase(r);

            // Step 4: k = SHA-512(R || A || M) mod L.
            byte[] k = ReduceDigest(Sha512(encodedR, publicKey, message));

            // Step 5: S = (r + k·s) mod L, by 21-bit limbs: each product < 2^44, each column of 12 < 2^48.
            var kl = new long[12];
            var sl = new long[12];
            var rl = new long[12];
            AuthForge.Internal.Ed25519.Scalar.Unpack21(k, 0, 32, kl, 12);
            AuthForge.Internal.Ed25519.Scalar.Unpack21(scalar, 0, 32, sl, 12);
            AuthForge.Internal.Ed25519.Scalar.Unpack21(r, 0, 32, rl, 12);
            var acc = new long[24];
            for (int i = 0; i < 12; i++)
            {
                acc[i] += rl[i];
                for (int j = 0; j < 12; j++) acc[i + j] += kl[i] * sl[j];
            }

            // Step 6: the signature is R || S.
            var signature = new byte[64];
            Buffer.BlockCopy(encodedR, 0, signature, 0, 32);
            AuthForge.Internal.Ed25519.Scalar.Reduce(acc, signature, 32);
            return signature;
        }

        // ENC([n]B) for n < L.
        private static byte[] MulBase(byte[] n)
        {
            var naf = new sbyte[256];
            AuthForge.Internal.Ed25519.ToWnaf(n, 0, AuthForge.Internal.Ed25519.BaseWidth, naf);
            AuthForge.Internal.Ed25519.StrausSplitVar(out AuthForge.Internal.Ed25519.ProjectivePoint p, naf, naf, null);
            var encoded = new byte[32];
            AuthForge.Internal.Ed25519.EncodePoint(encoded, 0, in p);
            return encoded;
        }

        private static byte[] ReduceDigest(byte[] digest)
        {
            var limbs = new long[24];
            AuthForge.Internal.Ed25519.Scalar.Unpack21(digest, 0, 64, limbs, 24);
            var reduced = new byte[32];
            AuthForge.Internal.Ed25519.Scalar.Reduce(limbs, reduced, 0);
            return reduced;
        }

        private static byte[] Sha512(params byte[][] parts)
        {
            using var sha = IncrementalHash.CreateHash(HashAlgorithmName.SHA512);
            foreach (byte[] part in parts) sha.AppendData(part);
            return sha.GetHashAndReset();
        }
    }
}
