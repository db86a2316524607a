using System;
using System.Collections.Concurrent;
using System.Collections.Generic;
using System.Diagnostics;
using System.Linq;
using System.Threading;
using System.Threading.Tasks;
using AuthForge.DevServer;
using AuthForge.Tests.Faults;
using AuthForge.Tests.Support;
using Xunit;
using Xunit.Abstractions;

namespace AuthForge.Tests.Stress
{
    /// <summary>
    /// Sixteen threads share four clients against a live DevServer while heartbeats run every 15 ms. Phase one mixes
    /// every public member, Dispose included; phase two revokes a licence under the readers' feet and counts the
    /// failure reports per client. Threads are dedicated (not pool) threads, as an application calling the
    /// synchronous API would have.
    /// </summary>
    [Collection(HostileNetworkCollection.Name)]
    public sealed class ConcurrencyStressTests
    {
        internal const int ThreadCount = 16;
        private const int Iterations = 300;
        private const int SlotCount = 4;
        private const string StressKey = "STRESS-KEY";
        private const string SurvivorKey = "SURVIVOR-KEY";
        internal static readonly TimeSpan Interval = TimeSpan.FromMilliseconds(15);
        private static readonly TimeSpan s_deadline = TimeSpan.FromSeconds(60);
        /// <summary>How long phase one goes on past its rounds until every check had its occasion; within <see cref="s_deadline"/>.</summary>
        private static readonly TimeSpan s_heartbeatWait = TimeSpan.FromSeconds(30);

        private readonly ITestOutputHelper _output;

        public ConcurrencyStressTests(ITestOutputHelper output)
        {
            _output = output;
        }

        [Theory]
        [InlineData(HeartbeatMode.Server)]
        [InlineData(HeartbeatMode.Local)]
        public async Task SharedClientsUnderSixteenThreads_StayConsistent_AndReportEachEndedSessionOnce(HeartbeatMode mode)
        {
            var options = new DevServerOptions { Mode = SigningMode.Ed25519, AppId = "stress-app", AppSecret = "stress-secret" };
            options.Licenses.Add(new DevLicense(StressKey) { Credits = 10_000_000, MaxHwidSlots = 1_000_000 });
            options.Licenses.Add(new DevLicense(SurvivorKey) { Credits = 10_000_000, MaxHwidSlots = 1_000_000 });
            await using DevServerHost server = await DevServerHost.StartAsync(options);
            var world = new World(server, mode);
            try
            {
                RunPhaseOne(world);
                await RunPhaseTwoAsync(world, server);
            }
            finally
            {
                world.DisposeAll();
            }

            Assert.Empty(world.Unexpected);
            Assert.Equal(0, world.Scheduler.ScheduledCount);
            IReadOnlyList<DevRequestRecord> log = server.Requests;
            _output.WriteLine($"{mode}: {world.AllClients.Count} clients, {world.StableChecks} quiet consistency checks ({world.KnownChecks} against a known last mutation), {world.HeartbeatsRun} heartbeats run, "
                + $"{log.Count(r => r.Path == "/auth/validate")} validates and {log.Count(r => r.Path == "/auth/heartbeat")} heartbeats served.");
        }

