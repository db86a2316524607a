// STAGING: the Ed25519 section of AuthForge.cs, developed here and merged into the single file.
using System;
using System.Runtime.CompilerServices;
using System.Security.Cryptography;

namespace AuthForge
{
    // ================================================================================================================
    //  Ed25519 — RFC 8032 signature verification (section 5.1.7), strict and cofactorless.
    //  Owns: GF(2^255 - 19) field elements, edwards25519 points, scalars mod L, key decoding and Verify.
    //  Variable time on purpose: it only ever handles public data (keys, messages, signatures).
    // ================================================================================================================

    /// <summary>A decoded, validated Ed25519 public key, ready to verify many signatures (thread-safe).</summary>
    internal sealed class Ed25519PublicKey
    {
        // The encoding is hashed as-is into k (RFC 8032 5.1.7 step 2); it is canonical, TryCreate checked that.
        private readonly byte[] encoded;
        // Odd multiples [1, 3, .., 31]·A and [1, 3, .., 31]·(2^128·A): Verify's half of the Straus tables.
        private readonly Ed25519.NielsPoint[] low;
        private readonly Ed25519.NielsPoint[] high;

        private Ed25519PublicKey(byte[] encoded, Ed25519.NielsPoint[] low, Ed25519.NielsPoint[] high)
        {
            this.encoded = encoded;
            this.low = low;
            this.high = high;
        }

        /// <summary>False for a length other than 32, a non-canonical encoding, or a point not on the curve.</summary>
        public static bool TryCreate(byte[] encoded, out Ed25519PublicKey? key)
        {
            key = null;
            if (encoded == null || encoded.Length != 32) return false;
            if (!Ed25519.TryDecodePoint(encoded, 0, out Ed25519.ExtendedPoint a)) return false;
            Ed25519.ExtendedPoint aHigh = Ed25519.TimesTwoPow128(in a);
            key = new Ed25519PublicKey(
                (byte[])encoded.Clone(),
                Ed25519.OddMultiples(in a, Ed25519.KeyTableSize),
                Ed25519.OddMultiples(in aHigh, Ed25519.KeyTableSize));
            return true;
        }

        /// <summary>RFC 8032 5.1.7 verification, cofactorless, strict: false for any signature length but 64 or S ≥ L.</summary>
        public bool Verify(byte[] message, byte[] signature)
        {
            if (message == null) throw new ArgumentNullException(nameof(message));
            if (signature == null) throw new ArgumentNullException(nameof(signature));
            return Ed25519.VerifyWithTables(encoded, low, high, message, signature);
        }
    }

    /// <summary>Ed25519 (RFC 8032) verification and the arithmetic behind it.</summary>
    internal static class Ed25519
    {
        /// <summary>One-shot verification: decodes the key, then verifies.</summary>
        public static bool Verify(byte[] publicKey, byte[] message, byte[] signature)
        {
            if (publicKey == null) throw new ArgumentNullException(nameof(publicKey));
            if (message == null) throw new ArgumentNullException(nameof(message));
            if (signature == null) throw new ArgumentNullException(nameof(signature));
            // The cheap rejections first, so garbage never pays for the key's tables.
            if (signature.Length != 64 || !Scalar.IsCanonical(signature, 32)) return false;
            return Ed25519PublicKey.TryCreate(publicKey, out Ed25519PublicKey? key) && key!.Verify(message, signature);
        }

        // Window widths of the signed sliding windows (wNAF). Base tables are static and shared, so they can be wide;
        // key tables are built per key, so they stay small enough that TryCreate stays cheap.
        internal const int BaseWidth = 8, BaseTableSize = 1 << (BaseWidth - 2);   // odd multiples 1..127
        internal const int KeyWidth = 6, KeyTableSize = 1 << (KeyWidth - 2);      // odd multiples 1..31

        // RFC 8032 5.1.7. Pre: signature != null, message != null; the tables belong to encodedKey.
        internal static bool VerifyWithTables(byte[] encodedKey, NielsPoint[] keyLow, NielsPoint[] keyHigh,
            byte[] message, byte[] signature)
        {
            // Step 1: the signature is R (32 octets) || S (32 octets); S must be canonical, R must decode.
            if (signature.Length != 64) return false;
            if (!Scalar.IsCanonical(signature, 32)) return false;
            if (!TryDecodePoint(signature, 0, out ExtendedPoint r)) return false;

            // Step 2: k = SHA-512(R || A || M) mod L (dom2 is empty and PH the identity for plain Ed25519).
            Scratch scratch = Scratch.Current;
            byte[] digest = scratch.Hash(signature, encodedKey, message);
            Scalar.Unpack21(digest, 0, 64, scratch.Limbs, 24);
            Scalar.Reduce(scratch.Limbs, scratch.K, 0);

            // Step 3, cofactorless: [S]B = R + [k]A  <=>  [S]B - [k]A = R. The left side is one Straus pass;
            // comparing it with the decoded R projectively costs two multiplications instead of an inversion.
            ToWnaf(signature, 32, BaseWidth, scratch.NafS);
            ToWnaf(scratch.K, 0, KeyWidth, scratch.NafK);
            DoubleScalarMulVar(out ProjectivePoint check, scratch.NafS, scratch.NafK, keyLow, keyHigh);
            Fe.Mul(out Fe rx, in r.X, in check.Z);
            if (!Fe.AreEqual(in rx, in check.X)) return false;
            Fe.Mul(out Fe ry, in r.Y, in check.Z);
            return Fe.AreEqual(in ry, in check.Y);
        }

        /// <summary>Per-thread buffers so Verify allocates nothing but the digest the BCL hash API returns.</summary>
        private sealed class Scratch
        {
            [ThreadStatic] private static Scratch? current;
            internal static Scratch Current => current ?? (current = new Scratch());

            // HashAlgorithm instances are not thread-safe: one per thread.
            private readonly SHA512 sha = SHA512.Create();
            internal readonly long[] Limbs = new long[24];
            internal readonly byte[] K = new byte[32];
            internal readonly sbyte[] NafS = new sbyte[256];
            internal readonly sbyte[] NafK = new sbyte[256];

            // SHA-512(R || A || M) without copying M. Pre: signature.Length >= 32, key.Length == 32.
            internal byte[] Hash(byte[] signature, byte[] key, byte[] message)
            {
                sha.Initialize();
                sha.TransformBlock(signature, 0, 32, null, 0);
                sha.TransformBlock(key, 0, 32, null, 0);
                sha.TransformBlock(message, 0, message.Length, null, 0);
                sha.TransformFinalBlock(Array.Empty<byte>(), 0, 0);
                return sha.Hash!;
            }
        }

