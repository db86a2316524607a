using System;
using System.Collections.Generic;
using System.Linq;
using System.Text.Json;
using System.Threading.Tasks;
using AuthForge.DevServer;
using Xunit;

namespace AuthForge.Tests.DevServer
{
    /// <summary>The v1 protocol over real HTTP: signatures, payload and token shapes, TTLs, credits and replays.</summary>
    public sealed class HmacV1ProtocolTests : IClassFixture<HmacV1Fixture>
    {
        private readonly HmacV1Fixture _server;

        public HmacV1ProtocolTests(HmacV1Fixture server)
        {
            _server = server;
        }

        [Fact]
        public async Task Validate_IsSignedWithSecretAndNonceKey_AndEchoesNonce()
        {
            string key = _server.NewLicense();
            ApiResponse response = await _server.Api.ValidateAsync(key, "hwid-1");

            response.AssertOk();
            Assert.Equal("application/json", response.MediaType);
            Assert.Equal(ApiResponse.ExpectedHmac(_server.Host.AppSecret, response.SentNonce!, response.Payload!), response.Signature);
            Assert.Equal(response.SentNonce, response.PayloadJson.GetProperty("nonce").GetString());
            Assert.Null(response.KeyId);
        }

        [Fact]
        public async Task Validate_Payload_HasTheV1Shape()
        {
            string key = _server.NewLicense();
            ApiResponse response = await _server.Api.ValidateAsync(key, "hwid-1");

            JsonElement payload = response.PayloadJson;
            Assert.Equal(
                ["sessionToken", "timestamp", "expiresIn", "nonce", "appVariables", "licenseVariables"],
                payload.EnumerateObject().Select(p => p.Name).ToArray());
            long now = _server.Clock.UtcNow.ToUnixTimeSeconds();
            Assert.Equal(now, payload.GetProperty("timestamp").GetInt64());
            Assert.Equal(now + 86_400, payload.GetProperty("expiresIn").GetInt64());
            Assert.Equal("test", payload.GetProperty("appVariables").GetProperty("tier").GetString());
            Assert.Equal(5, payload.GetProperty("licenseVariables").GetProperty("seats").GetInt32());
            // The payload is standard base64 with padding of compact JSON.
            Assert.Equal(0, response.Payload!.Length % 4);
            Assert.DoesNotContain(": ", System.Text.Encoding.UTF8.GetString(Convert.FromBase64String(response.Payload)), StringComparison.Ordinal);
        }

        [Fact]
        public async Task SessionToken_BodyHasSessionFields_AndNeverTheAppSecret()
        {
            string key = _server.NewLicense();
            ApiResponse response = await _server.Api.ValidateAsync(key, "hwid-1");

            JsonElement body = response.TokenBody;
            Assert.Equal(["appId", "licenseKey", "hwid", "expiresIn", "sid"], body.EnumerateObject().Select(p => p.Name).ToArray());
            Assert.Equal(_server.Host.AppId, body.GetProperty("appId").GetString());
            Assert.Equal(key, body.GetProperty("licenseKey").GetString());
            Assert.Equal("hwid-1", body.GetProperty("hwid").GetString());
            Assert.Equal(response.PayloadJson.GetProperty("expiresIn").GetInt64(), body.GetProperty("expiresIn").GetInt64());
            Assert.DoesNotContain(_server.Host.AppSecret, response.SessionToken, StringComparison.Ordinal);
            Assert.DoesNotContain(_server.Host.AppSecret, body.GetRawText(), StringComparison.Ordinal);
            Assert.Equal(2, response.SessionToken.Split('.').Length);
        }

        [Fact]
        public async Task Heartbeat_IsSignedWithSecretKey_AndKeepsTokenAndExpiry()
        {
            string key = _server.NewLicense();
            ApiResponse login = await _server.Api.LoginAsync(key, "hwid-1");

            ApiResponse beat = await _server.Api.HeartbeatAsync(login.SessionToken, "hwid-1");

            beat.AssertOk();
            Assert.Equal(ApiResponse.ExpectedHmac(_server.Host.AppSecret, beat.SentNonce!, beat.Payload!), beat.Signature);
            Assert.Equal(beat.SentNonce, beat.PayloadJson.GetProperty("nonce").GetString());
            Assert.Equal(login.SessionToken, beat.SessionToken);
            Assert.Equal(login.PayloadJson.GetProperty("expiresIn").GetInt64(), beat.PayloadJson.GetProperty("expiresIn").GetInt64());
        }

