using System;
using System.Linq;
using System.Threading.Tasks;
using AuthForge.DevServer;
using AuthForge.Tests.Support;
using Xunit;

namespace AuthForge.Tests.Unattended
{
    /// <summary>
    /// No answer is not a verdict: heartbeats and renewals without an answer are retried while the signed session lasts
    /// and reported only when it ends without a contact (or the offline tolerance is spent); a verdict still ends the
    /// session at the next contact.
    /// </summary>
    public sealed class OutageTests
    {
        private const string Key = "OUTAGE-KEY";

        private static async Task<(Simulation Sim, AuthForgeClient Client)> LoggedInAsync(Action<AuthForgeClientOptions>? adjust = null,
            SigningMode mode = SigningMode.Ed25519)
        {
            Simulation sim = await Simulation.StartAsync(mode, new DevLicense(Key));
            AuthForgeClientOptions options = sim.ClientOptions();
            options.TtlSeconds = 3600 * 6;
            adjust?.Invoke(options);
            var client = new AuthForgeClient(options);
            Assert.True(await client.LoginAsync(Key));
            return (sim, client);
        }

        [Theory]
        [InlineData(DevFaultKind.Drop)]
        [InlineData(DevFaultKind.Html500)]
        [InlineData(DevFaultKind.RateLimit)]
        [InlineData(DevFaultKind.NonJson)]
        public async Task AnOutageShorterThanTheSessionIsNeverReported(DevFaultKind fault)
        {
            (Simulation sim, AuthForgeClient client) = await LoggedInAsync();
            await using (sim)
            using (client)
            {
                await sim.RunForAsync(TimeSpan.FromMinutes(20));
                sim.Server.AddFault(fault, count: -1);
                await sim.RunForAsync(TimeSpan.FromHours(4));
                Assert.True(client.IsAuthenticated());
                Assert.True(client.GetSession()!.IsOffline);
                sim.Server.ClearFaults();
                await sim.RunForAsync(TimeSpan.FromMinutes(16));

                Assert.Equal(0, sim.Failures.Count);
                Assert.False(client.GetSession()!.IsOffline);
                Assert.Single(sim.Events(AuthForgeDiagnosticEvents.OutageStarted));
                Assert.Single(sim.Events(AuthForgeDiagnosticEvents.OutageEnded));
                Assert.True(sim.Events(AuthForgeDiagnosticEvents.RetryScheduled).Count >= 10);
            }
        }

        [Fact]
        public async Task AnOutageToTheSessionsEndIsReportedOnceAtTheEnd()
        {
            (Simulation sim, AuthForgeClient client) = await LoggedInAsync();
            await using (sim)
            using (client)
            {
                DateTimeOffset end = client.GetSession()!.ExpiresAt;
                sim.Server.AddFault(DevFaultKind.Drop, count: -1);
                await sim.RunUntilAsync(end.AddMinutes(-1));
                Assert.Equal(0, sim.Failures.Count);
                Assert.True(client.IsAuthenticated());

                await sim.RunUntilAsync(end.AddHours(2));
                Failure failure = Assert.Single(sim.Failures.All);
                Assert.Equal(AuthForgeFailureReason.HeartbeatFailed, failure.Reason);
                Assert.Equal(AuthForgeErrorCodes.NetworkError, failure.Code);
                Assert.False(client.IsAuthenticated());
                Assert.Equal(0, sim.Scheduler.ScheduledCount);
                // Reported at the end, not before it and not long after it.
                DateTimeOffset last = sim.RequestsFor(Key).Max(r => r.Time);
                Assert.InRange(last, end.AddMinutes(-16), end.AddMinutes(1));
            }
        }

        [Fact]
        public async Task ZeroOfflineToleranceEndsTheSessionAtTheFirstHeartbeatWithoutAnAnswer()
        {
            (Simulation sim, AuthForgeClient client) = await LoggedInAsync(o => o.OfflineTolerance = TimeSpan.Zero);
            await using (sim)
            using (client)
            {
                sim.Server.AddFault(DevFaultKind.Drop, count: -1);
                await sim.RunForAsync(TimeSpan.FromMinutes(16));

                Failure failure = Assert.Single(sim.Failures.All);
                Assert.Equal(AuthForgeErrorCodes.NetworkError, failure.Code);
                Assert.False(client.IsAuthenticated());
                // The first heartbeat and its one protocol retry, nothing more.
                Assert.Equal(2, sim.RequestsFor(Key).Count(r => r.Path == ServerLog.Heartbeat));
            }
        }

