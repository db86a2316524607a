using System;
using System.Numerics;
using Xunit;
using Fe = AuthForge.Internal.Ed25519.Fe;

namespace AuthForge.Tests.Crypto
{
    /// <summary>The section's field, scalar and wNAF helpers against BigInteger, including their stated limb bounds.</summary>
    public sealed class Ed25519ArithmeticTests
    {
        private static readonly BigInteger P = BigInteger.Pow(2, 255) - 19;
        private static readonly BigInteger L = BigInteger.Pow(2, 252) + BigInteger.Parse("27742317777372353535851937790883648493");
        private static readonly int[] Shifts = { 0, 26, 51, 77, 102, 128, 153, 179, 204, 230 };

        private static BigInteger Value(in Fe f)
        {
            int[] limbs = { f.L0, f.L1, f.L2, f.L3, f.L4, f.L5, f.L6, f.L7, f.L8, f.L9 };
            BigInteger v = 0;
            for (int i = 0; i < 10; i++) v += new BigInteger(limbs[i]) << Shifts[i];
            return ((v % P) + P) % P;
        }

        // A random element whose limbs reach up to `scale` times the tight bounds (1.01·2^25 even, 1.01·2^24 odd),
        // with random signs; every few calls all limbs sit exactly at the bound.
        private static Fe RandomFe(Random random, double scale, bool extreme)
        {
            var limbs = new int[10];
            for (int i = 0; i < 10; i++)
            {
                int bound = (int)(scale * 1.01 * (i % 2 == 0 ? 1 << 25 : 1 << 24));
                limbs[i] = extreme ? (random.Next(2) == 0 ? bound : -bound) : random.Next(-bound, bound + 1);
            }
            return new Fe
            {
                L0 = limbs[0], L1 = limbs[1], L2 = limbs[2], L3 = limbs[3], L4 = limbs[4],
                L5 = limbs[5], L6 = limbs[6], L7 = limbs[7], L8 = limbs[8], L9 = limbs[9],
            };
        }

        private static void AssertTight(in Fe f)
        {
            int[] limbs = { f.L0, f.L1, f.L2, f.L3, f.L4, f.L5, f.L6, f.L7, f.L8, f.L9 };
            for (int i = 0; i < 10; i++)
            {
                Assert.InRange(Math.Abs((long)limbs[i]), 0, (long)(1.01 * (i % 2 == 0 ? 1 << 25 : 1 << 24)));
            }
        }

        [Fact]
        public void Mul_and_Sq_match_BigInteger_up_to_4T_inputs_and_return_tight_limbs()
        {
            var random = new Random(25519);
            for (int n = 0; n < 3000; n++)
            {
                Fe f = RandomFe(random, 4, n % 5 == 0), g = RandomFe(random, 4, n % 7 == 0);
                Fe.Mul(out Fe product, in f, in g);
                Assert.Equal(Value(f) * Value(g) % P, Value(product));
                AssertTight(product);
                Fe.Sq(out Fe square, in f);
                Assert.Equal(Value(f) * Value(f) % P, Value(square));
                AssertTight(square);
            }
        }

        [Fact]
        public void Invert_and_Pow22523_match_BigInteger()
        {
            var random = new Random(2);
            for (int n = 0; n < 50; n++)
            {
                Fe f = RandomFe(random, 1, false);
                Fe.Invert(out Fe inverse, in f);
                Assert.Equal(BigInteger.ModPow(Value(f), P - 2, P), Value(inverse));
                Fe.Pow22523(out Fe power, in f);
                Assert.Equal(BigInteger.ModPow(Value(f), (P - 5) / 8, P), Value(power));
            }
        }

        [Fact]
        public void ToBytes_is_canonical_and_FromBytes_round_trips()
        {
            var random = new Random(3);
            var bytes = new byte[32];
            for (int n = 0; n < 3000; n++)
            {
                // Includes values just below and above p and representations of 0 and p - 1 by extreme limbs.
                Fe f = RandomFe(random, n % 3 + 1, n % 4 == 0);
                if (n < 40) f = new Fe { L0 = -(n % 20) - 1 + (n < 20 ? 0 : 19) };   // -1 .. -20 and 18 .. -1 (mod p)
                FeEncoding.ToBytes(bytes, 0, in f);
                var encoded = new BigInteger(bytes, isUnsigned: true);
                Assert.Equal(Value(f), encoded);
                Assert.Equal(Value(f).IsZero, Fe.IsZero(in f));
                Assert.Equal(!Value(f).IsEven, Fe.IsNegative(in f));
                Fe.FromBytes(out Fe back, bytes, 0);
                Assert.Equal(encoded, Value(back));
            }
        }

        [Fact]
        public void Scalar_Reduce_matches_BigInteger_mod_L()
        {
            var random = new Random(4);
            var digest = new byte[64];
            var limbs = new long[24];
            var reduced = new byte[32];
            for (int n = 0; n < 3000; n++)
            {
                random.NextBytes(digest);
                if (n == 0) Array.Fill(digest, (byte)0xff);                           // 2^512 - 1
                if (n == 1) Array.Clear(digest);                                     // 0
                if (n >= 2 && n < 12)                                                 // multiples of L and neighbours
                {
                    Array.Clear(digest);
                    (L * (n / 3) + (n % 3) - 1).ToByteArray(isUnsigned: true, isBigEndian: false).CopyTo(digest, 0);
                }
                Ed25519.Scalar.Unpack21(digest, 0, 64, limbs, 24);
                Ed25519.Scalar.Reduce(limbs, reduced, 0);
                Assert.Equal(new BigInteger(digest, isUnsigned: true) % L, new BigInteger(reduced, isUnsigned: true));
            }
        }

        [Fact]
        public void ToWnaf_digits_sum_to_the_scalar_and_obey_the_window()
        {
            var random = new Random(5);
            var scalar = new byte[32];
            var naf = new sbyte[256];
            foreach (int width in new[] { 5, 6, 8 })
            {
                for (int n = 0; n < 500; n++)
                {
                    random.NextBytes(scalar);
                    scalar[31] &= 0x1f;                                                // < 2^253
                    if (n == 0) { Array.Fill(scalar, (byte)0xff); scalar[31] = 0x1f; } // 2^253 - 1: the top carry
                    Ed25519.ToWnaf(scalar, 0, width, naf);
                    BigInteger sum = 0;
                    int lastNonZero = -width;
                    for (int i = 0; i < 256; i++)
                    {
                        if (naf[i] == 0) continue;
                        Assert.True((naf[i] & 1) == 1 || (naf[i] & 1) == -1, "odd digit");
                        Assert.InRange(Math.Abs((int)naf[i]), 1, (1 << (width - 1)) - 1);
                        Assert.True(i - lastNonZero >= width, "at most one nonzero digit per window");
                        lastNonZero = i;
                        sum += new BigInteger(naf[i]) << i;
                    }
                    Assert.Equal(new BigInteger(scalar, isUnsigned: true), sum);
                }
            }
        }
    }
}
