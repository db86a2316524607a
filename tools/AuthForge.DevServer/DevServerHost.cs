using System;
using System.Collections.Generic;
using System.Linq;
using System.Security.Cryptography.X509Certificates;
using System.Threading;
using System.Threading.Tasks;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Http.Features;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;

namespace AuthForge.DevServer
{
    /// <summary>
    /// A local AuthForge-compatible API server over real HTTP (Kestrel), for tests, demos, benchmarks and offline
    /// development of licence flows.
    /// </summary>
    /// <remarks>
    /// <para>
    /// Routes: <c>POST /auth/validate</c>, <c>/auth/heartbeat</c>, <c>/auth/selfban</c> as PROTOCOL.md describes, and
    /// loopback-only <c>/admin/*</c> routes mirrored by the methods of this class.
    /// </para>
    /// <para>
    /// The server's state (licences, sessions, keys, bans, request log, queued faults) belongs to the host, not to the
    /// listener: <see cref="RestartAsync"/> brings the listener back on the same port with everything kept, the way a
    /// real service restarts over its database.
    /// </para>
    /// </remarks>
    public sealed class DevServerHost : IAsyncDisposable
    {
        /// <summary>How long a stop waits for requests in progress before aborting them.</summary>
        private static readonly TimeSpan s_shutdownTimeout = TimeSpan.FromSeconds(2);

        private readonly DevServerState _state;
        private readonly bool _quiet;
        private readonly SemaphoreSlim _lifecycle = new(1, 1);
        private string _urls;
        private WebApplication? _app;
        private CancellationTokenSource? _stopping;
        private bool _disposed;
        private readonly bool _ownsCertificate;

        private DevServerHost(DevServerOptions options)
        {
            _state = new DevServerState(options);
            _quiet = options.Quiet;
            _urls = options.Urls;
            BaseUrl = string.Empty;
            if (_urls.Contains("https://", StringComparison.OrdinalIgnoreCase))
            {
                // Made once per host, so a restart serves the certificate clients have already pinned.
                _ownsCertificate = options.Certificate is null;
                Certificate = options.Certificate ?? DevCertificate.CreateSelfSigned(HostsOf(_urls));
                CertificateSha256 = DevCertificate.Sha256Fingerprint(Certificate);
            }
        }

        /// <summary>The certificate the <c>https://</c> addresses serve; null when every address is <c>http://</c>.</summary>
        public X509Certificate2? Certificate { get; }

        /// <summary>
        /// The SHA-256 fingerprint of <see cref="Certificate"/> (uppercase hex pairs joined by colons, as
        /// <c>openssl x509 -fingerprint -sha256</c> prints it); empty without TLS. A client trusts a self-signed
        /// DevServer by comparing the certificate it is shown against this, e.g. in
        /// <c>HttpClientHandler.ServerCertificateCustomValidationCallback</c>.
        /// </summary>
        public string CertificateSha256 { get; } = string.Empty;

        /// <summary>The address clients use, e.g. <c>http://127.0.0.1:49152</c>, with the port actually bound.</summary>
        public string BaseUrl { get; private set; }

        /// <summary>Every address the listener is bound to.</summary>
        public IReadOnlyList<string> Urls { get; private set; } = [];

        /// <summary>The signing mode the server was started with.</summary>
        public SigningMode Mode => _state.Mode;

        /// <summary>The application id the server accepts.</summary>
        public string AppId => _state.AppId;

        /// <summary>The application secret the server expects.</summary>
        public string AppSecret => _state.AppSecret;

        /// <summary>Whether the listener is running (false after <see cref="StopAsync"/>, until <see cref="RestartAsync"/>).</summary>
        public bool IsRunning => Volatile.Read(ref _app) is not null;

        /// <summary>The current Ed25519 public key (standard base64 of 32 bytes) in v3; empty in v1/v2.</summary>
        public string PublicKeyBase64 => _state.Keys?.Current.PublicKeyBase64 ?? string.Empty;

        /// <summary>The <c>keyId</c> the current key is named by in v3 responses; empty in v1/v2.</summary>
        public string KeyId => _state.Keys?.Current.KeyId ?? string.Empty;

        /// <summary>Every public key the server has signed with, oldest first (v3); empty in v1/v2.</summary>
        public IReadOnlyList<string> PublicKeysBase64 =>
            _state.Keys is { } keys ? keys.All.Select(k => k.PublicKeyBase64).ToArray() : [];