        /// <summary>Every member, from every thread, with Dispose swapping a fresh client into the slot now and then.</summary>
        private static void RunPhaseOne(World world)
        {
            // The mix runs at least Iterations rounds and then on until a heartbeat has run among the calls and each
            // consistency check has had its occasion: on a quick machine the rounds can end before a 15 ms heartbeat is
            // due, and asserting that one happened in time would make the test a race. A client that never heartbeats
            // still fails, at the bound, with the messages below.
            var watch = Stopwatch.StartNew();
            RunThreads(world, (random, thread) =>
            {
                for (int i = 0; i < Iterations || (!world.MixedPhaseCovered && watch.Elapsed < s_heartbeatWait); i++)
                {
                    Slot slot = world.Slots[random.Next(SlotCount)];
                    Tracked tracked = slot.Current;
                    // Reads dominate, as in an application; logins are rare enough that sessions live to heartbeat.
                    int op = random.Next(1000);
                    try
                    {
                        if (op < 450) world.CheckConsistent(slot, monotone: false);
                        else if (op < 490) slot.Mutate(() => LoggedIn(tracked.Client.Login(StressKey)));
                        else if (op < 530) slot.Mutate(() => LoggedIn(tracked.Client.LoginAsync(StressKey).GetAwaiter().GetResult()));
                        else if (op < 550) slot.Mutate(() => { tracked.Client.Logout(); return Known.LoggedOut; });
                        else if (op < 560) slot.Mutate(() => { tracked.Client.LogoutAsync().GetAwaiter().GetResult(); return Known.LoggedOut; });
                        else if (op < 610) _ = tracked.Client.IsAuthenticated();
                        else if (op < 760) Assert.True(tracked.Client.ValidateLicense(StressKey).IsValid);
                        else if (op < 840) Assert.StartsWith("AuthForgeClient(", tracked.Client.ToString(), StringComparison.Ordinal);
                        else if (op < 990) _ = (tracked.Client.GetAppVariables(), tracked.Client.GetLicenseVariables(), tracked.Client.GetHardwareId());
                        else slot.Mutate(() => world.Replace(slot, tracked, async: op >= 995));
                    }
                    catch (ObjectDisposedException) when (tracked.Disposing)
                    {
                        // Documented: a client another thread disposed refuses further logins and validations.
                    }
                }
            });

            Assert.True(world.StableChecks > 0, $"No consistency check ran while the slot was quiet within {s_heartbeatWait.TotalSeconds} s; the check was vacuous.");
            Assert.True(world.HeartbeatsRun > 0, $"No heartbeat ran within {s_heartbeatWait.TotalSeconds} s of the mixed phase; it raced nothing.");
            Assert.True(world.KnownChecks > 0, $"No check saw the result of a lone mutation within {s_heartbeatWait.TotalSeconds} s; that check was vacuous.");
            // Phase one has valid licences and no faults: nothing may have been reported, by any client.
            Assert.All(world.AllClients, t => Assert.Empty(t.Failures.All));
        }

        /// <summary>
        /// Every slot logs in once (slot 0 with a licence that stays valid), then readers hammer the clients while
        /// the shared licence is revoked. In LOCAL mode the clock is also moved past the sessions' end, which makes
        /// each client re-validate and meet the revocation.
        /// </summary>
        private static async Task RunPhaseTwoAsync(World world, DevServerHost server)
        {
            Tracked[] clients = world.Slots.Select(s => s.Current).ToArray();
            for (int i = 0; i < clients.Length; i++)
            {
                // Phase one may have left a slot logged in with the other key, which a login refuses: start afresh.
                clients[i].Client.Logout();
                Assert.True(clients[i].Client.Login(i == 0 ? SurvivorKey : StressKey));
            }

            using var stop = new CancellationTokenSource();
            Thread[] readers = StartThreads(world, (random, thread) =>
            {
                for (int i = 0; i < 100_000 && !stop.IsCancellationRequested; i++)
                {
                    world.CheckConsistent(world.Slots[random.Next(SlotCount)], monotone: true);
                    if (i % 50 == 0) Assert.True(clients[0].Client.ValidateLicense(SurvivorKey).IsValid);
                }
            });

            int mark = server.Requests.Count;
            await DevAdmin.RevokeAsync(server, StressKey);
            if (world.Mode == HeartbeatMode.Local) world.Clock.Advance(TimeSpan.FromDays(8));

            for (int i = 1; i < clients.Length; i++)
            {
                Failure failure = await clients[i].Failures.NextAsync(TimeSpan.FromSeconds(30));
                Assert.Equal((AuthForgeFailureReason.HeartbeatFailed, AuthForgeErrorCodes.Revoked), (failure.Reason, failure.Code));
            }
            // Wait on the survivor's next renewal: heartbeats demonstrably went on after the revocation.
            await WaitForSurvivorRenewalAsync(world, server, mark, clients[0]);

            stop.Cancel();
            Join(world, readers);

            // Exactly one report per ended session, none for the survivor, and the failed clients' heartbeats are
            // gone: only the survivor's is scheduled, and the server met each revoked client exactly once.
            Assert.Empty(clients[0].Failures.All);
            Assert.All(clients.Skip(1), t => Assert.Single(t.Failures.All));
            Assert.All(clients.Skip(1), t => Assert.False(t.Client.IsAuthenticated()));
            Assert.True(clients[0].Client.IsAuthenticated());
            // Once the survivor has stopped (and its running heartbeat, if any, ended), nothing may be scheduled:
            // a failed client whose heartbeat were still registered would show here.
            await clients[0].Client.LogoutAsync();
            Assert.Equal(0, world.Scheduler.ScheduledCount);
            DevRequestRecord[] after = server.Requests.Skip(mark).ToArray();
            foreach (Tracked revoked in clients.Skip(1))
                Assert.Single(after, r => r.Hwid == revoked.Hwid && r.Error == AuthForgeErrorCodes.Revoked);
        }

