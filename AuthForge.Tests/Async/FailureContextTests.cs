using System;
using System.Collections.Generic;
using System.Threading;
using System.Threading.Tasks;
using AuthForge.DevServer;
using AuthForge.Tests.Support;
using Xunit;

namespace AuthForge.Tests.Async
{
    /// <summary>
    /// The failure callback runs on the synchronization context current when the client was constructed (a UI thread,
    /// stood in for by <see cref="SingleThreadContext"/>), as <see cref="Progress{T}"/> does; the client never waits for
    /// that context, and the opt-out keeps the callback on the thread that found the failure.
    /// </summary>
    public sealed class FailureContextTests
    {
        // A guard against a hang, not a time the behaviour must meet.
        private static readonly TimeSpan Deadline = TimeSpan.FromSeconds(30);

        [Fact]
        public async Task AHeartbeatFailureIsReportedOnTheThreadThatConstructedTheClient()
        {
            const string key = "CTX-HEARTBEAT";
            await using DevServerHost server = await LiveServer.StartAsync(SigningMode.Ed25519, new DevLicense(key));
            using var ui = new SingleThreadContext();
            var reported = new TaskCompletionSource<(string Reason, string? Code, int Thread)>(TaskCreationOptions.RunContinuationsAsynchronously);
            AuthForgeClientOptions options = LiveServer.ClientOptions(server, interval: TimeSpan.FromMilliseconds(25));
            options.HwidOverride = "ctx-heartbeat";
            options.UseSynchronizationContext = true; // the default, which LiveServer.ClientOptions turns off
            options.OnFailure = (reason, error) =>
                reported.TrySetResult((reason, (error as AuthForgeException)?.Code, Environment.CurrentManagedThreadId));
            AuthForgeClient client = ConstructOn(ui, options);
            using (client)
            {
                Assert.True(await client.LoginAsync(key));
                Assert.True(server.RevokeLicense(key));

                (string reason, string? code, int thread) = await reported.Task.WaitAsync(Deadline);

                Assert.Equal(AuthForgeFailureReason.HeartbeatFailed, reason);
                Assert.Equal(AuthForgeErrorCodes.Revoked, code);
                // Found by a heartbeat on the thread pool, run on the "UI" thread.
                Assert.Equal(ui.ManagedThreadId, thread);
            }
        }

        [Fact]
        public async Task OptedOutTheCallbackRunsOnThePoolThreadThatFoundTheFailure()
        {
            await using DevServerHost server = await LiveServer.StartAsync(SigningMode.HmacV2);
            using var ui = new SingleThreadContext();
            int thread = -1;
            bool onPool = false;
            AuthForgeClientOptions options = LiveServer.ClientOptions(server);
            options.UseSynchronizationContext = false;
            options.OnFailure = (reason, error) =>
            {
                thread = Environment.CurrentManagedThreadId;
                onPool = Thread.CurrentThread.IsThreadPoolThread;
            };
            using AuthForgeClient client = ConstructOn(ui, options);

            Assert.False(await client.LoginAsync("NO-SUCH-KEY").WaitAsync(Deadline));

            // Run before LoginAsync completed, on its thread: never posted to the context.
            Assert.True(onPool);
            Assert.NotEqual(ui.ManagedThreadId, thread);
        }

        [Fact]
        public async Task SyncAndAsyncCallsOnTheConstructingContextCompleteWithTheCallbackOnIt()
        {
            await using DevServerHost server = await LiveServer.StartAsync(SigningMode.Ed25519, new DevLicense(LiveServer.LicenseKey) { Credits = 100 });
            using var ui = new SingleThreadContext();
            var threads = new List<int>();
            AuthForgeClientOptions options = LiveServer.ClientOptions(server);
            options.UseSynchronizationContext = true;
            options.OnFailure = (reason, error) => threads.Add(Environment.CurrentManagedThreadId);
            using AuthForgeClient client = ConstructOn(ui, options);

            Task body = ui.RunAsync(async () =>
            {
                // Sync, blocking the UI thread: the failure is found on it and reported there before Login returns.
                Assert.False(client.Login("NO-SUCH-KEY"));
                Assert.Single(threads);
                Assert.True(client.Login(LiveServer.LicenseKey));
                Assert.True(client.ValidateLicense(LiveServer.LicenseKey).IsValid);
                Assert.False(client.ValidateLicense("NO-SUCH-KEY").IsValid);
                client.Logout();
                Assert.False(client.IsAuthenticated());

                // Async: found on the pool, posted to the UI thread ahead of this continuation.
                Assert.False(await client.LoginAsync("NO-SUCH-KEY"));
                Assert.True(ui.IsOnPumpThread);
                Assert.Equal(2, threads.Count);
                Assert.True(await client.LoginAsync(LiveServer.LicenseKey));
                await client.LogoutAsync();
            });

            Assert.Same(body, await Task.WhenAny(body, Task.Delay(Deadline)));
            await body;
            Assert.Equal(new[] { ui.ManagedThreadId, ui.ManagedThreadId }, threads);
        }