        // ===== Field GF(p), p = 2^255 - 19 (RFC 8032 5.1) ============================================================

        /// <summary>
        /// An element of GF(2^255 - 19) in ten signed limbs, radix 2^25.5 (ref10 layout):
        /// value = L0 + L1·2^26 + L2·2^51 + L3·2^77 + L4·2^102 + L5·2^128 + L6·2^153 + L7·2^179 + L8·2^204 + L9·2^230.
        /// Bounds, used in every pre/postcondition below ("even" = limbs 0,2,..,8; "odd" = limbs 1,3,..,9):
        ///   tight:  |even| &lt;= 1.01·2^25, |odd| &lt;= 1.01·2^24   (what Mul, Sq, Carry return)
        ///   nT:     n times the tight bounds (the sum of n tight elements is nT).
        /// Mul and Sq accept up to 4T: their largest column, h0, then sums at most 124.5·(4.04·2^25)^2 &lt; 2^61.
        /// </summary>
        internal struct Fe
        {
            internal int L0, L1, L2, L3, L4, L5, L6, L7, L8, L9;

            // h = v for a small v. Post: tight when |v| <= 2^25.
            internal static void FromInt(out Fe h, int v)
            {
                h = default;
                h.L0 = v;
            }

            // h = f + g. Pre: f, g are mT and nT. Post: (m+n)T. No carry: the next Mul absorbs it.
            [MethodImpl(MethodImplOptions.AggressiveInlining)]
            internal static void Add(out Fe h, in Fe f, in Fe g)
            {
                h.L0 = f.L0 + g.L0; h.L1 = f.L1 + g.L1; h.L2 = f.L2 + g.L2; h.L3 = f.L3 + g.L3; h.L4 = f.L4 + g.L4;
                h.L5 = f.L5 + g.L5; h.L6 = f.L6 + g.L6; h.L7 = f.L7 + g.L7; h.L8 = f.L8 + g.L8; h.L9 = f.L9 + g.L9;
            }

            // h = f - g. Pre: f, g are mT and nT. Post: (m+n)T.
            [MethodImpl(MethodImplOptions.AggressiveInlining)]
            internal static void Sub(out Fe h, in Fe f, in Fe g)
            {
                h.L0 = f.L0 - g.L0; h.L1 = f.L1 - g.L1; h.L2 = f.L2 - g.L2; h.L3 = f.L3 - g.L3; h.L4 = f.L4 - g.L4;
                h.L5 = f.L5 - g.L5; h.L6 = f.L6 - g.L6; h.L7 = f.L7 - g.L7; h.L8 = f.L8 - g.L8; h.L9 = f.L9 - g.L9;
            }

            // h = -f. Post: same bound as f.
            internal static void Neg(out Fe h, in Fe f)
            {
                h.L0 = -f.L0; h.L1 = -f.L1; h.L2 = -f.L2; h.L3 = -f.L3; h.L4 = -f.L4;
                h.L5 = -f.L5; h.L6 = -f.L6; h.L7 = -f.L7; h.L8 = -f.L8; h.L9 = -f.L9;
            }

            // h = f, limbs brought back to tight. Pre: |limbs| < 2^31 (any int). Post: tight.
            internal static void Carry(out Fe h, in Fe f)
            {
                CarryOut(out h, f.L0, f.L1, f.L2, f.L3, f.L4, f.L5, f.L6, f.L7, f.L8, f.L9);
            }

            // h = f·g mod p. Pre: f, g at most 4T. Post: tight. h may alias f or g (inputs are read first).
            internal static void Mul(out Fe h, in Fe f, in Fe g)
            {
                long f0 = f.L0, f1 = f.L1, f2 = f.L2, f3 = f.L3, f4 = f.L4, f5 = f.L5, f6 = f.L6, f7 = f.L7, f8 = f.L8, f9 = f.L9;
                long g0 = g.L0, g1 = g.L1, g2 = g.L2, g3 = g.L3, g4 = g.L4, g5 = g.L5, g6 = g.L6, g7 = g.L7, g8 = g.L8, g9 = g.L9;
                // Limb i+j overflowing past limb 9 wraps with a factor 19 (2^255 = 19 mod p); two odd limbs carry an
                // extra factor 2 because their weights 2^(25.5·i + 0.5) sum to one bit more than the target limb's.
                long g1_19 = 19 * g1, g2_19 = 19 * g2, g3_19 = 19 * g3, g4_19 = 19 * g4, g5_19 = 19 * g5;   // |g_19| < 2^32.3
                long g6_19 = 19 * g6, g7_19 = 19 * g7, g8_19 = 19 * g8, g9_19 = 19 * g9;
                long f1_2 = 2 * f1, f3_2 = 2 * f3, f5_2 = 2 * f5, f7_2 = 2 * f7, f9_2 = 2 * f9;
                // |h0| <= 124.5·(4.04·2^25)^2 < 2^61; every other column is smaller.
                long h0 = f0 * g0 + f1_2 * g9_19 + f2 * g8_19 + f3_2 * g7_19 + f4 * g6_19 + f5_2 * g5_19 + f6 * g4_19 + f7_2 * g3_19 + f8 * g2_19 + f9_2 * g1_19;
                long h1 = f0 * g1 + f1 * g0 + f2 * g9_19 + f3 * g8_19 + f4 * g7_19 + f5 * g6_19 + f6 * g5_19 + f7 * g4_19 + f8 * g3_19 + f9 * g2_19;
                long h2 = f0 * g2 + f1_2 * g1 + f2 * g0 + f3_2 * g9_19 + f4 * g8_19 + f5_2 * g7_19 + f6 * g6_19 + f7_2 * g5_19 + f8 * g4_19 + f9_2 * g3_19;
                long h3 = f0 * g3 + f1 * g2 + f2 * g1 + f3 * g0 + f4 * g9_19 + f5 * g8_19 + f6 * g7_19 + f7 * g6_19 + f8 * g5_19 + f9 * g4_19;
                long h4 = f0 * g4 + f1_2 * g3 + f2 * g2 + f3_2 * g1 + f4 * g0 + f5_2 * g9_19 + f6 * g8_19 + f7_2 * g7_19 + f8 * g6_19 + f9_2 * g5_19;
                long h5 = f0 * g5 + f1 * g4 + f2 * g3 + f3 * g2 + f4 * g1 + f5 * g0 + f6 * g9_19 + f7 * g8_19 + f8 * g7_19 + f9 * g6_19;
                long h6 = f0 * g6 + f1_2 * g5 + f2 * g4 + f3_2 * g3 + f4 * g2 + f5_2 * g1 + f6 * g0 + f7_2 * g9_19 + f8 * g8_19 + f9_2 * g7_19;
                long h7 = f0 * g7 + f1 * g6 + f2 * g5 + f3 * g4 + f4 * g3 + f5 * g2 + f6 * g1 + f7 * g0 + f8 * g9_19 + f9 * g8_19;
                long h8 = f0 * g8 + f1_2 * g7 + f2 * g6 + f3_2 * g5 + f4 * g4 + f5_2 * g3 + f6 * g2 + f7_2 * g1 + f8 * g0 + f9_2 * g9_19;
                long h9 = f0 * g9 + f1 * g8 + f2 * g7 + f3 * g6 + f4 * g5 + f5 * g4 + f6 * g3 + f7 * g2 + f8 * g1 + f9 * g0;
                CarryOut(out h, h0, h1, h2, h3, h4, h5, h6, h7, h8, h9);
            }