        [Theory]
        [InlineData(null, 86_400)]
        [InlineData(60L, 3600)]
        [InlineData(3600L, 3600)]
        [InlineData(7200L, 7200)]
        [InlineData(604_800L, 604_800)]
        [InlineData(10_000_000L, 604_800)]
        [InlineData(-5L, 3600)]
        public async Task Validate_ClampsTtl(long? requested, long expected)
        {
            string key = _server.NewLicense();
            ApiResponse response = await _server.Api.ValidateAsync(key, "hwid-1", ttlSeconds: requested);

            response.AssertOk();
            long now = _server.Clock.UtcNow.ToUnixTimeSeconds();
            Assert.Equal(now + expected, response.TokenBody.GetProperty("expiresIn").GetInt64());
        }

        [Fact]
        public async Task Credits_ValidateCostsOne_TenHeartbeatsCostOne()
        {
            string key = _server.NewLicense(credits: 5);
            ApiResponse login = await _server.Api.LoginAsync(key, "hwid-1");
            Assert.Equal(4, _server.Host.GetLicense(key)!.Credits);

            for (int i = 0; i < 9; i++)
            {
                (await _server.Api.HeartbeatAsync(login.SessionToken, "hwid-1")).AssertOk();
            }

            Assert.Equal(4, _server.Host.GetLicense(key)!.Credits);
            (await _server.Api.HeartbeatAsync(login.SessionToken, "hwid-1")).AssertOk();
            DevLicenseStatus status = _server.Host.GetLicense(key)!;
            Assert.Equal(3, status.Credits);
            Assert.Equal(10, status.HeartbeatCount);
            Assert.Equal(1, status.ValidateCount);
        }

        [Fact]
        public async Task Credits_UnderConcurrentValidates_AreSpentExactlyOnceEach()
        {
            string key = _server.NewLicense(credits: 20, slots: 100);

            ApiResponse[] responses = await Task.WhenAll(Enumerable.Range(0, 60).Select(i => _server.Api.ValidateAsync(key, "hwid-" + i)));

            Assert.Equal(20, responses.Count(r => r.Status == 200));
            Assert.Equal(40, responses.Count(r => r.Error == "no_credits"));
            DevLicenseStatus status = _server.Host.GetLicense(key)!;
            Assert.Equal((0L, 20L, 20), (status.Credits, status.ValidateCount, status.BoundHwids.Count));
        }

        [Fact]
        public async Task NoCredits_RefusesValidate()
        {
            string key = _server.NewLicense(credits: 1);
            await _server.Api.LoginAsync(key, "hwid-1");

            (await _server.Api.ValidateAsync(key, "hwid-1")).AssertError(402, "no_credits");
        }

        [Fact]
        public async Task NoCredits_RefusesTheHeartbeatThatWouldCostOne()
        {
            string key = _server.NewLicense(credits: 1);
            ApiResponse login = await _server.Api.LoginAsync(key, "hwid-1");
            for (int i = 0; i < 9; i++)
            {
                (await _server.Api.HeartbeatAsync(login.SessionToken, "hwid-1")).AssertOk();
            }

            (await _server.Api.HeartbeatAsync(login.SessionToken, "hwid-1")).AssertError(402, "no_credits");
        }

        [Fact]
        public async Task Replay_SameNonceTwiceOnValidate_IsDetected()
        {
            string key = _server.NewLicense(slots: 2);
            string nonce = AuthApi.NewNonce();
            (await _server.Api.ValidateAsync(key, "hwid-1", nonce)).AssertOk();

            (await _server.Api.ValidateAsync(key, "hwid-1", nonce)).AssertError(409, "replay_detected");
            Assert.Equal(999, _server.Host.GetLicense(key)!.Credits);
        }

