using System;
using System.Collections.Generic;
using System.IO;
using System.Linq;
using System.Net.Http;
using System.Text;
using System.Text.Json;
using System.Threading;
using System.Threading.Tasks;
using AuthForge.DevServer;
using Xunit;

namespace AuthForge.Tests.DevServer
{
    /// <summary>Each fault kind, as a raw HttpClient observes it; every read is bounded and every wait has a time-out.</summary>
    public sealed class FaultInjectionTests : IClassFixture<HmacV1Fixture>, IDisposable
    {
        private readonly HmacV1Fixture _server;

        public FaultInjectionTests(HmacV1Fixture server)
        {
            _server = server;
            _server.Host.ClearFaults();
        }

        public void Dispose() => _server.Host.ClearFaults();

        private Task<ApiResponse> ValidateAsync() => _server.Api.ValidateAsync(_server.NewLicense(), "h");

        private void Add(DevFaultKind kind, string? path = null, int count = 1) => _server.Host.AddFault(kind, count, path);

        private static StringContent ValidateBody(HmacV1Fixture server, string key)
        {
            string json = JsonSerializer.Serialize(new Dictionary<string, string>
            {
                ["appId"] = server.Host.AppId, ["appSecret"] = server.Host.AppSecret, ["licenseKey"] = key, ["hwid"] = "h", ["nonce"] = AuthApi.NewNonce(),
            });
            return new StringContent(json, Encoding.UTF8, "application/json");
        }

        private bool SignatureVerifies(ApiResponse response) =>
            ApiResponse.ExpectedHmac(_server.Host.AppSecret, response.SentNonce!, response.Payload!) == response.Signature;

        [Fact]
        public async Task AFaultScopedToAHwid_IsTakenOnlyByThatMachine()
        {
            string key = _server.NewLicense(slots: 2);
            using (HttpResponseMessage queued = await _server.Http.PostAsync("/admin/faults",
                new StringContent("{\"kind\":\"status\",\"status\":503,\"hwid\":\"mine\"}", Encoding.UTF8, "application/json")))
            {
                Assert.Equal(200, (int)queued.StatusCode);
            }

            ApiResponse other = await _server.Api.ValidateAsync(key, "other");
            ApiResponse mine = await _server.Api.ValidateAsync(key, "mine");
            ApiResponse again = await _server.Api.ValidateAsync(key, "mine");

            Assert.Equal((200, 503, 200), (other.Status, mine.Status, again.Status));
            Assert.Equal(new string?[] { null, "status", null }, _server.Host.Requests.TakeLast(3).Select(r => r.Fault));
        }

        [Fact]
        public async Task AFaultScopedToALicence_MatchesTheLicenceAHeartbeatsSessionTokenNames()
        {
            string mine = _server.NewLicense();
            string other = _server.NewLicense();
            ApiResponse mineLogin = await _server.Api.LoginAsync(mine, "h");
            ApiResponse otherLogin = await _server.Api.LoginAsync(other, "h");
            _server.Host.AddFault(new DevFault(DevFaultKind.Status) { Status = 503, Path = "/auth/heartbeat", LicenseKey = mine });

            ApiResponse otherBeat = await _server.Api.HeartbeatAsync(otherLogin.SessionToken, "h");
            ApiResponse mineBeat = await _server.Api.HeartbeatAsync(mineLogin.SessionToken, "h");

            Assert.Equal((200, 503), (otherBeat.Status, mineBeat.Status));
        }

        [Theory]
        [InlineData("{\"kind\":\"drop\",\"hwid\":5}")]
        [InlineData("{\"kind\":\"drop\",\"licenseKey\":true}")]
        public async Task AFaultsScopeMustBeAString(string json)
        {
            using HttpResponseMessage refused = await _server.Http.PostAsync("/admin/faults", new StringContent(json, Encoding.UTF8, "application/json"));

            Assert.Equal(400, (int)refused.StatusCode);
            ApiResponse untouched = await ValidateAsync();
            Assert.Equal(200, untouched.Status);
        }

        [Fact]
        public async Task Drop_AbortsWithoutAResponse()
        {
            Add(DevFaultKind.Drop);
            using StringContent body = ValidateBody(_server, _server.NewLicense());

            await Assert.ThrowsAsync<HttpRequestException>(() => _server.Http.PostAsync("/auth/validate", body));
            DevRequestRecord record = _server.Host.Requests[^1];
            Assert.Equal(("drop", 0), (record.Fault, record.StatusCode));
        }

