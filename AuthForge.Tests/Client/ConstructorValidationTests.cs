using System;
using System.Collections.Generic;
using System.Net.Http;
using System.Numerics;
using System.Threading.Tasks;
using AuthForge.DevServer;
using AuthForge.Tests.Support;
using Xunit;

namespace AuthForge.Tests.Client
{
    /// <summary>Bad settings fail at construction with an exception naming the parameter; good ones reach the server.</summary>
    public sealed class ConstructorValidationTests
    {
        private const string Loopback = "http://127.0.0.1:1";

        [Theory]
        [InlineData(null, "secret", "appId")]
        [InlineData("", "secret", "appId")]
        [InlineData("   ", "secret", "appId")]
        [InlineData("app", null, "appSecret")]
        [InlineData("app", "", "appSecret")]
        public void MissingCredentialsAreNamed(string? appId, string? appSecret, string param)
        {
            AssertParam(param, () => new AuthForgeClient(appId!, appSecret!, "SERVER", apiBaseUrl: Loopback));
            AssertParam(param, () => new AuthForgeClient(new AuthForgeClientOptions { AppId = appId!, AppSecret = appSecret!, ApiBaseUrl = Loopback }));
        }

        [Theory]
        [InlineData("FOO")]
        [InlineData("")]
        [InlineData("SERVERS")]
        public void AnUnknownHeartbeatModeIsNamed(string mode)
        {
            AssertParam("heartbeatMode", () => new AuthForgeClient("app", "secret", mode, apiBaseUrl: Loopback));
        }

        [Fact]
        public void AnUndefinedHeartbeatModeValueIsNamed()
        {
            AssertParam("heartbeatMode", () => new AuthForgeClient(Options(o => o.HeartbeatMode = (HeartbeatMode)7)));
            AssertParam("heartbeatMode", () => new AuthForgeClient("app", "secret", (string)null!, apiBaseUrl: Loopback));
        }

        [Theory]
        [InlineData("server")]
        [InlineData("SERVER")]
        [InlineData("Server")]
        [InlineData("local")]
        [InlineData("Local")]
        [InlineData("LOCAL")]
        public void HeartbeatModeNamesAreCaseInsensitive(string mode)
        {
            using var client = new AuthForgeClient("app", "secret", mode, apiBaseUrl: Loopback);
            Assert.Contains("Mode=" + (mode.ToUpperInvariant() == "SERVER" ? "Server" : "Local"), client.ToString());
        }

        [Theory]
        [InlineData(0)]
        [InlineData(-1)]
        public void ANonPositiveHeartbeatIntervalIsNamed(int seconds)
        {
            AssertParam("heartbeatInterval", () => new AuthForgeClient("app", "secret", "SERVER", heartbeatInterval: seconds, apiBaseUrl: Loopback));
            AssertParam("heartbeatInterval", () => new AuthForgeClient(Options(o => o.HeartbeatInterval = TimeSpan.FromSeconds(seconds))));
        }

        [Theory]
        [InlineData(0)]
        [InlineData(-5)]
        public void ANonPositiveRequestTimeoutIsNamed(int seconds)
        {
            AssertParam("requestTimeout", () => new AuthForgeClient("app", "secret", "SERVER", apiBaseUrl: Loopback, requestTimeout: seconds));
            AssertParam("requestTimeout", () => new AuthForgeClient(Options(o => o.RequestTimeout = TimeSpan.FromSeconds(seconds))));
        }

        [Theory]
        [InlineData(0)]
        [InlineData(-3600)]
        public void ANonPositiveTtlIsNamed(int ttl)
        {
            AssertParam("ttlSeconds", () => new AuthForgeClient("app", "secret", "SERVER", apiBaseUrl: Loopback, ttlSeconds: ttl));
        }

        [Theory]
        [InlineData("not a url")]
        [InlineData("ftp://x")]
        [InlineData("http://example.com")]
        [InlineData("https://api.example.com/?q=1")]
        [InlineData("https://user:pass@api.example.com")]
        [InlineData("/auth")]
        public void ABadBaseUrlIsNamed(string url)
        {
            AssertParam("apiBaseUrl", () => new AuthForgeClient("app", "secret", "SERVER", apiBaseUrl: url));
        }

        [Theory]
        [InlineData("http://127.0.0.1:1", false)]
        [InlineData("http://localhost:8080", false)]
        [InlineData("http://[::1]:8080", false)]
        [InlineData("https://auth.example.com", false)]
        [InlineData("http://example.com", true)]
        [InlineData("http://10.0.0.5:8080/api", true)]
        public void AcceptableBaseUrls(string url, bool allowInsecureHttp)
        {
            using var client = new AuthForgeClient("app", "secret", "SERVER", apiBaseUrl: url, allowInsecureHttp: allowInsecureHttp);
            Assert.False(client.IsAuthenticated());
        }

        [Fact]
        public void MalformedPublicKeysAreNamed()
        {
            string wrongLength = Convert.ToBase64String(new byte[31]);
            string tooLong = Convert.ToBase64String(new byte[33]);
            string offCurve = Convert.ToBase64String(PointNotOnCurve());
            string good = Convert.ToBase64String(Ed25519Signer.Generate().PublicKey);
            foreach (string key in new[] { "not base64!", wrongLength, tooLong, offCurve, good + ",", good + ",," + good, good + "," + offCurve })
            {
                AssertParam("publicKey", () => new AuthForgeClient("app", "secret", "SERVER", apiBaseUrl: Loopback, publicKey: key));
            }
            AssertParam("publicKey", () => new AuthForgeClient(Options(o => o.PublicKeys.Add(offCurve))));

            // The same checks let a genuine key through, alone or in a list.
            using var one = new AuthForgeClient("app", "secret", "SERVER", apiBaseUrl: Loopback, publicKey: good);
            using var two = new AuthForgeClient("app", "secret", "SERVER", apiBaseUrl: Loopback, publicKey: good + ", " + good);
            Assert.Contains("v3", one.ToString());
        }

