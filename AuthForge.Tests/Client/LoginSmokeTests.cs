using System;
using System.Threading.Tasks;
using AuthForge.DevServer;
using AuthForge.Tests.Support;
using Xunit;

namespace AuthForge.Tests.Client
{
    /// <summary>The client against a real DevServer in each protocol generation: the end-to-end happy path and revocation.</summary>
    public sealed class LoginSmokeTests
    {
        [Theory]
        [InlineData(SigningMode.HmacV1)]
        [InlineData(SigningMode.HmacV2)]
        [InlineData(SigningMode.Ed25519)]
        public async Task LogsInHeartbeatsAndLearnsOfRevocationWithinOneInterval(SigningMode mode)
        {
            await using DevServerHost server = await LiveServer.StartAsync(mode);
            var failures = new FailureRecorder();
            AuthForgeClientOptions options = LiveServer.ClientOptions(server, failures, interval: TimeSpan.FromMilliseconds(50));
            using var client = new AuthForgeClient(options);

            Assert.True(await client.LoginAsync(LiveServer.LicenseKey));
            Assert.True(client.IsAuthenticated());
            Assert.Equal(0, failures.Count);

            server.RevokeLicense(LiveServer.LicenseKey);
            Failure failure = await failures.NextAsync();

            Assert.Equal(AuthForgeFailureReason.HeartbeatFailed, failure.Reason);
            Assert.Equal(AuthForgeErrorCodes.Revoked, failure.Code);
            Assert.False(client.IsAuthenticated());
            Assert.Equal(0, options.Scheduler.ScheduledCount);
        }
    }
}
