using System.Threading.Tasks;
using Xunit;

namespace AuthForge.Tests.DevServer
{
    /// <summary>v2: validate as v1, heartbeats signed with the session's own sigKey from the token body.</summary>
    public sealed class HmacV2ProtocolTests : IClassFixture<HmacV2Fixture>
    {
        private readonly HmacV2Fixture _server;

        public HmacV2ProtocolTests(HmacV2Fixture server)
        {
            _server = server;
        }

        [Fact]
        public async Task Validate_IsSignedWithTheAppSecretKey()
        {
            ApiResponse login = await _server.Api.LoginAsync(_server.NewLicense(), "h");

            Assert.Equal(ApiResponse.ExpectedHmac(_server.Host.AppSecret, login.SentNonce!, login.Payload!), login.Signature);
        }

        [Fact]
        public async Task Heartbeat_IsSignedWithTheTokensSigKey_NotTheAppSecret()
        {
            ApiResponse login = await _server.Api.LoginAsync(_server.NewLicense(), "h");
            string sigKey = login.TokenBody.GetProperty("sigKey").GetString()!;

            ApiResponse beat = await _server.Api.HeartbeatAsync(login.SessionToken, "h");

            beat.AssertOk();
            Assert.Equal(ApiResponse.ExpectedHmac(sigKey, beat.SentNonce!, beat.Payload!), beat.Signature);
            Assert.NotEqual(ApiResponse.ExpectedHmac(_server.Host.AppSecret, beat.SentNonce!, beat.Payload!), beat.Signature);
            Assert.Equal(login.SessionToken, beat.SessionToken);
        }

        [Fact]
        public async Task SigKey_IsRandomPerSession_AndNotTheAppSecret()
        {
            string key = _server.NewLicense();
            ApiResponse first = await _server.Api.LoginAsync(key, "h");
            ApiResponse second = await _server.Api.LoginAsync(key, "h");

            string a = first.TokenBody.GetProperty("sigKey").GetString()!;
            string b = second.TokenBody.GetProperty("sigKey").GetString()!;
            Assert.NotEqual(a, b);
            Assert.Equal(64, a.Length);
            Assert.NotEqual(_server.Host.AppSecret, a);
        }
    }
}
