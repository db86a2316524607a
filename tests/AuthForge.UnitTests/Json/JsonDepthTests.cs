using System.Text;
using AuthForge;
using Xunit;
using static AuthForge.Tests.JsonSection.JsonTestUtil;

namespace AuthForge.Tests.JsonSection
{
    public class JsonDepthTests
    {
        private static string Arrays(int depth) => new string('[', depth) + new string(']', depth);

        private static string Mixed(int depth)
        {
            var open = new StringBuilder();
            var close = new StringBuilder();
            for (int i = 0; i < depth; i++)
            {
                if (i % 2 == 0) { open.Append("{\"k\":"); close.Insert(0, '}'); }
                else { open.Append("[1,"); close.Insert(0, ']'); }
            }
            return open.Append("0").Append(close).ToString();
        }

        [Theory]
        [InlineData(1)]
        [InlineData(2)]
        [InlineData(Json.DefaultMaxDepth)]
        [InlineData(100)]
        public void Nesting_exactly_at_the_limit_parses_and_one_more_fails(int maxDepth)
        {
            Assert.Equal(JsonKind.Array, Json.Parse(Arrays(maxDepth), maxDepth).Kind);
            Assert.Equal(JsonKind.Object, Json.Parse(Mixed(maxDepth), maxDepth).Kind);
            JsonFormatException error = AssertRejected(Arrays(maxDepth + 1), maxDepth);
            Assert.Equal(maxDepth, error.Position); // the bracket that goes one level too deep
            AssertRejected(Mixed(maxDepth + 1), maxDepth);
        }

        [Fact]
        public void The_default_limit_is_32()
        {
            Assert.Equal(32, Json.DefaultMaxDepth);
            Json.Parse(Arrays(32));
            AssertRejected(Arrays(33));
            AssertRejected("{\"a\":" + Arrays(32) + "}");
        }

        [Fact]
        public void Depth_zero_allows_only_scalars()
        {
            Assert.Equal("1", Json.Parse("1", 0).AsNumberLiteral());
            AssertRejected("[]", 0);
            AssertRejected("{}", 0);
        }

        [Fact]
        public void Depth_counts_open_containers_not_total_containers()
        {
            var wide = new StringBuilder("[");
            for (int i = 0; i < 1000; i++) wide.Append(i == 0 ? "" : ",").Append("[[]]");
            Assert.Equal(1000, Json.Parse(wide.Append(']').ToString(), 3).Items.Count);
        }

        [Fact]
        public void Hundred_thousand_deep_input_fails_cleanly_under_the_default_limit()
        {
            AssertRejected(new string('[', 100_000));
            AssertRejected(Arrays(100_000));
            var objects = new StringBuilder();
            for (int i = 0; i < 100_000; i++) objects.Append("{\"a\":");
            AssertRejected(objects.ToString());
        }

        [Fact]
        public void Hundred_thousand_deep_input_parses_copies_and_writes_without_recursion_when_allowed()
        {
            const int depth = 100_000;
            JsonValue value = Json.Parse(Arrays(depth), int.MaxValue);
            object? copy = value.ToClrObject();
            int seen = 0;
            while (copy is System.Collections.Generic.List<object?> list)
            {
                seen++;
                copy = list.Count == 0 ? null : list[0];
            }
            Assert.Equal(depth, seen);
            Assert.Equal(Arrays(depth), JsonTreeText.Write(value));
        }
    }
}
