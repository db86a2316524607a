using System;
using System.Diagnostics;
using System.IO;
using System.Linq;
using System.Net;
using System.Net.Http;
using System.Net.Security;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using System.Text;
using System.Threading;
using System.Threading.Tasks;
using AuthForge.Tests.Support;
using Xunit;

namespace AuthForge.Tests.Faults
{
    /// <summary>
    /// The transport's limits, each against a server that behaves exactly as badly as the test needs: the size cap,
    /// the JSON nesting cap, an end-to-end time-out that covers the body, plain http only to loopback, and
    /// certificate validation left on.
    /// </summary>
    /// <remarks>
    /// Parallel with the other classes: each test has its own raw server, counts nothing process-wide, and its time
    /// bounds hold on a loaded machine (lower bounds are the time-outs themselves; upper ones leave seconds).
    /// </remarks>
    public sealed class TransportLimitTests
    {
        private const string AppSecret = "raw-secret";
        internal const string LicenseKey = "RAW-KEY";

        /// <summary>How deep the hostile envelope nests: a recursive reader without a cap would overflow the stack.</summary>
        internal const int EnvelopeNesting = 100_000;

        /// <summary>How deep the correctly signed payload nests.</summary>
        internal const int PayloadNesting = 10_000;
        // Short, so the time-out tests stay quick, and long enough to deliver a loopback request on a loaded machine.
        private static readonly TimeSpan s_shortTimeout = TimeSpan.FromSeconds(1);

        [Fact]
        public async Task DeclaredOversizedBody_FailsBeforeAByteOfItIsRead()
        {
            await using var server = new RawHttpServer(async (request, cancellationToken) =>
            {
                await request.WriteAsync(RawRequest.Head(200, 2L * 1024 * 1024), cancellationToken);
                await request.WaitForClientToLeaveAsync(cancellationToken);
            });
            using var run = new RawRun(server.BaseUrl, FaultExpectation.PatientRequestTimeout);

            var watch = Stopwatch.StartNew();
            Assert.False(await run.Client.LoginAsync(LicenseKey).WaitAsync(FaultExpectation.PatientRequestTimeout * 2));

            // Well inside the 10 s time-out (the server never sends the body): the declared length alone decides it.
            Assert.True(watch.Elapsed < FaultExpectation.Slack, $"took {watch.Elapsed.TotalMilliseconds:0} ms");
            run.AssertSingleFailure(AuthForgeFailureReason.LoginFailed, AuthForgeErrorCodes.ResponseTooLarge);
            Assert.Equal(0, run.Handler.BytesRead);
            Assert.Equal(1, server.Requests);
        }

        [Theory]
        [InlineData(false, 0)]
        [InlineData(false, 1)]
        [InlineData(true, 0)]
        [InlineData(true, 1)]
        public async Task BodyOfExactlyTheLimitIsRead_OneByteMoreIsRefused(bool chunked, int beyond)
        {
            const int Limit = 4096;
            byte[] body = Padded("{\"status\":\"error\",\"error\":\"invalid_key\"}", Limit + beyond);
            await using var server = new RawHttpServer(async (request, cancellationToken) =>
            {
                if (!chunked)
                {
                    await request.WriteResponseAsync(403, body, cancellationToken);
                    return;
                }
                await request.WriteAsync(RawRequest.Head(403, null), cancellationToken);
                // Two chunks, so the limit is crossed inside the second read, not announced anywhere.
                int half = body.Length / 2;
                await request.WriteAsync(Chunk(body.AsSpan(0, half)), cancellationToken);
                await request.WriteAsync(Chunk(body.AsSpan(half)), cancellationToken);
                await request.WriteAsync("0\r\n\r\n", cancellationToken);
            });
            using var run = new RawRun(server.BaseUrl, FaultExpectation.PatientRequestTimeout, maxResponseBytes: Limit);

            Assert.False(await run.Client.LoginAsync(LicenseKey));

            // At the limit the body was read whole and understood; one byte more, and it was refused unread.
            run.AssertSingleFailure(AuthForgeFailureReason.LoginFailed,
                beyond == 0 ? AuthForgeErrorCodes.InvalidKey : AuthForgeErrorCodes.ResponseTooLarge);
            Assert.True(run.Handler.BytesRead <= Limit + 1, $"read {run.Handler.BytesRead} bytes");
        }

