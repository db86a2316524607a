using System;
using System.Collections.Generic;
using System.Net.Http;
using System.Security.Cryptography;
using System.Text.Json;
using System.Threading;
using System.Threading.Tasks;
using AuthForge.DevServer;

namespace AuthForge.Demo
{
    /// <summary>
    /// A DevServer started inside the demo's own process (v3, Ed25519, 127.0.0.1 on a free port) with one demo licence,
    /// and the admin calls the demo makes on it. Admin calls go over HTTP, as a developer's curl would, so the demo
    /// shows the routes rather than the host's in-process shortcuts.
    /// </summary>
    internal sealed class EmbeddedServer : IAsyncDisposable
    {
        /// <summary>The demo licence. A licence key is not a secret worth hiding in a demo; the app secret is.</summary>
        public const string LicenseKey = "DEMO-7K2Q-9MXP-4TWA";

        public const string AppId = "demo-app";

        private readonly DevServerHost _host;
        private readonly HttpClient _admin;

        private EmbeddedServer(DevServerHost host, string appSecret)
        {
            _host = host;
            AppSecret = appSecret;
            _admin = new HttpClient { BaseAddress = new Uri(host.BaseUrl), Timeout = TimeSpan.FromSeconds(5) };
        }

        public string BaseUrl => _host.BaseUrl;

        /// <summary>Random per run, so nothing printed or committed could ever be mistaken for a usable secret.</summary>
        public string AppSecret { get; }

        public string PublicKey => _host.PublicKeyBase64;

        public string KeyId => _host.KeyId;

        /// <summary>Every <c>/auth/*</c> request the server has answered, oldest first.</summary>
        public IReadOnlyList<DevRequestRecord> Requests => _host.Requests;

        public static async Task<EmbeddedServer> StartAsync(CancellationToken cancellationToken)
        {
            string appSecret = Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(24));
            var options = new DevServerOptions
            {
                Urls = "http://127.0.0.1:0",
                Mode = SigningMode.Ed25519,
                AppId = AppId,
                AppSecret = appSecret,
                AppVariables =
                {
                    ["motd"] = "Welcome to the AuthForge demo",
                    ["latestVersion"] = "2.4.1",
                },
            };
            options.Licenses.Add(new DevLicense(LicenseKey)
            {
                Label = "Demo Pro",
                Credits = 100,
                // Two slots: the menu's self-ban and a second machine can both be tried without locking the demo out.
                MaxHwidSlots = 2,
                ExpiresAt = DateTimeOffset.UtcNow.AddDays(30),
                Variables =
                {
                    ["tier"] = "pro",
                    ["seats"] = 3,
                },
            });

            DevServerHost host = await DevServerHost.StartAsync(options, cancellationToken).ConfigureAwait(false);
            return new EmbeddedServer(host, appSecret);
        }

        /// <summary>The demo licence's credits left, read from the server's own state.</summary>
        public long Credits => _host.GetLicense(LicenseKey)?.Credits ?? 0;

        public bool IsRevoked => _host.GetLicense(LicenseKey)?.Revoked ?? false;

        /// <summary><c>POST /admin/licenses/{key}/revoke</c>; returns the HTTP status and the licence's <c>revoked</c> flag.</summary>
        public Task<AdminAnswer> RevokeAsync(CancellationToken cancellationToken) =>
            PostAsync($"/admin/licenses/{Uri.EscapeDataString(LicenseKey)}/revoke", cancellationToken);

        /// <summary><c>POST /admin/licenses/{key}/restore</c>.</summary>
        public Task<AdminAnswer> RestoreAsync(CancellationToken cancellationToken) =>
            PostAsync($"/admin/licenses/{Uri.EscapeDataString(LicenseKey)}/restore", cancellationToken);

        /// <summary><c>DELETE /admin/blacklist</c>: lifts every self-ban.</summary>
        public async Task<AdminAnswer> ClearBlacklistAsync(CancellationToken cancellationToken)
        {
            using HttpResponseMessage response = await _admin.DeleteAsync("/admin/blacklist", cancellationToken).ConfigureAwait(false);
            return new AdminAnswer("DELETE /admin/blacklist", (int)response.StatusCode, Revoked: null);
        }

        public async ValueTask DisposeAsync()
        {
            _admin.Dispose();
            await _host.DisposeAsync().ConfigureAwait(false);
        }

        private async Task<AdminAnswer> PostAsync(string path, CancellationToken cancellationToken)
        {
            using HttpResponseMessage response = await _admin.PostAsync(path, content: null, cancellationToken).ConfigureAwait(false);
            string body = await response.Content.ReadAsStringAsync(cancellationToken).ConfigureAwait(false);
            bool? revoked = null;
            if (response.IsSuccessStatusCode)
            {
                using JsonDocument document = JsonDocument.Parse(body);
                revoked = document.RootElement.GetProperty("revoked").GetBoolean();
            }

            return new AdminAnswer("POST " + path, (int)response.StatusCode, revoked);
        }
    }
}
