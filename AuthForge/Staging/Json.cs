// STAGING: the JSON section of AuthForge.cs, developed here and merged into the single file.
using System;
using System.Collections.Generic;

namespace AuthForge
{
    internal enum JsonKind : byte { Null, False, True, Number, String, Array, Object }

    /// <summary>Malformed or over-limit JSON. The message names the position and the rule, never the input text.</summary>
    internal sealed class JsonFormatException : Exception
    {
        public JsonFormatException(string message, int position) : base(message) { Position = position; }
        public int Position { get; }
    }

    /// <summary>An immutable JSON value tree node.</summary>
    internal sealed class JsonValue
    {
        public static readonly JsonValue Null = null!;
        public static readonly JsonValue True = null!;
        public static readonly JsonValue False = null!;
        public JsonKind Kind => throw new NotImplementedException();
        /// <summary>The string's value for <see cref="JsonKind.String"/>; otherwise null.</summary>
        public string? AsString() => throw new NotImplementedException();
        /// <summary>A number literal with an integral value that fits in a long (e.g. 1740433200, 1.7404332E9); otherwise false.</summary>
        public bool TryGetInt64(out long value) => throw new NotImplementedException();
        public bool TryGetDouble(out double value) => throw new NotImplementedException();
        /// <summary>Member of an object by exact (ordinal) name; null when absent or when this is not an object.</summary>
        public JsonValue? this[string name] => throw new NotImplementedException();
        public IReadOnlyList<JsonValue> Items => throw new NotImplementedException();
        public IReadOnlyList<KeyValuePair<string, JsonValue>> Members => throw new NotImplementedException();
        /// <summary>A fresh CLR copy: string, long or double, bool, null, List, Dictionary (ordinal keys).</summary>
        public object? ToClrObject() => throw new NotImplementedException();
    }

    internal static class Json
    {
        public const int DefaultMaxDepth = 32;
        public static JsonValue Parse(byte[] utf8, int maxDepth = DefaultMaxDepth) => throw new NotImplementedException();
        public static JsonValue Parse(string text, int maxDepth = DefaultMaxDepth) => throw new NotImplementedException();
    }

    /// <summary>Compact JSON text, built front to back.</summary>
    internal sealed class JsonWriter
    {
        public JsonWriter BeginObject() => throw new NotImplementedException();
        public JsonWriter EndObject() => throw new NotImplementedException();
        public JsonWriter Property(string name, string? value) => throw new NotImplementedException();
        public JsonWriter Property(string name, long value) => throw new NotImplementedException();
        public JsonWriter Property(string name, bool value) => throw new NotImplementedException();
        public override string ToString() => throw new NotImplementedException();
    }
}
