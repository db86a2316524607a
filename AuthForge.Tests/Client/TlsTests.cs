using System;
using System.Collections.Concurrent;
using System.Linq;
using System.Net;
using System.Net.Http;
using System.Net.Sockets;
using System.Security.Authentication;
using System.Threading.Tasks;
using AuthForge.DevServer;
using AuthForge.Tests.Support;
using Xunit;

namespace AuthForge.Tests.Client
{
    /// <summary>DevServers over TLS with a self-signed certificate, one per signing mode that has its own verifier.</summary>
    public sealed class TlsServers : IAsyncLifetime
    {
        private DevServerHost? _v2, _v3;

        public DevServerHost this[SigningMode mode] => mode == SigningMode.Ed25519 ? _v3! : _v2!;

        public async Task InitializeAsync()
        {
            _v2 = await LiveServer.StartAsync(SigningMode.HmacV2, o => o.Urls = "https://127.0.0.1:0", Array.Empty<DevLicense>());
            _v3 = await LiveServer.StartAsync(SigningMode.Ed25519, o => o.Urls = "https://127.0.0.1:0", Array.Empty<DevLicense>());
        }

        public async Task DisposeAsync()
        {
            if (_v2 != null) await _v2.DisposeAsync();
            if (_v3 != null) await _v3.DisposeAsync();
        }
    }

    /// <summary>
    /// The client over TLS, as every customer runs it: login, heartbeats and revocation through a handler pinned to the
    /// DevServer's certificate; a certificate nobody vouches for is no answer (<c>tls_error</c>) naming the host, never
    /// a verdict, never retried, never a wait for the time-out. And the other causes of no answer say what happened.
    /// </summary>
    public sealed class TlsTests : IClassFixture<TlsServers>
    {
        private static readonly TimeSpan s_interval = TimeSpan.FromMilliseconds(25);
        private readonly TlsServers _servers;

        public TlsTests(TlsServers servers) => _servers = servers;

        [Theory]
        [InlineData(SigningMode.HmacV2)]
        [InlineData(SigningMode.Ed25519)]
        public async Task Login_OverTls_WithThePinnedCertificate(SigningMode mode)
        {
            DevServerHost server = _servers[mode];
            Assert.StartsWith("https://127.0.0.1:", server.BaseUrl, StringComparison.Ordinal);
            string key = ServerTrio.NewLicense(server);
            var trust = TlsTrust.For(server);
            using var http = trust.CreateClient();
            var failures = new FailureRecorder();
            AuthForgeClientOptions options = LiveServer.ClientOptions(server, failures);
            options.HttpClient = http;
            using var client = new AuthForgeClient(options);

            Assert.True(await client.LoginAsync(key));

            Assert.Equal(0, failures.Count);
            Assert.True(client.IsAuthenticated());
            Assert.Equal(200, Assert.Single(ServerLog.For(server, ServerLog.Validate, key)).StatusCode);
            Assert.True(trust.Handshakes >= 1);
        }

        /// <summary>A client heartbeating every 25 ms over <paramref name="http"/> (pinned to the server's certificate).</summary>
        private static AuthForgeClient HeartbeatingClient(DevServerHost server, HttpClient http, FailureRecorder failures)
        {
            AuthForgeClientOptions options = LiveServer.ClientOptions(server, failures, interval: s_interval);
            options.HttpClient = http;
            return new AuthForgeClient(options);
        }

        [Theory]
        [InlineData(SigningMode.HmacV2)]
        [InlineData(SigningMode.Ed25519)]
        public async Task Heartbeats_OverTls_RenewTheSession(SigningMode mode)
        {
            DevServerHost server = _servers[mode];
            string key = ServerTrio.NewLicense(server);
            var failures = new FailureRecorder();
            using HttpClient http = TlsTrust.For(server).CreateClient();
            using AuthForgeClient client = HeartbeatingClient(server, http, failures);
            Assert.True(await client.LoginAsync(key));
            string loginNonce = Assert.Single(ServerLog.For(server, ServerLog.Validate, key)).Nonce!;

            var beats = await ServerLog.WaitForAsync(server, ServerLog.Heartbeat, key, 2);
            await ServerLog.UntilAsync(() => (string?)client.GetSessionData()?["nonce"] != loginNonce, "a renewed session");

            // Answered ones only: with 25 ms heartbeats a further one can still be in progress (status 0) in the log.
            Assert.All(beats.Where(b => b.StatusCode != 0), b => Assert.Equal(200, b.StatusCode));
            Assert.Equal(0, failures.Count);
            Assert.True(client.IsAuthenticated());
        }

