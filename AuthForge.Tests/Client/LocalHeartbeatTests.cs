using System;
using System.Threading.Tasks;
using AuthForge.DevServer;
using AuthForge.Tests.Support;
using Xunit;

namespace AuthForge.Tests.Client
{
    /// <summary>
    /// LOCAL mode: no network while the session lasts, one re-validation when it runs out, and expiry judged by elapsed
    /// (monotonic) time, so rolling the wall clock back never buys time. The client's clock is injected; nothing waits
    /// for real hours to pass.
    /// </summary>
    public sealed class LocalHeartbeatTests : IClassFixture<ServerTrio>
    {
        // The shortest session the server grants: the client asks for it so the arithmetic below is exact.
        private const int SessionSeconds = 3600;
        private static readonly TimeSpan s_interval = TimeSpan.FromMilliseconds(20);

        private readonly ServerTrio _servers;

        public LocalHeartbeatTests(ServerTrio servers) => _servers = servers;

        [Theory]
        [InlineData(SigningMode.HmacV1)]
        [InlineData(SigningMode.HmacV2)]
        [InlineData(SigningMode.Ed25519)]
        public async Task NoRequestUntilExpiryThenExactlyOneRevalidation(SigningMode mode)
        {
            DevServerHost server = _servers[mode];
            string key = ServerTrio.NewLicense(server);
            var clock = new ManualClock();
            var failures = new FailureRecorder();
            using var client = new AuthForgeClient(LocalOptions(server, failures, clock));
            Assert.True(await client.LoginAsync(key));
            string firstToken = (string)client.GetSessionData()!["sessionToken"]!;

            // Local heartbeats run every 20 ms; with the session nearly over they must still make no request.
            clock.Advance(TimeSpan.FromSeconds(SessionSeconds - 5));
            await ServerLog.AssertQuietAsync(server, ServerLog.Validate, key, TimeSpan.FromMilliseconds(120));
            Assert.Single(ServerLog.For(server, ServerLog.Validate, key));
            Assert.Empty(ServerLog.For(server, ServerLog.Heartbeat, key));
            Assert.True(client.IsAuthenticated());

            clock.Advance(TimeSpan.FromSeconds(10));
            await ServerLog.WaitForAsync(server, ServerLog.Validate, key, 2);
            await ServerLog.UntilAsync(() => (string?)client.GetSessionData()?["sessionToken"] != firstToken, "the re-validated session");

            Assert.True(client.IsAuthenticated());
            Assert.Equal(0, failures.Count);
            // The renewed session runs from now, so the next heartbeats are local again: exactly one re-validation.
            await ServerLog.AssertQuietAsync(server, ServerLog.Validate, key, TimeSpan.FromMilliseconds(120));
            Assert.Equal(2, ServerLog.For(server, ServerLog.Validate, key).Count);
            Assert.Empty(ServerLog.For(server, ServerLog.Heartbeat, key));
        }

        [Fact]
        public async Task ARevokedLicenceAtRevalidationIsAHeartbeatFailure()
        {
            DevServerHost server = _servers[SigningMode.Ed25519];
            string key = ServerTrio.NewLicense(server);
            var clock = new ManualClock();
            var failures = new FailureRecorder();
            AuthForgeClientOptions options = LocalOptions(server, failures, clock);
            using var client = new AuthForgeClient(options);
            Assert.True(await client.LoginAsync(key));

            // Revoked while the session runs: a LOCAL client can't know until it next asks the server.
            server.RevokeLicense(key);
            await ServerLog.AssertQuietAsync(server, ServerLog.Validate, key, TimeSpan.FromMilliseconds(60));
            Assert.True(client.IsAuthenticated());
            clock.Advance(TimeSpan.FromSeconds(SessionSeconds + 1));

            Failure failure = await failures.NextAsync();
            Assert.Equal(AuthForgeFailureReason.HeartbeatFailed, failure.Reason);
            Assert.Equal(AuthForgeErrorCodes.Revoked, failure.Code);
            LoginTests.AssertLoggedOut(client);
            Assert.Equal(0, options.Scheduler.ScheduledCount);
            Assert.Equal(2, ServerLog.For(server, ServerLog.Validate, key).Count);
        }

        [Fact]
        public async Task RollingTheWallClockBackAfterLoginNeverExtendsTheSession()
        {
            DevServerHost server = _servers[SigningMode.HmacV2];
            string key = ServerTrio.NewLicense(server);
            var clock = new ManualClock();
            // No heartbeat runs during the test: IsAuthenticated alone shows how the client judges expiry.
            using var client = new AuthForgeClient(LocalOptions(server, new FailureRecorder(), clock, TimeSpan.FromHours(2)));
            Assert.True(await client.LoginAsync(key));

            clock.SetWallClock(clock.UtcNow.AddDays(-5));
            clock.Advance(TimeSpan.FromSeconds(SessionSeconds - 2));
            Assert.True(client.IsAuthenticated());

            clock.SetWallClock(clock.UtcNow.AddDays(-30));
            clock.Advance(TimeSpan.FromSeconds(3));
            Assert.False(client.IsAuthenticated());
        }

        [Fact]
        public async Task AWallClockBehindTheServerAtLoginDoesNotLengthenTheSession()
        {
            DevServerHost server = _servers[SigningMode.Ed25519];
            string key = ServerTrio.NewLicense(server);
            // The user set the machine's clock back three days before starting the app. A client computing the
            // session's length as "expiresIn - local now" would grant three extra days.
            var clock = new ManualClock(DateTimeOffset.UtcNow.AddDays(-3));
            using var client = new AuthForgeClient(LocalOptions(server, new FailureRecorder(), clock, TimeSpan.FromHours(2)));
            Assert.True(await client.LoginAsync(key));

            clock.Advance(TimeSpan.FromSeconds(SessionSeconds - 2));
            Assert.True(client.IsAuthenticated());
            clock.Advance(TimeSpan.FromSeconds(3));
            Assert.False(client.IsAuthenticated());
        }

        private static AuthForgeClientOptions LocalOptions(DevServerHost server, FailureRecorder failures, ManualClock clock,
            TimeSpan? interval = null)
        {
            AuthForgeClientOptions options = LiveServer.ClientOptions(server, failures, HeartbeatMode.Local, interval ?? s_interval);
            options.Clock = clock;
            options.TtlSeconds = SessionSeconds;
            return options;
        }
    }
}
