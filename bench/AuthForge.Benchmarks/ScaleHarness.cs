using System;
using System.Collections.Generic;
using System.Diagnostics;
using System.IO;
using System.Linq;
using System.Net.Http;
using System.Text.Json;
using System.Threading;
using System.Threading.Tasks;
using AuthForge.DevServer;

namespace AuthForge.Benchmarks
{
    /// <summary>What one scale run measured, for AuthForge.cs and for the thread-per-client baseline.</summary>
    internal sealed class ScaleResult
    {
        public int Sessions;
        public TimeSpan Interval;
        public TimeSpan Window;
        public double LoginSeconds;
        public int OursThreadsBefore;
        public int OursThreadsAdded;      // the most seen at any sample during the window, minus before
        public int OursPoolThreadsAdded;
        public double OursManagedBytesPerSession;
        public double OursRssBytesPerSession;
        public double HeartbeatsPerSecond;   // completed, as the server counted them
        public double ExpectedPerSecond;     // sessions / interval
        public int LatenessSamples;
        public double LatenessP50Ms;
        public double LatenessP99Ms;
        public double LatenessMaxMs;
        public int Failures;
        public int LeftScheduled;
        public int BaselineThreadsAdded;
        public double BaselineManagedBytesPerSession;
        public double BaselineRssBytesPerSession;
        public double OursCpuUsPerHeartbeat;   // process CPU over the window / heartbeats the server counted
        public double BareCpuUsPerPost;        // the same for bare POSTs of a heartbeat request at the same rate
        public double BarePostsPerSecond;
    }

    /// <summary>
    /// N logged-in SERVER-mode sessions in this process against a DevServer in a child process (so the threads and
    /// memory measured here are the client's alone), then N official-SDK-style clients: one dedicated thread each,
    /// sleeping in a loop. A Stopwatch harness: BenchmarkDotNet's repeat-and-average model does not fit a
    /// steady state that takes seconds to reach.
    /// </summary>
    internal static class ScaleHarness
    {
        private const int LoginConcurrency = 64;

        public static async Task<ScaleResult> RunAsync(ChildServer server, int sessions, TimeSpan interval, TimeSpan window, Action<string> log)
        {
            var result = new ScaleResult { Sessions = sessions, Interval = interval, Window = window, ExpectedPerSecond = sessions / interval.TotalSeconds };
            // The baseline first: its threads exit and leave nothing behind, while connections and requests of ours
            // are released over the following seconds and would show up as negative memory in a later baseline.
            RunThreadPerClient(result, log);
            await RunOursAsync(server, result, log).ConfigureAwait(false);
            return result;
        }

        /// <summary>
        /// Managed bytes one logged-in session retains when no heartbeat is in flight (interval an hour): the client,
        /// its verified session and its place in the scheduler, without connections or requests in progress.
        /// </summary>
        public static async Task<double> RetainedBytesPerSessionAsync(ChildServer server, int sessions)
        {
            var scheduler = new HeartbeatScheduler();
            await WarmUpAsync(server).ConfigureAwait(false);
            Settle();
            long before = GC.GetTotalMemory(true);
            var clients = new AuthForgeClient[sessions];
            for (int i = 0; i < sessions; i++)
            {
                AuthForgeClientOptions options = BenchServer.ClientOptions(server.BaseUrl, null, TimeSpan.FromHours(1), "user:" + i.ToString(System.Globalization.CultureInfo.InvariantCulture));
                options.Scheduler = scheduler;
                clients[i] = new AuthForgeClient(options);
            }
            for (int i = 0; i < sessions; i += LoginConcurrency)
            {
                await Task.WhenAll(clients.Skip(i).Take(LoginConcurrency).Select(c => c.LoginAsync(BenchServer.LicenseKey))).ConfigureAwait(false);
            }
            Settle();
            long after = GC.GetTotalMemory(true);
            GC.KeepAlive(clients);
            foreach (AuthForgeClient client in clients) client.Dispose();
            return (after - before) / (double)sessions;
        }

