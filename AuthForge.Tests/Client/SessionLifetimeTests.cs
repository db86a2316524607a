using System;
using System.Globalization;
using System.Net.Http;
using System.Text;
using System.Text.Json.Nodes;
using System.Threading.Tasks;
using AuthForge.DevServer;
using AuthForge.Tests.Support;
using Xunit;

namespace AuthForge.Tests.Client
{
    /// <summary>
    /// Which end a session has, over real HTTP: the token's <c>exp</c> (v3) before any <c>expiresIn</c>; a session
    /// already over is not a login; and with a public key nothing signed by HMAC is ever accepted (no downgrade).
    /// Answers are edited by a relay that re-signs them as the real server would (v3: with the server's own key,
    /// which the test chose; v1: with the app secret, which every copy of the app holds).
    /// </summary>
    public sealed class SessionLifetimeTests : IClassFixture<ServerTrio>
    {
        private static readonly byte[] s_seed = Convert.FromHexString(AuthForge.Tests.DevServer.Ed25519Fixture.SeedHex);

        private readonly ServerTrio _servers;

        public SessionLifetimeTests(ServerTrio servers) => _servers = servers;

        [Fact]
        public async Task V3TokenExpIsTheSessionsEndBeforeThePayloadsExpiresIn()
        {
            await using DevServerHost server = await LiveServer.StartAsync(SigningMode.Ed25519, o => o.SigningKeySeed = s_seed);
            var signer = Ed25519Signer.FromSeed(s_seed);
            long tokenExp = 0;
            using var relay = new Relay
            {
                // The payload claims an end 30 minutes later than the token's own `exp`.
                RewriteAnswer = answer => Resign(answer, signer, payload =>
                {
                    tokenExp = (long)Answer.TokenBody((string)payload["sessionToken"]!)["exp"]!;
                    payload["expiresIn"] = tokenExp + 1800;
                }),
            };
            using HttpClient http = relay.CreateClient();
            using var client = new AuthForgeClient(Options(server, http));

            AuthForgeValidationResult result = await client.ValidateLicenseAsync(LiveServer.LicenseKey);

            Assert.True(result.IsValid, result.Code);
            Assert.Equal(tokenExp, result.Session!.ExpiresAt.ToUnixTimeSeconds());
        }

        [Fact]
        public async Task V3TokenExpAloneIsEnoughAsTheHostedServiceSendsIt()
        {
            await using DevServerHost server = await LiveServer.StartAsync(SigningMode.Ed25519, o => o.SigningKeySeed = s_seed);
            var signer = Ed25519Signer.FromSeed(s_seed);
            using var relay = new Relay { RewriteAnswer = answer => Resign(answer, signer, payload => payload.Remove("expiresIn")) };
            using HttpClient http = relay.CreateClient();
            var failures = new FailureRecorder();
            using var client = new AuthForgeClient(Options(server, http, failures));

            Assert.True(await client.LoginAsync(LiveServer.LicenseKey), failures.ToString());

            Assert.False(client.GetSessionData()!.ContainsKey("expiresIn"));
            AuthForgeValidationResult result = await client.ValidateLicenseAsync(LiveServer.LicenseKey);
            Assert.True(result.IsValid, result.Code);
            long exp = (long)Answer.TokenBody(result.SessionToken!)["exp"]!;
            Assert.Equal(exp, result.Session!.ExpiresAt.ToUnixTimeSeconds());
        }

        [Fact]
        public async Task V3TokenExpIsObeyedByTheLocalCheck()
        {
            // The token says the session ends in ten minutes; the payload says a day. LOCAL mode must end it at ten.
            await using DevServerHost server = await LiveServer.StartAsync(SigningMode.Ed25519, o => o.SigningKeySeed = s_seed);
            var signer = Ed25519Signer.FromSeed(s_seed);
            using var relay = new Relay
            {
                RewriteAnswer = answer => Resign(answer, signer, payload =>
                {
                    string token = (string)payload["sessionToken"]!;
                    JsonObject body = Answer.TokenBody(token);
                    long timestamp = SessionBindingTests.UnixSeconds((string)payload["timestamp"]!);
                    body["exp"] = timestamp + 600;
                    payload["sessionToken"] = Answer.WithTokenBody(token, body);
                }),
            };
            using HttpClient http = relay.CreateClient();
            var clock = new ManualClock();
            AuthForgeClientOptions options = Options(server, http);
            options.HeartbeatMode = HeartbeatMode.Local;
            options.Clock = clock;
            using var client = new AuthForgeClient(options);
            Assert.True(await client.LoginAsync(LiveServer.LicenseKey));

            clock.Advance(TimeSpan.FromSeconds(590));
            Assert.True(client.IsAuthenticated());
            clock.Advance(TimeSpan.FromSeconds(20));
            Assert.False(client.IsAuthenticated());
        }

