using System.Collections.Generic;
using System.Text;
using AuthForge;
using Xunit;
using static AuthForge.Tests.JsonSection.JsonTestUtil;

namespace AuthForge.Tests.JsonSection
{
    public class JsonGrammarTests
    {
        [Theory]
        [InlineData("true", "true", "True")]
        [InlineData("false", "false", "False")]
        [InlineData("null", "null", "Null")]
        [InlineData("zero", "0", "Number")]
        [InlineData("negative zero", "-0", "Number")]
        [InlineData("fraction", "-12.50", "Number")]
        [InlineData("exponent", "1e5", "Number")]
        [InlineData("exponent with sign and capital E", "1E+05", "Number")]
        [InlineData("negative exponent on zero fraction", "0.0e-5", "Number")]
        [InlineData("empty string", "\"\"", "String")]
        [InlineData("empty array", "[]", "Array")]
        [InlineData("empty object", "{}", "Object")]
        [InlineData("empty containers with inner whitespace", "[ {\t} , [\n] ]", "Array")]
        [InlineData("all four whitespace characters around", " \t\r\n{\"a\" : [ 1 , 2 ] }\r\n\t ", "Object")]
        [InlineData("nested", "[{\"a\":[1,{\"b\":null}],\"c\":\"d\"},[]]", "Array")]
        [InlineData("empty member name", "{\"\":1}", "Object")]
        [InlineData("escaped NUL is allowed", "\"\\u0000\"", "String")]
        public void Accepts_valid_documents(string name, string json, string kind)
        {
            Assert.NotNull(name);
            Assert.Equal(kind, Json.Parse(json).Kind.ToString());
            Assert.Equal(kind, Json.Parse(Encoding.UTF8.GetBytes(json)).Kind.ToString());
        }

        [Theory]
        [InlineData("all simple escapes", "\"\\\" \\\\ \\/ \\b \\f \\n \\r \\t\"", "\" \\ / \b \f \n \r \t")]
        [InlineData("unicode escapes in both cases of hex", "\"\\u0041\\u00e9\\u00E9\\u20AC\"", "A\u00e9\u00e9\u20ac")]
        [InlineData("surrogate pair escape", "\"\\ud83d\\ude00\"", "\U0001F600")]
        [InlineData("surrogate pair escape in upper case", "\"\\uD83D\\uDE00x\"", "\U0001F600x")]
        [InlineData("raw non-ASCII", "\"\u00e9\u20ac\U0001F600\"", "\u00e9\u20ac\U0001F600")]
        [InlineData("escapes between plain text", "\"ab\\ncd\\\\ef\"", "ab\ncd\\ef")]
        [InlineData("DEL and U+2028 are plain characters", "\"\u007f\u2028\"", "\u007f\u2028")]
        public void Decodes_strings(string name, string json, string expected)
        {
            Assert.NotNull(name);
            Assert.Equal(expected, Json.Parse(json).AsString());
            Assert.Equal(expected, Json.Parse(Encoding.UTF8.GetBytes(json)).AsString());
        }

        [Fact]
        public void A_long_string_that_outgrows_the_scratch_buffer_decodes_exactly()
        {
            var expected = new StringBuilder();
            var json = new StringBuilder("\"");
            for (int i = 0; i < 5000; i++)
            {
                expected.Append("x\u00e9\U0001F600\n");
                json.Append("x\u00e9\U0001F600\\n");
            }
            json.Append('"');
            Assert.Equal(expected.ToString(), Json.Parse(json.ToString()).AsString());
        }