        /// <summary>Whether <c>/auth/*</c> calls are served (false: <c>app_disabled</c>). Mirrors <c>POST /admin/app/disable|enable</c>.</summary>
        public bool AppEnabled
        {
            get => _state.AppEnabled;
            set => _state.AppEnabled = value;
        }

        /// <summary>Starts a server and waits until it listens.</summary>
        /// <param name="options">How to start; read once.</param>
        /// <param name="cancellationToken">Cancels the start.</param>
        /// <returns>The running server; dispose it to stop it.</returns>
        /// <exception cref="ArgumentException">The options are invalid (empty app id, a bad seed, a bad licence...).</exception>
        /// <exception cref="System.IO.IOException">The address could not be bound.</exception>
        public static async Task<DevServerHost> StartAsync(DevServerOptions options, CancellationToken cancellationToken = default)
        {
            ArgumentNullException.ThrowIfNull(options);
            ArgumentException.ThrowIfNullOrWhiteSpace(options.Urls, nameof(options));
            var host = new DevServerHost(options);
            try
            {
                await host.StartListenerAsync(cancellationToken).ConfigureAwait(false);
            }
            catch
            {
                await host.DisposeAsync().ConfigureAwait(false);
                throw;
            }

            return host;
        }

        /// <summary>Makes a new signing key current (v3) and returns its public key. Mirrors <c>POST /admin/keys/rotate</c>.</summary>
        /// <exception cref="InvalidOperationException">The server signs with HMAC (v1/v2), which has no keys to rotate.</exception>
        public string RotateSigningKey()
        {
            SigningKeyRing keys = _state.Keys ?? throw new InvalidOperationException("Only the Ed25519 (v3) mode signs with keys.");
            return keys.Rotate().PublicKeyBase64;
        }

        /// <summary>Adds a licence, or replaces the one with the same key by a fresh copy. Mirrors <c>POST /admin/licenses</c>.</summary>
        /// <exception cref="ArgumentException">The licence is invalid (empty key, no slots, negative credits, unserializable variables).</exception>
        public void AddLicense(DevLicense license)
        {
            ArgumentNullException.ThrowIfNull(license);
            _state.Licenses.AddOrReplace(license);
        }

        /// <summary>A snapshot of one licence; null when the key is unknown.</summary>
        public DevLicenseStatus? GetLicense(string key)
        {
            ArgumentNullException.ThrowIfNull(key);
            return _state.Licenses.TryGet(key, out LicenseState license) ? license.Snapshot() : null;
        }

        /// <summary>Snapshots of every licence, by key. Mirrors <c>GET /admin/licenses</c>.</summary>
        public IReadOnlyList<DevLicenseStatus> GetLicenses() => _state.Licenses.Snapshot();

        /// <summary>Revokes a licence; false when the key is unknown. Mirrors <c>POST /admin/licenses/{key}/revoke</c>.</summary>
        public bool RevokeLicense(string key) => SetRevoked(key, true);

        /// <summary>Lifts a revocation; false when the key is unknown. Mirrors <c>POST /admin/licenses/{key}/restore</c>.</summary>
        public bool RestoreLicense(string key) => SetRevoked(key, false);

        /// <summary>
        /// Unbinds every hardware id of a licence, so other machines can take its slots; false when the key is unknown.
        /// Mirrors <c>POST /admin/licenses/{key}/reset-hwids</c>.
        /// </summary>
        public bool ResetLicenseHwids(string key)
        {
            ArgumentNullException.ThrowIfNull(key);
            if (!_state.Licenses.TryGet(key, out LicenseState license))
            {
                return false;
            }

            license.ResetHwids();
            return true;
        }

        /// <summary>
        /// Deletes a licence: validates and the heartbeats of its sessions then get <c>invalid_key</c>; false when the
        /// key is unknown. Mirrors <c>DELETE /admin/licenses/{key}</c>.
        /// </summary>
        public bool DeleteLicense(string key)
        {
            ArgumentNullException.ThrowIfNull(key);
            return _state.Licenses.TryRemove(key, out _);
        }

        /// <summary>Ends every session issued so far (<c>session_expired</c>). Mirrors <c>POST /admin/sessions/expire</c>.</summary>
        public void ExpireAllSessions() => _state.ExpireAllSessions();

        /// <summary>
        /// A snapshot of the recorded <c>/auth/*</c> requests, oldest first (the last 10,000); each read takes a new
        /// snapshot. Mirrors <c>GET /admin/requests</c>.
        /// </summary>
        public IReadOnlyList<DevRequestRecord> Requests => _state.Requests.Snapshot();

