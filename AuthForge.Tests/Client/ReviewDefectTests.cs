using System;
using System.IO;
using System.Linq;
using System.Net;
using System.Net.Http;
using System.Text;
using System.Threading;
using System.Threading.Tasks;
using AuthForge.DevServer;
using AuthForge.Tests.Support;
using Xunit;

namespace AuthForge.Tests.Client
{
    /// <summary>The defects issue 8's review found, each over real HTTP where a network is involved.</summary>
    public sealed class ReviewDefectTests : IClassFixture<ServerTrio>
    {
        private readonly ServerTrio _servers;

        public ReviewDefectTests(ServerTrio servers) => _servers = servers;

        [Fact]
        public async Task SelfBanWithAnEqualCopyOfTheCurrentTokenLogsOut()
        {
            await using DevServerHost server = await LiveServer.StartAsync(SigningMode.Ed25519);
            var failures = new FailureRecorder();
            AuthForgeClientOptions options = LiveServer.ClientOptions(server, failures);
            using var client = new AuthForgeClient(options);
            Assert.True(await client.LoginAsync(LiveServer.LicenseKey));
            string token = (string)client.GetSessionData()!["sessionToken"]!;
            string copy = new string(token.ToCharArray());
            Assert.False(ReferenceEquals(token, copy));

            await client.SelfBanAsync(sessionToken: copy, blacklistIp: false);

            Assert.True(server.GetLicense(LiveServer.LicenseKey)!.Revoked);
            LoginTests.AssertLoggedOut(client);
            Assert.Equal(0, options.Scheduler.ScheduledCount);
            Assert.Equal(0, failures.Count);
        }

        [Fact]
        public async Task VerifiedPublicKeyNamesTheTrustedKeyThatVerifiedAndKeyIdIsOnlyTheServersClaim()
        {
            DevServerHost server = _servers[SigningMode.Ed25519];
            string key = ServerTrio.NewLicense(server);
            string otherKey = Convert.ToBase64String(Ed25519Signer.Generate().PublicKey);
            using var relay = new Relay
            {
                // keyId is outside the signed payload: a relay can rename it without breaking the signature.
                RewriteAnswer = answer =>
                {
                    var envelope = Answer.Envelope(answer.Body);
                    envelope["keyId"] = "forged-key-id";
                    return Encoding.UTF8.GetBytes(envelope.ToJsonString());
                },
            };
            using HttpClient http = relay.CreateClient();
            AuthForgeClientOptions options = LiveServer.ClientOptions(server, new FailureRecorder());
            options.PublicKeys.Insert(0, otherKey);
            options.HttpClient = http;
            using var client = new AuthForgeClient(options);

            AuthForgeValidationResult result = await client.ValidateLicenseAsync(key);

            Assert.True(result.IsValid, result.Code);
            Assert.Equal(server.PublicKeyBase64, result.VerifiedPublicKey);
            Assert.Equal("forged-key-id", result.KeyId);
        }

        // Built in code, by index: xUnit's theory data would turn a lone surrogate into U+FFFD on the way.
        private static readonly string[] s_illFormed = { "KEY-\uD800", "\uDC00KEY", "KEY-\uDBFF", "K\uDC00\uD800EY" };

        [Theory]
        [InlineData(0)]
        [InlineData(1)]
        [InlineData(2)]
        [InlineData(3)]
        public async Task ALicenceKeyWithAnUnpairedSurrogateIsAnArgumentException(int index)
        {
            string key = s_illFormed[index];
            DevServerHost server = _servers[SigningMode.HmacV1];
            using var client = new AuthForgeClient(LiveServer.ClientOptions(server, new FailureRecorder()));

            Assert.Equal("licenseKey", Assert.Throws<ArgumentException>(() => client.Login(key)).ParamName);
            Assert.Equal("licenseKey", (await Assert.ThrowsAsync<ArgumentException>(() => client.LoginAsync(key))).ParamName);
            Assert.Equal("licenseKey", Assert.Throws<ArgumentException>(() => client.ValidateLicense(key)).ParamName);
            Assert.Equal("licenseKey", Assert.Throws<ArgumentException>(() => client.SelfBan(licenseKey: key)).ParamName);
            // A well-formed pair is fine: it is text like any other.
            Assert.False(await client.LoginAsync("KEY-\uD83D\uDE00"));
        }