            // h = f^2 mod p. Pre: f at most 4T. Post: tight. h may alias f.
            internal static void Sq(out Fe h, in Fe f)
            {
                long f0 = f.L0, f1 = f.L1, f2 = f.L2, f3 = f.L3, f4 = f.L4, f5 = f.L5, f6 = f.L6, f7 = f.L7, f8 = f.L8, f9 = f.L9;
                // Same columns as Mul with f = g: the cross terms f_i·f_j (i < j) appear twice, hence the _2 factors.
                long f0_2 = 2 * f0, f1_2 = 2 * f1, f2_2 = 2 * f2, f3_2 = 2 * f3, f4_2 = 2 * f4, f5_2 = 2 * f5, f7_2 = 2 * f7;
                long f5_38 = 38 * f5, f6_19 = 19 * f6, f6_38 = 38 * f6, f7_38 = 38 * f7;   // |f_38| < 2^33.3
                long f8_19 = 19 * f8, f8_38 = 38 * f8, f9_38 = 38 * f9;
                // |h0| < 2^61 as in Mul.
                long h0 = f0 * f0 + f1_2 * f9_38 + f2 * f8_38 + f3_2 * f7_38 + f4 * f6_38 + f5 * f5_38;
                long h1 = f0_2 * f1 + f2 * f9_38 + f3 * f8_38 + f4 * f7_38 + f5 * f6_38;
                long h2 = f0_2 * f2 + f1_2 * f1 + f3_2 * f9_38 + f4 * f8_38 + f5_2 * f7_38 + f6 * f6_19;
                long h3 = f0_2 * f3 + f1_2 * f2 + f4 * f9_38 + f5 * f8_38 + f6 * f7_38;
                long h4 = f0_2 * f4 + f1_2 * f3_2 + f2 * f2 + f5_2 * f9_38 + f6 * f8_38 + f7 * f7_38;
                long h5 = f0_2 * f5 + f1_2 * f4 + f2_2 * f3 + f6 * f9_38 + f7 * f8_38;
                long h6 = f0_2 * f6 + f1_2 * f5_2 + f2_2 * f4 + f3_2 * f3 + f7_2 * f9_38 + f8 * f8_19;
                long h7 = f0_2 * f7 + f1_2 * f6 + f2_2 * f5 + f3_2 * f4 + f8 * f9_38;
                long h8 = f0_2 * f8 + f1_2 * f7_2 + f2_2 * f6 + f3_2 * f5_2 + f4 * f4 + f9 * f9_38;
                long h9 = f0_2 * f9 + f1_2 * f8 + f2_2 * f7 + f3_2 * f6 + f4_2 * f5;
                CarryOut(out h, h0, h1, h2, h3, h4, h5, h6, h7, h8, h9);
            }

            // h = f^(2^n). Pre: f at most 4T, n >= 1. Post: tight.
            internal static void SqTimes(out Fe h, in Fe f, int n)
            {
                Sq(out h, in f);
                for (int i = 1; i < n; i++) Sq(out h, in h);
            }

            // Rounded (signed) carries: each step leaves its limb in [-2^25, 2^25) or [-2^24, 2^24).
            // Pre: |h_i| < 2^62. Post: tight (|h1|, |h5| pick up at most 2^17 from the second carries; the rest exact).
            private static void CarryOut(out Fe r, long h0, long h1, long h2, long h3, long h4,
                long h5, long h6, long h7, long h8, long h9)
            {
                long c;
                // Two interleaved chains (0→1→2→3→4, 4→5→…→9) halve the dependency length.
                c = (h0 + (1L << 25)) >> 26; h1 += c; h0 -= c << 26;   // |h0| <= 2^25
                c = (h4 + (1L << 25)) >> 26; h5 += c; h4 -= c << 26;   // |h4| <= 2^25
                c = (h1 + (1L << 24)) >> 25; h2 += c; h1 -= c << 25;   // |h1| <= 2^24
                c = (h5 + (1L << 24)) >> 25; h6 += c; h5 -= c << 25;   // |h5| <= 2^24
                c = (h2 + (1L << 25)) >> 26; h3 += c; h2 -= c << 26;   // |h2| <= 2^25
                c = (h6 + (1L << 25)) >> 26; h7 += c; h6 -= c << 26;   // |h6| <= 2^25
                c = (h3 + (1L << 24)) >> 25; h4 += c; h3 -= c << 25;   // |h3| <= 2^24
                c = (h7 + (1L << 24)) >> 25; h8 += c; h7 -= c << 25;   // |h7| <= 2^24
                c = (h4 + (1L << 25)) >> 26; h5 += c; h4 -= c << 26;   // |h4| <= 2^25, |h5| <= 1.01·2^24
                c = (h8 + (1L << 25)) >> 26; h9 += c; h8 -= c << 26;   // |h8| <= 2^25
                c = (h9 + (1L << 24)) >> 25; h0 += c * 19; h9 -= c << 25; // |h9| <= 2^24, |19c| < 2^42
                c = (h0 + (1L << 25)) >> 26; h1 += c; h0 -= c << 26;   // |h0| <= 2^25, |h1| <= 1.01·2^24
                r.L0 = (int)h0; r.L1 = (int)h1; r.L2 = (int)h2; r.L3 = (int)h3; r.L4 = (int)h4;
                r.L5 = (int)h5; r.L6 = (int)h6; r.L7 = (int)h7; r.L8 = (int)h8; r.L9 = (int)h9;
            }

