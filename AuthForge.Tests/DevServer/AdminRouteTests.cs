using System;
using System.Linq;
using System.Net;
using System.Net.Http;
using System.Net.NetworkInformation;
using System.Net.Sockets;
using System.Text;
using System.Text.Json;
using System.Threading.Tasks;
using AuthForge.DevServer;
using Xunit;

namespace AuthForge.Tests.DevServer
{
    /// <summary>The loopback-only <c>/admin/*</c> routes.</summary>
    public sealed class AdminRouteTests : IClassFixture<HmacV1Fixture>
    {
        private readonly HmacV1Fixture _server;

        public AdminRouteTests(HmacV1Fixture server)
        {
            _server = server;
        }

        [Theory]
        [InlineData("127.0.0.1", true)]
        [InlineData("127.8.9.10", true)]
        [InlineData("::1", true)]
        [InlineData("::ffff:127.0.0.1", true)]
        [InlineData("10.0.0.1", false)]
        [InlineData("192.0.2.2", false)]
        [InlineData("::ffff:10.0.0.1", false)]
        [InlineData("fd00::2", false)]
        [InlineData("0.0.0.0", false)]
        public void LoopbackCheck(string address, bool allowed)
        {
            Assert.Equal(allowed, AdminAccess.IsAllowed(IPAddress.Parse(address)));
        }

        [Fact]
        public void LoopbackCheck_RefusesAnUnknownPeer()
        {
            Assert.False(AdminAccess.IsAllowed(null));
        }

        [Fact]
        public async Task Licenses_ListsKeysCreditsRevocationHwidsAndCounts()
        {
            string key = _server.NewLicense(slots: 2);
            ApiResponse login = await _server.Api.LoginAsync(key, "hw-1");
            (await _server.Api.HeartbeatAsync(login.SessionToken, "hw-1")).AssertOk();
            _server.Host.RevokeLicense(key);

            using JsonDocument list = JsonDocument.Parse(await _server.Http.GetStringAsync("/admin/licenses"));

            JsonElement license = list.RootElement.GetProperty("licenses").EnumerateArray().Single(l => l.GetProperty("key").GetString() == key);
            Assert.Equal(999, license.GetProperty("credits").GetInt64());
            Assert.True(license.GetProperty("revoked").GetBoolean());
            Assert.Equal(["hw-1"], license.GetProperty("hwids").EnumerateArray().Select(h => h.GetString()!).ToArray());
            Assert.Equal(1, license.GetProperty("validateCount").GetInt64());
            Assert.Equal(1, license.GetProperty("heartbeatCount").GetInt64());
            Assert.Equal(2, license.GetProperty("maxHwidSlots").GetInt32());
        }

        [Fact]
        public async Task AddLicense_AddsOne_ThatWorksAtOnce()
        {
            string key = "ADDED-" + Guid.NewGuid().ToString("N")[..8];
            string json = $$$"""{"key":"{{{key}}}","credits":3,"maxHwidSlots":2,"label":"Trial","expiresAt":"2099-01-01T00:00:00Z","variables":{"plan":"trial","n":[1,2]}}""";

            using HttpResponseMessage added = await PostAsync("/admin/licenses", json);

            Assert.Equal(201, (int)added.StatusCode);
            ApiResponse login = await _server.Api.LoginAsync(key, "h");
            Assert.Equal("trial", login.PayloadJson.GetProperty("licenseVariables").GetProperty("plan").GetString());
            Assert.Equal("[1,2]", login.PayloadJson.GetProperty("licenseVariables").GetProperty("n").GetRawText());
            DevLicenseStatus status = _server.Host.GetLicense(key)!;
            Assert.Equal((2L, 2, "Trial"), (status.Credits, status.MaxHwidSlots, status.Label));
            Assert.Equal(new DateTimeOffset(2099, 1, 1, 0, 0, 0, TimeSpan.Zero), status.ExpiresAt);
        }

        [Theory]
        [InlineData("{\"credits\":3}")]
        [InlineData("{\"key\":\"X\",\"credits\":-1}")]
        [InlineData("{\"key\":\"X\",\"maxHwidSlots\":0}")]
        [InlineData("{\"key\":\"X\",\"expiresAt\":\"soon\"}")]
        [InlineData("{\"key\":\"X\",\"colour\":\"red\"}")]
        [InlineData("[]")]
        public async Task AddLicense_RefusesBadLicences(string json)
        {
            using HttpResponseMessage response = await PostAsync("/admin/licenses", json);

            Assert.Equal(400, (int)response.StatusCode);
        }

        [Fact]
        public async Task RevokeAndRestore_ChangeWhatValidateAnswers()
        {
            string key = _server.NewLicense(slots: 3);
            using (HttpResponseMessage revoked = await PostAsync($"/admin/licenses/{key}/revoke", ""))
            {
                Assert.Equal(200, (int)revoked.StatusCode);
            }

            (await _server.Api.ValidateAsync(key, "h")).AssertError(403, "revoked");

            using (HttpResponseMessage restored = await PostAsync($"/admin/licenses/{key}/restore", ""))
            {
                Assert.Equal(200, (int)restored.StatusCode);
            }

            (await _server.Api.ValidateAsync(key, "h")).AssertOk();
            using HttpResponseMessage unknown = await PostAsync("/admin/licenses/NOPE/revoke", "");
            Assert.Equal(404, (int)unknown.StatusCode);
        }

        [Fact]
        public async Task ExpireSessions_EndsEveryExistingSession()
        {
            string key = _server.NewLicense(slots: 2);
            ApiResponse a = await _server.Api.LoginAsync(key, "a");
            ApiResponse b = await _server.Api.LoginAsync(key, "b");

            using (HttpResponseMessage expired = await PostAsync("/admin/sessions/expire", ""))
            {
                Assert.Equal(200, (int)expired.StatusCode);
            }

            (await _server.Api.HeartbeatAsync(a.SessionToken, "a")).AssertError(401, "session_expired");
            (await _server.Api.HeartbeatAsync(b.SessionToken, "b")).AssertError(401, "session_expired");
        }

