using System.Collections.Generic;
using System.Collections.ObjectModel;

namespace AuthForge.Tests
{
    /// <summary>
    /// Read-only views of a parsed JSON tree that only the tests need (the client reads members by name and never
    /// enumerates a tree): an array's items, an object's members in document order, a number as a double.
    /// </summary>
    internal static class JsonValueViews
    {
        extension(JsonValue value)
        {
            /// <summary>An array's items in order; empty for every other kind. Read-only: no cast mutates the tree.</summary>
            public IReadOnlyList<JsonValue> Items => new ReadOnlyCollection<JsonValue>(value.ItemArray);

            /// <summary>An object's members in document order (names are unique); empty for every other kind.</summary>
            public IReadOnlyList<KeyValuePair<string, JsonValue>> Members =>
                new ReadOnlyCollection<KeyValuePair<string, JsonValue>>(value.MemberArray);

            /// <summary>A number whose value is finite as a double (rounded to nearest); otherwise false (e.g. 1e400, or
            /// not a number).</summary>
            public bool TryGetDouble(out double result)
            {
                result = 0;
                string? literal = value.AsNumberLiteral();
                if (literal is null) return false;
                if (!JsonNumber.TryParseDouble(literal, out double parsed) || double.IsInfinity(parsed) || double.IsNaN(parsed))
                    return false;
                result = parsed;
                return true;
            }
        }
    }
}
