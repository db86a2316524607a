using System.Collections.Generic;
using System.Text;

namespace AuthForge.Tests
{
    /// <summary>
    /// A parsed tree as compact JSON text, for the tests' round trips (the client never writes a tree: it writes
    /// request bodies and store records property by property). Iterative, so a 100,000-deep tree is written without
    /// recursion; strings are escaped by the product's <see cref="JsonWriter"/>, numbers keep their literal.
    /// </summary>
    internal static class JsonTreeText
    {
        public static string Write(JsonValue root)
        {
            var text = new StringBuilder();
            if (root.Kind != JsonKind.Array && root.Kind != JsonKind.Object)
            {
                WriteScalar(text, root);
                return text.ToString();
            }
            var stack = new List<KeyValuePair<JsonValue, int>>(); // container, index of its next entry
            text.Append(root.Kind == JsonKind.Array ? '[' : '{');
            stack.Add(new KeyValuePair<JsonValue, int>(root, 0));
            while (stack.Count > 0)
            {
                int top = stack.Count - 1;
                JsonValue node = stack[top].Key;
                int next = stack[top].Value;
                bool isArray = node.Kind == JsonKind.Array;
                int count = isArray ? node.ItemArray.Length : node.MemberArray.Length;
                if (next == count)
                {
                    text.Append(isArray ? ']' : '}');
                    stack.RemoveAt(top);
                    continue;
                }
                if (next > 0) text.Append(',');
                JsonValue child;
                if (isArray)
                {
                    child = node.ItemArray[next];
                }
                else
                {
                    text.Append(Quote(node.MemberArray[next].Key)).Append(':');
                    child = node.MemberArray[next].Value;
                }
                stack[top] = new KeyValuePair<JsonValue, int>(node, next + 1);
                if (child.Kind == JsonKind.Array || child.Kind == JsonKind.Object)
                {
                    text.Append(child.Kind == JsonKind.Array ? '[' : '{');
                    stack.Add(new KeyValuePair<JsonValue, int>(child, 0));
                }
                else
                {
                    WriteScalar(text, child);
                }
            }
            return text.ToString();
        }

        private static void WriteScalar(StringBuilder text, JsonValue value)
        {
            switch (value.Kind)
            {
                case JsonKind.Null: text.Append("null"); break;
                case JsonKind.True: text.Append("true"); break;
                case JsonKind.False: text.Append("false"); break;
                case JsonKind.Number: text.Append(value.AsNumberLiteral()); break;
                case JsonKind.String: text.Append(Quote(value.AsString()!)); break;
            }
        }

        // The product writer's quoting of a string: {"<quoted>":null} less the braces and the value.
        private static string Quote(string value)
        {
            string json = new JsonWriter().BeginObject().Property(value, (string?)null).EndObject().ToString();
            return json.Substring(1, json.Length - 1 - ":null}".Length);
        }
    }
}