            // r = z^(2^250 - 1) and z11 = z^11: the shared prefix of Invert's and Pow22523's addition chains.
            // Pre: z at most 4T. Post: tight.
            private static void Pow2250Minus1(out Fe r, out Fe z11, in Fe z)
            {
                Fe t0, t1, t2, t3;
                Sq(out t0, in z);                                       // z^2
                SqTimes(out t1, in t0, 2);                              // z^8
                Mul(out t1, in z, in t1);                               // z^9
                Mul(out z11, in t0, in t1);                             // z^11
                Sq(out t2, in z11);                                     // z^22
                Mul(out t1, in t1, in t2);                              // z^31        = z^(2^5 - 1)
                SqTimes(out t2, in t1, 5); Mul(out t1, in t2, in t1);   // z^(2^10 - 1)
                SqTimes(out t2, in t1, 10); Mul(out t2, in t2, in t1);  // z^(2^20 - 1)
                SqTimes(out t3, in t2, 20); Mul(out t2, in t3, in t2);  // z^(2^40 - 1)
                SqTimes(out t2, in t2, 10); Mul(out t1, in t2, in t1);  // z^(2^50 - 1)
                SqTimes(out t2, in t1, 50); Mul(out t2, in t2, in t1);  // z^(2^100 - 1)
                SqTimes(out t3, in t2, 100); Mul(out t2, in t3, in t2); // z^(2^200 - 1)
                SqTimes(out t2, in t2, 50); Mul(out r, in t2, in t1);   // z^(2^250 - 1)
            }

            // h = 1/z = z^(p - 2) = z^(2^255 - 21) (Fermat; 0 maps to 0). Pre: z at most 4T. Post: tight.
            internal static void Invert(out Fe h, in Fe z)
            {
                Pow2250Minus1(out Fe t, out Fe z11, in z);
                SqTimes(out t, in t, 5);                                // z^(2^255 - 32)
                Mul(out h, in t, in z11);                               // z^(2^255 - 21)
            }

            // h = z^((p - 5) / 8) = z^(2^252 - 3), the exponent of RFC 8032 5.1.3 step 3. Pre: 4T. Post: tight.
            internal static void Pow22523(out Fe h, in Fe z)
            {
                Pow2250Minus1(out Fe t, out _, in z);
                SqTimes(out t, in t, 2);                                // z^(2^252 - 4)
                Mul(out h, in t, in z);                                 // z^(2^252 - 3)
            }

            // r = f with its limbs canonical: 0 <= r.L_i < 2^26 (even) / 2^25 (odd) and value < p.
            // Pre: |limbs| < 2^31. Post: the unique representation; equal elements give equal limbs.
            internal static void Reduce(out Fe r, in Fe f)
            {
                long h0 = f.L0, h1 = f.L1, h2 = f.L2, h3 = f.L3, h4 = f.L4, h5 = f.L5, h6 = f.L6, h7 = f.L7, h8 = f.L8, h9 = f.L9;
                long c;
                // Floor carries, folding bits >= 255 back in with 2^255 = 19: afterwards 0 <= value < 2^255.
                // The value only moves by multiples of p, and at most three passes are needed (the fold is tiny).
                do
                {
                    c = h0 >> 26; h1 += c; h0 -= c << 26;
                    c = h1 >> 25; h2 += c; h1 -= c << 25;
                    c = h2 >> 26; h3 += c; h2 -= c << 26;
                    c = h3 >> 25; h4 += c; h3 -= c << 25;
                    c = h4 >> 26; h5 += c; h4 -= c << 26;
                    c = h5 >> 25; h6 += c; h5 -= c << 25;
                    c = h6 >> 26; h7 += c; h6 -= c << 26;
                    c = h7 >> 25; h8 += c; h7 -= c << 25;
                    c = h8 >> 26; h9 += c; h8 -= c << 26;
                    c = h9 >> 25; h9 -= c << 25; h0 += 19 * c;
                } while (c != 0);
                // Now value < 2^255; it is >= p exactly when value + 19 reaches 2^255: q is that carry (0 or 1).
                long q = (h0 + 19) >> 26;
                q = (h1 + q) >> 25; q = (h2 + q) >> 26; q = (h3 + q) >> 25; q = (h4 + q) >> 26;
                q = (h5 + q) >> 25; q = (h6 + q) >> 26; q = (h7 + q) >> 25; q = (h8 + q) >> 26; q = (h9 + q) >> 25;
                // value - q·p = value + 19q - q·2^255: add 19q, carry, drop bit 255.
                h0 += 19 * q;
                c = h0 >> 26; h1 += c; h0 -= c << 26;
                c = h1 >> 25; h2 += c; h1 -= c << 25;
                c = h2 >> 26; h3 += c; h2 -= c << 26;
                c = h3 >> 25; h4 += c; h3 -= c << 25;
                c = h4 >> 26; h5 += c; h4 -= c << 26;
                c = h5 >> 25; h6 += c; h5 -= c << 25;
                c = h6 >> 26; h7 += c; h6 -= c << 26;
                c = h7 >> 25; h8 += c; h7 -= c << 25;
                c = h8 >> 26; h9 += c; h8 -= c << 26;
                h9 &= (1L << 25) - 1;
                r.L0 = (int)h0; r.L1 = (int)h1; r.L2 = (int)h2; r.L3 = (int)h3; r.L4 = (int)h4;
                r.L5 = (int)h5; r.L6 = (int)h6; r.L7 = (int)h7; r.L8 = (int)h8; r.L9 = (int)h9;
            }

            // f == g in GF(p). Pre: f, g at most 2T (their difference then fits Reduce).
            internal static bool AreEqual(in Fe f, in Fe g)
            {
                Sub(out Fe d, in f, in g);
                return IsZero(in d);
            }

            // f == 0 in GF(p). Pre: |limbs| < 2^31.
            internal static bool IsZero(in Fe f)
            {
                Reduce(out Fe r, in f);
                return (r.L0 | r.L1 | r.L2 | r.L3 | r.L4 | r.L5 | r.L6 | r.L7 | r.L8 | r.L9) == 0;
            }

            // RFC 8032 5.1.2: x is "negative" when its canonical value is odd. Pre: |limbs| < 2^31.
            internal static bool IsNegative(in Fe f)
            {
                Reduce(out Fe r, in f);
                return (r.L0 & 1) != 0;
            }

