using System;
using System.Collections.Generic;
using System.Linq;
using System.Net.Http;
using System.Text;
using System.Text.Json;
using System.Threading;
using System.Threading.Tasks;
using AuthForge.DevServer;
using AuthForge.Tests.Faults;
using AuthForge.Tests.Support;
using Xunit;

namespace AuthForge.Tests.Hygiene
{
    /// <summary>
    /// Every failure path, driven with a distinctive app secret and licence key, must keep both out of everything it
    /// shows: exceptions (message, ToString with inner exceptions and stack, code), results, the public types'
    /// ToString(), and the console.
    /// </summary>
    [Collection(HostileNetworkCollection.Name)]
    public sealed class SecretHygieneTests : IClassFixture<SecretHygieneTests.Servers>
    {
        private const string Secret = SecretExposure.Secret;
        private const string Key = SecretExposure.LicenseKey;
        private const string HeartbeatPath = "/auth/heartbeat";
        /// <summary>Long enough for a loaded machine; the time-out paths set their own, shorter one.</summary>
        // Patient: no fault here is meant to meet a time-out, and on a loaded machine a cut and retried attempt would
        // reach the server late. The time-out test sets its own short one.
        private static readonly TimeSpan s_timeout = FaultExpectation.PatientRequestTimeout;
        private static int s_clients;

        private readonly Servers _servers;

        public SecretHygieneTests(Servers servers)
        {
            _servers = servers;
        }

        [Theory]
        [InlineData(SigningMode.Ed25519)]
        [InlineData(SigningMode.HmacV1)]
        public async Task EveryFault_AtLoginValidateAndHeartbeat_ExposesNeither(SigningMode mode)
        {
            DevServerHost server = _servers.For(mode);
            using var exposure = new SecretExposure();
            // The time-out rows are covered once, below; here they would only add seconds.
            foreach (FaultExpectation row in FaultMatrix.Rows.Where(r => r.Time != TimeBound.OneTimeout && r.Time != TimeBound.TwoTimeouts))
            {
                await DevAdmin.ResetAsync(server);
                var failures = new FailureRecorder();
                AuthForgeClientOptions options = Options(server, failures, TimeSpan.FromMilliseconds(20));
                if (row.MaxResponseBytes is int limit) options.MaxResponseBytes = limit;
                using (var client = new AuthForgeClient(options))
                {
                    exposure.Add(row.Id + " warm-up", await client.ValidateLicenseAsync(Key));
                    await QueueAsync(server, row, "/auth/validate", options);
                    Assert.Equal(row.Recovers, await client.LoginAsync(Key));
                    client.Logout();
                    await QueueAsync(server, row, "/auth/validate", options);
                    exposure.Add(row.Id + " validate", await client.ValidateLicenseAsync(Key));

                    if (!row.Recovers)
                    {
                        if (row.Fault == "replay") await FaultServers.PrimeHeartbeatAsync(server, Key);
                        // The fault waits for the first heartbeat of a fresh session.
                        await QueueAsync(server, row, HeartbeatPath, options);
                        Assert.True(await client.LoginAsync(Key));
                        try
                        {
                            while (failures.Count < 2) await failures.NextAsync();
                        }
                        catch (TimeoutException)
                        {
                            throw new TimeoutException(row.Id + ": no heartbeat failure was reported.");
                        }
                        Assert.Equal(AuthForgeFailureReason.HeartbeatFailed, failures.All[1].Reason);
                    }
                    exposure.Add(row.Id, client, options);
                }
                foreach (Failure failure in failures.All) exposure.Add(row.Id + " " + failure.Reason, failure.Error);
            }

            exposure.AssertClean();
            Assert.True(exposure.ExceptionCount >= 60, $"only {exposure.ExceptionCount} failures were looked at");
        }

