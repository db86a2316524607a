using System;
using System.Collections.Generic;
using System.IO;
using System.Linq;
using System.Threading.Tasks;
using AuthForge.DevServer;
using AuthForge.Tests.Support;
using Xunit;

namespace AuthForge.Tests.Unattended
{
    /// <summary>
    /// Only the AuthForge server's word is a verdict. A captive portal, a proxy asking for credentials or a web
    /// firewall answering in its place — at 200, 302, 403, 404 or 407, with HTML, nothing, or JSON of its own — is no
    /// answer (<c>foreign_answer</c>): a running session rides it out like an outage and recovers when it goes away;
    /// a login fails on it as a network failure, saying the answer did not come from the AuthForge server. The
    /// server's own error body at those same statuses is still a verdict. Over real HTTP to the DevServer, whose
    /// <c>foreign</c> fault answers as the portal would, on a simulated clock and a hand-driven scheduler.
    /// </summary>
    public sealed class ForeignAnswerTests : IDisposable
    {
        private const string Key = "PORTAL-KEY";
        private readonly string _folder = Path.Combine(Path.GetTempPath(), "authforge-portal-" + Guid.NewGuid().ToString("N"));

        public void Dispose()
        {
            if (Directory.Exists(_folder)) Directory.Delete(_folder, recursive: true);
        }

        /// <summary>The statuses and bodies portals, proxies and firewalls answer with.</summary>
        public static TheoryData<int, DevForeignBody> Portals() => new TheoryData<int, DevForeignBody>
        {
            { 200, DevForeignBody.Html },
            { 200, DevForeignBody.Empty },
            { 302, DevForeignBody.Empty },
            { 302, DevForeignBody.Html },
            { 403, DevForeignBody.Html },
            { 403, DevForeignBody.Json },
            { 404, DevForeignBody.Html },
            { 407, DevForeignBody.Text },
            { 407, DevForeignBody.Empty },
        };

        private static async Task<(Simulation Sim, AuthForgeClient Client)> LoggedInAsync(Action<AuthForgeClientOptions>? adjust = null)
        {
            Simulation sim = await Simulation.StartAsync(SigningMode.Ed25519, new DevLicense(Key));
            AuthForgeClientOptions options = sim.ClientOptions();
            options.TtlSeconds = 3600 * 6;
            adjust?.Invoke(options);
            var client = new AuthForgeClient(options);
            Assert.True(await client.LoginAsync(Key));
            return (sim, client);
        }

        private static DevFault Portal(int status, DevForeignBody body, string? path = null) =>
            new DevFault(DevFaultKind.Foreign) { Status = status, Body = body, Count = -1, Path = path, LicenseKey = Key };

        private static void AssertSaysForeign(string message, int status)
        {
            Assert.StartsWith("The answer did not come from the AuthForge server: HTTP " + status, message, StringComparison.Ordinal);
        }