            // h = the low 255 bits of s[off..off+32] (little-endian; bit 255 ignored, canonicity not checked).
            // Post: 0 <= limbs < 2^26 (even) / 2^25 (odd), i.e. at most 2T.
            internal static void FromBytes(out Fe h, byte[] s, int off)
            {
                h.L0 = (int)(Load32(s, off) & 0x3ffffff);               // bits   0..25
                h.L1 = (int)((Load32(s, off + 3) >> 2) & 0x1ffffff);    // bits  26..50
                h.L2 = (int)((Load32(s, off + 6) >> 3) & 0x3ffffff);    // bits  51..76
                h.L3 = (int)((Load32(s, off + 9) >> 5) & 0x1ffffff);    // bits  77..101
                h.L4 = (int)((Load32(s, off + 12) >> 6) & 0x3ffffff);   // bits 102..127
                h.L5 = (int)(Load32(s, off + 16) & 0x1ffffff);          // bits 128..152
                h.L6 = (int)((Load32(s, off + 19) >> 1) & 0x3ffffff);   // bits 153..178
                h.L7 = (int)((Load32(s, off + 22) >> 3) & 0x1ffffff);   // bits 179..203
                h.L8 = (int)((Load32(s, off + 25) >> 4) & 0x3ffffff);   // bits 204..229
                h.L9 = (int)((Load32(s, off + 28) >> 6) & 0x1ffffff);   // bits 230..254
            }

            // s[off..off+32] = the canonical little-endian encoding of f (bit 255 clear). Pre: |limbs| < 2^31.
            internal static void ToBytes(byte[] s, int off, in Fe f)
            {
                Reduce(out Fe r, in f);
                ulong acc = 0;
                int bits = 0, o = off;
                Emit(s, ref o, ref acc, ref bits, r.L0, 26); Emit(s, ref o, ref acc, ref bits, r.L1, 25);
                Emit(s, ref o, ref acc, ref bits, r.L2, 26); Emit(s, ref o, ref acc, ref bits, r.L3, 25);
                Emit(s, ref o, ref acc, ref bits, r.L4, 26); Emit(s, ref o, ref acc, ref bits, r.L5, 25);
                Emit(s, ref o, ref acc, ref bits, r.L6, 26); Emit(s, ref o, ref acc, ref bits, r.L7, 25);
                Emit(s, ref o, ref acc, ref bits, r.L8, 26); Emit(s, ref o, ref acc, ref bits, r.L9, 25);
                s[o] = (byte)acc;                                       // the last 7 bits (255 = 31·8 + 7)
            }

            private static void Emit(byte[] s, ref int o, ref ulong acc, ref int bits, int limb, int width)
            {
                acc |= (ulong)(uint)limb << bits;
                for (bits += width; bits >= 8; bits -= 8)
                {
                    s[o++] = (byte)acc;
                    acc >>= 8;
                }
            }

            private static uint Load32(byte[] s, int i) =>
                s[i] | (uint)s[i + 1] << 8 | (uint)s[i + 2] << 16 | (uint)s[i + 3] << 24;
        }

        // ===== Curve constants (RFC 8032 5.1), derived rather than pasted so each one is checkable by reading ========

        private static class Curve
        {
            internal static readonly Fe D = ComputeD();          // d = -121665 / 121666
            internal static readonly Fe D2 = Times2(in D);       // 2d, as used by the addition formulas
            internal static readonly Fe SqrtM1 = ComputeSqrtM1(); // 2^((p - 1) / 4), a square root of -1

            private static Fe ComputeD()
            {
                Fe.FromInt(out Fe num, -121665);
                Fe.FromInt(out Fe den, 121666);
                Fe.Invert(out Fe inv, in den);
                Fe.Mul(out Fe d, in num, in inv);
                return d;
            }

            private static Fe Times2(in Fe f)
            {
                Fe.Add(out Fe t, in f, in f);
                Fe.Carry(out Fe r, in t);
                return r;
            }

            // (p - 1) / 4 = 2^253 - 5 = 2·(2^252 - 3) + 1, so 2^((p-1)/4) = (2^(2^252-3))^2 · 2.
            private static Fe ComputeSqrtM1()
            {
                Fe.FromInt(out Fe two, 2);
                Fe.Pow22523(out Fe t, in two);
                Fe.Sq(out t, in t);
                Fe.Mul(out Fe r, in t, in two);
                return r;
            }
        }

        // ===== Points on edwards25519: -x^2 + y^2 = 1 + d·x^2·y^2 (RFC 8032 5.1) =====================================
        // Formulas: Hisil, Wong, Carter, Dawson, "Twisted Edwards Curves Revisited" (2008), a = -1. They are complete
        // here (d is not a square), so no input needs a special case, including the identity and small-order points.

        /// <summary>(X : Y : Z) with x = X/Z, y = Y/Z. Coordinates tight.</summary>
        internal struct ProjectivePoint { internal Fe X, Y, Z; }

        /// <summary>(X : Y : Z : T) with x = X/Z, y = Y/Z, x·y = T/Z (RFC 8032 5.1.4). Coordinates tight.</summary>
        internal struct ExtendedPoint { internal Fe X, Y, Z, T; }

        /// <summary>((X : Z), (Y : T)) with x = X/Z, y = Y/T: the output of Double and Add before normalising.
        /// X at most 3T, Y at most 2T, Z at most 3T, T at most 4T.</summary>
        internal struct CompletedPoint { internal Fe X, Y, Z, T; }

        /// <summary>An affine point (y + x, y - x, 2d·x·y) prepared for mixed addition. Coordinates tight.</summary>
        internal struct NielsPoint { internal Fe YPlusX, YMinusX, XY2D; }

        // r = 2·(x : y : z), dedicated doubling (HWCD 3.3, a = -1). Pre: x, y, z tight (x + y is then 2T). Post: see
        // CompletedPoint.
        private static void Double(out CompletedPoint r, in Fe x, in Fe y, in Fe z)
        {
            Fe.Sq(out Fe xx, in x);
            Fe.Sq(out Fe yy, in y);
            Fe.Sq(out Fe zz2, in z);
            Fe.Add(out zz2, in zz2, in zz2);                  // 2·Z^2            2T
            Fe.Add(out Fe xy, in x, in y);                    //                  2T
            Fe.Sq(out Fe a, in xy);                           // (X + Y)^2
            Fe.Add(out r.Y, in yy, in xx);                    // Y^2 + X^2         2T
            Fe.Sub(out r.Z, in yy, in xx);                    // Y^2 - X^2         2T
            Fe.Sub(out r.X, in a, in r.Y);                    // 2·X·Y             3T
            Fe.Sub(out r.T, in zz2, in r.Z);                  // 2Z^2 - Y^2 + X^2  4T
        }

