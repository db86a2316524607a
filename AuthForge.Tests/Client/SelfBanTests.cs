using System;
using System.Net.Http;
using System.Threading.Tasks;
using AuthForge.DevServer;
using AuthForge.Tests.Support;
using Xunit;

namespace AuthForge.Tests.Client
{
    /// <summary>
    /// SelfBan's two wire forms and what the server does with each. A ban changes the whole server (its blacklist),
    /// so every test starts its own.
    /// </summary>
    public sealed class SelfBanTests
    {
        [Fact]
        public async Task LogsOutEvenWhenHeartbeatsRenewedTheSessionWhileTheBanWasInFlight()
        {
            await using DevServerHost server = await LiveServer.StartAsync(SigningMode.Ed25519);
            var failures = new FailureRecorder();
            using var handler = new RecordingHandler();
            using HttpClient http = handler.CreateClient();
            AuthForgeClientOptions options = LiveServer.ClientOptions(server, failures, interval: TimeSpan.FromMilliseconds(20));
            options.HttpClient = http;
            using var client = new AuthForgeClient(options);
            Assert.True(await client.LoginAsync(LiveServer.LicenseKey));
            // The ban is held on its way out until a heartbeat has renewed the session: a signal, not a wait, so the
            // session is renewed while the ban is in flight however slow the machine.
            string? atBan = null;
            handler.BeforeSendRequest = async (request, cancellationToken) =>
            {
                if (request.RequestUri!.AbsolutePath != ServerLog.SelfBan) return;
                atBan = (string?)client.GetSessionData()?["nonce"];
                Assert.NotNull(atBan);
                await ServerLog.UntilAsync(() => (string?)client.GetSessionData()?["nonce"] is { } now && now != atBan,
                    "a heartbeat to renew the session while the ban is held");
            };

            await client.SelfBanAsync(blacklistIp: false);

            Assert.NotNull(atBan);
            Assert.Contains(server.Requests, r => r.Path == ServerLog.Heartbeat && r.StatusCode == 200 && r.Nonce != atBan);
            LoginTests.AssertLoggedOut(client);
            Assert.Equal(0, options.Scheduler.ScheduledCount);
            Assert.Equal(0, failures.Count);
        }

        [Fact]
        public async Task WithASessionItSendsTheTokenRevokesBansAndLogsOut()
        {
            await using DevServerHost server = await LiveServer.StartAsync(SigningMode.Ed25519);
            using var tap = new WireTap();
            using var http = tap.CreateClient();
            var failures = new FailureRecorder();
            AuthForgeClientOptions options = LiveServer.ClientOptions(server, failures, interval: TimeSpan.FromMilliseconds(50));
            options.HttpClient = http;
            using var client = new AuthForgeClient(options);
            Assert.True(await client.LoginAsync(LiveServer.LicenseKey));
            string token = (string)client.GetSessionData()!["sessionToken"]!;

            await client.SelfBanAsync(blacklistIp: false);

            SentRequest sent = Assert.Single(tap.Sent, r => r.Path == ServerLog.SelfBan);
            Assert.Equal(token, sent.Json.GetProperty("sessionToken").GetString());
            Assert.Equal(server.AppId, sent.Json.GetProperty("appId").GetString());
            Assert.Equal("test-hwid", sent.Json.GetProperty("hwid").GetString());
            // The session proves who is asking: the app secret and licence key stay off the wire.
            Assert.False(sent.Has("appSecret"));
            Assert.False(sent.Has("licenseKey"));
            Assert.True(sent.Json.GetProperty("revokeLicense").GetBoolean());
            Assert.True(sent.Json.GetProperty("blacklistHwid").GetBoolean());
            Assert.False(sent.Json.GetProperty("blacklistIp").GetBoolean());

            Assert.True(server.GetLicense(LiveServer.LicenseKey)!.Revoked);
            Assert.Equal(new[] { "test-hwid" }, server.GetBlacklistedHwids());
            Assert.Empty(server.GetBlacklistedAddresses());
            LoginTests.AssertLoggedOut(client);
            Assert.Equal(0, options.Scheduler.ScheduledCount);
            // Logging out after a ban is the client's own doing: nothing to report.
            Assert.Equal(0, failures.Count);
        }

        [Fact]
        public async Task WithASessionAndRevokeOffTheLicenceSurvives()
        {
            await using DevServerHost server = await LiveServer.StartAsync(SigningMode.Ed25519);
            using var client = new AuthForgeClient(LiveServer.ClientOptions(server, new FailureRecorder()));
            Assert.True(await client.LoginAsync(LiveServer.LicenseKey));

            client.SelfBan(revokeLicense: false, blacklistHwid: true, blacklistIp: true);

            Assert.False(server.GetLicense(LiveServer.LicenseKey)!.Revoked);
            Assert.Contains("test-hwid", server.GetBlacklistedHwids());
            Assert.Contains("127.0.0.1", server.GetBlacklistedAddresses());
            Assert.False(client.IsAuthenticated());
        }

