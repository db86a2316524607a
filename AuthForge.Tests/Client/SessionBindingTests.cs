using System;
using System.Globalization;
using System.Linq;
using System.Net.Http;
using System.Text;
using System.Threading.Tasks;
using AuthForge.DevServer;
using AuthForge.Tests.Support;
using Xunit;

namespace AuthForge.Tests.Client
{
    /// <summary>
    /// The relay attacks, over real HTTP in every generation: a proxy on the licensee's machine rewrites the
    /// client's requests (never the signed answers), the server answers the rewritten request honestly, and the client
    /// must notice that the verified session was issued for something it did not ask for.
    /// </summary>
    public sealed class SessionBindingTests : IClassFixture<ServerTrio>
    {
        private static readonly TimeSpan s_fastBeat = TimeSpan.FromMilliseconds(25);

        private readonly ServerTrio _servers;

        public SessionBindingTests(ServerTrio servers) => _servers = servers;

        public static TheoryData<SigningMode> Modes => new TheoryData<SigningMode> { SigningMode.HmacV1, SigningMode.HmacV2, SigningMode.Ed25519 };

        [Theory]
        [MemberData(nameof(Modes))]
        public async Task RelayCarryingAnotherMachinesHwidIsSessionMismatch(SigningMode mode)
        {
            DevServerHost server = _servers[mode];
            string key = ServerTrio.NewLicense(server, slots: 1);
            using (var machineA = new AuthForgeClient(Options(server, new FailureRecorder(), "machine-A")))
            {
                Assert.True(await machineA.LoginAsync(key));
            }

            using var relay = new Relay { RewriteRequest = (path, body) => body["hwid"] = "machine-A" };
            using HttpClient http = relay.CreateClient();
            var failures = new FailureRecorder();
            AuthForgeClientOptions options = Options(server, failures, "machine-B", http);
            using var machineB = new AuthForgeClient(options);

            Assert.False(await machineB.LoginAsync(key));

            Assert.Equal(AuthForgeErrorCodes.SessionMismatch, Assert.Single(failures.All).Code);
            Assert.Equal(AuthForgeFailureReason.LoginFailed, failures.All[0].Reason);
            LoginTests.AssertLoggedOut(machineB);
            Assert.Equal(0, options.Scheduler.ScheduledCount);
            // The server did grant the session (to machine A's hwid): only the client's binding refused it.
            DevRequestRecord granted = (await ServerLog.WaitForAsync(server, ServerLog.Validate, key, 2)).Last();
            Assert.Equal(200, granted.StatusCode);
            Assert.Equal("machine-A", granted.Hwid);
            Assert.Equal(new[] { "machine-A" }, server.GetLicense(key)!.BoundHwids);

            AuthForgeValidationResult result = await machineB.ValidateLicenseAsync(key);
            Assert.False(result.IsValid);
            Assert.Equal(AuthForgeErrorCodes.SessionMismatch, result.Code);
            Assert.Null(result.SessionToken);
        }

        [Theory]
        [MemberData(nameof(Modes))]
        public async Task RelaySwappingInAnotherCustomersKeyIsSessionMismatch(SigningMode mode)
        {
            DevServerHost server = _servers[mode];
            string theirs = ServerTrio.NewLicense(server);
            using var relay = new Relay
            {
                RewriteRequest = (path, body) =>
                {
                    if (path == ServerLog.Validate) body["licenseKey"] = theirs;
                },
            };
            using HttpClient http = relay.CreateClient();
            var failures = new FailureRecorder();
            using var client = new AuthForgeClient(Options(server, failures, "test-hwid", http));

            Assert.False(await client.LoginAsync("NO-SUCH-KEY"));

            Assert.Equal(AuthForgeErrorCodes.SessionMismatch, Assert.Single(failures.All).Code);
            LoginTests.AssertLoggedOut(client);
            Assert.Null(client.GetLicenseVariables());
            Assert.Equal(200, (await ServerLog.WaitForAsync(server, ServerLog.Validate, theirs, 1)).Single().StatusCode);

            AuthForgeValidationResult result = await client.ValidateLicenseAsync("NO-SUCH-KEY");
            Assert.Equal(AuthForgeErrorCodes.SessionMismatch, result.Code);
            Assert.Null(result.Session);
        }