        [Theory]
        [InlineData(0)]
        [InlineData(1)]
        [InlineData(2)]
        [InlineData(3)]
        public void ABlankOrIllFormedHwidOverrideIsAnArgumentException(int index)
        {
            string hwid = new[] { "tg:\uD800", "", "   ", "\t" }[index];
            DevServerHost server = _servers[SigningMode.HmacV1];
            AuthForgeClientOptions options = LiveServer.ClientOptions(server);
            options.HwidOverride = hwid;

            Assert.Equal("hwidOverride", Assert.Throws<ArgumentException>(() => new AuthForgeClient(options)).ParamName);
            Assert.Equal("hwidOverride", Assert.Throws<ArgumentException>(() =>
                new AuthForgeClient(server.AppId, server.AppSecret, "SERVER", apiBaseUrl: server.BaseUrl, hwidOverride: hwid)).ParamName);
        }

        [Fact]
        public void OnlyANullHwidOverrideMeansTheMachinesFingerprint()
        {
            DevServerHost server = _servers[SigningMode.HmacV1];
            AuthForgeClientOptions options = LiveServer.ClientOptions(server);
            options.HwidOverride = null;
            using var client = new AuthForgeClient(options);
            Assert.Equal(HardwareFingerprint.Current, client.HardwareId);
        }

        [Fact]
        public async Task AHandlerThatThrowsSomethingOtherThanHttpIsANetworkError()
        {
            DevServerHost server = _servers[SigningMode.HmacV1];
            var cause = new InvalidOperationException("the proxy library broke");
            using var http = new HttpClient(new ThrowingHandler(cause));
            var failures = new FailureRecorder();
            AuthForgeClientOptions options = LiveServer.ClientOptions(server, failures);
            options.HttpClient = http;
            using var client = new AuthForgeClient(options);

            Assert.False(await client.LoginAsync(ServerTrio.NewLicense(server)));

            Failure failure = Assert.Single(failures.All);
            Assert.Equal(AuthForgeFailureReason.NetworkError, failure.Reason);
            Assert.Equal(AuthForgeErrorCodes.NetworkError, failure.Code);
            Assert.Same(cause, failure.Error!.InnerException);
            AuthForgeValidationResult result = await client.ValidateLicenseAsync("any-key");
            Assert.Equal(AuthForgeErrorCodes.NetworkError, result.Code);
        }

        [Theory]
        [InlineData(SigningMode.HmacV1)]
        [InlineData(SigningMode.Ed25519)]
        public async Task ABodyShorterThanItsContentLengthIsANetworkErrorAndRetried(SigningMode mode)
        {
            // As the HttpWebRequest stack of .NET Framework and Mono delivers a connection closed early: the bytes that
            // came, then a clean end of stream, with the Content-Length header still saying more.
            DevServerHost server = _servers[mode];
            string key = ServerTrio.NewLicense(server);
            using var cutter = new CutOffFirstAnswer();
            using var http = new HttpClient(cutter);
            var failures = new FailureRecorder();
            AuthForgeClientOptions options = LiveServer.ClientOptions(server, failures);
            options.HttpClient = http;
            using var client = new AuthForgeClient(options);

            Assert.True(await client.LoginAsync(key), string.Join(", ", failures.All));

            Assert.Equal(2, (await ServerLog.WaitForAsync(server, ServerLog.Validate, key, 2)).Count);
            Assert.Equal(1, cutter.CutOff);

            cutter.CutEvery = true;
            AuthForgeValidationResult result = await client.ValidateLicenseAsync(key);
            Assert.Equal(AuthForgeErrorCodes.NetworkError, result.Code);
            Assert.IsAssignableFrom<IOException>(result.Exception!.InnerException);
        }

        [Fact]
        public async Task AnAnswerFromARedirectedRequestIsRefused()
        {
            DevServerHost server = _servers[SigningMode.Ed25519];
            string key = ServerTrio.NewLicense(server);
            // A server that sends every request on to the real one: the genuine answer, from another address.
            await using var redirector = new RawHttpServer((request, cancellationToken) => request.WriteAsync(
                "HTTP/1.1 307 Temporary Redirect\r\nLocation: " + server.BaseUrl + request.Path +
                "\r\nContent-Length: 0\r\nConnection: close\r\n\r\n", cancellationToken));
            using var http = new HttpClient(new SocketsHttpHandler { UseProxy = false }); // redirects on, the default
            var failures = new FailureRecorder();
            AuthForgeClientOptions options = LiveServer.ClientOptions(server, failures);
            options.ApiBaseUrl = redirector.BaseUrl;
            options.HttpClient = http;
            using var client = new AuthForgeClient(options);

            Assert.False(await client.LoginAsync(key));

            Assert.Equal(AuthForgeErrorCodes.RedirectRefused, Assert.Single(failures.All).Code);
            LoginTests.AssertLoggedOut(client);
            // The redirect was followed (the real server answered) and the answer was still refused, not retried.
            Assert.Equal(200, Assert.Single(await ServerLog.WaitForAsync(server, ServerLog.Validate, key, 1)).StatusCode);
        }

