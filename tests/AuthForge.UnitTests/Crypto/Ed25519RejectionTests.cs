using System;
using System.Numerics;
using Xunit;

namespace AuthForge.Tests.Crypto
{
    /// <summary>Strictness: wrong lengths, non-canonical encodings, points off the curve, S >= L, null arguments.</summary>
    public sealed class Ed25519RejectionTests
    {
        private static readonly BigInteger P = BigInteger.Pow(2, 255) - 19;
        private static readonly BigInteger L = BigInteger.Pow(2, 252) + BigInteger.Parse("27742317777372353535851937790883648493");
        private static readonly BigInteger D = Mod(-121665 * BigInteger.ModPow(121666, P - 2, P));

        // RFC 8032 TEST 1: a valid key, message and signature to mutate.
        private static readonly byte[] Key = Ed25519TestData.Hex("d75a980182b10ab7d54bfed3c964073a0ee172f3daa62325af021a68f707511a");
        private static readonly byte[] Message = Array.Empty<byte>();
        private static readonly byte[] Signature = Ed25519TestData.Hex(
            "e5564300c360ac729086e2cc806e828a84877f1eb8e5d974d873e065224901555fb8821590a33bacc61e39701cf9b46bd25bf5f0595bbe24655141438e7a100b");

        private static BigInteger Mod(BigInteger v) => ((v % P) + P) % P;

        private static byte[] Encode(BigInteger y, bool sign)
        {
            var bytes = new byte[32];
            y.ToByteArray(isUnsigned: true, isBigEndian: false).CopyTo(bytes, 0);
            if (sign) bytes[31] |= 0x80;
            return bytes;
        }

        private static bool VerifyBoth(byte[] key, byte[] message, byte[] signature)
        {
            bool oneShot = Ed25519OneShot.Verify(key, message, signature);
            bool cached = Ed25519PublicKey.TryCreate(key, out Ed25519PublicKey? k) && k!.Verify(message, signature);
            Assert.Equal(oneShot, cached);
            return oneShot;
        }

        [Fact]
        public void Unmodified_vector_verifies()
        {
            // The control for every mutation below.
            Assert.True(VerifyBoth(Key, Message, Signature));
        }

        [Theory]
        [InlineData(0)]
        [InlineData(31)]
        [InlineData(33)]
        [InlineData(64)]
        public void TryCreate_rejects_wrong_key_length(int length)
        {
            var key = new byte[length];
            Array.Copy(Key, key, Math.Min(length, 32));
            Assert.False(Ed25519PublicKey.TryCreate(key, out Ed25519PublicKey? decoded));
            Assert.Null(decoded);
            Assert.False(Ed25519OneShot.Verify(key, Message, Signature));
        }

        [Fact]
        public void TryCreate_rejects_null()
        {
            Assert.False(Ed25519PublicKey.TryCreate(null!, out _));
        }

        [Theory]
        [InlineData(0, false)]   // y = p      = 0 (mod p): (x, 0) is on the curve, but y = p is its second encoding
        [InlineData(1, false)]   // y = p + 1  = 1: the identity's second encoding
        [InlineData(1, true)]
        [InlineData(3, false)]   // y = p + 3: (3 is on the curve, see the control below)
        [InlineData(18, false)]  // y = 2^255 - 1, the largest 255-bit value
        public void TryCreate_rejects_non_canonical_y(int offset, bool sign)
        {
            byte[] encoded = Encode(P + offset, sign);
            Assert.False(Ed25519PublicKey.TryCreate(encoded, out _));
            // Control: the same y reduced mod p decodes (when its sign is allowed), so only canonicity is tested here.
            bool reducedValid = Ed25519PublicKey.TryCreate(Encode(offset, sign), out _);
            Assert.True(reducedValid || (offset == 1 && sign), $"y = {offset} should decode");
        }

        [Fact]
        public void TryCreate_rejects_x_zero_with_the_sign_bit()
        {
            // y = 1 and y = -1 have x = 0: the identity and the point of order 2. With the sign bit they are second
            // encodings of the same points; without it they are valid (cofactorless verification keeps small order).
            Assert.True(Ed25519PublicKey.TryCreate(Encode(1, false), out _));
            Assert.False(Ed25519PublicKey.TryCreate(Encode(1, true), out _));
            Assert.True(Ed25519PublicKey.TryCreate(Encode(P - 1, false), out _));
            Assert.False(Ed25519PublicKey.TryCreate(Encode(P - 1, true), out _));
        }

        [Fact]
        public void TryCreate_rejects_points_not_on_the_curve()
        {
            // x^2 = (y^2 - 1) / (d·y^2 + 1) has no root for y = 2, and has one for y = 3.
            Assert.False(IsSquare(XSquared(2)));
            Assert.True(IsSquare(XSquared(3)));
            Assert.False(Ed25519PublicKey.TryCreate(Encode(2, false), out _));
            Assert.False(Ed25519PublicKey.TryCreate(Encode(2, true), out _));
            Assert.True(Ed25519PublicKey.TryCreate(Encode(3, false), out _));
            Assert.True(Ed25519PublicKey.TryCreate(Encode(3, true), out _));
        }