        [Fact]
        public async Task EveryServerErrorCode_AndRealRefusals_ExposeNeither()
        {
            DevServerHost server = _servers.V3;
            using var exposure = new SecretExposure();
            var failures = new FailureRecorder();
            AuthForgeClientOptions options = Options(server, failures, TimeSpan.FromHours(1));
            using (var client = new AuthForgeClient(options))
            {
                string?[] codes =
                {
                    "invalid_app", "invalid_key", "expired", "revoked", "hwid_mismatch", "no_credits", "blocked", "rate_limited",
                    "replay_detected", "app_disabled", "session_expired", "revoke_requires_session", "bad_request", "server_error",
                    "checksum_required", "checksum_mismatch", "made_up", null,
                };
                foreach (string? code in codes)
                {
                    await DevAdmin.ResetAsync(server);
                    // rate_limited is retried: queue enough for every attempt.
                    await DevAdmin.AddFaultAsync(server, options.HwidOverride!, "status", 6, status: code is null ? 502 : 403, error: code);
                    await client.LoginAsync(Key);
                    exposure.Add("status " + code, await client.ValidateLicenseAsync(Key));
                }
                await DevAdmin.ClearFaultsAsync(server);

                // Refusals the server decides itself: unknown licence, revoked licence, wrong app secret.
                await client.LoginAsync(Key + "-UNKNOWN");
                exposure.Add("unknown key", await client.ValidateLicenseAsync(Key + "-UNKNOWN"));
                await DevAdmin.RevokeAsync(server, Key);
                try
                {
                    await client.LoginAsync(Key);
                    exposure.Add("revoked", await client.ValidateLicenseAsync(Key));
                }
                finally
                {
                    await DevAdmin.RestoreAsync(server, Key);
                }
                exposure.Add("codes", client, options);
            }

            AuthForgeClientOptions wrongSecret = Options(server, failures, TimeSpan.FromHours(1));
            wrongSecret.AppSecret = Secret + "-WRONG";
            using (var client = new AuthForgeClient(wrongSecret))
            {
                await client.LoginAsync(Key);
                exposure.Add("wrong secret", await client.ValidateLicenseAsync(Key));
                exposure.Add("wrong secret", client, wrongSecret);
            }

            Assert.Contains(failures.All, f => f.Code == AuthForgeErrorCodes.InvalidApp);
            Assert.Contains(failures.All, f => f.Code == AuthForgeErrorCodes.Revoked);
            foreach (Failure failure in failures.All) exposure.Add("login " + failure, failure.Error);
            exposure.AssertClean();
            Assert.True(exposure.ExceptionCount >= 40, $"only {exposure.ExceptionCount} failures were looked at");
        }

        [Fact]
        public void ConstructorAndArgumentErrors_ExposeNeither()
        {
            using var exposure = new SecretExposure();
            var attempts = new List<(string Where, Action Act)>
            {
                ("empty app id", () => new AuthForgeClient("", Secret, "SERVER")),
                ("empty secret", () => new AuthForgeClient("app", " ", "SERVER")),
                ("secret as mode", () => new AuthForgeClient("app", Secret, Secret)),
                ("secret in scheme", () => new AuthForgeClient("app", Secret, "SERVER", apiBaseUrl: "ftp://" + Secret)),
                ("secret in user info", () => new AuthForgeClient("app", Secret, "SERVER", apiBaseUrl: "https://user:" + Secret + "@auth.example.com")),
                ("secret in query", () => new AuthForgeClient("app", Secret, "SERVER", apiBaseUrl: "https://auth.example.com/?k=" + Secret)),
                ("key as url", () => new AuthForgeClient("app", Secret, "SERVER", apiBaseUrl: Key)),
                ("secret over http", () => new AuthForgeClient("app", Secret, "SERVER", apiBaseUrl: "http://" + Secret.ToLowerInvariant() + ".example.com")),
                ("secret as public key", () => new AuthForgeClient("app", Secret, "SERVER", publicKey: Secret)),
                ("secret among public keys", () => new AuthForgeClient("app", Secret, "SERVER", publicKey: "AAAA," + Secret)),
                ("interval", () => new AuthForgeClient("app", Secret, "SERVER", heartbeatInterval: -1)),
                ("time-out", () => new AuthForgeClient("app", Secret, "SERVER", requestTimeout: 0)),
                ("ttl", () => new AuthForgeClient("app", Secret, "SERVER", ttlSeconds: -5)),
                ("size limit", () => new AuthForgeClient(new AuthForgeClientOptions { AppId = "app", AppSecret = Secret, MaxResponseBytes = 10 })),
                ("null options", () => new AuthForgeClient((AuthForgeClientOptions)null!)),
            };
            using (var client = new AuthForgeClient("app", Secret, "SERVER", apiBaseUrl: "http://127.0.0.1:1", onFailure: (_, _) => { }))
            {
                attempts.Add(("blank key", () => client.Login("   ")));
                attempts.Add(("null key", () => client.Login(null!)));
                attempts.Add(("self-ban without key", () => client.SelfBan()));
                exposure.Add("unused", client, new AuthForgeClientOptions { AppId = "app", AppSecret = Secret });
                client.Dispose();
                attempts.Add(("login after dispose", () => client.Login(Key)));
                attempts.Add(("validate after dispose", () => client.ValidateLicense(Key)));
                attempts.Add(("self-ban after dispose", () => client.SelfBan(Key)));

                foreach ((string where, Action act) in attempts)
                {
                    Exception? thrown = Record.Exception(act);
                    Assert.True(thrown is ArgumentException || thrown is ObjectDisposedException, where + " threw " + thrown);
                    exposure.Add(where, thrown);
                }
            }

            exposure.AssertClean();
        }

