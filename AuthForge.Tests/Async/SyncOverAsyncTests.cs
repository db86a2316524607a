using System;
using System.Threading;
using System.Threading.Tasks;
using AuthForge.DevServer;
using AuthForge.Tests.Support;
using Xunit;

namespace AuthForge.Tests.Async
{
    /// <summary>
    /// The sync methods and the async ones awaited from a single-threaded synchronization context (a UI thread): none
    /// may deadlock, including a failure callback that itself sends to that context.
    /// </summary>
    /// <remarks>
    /// How this fails: with <c>Login</c> written as <c>LoginAsync(key).Result</c> (no offload to the pool), the failure
    /// is reported from the pool thread that finished the request while the pump thread is blocked in <c>.Result</c>;
    /// the callback's <c>Send</c> then waits for the pump forever, and the test fails on its deadline (tried: it does).
    /// </remarks>
    public sealed class SyncOverAsyncTests
    {
        private static readonly TimeSpan Deadline = TimeSpan.FromSeconds(30);

        [Theory]
        [InlineData(SigningMode.HmacV2)]
        [InlineData(SigningMode.Ed25519)]
        public async Task SyncAndAsyncCallsFromASingleThreadedContextCompleteWithoutDeadlock(SigningMode mode)
        {
            await using DevServerHost server = await LiveServer.StartAsync(mode, new DevLicense(LiveServer.LicenseKey) { Credits = 100 });
            using var context = new SingleThreadContext();
            int callbacks = 0;
            int callbacksOffPump = 0;
            int sentToPump = 0;
            AuthForgeClientOptions options = LiveServer.ClientOptions(server);
            // The callback on the thread that found the failure, marshalling itself (the default, posting to the
            // constructing context, is FailureContextTests').
            options.UseSynchronizationContext = false;
            options.OnFailure = (reason, error) =>
            {
                Interlocked.Increment(ref callbacks);
                if (!context.IsOnPumpThread) Interlocked.Increment(ref callbacksOffPump);
                // What a UI app does in its callback: marshal to the UI thread, synchronously.
                context.Send(_ => Interlocked.Increment(ref sentToPump), null);
            };
            using var client = new AuthForgeClient(options);

            Task body = context.RunAsync(async () =>
            {
                Assert.True(context.IsOnPumpThread);

                // Sync, blocking the pump thread.
                Assert.False(client.Login("NO-SUCH-KEY"));            // failure reported here, on the caller's thread
                Assert.True(client.Login(LiveServer.LicenseKey));
                Assert.True(client.ValidateLicense(LiveServer.LicenseKey).IsValid);
                Assert.False(client.ValidateLicense("NO-SUCH-KEY").IsValid);
                client.SelfBan(revokeLicense: false, blacklistHwid: false, blacklistIp: false);
                Assert.False(client.IsAuthenticated());                  // a self-ban of the current session logs out

                // Async, awaited with the context captured: every continuation comes back to the pump.
                Assert.False(await client.LoginAsync("NO-SUCH-KEY"));
                Assert.True(context.IsOnPumpThread);
                Assert.True(await client.LoginAsync(LiveServer.LicenseKey));
                Assert.True(context.IsOnPumpThread);
                Assert.True((await client.ValidateLicenseAsync(LiveServer.LicenseKey)).IsValid);
                await client.SelfBanAsync(revokeLicense: false, blacklistHwid: false, blacklistIp: false);
                Assert.True(await client.LoginAsync(LiveServer.LicenseKey));
                await client.LogoutAsync();
                Assert.True(context.IsOnPumpThread);
            });

            Task winner = await Task.WhenAny(body, Task.Delay(Deadline));
            Assert.True(ReferenceEquals(winner, body), "Deadlock: the calls on the single-threaded context did not finish within " + Deadline.TotalSeconds + " s.");
            await body; // rethrows an assertion that failed on the pump thread

            Assert.Equal(2, Volatile.Read(ref callbacks));
            Assert.Equal(2, Volatile.Read(ref sentToPump));
            // The sync Login reports on its caller's thread; LoginAsync reports where its last await resumed.
            Assert.True(Volatile.Read(ref callbacksOffPump) <= 1);
        }

        [Fact]
        public async Task SyncLoginReportsItsFailureOnTheCallersThread()
        {
            await using DevServerHost server = await LiveServer.StartAsync(SigningMode.HmacV2);
            using var context = new SingleThreadContext();
            int callbackThread = -1;
            AuthForgeClientOptions options = LiveServer.ClientOptions(server);
            // Opted out of the constructing context (the test thread's): the caller's thread reports.
            options.UseSynchronizationContext = false;
            options.OnFailure = (reason, error) => callbackThread = Environment.CurrentManagedThreadId;
            using var client = new AuthForgeClient(options);

            Task body = context.RunAsync(() =>
            {
                Assert.False(client.Login("NO-SUCH-KEY"));
                return Task.CompletedTask;
            });

            Assert.Same(body, await Task.WhenAny(body, Task.Delay(Deadline)));
            await body;
            Assert.Equal(context.ManagedThreadId, callbackThread);
        }
    }
}
