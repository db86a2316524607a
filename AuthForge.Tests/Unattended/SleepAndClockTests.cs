using System;
using System.Threading.Tasks;
using AuthForge.DevServer;
using AuthForge.Tests.Support;
using Xunit;

namespace AuthForge.Tests.Unattended
{
    /// <summary>
    /// A session ends at the earlier of its monotonic and its wall-clock reckoning: a machine that slept never stretches
    /// it, a clock set back never extends it; and a heartbeat that fell due during a sleep runs when the machine wakes.
    /// </summary>
    public sealed class SleepAndClockTests
    {
        private const string Key = "CLOCK-KEY";

        [Fact]
        public async Task ASleepThroughTheEndEndsALocalSessionOnWaking()
        {
            await using Simulation sim = await Simulation.StartAsync(SigningMode.Ed25519, new DevLicense(Key));
            AuthForgeClientOptions options = sim.ClientOptions();
            options.HeartbeatMode = HeartbeatMode.Local;
            options.TtlSeconds = 3600;
            // No heartbeat runs (the scheduler is driven by hand and not asked to): IsAuthenticated alone shows the judgement.
            using var client = new AuthForgeClient(options);
            Assert.True(await client.LoginAsync(Key));

            sim.Time.Advance(TimeSpan.FromMinutes(30));
            sim.Time.Sleep(TimeSpan.FromHours(8)); // Stopwatch on Linux and macOS: 30 minutes have passed

            Assert.False(client.IsAuthenticated());
        }

        [Fact]
        public async Task ASleepThroughTheEndOfAServerSessionRenewsItOnWaking()
        {
            await using Simulation sim = await Simulation.StartAsync(SigningMode.Ed25519, new DevLicense(Key));
            AuthForgeClientOptions options = sim.ClientOptions();
            options.TtlSeconds = 3600;
            using var client = new AuthForgeClient(options);
            Assert.True(await client.LoginAsync(Key));
            await sim.RunForAsync(TimeSpan.FromMinutes(20));

            await sim.SleepAsync(TimeSpan.FromHours(8));

            // Woken after the end: the tick that ran at once renewed the session rather than heartbeating a dead one.
            Assert.True(client.IsAuthenticated());
            Assert.Equal(2, sim.Server.GetLicense(Key)!.ValidateCount);
            Assert.Equal(0, sim.Failures.Count);
        }

        [Fact]
        public async Task SettingTheWallClockBackNeverExtendsASession()
        {
            await using Simulation sim = await Simulation.StartAsync(SigningMode.Ed25519, new DevLicense(Key));
            AuthForgeClientOptions options = sim.ClientOptions();
            options.HeartbeatMode = HeartbeatMode.Local;
            options.TtlSeconds = 3600;
            using var client = new AuthForgeClient(options);
            Assert.True(await client.LoginAsync(Key));

            sim.Time.SetWallClock(sim.Time.UtcNow.AddDays(-10));
            sim.Time.Advance(TimeSpan.FromSeconds(3601));

            Assert.False(client.IsAuthenticated());
        }

        [Fact]
        public async Task TheSchedulerRunsWhatFellDueDuringASleepWhenItWakes()
        {
            var time = new SimulatedTime(DateTimeOffset.UtcNow);
            var scheduler = new HeartbeatScheduler(time, useTimer: false);
            int ticks = 0;
            TimeSpan? slept = null;
            scheduler.WakeObserver = s => slept = s;
            using HeartbeatRegistration registration = scheduler.Schedule(TimeSpan.FromMinutes(15), TimeSpan.FromMinutes(10), (r, ct) =>
            {
                ticks++;
                return Task.CompletedTask;
            });
            time.Advance(TimeSpan.FromMinutes(1));
            await scheduler.RunDueAsync();
            Assert.Equal(0, ticks);

            time.Sleep(TimeSpan.FromHours(8));
            await scheduler.RunDueAsync();

            Assert.Equal(1, ticks);
            Assert.Equal(TimeSpan.FromHours(8), slept);
        }

        [Fact]
        public async Task AWallClockSetBackIsNotTakenForASleep()
        {
            var time = new SimulatedTime(DateTimeOffset.UtcNow);
            var scheduler = new HeartbeatScheduler(time, useTimer: false);
            int ticks = 0;
            using HeartbeatRegistration registration = scheduler.Schedule(TimeSpan.FromMinutes(15), TimeSpan.FromMinutes(10), (r, ct) =>
            {
                ticks++;
                return Task.CompletedTask;
            });

            time.SetWallClock(time.UtcNow.AddHours(-8));
            time.Advance(TimeSpan.FromMinutes(1));
            await scheduler.RunDueAsync();

            Assert.Equal(0, ticks);
        }
    }
}
