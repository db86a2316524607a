using System;
using System.Linq;
using System.Threading.Tasks;
using AuthForge.DevServer;
using AuthForge.Tests.Support;
using Xunit;

namespace AuthForge.Tests.Client
{
    /// <summary>
    /// <c>Login</c> while logged in: with the same key (trimmed, case-insensitive) it returns true at
    /// once and asks nothing of the server, the heartbeat already keeping the session alive; with another key it
    /// throws, reports nothing to the failure callback, and the session stays.
    /// </summary>
    public sealed class LoginAgainTests : IClassFixture<ServerTrio>
    {
        private readonly ServerTrio _servers;

        public LoginAgainTests(ServerTrio servers) => _servers = servers;

        [Fact]
        public async Task TheSameKeyAgainReturnsTrueWithoutAskingTheServer()
        {
            DevServerHost server = _servers[SigningMode.Ed25519];
            string key = ServerTrio.NewLicense(server);
            var failures = new FailureRecorder();
            // An hour's interval: no heartbeat runs during the test, so every request counted is a login's.
            using var client = new AuthForgeClient(LiveServer.ClientOptions(server, failures));
            Assert.True(await client.LoginAsync(key));
            string token = (string)client.GetSessionData()!["sessionToken"]!;
            int requests = server.Requests.Count(r => r.LicenseKey == key);

            Assert.True(client.Login(key));
            Assert.True(client.Login(" " + key.ToLowerInvariant() + " "));
            Assert.True(await client.LoginAsync(key.ToLowerInvariant()));

            Assert.Equal(1, server.GetLicense(key)!.ValidateCount);
            Assert.Equal(requests, server.Requests.Count(r => r.LicenseKey == key));
            Assert.Equal(token, client.GetSessionData()!["sessionToken"]);
            Assert.Equal(0, failures.Count);
        }

        [Fact]
        public async Task AnotherKeyThrowsReportsNothingAndKeepsTheSession()
        {
            DevServerHost server = _servers[SigningMode.Ed25519];
            string mine = ServerTrio.NewLicense(server);
            string other = ServerTrio.NewLicense(server);
            var failures = new FailureRecorder();
            using var client = new AuthForgeClient(LiveServer.ClientOptions(server, failures));
            Assert.True(await client.LoginAsync(mine));
            string token = (string)client.GetSessionData()!["sessionToken"]!;

            InvalidOperationException sync = Assert.Throws<InvalidOperationException>(() => client.Login(other));
            InvalidOperationException async = await Assert.ThrowsAsync<InvalidOperationException>(() => client.LoginAsync(other));

            foreach (InvalidOperationException error in new[] { sync, async })
            {
                Assert.Contains("another licence key; call Logout first", error.Message);
                Assert.DoesNotContain(mine, error.Message, StringComparison.OrdinalIgnoreCase);
                Assert.DoesNotContain(other, error.Message, StringComparison.OrdinalIgnoreCase);
            }
            Assert.Equal(0, failures.Count);
            Assert.True(client.IsAuthenticated());
            Assert.Equal(token, client.GetSessionData()!["sessionToken"]);
            Assert.Equal(0, server.GetLicense(other)!.ValidateCount);
            Assert.Equal(1, server.GetLicense(mine)!.ValidateCount);

            client.Logout();
            Assert.True(await client.LoginAsync(other));
        }
    }
}