        [Fact]
        public async Task Delay_AnswersNormallyAfterTheDelay()
        {
            _server.Host.AddFault(new DevFault(DevFaultKind.Delay) { DelayMs = 150 });
            var watch = System.Diagnostics.Stopwatch.StartNew();

            ApiResponse response = await ValidateAsync();

            response.AssertOk();
            Assert.True(SignatureVerifies(response));
            Assert.True(watch.ElapsedMilliseconds >= 140, $"answered after {watch.ElapsedMilliseconds} ms");
        }

        [Fact]
        public async Task Delay_IsCutByAClientTimeout()
        {
            _server.Host.AddFault(new DevFault(DevFaultKind.Delay) { DelayMs = 30_000 });
            using var cts = new CancellationTokenSource(TimeSpan.FromMilliseconds(200));
            using StringContent body = ValidateBody(_server, _server.NewLicense());

            await Assert.ThrowsAnyAsync<OperationCanceledException>(() => _server.Http.PostAsync("/auth/validate", body, cts.Token));
            Assert.Equal("delay", _server.Host.Requests[^1].Fault);
        }

        [Fact]
        public async Task Html500_IsA500WithAnHtmlBody()
        {
            Add(DevFaultKind.Html500);
            ApiResponse response = await ValidateAsync();

            Assert.Equal((500, "text/html"), (response.Status, response.MediaType));
            Assert.StartsWith("<!DOCTYPE html>", response.Body, StringComparison.Ordinal);
        }

        [Fact]
        public async Task Status_UsesTheGivenStatusAndCode()
        {
            _server.Host.AddFault(new DevFault(DevFaultKind.Status) { Status = 503, Error = "server_error" });
            _server.Host.AddFault(new DevFault(DevFaultKind.Status) { Status = 502 });

            (await ValidateAsync()).AssertError(503, "server_error");
            ApiResponse bare = await ValidateAsync();
            Assert.Equal((502, "{\"status\":\"error\"}"), (bare.Status, bare.Body));
        }

        [Theory]
        [InlineData("{\"kind\":\"foreign\",\"status\":302,\"body\":\"empty\"}", 302, "", "text/plain")]
        [InlineData("{\"kind\":\"foreign\",\"status\":407,\"body\":\"text\"}", 407, "Proxy Authentication Required", "text/plain")]
        [InlineData("{\"kind\":\"foreign\",\"status\":403,\"body\":\"JSON\"}", 403, "{\"status\":\"error\",\"error\":\"Access denied by the network policy.\",\"code\":403}", "application/json")]
        [InlineData("{\"kind\":\"foreign\",\"status\":200}", 200, "<!DOCTYPE html>", "text/html")]
        [InlineData("{\"kind\":\"foreign\",\"status\":404,\"body\":\"html\"}", 404, "<!DOCTYPE html>", "text/html")]
        public async Task Foreign_AnswersAsAPortalWouldWithoutSpendingACredit(string fault, int status, string bodyStart, string mediaType)
        {
            string key = _server.NewLicense();
            using (HttpResponseMessage queued = await _server.Http.PostAsync("/admin/faults", new StringContent(fault, Encoding.UTF8, "application/json")))
            {
                Assert.Equal(200, (int)queued.StatusCode);
            }

            // A client that follows nothing, to see the redirect itself.
            using var http = new HttpClient(new HttpClientHandler { AllowAutoRedirect = false }) { BaseAddress = _server.Http.BaseAddress };
            using StringContent request = ValidateBody(_server, key);
            using HttpResponseMessage response = await http.PostAsync("/auth/validate", request);
            string body = await response.Content.ReadAsStringAsync();

            Assert.Equal((status, mediaType), ((int)response.StatusCode, response.Content.Headers.ContentType?.MediaType));
            Assert.StartsWith(bodyStart, body, StringComparison.Ordinal);
            if (bodyStart.Length == 0) Assert.Equal(0, response.Content.Headers.ContentLength);
            Assert.Equal(status is >= 300 and <= 399 ? new Uri("http://portal.invalid/login") : null, response.Headers.Location);
            Assert.Equal(status == 407 ? "Basic realm=\"proxy\"" : null, response.Headers.ProxyAuthenticate.SingleOrDefault()?.ToString());
            DevRequestRecord record = _server.Host.Requests[^1];
            Assert.Equal(("foreign", status, (string?)null), (record.Fault, record.StatusCode, record.Error));
            Assert.Equal(0, _server.Host.GetLicense(key)!.ValidateCount);
        }