        /// <summary>Phase one's licence is valid and the server healthy: every login succeeds.</summary>
        private static Known LoggedIn(bool loginResult)
        {
            Assert.True(loginResult);
            return Known.LoggedIn;
        }

        /// <summary>
        /// Waits for the surviving session to renew after the revocation: in SERVER mode a heartbeat the server
        /// answered; in LOCAL mode the re-validation that makes the expired client authenticated again.
        /// </summary>
        private static async Task WaitForSurvivorRenewalAsync(World world, DevServerHost server, int mark, Tracked survivor)
        {
            // Neither the server's log nor the client's state has a change signal; a short, bounded poll is the honest way.
            var watch = Stopwatch.StartNew();
            while (world.Mode == HeartbeatMode.Server
                ? !server.Requests.Skip(mark).Any(r => r.Hwid == survivor.Hwid && r.Path == "/auth/heartbeat" && r.StatusCode == 200)
                : !survivor.Client.IsAuthenticated())
            {
                Assert.True(watch.Elapsed < TimeSpan.FromSeconds(30), "The surviving session did not renew within 30 s of the revocation.");
                await Task.Delay(10);
            }
        }

        private static void RunThreads(World world, Action<Random, int> body) => Join(world, StartThreads(world, body));

        private static Thread[] StartThreads(World world, Action<Random, int> body)
        {
            var threads = new Thread[ThreadCount];
            for (int t = 0; t < ThreadCount; t++)
            {
                int index = t;
                threads[t] = new Thread(() =>
                {
                    try
                    {
                        body(new Random(1000 * (int)world.Mode + index), index);
                    }
                    catch (Exception e)
                    {
                        world.Unexpected.Enqueue(e);
                    }
                })
                { IsBackground = true, Name = "stress-" + index };
                threads[t].Start();
            }
            return threads;
        }

        private static void Join(World world, Thread[] threads)
        {
            // A deadlock shows as a thread that never finishes: fail, and leave it behind as a background thread.
            var watch = Stopwatch.StartNew();
            foreach (Thread thread in threads)
            {
                TimeSpan left = s_deadline - watch.Elapsed;
                Assert.True(left > TimeSpan.Zero && thread.Join(left), $"{thread.Name} did not finish within {s_deadline.TotalSeconds} s: a deadlock or a hang.");
            }
            Assert.Empty(world.Unexpected);
        }

        /// <summary>The clients, the shared private scheduler and clock, and what went wrong.</summary>
        private sealed class World
        {
            private readonly DevServerHost _server;
            private readonly ConcurrentQueue<Tracked> _all = new ConcurrentQueue<Tracked>();
            private int _created;
            private int _stableChecks;
            private int _heartbeatsRun;
            private int _knownChecks;

