using System;
using System.Collections.Generic;
using System.Threading.Tasks;
using AuthForge.DevServer;
using Xunit;

namespace AuthForge.Tests.DevServer
{
    /// <summary>Each protocol error code, produced by the situation that should produce it.</summary>
    public sealed class ErrorCodeTests : IClassFixture<HmacV1Fixture>
    {
        private readonly HmacV1Fixture _server;

        public ErrorCodeTests(HmacV1Fixture server)
        {
            _server = server;
        }

        [Theory]
        [InlineData("/auth/validate", "not json")]
        [InlineData("/auth/validate", "[1,2]")]
        [InlineData("/auth/validate", "{\"appId\":\"demo-app\"} trailing")]
        [InlineData("/auth/validate", "{\"appId\":\"demo-app\",\"appSecret\":\"fixture-secret\",\"licenseKey\":\"K\",\"hwid\":\"h\"}")]
        [InlineData("/auth/validate", "{\"appId\":\"demo-app\",\"appSecret\":\"fixture-secret\",\"licenseKey\":\"K\",\"hwid\":7,\"nonce\":\"n\"}")]
        [InlineData("/auth/validate", "{\"appId\":\"demo-app\",\"appSecret\":\"fixture-secret\",\"licenseKey\":\"K\",\"hwid\":\"h\",\"nonce\":\"\"}")]
        [InlineData("/auth/validate", "{\"appId\":\"demo-app\",\"appSecret\":\"fixture-secret\",\"licenseKey\":\"K\",\"hwid\":\"h\",\"nonce\":\"n\",\"ttlSeconds\":\"3600\"}")]
        [InlineData("/auth/heartbeat", "{\"appId\":\"demo-app\",\"nonce\":\"n\",\"hwid\":\"h\"}")]
        [InlineData("/auth/selfban", "{\"appId\":\"demo-app\"}")]
        public async Task BadRequest_ForMalformedJsonOrMissingFields(string path, string body)
        {
            (await _server.Api.PostRawAsync(path, body)).AssertError(400, "bad_request");
        }

        [Theory]
        [InlineData(true)]
        [InlineData(false)]
        public async Task BadRequest_ForAnOversizedBody_WithOrWithoutContentLength(bool chunked)
        {
            string json = "{\"appId\":\"" + new string('a', 100_000) + "\"}";
            using var content = new System.Net.Http.StringContent(json, System.Text.Encoding.UTF8, "application/json");
            using var request = new System.Net.Http.HttpRequestMessage(System.Net.Http.HttpMethod.Post, "/auth/validate") { Content = content };
            request.Headers.TransferEncodingChunked = chunked;
            using System.Net.Http.HttpResponseMessage response = await _server.Http.SendAsync(request);

            Assert.Equal(400, (int)response.StatusCode);
            Assert.Equal("{\"status\":\"error\",\"error\":\"bad_request\"}", await response.Content.ReadAsStringAsync());
        }

        [Fact]
        public async Task InvalidApp_ForWrongSecret()
        {
            string key = _server.NewLicense();
            (await _server.Api.ValidateAsync(key, "h", appSecret: "not-the-secret")).AssertError(401, "invalid_app");
        }

        [Fact]
        public async Task InvalidApp_ForUnknownAppId()
        {
            string key = _server.NewLicense();
            var body = new Dictionary<string, object?>
            {
                ["appId"] = "other-app", ["appSecret"] = _server.Host.AppSecret, ["licenseKey"] = key, ["hwid"] = "h", ["nonce"] = AuthApi.NewNonce(),
            };
            (await _server.Api.PostAsync("/auth/validate", body)).AssertError(401, "invalid_app");

            ApiResponse login = await _server.Api.LoginAsync(key, "h");
            var beat = new Dictionary<string, object?>
            {
                ["appId"] = "other-app", ["sessionToken"] = login.SessionToken, ["hwid"] = "h", ["nonce"] = AuthApi.NewNonce(),
            };
            (await _server.Api.PostAsync("/auth/heartbeat", beat)).AssertError(401, "invalid_app");
        }

        [Fact]
        public async Task InvalidKey_ForUnknownLicence()
        {
            (await _server.Api.ValidateAsync("NO-SUCH-KEY", "h")).AssertError(404, "invalid_key");
        }

