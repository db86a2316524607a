using System.Linq;
using System.Net.Http;
using System.Text.Json;
using System.Threading.Tasks;
using AuthForge.DevServer;
using AuthForge.Tests.Support;
using Xunit;

namespace AuthForge.Tests.DevServer
{
    /// <summary>
    /// The session token body each generation issues, as the client's binding reads it: the identity (appId,
    /// licenseKey, hwid) in every generation, the session end as <c>exp</c> in v3 (as the hosted service's tokens
    /// state it) and as <c>expiresIn</c> in v1/v2 (as their vectors show); a heartbeat keeps the session's end.
    /// </summary>
    public sealed class SessionTokenFieldsTests : IClassFixture<ServerTrio>
    {
        private readonly ServerTrio _servers;

        public SessionTokenFieldsTests(ServerTrio servers) => _servers = servers;

        [Theory]
        [InlineData(SigningMode.HmacV1, "expiresIn")]
        [InlineData(SigningMode.HmacV2, "expiresIn")]
        [InlineData(SigningMode.Ed25519, "exp")]
        public async Task TheTokenCarriesTheIdentityAndTheSessionEndUnderItsGenerationsName(SigningMode mode, string endName)
        {
            DevServerHost server = _servers[mode];
            string key = ServerTrio.NewLicense(server);
            using var http = new HttpClient { BaseAddress = new System.Uri(server.BaseUrl) };
            var api = new AuthApi(http, server);

            ApiResponse login = await api.ValidateAsync(key, "hwid-fields", ttlSeconds: 7200);
            ApiResponse beat = await api.HeartbeatAsync(login.SessionToken, "hwid-fields");

            login.AssertOk();
            beat.AssertOk();
            JsonElement body = login.TokenBody;
            Assert.Equal(server.AppId, body.GetProperty("appId").GetString());
            Assert.Equal(key, body.GetProperty("licenseKey").GetString());
            Assert.Equal("hwid-fields", body.GetProperty("hwid").GetString());
            string otherName = endName == "exp" ? "expiresIn" : "exp";
            Assert.False(body.TryGetProperty(otherName, out _));
            long end = body.GetProperty(endName).GetInt64();
            Assert.Equal(login.PayloadJson.GetProperty("expiresIn").GetInt64(), end);
            Assert.Equal(7200, end - SessionBindingTestsTime(login));
            // The heartbeat keeps the session's end: same token, same end.
            Assert.Equal(login.SessionToken, beat.SessionToken);
            Assert.Equal(end, beat.TokenBody.GetProperty(endName).GetInt64());
            Assert.Equal(end, beat.PayloadJson.GetProperty("expiresIn").GetInt64());
        }

        private static long SessionBindingTestsTime(ApiResponse response)
        {
            JsonElement timestamp = response.PayloadJson.GetProperty("timestamp");
            return AuthForge.Tests.Client.SessionBindingTests.UnixSeconds(
                timestamp.ValueKind == JsonValueKind.Number ? timestamp.GetInt64() : timestamp.GetString());
        }
    }
}
