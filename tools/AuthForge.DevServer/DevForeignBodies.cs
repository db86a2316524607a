using System;
using System.Collections.Generic;
using System.Linq;
using System.Text;

namespace AuthForge.DevServer
{
    /// <summary>The wire names and the bytes of each <see cref="DevForeignBody"/>.</summary>
    internal static class DevForeignBodies
    {
        private static readonly Dictionary<DevForeignBody, string> s_names = new()
        {
            [DevForeignBody.Html] = "html",
            [DevForeignBody.Empty] = "empty",
            [DevForeignBody.Json] = "json",
            [DevForeignBody.Text] = "text",
        };

        private static readonly Dictionary<string, DevForeignBody> s_bodies =
            s_names.ToDictionary(p => p.Value, p => p.Key, StringComparer.OrdinalIgnoreCase);

        private static readonly byte[] s_html = Encoding.UTF8.GetBytes(
            "<!DOCTYPE html><html><head><title>Sign in to the network</title></head><body><h1>Welcome</h1>"
            + "<p>Accept the terms of use to connect.</p><form method=\"post\" action=\"/login\"><button>Connect</button></form></body></html>");

        private static readonly byte[] s_json = Encoding.UTF8.GetBytes(
            "{\"status\":\"error\",\"error\":\"Access denied by the network policy.\",\"code\":403}");

        private static readonly byte[] s_text = Encoding.UTF8.GetBytes("Proxy Authentication Required");

        /// <summary>Every wire name, in declaration order.</summary>
        public static IEnumerable<string> All => s_names.Values;

        public static bool TryParse(string name, out DevForeignBody body) => s_bodies.TryGetValue(name, out body);

        /// <summary>The content type and bytes answered for <paramref name="body"/>.</summary>
        public static (string ContentType, byte[] Body) Content(DevForeignBody body) => body switch
        {
            DevForeignBody.Html => ("text/html; charset=utf-8", s_html),
            DevForeignBody.Empty => ("text/plain", Array.Empty<byte>()),
            DevForeignBody.Json => ("application/json", s_json),
            DevForeignBody.Text => ("text/plain; charset=utf-8", s_text),
            _ => throw new ArgumentOutOfRangeException(nameof(body), body, "Not a foreign body."),
        };
    }
}
