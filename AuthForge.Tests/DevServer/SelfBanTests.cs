using System;
using System.Collections.Generic;
using System.Threading.Tasks;
using Xunit;

namespace AuthForge.Tests.DevServer
{
    /// <summary>
    /// <c>/auth/selfban</c> in both forms. Every test client is 127.0.0.1, so IP bans would block the whole class:
    /// each test lifts the bans it made.
    /// </summary>
    public sealed class SelfBanTests : IClassFixture<HmacV1Fixture>, IDisposable
    {
        private readonly HmacV1Fixture _server;

        public SelfBanTests(HmacV1Fixture server)
        {
            _server = server;
        }

        public void Dispose() => _server.Host.ClearBlacklist();

        private Task<ApiResponse> SelfBanWithSessionAsync(string token, string hwid, bool? revoke = null, bool? banHwid = null, bool? banIp = null)
        {
            var body = new Dictionary<string, object?> { ["appId"] = _server.Host.AppId, ["sessionToken"] = token, ["hwid"] = hwid };
            AddFlags(body, revoke, banHwid, banIp);
            return _server.Api.PostAsync("/auth/selfban", body);
        }

        private Task<ApiResponse> SelfBanWithoutSessionAsync(string key, string hwid, bool? revoke, bool? banHwid, bool? banIp, string? nonce = null)
        {
            var body = new Dictionary<string, object?>
            {
                ["appId"] = _server.Host.AppId, ["appSecret"] = _server.Host.AppSecret, ["licenseKey"] = key, ["hwid"] = hwid, ["nonce"] = nonce ?? AuthApi.NewNonce(),
            };
            AddFlags(body, revoke, banHwid, banIp);
            return _server.Api.PostAsync("/auth/selfban", body);
        }

        private static void AddFlags(Dictionary<string, object?> body, bool? revoke, bool? banHwid, bool? banIp)
        {
            if (revoke is not null)
            {
                body["revokeLicense"] = revoke;
            }

            if (banHwid is not null)
            {
                body["blacklistHwid"] = banHwid;
            }

            if (banIp is not null)
            {
                body["blacklistIp"] = banIp;
            }
        }

        [Fact]
        public async Task WithSession_DefaultsRevokeAndBanBoth_AndAnswersUnsignedOk()
        {
            string key = _server.NewLicense();
            ApiResponse login = await _server.Api.LoginAsync(key, "bad-hwid");

            ApiResponse ban = await SelfBanWithSessionAsync(login.SessionToken, "bad-hwid");

            Assert.Equal((200, "{\"status\":\"ok\"}"), (ban.Status, ban.Body));
            Assert.True(_server.Host.GetLicense(key)!.Revoked);
            Assert.Contains("bad-hwid", _server.Host.GetBlacklistedHwids());
            Assert.Contains("127.0.0.1", _server.Host.GetBlacklistedAddresses());
            (await _server.Api.ValidateAsync(_server.NewLicense(), "innocent")).AssertError(403, "blocked");
        }

        [Fact]
        public async Task WithSession_HwidOnly_BlocksThatHwidEverywhere()
        {
            string key = _server.NewLicense();
            ApiResponse login = await _server.Api.LoginAsync(key, "banned-hwid");

            (await SelfBanWithSessionAsync(login.SessionToken, "banned-hwid", revoke: false, banHwid: true, banIp: false)).AssertOk();

            Assert.False(_server.Host.GetLicense(key)!.Revoked);
            (await _server.Api.ValidateAsync(_server.NewLicense(), "banned-hwid")).AssertError(403, "blocked");
            (await _server.Api.HeartbeatAsync(login.SessionToken, "banned-hwid")).AssertError(403, "blocked");
            (await _server.Api.ValidateAsync(_server.NewLicense(), "other-hwid")).AssertOk();
        }

        [Fact]
        public async Task WithSession_RevokeOnly_RevokesTheSessionsLicence()
        {
            string key = _server.NewLicense();
            ApiResponse login = await _server.Api.LoginAsync(key, "h");

            (await SelfBanWithSessionAsync(login.SessionToken, "h", revoke: true, banHwid: false, banIp: false)).AssertOk();

            (await _server.Api.ValidateAsync(key, "h")).AssertError(403, "revoked");
            (await _server.Api.ValidateAsync(_server.NewLicense(), "h")).AssertOk();
        }

        [Fact]
        public async Task WithSession_NeedsAValidSession()
        {
            (await SelfBanWithSessionAsync("forged.token", "h")).AssertError(401, "session_expired");
            Assert.Empty(_server.Host.GetBlacklistedHwids());
        }

        [Fact]
        public async Task WithoutSession_RevokeIsRefused()
        {
            string key = _server.NewLicense();

            (await SelfBanWithoutSessionAsync(key, "h", revoke: true, banHwid: true, banIp: true)).AssertError(400, "revoke_requires_session");

            Assert.Empty(_server.Host.GetBlacklistedHwids());
            (await _server.Api.ValidateAsync(key, "h")).AssertOk();
        }

        [Fact]
        public async Task WithoutSession_BansHwidAndAddress()
        {
            string key = _server.NewLicense();

            (await SelfBanWithoutSessionAsync(key, "cracked-hwid", revoke: false, banHwid: null, banIp: null)).AssertOk();

            Assert.Equal(["cracked-hwid"], _server.Host.GetBlacklistedHwids());
            Assert.Equal(["127.0.0.1"], _server.Host.GetBlacklistedAddresses());
            Assert.False(_server.Host.GetLicense(key)!.Revoked);
        }

        [Fact]
        public async Task WithoutSession_NeedsAppCredentialsAndAFreshNonce()
        {
            string key = _server.NewLicense();
            string nonce = AuthApi.NewNonce();
            (await SelfBanWithoutSessionAsync(key, "h", revoke: false, banHwid: false, banIp: false, nonce)).AssertOk();
            (await SelfBanWithoutSessionAsync(key, "h", revoke: false, banHwid: false, banIp: false, nonce)).AssertError(409, "replay_detected");

            var wrongSecret = new Dictionary<string, object?>
            {
                ["appId"] = _server.Host.AppId, ["appSecret"] = "nope", ["licenseKey"] = key, ["hwid"] = "h", ["nonce"] = AuthApi.NewNonce(),
            };
            (await _server.Api.PostAsync("/auth/selfban", wrongSecret)).AssertError(401, "invalid_app");
        }

        [Fact]
        public async Task BlacklistRoute_ListsAndClears()
        {
            (await SelfBanWithoutSessionAsync(_server.NewLicense(), "listed-hwid", revoke: false, banHwid: true, banIp: false)).AssertOk();

            string listed = await _server.Http.GetStringAsync("/admin/blacklist");
            Assert.Equal("{\"hwids\":[\"listed-hwid\"],\"addresses\":[]}", listed);
            using (System.Net.Http.HttpResponseMessage cleared = await _server.Http.DeleteAsync("/admin/blacklist"))
            {
                Assert.Equal(200, (int)cleared.StatusCode);
            }

            Assert.Empty(_server.Host.GetBlacklistedHwids());
        }
    }
}
