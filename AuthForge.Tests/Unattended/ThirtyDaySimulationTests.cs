using System;
using System.Collections.Generic;
using System.IO;
using System.Linq;
using System.Threading.Tasks;
using AuthForge.DevServer;
using AuthForge.Tests.Support;
using Xunit;
using Xunit.Abstractions;

namespace AuthForge.Tests.Unattended
{
    /// <summary>
    /// A month: a SERVER-mode app with the default settings (15-minute heartbeats, one-day sessions) restarted
    /// every morning and evening, through a 3-hour outage, an 8-hour sleep, an outage across a restart and a revocation
    /// on day 20, against the DevServer over real HTTP on a simulated clock. The DevServer's counts say what it cost.
    /// </summary>
    public sealed class ThirtyDaySimulationTests : IDisposable
    {
        // The scenario's figures, quoted by RUNNING-UNATTENDED.md.
        internal static readonly TimeSpan Interval = TimeSpan.FromSeconds(900);
        internal const int Days = 30;
        internal const int OutageDay = 2, OutageStartHour = 10, OutageHours = 3;
        internal const int SleepDay = 4, SleepHours = 8;
        internal const int RevocationDay = 20;
        /// <summary>The validates the month may cost: one per day's session plus the first login and the one after
        /// the revocation with the store; every start without it.</summary>
        internal static readonly (int Min, int Max) ValidatesWithStore = (30, 33), ValidatesWithoutStore = (60, 64);

        private readonly ITestOutputHelper _output;
        private readonly string _folder = Path.Combine(Path.GetTempPath(), "authforge-sim-" + Guid.NewGuid().ToString("N"));

        public ThirtyDaySimulationTests(ITestOutputHelper output) => _output = output;

        public void Dispose()
        {
            if (Directory.Exists(_folder)) Directory.Delete(_folder, recursive: true);
        }