        [Theory]
        [MemberData(nameof(Modes))]
        public async Task LicenceKeyIsComparedTrimmedAndCaseInsensitively(SigningMode mode)
        {
            // The server may normalise the key it echoes: " k-abc " and "K-ABC" name the same licence.
            DevServerHost server = _servers[mode];
            string key = ServerTrio.NewLicense(server);
            using var relay = new Relay { RewriteRequest = (path, body) => body["licenseKey"] = key };
            using HttpClient http = relay.CreateClient();
            var failures = new FailureRecorder();
            using var client = new AuthForgeClient(Options(server, failures, "test-hwid", http));

            Assert.True(await client.LoginAsync("  " + key.ToLowerInvariant() + " "));
            Assert.Equal(0, failures.Count);
        }

        [Theory]
        [MemberData(nameof(Modes))]
        public async Task HeartbeatAnsweredWithAnotherSessionIsSessionMismatch(SigningMode mode)
        {
            DevServerHost server = _servers[mode];
            string mine = ServerTrio.NewLicense(server);
            string theirs = ServerTrio.NewLicense(server);
            string theirToken;
            using (var other = new AuthForgeClient(Options(server, new FailureRecorder(), "their-machine")))
            {
                Assert.True(await other.LoginAsync(theirs));
                theirToken = (string)other.GetSessionData()!["sessionToken"]!;
            }

            using var relay = new Relay();
            using HttpClient http = relay.CreateClient();
            var failures = new FailureRecorder();
            AuthForgeClientOptions options = Options(server, failures, "my-machine", http);
            options.HeartbeatInterval = s_fastBeat;
            using var client = new AuthForgeClient(options);
            Assert.True(await client.LoginAsync(mine));

            if (mode == SigningMode.HmacV2)
            {
                // v2 signs heartbeats with the presented session's sigKey, which this client would not accept; but
                // sigKeys travel readable in the tokens, so the relay re-signs the answer with this client's own (set
                // first, so no swapped heartbeat slips through un-re-signed).
                string mySigKey = (string)Answer.TokenBody((string)client.GetSessionData()!["sessionToken"]!)["sigKey"]!;
                relay.RewriteAnswer = answer =>
                {
                    if (answer.Path != ServerLog.Heartbeat || answer.StatusCode != 200) return answer.Body;
                    string payloadText = (string)Answer.Envelope(answer.Body)["payload"]!;
                    return Answer.Write(payloadText, Signed.HmacHex(mySigKey, answer.Nonce, payloadText));
                };
            }
            // From now on the relay presents the other customer's session on every heartbeat.
            relay.RewriteRequest = (path, body) =>
            {
                if (path != ServerLog.Heartbeat) return;
                body["sessionToken"] = theirToken;
                body["hwid"] = "their-machine";
            };
            Failure failure = await failures.NextAsync();

            Assert.Equal(AuthForgeFailureReason.HeartbeatFailed, failure.Reason);
            Assert.Equal(AuthForgeErrorCodes.SessionMismatch, failure.Code);
            LoginTests.AssertLoggedOut(client);
            await ServerLog.UntilAsync(() => ServerLog.For(server, ServerLog.Heartbeat, theirs).Any(r => r.StatusCode == 200),
                "the server answering the swapped heartbeat");
        }

        [Theory]
        [MemberData(nameof(Modes))]
        public async Task RelayInflatingTheTtlIsHeldToTheRequestedTtl(SigningMode mode)
        {
            DevServerHost server = _servers[mode];
            string key = ServerTrio.NewLicense(server);
            using var relay = new Relay
            {
                RewriteRequest = (path, body) =>
                {
                    if (path == ServerLog.Validate) body["ttlSeconds"] = 604800;
                },
            };
            using HttpClient http = relay.CreateClient();
            var failures = new FailureRecorder();
            var clock = new ManualClock();
            AuthForgeClientOptions options = Options(server, failures, "test-hwid", http);
            options.HeartbeatMode = HeartbeatMode.Local;
            options.TtlSeconds = 3600;
            options.Clock = clock;
            using var client = new AuthForgeClient(options);

            Assert.True(await client.LoginAsync(key));

            var payload = client.GetSessionData()!;
            long timestamp = UnixSeconds(payload["timestamp"]);
            // The server was talked into a week...
            Assert.Equal(604800, Convert.ToInt64(payload["expiresIn"], CultureInfo.InvariantCulture) - timestamp);
            // ...and the client holds it to the hour it asked for, plus the documented slack.
            long allowed = 3600 + (long)AuthForgeClientOptions.SessionLengthSlack.TotalSeconds;
            long before = DateTimeOffset.UtcNow.ToUnixTimeSeconds();
            AuthForgeValidationResult result = await client.ValidateLicenseAsync(key);
            long after = DateTimeOffset.UtcNow.ToUnixTimeSeconds();
            Assert.True(result.IsValid, result.Code);
            Assert.InRange(result.Session!.ExpiresAt.ToUnixTimeSeconds() - allowed, before - 1, after + 1);

            clock.Advance(TimeSpan.FromSeconds(allowed - 5));
            Assert.True(client.IsAuthenticated());
            clock.Advance(TimeSpan.FromSeconds(10));
            Assert.False(client.IsAuthenticated());
        }