        [Theory]
        [InlineData(SigningMode.HmacV2)]
        [InlineData(SigningMode.Ed25519)]
        public async Task Revocation_OverTls_EndsTheSessionAtTheNextHeartbeat(SigningMode mode)
        {
            DevServerHost server = _servers[mode];
            string key = ServerTrio.NewLicense(server);
            var failures = new FailureRecorder();
            using HttpClient http = TlsTrust.For(server).CreateClient();
            using AuthForgeClient client = HeartbeatingClient(server, http, failures);
            Assert.True(await client.LoginAsync(key));
            await ServerLog.WaitForAsync(server, ServerLog.Heartbeat, key, 1);

            server.RevokeLicense(key);
            Failure failure = await failures.NextAsync();

            Assert.Equal(AuthForgeFailureReason.HeartbeatFailed, failure.Reason);
            Assert.Equal(AuthForgeErrorCodes.Revoked, failure.Code);
            Assert.False(failure.Error!.IsNoAnswer);
            LoginTests.AssertLoggedOut(client);
        }

        [Fact]
        public async Task SelfSignedCertificate_WithThePlatformsValidation_IsTlsError_NoAnswer_NamingTheHost()
        {
            // The shared HttpClient: the platform's own chain validation, as a customer's app has it. Nothing pins the
            // DevServer's certificate there, so the handshake fails before a byte of the request (the secret) is sent.
            DevServerHost server = _servers[SigningMode.Ed25519];
            string key = ServerTrio.NewLicense(server);
            var failures = new FailureRecorder();
            AuthForgeClientOptions options = LiveServer.ClientOptions(server, failures);
            options.RequestTimeout = TimeSpan.FromMinutes(2);
            using var client = new AuthForgeClient(options);

            Assert.False(await client.LoginAsync(key));

            Failure failure = Assert.Single(failures.All);
            AssertTlsError(server, failure, key);
            Assert.Empty(ServerLog.For(server, ServerLog.Validate, key));
        }

        [Fact]
        public async Task AnotherCertificateThanThePinnedOne_IsTlsError_AndNotRetried()
        {
            // The same as a TLS-intercepting proxy's certificate: the handshake reaches a server, but not the one trusted.
            DevServerHost server = _servers[SigningMode.HmacV2];
            string key = ServerTrio.NewLicense(server);
            var trust = new TlsTrust(new string('0', 64));
            using var http = trust.CreateClient(fresh: true);
            var failures = new FailureRecorder();
            AuthForgeClientOptions options = LiveServer.ClientOptions(server, failures);
            options.HttpClient = http;
            using var client = new AuthForgeClient(options);

            Assert.False(await client.LoginAsync(key));

            AssertTlsError(server, Assert.Single(failures.All), key);
            // A network failure is retried once (with no wait in tests); a certificate is not: one handshake only.
            Assert.Equal(1, trust.Handshakes);
            Assert.Empty(ServerLog.For(server, ServerLog.Validate, key));
        }

        [Fact]
        public async Task ACertificateFailureMidSession_IsNoAnswer_TheSessionRidesItOut()
        {
            // A proxy that starts intercepting after login: heartbeats get no answer, which never ends a signed session
            // that is still valid (the default offline tolerance: until the session ends).
            DevServerHost server = _servers[SigningMode.Ed25519];
            string key = ServerTrio.NewLicense(server);
            var trust = TlsTrust.For(server);
            using var http = trust.CreateClient(fresh: true);
            var failures = new FailureRecorder();
            var events = new ConcurrentQueue<AuthForgeDiagnostic>();
            AuthForgeClientOptions options = LiveServer.ClientOptions(server, failures, interval: s_interval);
            options.HttpClient = http;
            options.OnDiagnostic = events.Enqueue;
            using var client = new AuthForgeClient(options);
            Assert.True(await client.LoginAsync(key));

            trust.Pinned = new string('0', 64);
            await ServerLog.UntilAsync(() => events.Any(e => e.Event == AuthForgeDiagnosticEvents.RetryScheduled), "a heartbeat without an answer");

            AuthForgeDiagnostic retry = events.First(e => e.Event == AuthForgeDiagnosticEvents.RetryScheduled);
            Assert.Equal(AuthForgeErrorCodes.TlsError, retry.Code);
            Assert.Contains(HostPort(server), retry.Message, StringComparison.Ordinal);
            Assert.Equal(0, failures.Count);
            Assert.True(client.IsAuthenticated());
        }