        [Fact]
        public async Task DeeplyNestedEnvelope_FailsCleanlyAsAForeignAnswer()
        {
            // A recursive reader without a cap would overflow the stack and take the process down.
            const int Depth = EnvelopeNesting;
            byte[] body = Encoding.ASCII.GetBytes("{\"status\":\"ok\",\"payload\":\"e30=\",\"signature\":\"00\",\"x\":"
                + new string('[', Depth) + new string(']', Depth) + "}");
            await using var server = new RawHttpServer((request, cancellationToken) => request.WriteResponseAsync(200, body, cancellationToken));
            using var run = new RawRun(server.BaseUrl, FaultExpectation.PatientRequestTimeout);

            Assert.False(await run.Client.LoginAsync(LicenseKey));

            // Not JSON this client reads, so not the server's word: no answer, as a portal's page would be.
            run.AssertSingleFailure(AuthForgeFailureReason.NetworkError, AuthForgeErrorCodes.ForeignAnswer);
        }

        [Theory]
        [InlineData(0)]
        [InlineData(PayloadNesting)]
        public async Task DeeplyNestedPayload_CorrectlySigned_FailsCleanlyAsInvalidPayload(int depth)
        {
            // The payload is signed for the request's own nonce with the app secret (v1), so it passes the signature
            // check and only its nesting can fail it. Depth 0 is the control: the same answer, flat, logs in.
            await using var server = new RawHttpServer((request, cancellationToken) =>
                request.WriteResponseAsync(200, SignedAnswer(request.Nonce, depth), cancellationToken));
            using var run = new RawRun(server.BaseUrl, FaultExpectation.PatientRequestTimeout);

            bool loggedIn = await run.Client.LoginAsync(LicenseKey);

            if (depth == 0)
            {
                Assert.True(loggedIn);
                Assert.Equal(0, run.Failures.Count);
            }
            else
            {
                Assert.False(loggedIn);
                run.AssertSingleFailure(AuthForgeFailureReason.LoginFailed, AuthForgeErrorCodes.InvalidPayload);
            }
        }

        [Fact]
        public async Task HeadersThenAStalledBody_TimeOutOnTheWholeExchange()
        {
            await using var server = new RawHttpServer(async (request, cancellationToken) =>
            {
                await request.WriteAsync(RawRequest.Head(200, 1000), cancellationToken);
                await request.WriteAsync("{\"status\":", cancellationToken);
                await request.WaitForClientToLeaveAsync(cancellationToken);
            });
            using var run = new RawRun(server.BaseUrl, s_shortTimeout);

            await run.AssertTimesOutTwiceAsync();
            AssertServerSawAtMostTheAttempts(server);
        }

        [Fact]
        public async Task BodyDrippedAByteAtATime_TimesOutEndToEnd()
        {
            // Every read makes progress, so only a deadline over the whole exchange (not a per-read one) ends it.
            await using var server = new RawHttpServer(async (request, cancellationToken) =>
            {
                await request.WriteAsync(RawRequest.Head(200, 100_000), cancellationToken);
                byte[] space = { (byte)' ' };
                while (true)
                {
                    await request.WriteAsync(space, cancellationToken);
                    await Task.Delay(20, cancellationToken);
                }
            });
            using var run = new RawRun(server.BaseUrl, s_shortTimeout);

            await run.AssertTimesOutTwiceAsync();
            AssertServerSawAtMostTheAttempts(server);
            Assert.InRange(run.Handler.BytesRead, 1, 200);
        }

        [Fact]
        public async Task NoAnswerAtAll_TimesOut()
        {
            await using var server = new RawHttpServer((request, cancellationToken) => request.WaitForClientToLeaveAsync(cancellationToken));
            using var run = new RawRun(server.BaseUrl, s_shortTimeout);

            await run.AssertTimesOutTwiceAsync();
            AssertServerSawAtMostTheAttempts(server);
        }