        [Theory]
        [MemberData(nameof(Modes))]
        public async Task WithoutTtlTheServiceDefaultDayIsTheCap(SigningMode mode)
        {
            DevServerHost server = _servers[mode];
            string key = ServerTrio.NewLicense(server);
            using var relay = new Relay { RewriteRequest = (path, body) => body["ttlSeconds"] = 604800 };
            using HttpClient http = relay.CreateClient();
            var clock = new ManualClock();
            AuthForgeClientOptions options = Options(server, new FailureRecorder(), "test-hwid", http);
            options.HeartbeatMode = HeartbeatMode.Local;
            options.Clock = clock;
            using var client = new AuthForgeClient(options);

            Assert.True(await client.LoginAsync(key));

            clock.Advance(TimeSpan.FromSeconds(86400 + AuthForgeClientOptions.SessionLengthSlack.TotalSeconds + 1));
            Assert.False(client.IsAuthenticated());
        }

        internal static long UnixSeconds(object? timestamp) => timestamp switch
        {
            long seconds => seconds,
            int seconds => seconds,
            double seconds => (long)seconds,
            string text => DateTimeOffset.Parse(text, CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal).ToUnixTimeSeconds(),
            _ => throw new ArgumentException("not a timestamp: " + timestamp),
        };

        private static AuthForgeClientOptions Options(DevServerHost server, FailureRecorder failures, string hwid, HttpClient? http = null)
        {
            AuthForgeClientOptions options = LiveServer.ClientOptions(server, failures);
            options.HwidOverride = hwid;
            options.HttpClient = http;
            return options;
        }

        [Fact]
        public async Task VerifiedPublicKeyNamesTheTrustedKeyThatVerifiedAndKeyIdIsOnlyTheServersClaim()
        {
            DevServerHost server = _servers[SigningMode.Ed25519];
            string key = ServerTrio.NewLicense(server);
            string otherKey = Convert.ToBase64String(Ed25519Signer.Generate().PublicKey);
            using var relay = new Relay
            {
                // keyId is outside the signed payload: a relay can rename it without breaking the signature.
                RewriteAnswer = answer =>
                {
                    var envelope = Answer.Envelope(answer.Body);
                    envelope["keyId"] = "forged-key-id";
                    return Encoding.UTF8.GetBytes(envelope.ToJsonString());
                },
            };
            using HttpClient http = relay.CreateClient();
            AuthForgeClientOptions options = LiveServer.ClientOptions(server, new FailureRecorder());
            options.PublicKeys.Insert(0, otherKey);
            options.HttpClient = http;
            using var client = new AuthForgeClient(options);

            AuthForgeValidationResult result = await client.ValidateLicenseAsync(key);

            Assert.True(result.IsValid, result.Code);
            Assert.Equal(server.PublicKeyBase64, result.Session!.VerifiedPublicKey);
            Assert.Equal("forged-key-id", result.Session!.KeyId);
        }

        [Theory]
        [InlineData(0)]
        [InlineData(1)]
        [InlineData(2)]
        [InlineData(3)]
        public void ABlankOrIllFormedHwidOverrideIsAnArgumentException(int index)
        {
            string hwid = new[] { "tg:\uD800", "", "   ", "\t" }[index];
            DevServerHost server = _servers[SigningMode.HmacV1];
            AuthForgeClientOptions options = LiveServer.ClientOptions(server);
            options.HwidOverride = hwid;

            Assert.Equal("hwidOverride", Assert.Throws<ArgumentException>(() => new AuthForgeClient(options)).ParamName);
            Assert.Equal("hwidOverride", Assert.Throws<ArgumentException>(() =>
                new AuthForgeClient(server.AppId, server.AppSecret, "SERVER", apiBaseUrl: server.BaseUrl, hwidOverride: hwid)).ParamName);
        }

        [Fact]
        public void OnlyANullHwidOverrideMeansTheMachinesFingerprint()
        {
            DevServerHost server = _servers[SigningMode.HmacV1];
            AuthForgeClientOptions options = LiveServer.ClientOptions(server);
            options.HwidOverride = null;
            using var client = new AuthForgeClient(options);
            Assert.Equal(HardwareFingerprint.Current, client.GetHardwareId());
        }
    }
}