        [Fact]
        public async Task TimeoutsCancellationAndSelfBan_ExposeNeither()
        {
            DevServerHost server = _servers.V1;
            await DevAdmin.ResetAsync(server);
            using var exposure = new SecretExposure();
            var failures = new FailureRecorder();
            using var handler = new RecordingHandler();
            using HttpClient http = handler.CreateClient();
            AuthForgeClientOptions options = Options(server, failures, TimeSpan.FromHours(1));
            options.HttpClient = http;
            options.RequestTimeout = TimeSpan.FromMilliseconds(300);
            using (var client = new AuthForgeClient(options))
            {
                await DevAdmin.AddFaultAsync(server, options.HwidOverride!, "delay", 2, delayMs: 30_000);
                Assert.False(await client.LoginAsync(Key));
                await DevAdmin.AddFaultAsync(server, options.HwidOverride!, "delay", 2, delayMs: 30_000);
                exposure.Add("time-out", await client.ValidateLicenseAsync(Key));

                using (var cancelled = new CancellationTokenSource())
                {
                    cancelled.Cancel();
                    exposure.Add("pre-cancelled login", Thrown(await Record.ExceptionAsync(() => client.LoginAsync(Key, cancelled.Token))));
                    exposure.Add("pre-cancelled validate", Thrown(await Record.ExceptionAsync(() => client.ValidateLicenseAsync(Key, cancelled.Token))));
                }

                exposure.Add("time-outs", client, options);
            }

            // The rest must not meet the short time-out: a patient client of the same machine. A delay fault left
            // over because a cut attempt never reached the loaded server must not meet it either.
            await DevAdmin.ClearFaultsAsync(server);
            options.RequestTimeout = s_timeout;
            using (var client = new AuthForgeClient(options))
            {
                // Cancelled while the server holds the request: the moment is signalled by the client's own handler.
                await DevAdmin.AddFaultAsync(server, options.HwidOverride!, "delay", 1, delayMs: 30_000);
                using (var midway = new CancellationTokenSource())
                {
                    int next = handler.Attempts + 1;
                    Task<bool> login = client.LoginAsync(Key, midway.Token);
                    await handler.WaitForAttemptAsync(next, TimeSpan.FromSeconds(10));
                    midway.Cancel();
                    Exception? thrown = await Record.ExceptionAsync(() => login);
                    Assert.IsAssignableFrom<OperationCanceledException>(thrown);
                    exposure.Add("cancelled login", thrown);
                }

                // Self-ban's pre-session form carries the secret and the key; its failures throw to the caller.
                await DevAdmin.AddFaultAsync(server, options.HwidOverride!, "html500");
                exposure.Add("self-ban html500", Thrown(Record.Exception(() => client.SelfBan(Key, revokeLicense: false))));
                await DevAdmin.AddFaultAsync(server, options.HwidOverride!, "drop", 2);
                exposure.Add("self-ban drop", Thrown(await Record.ExceptionAsync(() => client.SelfBanAsync(Key, revokeLicense: false))));
                exposure.Add("patient", client, options);
            }

            Assert.Equal(AuthForgeErrorCodes.Timeout, Assert.Single(failures.All).Code);
            foreach (Failure failure in failures.All) exposure.Add("login " + failure, failure.Error);
            exposure.AssertClean();
            Assert.Equal(7, exposure.ExceptionCount);
        }

