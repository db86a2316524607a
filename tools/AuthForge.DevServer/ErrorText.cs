using System;
using System.Globalization;
using System.Text.Json;

namespace AuthForge.DevServer
{
    /// <summary>
    /// Turns exceptions into the one sentence a person reads in an admin answer or on the command line, without the
    /// runtime's internals ("Parameter 'x'", "Actual value was", "LineNumber: 0 | BytePositionInLine: 1").
    /// </summary>
    internal static class ErrorText
    {
        public static string Of(Exception exception) => exception switch
        {
            JsonException json => Json(json),
            ArgumentException argument => Argument(argument),
            _ => exception.Message,
        };

        /// <summary>"not valid JSON: 'h' is an invalid start of a value (line 1, byte 1)."</summary>
        private static string Json(JsonException exception)
        {
            string message = Cut(exception.Message, " LineNumber:").TrimEnd('.', ' ');
            string position = exception.LineNumber is long line && exception.BytePositionInLine is long column
                ? string.Create(CultureInfo.InvariantCulture, $" (line {line + 1}, byte {column + 1})")
                : string.Empty;
            return "not valid JSON: " + message + position + ".";
        }

        private static string Argument(ArgumentException exception) => Cut(exception.Message, " (Parameter '");

        private static string Cut(string message, string marker)
        {
            int at = message.IndexOf(marker, StringComparison.Ordinal);
            return at >= 0 ? message[..at] : message;
        }
    }
}