        // r = p + q (mixed addition, HWCD 3.1 with Z2 = 1). Pre: p coordinates tight, q tight. Post: X, Y 2T; Z, T 3T.
        private static void Add(out CompletedPoint r, in ExtendedPoint p, in NielsPoint q)
        {
            Fe.Add(out Fe ypx, in p.Y, in p.X);              // 2T
            Fe.Sub(out Fe ymx, in p.Y, in p.X);              // 2T
            Fe.Mul(out Fe a, in ypx, in q.YPlusX);           // (Y1 + X1)(y2 + x2)
            Fe.Mul(out Fe b, in ymx, in q.YMinusX);          // (Y1 - X1)(y2 - x2)
            Fe.Mul(out Fe c, in p.T, in q.XY2D);             // 2d·T1·x2·y2
            Fe.Add(out Fe z2, in p.Z, in p.Z);               // 2·Z1              2T
            Fe.Sub(out r.X, in a, in b);                      // 2(X1·y2 + Y1·x2)
            Fe.Add(out r.Y, in a, in b);                      // 2(Y1·y2 + X1·x2)
            Fe.Add(out r.Z, in z2, in c);
            Fe.Sub(out r.T, in z2, in c);
        }

        // r = p - q: adding -q = (-x, y) swaps y + x with y - x and negates 2d·x·y. Pre/post as Add.
        private static void Sub(out CompletedPoint r, in ExtendedPoint p, in NielsPoint q)
        {
            Fe.Add(out Fe ypx, in p.Y, in p.X);
            Fe.Sub(out Fe ymx, in p.Y, in p.X);
            Fe.Mul(out Fe a, in ypx, in q.YMinusX);
            Fe.Mul(out Fe b, in ymx, in q.YPlusX);
            Fe.Mul(out Fe c, in p.T, in q.XY2D);
            Fe.Add(out Fe z2, in p.Z, in p.Z);
            Fe.Sub(out r.X, in a, in b);
            Fe.Add(out r.Y, in a, in b);
            Fe.Sub(out r.Z, in z2, in c);
            Fe.Add(out r.T, in z2, in c);
        }

        // Three multiplications: enough for the next doubling, which never needs T. Post: tight.
        private static void ToProjective(out ProjectivePoint r, in CompletedPoint p)
        {
            Fe.Mul(out r.X, in p.X, in p.T);
            Fe.Mul(out r.Y, in p.Y, in p.Z);
            Fe.Mul(out r.Z, in p.Z, in p.T);
        }

        // Four multiplications: needed before an addition. Post: tight.
        private static void ToExtended(out ExtendedPoint r, in CompletedPoint p)
        {
            Fe.Mul(out r.X, in p.X, in p.T);
            Fe.Mul(out r.Y, in p.Y, in p.Z);
            Fe.Mul(out r.Z, in p.Z, in p.T);
            Fe.Mul(out r.T, in p.X, in p.Y);
        }

        // RFC 8032 5.1.3, strict. False for y >= p, for x^2 = (y^2 - 1)/(d·y^2 + 1) without a root, and for x = 0 with
        // the sign bit set (the three non-canonical or off-curve cases). Post on success: p affine (Z = 1), tight.
        internal static bool TryDecodePoint(byte[] s, int off, out ExtendedPoint p)
        {
            p = default;
            if (!IsCanonicalFieldEncoding(s, off)) return false;                        // step 1: y < p
            int sign = s[off + 31] >> 7;
            Fe.FromBytes(out Fe y0, s, off);
            Fe.Carry(out Fe y, in y0);

            // Step 2: u = y^2 - 1, v = d·y^2 + 1; candidate x = u·v^3·(u·v^7)^((p - 5)/8).
            Fe.FromInt(out Fe one, 1);
            Fe.Sq(out Fe yy, in y);
            Fe.Sub(out Fe u, in yy, in one);                                            // 2T
            Fe.Mul(out Fe dyy, in yy, in Curve.D);
            Fe.Add(out Fe v, in dyy, in one);                                           // 2T
            Fe.Sq(out Fe v2, in v);
            Fe.Mul(out Fe v3, in v2, in v);
            Fe.Sq(out Fe v6, in v3);
            Fe.Mul(out Fe v7, in v6, in v);
            Fe.Mul(out Fe uv7, in u, in v7);
            Fe.Pow22523(out Fe pw, in uv7);
            Fe.Mul(out Fe uv3, in u, in v3);
            Fe.Mul(out Fe x, in uv3, in pw);

            // Step 3: v·x^2 = u: x is a root; v·x^2 = -u: x·sqrt(-1) is; otherwise no square root exists.
            Fe.Sq(out Fe xx, in x);
            Fe.Mul(out Fe vxx, in v, in xx);
            if (!Fe.AreEqual(in vxx, in u))
            {
                Fe.Add(out Fe sum, in vxx, in u);
                if (!Fe.IsZero(in sum)) return false;
                Fe.Mul(out x, in x, in Curve.SqrtM1);
            }

            // Step 4: x = 0 has no negative twin, so a set sign bit there is a second encoding of the same point.
            if (Fe.IsZero(in x))
            {
                if (sign == 1) return false;
            }
            else if (Fe.IsNegative(in x) != (sign == 1))
            {
                Fe.Neg(out x, in x);
            }

            p.X = x;
            p.Y = y;
            Fe.FromInt(out p.Z, 1);
            Fe.Mul(out p.T, in x, in y);
            return true;
        }

        // The low 255 bits of s[off..off+32] encode an integer below p = 2^255 - 19. Rejecting y >= p is what makes
        // each point's encoding unique (RFC 8032 5.1.3 step 1).
        private static bool IsCanonicalFieldEncoding(byte[] s, int off)
        {
            // y >= p exactly when bits 8..254 are all ones and the low byte is >= 0xED (p's low byte).
            if ((s[off + 31] & 0x7f) != 0x7f) return true;
            for (int i = 30; i >= 1; i--)
            {
                if (s[off + i] != 0xff) return true;
            }
            return s[off] < 0xed;
        }

        // RFC 8032 5.1.2 encoding. Pre: p coordinates tight. Variable time (the signer only encodes public points).
        internal static void EncodePoint(byte[] s, int off, in ProjectivePoint p)
        {
            Fe.Invert(out Fe zInv, in p.Z);
            Fe.Mul(out Fe x, in p.X, in zInv);
            Fe.Mul(out Fe y, in p.Y, in zInv);
            Fe.ToBytes(s, off, in y);
            if (Fe.IsNegative(in x)) s[off + 31] |= 0x80;
        }

