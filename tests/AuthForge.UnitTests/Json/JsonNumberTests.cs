using AuthForge;
using Xunit;

namespace AuthForge.Tests.JsonSection
{
    public class JsonNumberTests
    {
        [Theory]
        [InlineData("plain timestamp", "1740433200", 1740433200L)]
        [InlineData("scientific timestamp", "1.7404332E9", 1740433200L)]
        [InlineData("timestamp with zero fraction", "1740433200.0", 1740433200L)]
        [InlineData("timestamp with negative exponent", "17404332000e-1", 1740433200L)]
        [InlineData("zero", "0", 0L)]
        [InlineData("negative zero", "-0", 0L)]
        [InlineData("zero with a huge exponent", "0.000e99999999999999999999", 0L)]
        [InlineData("negative", "-42", -42L)]
        [InlineData("one with positive signed exponent", "1E+0", 1L)]
        [InlineData("18 digits (fast path edge)", "999999999999999999", 999999999999999999L)]
        [InlineData("long.MaxValue", "9223372036854775807", long.MaxValue)]
        [InlineData("long.MinValue", "-9223372036854775808", long.MinValue)]
        [InlineData("long.MaxValue in scientific form", "9.223372036854775807e18", long.MaxValue)]
        [InlineData("long.MinValue with a zero fraction", "-9223372036854775808.000", long.MinValue)]
        [InlineData("2^53 + 1, which a double cannot hold", "9007199254740993", 9007199254740993L)]
        [InlineData("2^53 + 1 in scientific form", "9.007199254740993e15", 9007199254740993L)]
        [InlineData("leading zeros in the fraction digits", "0.00000000000000000000012e24", 120L)]
        [InlineData("many trailing zeros scaled down", "100000000000000000000000000000e-29", 1L)]
        public void TryGetInt64_accepts_integral_values_that_fit(string name, string literal, long expected)
        {
            Assert.NotNull(name);
            JsonValue value = Json.Parse(literal);
            Assert.True(value.TryGetInt64(out long actual));
            Assert.Equal(expected, actual);
            Assert.Equal(literal, value.AsNumberLiteral());
        }

        [Theory]
        [InlineData("fraction", "1.5")]
        [InlineData("small fraction", "0.1")]
        [InlineData("negative exponent leaves a fraction", "1e-1")]
        [InlineData("beyond the double range", "1e400")]
        [InlineData("long.MaxValue + 1", "9223372036854775808")]
        [InlineData("long.MinValue - 1", "-9223372036854775809")]
        [InlineData("10^19", "1e19")]
        [InlineData("20 digits", "12345678901234567890")]
        [InlineData("fraction on long.MaxValue", "9223372036854775807.5")]
        [InlineData("tiny fraction a double would round away", "1.0000000000000000001")]
        [InlineData("timestamp with a tiny fraction", "1.7404332000000000000001E9")]
        [InlineData("huge negative exponent", "1e-99999999999999999999")]
        [InlineData("huge positive exponent", "1e99999999999999999999")]
        public void TryGetInt64_rejects_other_numbers(string name, string literal)
        {
            Assert.NotNull(name);
            Assert.False(Json.Parse(literal).TryGetInt64(out long value));
            Assert.Equal(0, value);
        }

        [Theory]
        [InlineData("1.5", 1.5)]
        [InlineData("-2.5e-3", -0.0025)]
        [InlineData("1740433200", 1740433200d)]
        [InlineData("1e-400", 0d)]
        [InlineData("1.7976931348623157e308", double.MaxValue)]
        public void TryGetDouble_accepts_finite_values(string literal, double expected)
        {
            Assert.True(Json.Parse(literal).TryGetDouble(out double actual));
            Assert.Equal(expected, actual);
        }

        [Theory]
        [InlineData("1e400")]
        [InlineData("-1e400")]
        [InlineData("1.8e308")]
        public void TryGetDouble_rejects_values_beyond_the_double_range(string literal)
        {
            Assert.False(Json.Parse(literal).TryGetDouble(out _));
        }

        [Fact]
        public void Number_literals_are_kept_exactly_and_non_literals_refused()
        {
            Assert.Equal("-9223372036854775808", Json.Parse("-9223372036854775808").AsNumberLiteral());
            Assert.True(Json.Parse("-9223372036854775808").TryGetInt64(out long min));
            Assert.Equal(long.MinValue, min);
            Assert.Equal("1.50E+3", Json.Parse("1.50E+3").AsNumberLiteral());
            // A lone value with surrounding spaces is valid JSON, so " 1" and "1 " are checked inside an array.
            Assert.Throws<JsonFormatException>(() => Json.Parse(""));
            foreach (string bad in new[] { "01", "+1", "1.", ".5", "NaN", "0x1", "1e", "\u0661" })
            {
                Assert.Throws<JsonFormatException>(() => Json.Parse("[" + bad + "]"));
            }
        }
    }
}
