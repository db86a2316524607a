using System;
using System.Collections.Generic;
using System.Linq;
using System.Threading.Tasks;
using AuthForge.DevServer;
using AuthForge.Tests.Support;
using Xunit;

namespace AuthForge.Tests.Client
{
    /// <summary>SERVER mode: heartbeats renew the session over real HTTP, and a refusal ends it once and for good.</summary>
    public sealed class ServerHeartbeatTests : IClassFixture<ServerTrio>
    {
        private static readonly TimeSpan s_interval = TimeSpan.FromMilliseconds(25);

        private readonly ServerTrio _servers;

        public ServerHeartbeatTests(ServerTrio servers) => _servers = servers;

        // Success in v1 shows heartbeat answers were verified with the app secret; in v2 the DevServer signs them with
        // the session token's sigKey, which an app-secret verifier would reject; in v3 with the server's Ed25519 key.
        [Theory]
        [InlineData(SigningMode.HmacV1)]
        [InlineData(SigningMode.HmacV2)]
        [InlineData(SigningMode.Ed25519)]
        public async Task HeartbeatsRenewTheStoredSession(SigningMode mode)
        {
            DevServerHost server = _servers[mode];
            string key = ServerTrio.NewLicense(server);
            var failures = new FailureRecorder();
            using var client = new AuthForgeClient(LiveServer.ClientOptions(server, failures, interval: s_interval));
            Assert.True(await client.LoginAsync(key));
            // From the server's log, not the client's session: with a 25 ms interval the first heartbeat may already
            // have renewed the session by the time the test reads it on a loaded machine.
            string loginNonce = Assert.Single(ServerLog.For(server, ServerLog.Validate, key)).Nonce!;

            IReadOnlyList<DevRequestRecord> beats = await ServerLog.WaitForAsync(server, ServerLog.Heartbeat, key, 3);
            // The answer is verified before it is stored: wait until the client has stored one of them.
            await ServerLog.UntilAsync(() => (string?)client.GetSessionData()?["nonce"] != loginNonce, "a renewed session");

            Assert.Equal(0, failures.Count);
            Assert.True(client.IsAuthenticated());
            Assert.All(beats, b => Assert.Equal(200, b.StatusCode));
            Assert.Equal(beats.Count, beats.Select(b => b.Nonce).Distinct().Count());
            Assert.DoesNotContain(loginNonce, beats.Select(b => b.Nonce));
            string stored = (string)client.GetSessionData()!["nonce"]!;
            Assert.Contains(stored, ServerLog.For(server, ServerLog.Heartbeat, key).Select(b => b.Nonce));
            Assert.Equal("test-hwid", beats[0].Hwid);
            Assert.True(server.GetLicense(key)!.HeartbeatCount >= 3);
        }

        [Theory]
        [InlineData(SigningMode.HmacV1)]
        [InlineData(SigningMode.HmacV2)]
        [InlineData(SigningMode.Ed25519)]
        public async Task RevocationEndsTheSessionAtTheNextHeartbeatAndStopsHeartbeats(SigningMode mode)
        {
            DevServerHost server = _servers[mode];
            string key = ServerTrio.NewLicense(server);
            var failures = new FailureRecorder();
            AuthForgeClientOptions options = LiveServer.ClientOptions(server, failures, interval: s_interval);
            using var client = new AuthForgeClient(options);
            Assert.True(await client.LoginAsync(key));
            await ServerLog.WaitForAsync(server, ServerLog.Heartbeat, key, 1);

            server.RevokeLicense(key);
            Failure failure = await failures.NextAsync();

            Assert.Equal(AuthForgeFailureReason.HeartbeatFailed, failure.Reason);
            Assert.Equal(AuthForgeErrorCodes.Revoked, failure.Code);
            LoginTests.AssertLoggedOut(client);
            Assert.Equal(0, options.Scheduler.ScheduledCount);
            // "Within one interval": the first heartbeat the server refused is the one that reported, and none followed
            // it. (How many were answered before the revocation is the machine's timing, not the client's.)
            IReadOnlyList<DevRequestRecord> beats = ServerLog.For(server, ServerLog.Heartbeat, key);
            Assert.Single(beats, b => b.Error == AuthForgeErrorCodes.Revoked);
            Assert.Equal(AuthForgeErrorCodes.Revoked, beats.Last().Error);
            Assert.All(beats.Take(beats.Count - 1), b => Assert.Equal(200, b.StatusCode));

            await ServerLog.AssertQuietAsync(server, ServerLog.Heartbeat, key, TimeSpan.FromMilliseconds(150));
            Assert.Equal(1, failures.Count);
        }