        [Theory]
        [InlineData("error-code")]
        [InlineData("html")]
        [InlineData("plain-200")]
        [InlineData("status-field")]
        [InlineData("payload")]
        [InlineData("rate-limited")]
        public async Task HostileServerEchoingTheRequest_CannotMakeTheClientRepeatIt(string shape)
        {
            // A server controls every byte of its answer; here it puts the client's own request (which holds the
            // secret and the key) everywhere it could end up in a message.
            await using var server = new RawHttpServer((request, cancellationToken) =>
            {
                string echo = request.Body;
                string quoted = JsonSerializer.Serialize(echo);
                (int status, string body) = shape switch
                {
                    "error-code" => (400, "{\"status\":\"error\",\"error\":" + quoted + ",\"message\":" + quoted + "}"),
                    "html" => (500, "<html><body>" + echo + "</body></html>"),
                    "plain-200" => (200, echo),
                    "status-field" => (200, "{\"status\":" + quoted + ",\"error\":" + quoted + "}"),
                    "payload" => (200, "{\"status\":\"ok\",\"payload\":\"" + Convert.ToBase64String(Encoding.UTF8.GetBytes(echo)) + "\",\"signature\":" + quoted + "}"),
                    _ => (429, echo),
                };
                return request.WriteResponseAsync(status, Encoding.UTF8.GetBytes(body), cancellationToken);
            });
            using var exposure = new SecretExposure();
            var failures = new FailureRecorder();
            var options = new AuthForgeClientOptions
            {
                AppId = "echo-app",
                AppSecret = Secret,
                ApiBaseUrl = server.BaseUrl,
                RequestTimeout = TimeSpan.FromSeconds(5),
                OnFailure = failures.Callback,
                UseSynchronizationContext = false, // as LiveServer.ClientOptions
                HwidOverride = "echo-hwid",
                Retry = new RetryPolicy(new[] { TimeSpan.Zero, TimeSpan.Zero }, TimeSpan.Zero),
                Scheduler = new HeartbeatScheduler(),
                Exit = code => throw new InvalidOperationException("exit " + code),
            };
            using (var client = new AuthForgeClient(options))
            {
                Assert.False(await client.LoginAsync(Key));
                exposure.Add(shape, await client.ValidateLicenseAsync(Key));
                // Self-ban's answer is an unsigned acknowledgement, so an echoed {"status":"ok",...} is accepted.
                Exception? selfBan = await Record.ExceptionAsync(() => client.SelfBanAsync(Key, revokeLicense: false));
                Assert.True(shape == "payload" || selfBan != null);
                exposure.Add(shape + " self-ban", selfBan);
                exposure.Add(shape, client, options);
            }

            Assert.True(server.Requests >= 3);
            exposure.Add(shape + " login", Assert.Single(failures.All).Error);
            exposure.AssertClean();
        }

        [Fact]
        public async Task HealthySession_ToStringsShowNeitherNorTheSessionToken()
        {
            DevServerHost server = _servers.V3;
            await DevAdmin.ResetAsync(server);
            using var exposure = new SecretExposure();
            AuthForgeClientOptions options = Options(server, new FailureRecorder(), TimeSpan.FromHours(1));
            using var client = new AuthForgeClient(options);

            Assert.True(await client.LoginAsync(Key));
            AuthForgeValidationResult result = await client.ValidateLicenseAsync(Key);
            Assert.True(result.IsValid);

            string token = Assert.IsType<string>(client.GetSessionData()!["sessionToken"]);
            Assert.DoesNotContain(token, client.ToString(), StringComparison.Ordinal);
            Assert.DoesNotContain(result.SessionToken!, result.ToString(), StringComparison.Ordinal);
            exposure.Add("healthy", result);
            exposure.Add("healthy", client, options);
            exposure.AssertClean();
        }

        private static Exception Thrown(Exception? exception) => exception ?? throw new Xunit.Sdk.XunitException("The failure path did not fail.");

        private static AuthForgeClientOptions Options(DevServerHost server, FailureRecorder failures, TimeSpan interval)
        {
            AuthForgeClientOptions options = LiveServer.ClientOptions(server, failures, interval: interval);
            options.OfflineTolerance = TimeSpan.Zero; // every fault reaches the failure callback, whose text is checked
            options.RequestTimeout = s_timeout;
            // Each client its own machine, so the faults queued for it (scoped to its hwid) are taken by it alone.
            options.HwidOverride = "hygiene-" + Interlocked.Increment(ref s_clients).ToString(System.Globalization.CultureInfo.InvariantCulture);
            return options;
        }

        private static Task QueueAsync(DevServerHost server, FaultExpectation row, string path, AuthForgeClientOptions client) =>
            DevAdmin.AddFaultAsync(server, client.HwidOverride!, row.Fault, row.Count, path, row.DelayMs, row.Status, row.Error);

        /// <summary>A v3 and a v1 server that know the distinctive secret and licence key.</summary>
        public sealed class Servers : IAsyncLifetime
        {
            private DevServerHost? _v3;
            private DevServerHost? _v1;

            public DevServerHost V3 => _v3 ?? throw new InvalidOperationException("Not started.");
            public DevServerHost V1 => _v1 ?? throw new InvalidOperationException("Not started.");

            public DevServerHost For(SigningMode mode) => mode == SigningMode.Ed25519 ? V3 : V1;

            public async Task InitializeAsync()
            {
                _v3 = await FaultServers.StartAsync(SigningMode.Ed25519, Secret, Key);
                _v1 = await FaultServers.StartAsync(SigningMode.HmacV1, Secret, Key);
                await FaultServers.PrimeHeartbeatAsync(_v3, Key);
                await FaultServers.PrimeHeartbeatAsync(_v1, Key);
            }


            public async Task DisposeAsync()
            {
                if (_v3 != null) await _v3.DisposeAsync();
                if (_v1 != null) await _v1.DisposeAsync();
            }
        }
    }
}