        [Fact]
        public void TryCreate_matches_the_curve_equation_on_2000_random_encodings()
        {
            // Oracle: Euler's criterion on x^2 = (y^2 - 1)/(d·y^2 + 1) in BigInteger, plus the two canonicity rules.
            var random = new Random(8032);
            var encoded = new byte[32];
            int accepted = 0;
            for (int n = 0; n < 2000; n++)
            {
                random.NextBytes(encoded);
                if (n % 100 == 0) { Array.Fill(encoded, (byte)0xff); encoded[0] = (byte)(0xec + n / 100 % 20); }   // near p
                bool sign = (encoded[31] & 0x80) != 0;
                var y = new BigInteger(encoded, isUnsigned: true) & (BigInteger.Pow(2, 255) - 1);
                BigInteger x2 = y < P ? XSquared(y) : -1;
                bool expected = y < P && (x2.IsZero ? !sign : IsSquare(x2));
                Assert.True(expected == Ed25519PublicKey.TryCreate(encoded, out _), Convert.ToHexString(encoded));
                if (expected) accepted++;
            }
            Assert.InRange(accepted, 800, 1200);   // about half of all y are on the curve
        }

        private static BigInteger XSquared(BigInteger y) =>
            Mod((y * y - 1) * BigInteger.ModPow(Mod(D * y * y + 1), P - 2, P));

        private static bool IsSquare(BigInteger a) => a.IsZero || BigInteger.ModPow(a, (P - 1) / 2, P).IsOne;

        private static byte[] WithS(BigInteger s)
        {
            var signature = (byte[])Signature.Clone();
            var bytes = new byte[32];
            s.ToByteArray(isUnsigned: true, isBigEndian: false).CopyTo(bytes, 0);
            bytes.CopyTo(signature, 32);
            return signature;
        }

        [Fact]
        public void Rejects_S_plus_L_which_a_lax_verifier_accepts()
        {
            // [S + L]B = [S]B, so only the S < L check stands between this malleated signature and acceptance.
            var s = new BigInteger(Signature.AsSpan(32), isUnsigned: true);
            Assert.False(VerifyBoth(Key, Message, WithS(s + L)));
        }

        [Fact]
        public void Rejects_S_equal_to_L_and_L_plus_1_and_with_high_bits()
        {
            Assert.False(VerifyBoth(Key, Message, WithS(L)));
            Assert.False(VerifyBoth(Key, Message, WithS(L + 1)));
            byte[] highBits = (byte[])Signature.Clone();
            highBits[63] |= 0xe0;
            Assert.False(VerifyBoth(Key, Message, highBits));
        }

        [Fact]
        public void Scalar_canonical_boundary_is_exactly_L()
        {
            static byte[] Bytes(BigInteger v)
            {
                var b = new byte[32];
                v.ToByteArray(isUnsigned: true, isBigEndian: false).CopyTo(b, 0);
                return b;
            }
            Assert.True(Ed25519.Scalar.IsCanonical(Bytes(0), 0));
            Assert.True(Ed25519.Scalar.IsCanonical(Bytes(L - 1), 0));
            Assert.False(Ed25519.Scalar.IsCanonical(Bytes(L), 0));
            Assert.False(Ed25519.Scalar.IsCanonical(Bytes(L + 1), 0));
            Assert.False(Ed25519.Scalar.IsCanonical(Bytes(BigInteger.Pow(2, 256) - 1), 0));
        }

        [Theory]
        [InlineData(0)]
        [InlineData(63)]
        [InlineData(65)]
        public void Rejects_wrong_signature_length(int length)
        {
            // 63: the valid signature truncated; 65: the valid signature plus a trailing byte.
            var signature = new byte[length];
            Array.Copy(Signature, signature, Math.Min(length, 64));
            Assert.False(VerifyBoth(Key, Message, signature));
        }

        [Fact]
        public void Rejects_R_that_is_non_canonical_or_off_the_curve()
        {
            // R = identity: a valid point, so the signature is merely wrong; its twin with the sign bit set, y = p + 1 and
            // y = 2 (off the curve) are not points at all. All must fail; TryDecodePoint tells the two kinds apart.
            foreach ((BigInteger y, bool sign, bool decodes) in new[] { (BigInteger.One, false, true), (BigInteger.One, true, false),
                         (P + 1, false, false), (new BigInteger(2), false, false) })
            {
                byte[] signature = (byte[])Signature.Clone();
                Encode(y, sign).CopyTo(signature, 0);
                Assert.False(VerifyBoth(Key, Message, signature));
                Assert.Equal(decodes, Ed25519.TryDecodePoint(signature, 0, out _));
            }
        }

        [Fact]
        public void Null_arguments_throw()
        {
            Assert.True(Ed25519PublicKey.TryCreate(Key, out Ed25519PublicKey? key));
            Assert.Throws<ArgumentNullException>("message", () => key!.Verify(null!, Signature));
            Assert.Throws<ArgumentNullException>("signature", () => key!.Verify(Message, null!));
            Assert.Throws<ArgumentNullException>("publicKey", () => Ed25519OneShot.Verify(null!, Message, Signature));
            Assert.Throws<ArgumentNullException>("message", () => Ed25519OneShot.Verify(Key, null!, Signature));
            Assert.Throws<ArgumentNullException>("signature", () => Ed25519OneShot.Verify(Key, Message, null!));
        }
    }
}