        [Fact]
        public async Task AnOfflineToleranceEndsTheSessionThatLongAfterTheLastAnswer()
        {
            (Simulation sim, AuthForgeClient client) = await LoggedInAsync(o => o.OfflineTolerance = TimeSpan.FromHours(1));
            await using (sim)
            using (client)
            {
                await sim.RunForAsync(TimeSpan.FromMinutes(16));
                DateTimeOffset lastAnswer = client.GetSession()!.LastContactAt;
                sim.Server.AddFault(DevFaultKind.Drop, count: -1);
                await sim.RunUntilAsync(lastAnswer.AddMinutes(59));
                Assert.Equal(0, sim.Failures.Count);

                await sim.RunUntilAsync(lastAnswer.AddMinutes(61));
                Assert.Equal(AuthForgeErrorCodes.NetworkError, Assert.Single(sim.Failures.All).Code);
                Assert.False(client.IsAuthenticated());
            }
        }

        [Fact]
        public async Task AVerdictDuringAnOutageEndsTheSessionAtTheNextContact()
        {
            (Simulation sim, AuthForgeClient client) = await LoggedInAsync();
            await using (sim)
            using (client)
            {
                sim.Server.AddFault(DevFaultKind.Drop, count: -1);
                await sim.RunForAsync(TimeSpan.FromHours(1));
                sim.Server.RevokeLicense(Key);
                sim.Server.ClearFaults();
                await sim.RunForAsync(TimeSpan.FromMinutes(16));

                Assert.Equal(AuthForgeErrorCodes.Revoked, Assert.Single(sim.Failures.All).Code);
                Assert.False(client.IsAuthenticated());
            }
        }

        [Fact]
        public async Task RenewalHappensBeforeTheEndAndCostsOneValidatePerSession()
        {
            (Simulation sim, AuthForgeClient client) = await LoggedInAsync(o => o.TtlSeconds = 3600 * 6);
            await using (sim)
            using (client)
            {
                DateTimeOffset firstEnd = client.GetSession()!.ExpiresAt;
                // Renewals fall a quarter-hour (the interval) before each six-hour session ends: 5:45, 11:30, 17:15.
                await sim.RunForAsync(TimeSpan.FromHours(20));

                Assert.Equal(0, sim.Failures.Count);
                Assert.True(client.IsAuthenticated());
                Assert.True(client.GetSession()!.ExpiresAt > firstEnd.AddHours(17));
                // The login and three renewals, each before its predecessor ended.
                Assert.Equal(4, sim.Server.GetLicense(Key)!.ValidateCount);
                Assert.Equal(3, sim.Events(AuthForgeDiagnosticEvents.RenewalSucceeded).Count);
                Assert.DoesNotContain(sim.RequestsFor(Key), r => r.Error == AuthForgeErrorCodes.SessionExpired);
            }
        }

        [Fact]
        public async Task ARenewalThatGetsNoAnswerIsRetriedUntilTheSessionEnds()
        {
            (Simulation sim, AuthForgeClient client) = await LoggedInAsync();
            await using (sim)
            using (client)
            {
                DateTimeOffset end = client.GetSession()!.ExpiresAt;
                await sim.RunUntilAsync(end.AddMinutes(-30));
                sim.Server.AddFault(DevFaultKind.Drop, count: -1, path: ServerLog.Validate);
                await sim.RunUntilAsync(end.AddMinutes(-5));
                Assert.Equal(0, sim.Failures.Count);
                sim.Server.ClearFaults();
                await sim.RunUntilAsync(end.AddMinutes(1));

                Assert.Equal(0, sim.Failures.Count);
                Assert.True(client.IsAuthenticated());
                Assert.Equal(2, sim.Server.GetLicense(Key)!.ValidateCount);
            }
        }

        [Theory]
        [InlineData("network_error", null, true)]
        [InlineData("timeout", null, true)]
        [InlineData("rate_limited", 429, true)]
        [InlineData("server_error", 500, true)]
        [InlineData("system_error", 500, true)]
        [InlineData("unknown_error", 503, true)]
        [InlineData("foreign_answer", 200, true)]
        [InlineData("foreign_answer", 302, true)]
        [InlineData("foreign_answer", 403, true)]
        [InlineData("foreign_answer", 404, true)]
        [InlineData("foreign_answer", 407, true)]
        [InlineData("foreign_answer", 502, true)]
        [InlineData("redirect_refused", 302, true)]
        [InlineData("missing_payload", 200, true)]
        [InlineData("revoked", 403, false)]
        [InlineData("expired", 403, false)]
        [InlineData("blocked", 403, false)]
        [InlineData("hwid_mismatch", 403, false)]
        [InlineData("invalid_key", 404, false)]
        [InlineData("invalid_app", 401, false)]
        [InlineData("app_disabled", 403, false)]
        [InlineData("no_credits", 402, false)]
        [InlineData("session_mismatch", null, false)]
        [InlineData("signature_mismatch", null, false)]
        [InlineData("nonce_mismatch", null, false)]
        [InlineData("unknown_error", 400, false)]
        [InlineData("a_code_nobody_listed", 404, false)]
        public void VerdictsAndNoAnswersAreToldApartInOnePlace(string code, int? status, bool noAnswer)
        {
            Assert.Equal(noAnswer, new AuthForgeException(code, "m", null, status).IsNoAnswer);
        }
    }
}