        [Fact]
        public async Task DisableAndEnable_ToggleTheApp()
        {
            string key = _server.NewLicense();
            using (HttpResponseMessage disabled = await PostAsync("/admin/app/disable", ""))
            {
                Assert.Equal(200, (int)disabled.StatusCode);
            }

            try
            {
                (await _server.Api.ValidateAsync(key, "h")).AssertError(403, "app_disabled");
            }
            finally
            {
                using HttpResponseMessage enabled = await PostAsync("/admin/app/enable", "");
                Assert.Equal(200, (int)enabled.StatusCode);
            }

            (await _server.Api.ValidateAsync(key, "h")).AssertOk();
        }

        [Fact]
        public async Task RotateKey_IsRefusedInHmacModes()
        {
            using HttpResponseMessage response = await PostAsync("/admin/keys/rotate", "");

            Assert.Equal(409, (int)response.StatusCode);
            Assert.Throws<InvalidOperationException>(() => _server.Host.RotateSigningKey());
            Assert.Equal(string.Empty, _server.Host.PublicKeyBase64);
        }

        [Fact]
        public async Task Requests_ShowEachRetryWithAFreshNonce_AndCanBeCleared()
        {
            string key = _server.NewLicense();
            _server.Host.AddFault(new DevFault(DevFaultKind.RateLimit) { Path = "/auth/validate" });
            ApiResponse first = await _server.Api.ValidateAsync(key, "retry-hwid");
            ApiResponse second = await _server.Api.ValidateAsync(key, "retry-hwid");

            using JsonDocument list = JsonDocument.Parse(await _server.Http.GetStringAsync("/admin/requests"));

            JsonElement[] mine = list.RootElement.GetProperty("requests").EnumerateArray()
                .Where(r => r.GetProperty("hwid").GetString() == "retry-hwid").ToArray();
            Assert.Equal(2, mine.Length);
            Assert.Equal([first.SentNonce!, second.SentNonce!], mine.Select(r => r.GetProperty("nonce").GetString()!).ToArray());
            Assert.NotEqual(first.SentNonce, second.SentNonce);
            Assert.Equal((429, "rate_limited", "rate_limit"), (mine[0].GetProperty("status").GetInt32(), mine[0].GetProperty("error").GetString(), mine[0].GetProperty("fault").GetString()));
            Assert.Equal(200, mine[1].GetProperty("status").GetInt32());
            Assert.Equal(key, mine[1].GetProperty("licenseKey").GetString());
            Assert.Equal("/auth/validate", mine[1].GetProperty("path").GetString());
            Assert.True(DateTimeOffset.TryParse(mine[1].GetProperty("time").GetString(), out _));

            using (HttpResponseMessage cleared = await _server.Http.DeleteAsync("/admin/requests"))
            {
                Assert.Equal(200, (int)cleared.StatusCode);
            }

            Assert.Empty(_server.Host.Requests);
        }

        [Fact]
        public async Task AdminRoutes_From_A_NonLoopbackAddress_Are404()
        {
            // End to end needs a second, non-loopback address on this machine; the unit tests above cover the rule
            // where there is none.
            IPAddress? external = NetworkInterface.GetAllNetworkInterfaces()
                .Where(n => n.OperationalStatus == OperationalStatus.Up)
                .SelectMany(n => n.GetIPProperties().UnicastAddresses)
                .Select(a => a.Address)
                .FirstOrDefault(a => a.AddressFamily == AddressFamily.InterNetwork && !IPAddress.IsLoopback(a));
            if (external is null)
            {
                return;
            }

            await using DevServerHost host = await DevServerHost.StartAsync(new DevServerOptions
            {
                Urls = "http://0.0.0.0:0",
                Mode = SigningMode.HmacV1,
                Licenses = { new DevLicense("EXT") },
            });
            int port = new Uri(host.BaseUrl).Port;
            using var remote = new HttpClient { BaseAddress = new Uri($"http://{external}:{port}"), Timeout = TimeSpan.FromSeconds(10) };
            using var local = new HttpClient { BaseAddress = new Uri(host.BaseUrl), Timeout = TimeSpan.FromSeconds(10) };

            using (HttpResponseMessage refused = await remote.GetAsync("/admin/licenses"))
            using (HttpResponseMessage missing = await remote.GetAsync("/admin/no-such-route"))
            {
                // Exactly what a route that does not exist answers: nothing tells a stranger admin routes are there.
                Assert.Equal(404, (int)refused.StatusCode);
                Assert.Equal("""{"status":"error","error":"not_found"}""", await refused.Content.ReadAsStringAsync());
                Assert.Equal(await missing.Content.ReadAsStringAsync(), await refused.Content.ReadAsStringAsync());
            }

            using (var content = new StringContent("", Encoding.UTF8))
            using (HttpResponseMessage refused = await remote.PostAsync("/admin/app/disable", content))
            {
                Assert.Equal(404, (int)refused.StatusCode);
            }

            Assert.True(host.AppEnabled);
            (await new AuthApi(remote, host).ValidateAsync("EXT", "h")).AssertOk();
            using HttpResponseMessage allowed = await local.GetAsync("/admin/licenses");
            Assert.Equal(200, (int)allowed.StatusCode);
        }

        private async Task<HttpResponseMessage> PostAsync(string path, string json)
        {
            using var content = new StringContent(json, Encoding.UTF8, "application/json");
            return await _server.Http.PostAsync(path, content);
        }
    }
}
