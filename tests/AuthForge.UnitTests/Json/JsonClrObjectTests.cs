using System.Collections.Generic;
using AuthForge;
using Xunit;

namespace AuthForge.Tests.JsonSection
{
    public class JsonClrObjectTests
    {
        private const string Variables =
            "{\"s\":\"text\",\"i\":42,\"big\":1.7404332E9,\"neg\":-7,\"d\":1.5,\"huge\":1e400,\"t\":true,\"f\":false,\"n\":null," +
            "\"l\":[1,\"two\",[3]],\"o\":{\"a\":1,\"A\":2}}";

        [Fact]
        public void Converts_each_kind_to_the_documented_CLR_type()
        {
            var map = Assert.IsType<Dictionary<string, object?>>(Json.Parse(Variables).ToClrObject());
            Assert.Same(System.StringComparer.Ordinal, map.Comparer);
            Assert.Equal("text", Assert.IsType<string>(map["s"]));
            Assert.Equal(42L, Assert.IsType<long>(map["i"]));
            Assert.Equal(1740433200L, Assert.IsType<long>(map["big"]));
            Assert.Equal(-7L, Assert.IsType<long>(map["neg"]));
            Assert.Equal(1.5, Assert.IsType<double>(map["d"]));
            Assert.Equal(double.PositiveInfinity, Assert.IsType<double>(map["huge"]));
            Assert.Equal(true, map["t"]);
            Assert.Equal(false, map["f"]);
            Assert.True(map.ContainsKey("n"));
            Assert.Null(map["n"]);
            var list = Assert.IsType<List<object?>>(map["l"]);
            Assert.Equal(new object?[] { 1L, "two" }, list.GetRange(0, 2));
            Assert.Equal(new object?[] { 3L }, Assert.IsType<List<object?>>(list[2]));
            var inner = Assert.IsType<Dictionary<string, object?>>(map["o"]);
            Assert.Equal(1L, inner["a"]);
            Assert.Equal(2L, inner["A"]);
            Assert.Equal(new[] { "s", "i", "big", "neg", "d", "huge", "t", "f", "n", "l", "o" }, map.Keys);
        }

        [Fact]
        public void Scalars_convert_directly()
        {
            Assert.Equal("x", Json.Parse("\"x\"").ToClrObject());
            Assert.Equal(5L, Json.Parse("5").ToClrObject());
            Assert.Equal(-0.5, Json.Parse("-0.5").ToClrObject());
            Assert.Equal(double.NegativeInfinity, Json.Parse("-1e400").ToClrObject());
            Assert.Null(Json.Parse("null").ToClrObject());
            Assert.Equal(true, Json.Parse("true").ToClrObject());
        }

        [Fact]
        public void Every_call_returns_an_independent_copy()
        {
            JsonValue value = Json.Parse(Variables);
            var first = (Dictionary<string, object?>)value.ToClrObject()!;
            var second = (Dictionary<string, object?>)value.ToClrObject()!;
            Assert.NotSame(first, second);
            Assert.NotSame(first["l"], second["l"]);
            Assert.NotSame(first["o"], second["o"]);

            first["s"] = "changed";
            first.Remove("i");
            ((List<object?>)first["l"]!).Clear();
            ((Dictionary<string, object?>)first["o"]!)["a"] = 99L;

            var third = (Dictionary<string, object?>)value.ToClrObject()!;
            foreach (var copy in new[] { second, third })
            {
                Assert.Equal("text", copy["s"]);
                Assert.Equal(42L, copy["i"]);
                Assert.Equal(3, ((List<object?>)copy["l"]!).Count);
                Assert.Equal(1L, ((Dictionary<string, object?>)copy["o"]!)["a"]);
            }
            Assert.Equal("text", value["s"]!.AsString());
            Assert.Equal(3, value["l"]!.Items.Count);
        }
    }
}