        /// <summary>Empties the request log. Mirrors <c>DELETE /admin/requests</c>.</summary>
        public void ClearRequests() => _state.Requests.Clear();

        /// <summary>Queues a fault (the server copies it). Mirrors <c>POST /admin/faults</c>.</summary>
        /// <exception cref="ArgumentOutOfRangeException">Count is 0 or below -1, a delay is negative, or a status is not an HTTP status.</exception>
        public void AddFault(DevFault fault) => _state.Faults.Add(fault);

        /// <summary>Queues a fault of <paramref name="kind"/> for the next <paramref name="count"/> matching requests.</summary>
        /// <param name="kind">What the server does.</param>
        /// <param name="count">How many requests it applies to; -1 for every one until <see cref="ClearFaults"/>.</param>
        /// <param name="path">The exact path it applies to, e.g. <c>/auth/heartbeat</c>; null for any <c>/auth/*</c> path.</param>
        /// <param name="hwid">Only requests sending this hardware id take it (see <see cref="DevFault.Hwid"/>); null for any.</param>
        /// <param name="licenseKey">Only requests for this licence take it (see <see cref="DevFault.LicenseKey"/>); null for any.</param>
        public void AddFault(DevFaultKind kind, int count = 1, string? path = null, string? hwid = null, string? licenseKey = null) =>
            _state.Faults.Add(new DevFault(kind) { Count = count, Path = path, Hwid = hwid, LicenseKey = licenseKey });

        /// <summary>Drops every queued fault. Mirrors <c>DELETE /admin/faults</c>.</summary>
        public void ClearFaults() => _state.Faults.Clear();

        /// <summary>The hardware ids banned by selfban. Mirrors <c>GET /admin/blacklist</c>.</summary>
        public IReadOnlyList<string> GetBlacklistedHwids() => _state.Blacklist.Hwids;

        /// <summary>The IP addresses banned by selfban. Mirrors <c>GET /admin/blacklist</c>.</summary>
        public IReadOnlyList<string> GetBlacklistedAddresses() => _state.Blacklist.Addresses;

        /// <summary>Lifts every selfban ban. Mirrors <c>DELETE /admin/blacklist</c>.</summary>
        public void ClearBlacklist() => _state.Blacklist.Clear();

        /// <summary>
        /// Stops the listener: requests in progress get a short grace period, then their connections are aborted.
        /// The state is kept for <see cref="RestartAsync"/>. Does nothing when already stopped.
        /// </summary>
        public async Task StopAsync()
        {
            await _lifecycle.WaitAsync().ConfigureAwait(false);
            try
            {
                await StopListenerAsync().ConfigureAwait(false);
            }
            finally
            {
                _lifecycle.Release();
            }
        }

        /// <summary>
        /// Stops the listener if it runs, then starts it again on the same address and port, keeping all state
        /// (sessions issued before stay valid). For clients that must ride out a server restart.
        /// </summary>
        /// <exception cref="ObjectDisposedException">The host was disposed.</exception>
        public async Task RestartAsync()
        {
            await _lifecycle.WaitAsync().ConfigureAwait(false);
            try
            {
                ObjectDisposedException.ThrowIf(_disposed, this);
                await StopListenerAsync().ConfigureAwait(false);
                await StartListenerCoreAsync(CancellationToken.None).ConfigureAwait(false);
            }
            finally
            {
                _lifecycle.Release();
            }
        }

        /// <summary>Stops the server. Idempotent.</summary>
        public async ValueTask DisposeAsync()
        {
            await _lifecycle.WaitAsync().ConfigureAwait(false);
            try
            {
                _disposed = true;
                await StopListenerAsync().ConfigureAwait(false);
                if (_ownsCertificate)
                {
                    Certificate?.Dispose();
                }
            }
            finally
            {
                _lifecycle.Release();
            }
        }

        private bool SetRevoked(string key, bool revoked)
        {
            ArgumentNullException.ThrowIfNull(key);
            if (!_state.Licenses.TryGet(key, out LicenseState license))
            {
                return false;
            }

            license.SetRevoked(revoked);
            return true;
        }

        private async Task StartListenerAsync(CancellationToken cancellationToken)
        {
            await _lifecycle.WaitAsync(cancellationToken).ConfigureAwait(false);
            try
            {
                await StartListenerCoreAsync(cancellationToken).ConfigureAwait(false);
            }
            finally
            {
                _lifecycle.Release();
            }
        }

