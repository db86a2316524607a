using System;
using System.Buffers;
using System.Collections.Generic;
using System.Globalization;
using System.Text.Encodings.Web;
using System.Text.Json;

namespace AuthForge.DevServer
{
    /// <summary>Compact JSON writing shared by the server: no spaces, and no needless \u escapes.</summary>
    internal static class JsonText
    {
        /// <summary>
        /// Writer settings for everything the server sends. The relaxed encoder keeps text such as <c>+</c> or
        /// non-ASCII letters readable, as a JavaScript server would send it; JSON stays valid either way.
        /// </summary>
        public static readonly JsonWriterOptions WriterOptions = new()
        {
            Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping,
            Indented = false,
        };

        private static readonly JsonSerializerOptions s_serializerOptions = new()
        {
            Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping,
            WriteIndented = false,
        };

        /// <summary>Runs <paramref name="write"/> against a fresh writer and returns the UTF-8 bytes written.</summary>
        public static byte[] Write<TState>(TState state, Action<Utf8JsonWriter, TState> write)
        {
            var buffer = new ArrayBufferWriter<byte>(256);
            using (var writer = new Utf8JsonWriter(buffer, WriterOptions))
            {
                write(writer, state);
            }

            return buffer.WrittenSpan.ToArray();
        }

        /// <summary>
        /// Serializes a variables dictionary to compact JSON once, so each response can copy it as raw text.
        /// Null or empty is <c>{}</c>.
        /// </summary>
        /// <exception cref="ArgumentException">A value cannot be serialized.</exception>
        public static string SerializeVariables(IDictionary<string, object?>? variables, string paramName)
        {
            if (variables is null || variables.Count == 0)
            {
                return "{}";
            }

            try
            {
                return JsonSerializer.Serialize(variables, s_serializerOptions);
            }
            catch (Exception e) when (e is NotSupportedException or JsonException or InvalidOperationException)
            {
                throw new ArgumentException("The variables cannot be serialized as JSON: " + e.Message, paramName, e);
            }
        }

        /// <summary>ISO-8601 UTC with milliseconds, as JavaScript's <c>toISOString()</c> writes it.</summary>
        public static string IsoTime(DateTimeOffset time)
        {
            return time.UtcDateTime.ToString("yyyy-MM-dd'T'HH:mm:ss.fff'Z'", CultureInfo.InvariantCulture);
        }
    }
}
