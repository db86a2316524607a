using System;
using System.Linq;
using System.Threading.Tasks;
using AuthForge.DevServer;
using AuthForge.Tests.Support;
using Xunit;

namespace AuthForge.Tests.Client
{
    /// <summary>Logout and Dispose: heartbeats stop at once, state is cleared, and what may happen afterwards.</summary>
    public sealed class LifecycleTests : IClassFixture<ServerTrio>
    {
        private static readonly TimeSpan s_interval = TimeSpan.FromMilliseconds(20);
        // Several intervals: a heartbeat left scheduled would certainly have fired in this window.
        private static readonly TimeSpan s_quietWindow = TimeSpan.FromMilliseconds(150);

        private readonly ServerTrio _servers;

        public LifecycleTests(ServerTrio servers) => _servers = servers;

        [Theory]
        [InlineData(SigningMode.HmacV1)]
        [InlineData(SigningMode.Ed25519)]
        public async Task LogoutStopsHeartbeatsAtOnceAndALaterLoginWorks(SigningMode mode)
        {
            DevServerHost server = _servers[mode];
            string key = ServerTrio.NewLicense(server);
            var failures = new FailureRecorder();
            using var tap = new WireTap();
            using var http = tap.CreateClient();
            AuthForgeClientOptions options = LiveServer.ClientOptions(server, failures, interval: s_interval);
            options.HttpClient = http;
            using var client = new AuthForgeClient(options);
            Assert.True(await client.LoginAsync(key));
            await ServerLog.WaitForAsync(server, ServerLog.Heartbeat, key, 2);

            await client.LogoutAsync();

            Assert.Equal(0, options.Scheduler.ScheduledCount);
            LoginTests.AssertLoggedOut(client);
            await AssertClientSilentAsync(tap, server, key);
            Assert.Equal(0, failures.Count);

            // Logged out is not disposed: the client can log in again, and heartbeats resume for the new session.
            Assert.True(await client.LoginAsync(key));
            Assert.True(client.IsAuthenticated());
            int beatsBefore = ServerLog.For(server, ServerLog.Heartbeat, key).Count;
            await ServerLog.WaitForAsync(server, ServerLog.Heartbeat, key, beatsBefore + 2);
            Assert.Equal(0, failures.Count);
        }

        /// <summary>
        /// What the client sent is final once LogoutAsync/DisposeAsync completes: a heartbeat in flight was cancelled
        /// and awaited, and none is scheduled, so the tap must not see another request. The server may still be
        /// logging one the client abandoned mid-way, so its log is held to "never more than was sent".
        /// </summary>
        private static async Task AssertClientSilentAsync(WireTap tap, DevServerHost server, string key)
        {
            int sent = tap.Count;
            await Task.Delay(s_quietWindow);
            Assert.Equal(sent, tap.Count);
            Assert.True(ServerLog.For(server, ServerLog.Heartbeat, key).Count <= tap.Sent.Count(r => r.Path == ServerLog.Heartbeat));
        }

        [Fact]
        public async Task SynchronousLogoutUnschedulesTheHeartbeat()
        {
            DevServerHost server = _servers[SigningMode.HmacV2];
            string key = ServerTrio.NewLicense(server);
            // An hour's interval: no beat runs during the test, so the scheduler's count is exact.
            AuthForgeClientOptions options = LiveServer.ClientOptions(server, new FailureRecorder());
            using var client = new AuthForgeClient(options);
            Assert.True(await client.LoginAsync(key));
            Assert.Equal(1, options.Scheduler.ScheduledCount);

            client.Logout();

            Assert.Equal(0, options.Scheduler.ScheduledCount);
            LoginTests.AssertLoggedOut(client);
            client.Logout(); // idempotent
        }

        [Theory]
        [InlineData(SigningMode.HmacV2)]
        [InlineData(SigningMode.Ed25519)]
        public async Task DisposeStopsTheHeartbeatAndIsIdempotent(SigningMode mode)
        {
            DevServerHost server = _servers[mode];
            string key = ServerTrio.NewLicense(server);
            var failures = new FailureRecorder();
            using var tap = new WireTap();
            using var http = tap.CreateClient();
            AuthForgeClientOptions options = LiveServer.ClientOptions(server, failures, interval: s_interval);
            options.HttpClient = http;
            var client = new AuthForgeClient(options);
            Assert.True(await client.LoginAsync(key));
            await ServerLog.WaitForAsync(server, ServerLog.Heartbeat, key, 2);

            await client.DisposeAsync();

            Assert.Equal(0, options.Scheduler.ScheduledCount);
            Assert.False(client.IsAuthenticated());
            await AssertClientSilentAsync(tap, server, key);
            client.Dispose();
            await client.DisposeAsync();
            Assert.Equal(0, failures.Count);
        }

        [Fact]
        public async Task EveryOperationAfterDisposeThrowsObjectDisposed()
        {
            DevServerHost server = _servers[SigningMode.HmacV1];
            string key = ServerTrio.NewLicense(server);
            var client = new AuthForgeClient(LiveServer.ClientOptions(server, new FailureRecorder()));
            Assert.True(await client.LoginAsync(key));
            client.Dispose();

            Assert.Throws<ObjectDisposedException>(() => client.Login(key));
            await Assert.ThrowsAsync<ObjectDisposedException>(() => client.LoginAsync(key));
            Assert.Throws<ObjectDisposedException>(() => client.ValidateLicense(key));
            await Assert.ThrowsAsync<ObjectDisposedException>(() => client.ValidateLicenseAsync(key));
            await Assert.ThrowsAsync<ObjectDisposedException>(() => client.SelfBanAsync(key));
            // Nothing reached the server after the login: disposal is checked before any request is built.
            Assert.Single(ServerLog.For(server, ServerLog.Validate, key));
            Assert.Empty(ServerLog.For(server, ServerLog.SelfBan, key));
        }

        [Fact]
        public async Task ALoginThatCompletesAfterDisposeDoesNotLeaveAHeartbeatRunning()
        {
            DevServerHost server = _servers[SigningMode.Ed25519];
            server.ClearFaults();
            string key = ServerTrio.NewLicense(server);
            // The server holds the answer long enough for the client to be disposed while the login is on the wire.
            server.AddFault(new DevFault(DevFaultKind.Delay) { DelayMs = 300, Path = ServerLog.Validate, LicenseKey = key });
            AuthForgeClientOptions options = LiveServer.ClientOptions(server, new FailureRecorder(), interval: s_interval);
            var client = new AuthForgeClient(options);

            Task<bool> login = client.LoginAsync(key);
            await ServerLog.UntilAsync(() => ServerLog.For(server, ServerLog.Validate, key).Count == 1, "the login to reach the server");
            client.Dispose();

            await Assert.ThrowsAsync<ObjectDisposedException>(() => login);
            Assert.Equal(0, options.Scheduler.ScheduledCount);
            Assert.False(client.IsAuthenticated());
        }
    }
}