        // 2^128·p, by 128 doublings: the second half of the key's Straus tables. Post: tight.
        internal static ExtendedPoint TimesTwoPow128(in ExtendedPoint p)
        {
            CompletedPoint t;
            Double(out t, in p.X, in p.Y, in p.Z);
            for (int i = 1; i < 128; i++)
            {
                ToProjective(out ProjectivePoint q, in t);
                Double(out t, in q.X, in q.Y, in q.Z);
            }
            ToExtended(out ExtendedPoint r, in t);
            return r;
        }

        // [1, 3, 5, .., 2·count - 1]·p in affine Niels form, normalised with one shared inversion (Montgomery's trick).
        // Pre: p tight, count >= 1. Post: tight entries.
        internal static NielsPoint[] OddMultiples(in ExtendedPoint p, int count)
        {
            var points = new ExtendedPoint[count];
            points[0] = p;
            if (count > 1)
            {
                Double(out CompletedPoint t, in p.X, in p.Y, in p.Z);
                ToExtended(out ExtendedPoint twice, in t);
                NielsPoint twiceNiels = ToNiels(new[] { twice })[0];
                for (int i = 1; i < count; i++)
                {
                    Add(out t, in points[i - 1], in twiceNiels);
                    ToExtended(out points[i], in t);
                }
            }
            return ToNiels(points);
        }

        // Affine Niels forms of points, with a single inversion for all their Z. Pre: coordinates tight, Z != 0.
        private static NielsPoint[] ToNiels(ExtendedPoint[] points)
        {
            int n = points.Length;
            var prefix = new Fe[n];                                   // prefix[i] = Z0·Z1·…·Zi
            prefix[0] = points[0].Z;
            for (int i = 1; i < n; i++) Fe.Mul(out prefix[i], in prefix[i - 1], in points[i].Z);
            Fe.Invert(out Fe inv, in prefix[n - 1]);                  // 1 / (Z0·…·Z(n-1))

            var result = new NielsPoint[n];
            for (int i = n - 1; i >= 0; i--)
            {
                Fe zInv;
                if (i > 0)
                {
                    Fe.Mul(out zInv, in inv, in prefix[i - 1]);       // 1 / Zi
                    Fe.Mul(out inv, in inv, in points[i].Z);          // 1 / (Z0·…·Z(i-1))
                }
                else
                {
                    zInv = inv;
                }
                Fe.Mul(out Fe x, in points[i].X, in zInv);
                Fe.Mul(out Fe y, in points[i].Y, in zInv);
                Fe.Add(out Fe ypx, in y, in x);
                Fe.Carry(out result[i].YPlusX, in ypx);
                Fe.Sub(out Fe ymx, in y, in x);
                Fe.Carry(out result[i].YMinusX, in ymx);
                Fe.Mul(out Fe xy, in x, in y);
                Fe.Mul(out result[i].XY2D, in xy, in Curve.D2);
            }
            return result;
        }

        /// <summary>Odd multiples of B and of 2^128·B, built once on first use (the CLR runs a type initializer
        /// exactly once, thread-safely).</summary>
        private static class BaseTables
        {
            internal static readonly NielsPoint[] Low;
            internal static readonly NielsPoint[] High;

            static BaseTables()
            {
                // RFC 8032 5.1: B = (x, 4/5) with x positive (even); decode its encoding rather than paste coordinates.
                Fe.FromInt(out Fe four, 4);
                Fe.FromInt(out Fe five, 5);
                Fe.Invert(out Fe inv5, in five);
                Fe.Mul(out Fe y, in four, in inv5);
                var encoded = new byte[32];
                Fe.ToBytes(encoded, 0, in y);
                if (!TryDecodePoint(encoded, 0, out ExtendedPoint b)) throw new InvalidOperationException("Ed25519 base point");
                Low = OddMultiples(in b, BaseTableSize);
                High = OddMultiples(TimesTwoPow128(in b), BaseTableSize);
            }
        }

        // r = [s]B - [k]A (variable time, Straus/Shamir with signed sliding windows). Each scalar's wNAF is split at
        // bit 128 so one pass of 128 doublings serves four half-length scalars: digits 0..127 use the tables of B and A,
        // digits 128..255 those of 2^128·B and 2^128·A.
        // Pre: nafS from ToWnaf(width BaseWidth), nafK from ToWnaf(width KeyWidth) over tables from OddMultiples;
        // keyLow == null means k = 0 (the signer's fixed-base multiplication). Post: r tight.
        internal static void DoubleScalarMulVar(out ProjectivePoint r, sbyte[] nafS, sbyte[] nafK,
            NielsPoint[]? keyLow, NielsPoint[]? keyHigh)
        {
            NielsPoint[] baseLow = BaseTables.Low, baseHigh = BaseTables.High;
            bool withKey = keyLow != null && keyHigh != null;
            int i = 127;
            while (i >= 0 && nafS[i] == 0 && nafS[i + 128] == 0 && (!withKey || (nafK[i] == 0 && nafK[i + 128] == 0))) i--;

            r = default;                                              // the identity (0 : 1 : 1)
            Fe.FromInt(out r.Y, 1);
            Fe.FromInt(out r.Z, 1);
            CompletedPoint t;
            ExtendedPoint u;
            for (; i >= 0; i--)
            {
                Double(out t, in r.X, in r.Y, in r.Z);
                int d = nafS[i];
                if (d != 0)
                {
                    ToExtended(out u, in t);
                    if (d > 0) Add(out t, in u, in baseLow[d >> 1]);
                    else Sub(out t, in u, in baseLow[-d >> 1]);
                }
                d = nafS[i + 128];
                if (d != 0)
                {
                    ToExtended(out u, in t);
                    if (d > 0) Add(out t, in u, in baseHigh[d >> 1]);
                    else Sub(out t, in u, in baseHigh[-d >> 1]);
                }
                if (withKey)
                {
                    d = nafK[i];                                      // subtracted: the k stream computes -[k]A
                    if (d != 0)
                    {
                        ToExtended(out u, in t);
                        if (d > 0) Sub(out t, in u, in keyLow![d >> 1]);
                        else Add(out t, in u, in keyLow![-d >> 1]);
                    }
                    d = nafK[i + 128];
                    if (d != 0)
                    {
                        ToExtended(out u, in t);
                        if (d > 0) Sub(out t, in u, in keyHigh![d >> 1]);
                        else Add(out t, in u, in keyHigh![-d >> 1]);
                    }
                }
                ToProjective(out r, in t);
            }
        }