        [Fact]
        public async Task Replay_NonceSeenOnAnotherEndpoint_IsDetected()
        {
            string key = _server.NewLicense();
            ApiResponse login = await _server.Api.LoginAsync(key, "hwid-1");

            (await _server.Api.HeartbeatAsync(login.SessionToken, "hwid-1", login.SentNonce)).AssertError(409, "replay_detected");
        }

        [Fact]
        public async Task HwidSlots_NewHwidTakesAFreeSlot_ThenMismatch()
        {
            string key = _server.NewLicense(slots: 2);
            await _server.Api.LoginAsync(key, "hwid-a");
            await _server.Api.LoginAsync(key, "hwid-b");
            await _server.Api.LoginAsync(key, "hwid-a");

            (await _server.Api.ValidateAsync(key, "hwid-c")).AssertError(403, "hwid_mismatch");
            Assert.Equal(["hwid-a", "hwid-b"], _server.Host.GetLicense(key)!.BoundHwids);
        }

        [Fact]
        public async Task Heartbeat_FromAnotherHwid_IsHwidMismatch()
        {
            string key = _server.NewLicense(slots: 2);
            ApiResponse login = await _server.Api.LoginAsync(key, "hwid-a");

            (await _server.Api.HeartbeatAsync(login.SessionToken, "hwid-b")).AssertError(403, "hwid_mismatch");
        }

        [Fact]
        public async Task Timestamps_FollowTheServerClock()
        {
            string key = _server.NewLicense();
            ApiResponse login = await _server.Api.LoginAsync(key, "hwid-1");
            _server.Clock.Advance(TimeSpan.FromMinutes(5));

            ApiResponse beat = await _server.Api.HeartbeatAsync(login.SessionToken, "hwid-1");

            beat.AssertOk();
            Assert.Equal(_server.Clock.UtcNow.ToUnixTimeSeconds(), beat.PayloadJson.GetProperty("timestamp").GetInt64());
        }

        [Fact]
        public void ServerHmac_MatchesTheReferenceVector()
        {
            using JsonDocument vector = JsonDocument.Parse(System.IO.File.ReadAllText(System.IO.Path.Combine(AppContext.BaseDirectory, "TestData", "hmac-v2.json")));
            foreach (string part in new[] { "validate", "heartbeat" })
            {
                JsonElement v = vector.RootElement.GetProperty(part);
                JsonElement inputs = v.GetProperty("inputs");
                string secret = inputs.TryGetProperty("appSecret", out JsonElement s) ? s.GetString()! : inputs.GetProperty("sigKey").GetString()!;
                string signature = HmacSigning.Sign(secret, inputs.GetProperty("nonce").GetString()!, inputs.GetProperty("payload").GetString()!);
                Assert.Equal(v.GetProperty("outputs").GetProperty("signatureHex").GetString(), signature);
            }
        }

        [Fact]
        public async Task Requests_AreRecorded_WithNonceKeyHwidAndAnswer()
        {
            string key = _server.NewLicense();
            ApiResponse login = await _server.Api.LoginAsync(key, "hwid-rec");
            ApiResponse beat = await _server.Api.HeartbeatAsync(login.SessionToken, "hwid-other");

            IReadOnlyList<DevRequestRecord> records = _server.Host.Requests;
            DevRequestRecord validate = Assert.Single(records, r => r.Nonce == login.SentNonce);
            Assert.Equal(("/auth/validate", key, "hwid-rec", 200, (string?)null), (validate.Path, validate.LicenseKey, validate.Hwid, validate.StatusCode, validate.Error));
            DevRequestRecord heartbeat = Assert.Single(records, r => r.Nonce == beat.SentNonce);
            Assert.Equal(("/auth/heartbeat", key, "hwid-other", 403, "hwid_mismatch"), (heartbeat.Path, heartbeat.LicenseKey, heartbeat.Hwid, heartbeat.StatusCode, heartbeat.Error));
            Assert.Equal("127.0.0.1", heartbeat.RemoteAddress);
        }
    }
}