        private static async Task RunOursAsync(ChildServer server, ScaleResult result, Action<string> log)
        {
            int sessions = result.Sessions;
            int failures = 0;
            var lateness = new LatenessRecorder(1 << 20);
            var scheduler = new HeartbeatScheduler { LatenessObserver = lateness.Record };

            AuthForgeClient NewClient(string hwid)
            {
                AuthForgeClientOptions options = BenchServer.ClientOptions(server.BaseUrl, null, result.Interval, hwid);
                options.Scheduler = scheduler;
                options.OnFailure = (reason, error) => Interlocked.Increment(ref failures);
                return new AuthForgeClient(options);
            }

            // Warm what the first client of a process starts once (timer thread, socket engine, pool, JIT).
            await WarmUpAsync(server).ConfigureAwait(false);

            Settle();
            long managedBefore = GC.GetTotalMemory(true);
            long rssBefore = Rss();
            int threadsBefore = ProcessThreads();
            int poolBefore = ThreadPool.ThreadCount;

            var clients = new AuthForgeClient[sessions];
            var stopwatch = Stopwatch.StartNew();
            for (int i = 0; i < sessions; i++) clients[i] = NewClient("user:" + i.ToString(System.Globalization.CultureInfo.InvariantCulture));
            using (var gate = new SemaphoreSlim(LoginConcurrency))
            {
                await Task.WhenAll(clients.Select(async client =>
                {
                    await gate.WaitAsync().ConfigureAwait(false);
                    try
                    {
                        if (!await client.LoginAsync(BenchServer.LicenseKey).ConfigureAwait(false)) Interlocked.Increment(ref failures);
                    }
                    finally
                    {
                        gate.Release();
                    }
                })).ConfigureAwait(false);
            }
            result.LoginSeconds = stopwatch.Elapsed.TotalSeconds;

            long managedAfter = GC.GetTotalMemory(true);
            long rssAfter = Rss();
            result.OursManagedBytesPerSession = (managedAfter - managedBefore) / (double)sessions;
            result.OursRssBytesPerSession = (rssAfter - rssBefore) / (double)sessions;
            log($"  ours: {sessions} logged in in {result.LoginSeconds:0.0} s; managed {(managedAfter - managedBefore) / 1024.0:0} KiB, RSS {(rssAfter - rssBefore) / 1024.0:0} KiB");

            // The first (spread) heartbeats settle into the steady rate within an interval; then the window.
            await Task.Delay(result.Interval > TimeSpan.FromSeconds(3) ? result.Interval : TimeSpan.FromSeconds(3)).ConfigureAwait(false);
            lateness.Reset();
            long countBefore = await server.HeartbeatCountAsync().ConfigureAwait(false);
            TimeSpan cpuBefore = ProcessCpu();
            var window = Stopwatch.StartNew();
            int maxThreads = ProcessThreads();
            int maxPool = ThreadPool.ThreadCount;
            while (window.Elapsed < result.Window)
            {
                await Task.Delay(200).ConfigureAwait(false);
                maxThreads = Math.Max(maxThreads, ProcessThreads());
                maxPool = Math.Max(maxPool, ThreadPool.ThreadCount);
            }
            TimeSpan cpuAfter = ProcessCpu();
            long countAfter = await server.HeartbeatCountAsync().ConfigureAwait(false);
            double seconds = window.Elapsed.TotalSeconds;
            result.OursCpuUsPerHeartbeat = (cpuAfter - cpuBefore).TotalMilliseconds * 1000 / Math.Max(1, countAfter - countBefore);
            double[] late = lateness.SnapshotMilliseconds();

            result.OursThreadsBefore = threadsBefore;
            result.OursThreadsAdded = maxThreads - threadsBefore;
            result.OursPoolThreadsAdded = maxPool - poolBefore;
            result.HeartbeatsPerSecond = (countAfter - countBefore) / seconds;
            result.LatenessSamples = late.Length;
            result.LatenessP50Ms = Percentile(late, 0.50);
            result.LatenessP99Ms = Percentile(late, 0.99);
            result.LatenessMaxMs = late.Length == 0 ? double.NaN : late[late.Length - 1];
            result.Failures = Volatile.Read(ref failures) + clients.Count(c => !c.IsAuthenticated());

            foreach (AuthForgeClient client in clients) await client.DisposeAsync().ConfigureAwait(false);
            result.LeftScheduled = scheduler.ScheduledCount;
            log($"  ours: {result.HeartbeatsPerSecond:0} heartbeats/s (expected {result.ExpectedPerSecond:0}), lateness p99 {result.LatenessP99Ms:0.0} ms, " +
                $"threads {result.OursThreadsAdded:+0;-0;0} (pool {result.OursPoolThreadsAdded:+0;-0;0}), failures {result.Failures}, " +
                $"CPU {result.OursCpuUsPerHeartbeat:0.0} µs per heartbeat");
            await RunBarePacedAsync(server, result).ConfigureAwait(false);
            log($"  bare: {result.BarePostsPerSecond:0} POSTs/s, CPU {result.BareCpuUsPerPost:0.0} µs per POST");
        }