        [Theory]
        [InlineData("{\"kind\":\"foreign\",\"body\":\"xml\"}")]
        [InlineData("{\"kind\":\"foreign\",\"body\":5}")]
        [InlineData("{\"kind\":\"foreign\",\"status\":700}")]
        public async Task AForeignBodyMustBeOneOfTheKnownOnes(string json)
        {
            using HttpResponseMessage refused = await _server.Http.PostAsync("/admin/faults", new StringContent(json, Encoding.UTF8, "application/json"));

            Assert.Equal(400, (int)refused.StatusCode);
            Assert.Contains(json.Contains("700") ? "100-599" : "html, empty, json, text", await refused.Content.ReadAsStringAsync(), StringComparison.Ordinal);
            (await ValidateAsync()).AssertOk();
        }

        [Fact]
        public async Task RateLimits_Are429OrErrorIn200()
        {
            Add(DevFaultKind.RateLimit);
            Add(DevFaultKind.RateLimit200);

            (await ValidateAsync()).AssertError(429, "rate_limited");
            (await ValidateAsync()).AssertError(200, "rate_limited");
        }

        [Fact]
        public async Task Truncate_SendsHalfTheBodyUnderTheFullLength()
        {
            Add(DevFaultKind.Truncate);
            using StringContent body = ValidateBody(_server, _server.NewLicense());
            using HttpResponseMessage response = await _server.Http.PostForHeadersAsync("/auth/validate", body);

            Assert.Equal(200, (int)response.StatusCode);
            long announced = response.Content.Headers.ContentLength!.Value;
            using Stream stream = await response.Content.ReadAsStreamAsync();
            var received = new MemoryStream();
            byte[] buffer = new byte[4096];
            Exception? failure = null;
            try
            {
                int read;
                while (received.Length <= announced && (read = await stream.ReadAsync(buffer).AsTask().WaitAsync(TimeSpan.FromSeconds(5))) > 0)
                {
                    received.Write(buffer, 0, read);
                }
            }
            catch (Exception e) when (e is IOException or HttpRequestException)
            {
                failure = e;
            }

            Assert.NotNull(failure);
            Assert.Equal(announced / 2, received.Length);
            Assert.StartsWith("{\"status\":\"ok\",\"payload\":\"", Encoding.UTF8.GetString(received.ToArray()), StringComparison.Ordinal);
        }

        [Fact]
        public async Task Endless_KeepsStreamingPastAnyLimit_UntilTheClientLeaves()
        {
            Add(DevFaultKind.Endless);
            using StringContent body = ValidateBody(_server, _server.NewLicense());
            using (HttpResponseMessage response = await _server.Http.PostForHeadersAsync("/auth/validate", body))
            {
                Assert.Equal(200, (int)response.StatusCode);
                Assert.Null(response.Content.Headers.ContentLength);
                long read = await ReadUpToAsync(response, limit: 4 * 1024 * 1024);
                Assert.Equal(4 * 1024 * 1024, read);
            }

            // The server noticed the client leaving and is serving others.
            (await ValidateAsync()).AssertOk();
        }

        [Fact]
        public async Task Huge_Streams100MiBOfJsonLookingBody()
        {
            Add(DevFaultKind.Huge);
            using StringContent body = ValidateBody(_server, _server.NewLicense());
            using HttpResponseMessage response = await _server.Http.PostForHeadersAsync("/auth/validate", body);

            Assert.Equal(200, (int)response.StatusCode);
            Assert.Equal("application/json", response.Content.Headers.ContentType?.MediaType);
            using Stream stream = await response.Content.ReadAsStreamAsync();
            byte[] start = new byte[26];
            await stream.ReadExactlyAsync(start);
            Assert.Equal("{\"status\":\"ok\",\"payload\":\"", Encoding.ASCII.GetString(start));
            long total = start.Length + await ReadUpToAsync(stream, limit: 200L * 1024 * 1024);
            Assert.Equal(100L * 1024 * 1024, total);
        }

