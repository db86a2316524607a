using System;
using System.Diagnostics;
using System.Globalization;
using System.Text;
using AuthForge;
using Xunit;
using static AuthForge.Tests.JsonSection.JsonTestUtil;

namespace AuthForge.Tests.JsonSection
{
    public class JsonSafetyTests
    {
        private const string Secret = "hunter2-TOPSECRET";

        // Every row is malformed somewhere in or right after the secret-looking text.
        [Theory]
        [InlineData("garbage after a secret string", "{\"appSecret\":\"S\"x}")]
        [InlineData("unterminated secret string", "{\"appSecret\":\"S")]
        [InlineData("control character after the secret", "{\"appSecret\":\"S\u0001\"}")]
        [InlineData("bad escape after the secret", "{\"appSecret\":\"S\\q\"}")]
        [InlineData("lone surrogate escape after the secret", "{\"appSecret\":\"S\\ud800\"}")]
        [InlineData("secret as a bare word", "[S]")]
        [InlineData("secret after a number", "[1S]")]
        [InlineData("secret as a duplicate member name", "{\"S\":1,\"S\":2}")]
        [InlineData("secret as an unquoted name", "{S:1}")]
        [InlineData("secret before a missing colon", "{\"S\" 1}")]
        [InlineData("secret after the value", "{} S")]
        [InlineData("secret too deep", "[[[[\"S\"]]]]")]
        public void Error_messages_never_contain_input_text(string name, string pattern)
        {
            Assert.NotNull(name);
            string json = pattern.Replace("S", Secret, StringComparison.Ordinal);
            JsonFormatException error = AssertRejected(json, maxDepth: 3);
            Assert.DoesNotContain("TOPSECRET", error.Message, StringComparison.OrdinalIgnoreCase);
            Assert.DoesNotContain("hunter", error.Message, StringComparison.OrdinalIgnoreCase);
            Assert.DoesNotContain("appSecret", error.Message, StringComparison.OrdinalIgnoreCase);
            Assert.Contains("at byte " + error.Position.ToString(CultureInfo.InvariantCulture), error.Message, StringComparison.Ordinal);
            Assert.Null(error.InnerException);
        }

        [Fact]
        public void Invalid_UTF8_error_does_not_echo_the_bytes()
        {
            byte[] json = Concat(Encoding.UTF8.GetBytes("{\"k\":\"" + Secret), new byte[] { 0xC0, 0xAF }, Encoding.UTF8.GetBytes("\"}"));
            var error = Assert.Throws<JsonFormatException>(() => Json.Parse(json));
            Assert.DoesNotContain("TOPSECRET", error.Message, StringComparison.Ordinal);
            Assert.Equal(6 + Secret.Length, error.Position);
        }

        // Generous bounds, for a loaded 2-core machine: each input parses in tens of milliseconds on a quiet one; a
        // quadratic implementation takes minutes on a megabyte.
        private static readonly TimeSpan s_linearBound = TimeSpan.FromSeconds(10);

        private static void AssertParsesQuickly(string description, byte[] json, Action<JsonValue> check)
        {
            Assert.InRange(json.Length, 900_000, 1_200_000);
            Json.Parse(Encoding.UTF8.GetBytes("{\"warm\":[\"up\\n\",1]}"));
            var watch = Stopwatch.StartNew();
            JsonValue value = Json.Parse(json, 4);
            watch.Stop();
            check(value);
            Assert.True(watch.Elapsed < s_linearBound, description + " took " + watch.Elapsed);
        }

        [Fact]
        public void A_megabyte_of_object_members_parses_in_linear_time()
        {
            var json = new StringBuilder("{");
            int count = 0;
            while (json.Length < 1_000_000) json.Append(count == 0 ? "" : ",").Append("\"m").Append(count++).Append("\":0");
            byte[] bytes = Encoding.UTF8.GetBytes(json.Append('}').ToString());
            AssertParsesQuickly("members", bytes, value =>
            {
                Assert.Equal(count, value.Members.Count);
                var watch = Stopwatch.StartNew();
                for (int i = 0; i < count; i++) Assert.NotNull(value["m" + i]);
                Assert.True(watch.Elapsed < s_linearBound, "lookups took " + watch.Elapsed);
            });
        }

        [Fact]
        public void A_megabyte_with_a_duplicate_at_the_end_is_rejected_in_linear_time()
        {
            var json = new StringBuilder("{");
            int count = 0;
            while (json.Length < 1_000_000) json.Append(count == 0 ? "" : ",").Append("\"m").Append(count++).Append("\":0");
            json.Append(",\"m").Append(count - 1).Append("\":1}");
            var watch = Stopwatch.StartNew();
            Assert.Throws<JsonFormatException>(() => Json.Parse(json.ToString()));
            Assert.True(watch.Elapsed < s_linearBound, "took " + watch.Elapsed);
        }

        [Fact]
        public void A_megabyte_of_escapes_parses_in_linear_time()
        {
            var json = new StringBuilder("\"");
            while (json.Length < 1_000_000) json.Append("\\n\\u00e9\\ud83d\\ude00\\\\");
            byte[] bytes = Encoding.UTF8.GetBytes(json.Append('"').ToString());
            AssertParsesQuickly("escapes", bytes, value => Assert.StartsWith("\n\u00e9\U0001F600\\", value.AsString(), StringComparison.Ordinal));
        }

        [Fact]
        public void A_megabyte_of_small_containers_and_numbers_parses_in_linear_time()
        {
            var json = new StringBuilder("[");
            int count = 0;
            while (json.Length < 1_000_000) json.Append(count++ == 0 ? "" : ",").Append("{\"a\":[1.5e3,\"\u00e9\"]}");
            byte[] bytes = Encoding.UTF8.GetBytes(json.Append(']').ToString());
            AssertParsesQuickly("containers", bytes, value => Assert.Equal(count, value.Items.Count));
        }

        [Fact]
        public void A_megabyte_long_number_parses_and_converts_in_linear_time()
        {
            string digits = "1" + new string('0', 1_000_000);
            byte[] bytes = Encoding.ASCII.GetBytes(digits + ".0e-1000000");
            AssertParsesQuickly("long number", bytes, value =>
            {
                var watch = Stopwatch.StartNew();
                Assert.True(value.TryGetInt64(out long one));
                Assert.Equal(1L, one);
                Assert.True(value.TryGetDouble(out double d));
                Assert.Equal(1d, d);
                Assert.True(watch.Elapsed < s_linearBound, "conversion took " + watch.Elapsed);
            });
        }
    }
}