        [Theory]
        [InlineData("http://example.com")]
        [InlineData("http://10.0.0.1")]
        [InlineData("http://localhost.example.com")]
        [InlineData("http://127.0.0.1.example.com")]
        [InlineData("HTTP://AUTH.EXAMPLE.COM/api")]
        public void PlainHttpToAHostThatIsNotLoopback_IsRefusedUnlessAllowed(string url)
        {
            // Only constructed, never used: no request is sent anywhere.
            var refused = Assert.Throws<ArgumentException>(() => new AuthForgeClient("app", AppSecret, "SERVER", apiBaseUrl: url));
            Assert.Equal("apiBaseUrl", refused.ParamName);
            var options = new AuthForgeClientOptions { AppId = "app", AppSecret = AppSecret, ApiBaseUrl = url };
            Assert.Equal("apiBaseUrl", Assert.Throws<ArgumentException>(() => new AuthForgeClient(options)).ParamName);

            using var allowed = new AuthForgeClient("app", AppSecret, "SERVER", apiBaseUrl: url, allowInsecureHttp: true);
            options.AllowInsecureHttp = true;
            using var allowedByOptions = new AuthForgeClient(options);
        }

        [Theory]
        [InlineData("http://127.0.0.1:1")]
        [InlineData("http://127.9.9.9:1")]
        [InlineData("http://localhost:1")]
        [InlineData("http://[::1]:1")]
        [InlineData("https://auth.example.com")]
        public void LoopbackHttpAndAnyHttps_AreAccepted(string url)
        {
            using var client = new AuthForgeClient("app", AppSecret, "SERVER", apiBaseUrl: url);
        }

        [Fact]
        public void DropInFile_HasNoWayToTurnCertificateValidationOff()
        {
            // UntrustedCertificate_IsRefused (below) and RedirectTests see what the shared client does; this covers
            // every code path of the file.
            string source = RepositoryFiles.Read("AuthForge.cs");
            foreach (string forbidden in new[]
            {
                "ServerCertificateCustomValidationCallback", "RemoteCertificateValidationCallback",
                "DangerousAcceptAnyServerCertificateValidator", "ServicePointManager",
            })
            {
                Assert.DoesNotContain(forbidden, source, StringComparison.Ordinal);
            }
        }

        [Fact]
        public async Task UntrustedCertificate_IsRefused_AndTheAppSecretNeverSent()
        {
            // A certificate that names 127.0.0.1 correctly and is in date, but that nobody trusts: only chain
            // validation can refuse it. The server counts HTTP requests, which only exist after a handshake.
            using X509Certificate2 certificate = SelfSignedForLoopback();
            await using var server = new RawHttpServer((request, cancellationToken) =>
                request.WriteResponseAsync(200, SignedAnswer(request.Nonce, 0), cancellationToken), certificate);
            using var run = new RawRun(server.BaseUrl, FaultExpectation.PatientRequestTimeout, useSharedClient: true);

            Assert.False(await run.Client.LoginAsync(LicenseKey));

            // No answer (tls_error), and not retried: a certificate does not change between two attempts.
            run.AssertSingleFailure(AuthForgeFailureReason.NetworkError, AuthForgeErrorCodes.TlsError);
            Assert.Equal(0, server.Requests);
            Assert.Equal(1, server.Connections);
        }

        /// <summary>
        /// The client's two attempts are counted where they are sent (<see cref="RawRun.AssertTimesOutTwiceAsync"/>).
        /// The server may have seen fewer: on a loaded machine an attempt cut at its time-out can still be connecting.
        /// It saw at least one (a second of time-out is ample to deliver a loopback request), and never more.
        /// </summary>
        private static void AssertServerSawAtMostTheAttempts(RawHttpServer server)
        {
            Assert.InRange(server.Requests, 1, 2);
        }

        internal static byte[] SignedAnswer(string nonce, int depth)
        {
            long expires = DateTimeOffset.UtcNow.AddHours(1).ToUnixTimeSeconds();
            string payloadJson = "{\"sessionToken\":\"" + Signed.Token("{\"expiresIn\":" + expires + "}") + "\",\"expiresIn\":" + expires
                + ",\"nonce\":\"" + nonce + "\"" + (depth > 0 ? ",\"deep\":" + new string('[', depth) + new string(']', depth) : "") + "}";
            string payload = Signed.Base64Json(payloadJson);
            return Signed.Envelope(payload, Signed.HmacHex(AppSecret, nonce, payload));
        }

        private static byte[] Padded(string json, int length) => Encoding.ASCII.GetBytes(json + new string(' ', length - json.Length));

