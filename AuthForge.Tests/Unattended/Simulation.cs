using System;
using System.Collections.Concurrent;
using System.Collections.Generic;
using System.Linq;
using System.Threading.Tasks;
using AuthForge.DevServer;
using AuthForge.Tests.Support;

namespace AuthForge.Tests.Unattended
{
    /// <summary>
    /// A DevServer over real HTTP, a client clock and a heartbeat scheduler without a timer: the test moves time from
    /// one due heartbeat to the next and runs it, so days pass in seconds and nothing waits for real time.
    /// </summary>
    internal sealed class Simulation : IAsyncDisposable
    {
        // A simulated day holds about a hundred ticks; a client that retries without back-off exceeds this in seconds.
        private const int MaxTicksPerRun = 5_000;

        private Simulation(SimulatedTime time, DevServerHost server)
        {
            Time = time;
            Server = server;
            Scheduler = new HeartbeatScheduler(time, useTimer: false);
        }

        public SimulatedTime Time { get; }
        public DevServerHost Server { get; }
        public HeartbeatScheduler Scheduler { get; }
        public FailureRecorder Failures { get; } = new FailureRecorder();
        public ConcurrentQueue<AuthForgeDiagnostic> Diagnostics { get; } = new ConcurrentQueue<AuthForgeDiagnostic>();

        /// <summary>A midnight some days ago, so hours in a test read as the time of day.</summary>
        public static DateTimeOffset Midnight => new DateTimeOffset(DateTimeOffset.UtcNow.UtcDateTime.Date, TimeSpan.Zero).AddDays(-40);

        public static Task<Simulation> StartAsync(SigningMode mode, params DevLicense[] licenses) => StartAsync(mode, null, licenses);

        /// <summary>As <see cref="StartAsync(SigningMode, DevLicense[])"/>, letting the test adjust the server's options
        /// (a known signing seed, say) first.</summary>
        public static async Task<Simulation> StartAsync(SigningMode mode, Action<DevServerOptions>? configure, params DevLicense[] licenses)
        {
            var time = new SimulatedTime(Midnight);
            DevServerHost server = await LiveServer.StartAsync(mode, o =>
            {
                o.Time = time.Server;
                configure?.Invoke(o);
            }, licenses);
            return new Simulation(time, server);
        }

        /// <summary>Client options on this world's clock and scheduler: the default 15-minute interval and one-day session.</summary>
        public AuthForgeClientOptions ClientOptions(string? storePath = null, string hwid = "test-hwid")
        {
            AuthForgeClientOptions options = LiveServer.ClientOptions(Server, Failures, interval: TimeSpan.FromSeconds(900));
            options.Clock = Time;
            options.Scheduler = Scheduler;
            options.HwidOverride = hwid;
            options.SessionStore = storePath is null ? null : new AuthForgeFileSessionStore(storePath);
            options.OnDiagnostic = Diagnostics.Enqueue;
            return options;
        }

        /// <summary>Runs every heartbeat due until the client's wall clock reads <paramref name="target"/>.</summary>
        public async Task RunUntilAsync(DateTimeOffset target)
        {
            for (int i = 0; i < MaxTicksPerRun; i++)
            {
                TimeSpan? next = Scheduler.NextDue;
                DateTimeOffset? nextWall = next is TimeSpan due ? Time.UtcNow + (due - Time.Monotonic) : null;
                if (nextWall is null || nextWall > target)
                {
                    if (target > Time.UtcNow) Time.Advance(target - Time.UtcNow);
                    await Scheduler.RunDueAsync();
                    return;
                }
                if (next!.Value > Time.Monotonic) Time.Advance(next.Value - Time.Monotonic);
                await Scheduler.RunDueAsync();
            }
            throw new InvalidOperationException("The scheduler never ran out of due heartbeats: something reschedules at once forever.");
        }

        public Task RunForAsync(TimeSpan span) => RunUntilAsync(Time.UtcNow + span);

        /// <summary>The machine sleeps for <paramref name="span"/> and wakes; the scheduler then runs what is due, as its
        /// timer would within its wake-up check period.</summary>
        public Task SleepAsync(TimeSpan span)
        {
            Time.Sleep(span);
            return Scheduler.RunDueAsync();
        }

        public IReadOnlyList<DevRequestRecord> RequestsFor(string key) => Server.Requests.Where(r => r.LicenseKey == key).ToArray();

        public IReadOnlyList<AuthForgeDiagnostic> Events(string name) => Diagnostics.Where(d => d.Event == name).ToArray();

        public ValueTask DisposeAsync() => Server.DisposeAsync();
    }
}