        private async Task StartListenerCoreAsync(CancellationToken cancellationToken)
        {
            var stopping = new CancellationTokenSource();
            WebApplication app = BuildApp(stopping.Token);
            try
            {
                await app.StartAsync(cancellationToken).ConfigureAwait(false);
            }
            catch
            {
                await app.DisposeAsync().ConfigureAwait(false);
                stopping.Dispose();
                throw;
            }

            string[] bound = app.Services.GetRequiredService<IServer>().Features.GetRequiredFeature<IServerAddressesFeature>().Addresses.ToArray();
            Urls = bound;
            BaseUrl = ClientUrl(bound[0]);
            // A restart must come back on the port the clients know, even when the first start asked for port 0.
            _urls = string.Join(';', bound);
            _stopping = stopping;
            Volatile.Write(ref _app, app);
        }

        private async Task StopListenerAsync()
        {
            WebApplication? app = _app;
            if (app is null)
            {
                return;
            }

            Volatile.Write(ref _app, null);
            // Ends endless and delayed answers first, so the graceful stop has nothing long to wait for.
            await _stopping!.CancelAsync().ConfigureAwait(false);
            try
            {
                await app.StopAsync(CancellationToken.None).ConfigureAwait(false);
            }
            finally
            {
                await app.DisposeAsync().ConfigureAwait(false);
                _stopping.Dispose();
                _stopping = null;
            }
        }

        private WebApplication BuildApp(CancellationToken stopping)
        {
            // The empty builder reads no configuration files or environment variables (ASPNETCORE_URLS would
            // otherwise fight the Urls option) and adds no logging: the server is exactly what is configured here.
            WebApplicationBuilder builder = WebApplication.CreateEmptyBuilder(new WebApplicationOptions
            {
                ApplicationName = typeof(DevServerHost).Assembly.GetName().Name,
            });
            builder.WebHost.UseKestrelCore().ConfigureKestrel(kestrel =>
            {
                kestrel.AddServerHeader = false;
                kestrel.Limits.MaxRequestBodySize = RequestBody.MaxBytes;
                if (Certificate is { } certificate)
                {
                    kestrel.ConfigureHttpsDefaults(https => https.ServerCertificate = certificate);
                }
            });
            if (Certificate is not null)
            {
                // The core Kestrel leaves https:// addresses to this: without it they fail to bind.
                builder.WebHost.UseKestrelHttpsConfiguration();
            }

            builder.WebHost.UseUrls(_urls);
            builder.Services.AddRoutingCore();
            builder.Services.Configure<HostOptions>(o => o.ShutdownTimeout = s_shutdownTimeout);
            if (!_quiet)
            {
                builder.Logging.AddSimpleConsole(o =>
                    {
                        o.SingleLine = true;
                        o.TimestampFormat = "yyyy-MM-dd HH:mm:ss.fff ";
                    })
                    .AddFilter("Microsoft", LogLevel.Warning)
                    .SetMinimumLevel(LogLevel.Information);
            }

            WebApplication app = builder.Build();
            ILogger? logger = _quiet ? null : app.Services.GetRequiredService<ILoggerFactory>().CreateLogger("AuthForge.DevServer");
            // Every answer is JSON, also a route that does not exist, a wrong method, or an admin route asked from
            // another machine (the same 404 as a route that does not exist).
            app.Use(JsonStatusAnswers.WriteWhenEmptyAsync);
            new AuthEndpoints(_state, logger, stopping).Map(app);
            new AdminEndpoints(_state).Map(app);
            return app;
        }

        /// <summary>The hosts named in <c>;</c>-separated addresses, wildcards left out (they bind, nobody dials them).</summary>
        private static IEnumerable<string> HostsOf(string urls)
        {
            foreach (string url in urls.Split(';', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries))
            {
                string normalized = url.Replace("://+", "://0.0.0.0", StringComparison.Ordinal).Replace("://*", "://0.0.0.0", StringComparison.Ordinal);
                if (Uri.TryCreate(normalized, UriKind.Absolute, out Uri? uri) && uri.Host is not ("0.0.0.0" or "[::]"))
                {
                    yield return uri.Host;
                }
            }
        }

        /// <summary>A bound address as a client should dial it: wildcard hosts become 127.0.0.1.</summary>
        private static string ClientUrl(string bound)
        {
            var uri = new Uri(bound.Replace("://+", "://0.0.0.0", StringComparison.Ordinal).Replace("://*", "://0.0.0.0", StringComparison.Ordinal));
            string host = uri.Host is "0.0.0.0" or "[::]" ? "127.0.0.1" : uri.Host;
            return $"{uri.Scheme}://{host}:{uri.Port}";
        }
    }
}
