using System;
using System.Collections.Generic;
using System.Diagnostics;
using System.Linq;
using System.Threading;
using System.Threading.Tasks;
using AuthForge.DevServer;
using AuthForge.Tests.Support;
using Xunit;
using Xunit.Abstractions;

namespace AuthForge.Tests.Async
{
    /// <summary>Thread counts and timing are process-wide: these tests run alone, after the parallel ones.</summary>
    [CollectionDefinition(Name, DisableParallelization = true)]
    public sealed class ProcessWideCollection
    {
        public const string Name = "Process-wide measurements";
    }

    /// <summary>
    /// A thousand logged-in SERVER-mode sessions, as a bot binding one licence per user holds them, cost work and not
    /// threads; and constructing clients does not probe the hardware again.
    /// </summary>
    [Collection(ProcessWideCollection.Name)]
    public sealed class ManySessionsTests
    {
        internal const int Sessions = 1000;
        private const string BotKey = "BOT-KEY";
        private readonly ITestOutputHelper _output;

        public ManySessionsTests(ITestOutputHelper output) => _output = output;

        [Fact]
        public async Task AThousandHeartbeatingSessionsAddAtMostAHandfulOfThreads()
        {
            await using DevServerHost server = await LiveServer.StartAsync(SigningMode.HmacV2,
                new DevLicense(BotKey) { MaxHwidSlots = Sessions + 100, Credits = 1_000_000 });
            var failures = new FailureRecorder();
            var scheduler = new HeartbeatScheduler();
            TimeSpan interval = TimeSpan.FromSeconds(1);

            AuthForgeClient NewClient(string hwid, TimeSpan? every = null)
            {
                AuthForgeClientOptions options = LiveServer.ClientOptions(server, failures, interval: every ?? interval);
                options.HwidOverride = hwid;
                options.Scheduler = scheduler;
                options.RequestTimeout = TimeSpan.FromSeconds(30); // a loaded CI machine may queue requests
                return new AuthForgeClient(options);
            }

            // Warm up what any first client starts once per process (the timer thread, the socket engine) and let
            // the thread pool size itself to this kind of work (loopback HTTP, client and server in one process), so
            // that what is measured is what the number of sessions adds.
            var warm = new AuthForgeClient[100];
            for (int i = 0; i < warm.Length; i++) warm[i] = NewClient("warm-up:" + i, TimeSpan.FromMilliseconds(100));
            await Task.WhenAll(warm.Select(c => c.LoginAsync(BotKey)));
            await WaitUntilAsync(() => server.GetLicense(BotKey)!.HeartbeatCount >= 5 * warm.Length, "the warm-up heartbeats");
            foreach (AuthForgeClient client in warm) await client.DisposeAsync();
            long warmHeartbeats = server.GetLicense(BotKey)!.HeartbeatCount;
            int threadsBefore = ProcessThreads();
            int poolBefore = ThreadPool.ThreadCount;

            var clients = new AuthForgeClient[Sessions];
            for (int i = 0; i < Sessions; i++) clients[i] = NewClient("user:" + i);
            using (var gate = new SemaphoreSlim(32))
            {
                await Task.WhenAll(clients.Select(async client =>
                {
                    await gate.WaitAsync();
                    try
                    {
                        Assert.True(await client.LoginAsync(BotKey));
                    }
                    finally
                    {
                        gate.Release();
                    }
                }));
            }
            Assert.All(clients, c => Assert.True(c.IsAuthenticated()));

            // Every session heartbeats at least twice while we watch.
            await WaitUntilAsync(() => server.GetLicense(BotKey)!.HeartbeatCount - warmHeartbeats >= 2 * Sessions,
                "two heartbeats per session", TimeSpan.FromSeconds(60));
            int threadsAfter = ProcessThreads();
            int poolAfter = ThreadPool.ThreadCount;

            Assert.Equal(0, failures.Count);
            Assert.All(clients, c => Assert.True(c.IsAuthenticated()));

            foreach (AuthForgeClient client in clients) await client.DisposeAsync();
            Assert.Equal(0, scheduler.ScheduledCount);
            // A heartbeat already on the wire when its session was disposed is abandoned by the client, but the server
            // may still count it a moment later: let those land before taking the count.
            await Task.Delay(interval);
            // Successful heartbeats as the licence counts them (the request log keeps only the last 10,000).
            long heartbeats = server.GetLicense(BotKey)!.HeartbeatCount - warmHeartbeats;
            await Task.Delay(2 * interval); // a leftover registration would heartbeat in this window
            Assert.Equal(heartbeats, server.GetLicense(BotKey)!.HeartbeatCount - warmHeartbeats);

            int added = threadsAfter - threadsBefore;
            _output.WriteLine($"{Sessions} sessions: process threads {threadsBefore} -> {threadsAfter} ({added:+0;-0;0}), " +
                $"thread-pool threads {poolBefore} -> {poolAfter}; {heartbeats} heartbeats");
            // The target is at most 4 more threads; 8 leaves room for the runtime's own (tiered JIT, GC).
            // Counted outside the thread pool: on a loaded machine the pool adds threads whenever queued work waits
            // (seen: +31 with both cores busy), which is the machine's doing. A client that parked a pool thread per
            // session would not get its 2,000 heartbeats through the pool in time, and fails above instead.
            int addedOutsidePool = added - (poolAfter - poolBefore);
            Assert.True(addedOutsidePool <= 8, $"{Sessions} sessions added {addedOutsidePool} threads outside the pool ({threadsBefore} -> {threadsAfter}; pool {poolBefore} -> {poolAfter}).");
        }