        /// <summary>
        /// The baseline for CPU per heartbeat: bare POSTs of a heartbeat request (a real session token, fresh nonce) on one
        /// shared HttpClient, at the same rate and over the same window as ours, no verification. Process CPU / POSTs.
        /// </summary>
        private static async Task RunBarePacedAsync(ChildServer server, ScaleResult result)
        {
            using var http = new HttpClient(new SocketsHttpHandler { AllowAutoRedirect = false });
            byte[] validated = await BenchServer.PostAsync(http, server.BaseUrl + "/auth/validate", BenchServer.ValidateBody(Nonce.Create())).ConfigureAwait(false);
            string payload = JsonDocument.Parse(validated).RootElement.GetProperty("payload").GetString()!;
            string token = JsonDocument.Parse(Convert.FromBase64String(payload)).RootElement.GetProperty("sessionToken").GetString()!;
            string url = server.BaseUrl + "/auth/heartbeat";
            string Body() => "{\"appId\":\"" + BenchServer.AppId + "\",\"sessionToken\":\"" + token + "\",\"nonce\":\"" + Nonce.Create() +
                "\",\"hwid\":\"" + BenchServer.Hwid + "\"}";
            for (int i = 0; i < 200; i++) await BenchServer.PostAsync(http, url, Body()).ConfigureAwait(false);   // warm-up

            // Paced like the scheduler: every 10 ms, the POSTs due by then.
            var pending = new List<Task>();
            long sent = 0;
            TimeSpan cpuBefore = ProcessCpu();
            var window = Stopwatch.StartNew();
            while (window.Elapsed < result.Window)
            {
                long due = (long)(window.Elapsed.TotalSeconds * result.ExpectedPerSecond);
                for (; sent < due; sent++) pending.Add(BenchServer.PostAsync(http, url, Body()));
                if (pending.Count > 4096)
                {
                    pending.RemoveAll(t => t.IsCompleted);
                }
                await Task.Delay(10).ConfigureAwait(false);
            }
            await Task.WhenAll(pending).ConfigureAwait(false);
            TimeSpan cpuAfter = ProcessCpu();
            result.BareCpuUsPerPost = (cpuAfter - cpuBefore).TotalMilliseconds * 1000 / Math.Max(1, sent);
            result.BarePostsPerSecond = sent / window.Elapsed.TotalSeconds;
        }

        private static TimeSpan ProcessCpu()
        {
            using Process self = Process.GetCurrentProcess();
            return self.TotalProcessorTime;
        }