        [Theory]
        [InlineData(0)]
        [InlineData(-60)]
        public async Task ASessionThatHasAlreadyEndedIsNotALogin(long endRelativeToTimestamp)
        {
            DevServerHost server = _servers[SigningMode.HmacV1];
            string key = ServerTrio.NewLicense(server);
            using var relay = new Relay
            {
                RewriteAnswer = answer => ResignHmac(answer, server.AppSecret, payload =>
                {
                    long end = (long)payload["timestamp"]! + endRelativeToTimestamp;
                    string token = (string)payload["sessionToken"]!;
                    JsonObject body = Answer.TokenBody(token);
                    body["expiresIn"] = end;
                    payload["sessionToken"] = Answer.WithTokenBody(token, body);
                    payload["expiresIn"] = end;
                }),
            };
            using HttpClient http = relay.CreateClient();
            var failures = new FailureRecorder();
            using var client = new AuthForgeClient(Options(server, http, failures));

            Assert.False(await client.LoginAsync(key));

            Assert.Equal(AuthForgeErrorCodes.SessionExpired, Assert.Single(failures.All).Code);
            LoginTests.AssertLoggedOut(client);
        }

        [Fact]
        public async Task V3HeartbeatAnsweredWithACorrectHmacUnderTheTokensSigKeyFails()
        {
            DevServerHost server = _servers[SigningMode.Ed25519];
            string key = ServerTrio.NewLicense(server);
            using var relay = new Relay();
            using HttpClient http = relay.CreateClient();
            var failures = new FailureRecorder();
            AuthForgeClientOptions options = Options(server, http, failures);
            options.HeartbeatInterval = TimeSpan.FromMilliseconds(25);
            using var client = new AuthForgeClient(options);
            Assert.True(await client.LoginAsync(key));
            string sigKey = (string)Answer.TokenBody((string)client.GetSessionData()!["sessionToken"]!)["sigKey"]!;
            Assert.False(string.IsNullOrEmpty(sigKey));

            // The genuine heartbeat payload, signed the v2 way: correct HMAC-SHA256 under SHA256(sigKey ‖ nonce).
            relay.RewriteAnswer = answer =>
            {
                if (answer.Path != ServerLog.Heartbeat || answer.StatusCode != 200) return answer.Body;
                string payloadText = (string)Answer.Envelope(answer.Body)["payload"]!;
                return Answer.Write(payloadText, Signed.HmacHex(sigKey, answer.Nonce, payloadText));
            };
            Failure failure = await failures.NextAsync();

            Assert.Equal(AuthForgeFailureReason.HeartbeatFailed, failure.Reason);
            Assert.Equal(AuthForgeErrorCodes.SignatureMismatch, failure.Code);
            LoginTests.AssertLoggedOut(client);
        }

        [Theory]
        [InlineData(HeartbeatMode.Server)]
        [InlineData(HeartbeatMode.Local)]
        public async Task V3ValidateAnsweredWithACorrectHmacUnderTheAppSecretFails(HeartbeatMode mode)
        {
            DevServerHost server = _servers[SigningMode.Ed25519];
            string key = ServerTrio.NewLicense(server);
            using var relay = new Relay
            {
                RewriteAnswer = answer =>
                {
                    string payloadText = (string)Answer.Envelope(answer.Body)["payload"]!;
                    return Answer.Write(payloadText, Signed.HmacHex(server.AppSecret, answer.Nonce, payloadText));
                },
            };
            using HttpClient http = relay.CreateClient();
            var failures = new FailureRecorder();
            AuthForgeClientOptions options = Options(server, http, failures);
            options.HeartbeatMode = mode;
            using var client = new AuthForgeClient(options);

            Assert.False(await client.LoginAsync(key));
            Assert.Equal(AuthForgeErrorCodes.SignatureMismatch, Assert.Single(failures.All).Code);
            Assert.Equal(AuthForgeErrorCodes.SignatureMismatch, (await client.ValidateLicenseAsync(key)).Code);
        }

        private static byte[] Resign(RelayedAnswer answer, Ed25519Signer signer, Action<JsonObject> edit)
        {
            if (answer.StatusCode != 200) return answer.Body;
            JsonObject envelope = Answer.Envelope(answer.Body);
            JsonObject payload = Answer.Payload(envelope);
            edit(payload);
            string text = Answer.PayloadText(payload);
            return Answer.Write(text, Convert.ToBase64String(signer.Sign(Encoding.ASCII.GetBytes(text))), (string?)envelope["keyId"]);
        }

        private static byte[] ResignHmac(RelayedAnswer answer, string secret, Action<JsonObject> edit)
        {
            if (answer.StatusCode != 200) return answer.Body;
            JsonObject payload = Answer.Payload(Answer.Envelope(answer.Body));
            edit(payload);
            string text = Answer.PayloadText(payload);
            return Answer.Write(text, Signed.HmacHex(secret, answer.Nonce, text));
        }

        private static AuthForgeClientOptions Options(DevServerHost server, HttpClient http, FailureRecorder? failures = null)
        {
            AuthForgeClientOptions options = LiveServer.ClientOptions(server, failures ?? new FailureRecorder());
            options.HttpClient = http;
            return options;
        }
    }
}
