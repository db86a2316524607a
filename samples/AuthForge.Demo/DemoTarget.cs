using System;

namespace AuthForge.Demo
{
    /// <summary>
    /// The server the demo's clients talk to — the embedded DevServer or a real one from the command line — and how
    /// to build a client for it.
    /// </summary>
    internal sealed class DemoTarget
    {
        private readonly string _appSecret;

        private DemoTarget(string apiBaseUrl, string appId, string appSecret, string? publicKey, string? licenseKey,
            EmbeddedServer? embedded, TimeSpan heartbeatInterval)
        {
            ApiBaseUrl = apiBaseUrl;
            AppId = appId;
            _appSecret = appSecret;
            PublicKey = publicKey;
            LicenseKey = licenseKey;
            Embedded = embedded;
            HeartbeatInterval = heartbeatInterval;
        }

        public string ApiBaseUrl { get; }

        public string AppId { get; }

        /// <summary>The Ed25519 public key(s), comma-separated; null for an HMAC (v1/v2) server.</summary>
        public string? PublicKey { get; }

        /// <summary>The licence key offered by default; null when none was given.</summary>
        public string? LicenseKey { get; }

        /// <summary>The in-process server, when the demo runs against one; null for a real server.</summary>
        public EmbeddedServer? Embedded { get; }

        public TimeSpan HeartbeatInterval { get; }

        public string Protocol => PublicKey is null ? "v1/v2 (HMAC-SHA256)" : "v3 (Ed25519)";

        public static DemoTarget ForEmbedded(EmbeddedServer server, TimeSpan heartbeatInterval) =>
            new(server.BaseUrl, EmbeddedServer.AppId, server.AppSecret, server.PublicKey, EmbeddedServer.LicenseKey, server, heartbeatInterval);

        public static DemoTarget ForRemote(DemoOptions options, TimeSpan heartbeatInterval) =>
            new(options.ApiBaseUrl!, options.AppId!, options.AppSecret!, options.PublicKey, options.LicenseKey, null, heartbeatInterval);

        /// <summary>A new client for this server that reports failures to <paramref name="failures"/>.</summary>
        /// <exception cref="ArgumentException">A setting is malformed (URL, public key); the message names it.</exception>
        public AuthForgeClient CreateClient(FailureInbox failures)
        {
            // The options class rather than the positional constructor, so each setting is named where it is set.
            var options = new AuthForgeClientOptions
            {
                AppId = AppId,
                AppSecret = _appSecret,
                ApiBaseUrl = ApiBaseUrl,
                HeartbeatMode = HeartbeatMode.Server,
                HeartbeatInterval = HeartbeatInterval,
                OnFailure = failures.OnFailure,
                RequestTimeout = TimeSpan.FromSeconds(10),
            };
            if (PublicKey is not null)
            {
                foreach (string key in PublicKey.Split(','))
                {
                    options.PublicKeys.Add(key.Trim());
                }
            }

            return new AuthForgeClient(options);
        }
    }
}
