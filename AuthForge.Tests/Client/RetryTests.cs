using System;
using System.Collections.Generic;
using System.IO;
using System.Linq;
using System.Net.Http;
using System.Threading;
using System.Threading.Tasks;
using AuthForge.DevServer;
using AuthForge.Tests.Support;
using Xunit;

namespace AuthForge.Tests.Client
{
    /// <summary>
    /// PROTOCOL.md's retries against real failures: 429s and dropped or stalled connections. Every retry is a new
    /// request with a fresh nonce (the server would refuse a repeated one as a replay).
    /// </summary>
    public sealed class RetryTests : IClassFixture<ServerTrio>
    {
        private readonly ServerTrio _servers;

        public RetryTests(ServerTrio servers) => _servers = servers;

        [Theory]
        [InlineData(SigningMode.HmacV1)]
        [InlineData(SigningMode.Ed25519)]
        public async Task OneRateLimitedAnswerIsRetriedWithAFreshNonce(SigningMode mode)
        {
            (DevServerHost server, string key) = Prepare(mode, DevFaultKind.RateLimit, 1);
            var failures = new FailureRecorder();
            using var client = new AuthForgeClient(LiveServer.ClientOptions(server, failures));

            Assert.True(await client.LoginAsync(key));

            IReadOnlyList<DevRequestRecord> attempts = ServerLog.For(server, ServerLog.Validate, key);
            Assert.Equal(new[] { 429, 200 }, attempts.Select(r => r.StatusCode));
            Assert.NotEqual(attempts[0].Nonce, attempts[1].Nonce);
            // The session stored is the answer to the second request.
            Assert.Equal(attempts[1].Nonce, client.GetSessionData()!["nonce"]);
            Assert.Equal(0, failures.Count);
        }

        [Fact]
        public async Task ARateLimitInA200BodyIsRetriedToo()
        {
            (DevServerHost server, string key) = Prepare(SigningMode.HmacV2, DevFaultKind.RateLimit200, 2);
            using var client = new AuthForgeClient(LiveServer.ClientOptions(server, new FailureRecorder()));

            Assert.True(await client.LoginAsync(key));

            Assert.Equal(3, ServerLog.For(server, ServerLog.Validate, key).Count);
        }

        [Fact]
        public async Task FourRateLimitedAnswersAreNotRetriedAThirdTime()
        {
            (DevServerHost server, string key) = Prepare(SigningMode.HmacV1, DevFaultKind.RateLimit, 4);
            var failures = new FailureRecorder();
            using var client = new AuthForgeClient(LiveServer.ClientOptions(server, failures));

            Assert.False(await client.LoginAsync(key));

            Assert.Equal(3, ServerLog.For(server, ServerLog.Validate, key).Count);
            Failure failure = Assert.Single(failures.All);
            Assert.Equal(AuthForgeFailureReason.LoginFailed, failure.Reason);
            Assert.Equal(AuthForgeErrorCodes.RateLimited, failure.Code);
            Assert.Equal(429, failure.Error!.HttpStatusCode);
            server.ClearFaults();
        }

        [Theory]
        [InlineData(SigningMode.HmacV2)]
        [InlineData(SigningMode.Ed25519)]
        public async Task OneDroppedConnectionIsRetriedWithAFreshNonce(SigningMode mode)
        {
            (DevServerHost server, string key) = Prepare(mode, DevFaultKind.Drop, 1);
            var failures = new FailureRecorder();
            using var client = new AuthForgeClient(LiveServer.ClientOptions(server, failures));

            Assert.True(await client.LoginAsync(key));

            IReadOnlyList<DevRequestRecord> attempts = ServerLog.For(server, ServerLog.Validate, key);
            Assert.Equal(2, attempts.Count);
            Assert.Equal("drop", attempts[0].Fault);
            Assert.NotEqual(attempts[0].Nonce, attempts[1].Nonce);
            Assert.Equal(0, failures.Count);
        }

        [Fact]
        public async Task TwoDroppedConnectionsAreANetworkError()
        {
            (DevServerHost server, string key) = Prepare(SigningMode.HmacV1, DevFaultKind.Drop, 2);
            var failures = new FailureRecorder();
            using var client = new AuthForgeClient(LiveServer.ClientOptions(server, failures));

            Assert.False(await client.LoginAsync(key));

            Failure failure = Assert.Single(failures.All);
            Assert.Equal(AuthForgeFailureReason.NetworkError, failure.Reason);
            Assert.Equal(AuthForgeErrorCodes.NetworkError, failure.Code);
            Assert.False(failure.Error!.IsServerError);
            Assert.Equal(2, ServerLog.For(server, ServerLog.Validate, key).Count);
            LoginTests.AssertLoggedOut(client);
        }

