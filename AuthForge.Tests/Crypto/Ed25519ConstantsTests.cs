using System;
using Xunit;
using Fe = AuthForge.Internal.Ed25519.Fe;

namespace AuthForge.Tests.Crypto
{
    /// <summary>
    /// The Ed25519 section's precomputed constants against their derivations (kept in the product beside them), and
    /// the tables built from them against tables built from the derived base point.
    /// </summary>
    public sealed class Ed25519ConstantsTests
    {
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
            AssertSameTight(Ed25519.Curve.DeriveD(), Ed25519.Curve.D);
            // And the derivation itself: 121666·d = -121665.
            Fe.FromInt(out Fe den, 121666);
            Fe.Mul(out Fe product, in den, in Ed25519.Curve.D);
            Fe.FromInt(out Fe num, -121665);
            Assert.True(Fe.AreEqual(in product, in num));
        }

        [Fact]
        public void D2IsTwiceD() => AssertSameTight(Ed25519.Curve.DeriveD2(), Ed25519.Curve.D2);

        [Fact]
        public void SqrtM1SquaresToMinusOne()
        {
            AssertSameTight(Ed25519.Curve.DeriveSqrtM1(), Ed25519.Curve.SqrtM1);
            Fe.Sq(out Fe square, in Ed25519.Curve.SqrtM1);
            Fe.FromInt(out Fe minusOne, -1);
            Assert.True(Fe.AreEqual(in square, in minusOne));
        }

        [Fact]
        public void BaseIsTheDecodingOfFourFifths()
        {
            Assert.True(Ed25519.Curve.DeriveBase(out Ed25519.ExtendedPoint derived));
            Ed25519.ExtendedPoint b = Ed25519.Curve.Base();
            AssertSameTight(derived.X, b.X);
            AssertSameTight(derived.Y, b.Y);
            Assert.True(Fe.AreEqual(in derived.T, in b.T));
            // RFC 8032's encoding of B: 0x58 followed by 0x66 x 31.
            var encoded = new byte[32];
            Ed25519.EncodePoint(encoded, 0, new Ed25519.ProjectivePoint { X = b.X, Y = b.Y, Z = derived.Z });
            Assert.Equal("58" + string.Concat(System.Linq.Enumerable.Repeat("66", 31)), Convert.ToHexString(encoded).ToLowerInvariant());
        }

        [Fact]
        public void WideBaseTableMatchesTheTableOfTheDerivedBasePoint()
        {
            Assert.True(Ed25519.Curve.DeriveBase(out Ed25519.ExtendedPoint derived));
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