            public World(DevServerHost server, HeartbeatMode mode)
            {
                _server = server;
                Mode = mode;
                Slots = Enumerable.Range(0, SlotCount).Select(_ => new Slot(Create())).ToArray();
                // Called as each heartbeat starts: the count shows the heartbeats really ran among the other calls.
                Scheduler.LatenessObserver = _ => Interlocked.Increment(ref _heartbeatsRun);
            }

            public HeartbeatMode Mode { get; }
            public HeartbeatScheduler Scheduler { get; } = new HeartbeatScheduler();
            public ShiftedClock Clock { get; } = new ShiftedClock();
            public Slot[] Slots { get; }
            public ConcurrentQueue<Exception> Unexpected { get; } = new ConcurrentQueue<Exception>();
            public IReadOnlyList<Tracked> AllClients => _all.ToArray();
            public int StableChecks => Volatile.Read(ref _stableChecks);
            public int HeartbeatsRun => Volatile.Read(ref _heartbeatsRun);
            public int KnownChecks => Volatile.Read(ref _knownChecks);
            public bool MixedPhaseCovered => HeartbeatsRun > 0 && StableChecks > 0 && KnownChecks > 0;

            public Tracked Create()
            {
                int n = Interlocked.Increment(ref _created);
                var failures = new FailureRecorder();
                string hwid = "stress-hwid-" + n;
                var options = new AuthForgeClientOptions
                {
                    AppId = _server.AppId,
                    AppSecret = _server.AppSecret,
                    ApiBaseUrl = _server.BaseUrl,
                    HeartbeatMode = Mode,
                    HeartbeatInterval = Interval,
                    RequestTimeout = TimeSpan.FromSeconds(10),
                    OnFailure = failures.Callback,
                    UseSynchronizationContext = false, // as LiveServer.ClientOptions
                    HwidOverride = hwid,
                    Retry = new RetryPolicy(new[] { TimeSpan.Zero, TimeSpan.Zero }, TimeSpan.Zero),
                    Scheduler = Scheduler,
                    Clock = Clock,
                    Exit = code => Unexpected.Enqueue(new InvalidOperationException("The client tried to exit with " + code + ".")),
                };
                options.PublicKeys.Add(_server.PublicKeyBase64);
                var tracked = new Tracked(new AuthForgeClient(options), failures, hwid);
                _all.Enqueue(tracked);
                return tracked;
            }

            /// <summary>Disposes the slot's client (if it is still <paramref name="expected"/>) and puts a new one in.</summary>
            public Known Replace(Slot slot, Tracked expected, bool async)
            {
                if (Interlocked.CompareExchange(ref slot.CurrentField, Create(), expected) != expected) return Known.Unknown;
                expected.Disposing = true;
                if (async) expected.Client.DisposeAsync().AsTask().GetAwaiter().GetResult();
                else expected.Client.Dispose();
                return Known.LoggedOut; // the new client has never logged in
            }

