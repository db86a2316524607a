using System;
using System.Collections.Generic;
using System.Linq;
using System.Threading;
using System.Threading.Tasks;
using AuthForge.DevServer;
using AuthForge.Tests.Async;
using AuthForge.Tests.Support;
using Xunit;

namespace AuthForge.Tests.Fingerprint
{
    /// <summary>
    /// The client and the probe together, against a DevServer on 127.0.0.1: every async entry point awaits the probe
    /// (it never runs on the calling thread), and a session keeps the id it logged in with, so a macOS probe cut by a
    /// tool's time limit is retried at the next login and never in the middle of a session. The probe is injected
    /// (AuthForgeClientOptions.Fingerprint), so each test has a cache of its own and knows where the probe ran.
    /// </summary>
    public sealed class FingerprintClientTests
    {
        /// <summary>A probe that answers a fixed, final id and records the threads it ran on.</summary>
        private sealed class RecordingProbe
        {
            private readonly List<int> _threads = new List<int>();
            private readonly string _id;

            public RecordingProbe(string id) => _id = id;

            public IReadOnlyList<int> Threads
            {
                get
                {
                    lock (_threads) return _threads.ToArray();
                }
            }

            public HardwareFingerprint.ProbeResult Run()
            {
                lock (_threads) _threads.Add(Environment.CurrentManagedThreadId);
                return new HardwareFingerprint.ProbeResult(_id, true, "recorded");
            }
        }

        private static AuthForgeClientOptions Options(DevServerHost server, HardwareFingerprint.ProbeCache fingerprint, AuthForgeSessionStore? store)
        {
            AuthForgeClientOptions options = LiveServer.ClientOptions(server, new FailureRecorder());
            options.HwidOverride = null;
            options.Fingerprint = fingerprint;
            options.SessionStore = store;
            return options;
        }

        public static IEnumerable<object[]> EntryPoints() =>
            from entry in new[] { "LoginAsync", "ValidateLicenseAsync", "SelfBanAsync", "GetHardwareIdAsync" }
            from store in new[] { false, true }
            select new object[] { entry, store };

        [Theory]
        [MemberData(nameof(EntryPoints))]
        public async Task EveryAsyncEntryPoint_AwaitsTheProbe_NeverRunsItOnTheCallersThread(string entryPoint, bool withStore)
        {
            const string Id = "0a1b2c3d4e5f60718293a4b5c6d7e8f90a1b2c3d4e5f60718293a4b5c6d7e8f9";
            await using DevServerHost server = await LiveServer.StartAsync(SigningMode.Ed25519);
            MemoryStore? store = null;
            if (withStore)
            {
                // An earlier run of the app left its session in the store, so this login resumes it: the path that
                // derives the store's key from the hardware id before anything was awaited.
                store = new MemoryStore();
                var earlier = new HardwareFingerprint.ProbeCache(new RecordingProbe(Id).Run);
                using (var previous = new AuthForgeClient(Options(server, earlier, store)))
                {
                    Assert.True(await previous.LoginAsync(LiveServer.LicenseKey));
                }
                Assert.NotNull(store.Record);
            }

            var probe = new RecordingProbe(Id);
            using var client = new AuthForgeClient(Options(server, new HardwareFingerprint.ProbeCache(probe.Run), store));
            using var ui = new SingleThreadContext();

            // The call is made on a UI-like thread whose awaits come back to it, as from a button handler.
            await ui.RunAsync(async () =>
            {
                Assert.True(ui.IsOnPumpThread);
                switch (entryPoint)
                {
                    case "LoginAsync":
                        Assert.True(await client.LoginAsync(LiveServer.LicenseKey));
                        Assert.Equal(withStore, client.GetSession()!.IsResumed);
                        break;
                    case "ValidateLicenseAsync":
                        Assert.True((await client.ValidateLicenseAsync(LiveServer.LicenseKey)).IsValid);
                        break;
                    case "SelfBanAsync":
                        await client.SelfBanAsync(LiveServer.LicenseKey, blacklistHwid: false, blacklistIp: false);
                        break;
                    case "GetHardwareIdAsync":
                        Assert.Equal(Id, await client.GetHardwareIdAsync());
                        break;
                }
            }).WaitAsync(TimeSpan.FromSeconds(60));

            Assert.Single(probe.Threads);
            Assert.NotEqual(ui.ManagedThreadId, probe.Threads[0]);
            if (entryPoint != "GetHardwareIdAsync") Assert.Contains(server.Requests, r => r.Hwid == Id);
        }

