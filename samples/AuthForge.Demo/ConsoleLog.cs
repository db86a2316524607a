using System;
using System.Collections.Generic;
using System.Globalization;
using System.Linq;

namespace AuthForge.Demo
{
    /// <summary>
    /// The demo's output: one event a line, "time  topic  text", columns aligned so a run reads top to bottom like a
    /// log. Safe to call from any thread (heartbeat failures arrive on the thread pool).
    /// </summary>
    internal static class ConsoleLog
    {
        private const int TopicWidth = 10;
        private static readonly object s_gate = new();

        /// <summary>The indentation of a continuation line: under the text column of <see cref="Event"/>.</summary>
        private static readonly string s_continuation = new(' ', "HH:mm:ss.fff".Length + 2 + TopicWidth + 1);

        public static void Event(string topic, string text)
        {
            string time = DateTimeOffset.Now.ToString("HH:mm:ss.fff", CultureInfo.InvariantCulture);
            Write($"{time}  {topic.PadRight(TopicWidth)} {text}");
        }

        /// <summary>A line under the previous event's text, for details that belong to it.</summary>
        public static void Detail(string text) => Write(s_continuation + text);

        public static void Plain(string text = "") => Write(text);

        public static void Error(string text)
        {
            lock (s_gate)
            {
                Console.Error.WriteLine(text);
            }
        }

        /// <summary>Variables as <c>name=value</c> pairs in name order, or "(none)".</summary>
        public static string Describe(IReadOnlyDictionary<string, object?>? variables)
        {
            if (variables is null || variables.Count == 0)
            {
                return "(none)";
            }

            return string.Join(", ", variables.OrderBy(p => p.Key, StringComparer.Ordinal).Select(p => p.Key + "=" + DescribeValue(p.Value)));
        }

        /// <summary>The first characters of a long opaque value (hardware id, nonce), enough to tell two apart.</summary>
        public static string Short(string? value, int length = 12) =>
            value is null ? "(none)" : value.Length <= length ? value : value[..length] + "…";

        public static string Time(DateTimeOffset? instant) =>
            instant is { } at ? at.ToLocalTime().ToString("yyyy-MM-dd HH:mm:ss", CultureInfo.InvariantCulture) : "(not stated)";

        public static string Flag(bool? value) => value switch { true => "true", false => "false", null => "(absent)" };

        private static string DescribeValue(object? value) => value switch
        {
            null => "null",
            string text => "\"" + text + "\"",
            bool flag => flag ? "true" : "false",
            IFormattable number => number.ToString(null, CultureInfo.InvariantCulture),
            IReadOnlyDictionary<string, object?> nested => "{" + Describe(nested) + "}",
            IEnumerable<object?> items => "[" + string.Join(", ", items.Select(DescribeValue)) + "]",
            _ => value.ToString() ?? "",
        };

        private static void Write(string line)
        {
            lock (s_gate)
            {
                Console.WriteLine(line);
            }
        }
    }
}
