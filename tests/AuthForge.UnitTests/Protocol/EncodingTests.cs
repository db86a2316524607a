using System;
using System.Linq;
using Xunit;

namespace AuthForge.Tests.Protocol
{
    public sealed class EncodingTests
    {
        [Theory]
        [InlineData("", "")]
        [InlineData("Zg==", "66")]
        [InlineData("Zg", "66")]
        [InlineData("Zm8=", "666f")]
        [InlineData("Zm8", "666f")]
        [InlineData("Zm9v", "666f6f")]
        [InlineData("-_8=", "fbff")]
        [InlineData("+/8=", "fbff")]
        [InlineData("+/8", "fbff")]
        public void Base64AcceptsBothAlphabetsWithOrWithoutPadding(string text, string hex)
        {
            Assert.Equal(hex, Hex.Encode(Base64.Decode(text)!));
        }

        [Theory]
        [InlineData("Zh==")]     // unused trailing bits set: a second spelling of "f"
        [InlineData("Zm9=")]
        [InlineData("Zg=")]      // half padding
        [InlineData("Z===")]
        [InlineData("Z")]
        [InlineData("Zm 9v")]
        [InlineData("Zm9v\n")]
        [InlineData("Zm9v*")]
        [InlineData("Zg==Zg==")]
        [InlineData("=Zg=")]
        [InlineData("Zm9vé")]
        public void Base64RejectsAnythingElse(string text)
        {
            Assert.Null(Base64.Decode(text));
        }

        [Fact]
        public void Base64RoundTripsEveryLengthAgainstTheFramework()
        {
            var random = new Random(7);
            for (int length = 0; length < 70; length++)
            {
                byte[] bytes = new byte[length];
                random.NextBytes(bytes);
                string standard = Convert.ToBase64String(bytes);
                Assert.Equal(bytes, Base64.Decode(standard));
                Assert.Equal(bytes, Base64.Decode(standard.TrimEnd('=').Replace('+', '-').Replace('/', '_')));
            }
        }

        [Fact]
        public void HexIsLowercaseAndDecodesEitherCase()
        {
            byte[] bytes = Enumerable.Range(0, 256).Select(i => (byte)i).ToArray();
            string hex = Hex.Encode(bytes);
            Assert.Equal(Convert.ToHexString(bytes).ToLowerInvariant(), hex);
            Assert.Equal(bytes, Hex.Decode(hex));
            Assert.Equal(bytes, Hex.Decode(hex.ToUpperInvariant()));
            Assert.Null(Hex.Decode("abc"));
            Assert.Null(Hex.Decode("zz"));
        }

        [Fact]
        public void NoncesAre128FreshBitsAsLowercaseHex()
        {
            var seen = new System.Collections.Generic.HashSet<string>();
            for (int i = 0; i < 1000; i++)
            {
                string nonce = AuthForge.Internal.Nonce.Create();
                Assert.Matches("^[0-9a-f]{32}$", nonce);
                Assert.True(seen.Add(nonce));
            }
        }

        [Fact]
        public void FixedTimeEqualsComparesWholeArrays()
        {
            Assert.True(FixedTime.Equals(new byte[] { 1, 2, 3 }, new byte[] { 1, 2, 3 }));
            Assert.False(FixedTime.Equals(new byte[] { 1, 2, 3 }, new byte[] { 1, 2, 4 }));
            Assert.False(FixedTime.Equals(new byte[] { 9, 2, 3 }, new byte[] { 1, 2, 3 }));
            Assert.False(FixedTime.Equals(new byte[] { 1, 2 }, new byte[] { 1, 2, 3 }));
        }
    }
}