        [Theory]
        [MemberData(nameof(Portals))]
        public async Task APortalDuringHeartbeatsIsRiddenOutAndTheSessionRecoversWhenItGoes(int status, DevForeignBody body)
        {
            (Simulation sim, AuthForgeClient client) = await LoggedInAsync();
            await using (sim)
            using (client)
            {
                await sim.RunForAsync(TimeSpan.FromMinutes(20));
                int heartbeatsBefore = sim.RequestsFor(Key).Count(r => r.Path == ServerLog.Heartbeat);
                sim.Server.AddFault(Portal(status, body));
                await sim.RunForAsync(TimeSpan.FromHours(4));

                // Four hours behind the portal: still licensed, offline, nothing reported; the portal really answered.
                Assert.Equal(0, sim.Failures.Count);
                Assert.True(client.IsAuthenticated());
                Assert.True(client.GetSession()!.IsOffline);
                Assert.Contains(sim.RequestsFor(Key), r => r.Fault == "foreign" && r.StatusCode == status);
                // The diagnostics tell a portal from an outage: its own code, and the status named.
                AuthForgeDiagnostic started = Assert.Single(sim.Events(AuthForgeDiagnosticEvents.OutageStarted));
                Assert.Equal(AuthForgeErrorCodes.ForeignAnswer, started.Code);
                IReadOnlyList<AuthForgeDiagnostic> retries = sim.Events(AuthForgeDiagnosticEvents.RetryScheduled);
                Assert.True(retries.Count >= 10, retries.Count + " retries");
                Assert.All(retries, d => Assert.Equal(AuthForgeErrorCodes.ForeignAnswer, d.Code));
                Assert.All(retries, d => Assert.Contains("did not come from the AuthForge server: HTTP " + status, d.Message, StringComparison.Ordinal));

                sim.Server.ClearFaults();
                await sim.RunForAsync(TimeSpan.FromMinutes(16));

                Assert.Equal(0, sim.Failures.Count);
                Assert.False(client.GetSession()!.IsOffline);
                Assert.Single(sim.Events(AuthForgeDiagnosticEvents.OutageEnded));
                Assert.True(sim.RequestsFor(Key).Count(r => r.Path == ServerLog.Heartbeat && r.Fault is null) > heartbeatsBefore);
            }
        }

        [Fact]
        public async Task APortalUntilTheSessionsEndEndsItOnceAtTheEndSayingWhy()
        {
            (Simulation sim, AuthForgeClient client) = await LoggedInAsync();
            await using (sim)
            using (client)
            {
                DateTimeOffset end = client.GetSession()!.ExpiresAt;
                // Heartbeats and the renewal before the end all meet the portal.
                sim.Server.AddFault(Portal(302, DevForeignBody.Empty));
                await sim.RunUntilAsync(end.AddMinutes(-1));
                Assert.Equal(0, sim.Failures.Count);
                Assert.True(client.IsAuthenticated());

                await sim.RunUntilAsync(end.AddHours(2));

                Failure failure = Assert.Single(sim.Failures.All);
                Assert.Equal((AuthForgeFailureReason.HeartbeatFailed, AuthForgeErrorCodes.ForeignAnswer), (failure.Reason, failure.Code));
                Assert.Equal(302, failure.Error!.HttpStatusCode);
                AssertSaysForeign(failure.Error.Message, 302);
                Assert.False(client.IsAuthenticated());
                Assert.Equal(0, sim.Scheduler.ScheduledCount);
                AuthForgeDiagnostic ended = Assert.Single(sim.Events(AuthForgeDiagnosticEvents.SessionEnded));
                Assert.Equal(AuthForgeErrorCodes.ForeignAnswer, ended.Code);
                // Ended at the signed end, not at the first portal answer.
                Assert.InRange(sim.RequestsFor(Key).Max(r => r.Time), end.AddMinutes(-16), end.AddMinutes(1));
            }
        }

        [Fact]
        public async Task WithAnOfflineToleranceAPortalEndsTheSessionThatLongAfterTheLastAnswer()
        {
            (Simulation sim, AuthForgeClient client) = await LoggedInAsync(o => o.OfflineTolerance = TimeSpan.FromHours(1));
            await using (sim)
            using (client)
            {
                await sim.RunForAsync(TimeSpan.FromMinutes(16));
                DateTimeOffset lastAnswer = client.GetSession()!.LastContactAt;
                sim.Server.AddFault(Portal(407, DevForeignBody.Text));
                await sim.RunUntilAsync(lastAnswer.AddMinutes(59));
                Assert.Equal(0, sim.Failures.Count);
                Assert.True(client.IsAuthenticated());

                await sim.RunUntilAsync(lastAnswer.AddMinutes(61));
                Failure failure = Assert.Single(sim.Failures.All);
                Assert.Equal((AuthForgeErrorCodes.ForeignAnswer, (int?)407), (failure.Code, failure.Error!.HttpStatusCode));
                Assert.False(client.IsAuthenticated());
            }
        }