        [Theory]
        [InlineData(DevFaultKind.NonJson, "hello")]
        [InlineData(DevFaultKind.JsonArray, "[1,2,3]")]
        [InlineData(DevFaultKind.ErrorIn200, "{\"status\":\"error\",\"error\":\"invalid_key\"}")]
        public async Task FixedBodies_Are200WithThatBody(DevFaultKind kind, string expected)
        {
            Add(kind);
            ApiResponse response = await ValidateAsync();

            Assert.Equal((200, expected), (response.Status, response.Body));
        }

        [Fact]
        public async Task MissingPayload_HasOkStatusAndSignatureButNoPayload()
        {
            Add(DevFaultKind.MissingPayload);
            ApiResponse response = await ValidateAsync();

            response.AssertOk();
            Assert.Null(response.Payload);
            Assert.Equal(64, response.Signature!.Length);
        }

        [Fact]
        public async Task TamperSignature_ChangesOneCharacter()
        {
            Add(DevFaultKind.TamperSignature);
            ApiResponse response = await ValidateAsync();

            response.AssertOk();
            string expected = ApiResponse.ExpectedHmac(_server.Host.AppSecret, response.SentNonce!, response.Payload!);
            Assert.Equal(1, expected.Zip(response.Signature!).Count(p => p.First != p.Second));
            Assert.Equal(expected.Length, response.Signature!.Length);
        }

        [Fact]
        public async Task TamperPayload_AltersThePayloadAfterSigning()
        {
            Add(DevFaultKind.TamperPayload);
            ApiResponse response = await ValidateAsync();

            response.AssertOk();
            Assert.False(SignatureVerifies(response));
            long tokenExpiry = response.TokenBody.GetProperty("expiresIn").GetInt64();
            Assert.Equal(tokenExpiry + (365L * 24 * 3600), response.PayloadJson.GetProperty("expiresIn").GetInt64());
            Assert.Equal(response.SentNonce, response.PayloadJson.GetProperty("nonce").GetString());
        }

        [Fact]
        public async Task WrongNonce_IsSignedCorrectlyWithAnotherNonce()
        {
            Add(DevFaultKind.WrongNonce);
            ApiResponse response = await ValidateAsync();

            Assert.True(SignatureVerifies(response));
            Assert.NotEqual(response.SentNonce, response.PayloadJson.GetProperty("nonce").GetString());
        }

        [Fact]
        public async Task MissingSessionToken_IsSignedCorrectlyWithoutTheToken()
        {
            Add(DevFaultKind.MissingSessionToken);
            ApiResponse response = await ValidateAsync();

            Assert.True(SignatureVerifies(response));
            Assert.False(response.PayloadJson.TryGetProperty("sessionToken", out _));
            Assert.True(response.PayloadJson.TryGetProperty("expiresIn", out _));
        }

        [Fact]
        public async Task MissingExpires_IsSignedCorrectly_WithNoExpiryInPayloadOrToken()
        {
            Add(DevFaultKind.MissingExpires);
            ApiResponse response = await ValidateAsync();

            Assert.True(SignatureVerifies(response));
            Assert.False(response.PayloadJson.TryGetProperty("expiresIn", out _));
            Assert.False(response.TokenBody.TryGetProperty("expiresIn", out _));
        }

        [Fact]
        public async Task WrongKey_IsSignedWithAnotherSecret()
        {
            Add(DevFaultKind.WrongKey);
            ApiResponse response = await ValidateAsync();

            response.AssertOk();
            Assert.False(SignatureVerifies(response));
            Assert.Equal(64, response.Signature!.Length);
        }

        [Fact]
        public async Task Replay_ResendsThePreviousSuccessfulBodyOfThatEndpoint()
        {
            ApiResponse first = await ValidateAsync();
            Add(DevFaultKind.Replay);

            ApiResponse replayed = await ValidateAsync();

            Assert.Equal(first.Body, replayed.Body);
            Assert.NotEqual(replayed.SentNonce, replayed.PayloadJson.GetProperty("nonce").GetString());
        }

        [Fact]
        public async Task Replay_OfHeartbeat_UsesTheHeartbeatsOwnPreviousBody()
        {
            string key = _server.NewLicense();
            ApiResponse login = await _server.Api.LoginAsync(key, "h");
            ApiResponse beat = await _server.Api.HeartbeatAsync(login.SessionToken, "h");
            Add(DevFaultKind.Replay, path: "/auth/heartbeat");

            ApiResponse replayed = await _server.Api.HeartbeatAsync(login.SessionToken, "h");

            Assert.Equal(beat.Body, replayed.Body);
        }