        [Fact]
        public async Task ARefusedConnection_NamesHostPortAndTheCause()
        {
            // A port that was just free: nothing listens on it.
            var listener = new TcpListener(IPAddress.Loopback, 0);
            listener.Start();
            int port = ((IPEndPoint)listener.LocalEndpoint).Port;
            listener.Stop();
            var failures = new FailureRecorder();
            AuthForgeClientOptions options = LiveServer.ClientOptions(_servers[SigningMode.HmacV2], failures);
            options.ApiBaseUrl = "http://127.0.0.1:" + port;
            using var client = new AuthForgeClient(options);

            Assert.False(await client.LoginAsync("REFUSED-KEY"));

            Failure failure = Assert.Single(failures.All);
            Assert.Equal(AuthForgeFailureReason.NetworkError, failure.Reason);
            Assert.Equal(AuthForgeErrorCodes.NetworkError, failure.Code);
            Assert.Equal("The AuthForge server at 127.0.0.1:" + port + " could not be reached: the connection was refused (nothing listens on that port).",
                failure.Error!.Message);
            Assert.True(failure.Error.IsNoAnswer);
        }

        [Fact]
        public void ANameThatDoesNotResolve_AndAResetConnection_AreNamed()
        {
            // The classification alone, on the exceptions each stack raises: a resolver's answer can't be arranged on
            // loopback (.invalid may still be slow to fail where no resolver answers).
            AuthForgeException unresolved = TransportFailure.From(
                new System.Net.Http.HttpRequestException("Name or service not known (api.example.invalid:443)", new SocketException((int)SocketError.HostNotFound)),
                "api.example.invalid:443");
            AuthForgeException tryAgain = TransportFailure.From(
                new System.Net.Http.HttpRequestException("Resource temporarily unavailable", new SocketException((int)SocketError.TryAgain)), "h:1");
#pragma warning disable SYSLIB0014 // WebException: what HttpWebRequest (.NET Framework, Mono) raises.
            AuthForgeException monoName = TransportFailure.From(
                new System.Net.Http.HttpRequestException("An error occurred", new WebException("x", WebExceptionStatus.NameResolutionFailure)), "h:1");
            AuthForgeException monoTrust = TransportFailure.From(
                new System.Net.Http.HttpRequestException("An error occurred", new WebException("x", WebExceptionStatus.TrustFailure)), "h:1");
#pragma warning restore SYSLIB0014
            AuthForgeException reset = TransportFailure.From(
                new System.IO.IOException("reset", new SocketException((int)SocketError.ConnectionReset)), "h:1");
            AuthForgeException ended = TransportFailure.From(
                new System.Net.Http.HttpRequestException("The response ended prematurely.", new System.IO.IOException("ended")), "h:1");

            Assert.Equal("The AuthForge server at api.example.invalid:443 could not be reached: the host name could not be resolved.", unresolved.Message);
            Assert.EndsWith("the host name could not be resolved.", tryAgain.Message, StringComparison.Ordinal);
            Assert.EndsWith("the host name could not be resolved.", monoName.Message, StringComparison.Ordinal);
            Assert.Equal(AuthForgeErrorCodes.TlsError, monoTrust.Code);
            Assert.EndsWith("the connection was reset.", reset.Message, StringComparison.Ordinal);
            Assert.EndsWith("the connection closed before the answer was complete.", ended.Message, StringComparison.Ordinal);
            Assert.All(new[] { unresolved, tryAgain, monoName, reset, ended }, e => Assert.Equal(AuthForgeErrorCodes.NetworkError, e.Code));
            Assert.All(new[] { unresolved, tryAgain, monoName, monoTrust, reset, ended }, e => Assert.True(e.IsNoAnswer));
        }

        private static void AssertTlsError(DevServerHost server, Failure failure, string key)
        {
            Assert.Equal(AuthForgeFailureReason.NetworkError, failure.Reason);
            Assert.Equal(AuthForgeErrorCodes.TlsError, failure.Code);
            Assert.True(failure.Error!.IsNoAnswer);
            Assert.False(failure.Error.IsServerError);
            Assert.Contains("TLS connection to the AuthForge server at " + HostPort(server) + " failed", failure.Error.Message, StringComparison.Ordinal);
            Assert.DoesNotContain(server.AppSecret, failure.Error.ToString(), StringComparison.Ordinal);
            Assert.DoesNotContain(key, failure.Error.ToString(), StringComparison.Ordinal);
            Assert.Contains(Chain(failure.Error), e => e is AuthenticationException);
        }

        private static string HostPort(DevServerHost server) => new Uri(server.BaseUrl).Authority;

        private static System.Collections.Generic.IEnumerable<Exception> Chain(Exception e)
        {
            for (Exception? x = e; x != null; x = x.InnerException) yield return x;
        }
    }
}