        [Fact]
        public async Task Revoked_RefusesValidateAndHeartbeat_UntilRestored()
        {
            string key = _server.NewLicense();
            ApiResponse login = await _server.Api.LoginAsync(key, "h");
            Assert.True(_server.Host.RevokeLicense(key));

            (await _server.Api.ValidateAsync(key, "h")).AssertError(403, "revoked");
            (await _server.Api.HeartbeatAsync(login.SessionToken, "h")).AssertError(403, "revoked");

            Assert.True(_server.Host.RestoreLicense(key));
            (await _server.Api.HeartbeatAsync(login.SessionToken, "h")).AssertOk();
        }

        [Fact]
        public async Task Expired_WhenTheLicenceIsPastItsExpiry()
        {
            string key = _server.NewLicense(expiresAt: _server.Clock.UtcNow.AddHours(2));
            ApiResponse login = await _server.Api.LoginAsync(key, "h");

            _server.Clock.Advance(TimeSpan.FromHours(3));

            (await _server.Api.ValidateAsync(key, "h")).AssertError(403, "expired");
            (await _server.Api.HeartbeatAsync(login.SessionToken, "h")).AssertError(403, "expired");
        }

        [Fact]
        public async Task SessionExpired_WhenTheSessionIsPastItsEnd()
        {
            string key = _server.NewLicense();
            ApiResponse login = await _server.Api.ValidateAsync(key, "h", ttlSeconds: 3600);
            _server.Clock.Advance(TimeSpan.FromSeconds(3599));
            (await _server.Api.HeartbeatAsync(login.SessionToken, "h")).AssertOk();

            _server.Clock.Advance(TimeSpan.FromSeconds(1));

            (await _server.Api.HeartbeatAsync(login.SessionToken, "h")).AssertError(401, "session_expired");
        }

        [Fact]
        public async Task SessionExpired_ForATokenThisServerDidNotIssue()
        {
            string key = _server.NewLicense();
            ApiResponse login = await _server.Api.LoginAsync(key, "h");
            string[] parts = login.SessionToken.Split('.');
            string forgedBody = parts[0][..^2] + (parts[0][^2] == 'A' ? "B" : "A") + parts[0][^1];

            (await _server.Api.HeartbeatAsync(forgedBody + "." + parts[1], "h")).AssertError(401, "session_expired");
            (await _server.Api.HeartbeatAsync("garbage", "h")).AssertError(401, "session_expired");
        }

        [Fact]
        public async Task SessionExpired_AfterExpireAllSessions_ButNewSessionsWork()
        {
            string key = _server.NewLicense();
            ApiResponse login = await _server.Api.LoginAsync(key, "h");

            _server.Host.ExpireAllSessions();

            (await _server.Api.HeartbeatAsync(login.SessionToken, "h")).AssertError(401, "session_expired");
            ApiResponse again = await _server.Api.LoginAsync(key, "h");
            (await _server.Api.HeartbeatAsync(again.SessionToken, "h")).AssertOk();
        }

        [Fact]
        public async Task AppDisabled_RefusesEveryEndpoint_UntilEnabled()
        {
            string key = _server.NewLicense();
            ApiResponse login = await _server.Api.LoginAsync(key, "h");
            _server.Host.AppEnabled = false;
            try
            {
                (await _server.Api.ValidateAsync(key, "h")).AssertError(403, "app_disabled");
                (await _server.Api.HeartbeatAsync(login.SessionToken, "h")).AssertError(403, "app_disabled");
            }
            finally
            {
                _server.Host.AppEnabled = true;
            }

            (await _server.Api.HeartbeatAsync(login.SessionToken, "h")).AssertOk();
        }

        [Fact]
        public async Task RateLimited_IsAnsweredWhenInjected()
        {
            string key = _server.NewLicense();
            _server.Host.AddFault(new DevFault(DevFaultKind.RateLimit));

            (await _server.Api.ValidateAsync(key, "h")).AssertError(429, "rate_limited");
            (await _server.Api.ValidateAsync(key, "h")).AssertOk();
        }

        [Fact]
        public async Task NoCreditsAndReplayAndHwidMismatch_HaveTheirStatuses()
        {
            string key = _server.NewLicense(credits: 1);
            ApiResponse login = await _server.Api.LoginAsync(key, "h");

            (await _server.Api.ValidateAsync(key, "h")).AssertError(402, "no_credits");
            (await _server.Api.ValidateAsync(key, "h2")).AssertError(403, "hwid_mismatch");
            (await _server.Api.ValidateAsync(key, "h", login.SentNonce)).AssertError(409, "replay_detected");
        }
    }
}