        [Theory]
        // empty and whitespace
        [InlineData("empty input", "", 0)]
        [InlineData("whitespace only", " \t\r\n", 4)]
        [InlineData("form feed is not whitespace", "\f1", 0)]
        [InlineData("vertical tab is not whitespace", "\v1", 0)]
        [InlineData("no-break space is not whitespace", "\u00a01", 0)]
        [InlineData("byte order mark", "\ufeff1", 0)]
        // numbers
        [InlineData("leading zero", "01", 0)]
        [InlineData("negative leading zero", "-01", 0)]
        [InlineData("leading plus", "+1", 0)]
        [InlineData("no integer part", ".5", 0)]
        [InlineData("negative without integer part", "-.5", 1)]
        [InlineData("nothing after the decimal point", "1.", 2)]
        [InlineData("exponent right after the decimal point", "1.e5", 2)]
        [InlineData("minus alone", "-", 1)]
        [InlineData("exponent without digits", "1e", 2)]
        [InlineData("signed exponent without digits", "1e+", 3)]
        [InlineData("NaN", "NaN", 0)]
        [InlineData("Infinity", "Infinity", 0)]
        [InlineData("negative Infinity", "-Infinity", 1)]
        [InlineData("hex number", "0x1F", 1)]
        [InlineData("leading zero inside an array", "[00]", 1)]
        // literals
        [InlineData("capitalised literal", "True", 0)]
        [InlineData("truncated literal", "tru", 0)]
        [InlineData("misspelt literal", "nul1", 0)]
        [InlineData("literal with trailing letters", "truex", 4)]
        // trailing data and multiple values
        [InlineData("two values", "1 2", 2)]
        [InlineData("two objects", "{}{}", 2)]
        [InlineData("garbage after the value", "{\"a\":1} x", 8)]
        [InlineData("NUL after the value", "1\u0000", 1)]
        // structure
        [InlineData("trailing comma in array", "[1,]", 3)]
        [InlineData("trailing comma in object", "{\"a\":1,}", 7)]
        [InlineData("leading comma in array", "[,1]", 1)]
        [InlineData("missing comma in array", "[1 2]", 3)]
        [InlineData("missing comma in object", "{\"a\":1 \"b\":2}", 7)]
        [InlineData("unquoted member name", "{a:1}", 1)]
        [InlineData("single-quoted string", "'a'", 0)]
        [InlineData("number as member name", "{1:1}", 1)]
        [InlineData("missing colon", "{\"a\" 1}", 5)]
        [InlineData("missing member value", "{\"a\":}", 5)]
        [InlineData("colon in an array", "[1:2]", 2)]
        [InlineData("mismatched brackets", "[1}", 2)]
        [InlineData("unterminated array", "[1,2", 4)]
        [InlineData("unterminated object", "{\"a\":1", 6)]
        [InlineData("unterminated object after a member name", "{\"a\"", 4)]
        [InlineData("block comment", "/*c*/1", 0)]
        [InlineData("line comment after value", "1//c", 1)]
        // strings
        [InlineData("unterminated string", "\"abc", 0)]
        [InlineData("unterminated string ending in a backslash", "\"abc\\", 4)]
        [InlineData("raw control character", "\"a\u0001b\"", 2)]
        [InlineData("raw tab in a string", "\"a\tb\"", 2)]
        [InlineData("raw newline in a string", "\"a\nb\"", 2)]
        [InlineData("raw NUL in a string", "\"a\u0000b\"", 2)]
        [InlineData("unknown escape", "\"a\\xb\"", 2)]
        [InlineData("escaped single quote", "\"\\'\"", 1)]
        [InlineData("upper-case U escape", "\"\\U0041\"", 1)]
        [InlineData("short \\u escape", "\"\\u12\"", 1)]
        [InlineData("\\u escape cut by end of input", "\"\\u12", 1)]
        [InlineData("non-hex digit in \\u escape", "\"\\u12G4\"", 1)]
        [InlineData("lone high surrogate escape", "\"\\ud800\"", 1)]
        [InlineData("high surrogate escape followed by text", "\"\\ud800abcdef\"", 1)]
        [InlineData("high surrogate escape followed by a simple escape", "\"\\ud800\\n\"", 1)]
        [InlineData("two high surrogate escapes", "\"\\ud800\\ud800\"", 1)]
        [InlineData("lone low surrogate escape", "\"\\udc00\"", 1)]
        [InlineData("reversed surrogate pair escape", "\"\\udc00\\ud800\"", 1)]
        [InlineData("high surrogate escape then bad hex", "\"\\ud800\\uzzzz\"", 7)]
        [InlineData("lone surrogate in a member name", "{\"\\udfff\":1}", 2)]
        public void Rejects_invalid_documents(string name, string json, int position)
        {
            Assert.NotNull(name);
            JsonFormatException error = AssertRejected(json);
            Assert.Equal(position, error.Position);
        }

