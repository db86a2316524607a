using System;
using AuthForge;
using Xunit;
using static AuthForge.Tests.JsonSection.JsonTestUtil;

namespace AuthForge.Tests.JsonSection
{
    public class JsonUtf8Tests
    {
        [Theory]
        [InlineData("two-byte minimum U+0080", "C2 80", "\u0080")]
        [InlineData("two-byte é", "C3 A9", "\u00e9")]
        [InlineData("two-byte maximum U+07FF", "DF BF", "\u07ff")]
        [InlineData("three-byte minimum U+0800", "E0 A0 80", "\u0800")]
        [InlineData("euro sign", "E2 82 AC", "\u20ac")]
        [InlineData("last before surrogates U+D7FF", "ED 9F BF", "\ud7ff")]
        [InlineData("first after surrogates U+E000", "EE 80 80", "\ue000")]
        [InlineData("noncharacter U+FFFF is still valid UTF-8", "EF BF BF", "\uffff")]
        [InlineData("four-byte minimum U+10000", "F0 90 80 80", "\U00010000")]
        [InlineData("emoji", "F0 9F 98 80", "\U0001F600")]
        [InlineData("maximum U+10FFFF", "F4 8F BF BF", "\U0010FFFF")]
        [InlineData("mixed with ASCII", "61 C3 A9 62 F0 9F 98 80 63", "a\u00e9b\U0001F600c")]
        public void Valid_UTF8_in_strings_decodes(string name, string hex, string expected)
        {
            Assert.NotNull(name);
            Assert.Equal(expected, Json.Parse(Quoted(Hex(hex))).AsString());
            Assert.Equal(expected, Json.Parse("{\"" + expected + "\":0}").Members[0].Key);
        }

        [Theory]
        [InlineData("overlong slash, two bytes", "C0 AF")]
        [InlineData("overlong, C1 lead", "C1 BF")]
        [InlineData("overlong slash, three bytes", "E0 80 AF")]
        [InlineData("overlong U+07FF in three bytes", "E0 9F BF")]
        [InlineData("overlong slash, four bytes", "F0 80 80 AF")]
        [InlineData("overlong U+FFFF in four bytes", "F0 8F BF BF")]
        [InlineData("encoded high surrogate U+D800", "ED A0 80")]
        [InlineData("encoded low surrogate U+DFFF", "ED BF BF")]
        [InlineData("encoded surrogate pair (CESU-8)", "ED A0 BD ED B8 80")]
        [InlineData("above U+10FFFF", "F4 90 80 80")]
        [InlineData("F5 lead byte", "F5 80 80 80")]
        [InlineData("five-byte form", "F8 88 80 80 80")]
        [InlineData("FE byte", "FE")]
        [InlineData("FF byte", "FF")]
        [InlineData("lone continuation byte", "80")]
        [InlineData("continuation after ASCII", "61 BF")]
        [InlineData("truncated two-byte", "C3")]
        [InlineData("truncated three-byte", "E2 82")]
        [InlineData("truncated four-byte", "F0 9F 98")]
        [InlineData("truncated then ASCII", "E2 82 41")]
        [InlineData("lead byte then lead byte", "C3 C3 A9")]
        public void Invalid_UTF8_in_strings_is_rejected(string name, string hex)
        {
            Assert.NotNull(name);
            byte[] body = Hex(hex);
            var error = Assert.Throws<JsonFormatException>(() => Json.Parse(Quoted(body)));
            Assert.InRange(error.Position, 1, body.Length);
            Assert.Contains("UTF-8", error.Message, StringComparison.Ordinal);
            // The same bytes as a member name.
            byte[] inName = Concat("{"u8.ToArray(), Quoted(body), ":0}"u8.ToArray());
            Assert.Throws<JsonFormatException>(() => Json.Parse(inName));
        }

        [Fact]
        public void Truncated_sequence_at_the_end_of_input_is_rejected()
        {
            Assert.Throws<JsonFormatException>(() => Json.Parse(Hex("22 F0 9F 98")));
            Assert.Throws<JsonFormatException>(() => Json.Parse(Hex("22 C3")));
        }

        [Theory]
        [InlineData("non-ASCII before a value", "C3 A9 31")]
        [InlineData("non-ASCII after a value", "31 C3 A9")]
        [InlineData("non-ASCII between array items", "5B 31 2C C2 A0 32 5D")]
        public void Non_ASCII_outside_strings_is_rejected(string name, string hex)
        {
            Assert.NotNull(name);
            Assert.Throws<JsonFormatException>(() => Json.Parse(Hex(hex)));
        }

        [Fact]
        public void A_leading_byte_order_mark_is_rejected()
        {
            var error = Assert.Throws<JsonFormatException>(() => Json.Parse(Hex("EF BB BF 7B 7D")));
            Assert.Equal(0, error.Position);
            Assert.Equal(JsonKind.Object, Json.Parse(Hex("7B 7D")).Kind);
        }
    }
}
