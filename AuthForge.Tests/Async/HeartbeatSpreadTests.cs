using System;
using System.Collections.Concurrent;
using System.Collections.Generic;
using System.Linq;
using System.Threading.Tasks;
using AuthForge.DevServer;
using AuthForge.Tests.Support;
using Xunit;
using Xunit.Abstractions;

namespace AuthForge.Tests.Async
{
    /// <summary>Sessions logged in together do not heartbeat together: the first heartbeat is spread over the interval.</summary>
    /// <remarks>
    /// The spread is read from the scheduler, as the delay each login asks it for, rather than from when heartbeats
    /// reach the server: arrival times on a loaded machine show the machine's stalls, not the client's choice. The
    /// interval is an hour, so no heartbeat runs during the test and nothing here depends on a clock.
    /// </remarks>
    public sealed class HeartbeatSpreadTests
    {
        private const int Sessions = 200;
        private const string Key = "SPREAD-KEY";
        private static readonly TimeSpan Interval = TimeSpan.FromHours(1);
        private readonly ITestOutputHelper _output;

        public HeartbeatSpreadTests(ITestOutputHelper output) => _output = output;

        [Fact]
        public async Task FirstHeartbeatsOfSessionsLoggedInTogetherAreSpreadOverTheInterval()
        {
            await using DevServerHost server = await LiveServer.StartAsync(SigningMode.HmacV2,
                new DevLicense(Key) { MaxHwidSlots = Sessions, Credits = 10_000 });
            var failures = new FailureRecorder();
            var firstDelays = new ConcurrentQueue<TimeSpan>();
            var scheduler = new HeartbeatScheduler { ScheduleObserver = firstDelays.Enqueue };
            var clients = new List<AuthForgeClient>();
            for (int i = 0; i < Sessions; i++)
            {
                AuthForgeClientOptions options = LiveServer.ClientOptions(server, failures, interval: Interval);
                options.HwidOverride = "spread:" + i;
                options.Scheduler = scheduler;
                options.RequestTimeout = TimeSpan.FromSeconds(30);
                clients.Add(new AuthForgeClient(options));
            }

            try
            {
                bool[] loggedIn = await Task.WhenAll(clients.Select(client => client.LoginAsync(Key)));
                Assert.All(loggedIn, Assert.True);
            }
            finally
            {
                foreach (AuthForgeClient client in clients) client.Dispose();
            }

            Assert.Equal(0, failures.Count);
            double[] fractions = firstDelays.Select(d => d / Interval).OrderBy(f => f).ToArray();
            Assert.Equal(Sessions, fractions.Length);
            Assert.All(fractions, f => Assert.InRange(f, double.Epsilon, 1.0));

            // No tenth of the interval holds more than 30% of the first heartbeats (uniform: 10% ± 2%). Without the
            // spreading they would all sit at one point: at once, or one interval after the login.
            int densest = 0;
            for (int start = 0, end = 0; start < fractions.Length; start++)
            {
                while (end < fractions.Length && fractions[end] - fractions[start] < 0.1) end++;
                densest = Math.Max(densest, end - start);
            }
            int[] tenths = new int[10];
            foreach (double f in fractions) tenths[Math.Min((int)(f * 10), 9)]++;
            _output.WriteLine($"densest tenth of the interval: {densest}/{Sessions}; by tenth: {string.Join(" ", tenths)}");
            Assert.True(densest <= Sessions * 3 / 10, $"{densest} of {Sessions} first heartbeats fall in one tenth of the interval ({string.Join(" ", tenths)}).");
        }
    }
}