        [Fact]
        public async Task GetHardwareIdAsync_StopsWaitingWhenCancelled_AndTheProbeServesTheNextCall()
        {
            const string Id = "f9e8d7c6b5a4f9e8d7c6b5a4f9e8d7c6b5a4f9e8d7c6b5a4f9e8d7c6b5a4f9e8";
            await using DevServerHost server = await LiveServer.StartAsync(SigningMode.Ed25519);
            using var release = new ManualResetEventSlim();
            var probe = new HardwareFingerprint.ProbeCache(() =>
            {
                release.Wait(TimeSpan.FromSeconds(60));
                return new HardwareFingerprint.ProbeResult(Id, true, "held");
            });
            using var client = new AuthForgeClient(Options(server, probe, null));
            using var cancel = new CancellationTokenSource();

            Task<string> waiting = client.GetHardwareIdAsync(cancel.Token);
            Assert.False(waiting.IsCompleted);
            cancel.Cancel();
            await Assert.ThrowsAnyAsync<OperationCanceledException>(() => waiting.WaitAsync(TimeSpan.FromSeconds(30)));

            release.Set();
            Assert.Equal(Id, await client.GetHardwareIdAsync().WaitAsync(TimeSpan.FromSeconds(30)));
            Assert.Equal(1, probe.ProbeCount);
        }

        // ---- macOS: a probe cut by a tool's time limit, then a complete one ----

        // `ioreg -rd1 -c IOPlatformExpertDevice` on a Mac mini (M2 Pro), shortened.
        private const string IoregOutput =
            "+-o Mac14,12  <class IOPlatformExpertDevice, id 0x100000221, registered, matched, active, busy 0 (83 ms), retain 37>\n" +
            "    {\n" +
            "      \"IOPlatformUUID\" = \"5A1B2C3D-4E5F-6071-8293-A4B5C6D7E8F9\"\n" +
            "      \"IOPlatformSerialNumber\" = \"H4X7QK2L9Q\"\n" +
            "      \"model\" = <\"Mac14,12\">\n" +
            "    }\n";

        // `ifconfig` names and addresses as NetworkInterface lists them on that Mac.
        private static readonly KeyValuePair<string, string>[] s_interfaces =
        {
            new KeyValuePair<string, string>("lo0", ""),
            new KeyValuePair<string, string>("en0", "5C1BF4A2C901"),
            new KeyValuePair<string, string>("en1", "5C1BF4A2C902"),
            new KeyValuePair<string, string>("ap1", "5E1BF4A2C901"),
            new KeyValuePair<string, string>("awdl0", "A6B0D40A7F2E"),
        };

        /// <summary>
        /// Recorded tool answers: the first probe's sysctl is killed by its time limit (a loaded machine at login),
        /// every later probe reads everything.
        /// </summary>
        private sealed class RecordedMac
        {
            private int _probes;

            public int Probes => Volatile.Read(ref _probes);

            public HardwareFingerprint.ProbeResult Probe()
            {
                bool cut = Interlocked.Increment(ref _probes) == 1;
                var probe = new HardwareFingerprint.MacOSProbe((string tool, string arguments, out bool timedOut) =>
                {
                    timedOut = false;
                    switch (tool + " " + arguments)
                    {
                        case "/usr/sbin/sysctl -n machdep.cpu.brand_string":
                            timedOut = cut;
                            return cut ? null : "Apple M2 Pro\n";
                        case "/usr/sbin/ioreg -rd1 -c IOPlatformExpertDevice":
                            return IoregOutput;
                        default:
                            throw new InvalidOperationException("unexpected tool " + tool);
                    }
                }, () => s_interfaces);
                return probe.Probe();
            }
        }

