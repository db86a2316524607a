using System;
using System.Collections.Generic;
using System.Globalization;

namespace AuthForge.Demo
{
    /// <summary>Reads the few fields of <see cref="AuthForgeClient.GetSessionData"/> the demo shows.</summary>
    internal static class SessionFields
    {
        /// <summary>The nonce the current session answered: a heartbeat that lands replaces it with its own.</summary>
        public static string? Nonce(IReadOnlyDictionary<string, object?>? session) =>
            session is not null && session.TryGetValue("nonce", out object? value) ? value as string : null;

        /// <summary>
        /// When the session ends as the payload states it: <c>expiresIn</c> (unix seconds), else v3's
        /// <c>sessionExpiresAt</c>. The client itself prefers the session token's own <c>expiresIn</c>; the DevServer
        /// puts the same value in both.
        /// </summary>
        public static DateTimeOffset? End(IReadOnlyDictionary<string, object?>? session)
        {
            if (session is null) return null;
            if (session.TryGetValue("expiresIn", out object? seconds) && seconds is long unix)
            {
                return DateTimeOffset.FromUnixTimeSeconds(unix);
            }

            return session.TryGetValue("sessionExpiresAt", out object? iso) && iso is string text
                && DateTimeOffset.TryParse(text, CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal, out DateTimeOffset at)
                ? at
                : null;
        }
    }
}
