using System.Collections.Generic;
using System.Linq;
using System.Text;
using AuthForge;
using Xunit;
using static AuthForge.Tests.JsonSection.JsonTestUtil;

namespace AuthForge.Tests.JsonSection
{
    public class JsonObjectTests
    {
        private static string ObjectWithMembers(int count, string? extraName = null)
        {
            var json = new StringBuilder("{");
            for (int i = 0; i < count; i++) json.Append(i == 0 ? "" : ",").Append("\"k").Append(i).Append("\":").Append(i);
            if (extraName != null) json.Append(",\"").Append(extraName).Append("\":true");
            return json.Append('}').ToString();
        }

        [Theory]
        [InlineData("adjacent", "{\"nonce\":\"a\",\"nonce\":\"b\"}", 13)]
        [InlineData("separated", "{\"nonce\":1,\"x\":2,\"nonce\":3}", 17)]
        [InlineData("different value types", "{\"a\":null,\"a\":{}}", 10)]
        [InlineData("same name spelt with an escape", "{\"nonce\":1,\"non\\u0063e\":2}", 11)]
        [InlineData("same name spelt with a surrogate pair escape", "{\"\U0001F600\":1,\"\\ud83d\\ude00\":2}", 10)]
        [InlineData("empty names", "{\"\":1,\"\":2}", 6)]
        [InlineData("in a nested object", "[{\"a\":{\"b\":1,\"b\":2}}]", 13)]
        public void Duplicate_member_names_are_rejected(string name, string json, int position)
        {
            Assert.NotNull(name);
            JsonFormatException error = AssertRejected(json);
            Assert.Equal(position, error.Position);
            Assert.Contains("duplicate", error.Message, System.StringComparison.Ordinal);
        }

        [Theory]
        [InlineData(JsonValue.IndexThreshold - 1)]
        [InlineData(JsonValue.IndexThreshold)]
        [InlineData(JsonValue.IndexThreshold + 1)]
        [InlineData(1000)]
        public void Duplicates_are_found_below_at_and_beyond_the_index_threshold(int count)
        {
            for (int duplicateOf = 0; duplicateOf < count; duplicateOf += System.Math.Max(1, count / 7))
            {
                string json = ObjectWithMembers(count, "k" + duplicateOf);
                AssertRejected(json);
            }
            Assert.Equal(JsonKind.Object, Json.Parse(ObjectWithMembers(count, "k" + count)).Kind);
        }

        [Fact]
        public void Names_that_differ_only_by_case_or_nesting_are_not_duplicates()
        {
            JsonValue value = Json.Parse("{\"a\":1,\"A\":2,\"o\":{\"a\":3},\"l\":[{\"a\":4},{\"a\":5}]}");
            Assert.Equal("1", value["a"]!.AsNumberLiteral());
            Assert.Equal("2", value["A"]!.AsNumberLiteral());
            Assert.Equal("3", value["o"]!["a"]!.AsNumberLiteral());
            Assert.Equal("5", value["l"]!.Items[1]["a"]!.AsNumberLiteral());
        }

        [Theory]
        [InlineData(3)]
        [InlineData(JsonValue.IndexThreshold)]
        [InlineData(JsonValue.IndexThreshold + 1)]
        [InlineData(5000)]
        public void Lookup_is_ordinal_and_finds_every_member(int count)
        {
            JsonValue value = Json.Parse(ObjectWithMembers(count));
            Assert.Equal(count, value.Members.Count);
            for (int i = 0; i < count; i++)
            {
                Assert.Equal("k" + i, value.Members[i].Key);
                Assert.True(value["k" + i]!.TryGetInt64(out long n));
                Assert.Equal(i, n);
            }
            Assert.Null(value["K0"]);
            Assert.Null(value["k" + count]);
            Assert.Null(value["k0 "]);
            Assert.Null(value[""]);
            Assert.Throws<System.ArgumentNullException>(() => value[null!]);
        }

        [Fact]
        public void Objects_on_both_sides_of_the_index_threshold_reject_duplicates_and_support_lookup()
        {
            Assert.Throws<JsonFormatException>(() => Json.Parse("{\"a\":true,\"a\":false}"));
            string members = string.Join(",", Enumerable.Range(0, 100).Select(i => "\"m" + i + "\":" + i));
            JsonValue built = Json.Parse("{" + members + "}");
            Assert.Equal("57", built["m57"]!.AsNumberLiteral());
            Assert.Equal(100, built.Members.Count);
            Assert.Throws<JsonFormatException>(() => Json.Parse("{" + members + ",\"m3\":null}"));
        }
    }
}