        [Fact]
        public async Task WithNoOfflineToleranceThePortalsFirstAnswerEndsTheSessionAsNoAnswer()
        {
            (Simulation sim, AuthForgeClient client) = await LoggedInAsync(o => o.OfflineTolerance = TimeSpan.Zero);
            await using (sim)
            using (client)
            {
                sim.Server.AddFault(Portal(200, DevForeignBody.Html));
                await sim.RunForAsync(TimeSpan.FromMinutes(16));

                Failure failure = Assert.Single(sim.Failures.All);
                Assert.Equal((AuthForgeFailureReason.HeartbeatFailed, AuthForgeErrorCodes.ForeignAnswer), (failure.Reason, failure.Code));
                Assert.True(failure.Error!.IsNoAnswer);
                Assert.False(client.IsAuthenticated());
            }
        }

        [Theory]
        [InlineData(200)]
        [InlineData(302)]
        [InlineData(403)]
        [InlineData(404)]
        [InlineData(407)]
        public async Task TheServersErrorBodyAtThePortalsStatusesIsStillAVerdict(int status)
        {
            (Simulation sim, AuthForgeClient client) = await LoggedInAsync();
            await using (sim)
            using (client)
            {
                await sim.RunForAsync(TimeSpan.FromMinutes(20));
                sim.Server.AddFault(new DevFault(DevFaultKind.Status) { Status = status, Error = "revoked", Count = -1, LicenseKey = Key });
                await sim.RunForAsync(TimeSpan.FromMinutes(16));

                Failure failure = Assert.Single(sim.Failures.All);
                Assert.Equal((AuthForgeFailureReason.HeartbeatFailed, AuthForgeErrorCodes.Revoked), (failure.Reason, failure.Code));
                Assert.False(failure.Error!.IsNoAnswer);
                Assert.False(client.IsAuthenticated());
                Assert.Equal(0, sim.Scheduler.ScheduledCount);
                // At the first contact: one heartbeat met the verdict, none was retried.
                Assert.Single(sim.RequestsFor(Key), r => r.Fault == "status");
                Assert.Empty(sim.Events(AuthForgeDiagnosticEvents.RetryScheduled));
            }
        }

        [Theory]
        [MemberData(nameof(Portals))]
        public async Task ALoginMeetingAPortalFailsAsANetworkFailureNamingTheStatus(int status, DevForeignBody body)
        {
            await using Simulation sim = await Simulation.StartAsync(SigningMode.Ed25519, new DevLicense(Key));
            sim.Server.AddFault(Portal(status, body, ServerLog.Validate));
            using var client = new AuthForgeClient(sim.ClientOptions());

            Assert.False(await client.LoginAsync(Key));

            Failure failure = Assert.Single(sim.Failures.All);
            Assert.Equal((AuthForgeFailureReason.NetworkError, AuthForgeErrorCodes.ForeignAnswer), (failure.Reason, failure.Code));
            Assert.Equal(status, failure.Error!.HttpStatusCode);
            Assert.True(failure.Error.IsNoAnswer);
            Assert.False(failure.Error.IsServerError);
            AssertSaysForeign(failure.Error.Message, status);
            Assert.False(client.IsAuthenticated());
            Assert.Null(client.GetSession());
            Assert.Equal(0, sim.Scheduler.ScheduledCount);
            Assert.Equal(AuthForgeErrorCodes.ForeignAnswer, Assert.Single(sim.Events(AuthForgeDiagnosticEvents.LoginFailed)).Code);
            // Asked once (a portal answers the same a moment later), and the portal's answer cost no credit.
            Assert.Single(sim.RequestsFor(Key));
            Assert.Equal(0, sim.Server.GetLicense(Key)!.ValidateCount);

            // The portal goes away (the user signed in to the network): the next login works.
            sim.Server.ClearFaults();
            Assert.True(await client.LoginAsync(Key));
            Assert.Equal(1, sim.Failures.Count);
        }