        private static void RunThreadPerClient(ScaleResult result, Action<string> log)
        {
            int sessions = result.Sessions;
            Settle();
            long managedBefore = GC.GetTotalMemory(true);
            long rssBefore = Rss();
            int threadsBefore = ProcessThreads();

            using var stop = new ManualResetEvent(false);
            using var started = new CountdownEvent(sessions);
            var threads = new Thread[sessions];
            var ticks = new long[sessions];
            int intervalMs = (int)result.Interval.TotalMilliseconds;
            for (int i = 0; i < sessions; i++)
            {
                int index = i;
                // The official SDKs' shape: a dedicated heartbeat thread per client, asleep between beats.
                threads[i] = new Thread(() =>
                {
                    started.Signal();
                    while (!stop.WaitOne(intervalMs)) ticks[index]++;
                }) { IsBackground = true, Name = "heartbeat " + index };
                threads[i].Start();
            }
            started.Wait();

            long managedAfter = GC.GetTotalMemory(true);
            long rssAfter = Rss();
            int threadsAfter = ProcessThreads();
            result.BaselineThreadsAdded = threadsAfter - threadsBefore;
            result.BaselineManagedBytesPerSession = (managedAfter - managedBefore) / (double)sessions;
            result.BaselineRssBytesPerSession = (rssAfter - rssBefore) / (double)sessions;

            stop.Set();
            foreach (Thread thread in threads) thread.Join();
            // Join returns before the OS has reaped every thread: wait for the count to come back down, so the next
            // measurement's "before" is not inflated by threads still exiting.
            var reaping = Stopwatch.StartNew();
            while (ProcessThreads() > threadsBefore + 2 && reaping.Elapsed < TimeSpan.FromSeconds(30)) Thread.Sleep(100);
            log($"  thread per client: threads +{result.BaselineThreadsAdded}, managed {(managedAfter - managedBefore) / 1024.0:0} KiB, RSS {(rssAfter - rssBefore) / 1024.0:0} KiB");
        }

        private static async Task WarmUpAsync(ChildServer server)
        {
            var scheduler = new HeartbeatScheduler();
            var beat = new TaskCompletionSource<bool>(TaskCreationOptions.RunContinuationsAsynchronously);
            scheduler.LatenessObserver = _ => beat.TrySetResult(true);
            var clients = new List<AuthForgeClient>();
            for (int i = 0; i < LoginConcurrency; i++)
            {
                AuthForgeClientOptions options = BenchServer.ClientOptions(server.BaseUrl, null, TimeSpan.FromMilliseconds(100), "warm:" + i);
                options.Scheduler = scheduler;
                clients.Add(new AuthForgeClient(options));
            }
            // A few hundred logins and heartbeats: enough for tiered JIT to settle here and in the server.
            for (int round = 0; round < 5; round++)
                await Task.WhenAll(clients.Select(c => c.LoginAsync(BenchServer.LicenseKey))).ConfigureAwait(false);
            await Task.WhenAny(beat.Task, Task.Delay(5000)).ConfigureAwait(false);
            await Task.Delay(1500).ConfigureAwait(false);
            foreach (AuthForgeClient client in clients) await client.DisposeAsync().ConfigureAwait(false);
        }

        private static void Settle()
        {
            for (int i = 0; i < 3; i++)
            {
                GC.Collect();
                GC.WaitForPendingFinalizers();
            }
            Thread.Sleep(200);
        }

        private static int ProcessThreads()
        {
            using Process self = Process.GetCurrentProcess();
            return self.Threads.Count;
        }

        private static long Rss()
        {
            using Process self = Process.GetCurrentProcess();
            return self.WorkingSet64;
        }

        private static double Percentile(double[] sorted, double p) =>
            sorted.Length == 0 ? double.NaN : sorted[Math.Min(sorted.Length - 1, (int)Math.Ceiling(p * sorted.Length) - 1)];

        /// <summary>Lateness samples from the scheduler's observer: lock-free, allocation-free on the hot path.</summary>
        private sealed class LatenessRecorder
        {
            private readonly long[] _ticks;
            private int _next;

            public LatenessRecorder(int capacity) => _ticks = new long[capacity];

