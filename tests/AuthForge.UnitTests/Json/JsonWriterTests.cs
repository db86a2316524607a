using System;
using System.Text;
using AuthForge;
using Xunit;

namespace AuthForge.Tests.JsonSection
{
    public class JsonWriterTests
    {
        [Fact]
        public void Writes_compact_objects()
        {
            string json = new JsonWriter().BeginObject()
                .Property("appId", "app")
                .Property("ttlSeconds", 86400L)
                .Property("revokeLicense", false)
                .Property("blacklistHwid", true)
                .Property("missing", (string?)null)
                .EndObject().ToString();
            Assert.Equal("{\"appId\":\"app\",\"ttlSeconds\":86400,\"revokeLicense\":false,\"blacklistHwid\":true,\"missing\":null}", json);
            Assert.Equal("{}", new JsonWriter().BeginObject().EndObject().ToString());
        }

        [Fact]
        public void Writes_nested_objects_and_the_extreme_integers()
        {
            string json = new JsonWriter().BeginObject()
                .BeginObject("e").EndObject()
                .BeginObject("o").Property("b", -1).BeginObject("p").Property("s", "x").EndObject().EndObject()
                .Property("min", long.MinValue)
                .Property("max", long.MaxValue)
                .EndObject().ToString();
            Assert.Equal("{\"e\":{},\"o\":{\"b\":-1,\"p\":{\"s\":\"x\"}},\"min\":-9223372036854775808,\"max\":9223372036854775807}", json);
        }

        [Theory]
        [InlineData("quote", "a\"b", "\"a\\\"b\"")]
        [InlineData("backslash", "a\\b", "\"a\\\\b\"")]
        [InlineData("NUL", "\u0000", "\"\\u0000\"")]
        [InlineData("newline and tab", "\n\t", "\"\\u000a\\u0009\"")]
        [InlineData("unit separator", "\u001f", "\"\\u001f\"")]
        [InlineData("slash is not escaped", "a/b", "\"a/b\"")]
        [InlineData("space and DEL are not escaped", " \u007f", "\" \u007f\"")]
        [InlineData("non-ASCII is written as is", "\u00e9\u2028\U0001F600", "\"\u00e9\u2028\U0001F600\"")]
        [InlineData("escape at both ends", "\"x\"", "\"\\\"x\\\"\"")]
        public void Escapes_what_JSON_requires(string name, string value, string expected)
        {
            Assert.NotNull(name);
            Assert.Equal("{" + expected + ":" + expected + "}", new JsonWriter().BeginObject().Property(value, value).EndObject().ToString());
        }

        [Fact]
        public void Unpaired_surrogates_are_refused()
        {
            Assert.Throws<ArgumentException>(() => new JsonWriter().BeginObject().Property("k", "a\ud800"));
            Assert.Throws<ArgumentException>(() => new JsonWriter().BeginObject().Property("k", "\udc00a"));
            Assert.Throws<ArgumentException>(() => new JsonWriter().BeginObject().Property("\ud800\ud800", 1));
        }

        [Fact]
        public void Misuse_throws_InvalidOperationException()
        {
            Assert.Throws<InvalidOperationException>(() => new JsonWriter().Property("a", "b"));
            Assert.Throws<InvalidOperationException>(() => new JsonWriter().BeginObject().BeginObject());
            Assert.Throws<InvalidOperationException>(() => new JsonWriter().EndObject());
            Assert.Throws<InvalidOperationException>(() => new JsonWriter().BeginObject().EndObject().EndObject());
            Assert.Throws<InvalidOperationException>(() => new JsonWriter().BeginObject().EndObject().BeginObject());
            Assert.Throws<InvalidOperationException>(() => new JsonWriter().BeginObject().EndObject().Property("a", true));
            Assert.Throws<InvalidOperationException>(() => new JsonWriter().ToString());
            Assert.Throws<InvalidOperationException>(() => new JsonWriter().BeginObject().Property("a", 1L).ToString());
            Assert.Throws<ArgumentNullException>(() => new JsonWriter().BeginObject().Property(null!, 1L));
        }

        [Fact]
        public void Writer_to_reader_round_trip_preserves_every_character()
        {
            var all = new StringBuilder();
            for (int c = 0; c < 0xD800; c++) all.Append((char)c);
            all.Append("\U0001F600\U0010FFFF\ue000\uffff");
            string text = all.ToString();
            string json = new JsonWriter().BeginObject()
                .Property(text, text)
                .Property("n", long.MinValue)
                .Property("t", true)
                .Property("z", (string?)null)
                .EndObject().ToString();
            JsonValue parsed = Json.Parse(Encoding.UTF8.GetBytes(json));
            Assert.Equal(text, parsed[text]!.AsString());
            Assert.True(parsed["n"]!.TryGetInt64(out long n));
            Assert.Equal(long.MinValue, n);
            Assert.Same(JsonValue.True, parsed["t"]);
            Assert.Same(JsonValue.Null, parsed["z"]);
        }

        [Fact]
        public void Reader_to_writer_round_trip_is_canonical_and_keeps_number_literals()
        {
            const string input = " { \"b\" : [ 1.50E+3 , -0 , \"\\u0041\\/\\n\" , { } , [ ] , null , false ] , \"a\" : { \"x\" : true } } ";
            const string compact = "{\"b\":[1.50E+3,-0,\"A/\\u000a\",{},[],null,false],\"a\":{\"x\":true}}";
            JsonValue value = Json.Parse(input);
            Assert.Equal(compact, JsonTreeText.Write(value));
            Assert.Equal(compact, JsonTreeText.Write(Json.Parse(compact)));
            Assert.Equal("[1,2]", JsonTreeText.Write(Json.Parse("[ 1 , 2 ]")));
        }
    }
}
