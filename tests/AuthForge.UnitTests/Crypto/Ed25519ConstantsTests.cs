using System;
using Xunit;
using Fe = AuthForge.Internal.Ed25519.Fe;

namespace AuthForge.Tests.Crypto
{
    /// <summary>
    /// The Ed25519 section's precomputed constants against their derivations (here, from the product's field
    /// arithmetic), and the tables built from them against tables built from the derived base point.
    /// </summary>
    public sealed class Ed25519ConstantsTests
    {
        // d = -121665 / 121666.
        private static Fe DeriveD()
        {
            Fe.FromInt(out Fe num, -121665);
            Fe.FromInt(out Fe den, 121666);
            Fe.Invert(out Fe inv, in den);
            Fe.Mul(out Fe d, in num, in inv);
            return d;
        }

        // 2d, as used by the addition formulas.
        private static Fe DeriveD2()
        {
            Fe d = DeriveD();
            Fe.Add(out Fe t, in d, in d);
            Fe.Carry(out Fe r, in t);
            return r;
        }

        // 2^((p - 1) / 4), a square root of -1: (p - 1) / 4 = 2^253 - 5 = 2·(2^252 - 3) + 1, so it is (2^(2^252-3))^2 · 2.
        private static Fe DeriveSqrtM1()
        {
            Fe.FromInt(out Fe two, 2);
            Fe.Pow22523(out Fe t, in two);
            Fe.Sq(out t, in t);
            Fe.Mul(out Fe r, in t, in two);
            return r;
        }

        // RFC 8032 5.1: B = (x, 4/5) with x positive (even): decode the encoding of y = 4/5 rather than paste x.
        private static bool DeriveBase(out Ed25519.ExtendedPoint b)
        {
            Fe.FromInt(out Fe four, 4);
            Fe.FromInt(out Fe five, 5);
            Fe.Invert(out Fe inv5, in five);
            Fe.Mul(out Fe y, in four, in inv5);
            var encoded = new byte[32];
            FeEncoding.ToBytes(encoded, 0, in y);
            return Ed25519.TryDecodePoint(encoded, 0, out b);
        }

        // RFC 8032 5.1.2 encoding (the client only decodes points). Pre: p coordinates tight.
        private static void EncodePoint(byte[] s, int off, in Ed25519.ProjectivePoint p)
        {
            Fe.Invert(out Fe zInv, in p.Z);
            Fe.Mul(out Fe x, in p.X, in zInv);
            Fe.Mul(out Fe y, in p.Y, in zInv);
            FeEncoding.ToBytes(s, off, in y);
            if (Fe.IsNegative(in x)) s[off + 31] |= 0x80;
        }

        private static void AssertSameTight(in Fe expected, in Fe actual)
        {
            Assert.True(Fe.AreEqual(in expected, in actual), "not the same field element");
            int[] limbs = { actual.L0, actual.L1, actual.L2, actual.L3, actual.L4, actual.L5, actual.L6, actual.L7, actual.L8, actual.L9 };
            for (int i = 0; i < 10; i++)
                Assert.True(Math.Abs((long)limbs[i]) <= (long)(1.01 * (i % 2 == 0 ? 1 << 25 : 1 << 24)), $"limb {i} is not tight");
        }

        [Fact]
        public void DIsMinus121665Over121666()
        {
            AssertSameTight(DeriveD(), Ed25519.Curve.D);
            // And the derivation itself: 121666·d = -121665.
            Fe.FromInt(out Fe den, 121666);
            Fe.Mul(out Fe product, in den, in Ed25519.Curve.D);
            Fe.FromInt(out Fe num, -121665);
            Assert.True(Fe.AreEqual(in product, in num));
        }

        [Fact]
        public void D2IsTwiceD() => AssertSameTight(DeriveD2(), Ed25519.Curve.D2);

        [Fact]
        public void SqrtM1SquaresToMinusOne()
        {
            AssertSameTight(DeriveSqrtM1(), Ed25519.Curve.SqrtM1);
            Fe.Sq(out Fe square, in Ed25519.Curve.SqrtM1);
            Fe.FromInt(out Fe minusOne, -1);
            Assert.True(Fe.AreEqual(in square, in minusOne));
        }

        [Fact]
        public void BaseIsTheDecodingOfFourFifths()
        {
            Assert.True(DeriveBase(out Ed25519.ExtendedPoint derived));
            Ed25519.ExtendedPoint b = Ed25519.Curve.Base();
            AssertSameTight(derived.X, b.X);
            AssertSameTight(derived.Y, b.Y);
            Assert.True(Fe.AreEqual(in derived.T, in b.T));
            // RFC 8032's encoding of B: 0x58 followed by 0x66 x 31.
            var encoded = new byte[32];
            EncodePoint(encoded, 0, new Ed25519.ProjectivePoint { X = b.X, Y = b.Y, Z = derived.Z });
            Assert.Equal("58" + string.Concat(System.Linq.Enumerable.Repeat("66", 31)), Convert.ToHexString(encoded).ToLowerInvariant());
        }

        [Fact]
        public void WideBaseTableMatchesTheTableOfTheDerivedBasePoint()
        {
            Assert.True(DeriveBase(out Ed25519.ExtendedPoint derived));
            Ed25519.NielsPoint[] expected = Ed25519.SplitTable(in derived, Ed25519.BaseTableSize);
            Ed25519.NielsPoint[] actual = Ed25519.BaseTable;
            Assert.Equal(expected.Length, actual.Length);
            for (int i = 0; i < expected.Length; i++)
            {
                Assert.True(Fe.AreEqual(in expected[i].YPlusX, in actual[i].YPlusX), $"entry {i}");
                Assert.True(Fe.AreEqual(in expected[i].YMinusX, in actual[i].YMinusX), $"entry {i}");
                Assert.True(Fe.AreEqual(in expected[i].XY2D, in actual[i].XY2D), $"entry {i}");
            }
        }
    }
}