        [Fact]
        public async Task AContextThatNeverRunsTheCallbackHoldsNothingUp()
        {
            await using DevServerHost server = await LiveServer.StartAsync(SigningMode.HmacV2);
            var hung = new HungContext();
            int callbacks = 0;
            AuthForgeClientOptions options = LiveServer.ClientOptions(server);
            options.UseSynchronizationContext = true;
            options.OnFailure = (reason, error) => Interlocked.Increment(ref callbacks);
            using AuthForgeClient client = ConstructUnder(hung, options);

            // Neither an async login nor a sync one on another thread waits for the hung "UI" thread.
            Assert.False(await client.LoginAsync("NO-SUCH-KEY").WaitAsync(Deadline));
            Assert.False(await Task.Run(() => client.Login("NO-SUCH-KEY")).WaitAsync(Deadline));
            Assert.True(await Task.Run(() => client.Login(LiveServer.LicenseKey)).WaitAsync(Deadline));

            Assert.Equal(0, Volatile.Read(ref callbacks));
            Assert.Equal(2, hung.Posted.Count);
            // When the UI thread comes back, the callbacks run.
            foreach (Action run in hung.Posted) run();
            Assert.Equal(2, Volatile.Read(ref callbacks));
        }

        [Fact]
        public async Task AContextThatRefusesThePostGetsTheCallbackRunOnTheReportingThread()
        {
            await using DevServerHost server = await LiveServer.StartAsync(SigningMode.HmacV2);
            int callbacks = 0;
            AuthForgeClientOptions options = LiveServer.ClientOptions(server);
            options.UseSynchronizationContext = true;
            options.OnFailure = (reason, error) => Interlocked.Increment(ref callbacks);
            using AuthForgeClient client = ConstructUnder(new RefusingContext(), options);

            Assert.False(await client.LoginAsync("NO-SUCH-KEY").WaitAsync(Deadline));

            // A torn-down UI still hears about the failure (here: before LoginAsync completed), never nothing.
            Assert.Equal(1, Volatile.Read(ref callbacks));
        }

        private static AuthForgeClient ConstructOn(SingleThreadContext ui, AuthForgeClientOptions options)
        {
            AuthForgeClient? client = null;
            ui.Send(_ => client = new AuthForgeClient(options), null);
            return client!;
        }

        private static AuthForgeClient ConstructUnder(SynchronizationContext context, AuthForgeClientOptions options)
        {
            SynchronizationContext? previous = SynchronizationContext.Current;
            SynchronizationContext.SetSynchronizationContext(context);
            try
            {
                return new AuthForgeClient(options);
            }
            finally
            {
                SynchronizationContext.SetSynchronizationContext(previous);
            }
        }

        /// <summary>A UI thread that stopped pumping: posts are kept, never run, until the test runs them.</summary>
        private sealed class HungContext : SynchronizationContext
        {
            private readonly object _gate = new object();
            private readonly List<Action> _posted = new List<Action>();

            public IReadOnlyList<Action> Posted
            {
                get { lock (_gate) return _posted.ToArray(); }
            }

            public override void Post(SendOrPostCallback d, object? state)
            {
                lock (_gate) _posted.Add(() => d(state));
            }

            public override void Send(SendOrPostCallback d, object? state) =>
                throw new InvalidOperationException("Send on a hung UI thread would never return.");
        }

        /// <summary>A UI that has been torn down: posting throws, as a disposed WinForms control's does.</summary>
        private sealed class RefusingContext : SynchronizationContext
        {
            public override void Post(SendOrPostCallback d, object? state) =>
                throw new InvalidOperationException("The window is gone.");

            public override void Send(SendOrPostCallback d, object? state) =>
                throw new InvalidOperationException("The window is gone.");
        }
    }
}
