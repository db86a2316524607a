using System;
using System.Collections.Concurrent;
using System.Collections.Generic;
using System.Linq;
using System.Threading;
using System.Threading.Tasks;
using AuthForge.DevServer;
using AuthForge.Tests.Support;
using Xunit;
using Xunit.Abstractions;

namespace AuthForge.Tests.Async
{
    /// <summary>Sessions logged in together do not heartbeat together: the first heartbeat is spread over the interval.</summary>
    // Timing-sensitive: beside the CPU-heavy parallel classes a starved thread pool shows stalls, not this behaviour.
    [Collection(ProcessWideCollection.Name)]
    public sealed class HeartbeatSpreadTests
    {
        private const int Sessions = 200;
        private const int Attempts = 3;
        private const string Key = "SPREAD-KEY";
        private static readonly TimeSpan Interval = TimeSpan.FromSeconds(1);
        // A scheduler that started a heartbeat this late was starved of CPU (a shared machine): the arrival times
        // then show the stall, not the spreading, and the attempt is repeated.
        private static readonly TimeSpan Disturbed = TimeSpan.FromMilliseconds(150);
        private readonly ITestOutputHelper _output;

        public HeartbeatSpreadTests(ITestOutputHelper output) => _output = output;

        [Fact]
        public async Task FirstHeartbeatsOfSessionsLoggedInTogetherAreSpreadOverTheInterval()
        {
            await using DevServerHost server = await LiveServer.StartAsync(SigningMode.HmacV2,
                new DevLicense(Key) { MaxHwidSlots = Sessions * Attempts, Credits = 10_000 });

            Spread? result = null;
            for (int attempt = 0; attempt < Attempts; attempt++)
            {
                result = await MeasureAsync(server, attempt);
                _output.WriteLine($"attempt {attempt + 1}: {result}");
                if (result.MaxLateness <= Disturbed) break;
            }

            // What the issue asks: in server time, no 100 ms window holds more than 30% of the first heartbeats.
            Assert.True(result!.Densest <= Sessions * 3 / 10, $"{result.Densest} of {Sessions} first heartbeats fell in one 100 ms window ({result}).");
            // And what fails without spreading even when the logins themselves took a while: each first heartbeat's
            // delay after its own login, in ten 100 ms buckets, none holding more than 30%.
            Assert.True(result.Buckets.Max() <= Sessions * 3 / 10, "First-heartbeat delays after login: " + result);
        }

        private static async Task<Spread> MeasureAsync(DevServerHost server, int attempt)
        {
            var failures = new FailureRecorder();
            long maxLatenessTicks = 0;
            var scheduler = new HeartbeatScheduler
            {
                LatenessObserver = late =>
                {
                    long ticks = late.Ticks, seen;
                    while (ticks > (seen = Interlocked.Read(ref maxLatenessTicks)) && Interlocked.CompareExchange(ref maxLatenessTicks, ticks, seen) != seen) { }
                },
            };
            string prefix = "spread:" + attempt + ":";
            var loggedInAt = new ConcurrentDictionary<string, DateTimeOffset>();
            var clients = new List<AuthForgeClient>();
            for (int i = 0; i < Sessions; i++)
            {
                AuthForgeClientOptions options = LiveServer.ClientOptions(server, failures, interval: Interval);
                options.HwidOverride = prefix + i;
                options.Scheduler = scheduler;
                options.RequestTimeout = TimeSpan.FromSeconds(30);
                clients.Add(new AuthForgeClient(options));
            }

            try
            {
                await Task.WhenAll(clients.Select(async client =>
                {
                    Assert.True(await client.LoginAsync(Key));
                    loggedInAt[client.HardwareId] = DateTimeOffset.UtcNow;
                }));
                await ManySessionsTests.WaitUntilAsync(() => FirstHeartbeats(server, prefix).Count == Sessions, "every session's first heartbeat");
            }
            finally
            {
                foreach (AuthForgeClient client in clients) client.Dispose();
            }
            Assert.Equal(0, failures.Count);

            Dictionary<string, DateTimeOffset> first = FirstHeartbeats(server, prefix);
            DateTimeOffset[] times = first.Values.OrderBy(t => t).ToArray();
            int densest = 0;
            for (int start = 0, end = 0; start < times.Length; start++)
            {
                while (end < times.Length && times[end] - times[start] < TimeSpan.FromMilliseconds(100)) end++;
                densest = Math.Max(densest, end - start);
            }
            int[] buckets = new int[10];
            foreach (KeyValuePair<string, DateTimeOffset> heartbeat in first)
            {
                double delayMs = (heartbeat.Value - loggedInAt[heartbeat.Key]).TotalMilliseconds;
                buckets[Math.Clamp((int)(delayMs / 100), 0, buckets.Length - 1)]++;
            }
            return new Spread(densest, buckets, TimeSpan.FromTicks(Interlocked.Read(ref maxLatenessTicks)));
        }

        private static Dictionary<string, DateTimeOffset> FirstHeartbeats(DevServerHost server, string prefix) =>
            server.Requests.Where(r => r.Path == "/auth/heartbeat" && r.Hwid != null && r.Hwid.StartsWith(prefix, StringComparison.Ordinal))
                .GroupBy(r => r.Hwid!)
                .ToDictionary(g => g.Key, g => g.Min(r => r.Time));

        private sealed record Spread(int Densest, int[] Buckets, TimeSpan MaxLateness)
        {
            public override string ToString() =>
                $"densest 100 ms window {Densest}/{Sessions}; delay after login by 100 ms bucket: {string.Join(" ", Buckets)}; " +
                $"latest start behind schedule {MaxLateness.TotalMilliseconds:0} ms";
        }
    }
}