        private static byte[] Chunk(ReadOnlySpan<byte> data)
        {
            byte[] head = Encoding.ASCII.GetBytes(data.Length.ToString("x", System.Globalization.CultureInfo.InvariantCulture) + "\r\n");
            byte[] chunk = new byte[head.Length + data.Length + 2];
            head.CopyTo(chunk, 0);
            data.CopyTo(chunk.AsSpan(head.Length));
            chunk[^2] = (byte)'\r';
            chunk[^1] = (byte)'\n';
            return chunk;
        }

        private static X509Certificate2 SelfSignedForLoopback()
        {
            using var key = ECDsa.Create(ECCurve.NamedCurves.nistP256);
            var request = new CertificateRequest("CN=127.0.0.1", key, HashAlgorithmName.SHA256);
            var names = new SubjectAlternativeNameBuilder();
            names.AddIpAddress(IPAddress.Loopback);
            request.CertificateExtensions.Add(names.Build());
            using X509Certificate2 created = request.CreateSelfSigned(DateTimeOffset.UtcNow.AddDays(-1), DateTimeOffset.UtcNow.AddDays(1));
            // Round-trip through PKCS#12 so the private key is usable by SslStream on every platform.
            return X509CertificateLoader.LoadPkcs12(created.Export(X509ContentType.Pkcs12), null);
        }

        /// <summary>An HMAC (v1) client of a raw server, with zero-wait retries and a throwing exit seam.</summary>
        internal sealed class RawRun : IDisposable
        {
            private readonly HttpClient? _http;
            private readonly TimeSpan _timeout;

            public RawRun(string baseUrl, TimeSpan requestTimeout, int? maxResponseBytes = null, bool useSharedClient = false)
            {
                _timeout = requestTimeout;
                if (!useSharedClient) _http = Handler.CreateClient();
                Options = new AuthForgeClientOptions
                {
                    AppId = "raw-app",
                    AppSecret = AppSecret,
                    ApiBaseUrl = baseUrl,
                    RequestTimeout = requestTimeout,
                    HeartbeatInterval = TimeSpan.FromHours(1),
                    OnFailure = Failures.Callback,
                    UseSynchronizationContext = false, // as LiveServer.ClientOptions
                    HwidOverride = "raw-hwid",
                    HttpClient = _http,
                    Retry = new RetryPolicy(new[] { TimeSpan.Zero, TimeSpan.Zero }, TimeSpan.Zero),
                    Scheduler = new HeartbeatScheduler(),
                    Exit = code => throw new InvalidOperationException("The client tried to end the process with exit code " + code + "."),
                };
                if (maxResponseBytes is int limit) Options.MaxResponseBytes = limit;
                Client = new AuthForgeClient(Options);
            }

            public FailureRecorder Failures { get; } = new FailureRecorder();
            public RecordingHandler Handler { get; } = new RecordingHandler();
            public AuthForgeClientOptions Options { get; }
            public AuthForgeClient Client { get; }

            public void AssertSingleFailure(string reason, string code)
            {
                Failure failure = Assert.Single(Failures.All);
                Assert.Equal((reason, code), (failure.Reason, failure.Code));
                Assert.False(Client.IsAuthenticated());
                Assert.Equal(0, Options.Scheduler.ScheduledCount);
            }

            /// <summary>Login fails as a time-out after two attempts, each cut at the request time-out.</summary>
            public async Task AssertTimesOutTwiceAsync()
            {
                var watch = Stopwatch.StartNew();
                // Bounded, so a client without an end-to-end deadline fails this test instead of hanging it.
                Assert.False(await Client.LoginAsync(LicenseKey).WaitAsync(TimeSpan.FromSeconds(10)));
                TimeSpan elapsed = watch.Elapsed;

                AssertSingleFailure(AuthForgeFailureReason.NetworkError, AuthForgeErrorCodes.Timeout);
                Assert.Equal(2, Handler.Attempts);
                // Above: each attempt waited its whole time-out. Below: with room for a loaded machine, and still far
                // from the 10 s a client without an end-to-end deadline would wait on these servers.
                Assert.InRange(elapsed, _timeout * 2 - TimeSpan.FromMilliseconds(50), _timeout * 2 + FaultExpectation.Slack);
            }

            public void Dispose()
            {
                Client.Dispose();
                _http?.Dispose();
                Handler.Dispose();
            }
        }
    }
}