        [Fact]
        public async Task Path_LimitsTheFault_AndCountSetsHowManyRequestsItHits()
        {
            string key = _server.NewLicense();
            ApiResponse login = await _server.Api.LoginAsync(key, "h");
            Add(DevFaultKind.RateLimit, path: "/auth/heartbeat", count: 2);

            (await _server.Api.ValidateAsync(key, "h")).AssertOk();
            (await _server.Api.HeartbeatAsync(login.SessionToken, "h")).AssertError(429, "rate_limited");
            (await _server.Api.HeartbeatAsync(login.SessionToken, "h")).AssertError(429, "rate_limited");
            (await _server.Api.HeartbeatAsync(login.SessionToken, "h")).AssertOk();
        }

        [Fact]
        public async Task CountMinusOne_LastsUntilCleared()
        {
            Add(DevFaultKind.Html500, count: -1);
            for (int i = 0; i < 3; i++)
            {
                Assert.Equal(500, (await ValidateAsync()).Status);
            }

            _server.Host.ClearFaults();
            (await ValidateAsync()).AssertOk();
        }

        [Fact]
        public async Task ReplacingFaults_DoNotProcessTheRequest()
        {
            string key = _server.NewLicense();
            string nonce = AuthApi.NewNonce();
            Add(DevFaultKind.Html500);

            Assert.Equal(500, (await _server.Api.ValidateAsync(key, "h", nonce)).Status);

            Assert.Equal(1000, _server.Host.GetLicense(key)!.Credits);
            (await _server.Api.ValidateAsync(key, "h", nonce)).AssertOk();
        }

        [Fact]
        public async Task FaultsRoute_QueuesAndClears()
        {
            using (var add = new StringContent("{\"kind\":\"status\",\"status\":418,\"error\":\"teapot\",\"path\":\"/auth/validate\"}", Encoding.UTF8, "application/json"))
            using (HttpResponseMessage added = await _server.Http.PostAsync("/admin/faults", add))
            {
                Assert.Equal(200, (int)added.StatusCode);
            }

            (await ValidateAsync()).AssertError(418, "teapot");

            using (var add = new StringContent("{\"kind\":\"rate_limit\",\"count\":-1}", Encoding.UTF8, "application/json"))
            using (HttpResponseMessage added = await _server.Http.PostAsync("/admin/faults", add))
            {
                Assert.Equal(200, (int)added.StatusCode);
            }

            using (HttpResponseMessage cleared = await _server.Http.DeleteAsync("/admin/faults"))
            {
                Assert.Equal(200, (int)cleared.StatusCode);
            }

            (await ValidateAsync()).AssertOk();
        }

        [Theory]
        [InlineData("{\"kind\":\"melt\"}")]
        [InlineData("{\"count\":1}")]
        [InlineData("{\"kind\":\"drop\",\"count\":0}")]
        [InlineData("{\"kind\":\"status\",\"status\":42}")]
        [InlineData("{\"kind\":\"drop\",\"count\":\"1\"}")]
        [InlineData("not json")]
        public async Task FaultsRoute_RefusesBadFaults(string json)
        {
            using var content = new StringContent(json, Encoding.UTF8, "application/json");
            using HttpResponseMessage response = await _server.Http.PostAsync("/admin/faults", content);

            Assert.Equal(400, (int)response.StatusCode);
            (await ValidateAsync()).AssertOk();
        }

        private static async Task<long> ReadUpToAsync(HttpResponseMessage response, long limit)
        {
            using Stream stream = await response.Content.ReadAsStreamAsync();
            return await ReadUpToAsync(stream, limit);
        }

        /// <summary>Reads until the end or <paramref name="limit"/> bytes, each read bounded by a time-out.</summary>
        private static async Task<long> ReadUpToAsync(Stream stream, long limit)
        {
            byte[] buffer = new byte[81920];
            long total = 0;
            while (total < limit)
            {
                int want = (int)Math.Min(buffer.Length, limit - total);
                int read = await stream.ReadAsync(buffer.AsMemory(0, want)).AsTask().WaitAsync(TimeSpan.FromSeconds(10));
                if (read == 0)
                {
                    break;
                }

                total += read;
            }

            return total;
        }
    }
}