            public void Record(TimeSpan lateness)
            {
                int index = Interlocked.Increment(ref _next) - 1;
                if (index < _ticks.Length) _ticks[index] = lateness.Ticks;
            }

            public void Reset() => Volatile.Write(ref _next, 0);

            public double[] SnapshotMilliseconds()
            {
                int count = Math.Min(Volatile.Read(ref _next), _ticks.Length);
                double[] ms = new double[count];
                for (int i = 0; i < count; i++) ms[i] = _ticks[i] / (double)TimeSpan.TicksPerMillisecond;
                Array.Sort(ms);
                return ms;
            }
        }
    }

    /// <summary>A DevServer (v2, HMAC) in a child process of this benchmark, so it costs this process no threads or memory.</summary>
    internal sealed class ChildServer : IAsyncDisposable
    {
        public const string Argument = "--devserver-child";
        private readonly Process _process;
        private readonly HttpClient _admin = new HttpClient();

        private ChildServer(Process process, string baseUrl)
        {
            _process = process;
            BaseUrl = baseUrl;
        }

        public string BaseUrl { get; }

        public static async Task<ChildServer> StartAsync(int slots)
        {
            string self = Environment.ProcessPath ?? throw new InvalidOperationException("No process path.");
            var start = new ProcessStartInfo { RedirectStandardInput = true, RedirectStandardOutput = true, UseShellExecute = false };
            if (Path.GetFileNameWithoutExtension(self) == "dotnet")
            {
                start.FileName = self;
                start.ArgumentList.Add(typeof(ChildServer).Assembly.Location);
            }
            else
            {
                start.FileName = self;
            }
            start.ArgumentList.Add(Argument);
            start.ArgumentList.Add(slots.ToString(System.Globalization.CultureInfo.InvariantCulture));
            Process process = Process.Start(start) ?? throw new InvalidOperationException("The DevServer child did not start.");
            string? line = await process.StandardOutput.ReadLineAsync().ConfigureAwait(false);
            if (line is null || !line.StartsWith("READY ", StringComparison.Ordinal))
            {
                process.Kill();
                throw new InvalidOperationException("The DevServer child said: " + line);
            }
            return new ChildServer(process, line.Substring("READY ".Length));
        }

        /// <summary>The child's side: serve until the parent closes our standard input.</summary>
        public static async Task<int> ServeAsync(string[] args)
        {
            int slots = int.Parse(args[1], System.Globalization.CultureInfo.InvariantCulture);
            await using DevServerHost host = await BenchServer.StartAsync(SigningMode.HmacV2, slots).ConfigureAwait(false);
            Console.WriteLine("READY " + host.BaseUrl);
            Console.Out.Flush();
            while (await Console.In.ReadLineAsync().ConfigureAwait(false) is string command && command != "quit") { }
            return 0;
        }

        /// <summary>Successful heartbeats of the benchmark licence so far, as the server counts them.</summary>
        public async Task<long> HeartbeatCountAsync()
        {
            using Stream json = await _admin.GetStreamAsync(BaseUrl + "/admin/licenses").ConfigureAwait(false);
            using JsonDocument document = await JsonDocument.ParseAsync(json).ConfigureAwait(false);
            foreach (JsonElement licence in document.RootElement.GetProperty("licenses").EnumerateArray())
                if (licence.GetProperty("key").GetString() == BenchServer.LicenseKey) return licence.GetProperty("heartbeatCount").GetInt64();
            throw new InvalidOperationException("The benchmark licence is missing.");
        }

        public async ValueTask DisposeAsync()
        {
            _admin.Dispose();
            try
            {
                await _process.StandardInput.WriteLineAsync("quit").ConfigureAwait(false);
                _process.StandardInput.Close();
                using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(10));
                await _process.WaitForExitAsync(timeout.Token).ConfigureAwait(false);
            }
            catch (Exception)
            {
                if (!_process.HasExited) _process.Kill();
            }
            _process.Dispose();
        }
    }
}
