using System;
using System.Linq;
using System.Net.Http;
using System.Text;
using System.Text.Json;
using System.Threading.Tasks;
using Xunit;

namespace AuthForge.Tests.DevServer
{
    /// <summary>
    /// The admin routes that reset a licence's hardware ids and delete a licence, and the JSON every answer has,
    /// also for routes that do not exist and for mistakes in an admin request.
    /// </summary>
    public sealed class AdminLicenseRouteTests : IClassFixture<HmacV1Fixture>
    {
        private readonly HmacV1Fixture _server;

        public AdminLicenseRouteTests(HmacV1Fixture server)
        {
            _server = server;
        }

        [Fact]
        public async Task ResetHwids_FreesTheSlots_ForAnotherMachine()
        {
            string key = _server.NewLicense(slots: 1);
            ApiResponse first = await _server.Api.LoginAsync(key, "machine-1");
            Assert.Equal("hwid_mismatch", (await _server.Api.ValidateAsync(key, "machine-2")).Error);

            using HttpResponseMessage reset = await SendAsync(HttpMethod.Post, $"/admin/licenses/{key}/reset-hwids");

            Assert.Equal(200, (int)reset.StatusCode);
            using (JsonDocument body = JsonDocument.Parse(await reset.Content.ReadAsStringAsync()))
            {
                Assert.Equal(key, body.RootElement.GetProperty("key").GetString());
                Assert.Equal(0, body.RootElement.GetProperty("hwids").GetArrayLength());
            }

            (await _server.Api.ValidateAsync(key, "machine-2")).AssertOk();
            Assert.Equal(["machine-2"], _server.Host.GetLicense(key)!.BoundHwids);
            // The first machine's open session goes on; only its slot was given up.
            (await _server.Api.HeartbeatAsync(first.SessionToken, "machine-1")).AssertOk();
            Assert.Equal("hwid_mismatch", (await _server.Api.ValidateAsync(key, "machine-1")).Error);
        }

        [Fact]
        public async Task DeleteLicense_RemovesIt_AndItsSessionsGetInvalidKey()
        {
            string key = _server.NewLicense();
            ApiResponse login = await _server.Api.LoginAsync(key, "h");

            using HttpResponseMessage deleted = await SendAsync(HttpMethod.Delete, $"/admin/licenses/{key}");

            Assert.Equal(200, (int)deleted.StatusCode);
            using (JsonDocument body = JsonDocument.Parse(await deleted.Content.ReadAsStringAsync()))
            {
                Assert.Equal(key, body.RootElement.GetProperty("key").GetString());
            }

            Assert.Null(_server.Host.GetLicense(key));
            Assert.Equal("invalid_key", (await _server.Api.ValidateAsync(key, "h")).Error);
            Assert.Equal("invalid_key", (await _server.Api.HeartbeatAsync(login.SessionToken, "h")).Error);
            using JsonDocument list = JsonDocument.Parse(await _server.Http.GetStringAsync("/admin/licenses"));
            Assert.DoesNotContain(list.RootElement.GetProperty("licenses").EnumerateArray(), l => l.GetProperty("key").GetString() == key);
        }

        [Fact]
        public async Task HostMethods_MirrorTheRoutes()
        {
            string key = _server.NewLicense(slots: 1);
            (await _server.Api.ValidateAsync(key, "m-1")).AssertOk();

            Assert.True(_server.Host.ResetLicenseHwids(key));
            Assert.Empty(_server.Host.GetLicense(key)!.BoundHwids);
            Assert.True(_server.Host.DeleteLicense(key));
            Assert.Null(_server.Host.GetLicense(key));
            Assert.False(_server.Host.DeleteLicense(key));
            Assert.False(_server.Host.ResetLicenseHwids(key));
        }

        [Theory]
        [InlineData("POST", "/admin/licenses/NO-SUCH-KEY/reset-hwids")]
        [InlineData("DELETE", "/admin/licenses/NO-SUCH-KEY")]
        public async Task UnknownKey_Is404InvalidKey(string method, string path)
        {
            using HttpResponseMessage response = await SendAsync(new HttpMethod(method), path);

            Assert.Equal(404, (int)response.StatusCode);
            Assert.Equal("""{"status":"error","error":"invalid_key"}""", await response.Content.ReadAsStringAsync());
        }

        [Theory]
        [InlineData("GET", "/admin/no-such-route", 404, "not_found")]
        [InlineData("POST", "/admin/licenses/K/no-such-action", 404, "not_found")]
        [InlineData("GET", "/", 404, "not_found")]
        [InlineData("GET", "/auth/validate", 405, "method_not_allowed")]
        [InlineData("GET", "/admin/faults", 405, "method_not_allowed")]
        [InlineData("PUT", "/admin/licenses", 405, "method_not_allowed")]
        public async Task RoutesThatDoNotExist_AnswerJson(string method, string path, int status, string error)
        {
            using HttpResponseMessage response = await SendAsync(new HttpMethod(method), path);

            Assert.Equal(status, (int)response.StatusCode);
            Assert.Equal("application/json", response.Content.Headers.ContentType?.MediaType);
            Assert.Equal($$"""{"status":"error","error":"{{error}}"}""", await response.Content.ReadAsStringAsync());
        }

        [Theory]
        [InlineData("/admin/faults", """{"kind":"delay","delayMs":-1}""", "DelayMs must not be negative.")]
        [InlineData("/admin/faults", """{"kind":"drop","count":0}""", "Count must be positive, or -1 for until cleared.")]
        [InlineData("/admin/faults", "hello", "The body is not valid JSON: 'h' is an invalid start of a value (line 1, byte 1).")]
        [InlineData("/admin/licenses", "{\"key\":\"X\",\n \"credits\": }", "The body is not valid JSON: '}' is an invalid start of a value (line 2, byte 13).")]
        public async Task BadAdminRequests_SayWhatIsWrong_WithoutRuntimeInternals(string path, string body, string message)
        {
            using var content = new StringContent(body, Encoding.UTF8, "application/json");
            using HttpResponseMessage response = await _server.Http.PostAsync(path, content);

            Assert.Equal(400, (int)response.StatusCode);
            using JsonDocument json = JsonDocument.Parse(await response.Content.ReadAsStringAsync());
            Assert.Equal("bad_request", json.RootElement.GetProperty("error").GetString());
            Assert.Equal(message, json.RootElement.GetProperty("message").GetString());
        }

        private async Task<HttpResponseMessage> SendAsync(HttpMethod method, string path)
        {
            using var request = new HttpRequestMessage(method, path);
            return await _server.Http.SendAsync(request);
        }
    }
}
