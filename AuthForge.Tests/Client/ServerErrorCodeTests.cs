using System;
using System.Collections.Generic;
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
    /// <summary>
    /// Every error code the server decides reaches the failure callback with that code, and the client stays logged
    /// out. Codes that depend only on a licence share one server per generation; codes that change the whole server
    /// (bans, disabling the app, ending every session) get a server of their own.
    /// </summary>
    public sealed class ServerErrorCodeTests : IClassFixture<ServerTrio>
    {
        private readonly ServerTrio _servers;

        public ServerErrorCodeTests(ServerTrio servers) => _servers = servers;

        public static TheoryData<SigningMode> Modes => new TheoryData<SigningMode> { SigningMode.HmacV1, SigningMode.HmacV2, SigningMode.Ed25519 };

        [Theory]
        [MemberData(nameof(Modes))]
        public async Task WrongAppSecretIsInvalidApp(SigningMode mode)
        {
            DevServerHost server = _servers[mode];
            string key = ServerTrio.NewLicense(server);
            await AssertLoginFailsAsync(server, key, AuthForgeErrorCodes.InvalidApp, o => o.AppSecret = "not-the-secret");
            // Refused before the licence was looked at: nothing spent.
            Assert.Equal(1000, server.GetLicense(key)!.Credits);
        }

        [Theory]
        [MemberData(nameof(Modes))]
        public async Task WrongAppIdIsInvalidApp(SigningMode mode)
        {
            DevServerHost server = _servers[mode];
            await AssertLoginFailsAsync(server, ServerTrio.NewLicense(server), AuthForgeErrorCodes.InvalidApp, o => o.AppId = "someone-elses-app");
        }

        [Theory]
        [MemberData(nameof(Modes))]
        public async Task UnknownKeyIsInvalidKey(SigningMode mode)
        {
            await AssertLoginFailsAsync(_servers[mode], "K-never-issued-" + mode, AuthForgeErrorCodes.InvalidKey);
        }

        [Theory]
        [MemberData(nameof(Modes))]
        public async Task RevokedLicenceIsRevoked(SigningMode mode)
        {
            DevServerHost server = _servers[mode];
            string key = ServerTrio.NewLicense(server);
            server.RevokeLicense(key);
            await AssertLoginFailsAsync(server, key, AuthForgeErrorCodes.Revoked);
        }

        [Theory]
        [MemberData(nameof(Modes))]
        public async Task LicencePastItsExpiryIsExpired(SigningMode mode)
        {
            DevServerHost server = _servers[mode];
            string key = ServerTrio.NewLicense(server, expiresAt: DateTimeOffset.UtcNow.AddDays(-1));
            await AssertLoginFailsAsync(server, key, AuthForgeErrorCodes.Expired);
        }

        [Theory]
        [MemberData(nameof(Modes))]
        public async Task SecondMachineOnAOneSlotLicenceIsHwidMismatch(SigningMode mode)
        {
            DevServerHost server = _servers[mode];
            string key = ServerTrio.NewLicense(server, slots: 1);
            using (var first = new AuthForgeClient(LiveServer.ClientOptions(server, new FailureRecorder())))
            {
                Assert.True(await first.LoginAsync(key));
            }

            await AssertLoginFailsAsync(server, key, AuthForgeErrorCodes.HwidMismatch, o => o.HwidOverride = "second-machine");
            Assert.Equal(new[] { "test-hwid" }, server.GetLicense(key)!.BoundHwids);
        }

        [Theory]
        [MemberData(nameof(Modes))]
        public async Task LicenceWithoutCreditsIsNoCredits(SigningMode mode)
        {
            DevServerHost server = _servers[mode];
            await AssertLoginFailsAsync(server, ServerTrio.NewLicense(server, credits: 0), AuthForgeErrorCodes.NoCredits);
        }

        [Theory]
        [MemberData(nameof(Modes))]
        public async Task ThreeRateLimitedAnswersAreRateLimited(SigningMode mode)
        {
            DevServerHost server = _servers[mode];
            server.ClearFaults();
            string key = ServerTrio.NewLicense(server);
            server.AddFault(DevFaultKind.RateLimit, 3, ServerLog.Validate, licenseKey: key);

            await AssertLoginFailsAsync(server, key, AuthForgeErrorCodes.RateLimited);

            // Three attempts in all (PROTOCOL.md), each with its own nonce.
            var attempts = ServerLog.For(server, ServerLog.Validate, key);
            Assert.Equal(3, attempts.Count);
            Assert.All(attempts, r => Assert.Equal(429, r.StatusCode));
            Assert.Equal(3, attempts.Select(r => r.Nonce).Distinct().Count());
        }

        [Theory]
        [MemberData(nameof(Modes))]
        public async Task ARequestTheServerSeesTwiceIsReplayDetected(SigningMode mode)
        {
            DevServerHost server = _servers[mode];
            string key = ServerTrio.NewLicense(server);
            // A middlebox that re-sends the client's request: the server really sees the same nonce twice, answers the
            // first copy and refuses the second, which is the answer the client gets.
            using var tap = new WireTap { SendEachRequestTwice = true };
            using var http = tap.CreateClient();

            await AssertLoginFailsAsync(server, key, AuthForgeErrorCodes.ReplayDetected, o => o.HttpClient = http);

            var seen = ServerLog.For(server, ServerLog.Validate, key);
            Assert.Equal(2, seen.Count);
            Assert.Equal(seen[0].Nonce, seen[1].Nonce);
            Assert.Equal(409, seen[1].StatusCode);
            // A replay is not something to retry: the client sent one request.
            Assert.Equal(1, tap.Count);
        }

        [Theory]
        [MemberData(nameof(Modes))]
        public async Task ABlacklistedMachineIsBlocked(SigningMode mode)
        {
            await using DevServerHost server = await LiveServer.StartAsync(mode);
            using (var banned = new AuthForgeClient(LiveServer.ClientOptions(server, new FailureRecorder())))
            {
                await banned.SelfBanAsync(licenseKey: LiveServer.LicenseKey, blacklistIp: false);
            }

            Assert.Contains("test-hwid", server.GetBlacklistedHwids());
            await AssertLoginFailsAsync(server, LiveServer.LicenseKey, AuthForgeErrorCodes.Blocked);
        }

        [Theory]
        [MemberData(nameof(Modes))]
        public async Task ADisabledAppIsAppDisabled(SigningMode mode)
        {
            await using DevServerHost server = await LiveServer.StartAsync(mode);
            server.AppEnabled = false;
            await AssertLoginFailsAsync(server, LiveServer.LicenseKey, AuthForgeErrorCodes.AppDisabled);
        }

        // A session ends at its TTL whatever heartbeats say, so session_expired asks for a renewal (a validate
        // with the stored licence key), once; the app never hears of it when the renewal succeeds.
        [Theory]
        [MemberData(nameof(Modes))]
        public async Task AHeartbeatAfterTheServerEndedTheSessionRenewsItOnce(SigningMode mode)
        {
            await using DevServerHost server = await LiveServer.StartAsync(mode);
            var failures = new FailureRecorder();
            AuthForgeClientOptions options = LiveServer.ClientOptions(server, failures, interval: TimeSpan.FromMilliseconds(30));
            using var client = new AuthForgeClient(options);
            Assert.True(await client.LoginAsync(LiveServer.LicenseKey));
            string first = (string)client.GetSessionData()!["sessionToken"]!;

            server.ExpireAllSessions();

            await ServerLog.WaitForAsync(server, ServerLog.Validate, LiveServer.LicenseKey, 2);
            await ServerLog.UntilAsync(() => (string?)client.GetSessionData()?["sessionToken"] is string token && token != first, "the renewed session");
            IReadOnlyList<DevRequestRecord> beats = ServerLog.For(server, ServerLog.Heartbeat, LiveServer.LicenseKey);
            Assert.Single(beats, b => b.Error == AuthForgeErrorCodes.SessionExpired);
            Assert.Equal(0, failures.Count);
            Assert.True(client.IsAuthenticated());
        }

        [Theory]
        [MemberData(nameof(Modes))]
        public async Task ARenewalTheServerRefusesIsReportedOnceWithItsCode(SigningMode mode)
        {
            await using DevServerHost server = await LiveServer.StartAsync(mode);
            var failures = new FailureRecorder();
            AuthForgeClientOptions options = LiveServer.ClientOptions(server, failures, interval: TimeSpan.FromMilliseconds(30));
            using var client = new AuthForgeClient(options);
            Assert.True(await client.LoginAsync(LiveServer.LicenseKey));

            server.RevokeLicense(LiveServer.LicenseKey);
            server.ExpireAllSessions();

            Failure failure = await failures.NextAsync();
            Assert.Equal(AuthForgeFailureReason.HeartbeatFailed, failure.Reason);
            Assert.Equal(AuthForgeErrorCodes.Revoked, failure.Code);
            LoginTests.AssertLoggedOut(client);
            Assert.Equal(0, options.Scheduler.ScheduledCount);
            Assert.Equal(1, failures.Count);
        }

        /// <summary>Logs in once and checks the whole outcome: false, one callback with login_failed and the code,
        /// an exception that is a server error with that code, and no session left behind.</summary>
        [Fact]
        public async Task ACodeTheServiceAddsLaterReachesTheAppAsTheServersWord()
        {
            // A code this client has no row for is unknown_error (a verdict below 5xx), and the server's word is kept.
            DevServerHost server = _servers[SigningMode.Ed25519];
            string key = ServerTrio.NewLicense(server);
            server.AddFault(new DevFault(DevFaultKind.Status) { Status = 403, Error = "licence_paused", LicenseKey = key });
            var failures = new FailureRecorder();
            using var client = new AuthForgeClient(LiveServer.ClientOptions(server, failures));

            Assert.False(await client.LoginAsync(key));

            AuthForgeException error = Assert.Single(failures.All).Error;
            Assert.Equal(AuthForgeErrorCodes.UnknownError, error.Code);
            Assert.Equal("licence_paused", error.ServerCode);
            Assert.Contains("(licence_paused)", error.Message, StringComparison.Ordinal);
            Assert.False(error.IsNoAnswer);
        }

        [Fact]
        public async Task AKnownCodeIsItsOwnServerCodeAndTheClientsOwnCodesHaveNone()
        {
            DevServerHost server = _servers[SigningMode.Ed25519];
            string key = ServerTrio.NewLicense(server);
            server.RevokeLicense(key);
            var failures = new FailureRecorder();
            using (var client = new AuthForgeClient(LiveServer.ClientOptions(server, failures)))
                Assert.False(await client.LoginAsync(key));
            Assert.Equal(AuthForgeErrorCodes.Revoked, Assert.Single(failures.All).Error.ServerCode);

            // A foreign answer is not the server's word: it has no server code, whatever its body says.
            string other = ServerTrio.NewLicense(server);
            server.AddFault(new DevFault(DevFaultKind.Foreign) { Status = 403, LicenseKey = other });
            var foreign = new FailureRecorder();
            using (var client = new AuthForgeClient(LiveServer.ClientOptions(server, foreign)))
                Assert.False(await client.LoginAsync(other));
            AuthForgeException error = Assert.Single(foreign.All).Error;
            Assert.Equal(AuthForgeErrorCodes.ForeignAnswer, error.Code);
            Assert.Null(error.ServerCode);
        }

        private static async Task AssertLoginFailsAsync(DevServerHost server, string key, string code,
            Action<AuthForgeClientOptions>? adjust = null)
        {
            var failures = new FailureRecorder();
            AuthForgeClientOptions options = LiveServer.ClientOptions(server, failures);
            adjust?.Invoke(options);
            using var client = new AuthForgeClient(options);

            Assert.False(await client.LoginAsync(key));

            Failure failure = Assert.Single(failures.All);
            Assert.Equal(AuthForgeFailureReason.LoginFailed, failure.Reason);
            Assert.Equal(code, failure.Code);
            Assert.True(failure.Error!.IsServerError);
            LoginTests.AssertLoggedOut(client);
            Assert.Equal(0, options.Scheduler.ScheduledCount);
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