        [Fact]
        public void AnEmptyOrNullLicenceKeyIsNamedBeforeAnyRequest()
        {
            using var client = new AuthForgeClient(Options(_ => { }));

            AssertParam("licenseKey", () => client.Login(null!));
            AssertParam("licenseKey", () => client.Login(""));
            AssertParam("licenseKey", () => client.LoginAsync("").GetAwaiter().GetResult());
        }

        [Fact]
        public void TheOptionsAreCopiedAtConstruction()
        {
            AuthForgeClientOptions options = Options(_ => { });
            using var client = new AuthForgeClient(options);
            options.PublicKeys.Add("garbage");
            options.AppId = "";
            // A client that kept a reference to the options (instead of copying them) would now describe the new values.
            Assert.Contains("AppId=app", client.ToString());
            Assert.Contains("v1/v2", client.ToString());
        }

        [Theory]
        [InlineData(10, 3600)]
        [InlineData(3600, 3600)]
        [InlineData(7200, 7200)]
        [InlineData(10_000_000, 604_800)]
        public async Task TheRequestedTtlReachesTheServerWhichClampsIt(int ttl, long expected)
        {
            await using DevServerHost server = await LiveServer.StartAsync(SigningMode.HmacV1);
            AuthForgeClientOptions options = LiveServer.ClientOptions(server, new FailureRecorder());
            options.TtlSeconds = ttl;
            using var client = new AuthForgeClient(options);

            Assert.True(await client.LoginAsync(LiveServer.LicenseKey));

            // v1 states both instants as unix seconds in the signed payload: their difference is the granted length.
            var session = client.GetSessionData()!;
            Assert.Equal(expected, (long)session["expiresIn"]! - (long)session["timestamp"]!);
        }

        [Fact]
        public async Task WithoutATtlTheServerDefaultApplies()
        {
            await using DevServerHost server = await LiveServer.StartAsync(SigningMode.HmacV1);
            using var client = new AuthForgeClient(LiveServer.ClientOptions(server, new FailureRecorder()));

            AuthForgeValidationResult result = await client.ValidateLicenseAsync(LiveServer.LicenseKey);

            Assert.InRange(result.Session!.ExpiresAt - DateTimeOffset.UtcNow, TimeSpan.FromSeconds(86400 - 60), TimeSpan.FromSeconds(86400 + 60));
        }

        [Fact]
        public async Task WithoutABaseUrlTheClientAsksTheHostedService()
        {
            // Null means "the service's address", read from the library at run time, never compiled into the caller.
            var sent = new List<Uri>();
            using var handler = new RecordingHandler
            {
                BeforeSendRequest = (request, _) =>
                {
                    lock (sent) sent.Add(request.RequestUri!);
                    throw new HttpRequestException("no network in this test");
                },
            };
            using var http = new HttpClient(handler);
            var failures = new FailureRecorder();
            var options = new AuthForgeClientOptions
            {
                AppId = "app", AppSecret = "secret", HwidOverride = "test-hwid", HttpClient = http, OnFailure = failures.Callback,
                Retry = new RetryPolicy(new[] { TimeSpan.Zero, TimeSpan.Zero }, TimeSpan.Zero),
            };
            Assert.Null(options.ApiBaseUrl);
            using var client = new AuthForgeClient(options);

            Assert.False(await client.LoginAsync("K-1"));

            Assert.Equal(AuthForgeErrorCodes.NetworkError, Assert.Single(failures.All).Code);
            lock (sent) Assert.All(sent, uri => Assert.Equal(AuthForgeClientOptions.DefaultApiBaseUrl + "/auth/validate", uri.ToString()));
            Assert.Equal("https://auth.authforge.cc", AuthForgeClientOptions.DefaultApiBaseUrl);
            Assert.Contains("ApiBaseUrl=https://auth.authforge.cc", options.ToString(), StringComparison.Ordinal);
        }

        private static void AssertParam(string param, Action construct)
        {
            ArgumentException error = Assert.ThrowsAny<ArgumentException>(() => construct());
            Assert.Equal(param, error.ParamName);
        }

        private static AuthForgeClientOptions Options(Action<AuthForgeClientOptions> adjust)
        {
            var options = new AuthForgeClientOptions { AppId = "app", AppSecret = "secret", ApiBaseUrl = Loopback };
            adjust(options);
            return options;
        }

        /// <summary>
        /// 32 bytes that decode to no Ed25519 point: the smallest y for which x² = (y² − 1) / (d·y² + 1) has no square
        /// root mod p (Euler's criterion), computed here rather than taken from the implementation under test.
        /// </summary>
        private static byte[] PointNotOnCurve()
        {
            BigInteger p = BigInteger.Pow(2, 255) - 19;
            BigInteger d = Mod(-121665 * BigInteger.ModPow(121666, p - 2, p), p);
            for (BigInteger y = 2; ; y++)
            {
                BigInteger u = Mod(y * y - 1, p);
                BigInteger v = Mod(d * y * y + 1, p);
                BigInteger x2 = Mod(u * BigInteger.ModPow(v, p - 2, p), p);
                if (BigInteger.ModPow(x2, (p - 1) / 2, p) == p - 1)
                {
                    byte[] bytes = new byte[32];
                    y.TryWriteBytes(bytes, out _, isUnsigned: true, isBigEndian: false);
                    return bytes;
                }
            }
        }

        private static BigInteger Mod(BigInteger a, BigInteger m) => ((a % m) + m) % m;
    }
}
