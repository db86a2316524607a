using System;
using System.Net.Http;
using System.Text;
using System.Threading.Tasks;
using AuthForge.DevServer;

namespace AuthForge.Benchmarks
{
    /// <summary>The DevServer setup every benchmark shares: one app, one licence that never runs out.</summary>
    internal static class BenchServer
    {
        public const string AppId = "bench-app";
        public const string AppSecret = "bench-secret-0123456789";
        public const string LicenseKey = "BENCH-KEY";
        public const string Hwid = "bench-hwid";

        public static DevLicense Licence(int slots) => new DevLicense(LicenseKey) { Credits = 1_000_000_000_000, MaxHwidSlots = slots };

        /// <summary>Starts the benchmark's DevServer on an ephemeral loopback port; with <paramref name="tls"/> over
        /// https:// with a self-signed certificate (clients pin <see cref="DevServerHost.CertificateSha256"/>).</summary>
        public static Task<DevServerHost> StartAsync(SigningMode mode, int slots = 1, bool tls = false) => DevServerHost.StartAsync(new DevServerOptions
        {
            Urls = tls ? "https://127.0.0.1:0" : "http://127.0.0.1:0",
            Mode = mode,
            AppId = AppId,
            AppSecret = AppSecret,
            Licenses = { Licence(slots) },
            Quiet = true,
        });

        /// <summary>Options for a client of a server at <paramref name="baseUrl"/>; a long interval unless given.</summary>
        /// <summary>What the client binds a validate answer of this server to (app, licence, machine, default TTL).</summary>
        public static SessionBinding Binding() =>
            new SessionBinding(AppId, LicenseKey, Hwid, null, DateTimeOffset.UtcNow.ToUnixTimeSeconds());

        public static AuthForgeClientOptions ClientOptions(string baseUrl, string? publicKey, TimeSpan? interval = null, string hwid = Hwid)
        {
            var options = new AuthForgeClientOptions
            {
                AppId = AppId,
                AppSecret = AppSecret,
                ApiBaseUrl = baseUrl,
                HeartbeatMode = HeartbeatMode.Server,
                HeartbeatInterval = interval ?? TimeSpan.FromHours(1),
                HwidOverride = hwid,
                RequestTimeout = TimeSpan.FromSeconds(60),
                OnFailure = (reason, error) => throw new InvalidOperationException("A benchmark client failed: " + reason + " " + error),
                Exit = code => throw new InvalidOperationException("A benchmark client tried to exit with " + code),
            };
            if (!string.IsNullOrEmpty(publicKey)) options.PublicKeys.Add(publicKey);
            return options;
        }

        /// <summary>The body of a validate, shaped as the client sends it (same fields, same order, same sizes).</summary>
        public static string ValidateBody(string nonce) =>
            "{\"appId\":\"" + AppId + "\",\"appSecret\":\"" + AppSecret + "\",\"licenseKey\":\"" + LicenseKey +
            "\",\"hwid\":\"" + Hwid + "\",\"nonce\":\"" + nonce + "\"}";

        /// <summary>A bare POST of a validate body: the baseline with no verification at all.</summary>
        public static async Task<byte[]> PostAsync(HttpClient http, string url, string body)
        {
            using var content = new StringContent(body, Encoding.UTF8, "application/json");
            using HttpResponseMessage response = await http.PostAsync(url, content).ConfigureAwait(false);
            return await response.Content.ReadAsByteArrayAsync().ConfigureAwait(false);
        }
    }
}
