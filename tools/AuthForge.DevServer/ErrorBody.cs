using System.Text.Json;

namespace AuthForge.DevServer
{
    /// <summary>Builds <c>{"status":"error","error":code}</c> bodies.</summary>
    internal static class ErrorBody
    {
        /// <summary>The compact UTF-8 error body; without an <c>error</c> member when <paramref name="code"/> is null.</summary>
        public static byte[] Create(string? code)
        {
            return JsonText.Write(code, static (writer, c) =>
            {
                writer.WriteStartObject();
                writer.WriteString("status", "error");
                if (c is not null)
                {
                    writer.WriteString("error", c);
                }

                writer.WriteEndObject();
            });
        }
    }
}