        [Theory]
        [InlineData(true)]
        [InlineData(false)]
        public async Task AMonthUnattended(bool withStore)
        {
            const string key = "MONTH-KEY";
            await using Simulation sim = await Simulation.StartAsync(SigningMode.Ed25519, new DevLicense(key) { Credits = 1000 });
            AuthForgeClientOptions options = sim.ClientOptions(withStore ? Path.Combine(_folder, "session.json") : null);
            DateTimeOffset start = sim.Time.UtcNow;
            DateTimeOffset At(int day, double hours) => start.AddDays(day).AddHours(hours);
            AuthForgeClient? client = null;
            var loginFailures = new List<string>();

            async Task<bool> RestartAsync()
            {
                client?.Dispose(); // as a process ending: the stored session is kept
                client = new AuthForgeClient(options);
                bool ok = await client.LoginAsync(key);
                if (!ok) loginFailures.Add((await sim.Failures.NextAsync()).Code!);
                return ok;
            }

            Assert.True(await RestartAsync());

            for (int day = 0; day < Days; day++)
            {
                // A restart in the morning: resumed from the store with one heartbeat, or a validate without it.
                await sim.RunUntilAsync(At(day, 1));
                if (day == SleepDay)
                {
                    // A sleep: the heartbeat that fell due during it runs as soon as the machine wakes.
                    long beatsBefore = sim.Server.GetLicense(key)!.HeartbeatCount;
                    await sim.SleepAsync(TimeSpan.FromHours(SleepHours));
                    Assert.Equal(beatsBefore + 1, sim.Server.GetLicense(key)!.HeartbeatCount);
                    Assert.True(client!.IsAuthenticated());
                }
                if (day == 7)
                {
                    // An outage across a restart: a v3 client with a store starts on its stored signed session.
                    await sim.RunUntilAsync(At(day, 6));
                    sim.Server.AddFault(DevFaultKind.Drop, count: -1);
                    bool started = await RestartAsync();
                    Assert.Equal(withStore, started);
                    if (withStore)
                    {
                        AuthForgeSession session = client!.GetSession()!;
                        Assert.True(session.IsResumed);
                        Assert.True(session.IsOffline);
                        Assert.True(client.IsAuthenticated());
                    }
                }

                long validatesBefore = sim.Server.GetLicense(key)!.ValidateCount;
                await sim.RunUntilAsync(At(day, 8));
                bool restarted = await RestartAsync();
                if (day == 1)
                {
                    Assert.True(restarted);
                    Assert.Equal(withStore, client!.GetSession()!.IsResumed);
                    Assert.Equal(withStore ? validatesBefore : validatesBefore + 1, sim.Server.GetLicense(key)!.ValidateCount);
                }

                if (day == 7)
                {
                    await sim.RunUntilAsync(At(day, 9));
                    sim.Server.ClearFaults();
                    if (withStore)
                    {
                        await sim.RunForAsync(Interval);
                        Assert.False(client!.GetSession()!.IsOffline);
                    }
                    else
                    {
                        Assert.True(await RestartAsync()); // the user starts the app again once the network is back
                    }
                }

                if (day == OutageDay)
                {
                    // An outage: retried with back-off, never reported, the app runs on its signed session.
                    DateTimeOffset from = At(day, OutageStartHour), to = At(day, OutageStartHour + OutageHours);
                    await sim.RunUntilAsync(from);
                    sim.Server.AddFault(DevFaultKind.Drop, count: -1);
                    await sim.RunUntilAsync(to - TimeSpan.FromHours(1));
                    Assert.True(client!.GetSession()!.IsOffline);
                    Assert.True(client.IsAuthenticated());
                    await sim.RunUntilAsync(to);
                    sim.Server.ClearFaults();
                    await sim.RunForAsync(Interval);
                    Assert.False(client.GetSession()!.IsOffline);
                    AssertBackOffDuringOutage(sim, key, from, to);
                }

                if (day == RevocationDay)
                {
                    // A revocation: reported once, at the next contact, and nothing is asked of the server after it.
                    await sim.RunUntilAsync(At(day, 15));
                    int failuresBefore = sim.Failures.Count;
                    sim.Server.RevokeLicense(key);
                    await sim.RunUntilAsync(At(day, 16));
                    Failure revoked = await sim.Failures.NextAsync();
                    Assert.Equal(AuthForgeErrorCodes.Revoked, revoked.Code);
                    Assert.Equal(failuresBefore + 1, sim.Failures.Count);
                    DevRequestRecord[] after = sim.RequestsFor(key).Where(r => r.Time >= At(day, 15)).ToArray();
                    Assert.Single(after);
                    Assert.Equal(AuthForgeErrorCodes.Revoked, after[0].Error);
                    Assert.True(after[0].Time <= At(day, 15) + Interval);
                    Assert.False(client!.IsAuthenticated());
                    sim.Server.RestoreLicense(key);
                    Assert.True(await RestartAsync());
                }

                await sim.RunUntilAsync(At(day, 20));
                Assert.True(await RestartAsync());
                Assert.True(client!.IsAuthenticated());
            }
            await sim.RunUntilAsync(At(Days, 0));
            client!.Dispose();

            DevLicenseStatus status = sim.Server.GetLicense(key)!;
            IReadOnlyList<DevRequestRecord> requests = sim.RequestsFor(key);
            decimal spent = 1000 - status.Credits;
            _output.WriteLine($"store={withStore}: validates={status.ValidateCount} heartbeats={status.HeartbeatCount} credits spent={spent} " +
                $"requests={requests.Count} (faulted {requests.Count(r => r.Fault != null)}) login failures=[{string.Join(",", loginFailures)}]");

            // Every failure the app heard of: the revocation, and without a store the two starts during the outage.
            Assert.Equal(withStore ? new[] { "revoked" } : new[] { "network_error", "network_error", "revoked" },
                sim.Failures.All.Select(f => f.Code).OrderBy(c => c).ToArray());
            // Renewed before the end every time: the server never had to say a session was over.
            Assert.DoesNotContain(requests, r => r.Error == AuthForgeErrorCodes.SessionExpired);
            if (withStore)
            {
                // One validate per day's session (renewals) plus the first login and the one after the revocation;
                // the 60 restarts each cost one heartbeat.
                Assert.InRange(status.ValidateCount, ValidatesWithStore.Min, ValidatesWithStore.Max);
                Assert.True(sim.Events(AuthForgeDiagnosticEvents.RenewalSucceeded).Count >= 28);
                Assert.True(sim.Events(AuthForgeDiagnosticEvents.SessionResumed).Count >= 55);
            }
            else
            {
                // Every start validates: twice a day.
                Assert.InRange(status.ValidateCount, ValidatesWithoutStore.Min, ValidatesWithoutStore.Max);
            }
            AssertNoSecretInDiagnostics(sim, options, key, requests);
        }

        // Retries during an outage: never further apart than the interval, and spaced out (not hammering).
        private static void AssertBackOffDuringOutage(Simulation sim, string key, DateTimeOffset from, DateTimeOffset to)
        {
            DateTimeOffset[] attempts = sim.RequestsFor(key).Where(r => r.Fault != null && r.Time >= from && r.Time < to)
                .Select(r => r.Time).Distinct().OrderBy(t => t).ToArray();
            Assert.InRange(attempts.Length, 12, 40);
            for (int i = 1; i < attempts.Length; i++) Assert.True(attempts[i] - attempts[i - 1] <= Interval, "gap " + (attempts[i] - attempts[i - 1]));
            Assert.True(attempts[^1] - attempts[^2] > TimeSpan.FromMinutes(5), "the back-off grows to the interval");
        }

        private static void AssertNoSecretInDiagnostics(Simulation sim, AuthForgeClientOptions options, string key, IReadOnlyList<DevRequestRecord> requests)
        {
            Assert.NotEmpty(sim.Diagnostics);
            foreach (AuthForgeDiagnostic d in sim.Diagnostics)
            {
                string text = d.ToString();
                Assert.DoesNotContain(options.AppSecret, text);
                Assert.DoesNotContain(key, text);
            }
        }
    }
}