        [Fact]
        public void MacOSProbe_ACutToolMakesTheProbeIncomplete_AndTheFullOneFinal()
        {
            var mac = new RecordedMac();
            HardwareFingerprint.ProbeResult cut = mac.Probe();
            HardwareFingerprint.ProbeResult full = mac.Probe();

            Assert.False(cut.Final);
            Assert.Equal(HardwareFingerprint.Compose("5c:1b:f4:a2:c9:01", null, "H4X7QK2L9Q"), cut.Hwid);
            Assert.True(full.Final);
            Assert.Equal(HardwareFingerprint.Compose("5c:1b:f4:a2:c9:01", "Apple M2 Pro", "H4X7QK2L9Q"), full.Hwid);
        }

        [Fact]
        public async Task MacOS_ASessionKeepsTheIdItLoggedInWith_AndACutProbeIsRetriedAtTheNextLoginOnly()
        {
            string degraded = HardwareFingerprint.Compose("5c:1b:f4:a2:c9:01", null, "H4X7QK2L9Q");
            string complete = HardwareFingerprint.Compose("5c:1b:f4:a2:c9:01", "Apple M2 Pro", "H4X7QK2L9Q");
            // Two slots: the degraded id of the first login holds one, the complete id takes the other.
            await using DevServerHost server = await LiveServer.StartAsync(SigningMode.Ed25519,
                new DevLicense(LiveServer.LicenseKey) { MaxHwidSlots = 2 });
            var clock = new ManualClock();
            var scheduler = new HeartbeatScheduler(clock, useTimer: false);
            var mac = new RecordedMac();
            var failures = new FailureRecorder();
            AuthForgeClientOptions options = Options(server, new HardwareFingerprint.ProbeCache(mac.Probe), null);
            options.OnFailure = failures.Callback;
            options.Clock = clock;
            options.Scheduler = scheduler;
            options.HeartbeatInterval = TimeSpan.FromMinutes(1);
            using var client = new AuthForgeClient(options);

            Assert.True(await client.LoginAsync(LiveServer.LicenseKey));
            Assert.Equal(degraded, client.GetHardwareId());

            // Heartbeats for a while: each sends the session's id; nothing probes again while the session lives.
            for (int i = 0; i < 3; i++)
            {
                clock.Advance(TimeSpan.FromMinutes(2));
                await scheduler.RunDueAsync();
            }
            Assert.True(client.IsAuthenticated());
            Assert.Equal(1, mac.Probes);
            Assert.Equal(degraded, client.GetHardwareId());
            List<DevRequestRecord> heartbeats = server.Requests.Where(r => r.Path == "/auth/heartbeat").ToList();
            Assert.True(heartbeats.Count >= 3, "expected three heartbeats, saw " + heartbeats.Count);
            Assert.All(heartbeats, r => Assert.Equal(degraded, r.Hwid));
            Assert.All(heartbeats, r => Assert.Null(r.Error));

            // The next login (between sessions) probes again, and the complete result is final for the process.
            await client.LogoutAsync();
            Assert.True(await client.LoginAsync(LiveServer.LicenseKey));
            Assert.Equal(complete, client.GetHardwareId());
            Assert.Equal(2, mac.Probes);
            await client.LogoutAsync();
            Assert.True(await client.LoginAsync(LiveServer.LicenseKey));
            Assert.Equal(2, mac.Probes);
            Assert.Equal(new[] { degraded, complete, complete },
                server.Requests.Where(r => r.Path == "/auth/validate").Select(r => r.Hwid));
            Assert.Equal(0, failures.Count);
        }
    }
}