        [Fact]
        public void ConstructingAThousandClientsProbesTheHardwareAtMostOnce()
        {
            // A probe cache of this test's own (the process-wide one may have probed already, which would hide a
            // constructor that reads the id): every client shares it, as every client of a process shares the real one.
            var probe = new HardwareFingerprint.ProbeCache(() => new HardwareFingerprint.ProbeResult("this-machine", true, "test"));
            var options = new AuthForgeClientOptions
            {
                AppId = "app",
                AppSecret = "secret",
                ApiBaseUrl = "http://127.0.0.1:9",
                Scheduler = new HeartbeatScheduler(),
                Fingerprint = probe,
            };

            var stopwatch = Stopwatch.StartNew();
            var clients = new AuthForgeClient[Sessions];
            for (int i = 0; i < Sessions; i++) clients[i] = new AuthForgeClient(options);
            stopwatch.Stop();

            // The probe count is the signal; the time is only reported (a loaded machine makes it meaningless as a bound).
            Assert.True(probe.ProbeCount == 0, $"Constructing {Sessions} clients probed the hardware {probe.ProbeCount} times.");
            _output.WriteLine($"{Sessions} constructions: {stopwatch.Elapsed.TotalMilliseconds:0.0} ms, probes {probe.ProbeCount}");

            // The first read probes, once for all of them.
            Assert.All(clients, client => Assert.Equal("this-machine", client.GetHardwareId()));
            Assert.Equal(1, probe.ProbeCount);
            foreach (AuthForgeClient client in clients) client.Dispose();
        }

        private static int ProcessThreads()
        {
            using Process self = Process.GetCurrentProcess();
            return self.Threads.Count;
        }

        internal static async Task WaitUntilAsync(Func<bool> condition, string what, TimeSpan? patience = null)
        {
            var stopwatch = Stopwatch.StartNew();
            TimeSpan limit = patience ?? TimeSpan.FromSeconds(15);
            while (!condition())
            {
                if (stopwatch.Elapsed > limit) throw new TimeoutException("Waited " + limit.TotalSeconds + " s for " + what + ".");
                await Task.Delay(20);
            }
        }
    }
}