        // Attribute strings cannot carry lone surrogates (metadata stores them as UTF-8), so H and L stand for them.
        [Theory]
        [InlineData("lone high surrogate", "\"aH\"", 2)]
        [InlineData("lone low surrogate", "\"L\"", 1)]
        [InlineData("reversed pair after a two-byte character", "[\"\u00e9LH\"]", 4)]
        [InlineData("high surrogate at the end", "\"H", 1)]
        public void Rejects_strings_with_unpaired_UTF16_surrogates(string name, string pattern, int bytePosition)
        {
            Assert.NotNull(name);
            string text = pattern.Replace("H", "\ud800", System.StringComparison.Ordinal).Replace("L", "\udc00", System.StringComparison.Ordinal);
            var error = Assert.Throws<JsonFormatException>(() => Json.Parse(text));
            Assert.Equal(bytePosition, error.Position);
        }

        [Fact]
        public void A_well_formed_surrogate_pair_in_a_string_input_is_accepted()
        {
            Assert.Equal("\ud83d\ude00", Json.Parse("\"\ud83d\ude00\"").AsString());
        }

        [Fact]
        public void Null_arguments_and_negative_depth_are_argument_errors()
        {
            Assert.Throws<System.ArgumentNullException>(() => Json.Parse((string)null!));
            Assert.Throws<System.ArgumentNullException>(() => Json.Parse((byte[])null!));
            Assert.Throws<System.ArgumentOutOfRangeException>(() => Json.Parse("1", -1));
            Assert.Throws<System.ArgumentOutOfRangeException>(() => Json.Parse(new byte[] { (byte)'1' }, -1));
        }

        [Fact]
        public void Literals_are_the_shared_singletons()
        {
            JsonValue array = Json.Parse("[true,false,null]");
            Assert.Same(JsonValue.True, array.Items[0]);
            Assert.Same(JsonValue.False, array.Items[1]);
            Assert.Same(JsonValue.Null, array.Items[2]);
            Assert.Equal(JsonKind.True, JsonValue.True.Kind);
            Assert.Equal(JsonKind.False, JsonValue.False.Kind);
            Assert.Equal(JsonKind.Null, JsonValue.Null.Kind);
        }

        [Fact]
        public void Accessors_return_empty_or_null_for_other_kinds()
        {
            JsonValue number = Json.Parse("5");
            Assert.Null(number.AsString());
            Assert.Null(number["a"]);
            Assert.Empty(number.Items);
            Assert.Empty(number.Members);
            JsonValue text = Json.Parse("\"5\"");
            Assert.Null(text.AsNumberLiteral());
            Assert.False(text.TryGetInt64(out _));
            Assert.False(text.TryGetDouble(out _));
            Assert.Empty(Json.Parse("{\"a\":1}").Items);
            Assert.Empty(Json.Parse("[1]").Members);
        }

        [Fact]
        public void The_tree_cannot_be_modified_through_its_lists()
        {
            JsonValue value = Json.Parse("{\"a\":[1,2]}");
            IReadOnlyList<JsonValue> items = value["a"]!.Items;
            Assert.False(items is JsonValue[]);
            var asList = Assert.IsAssignableFrom<IList<JsonValue>>(items);
            Assert.True(asList.IsReadOnly);
            Assert.Throws<System.NotSupportedException>(() => asList[0] = JsonValue.Null);
            var members = Assert.IsAssignableFrom<IList<KeyValuePair<string, JsonValue>>>(value.Members);
            Assert.Throws<System.NotSupportedException>(() => members[0] = new KeyValuePair<string, JsonValue>("a", JsonValue.Null));
            Assert.Equal("1", value["a"]!.Items[0].AsNumberLiteral());
        }
    }
}