        // naf = the width-w non-adjacent form of the 256-bit little-endian scalar s[off..off+32]:
        // s = Σ naf[i]·2^i, every nonzero digit odd with |digit| < 2^(w-1), any w consecutive digits hold at most one
        // nonzero. Pre: s < 2^253 (so the top digit lands at index <= 253), 2 <= w <= 8, naf.Length == 256.
        internal static void ToWnaf(byte[] s, int off, int width, sbyte[] naf)
        {
            Array.Clear(naf, 0, 256);
            int full = 1 << width, half = full >> 1, mask = full - 1;
            int carry = 0, pos = 0;
            while (pos < 256)
            {
                // The next w bits at pos (w <= 8: they span at most two bytes), plus the carry owed to this position.
                int b = pos >> 3, shift = pos & 7;
                int bits = s[off + b] >> shift;
                if (b + 1 < 32) bits |= s[off + b + 1] << (8 - shift);
                int window = carry + (bits & mask);
                if ((window & 1) == 0)
                {
                    pos++;                                            // zero digit; an owed carry moves up with us
                    continue;
                }
                if (window < half)
                {
                    naf[pos] = (sbyte)window;
                    carry = 0;
                }
                else
                {
                    naf[pos] = (sbyte)(window - full);                // negative digit, owe 2^w back
                    carry = 1;
                }
                pos += width;
            }
        }

        // ===== Scalars mod L = 2^252 + 27742317777372353535851937790883648493 (RFC 8032 5.1) ==========================

        internal static class Scalar
        {
            private static readonly byte[] LBytes =
            {
                0xed, 0xd3, 0xf5, 0x5c, 0x1a, 0x63, 0x12, 0x58, 0xd6, 0x9c, 0xf7, 0xa2, 0xde, 0xf9, 0xde, 0x14,
                0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x10,
            };
            private const long Mask21 = (1L << 21) - 1;
            // L in 21-bit limbs (limb 11 holds bits 231..252, i.e. exactly 2^21), and c = L - 2^252 < 2^125 in the
            // six limbs it needs: reducing uses 2^252 = -c (mod L).
            private static readonly long[] L21 = UnpackL();
            private static readonly long[] C21 = { L21[0], L21[1], L21[2], L21[3], L21[4], L21[5] };

            private static long[] UnpackL()
            {
                var limbs = new long[12];
                Unpack21(LBytes, 0, 32, limbs, 12);
                return limbs;
            }

            // s[off..off+32] < L (RFC 8032 5.1.7 step 1: reject S >= L, the malleable encodings).
            internal static bool IsCanonical(byte[] s, int off)
            {
                for (int i = 31; i >= 0; i--)
                {
                    if (s[off + i] != LBytes[i]) return s[off + i] < LBytes[i];
                }
                return false;                                         // S = L
            }

            // limbs[0..count) = 21-bit limbs of the little-endian bytes src[off..off+len), the last limb taking all
            // remaining high bits. Pre: those remaining bits, 8·len - 21·(count - 1), number at most 56.
            internal static void Unpack21(byte[] src, int off, int len, long[] limbs, int count)
            {
                ulong acc = 0;
                int bits = 0, limb = 0;
                for (int i = 0; i < len; i++)
                {
                    acc |= (ulong)src[off + i] << bits;
                    bits += 8;
                    if (bits >= 21 && limb < count - 1)
                    {
                        limbs[limb++] = (long)(acc & Mask21);
                        acc >>= 21;
                        bits -= 21;
                    }
                }
                limbs[limb++] = (long)acc;
                while (limb < count) limbs[limb++] = 0;
            }

            // dst[off..off+32] = (Σ a[i]·2^(21i)) mod L, canonical. Clobbers a.
            // Pre: a.Length == 24, 0 <= a[i] < 2^52, value < 2^512 (a SHA-512 digest, or r + k·s for the signer).
            internal static void Reduce(long[] a, byte[] dst, int off)
            {
                // Floor carries: a[0..22] in [0, 2^21), a[23] < 2^29 (bits 483..511).
                for (int i = 0; i < 23; i++)
                {
                    a[i + 1] += a[i] >> 21;
                    a[i] &= Mask21;
                }
                // Fold limbs 23..12 down: a[i]·2^(21i) = a[i]·2^(21(i-12))·2^252 = -a[i]·c·2^(21(i-12)) (mod L).
                for (int i = 23; i >= 12; i--)
                {
                    long t = a[i];                                    // |t| < 2^29 first, then < 2^22
                    a[i] = 0;
                    for (int j = 0; j < 6; j++) a[i - 12 + j] -= t * C21[j];   // |t·c_j| < 2^50
                    // Re-centre limbs i-12 .. i-2 into [-2^20, 2^20]; the excess climbs into a[i-1], folded next.
                    for (int k = i - 12; k < i - 1; k++)
                    {
                        long carry = (a[k] + (1L << 20)) >> 21;
                        a[k] -= carry << 21;
                        a[k + 1] += carry;
                    }
                }
                // Now |value| < 2^254 < 4L: normalise and add or subtract L until 0 <= value < L.
                Normalize12(a);
                while (a[11] < 0)
                {
                    for (int i = 0; i < 12; i++) a[i] += L21[i];
                    Normalize12(a);
                }
                while (AtLeastL(a))
                {
                    for (int i = 0; i < 12; i++) a[i] -= L21[i];
                    Normalize12(a);
                }
                // Pack 21-bit limbs (a[11] < 2^22) into 32 bytes.
                ulong acc = 0;
                int bits = 0, o = off;
                for (int i = 0; i < 12; i++)
                {
                    acc |= (ulong)a[i] << bits;
                    for (bits += 21; bits >= 8 && o < off + 32; bits -= 8)
                    {
                        dst[o++] = (byte)acc;
                        acc >>= 8;
                    }
                }
                while (o < off + 32)
                {
                    dst[o++] = (byte)acc;
                    acc >>= 8;
                }
            }

            // Floor carries over limbs 0..10: they land in [0, 2^21); limb 11 keeps the sign of the whole value.
            private static void Normalize12(long[] a)
            {
                for (int i = 0; i < 11; i++)
                {
                    a[i + 1] += a[i] >> 21;
                    a[i] &= Mask21;
                }
            }

            // Pre: normalised (limbs 0..10 in [0, 2^21), limb 11 >= 0).
            private static bool AtLeastL(long[] a)
            {
                for (int i = 11; i >= 0; i--)
                {
                    if (a[i] != L21[i]) return a[i] > L21[i];
                }
                return true;
            }
        }
    }
}