        [Fact]
        public async Task TheSharedClientDoesNotFollowRedirects()
        {
            DevServerHost server = _servers[SigningMode.HmacV1];
            string key = ServerTrio.NewLicense(server);
            await using var redirector = new RawHttpServer((request, cancellationToken) => request.WriteAsync(
                "HTTP/1.1 307 Temporary Redirect\r\nLocation: " + server.BaseUrl + request.Path +
                "\r\nContent-Length: 0\r\nConnection: close\r\n\r\n", cancellationToken));
            var failures = new FailureRecorder();
            AuthForgeClientOptions options = LiveServer.ClientOptions(server, failures);
            options.ApiBaseUrl = redirector.BaseUrl;
            using var client = new AuthForgeClient(options);

            Assert.False(await client.LoginAsync(key));

            Failure failure = Assert.Single(failures.All);
            Assert.Equal((AuthForgeErrorCodes.ForeignAnswer, 307), (failure.Code, failure.Error!.HttpStatusCode));
            Assert.Empty(ServerLog.For(server, ServerLog.Validate, key));
        }

        [Theory]
        [InlineData(AuthForgeErrorCodes.AppBurnCapReached, 403)]
        [InlineData(AuthForgeErrorCodes.SystemError, 500)]
        public async Task TheHostedServicesCodesArriveAsThemselves(string code, int status)
        {
            DevServerHost server = _servers[SigningMode.Ed25519];
            string key = ServerTrio.NewLicense(server);
            using var relay = new Relay
            {
                RewriteAnswer = answer => Encoding.UTF8.GetBytes("{\"status\":\"error\",\"error\":\"" + code + "\"}"),
            };
            using HttpClient http = new HttpClient(new StatusRewriter(relay, status));
            var failures = new FailureRecorder();
            AuthForgeClientOptions options = LiveServer.ClientOptions(server, failures);
            options.HttpClient = http;
            using var client = new AuthForgeClient(options);

            Assert.False(await client.LoginAsync(key));

            Failure failure = Assert.Single(failures.All);
            Assert.Equal(code, failure.Code);
            Assert.True(failure.Error!.IsServerError);
            Assert.Equal(status, failure.Error.HttpStatusCode);
            Assert.True(AuthForgeErrorCodes.IsServerCode(code));
        }

        private sealed class ThrowingHandler : HttpMessageHandler
        {
            private readonly Exception _error;

            public ThrowingHandler(Exception error) => _error = error;

            protected override Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken) =>
                throw _error;
        }

        /// <summary>Forwards to the server over real HTTP; cuts the first answer (or every one) to half its bytes while
        /// keeping its Content-Length, and ends the stream cleanly.</summary>
        private sealed class CutOffFirstAnswer : DelegatingHandler
        {
            private int _cutOff;

            public CutOffFirstAnswer()
                : base(new SocketsHttpHandler { UseProxy = false, AllowAutoRedirect = false })
            {
            }

            public bool CutEvery { get; set; }

            public int CutOff => Volatile.Read(ref _cutOff);

            protected override async Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken)
            {
                HttpResponseMessage response = await base.SendAsync(request, cancellationToken).ConfigureAwait(false);
                if (!CutEvery && Volatile.Read(ref _cutOff) > 0) return response;
                Interlocked.Increment(ref _cutOff);
                byte[] body = await response.Content.ReadAsByteArrayAsync(cancellationToken).ConfigureAwait(false);
                var cut = new StreamContent(new MemoryStream(body, 0, body.Length / 2));
                cut.Headers.ContentLength = body.Length;
                response.Content = cut;
                return response;
            }
        }

        private sealed class StatusRewriter : DelegatingHandler
        {
            private readonly int _status;

            public StatusRewriter(HttpMessageHandler inner, int status)
                : base(inner) => _status = status;

            protected override async Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken)
            {
                HttpResponseMessage response = await base.SendAsync(request, cancellationToken).ConfigureAwait(false);
                response.StatusCode = (HttpStatusCode)_status;
                return response;
            }
        }
    }
}