        [Fact]
        public async Task WithoutACallbackALoginMeetingAPortalWritesOneLineSayingWhyBeforeTheExit()
        {
            await using Simulation sim = await Simulation.StartAsync(SigningMode.Ed25519, new DevLicense(Key));
            sim.Server.AddFault(Portal(407, DevForeignBody.Empty, ServerLog.Validate));
            AuthForgeClientOptions options = sim.ClientOptions();
            var lines = new List<string>();
            int? exitCode = null;
            options.OnFailure = null;
            options.ErrorOutput = lines.Add;
            options.Exit = code => exitCode = code;
            using var client = new AuthForgeClient(options);

            Assert.False(await client.LoginAsync(Key));

            Assert.Equal(1, exitCode);
            string line = Assert.Single(lines);
            Assert.True(line.StartsWith("AuthForge: network_error [foreign_answer]: The answer did not come from the AuthForge server: HTTP 407 (a proxy asking for credentials) with an empty body.",
                StringComparison.Ordinal), line);
            Assert.DoesNotContain(Key, line, StringComparison.Ordinal);
            Assert.DoesNotContain(sim.Server.AppSecret, line, StringComparison.Ordinal);
        }

        [Fact]
        public async Task AStoredV3SessionStartsOfflineBehindAPortalAndIsKept()
        {
            string storePath = Path.Combine(_folder, "session.json");
            await using Simulation sim = await Simulation.StartAsync(SigningMode.Ed25519, new DevLicense(Key));
            using (var first = new AuthForgeClient(sim.ClientOptions(storePath)))
                Assert.True(await first.LoginAsync(Key));
            await sim.RunForAsync(TimeSpan.FromHours(2));
            sim.Server.AddFault(Portal(302, DevForeignBody.Html));

            using var client = new AuthForgeClient(sim.ClientOptions(storePath));
            Assert.True(await client.LoginAsync(Key));

            Assert.True(client.GetSession()!.IsOffline);
            Assert.Equal(AuthForgeErrorCodes.ForeignAnswer, Assert.Single(sim.Events(AuthForgeDiagnosticEvents.SessionResumedOffline)).Code);
            Assert.Empty(sim.Events(AuthForgeDiagnosticEvents.ResumeRefused));
            // Not a verdict: the stored session is kept for the next start.
            Assert.True(File.Exists(storePath));
            Assert.Equal(0, sim.Failures.Count);
        }

        [Fact]
        public async Task ValidateLicenseReportsAPortalAsNoAnswer()
        {
            await using Simulation sim = await Simulation.StartAsync(SigningMode.Ed25519, new DevLicense(Key));
            sim.Server.AddFault(Portal(403, DevForeignBody.Json, ServerLog.Validate));
            using var client = new AuthForgeClient(sim.ClientOptions());

            AuthForgeValidationResult result = await client.ValidateLicenseAsync(Key);

            Assert.False(result.IsValid);
            Assert.Equal(AuthForgeErrorCodes.ForeignAnswer, result.Code);
            Assert.True(result.Exception!.IsNoAnswer);
            Assert.Equal(403, result.Exception.HttpStatusCode);
            Assert.Equal(0, sim.Failures.Count);
        }

        [Fact]
        public async Task ASelfBanMeetingAPortalThrowsAndKeepsTheSession()
        {
            (Simulation sim, AuthForgeClient client) = await LoggedInAsync();
            await using (sim)
            using (client)
            {
                sim.Server.AddFault(Portal(200, DevForeignBody.Html, ServerLog.SelfBan));

                AuthForgeException ex = await Assert.ThrowsAsync<AuthForgeException>(() => client.SelfBanAsync());

                Assert.Equal((AuthForgeErrorCodes.ForeignAnswer, (int?)200), (ex.Code, ex.HttpStatusCode));
                // Nothing said the ban happened, so the client did not act as if it had.
                Assert.True(client.IsAuthenticated());
                Assert.Empty(sim.Server.GetBlacklistedHwids());
            }
        }
    }
}