        [Fact]
        public async Task AnAnswerSlowerThanTheTimeoutIsAbandonedAndRetried()
        {
            DevServerHost server = _servers[SigningMode.Ed25519];
            server.ClearFaults();
            string key = ServerTrio.NewLicense(server);
            server.AddFault(new DevFault(DevFaultKind.Delay) { DelayMs = 30_000, Path = ServerLog.Validate, LicenseKey = key });
            var failures = new FailureRecorder();
            AuthForgeClientOptions options = LiveServer.ClientOptions(server, failures);
            // Long enough for the clean retry to be answered in time on a loaded machine.
            options.RequestTimeout = TimeSpan.FromSeconds(1);
            using var client = new AuthForgeClient(options);
            var clock = System.Diagnostics.Stopwatch.StartNew();

            Assert.True(await client.LoginAsync(key));

            // Far under the server's 30 s: the client gave up on the first answer at its own time-out.
            Assert.InRange(clock.Elapsed, TimeSpan.FromMilliseconds(990), TimeSpan.FromSeconds(10));
            IReadOnlyList<DevRequestRecord> attempts = ServerLog.For(server, ServerLog.Validate, key);
            Assert.Equal(2, attempts.Count);
            Assert.Equal("delay", attempts[0].Fault);
            Assert.NotEqual(attempts[0].Nonce, attempts[1].Nonce);
            Assert.Equal(0, failures.Count);
        }

        [Fact]
        public async Task TwoTimeoutsAreReportedAsANetworkFailureWithTheTimeoutCode()
        {
            DevServerHost server = _servers[SigningMode.HmacV1];
            server.ClearFaults();
            string key = ServerTrio.NewLicense(server);
            server.AddFault(new DevFault(DevFaultKind.Delay) { DelayMs = 5000, Path = ServerLog.Validate, Count = 2, LicenseKey = key });
            var failures = new FailureRecorder();
            using var handler = new RecordingHandler();
            using HttpClient http = handler.CreateClient();
            AuthForgeClientOptions options = LiveServer.ClientOptions(server, failures);
            options.HttpClient = http;
            options.RequestTimeout = TimeSpan.FromMilliseconds(200);
            using var client = new AuthForgeClient(options);

            Assert.False(await client.LoginAsync(key));

            Failure failure = Assert.Single(failures.All);
            Assert.Equal(AuthForgeFailureReason.NetworkError, failure.Reason);
            Assert.Equal(AuthForgeErrorCodes.Timeout, failure.Code);
            // Counted where they are sent: on a loaded machine an attempt cut after 200 ms may not have reached the
            // server at all (still connecting), so the server's log can only be held to "never more than sent".
            Assert.Equal(2, handler.Attempts);
            Assert.InRange(ServerLog.For(server, ServerLog.Validate, key).Count, 0, 2);
        }

        [Fact]
        public async Task TheRealPolicyWaitsItsDelaysInOrder()
        {
            // The production policy's shape (two rate-limit waits, then one network wait), with short delays so the
            // order can be measured: the first wait is short and the second long, so the reverse order would show.
            var shortWait = TimeSpan.FromMilliseconds(20);
            var longWait = TimeSpan.FromMilliseconds(250);
            var networkWait = TimeSpan.FromMilliseconds(120);
            DevServerHost server = _servers[SigningMode.HmacV2];
            server.ClearFaults();
            string key = ServerTrio.NewLicense(server);
            server.AddFault(DevFaultKind.RateLimit, 2, ServerLog.Validate, licenseKey: key);
            server.AddFault(DevFaultKind.Drop, 1, ServerLog.Validate, licenseKey: key);
            AuthForgeClientOptions options = LiveServer.ClientOptions(server, new FailureRecorder());
            options.Retry = new RetryPolicy(new[] { shortWait, longWait }, networkWait);
            using var client = new AuthForgeClient(options);

            Assert.True(await client.LoginAsync(key));

            IReadOnlyList<DevRequestRecord> attempts = ServerLog.For(server, ServerLog.Validate, key);
            Assert.Equal(4, attempts.Count);
            Assert.Equal(new[] { 429, 429, 0, 200 }, attempts.Select(r => r.StatusCode));
            Assert.Equal(4, attempts.Select(r => r.Nonce).Distinct().Count());
            // Lower bounds only: a busy machine may wait longer, never shorter.
            Assert.True(attempts[1].Time - attempts[0].Time >= shortWait - Slack, "first wait " + (attempts[1].Time - attempts[0].Time));
            Assert.True(attempts[2].Time - attempts[1].Time >= longWait - Slack, "second wait " + (attempts[2].Time - attempts[1].Time));
            Assert.True(attempts[3].Time - attempts[2].Time >= networkWait - Slack, "network wait " + (attempts[3].Time - attempts[2].Time));
        }

        [Fact]
        public void TheDefaultPolicyIsTheProtocols()
        {
            Assert.Equal(new[] { TimeSpan.FromSeconds(2), TimeSpan.FromSeconds(5) }, RetryPolicy.Default.RateLimitDelays);
            Assert.Equal(TimeSpan.FromSeconds(2), RetryPolicy.Default.NetworkRetryDelay);
            Assert.Same(RetryPolicy.Default, new AuthForgeClientOptions().Retry);
        }

        // The server stamps arrival times with a clock of a few milliseconds' resolution on some systems.
        private static readonly TimeSpan Slack = TimeSpan.FromMilliseconds(5);

        private (DevServerHost Server, string Key) Prepare(SigningMode mode, DevFaultKind fault, int count)
        {
            DevServerHost server = _servers[mode];
            server.ClearFaults();
            string key = ServerTrio.NewLicense(server);
            server.AddFault(fault, count, ServerLog.Validate, licenseKey: key);
            return (server, key);
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
    }
}