        [Theory]
        [InlineData(DevFaultKind.RateLimit)]
        [InlineData(DevFaultKind.Drop)]
        public async Task ATransientHeartbeatFailureIsRetriedNotReported(DevFaultKind fault)
        {
            DevServerHost server = _servers[SigningMode.Ed25519];
            server.ClearFaults();
            string key = ServerTrio.NewLicense(server);
            var failures = new FailureRecorder();
            // Queued before the login, for this licence's heartbeats: the session's first heartbeat meets it, however
            // many beats a slow test thread would otherwise let pass before queueing it.
            server.AddFault(fault, 1, ServerLog.Heartbeat, licenseKey: key);
            using var client = new AuthForgeClient(LiveServer.ClientOptions(server, failures, interval: s_interval));
            Assert.True(await client.LoginAsync(key));

            // The faulted beat, its retry, and one more regular beat after it.
            IReadOnlyList<DevRequestRecord> beats = await ServerLog.WaitForAsync(server, ServerLog.Heartbeat, key, 3);

            int faulted = beats.Select((b, i) => (b, i)).Single(x => x.b.Fault != null).i;
            Assert.True(faulted + 1 < beats.Count);
            Assert.Equal(200, beats[faulted + 1].StatusCode);
            Assert.NotEqual(beats[faulted].Nonce, beats[faulted + 1].Nonce);
            Assert.Equal(0, failures.Count);
            Assert.True(client.IsAuthenticated());
        }

        [Fact]
        public async Task ALoginAfterLogoutReplacesTheSessionAndItsHeartbeat()
        {
            DevServerHost server = _servers[SigningMode.HmacV2];
            string key = ServerTrio.NewLicense(server);
            // An hour's interval: no beat runs during the test, so the scheduler's count is exact (a running beat is
            // out of the queue while it runs).
            AuthForgeClientOptions options = LiveServer.ClientOptions(server, new FailureRecorder());
            using var client = new AuthForgeClient(options);
            Assert.True(await client.LoginAsync(key));
            string first = (string)client.GetSessionData()!["sessionToken"]!;

            client.Logout();
            Assert.True(await client.LoginAsync(key));

            Assert.NotEqual(first, client.GetSessionData()!["sessionToken"]);
            // One session, one heartbeat: the first session's registration was removed, not left running beside it.
            Assert.Equal(1, options.Scheduler.ScheduledCount);
        }

        [Fact]
        public async Task ALicenceOutOfCreditsEndsTheSessionOnItsTenthHeartbeat()
        {
            DevServerHost server = _servers[SigningMode.HmacV1];
            // One credit: spent by the validate, so the tenth heartbeat (which costs one) is refused.
            string key = ServerTrio.NewLicense(server, credits: 1);
            var failures = new FailureRecorder();
            using var client = new AuthForgeClient(LiveServer.ClientOptions(server, failures, interval: TimeSpan.FromMilliseconds(10)));
            Assert.True(await client.LoginAsync(key));

            Failure failure = await failures.NextAsync();

            Assert.Equal(AuthForgeErrorCodes.NoCredits, failure.Code);
            IReadOnlyList<DevRequestRecord> beats = ServerLog.For(server, ServerLog.Heartbeat, key);
            Assert.Equal(10, beats.Count);
            Assert.Equal(AuthForgeErrorCodes.NoCredits, beats[9].Error);
        }

        [Fact]
        public async Task AHeartbeatFailureWithoutACallbackEndsTheProcess()
        {
            DevServerHost server = _servers[SigningMode.Ed25519];
            string key = ServerTrio.NewLicense(server);
            var exited = new TaskCompletionSource<int>(TaskCreationOptions.RunContinuationsAsynchronously);
            AuthForgeClientOptions options = LiveServer.ClientOptions(server, failures: null, interval: s_interval);
            options.Exit = code => exited.TrySetResult(code);
            using var client = new AuthForgeClient(options);
            Assert.True(await client.LoginAsync(key));

            server.RevokeLicense(key);

            Assert.Equal(1, await exited.Task.WaitAsync(TimeSpan.FromSeconds(10)));
            Assert.False(client.IsAuthenticated());
        }

        [Fact]
        public async Task AHeartbeatFailureWhoseCallbackThrowsEndsTheProcess()
        {
            DevServerHost server = _servers[SigningMode.HmacV2];
            string key = ServerTrio.NewLicense(server);
            var exited = new TaskCompletionSource<int>(TaskCreationOptions.RunContinuationsAsynchronously);
            int called = 0;
            AuthForgeClientOptions options = LiveServer.ClientOptions(server, failures: null, interval: s_interval);
            options.OnFailure = (reason, ex) =>
            {
                System.Threading.Interlocked.Increment(ref called);
                throw new InvalidOperationException("the app's handler is broken");
            };
            options.Exit = code => exited.TrySetResult(code);
            using var client = new AuthForgeClient(options);
            Assert.True(await client.LoginAsync(key));

            server.RevokeLicense(key);

            Assert.Equal(1, await exited.Task.WaitAsync(TimeSpan.FromSeconds(10)));
            Assert.Equal(1, System.Threading.Volatile.Read(ref called));
        }
    }
}