            /// <summary>
            /// Reads the slot's state through the public accessors and checks what is sound under the races allowed:
            /// a session's data is always whole; and when no mutation overlapped the reads (seqlock-style epoch),
            /// "authenticated" and "has data" agree. In phase two sessions only end, so "authenticated" read after
            /// the data implies the data was there.
            /// </summary>
            public void CheckConsistent(Slot slot, bool monotone)
            {
                int epoch = Volatile.Read(ref slot.Epoch);
                int busy = Volatile.Read(ref slot.InFlight);
                Outcome last = slot.Last;
                Tracked tracked = slot.Current;
                IReadOnlyDictionary<string, object?>? data = tracked.Client.GetSessionData();
                bool authenticated = tracked.Client.IsAuthenticated();
                IReadOnlyDictionary<string, object?>? app = tracked.Client.GetAppVariables();
                bool quiet = busy == 0 && Volatile.Read(ref slot.Epoch) == epoch && ReferenceEquals(slot.Current, tracked);

                if (data != null)
                {
                    Assert.IsType<string>(data["sessionToken"]);
                    Assert.Matches("^[0-9a-f]{32}$", (string)data["nonce"]!);
                }
                if (monotone)
                {
                    if (authenticated) Assert.NotNull(data);
                }
                else if (quiet && !tracked.Disposing)
                {
                    Interlocked.Increment(ref _stableChecks);
                    Assert.Equal(authenticated, data != null);
                    Assert.Equal(data != null, app != null);
                    // The last mutation ran alone and nothing has happened since: its result must still stand. A
                    // heartbeat finishing after a logout must not bring the session back; nothing may end a login.
                    if (last.Epoch == epoch && last.State != Known.Unknown)
                    {
                        Interlocked.Increment(ref _knownChecks);
                        Assert.Equal(last.State == Known.LoggedIn, authenticated);
                    }
                }
            }

            public void DisposeAll()
            {
                foreach (Tracked tracked in _all) tracked.Client.Dispose();
            }
        }

        /// <summary>What a mutation left the slot's client in, when that is known.</summary>
        private enum Known
        {
            Unknown,
            LoggedIn,
            LoggedOut,
        }

        /// <summary>The state a mutation that ran alone left, valid while the slot's epoch is still <see cref="Epoch"/>.</summary>
        private sealed record Outcome(Known State, int Epoch);

        /// <summary>
        /// A place threads share a client through. Mutations bump the epoch before and after (seqlock style), so a
        /// reader can tell that none overlapped its reads; a mutation that overlapped no other one also records
        /// the state it left, stamped with the epoch at which that record stops being current.
        /// </summary>
        private sealed class Slot
        {
            public Tracked CurrentField;
            public int Epoch;
            public int InFlight;
            private Outcome _last = new Outcome(Known.LoggedOut, 0);

            public Slot(Tracked first) => CurrentField = first;

            public Tracked Current => Volatile.Read(ref CurrentField);

            public Outcome Last => Volatile.Read(ref _last);

            public void Mutate(Func<Known> action)
            {
                Interlocked.Increment(ref InFlight);
                int start = Interlocked.Increment(ref Epoch);
                Known state = Known.Unknown;
                try
                {
                    state = action();
                }
                finally
                {
                    bool alone = Volatile.Read(ref Epoch) == start && Volatile.Read(ref InFlight) == 1;
                    Volatile.Write(ref _last, new Outcome(alone ? state : Known.Unknown, start + 1));
                    Interlocked.Increment(ref Epoch);
                    Interlocked.Decrement(ref InFlight);
                }
            }
        }

        private sealed class Tracked
        {
            private int _disposing;

            public Tracked(AuthForgeClient client, FailureRecorder failures, string hwid)
            {
                Client = client;
                Failures = failures;
                Hwid = hwid;
            }

            public AuthForgeClient Client { get; }
            public FailureRecorder Failures { get; }
            public string Hwid { get; }

            public bool Disposing
            {
                get => Volatile.Read(ref _disposing) != 0;
                set => Volatile.Write(ref _disposing, value ? 1 : 0);
            }
        }

        /// <summary>Real time plus an offset a test can move forward, for every client at once.</summary>
        private sealed class ShiftedClock : AuthForgeClock
        {
            private long _offsetTicks;

            public override DateTimeOffset UtcNow => DateTimeOffset.UtcNow + Offset;
            public override TimeSpan Monotonic => AuthForgeClock.System.Monotonic + Offset;

            private TimeSpan Offset => TimeSpan.FromTicks(Interlocked.Read(ref _offsetTicks));

            public void Advance(TimeSpan by) => Interlocked.Add(ref _offsetTicks, by.Ticks);
        }
    }
}