        [Fact]
        public async Task WithoutASessionItSendsCredentialsAndNeverAsksToRevoke()
        {
            await using DevServerHost server = await LiveServer.StartAsync(SigningMode.Ed25519);
            using var tap = new WireTap();
            using var http = tap.CreateClient();
            AuthForgeClientOptions options = LiveServer.ClientOptions(server, new FailureRecorder());
            options.HttpClient = http;
            using var client = new AuthForgeClient(options);

            // Asked to revoke, which this form can't do: the client must send false (the server would refuse true).
            await client.SelfBanAsync(licenseKey: LiveServer.LicenseKey, revokeLicense: true, blacklistIp: false);

            SentRequest sent = Assert.Single(tap.Sent);
            Assert.Equal(ServerLog.SelfBan, sent.Path);
            Assert.Equal(server.AppSecret, sent.Json.GetProperty("appSecret").GetString());
            Assert.Equal(LiveServer.LicenseKey, sent.Json.GetProperty("licenseKey").GetString());
            Assert.Equal(32, sent.Json.GetProperty("nonce").GetString()!.Length);
            Assert.False(sent.Json.GetProperty("revokeLicense").GetBoolean());
            Assert.False(sent.Has("sessionToken"));

            Assert.False(server.GetLicense(LiveServer.LicenseKey)!.Revoked);
            Assert.Equal(new[] { "test-hwid" }, server.GetBlacklistedHwids());
            DevRequestRecord logged = Assert.Single(server.Requests);
            Assert.Equal(200, logged.StatusCode);
        }

        [Fact]
        public async Task AfterTheServerEndedTheSessionTheLastLoginsKeyIsUsed()
        {
            await using DevServerHost server = await LiveServer.StartAsync(SigningMode.Ed25519);
            using var tap = new WireTap();
            using var http = tap.CreateClient();
            var failures = new FailureRecorder();
            AuthForgeClientOptions options = LiveServer.ClientOptions(server, failures, interval: TimeSpan.FromMilliseconds(25));
            options.HttpClient = http;
            using var client = new AuthForgeClient(options);
            Assert.True(await client.LoginAsync(LiveServer.LicenseKey));
            server.RevokeLicense(LiveServer.LicenseKey);
            Assert.Equal(AuthForgeErrorCodes.Revoked, (await failures.NextAsync()).Code);

            // The app reacts to the revocation by banning itself; its session is gone, its licence key is not.
            await client.SelfBanAsync(blacklistIp: false);

            SentRequest sent = Assert.Single(tap.Sent, r => r.Path == ServerLog.SelfBan);
            Assert.Equal(LiveServer.LicenseKey, sent.Json.GetProperty("licenseKey").GetString());
            Assert.False(sent.Has("sessionToken"));
            Assert.False(sent.Json.GetProperty("revokeLicense").GetBoolean());
            Assert.Equal(new[] { "test-hwid" }, server.GetBlacklistedHwids());
        }

        [Fact]
        public void WithNeitherSessionNorKeyItIsAnArgumentError()
        {
            // No server: the check must come before any request.
            var options = new AuthForgeClientOptions { AppId = "a", AppSecret = "s", ApiBaseUrl = "http://127.0.0.1:1", HwidOverride = "h" };
            using var client = new AuthForgeClient(options);

            ArgumentException error = Assert.ThrowsAny<ArgumentException>(() => client.SelfBan());
            Assert.Equal("licenseKey", error.ParamName);
            Assert.Equal("licenseKey", Assert.ThrowsAny<ArgumentException>(() => client.SelfBan(licenseKey: "")).ParamName);
        }

        [Fact]
        public async Task ARefusedSelfBanThrowsTheServersCode()
        {
            await using DevServerHost server = await LiveServer.StartAsync(SigningMode.HmacV1);
            AuthForgeClientOptions options = LiveServer.ClientOptions(server, new FailureRecorder());
            options.AppSecret = "wrong-secret";
            using var client = new AuthForgeClient(options);

            AuthForgeException error = await Assert.ThrowsAsync<AuthForgeException>(() => client.SelfBanAsync(licenseKey: LiveServer.LicenseKey));

            Assert.Equal(AuthForgeErrorCodes.InvalidApp, error.Code);
            Assert.Empty(server.GetBlacklistedHwids());
        }

        [Fact]
        public async Task SelfBanWithAnEqualCopyOfTheCurrentTokenLogsOut()
        {
            await using DevServerHost server = await LiveServer.StartAsync(SigningMode.Ed25519);
            var failures = new FailureRecorder();
            AuthForgeClientOptions options = LiveServer.ClientOptions(server, failures);
            using var client = new AuthForgeClient(options);
            Assert.True(await client.LoginAsync(LiveServer.LicenseKey));
            string token = (string)client.GetSessionData()!["sessionToken"]!;
            string copy = new string(token.ToCharArray());
            Assert.False(ReferenceEquals(token, copy));

            await client.SelfBanAsync(sessionToken: copy, blacklistIp: false);

            Assert.True(server.GetLicense(LiveServer.LicenseKey)!.Revoked);
            LoginTests.AssertLoggedOut(client);
            Assert.Equal(0, options.Scheduler.ScheduledCount);
            Assert.Equal(0, failures.Count);
        }
    }
}
