using System;
using System.Linq;
using System.Security.Cryptography;
using System.Threading.Tasks;
using AuthForge.DevServer;
using AuthForge.Tests.Support;
using Xunit;

namespace AuthForge.Tests.Client
{
    /// <summary>
    /// v3 key rotation as a client sees it, and the rule that a client with public keys never accepts HMAC (nor an HMAC
    /// client Ed25519). A server's rotated-to key is random, so "the app before rotation" is a second server started
    /// from the same seed: the same first key, not yet rotated.
    /// </summary>
    public sealed class KeyRotationTests
    {
        private static readonly byte[] s_seed = SHA256.HashData("key-rotation-tests"u8.ToArray());

        [Fact]
        public async Task OnlyTheKeysTheClientTrustsAreAccepted()
        {
            await using DevServerHost before = await StartSeededAsync();
            await using DevServerHost after = await StartSeededAsync();
            string oldKey = after.PublicKeyBase64;
            string newKey = after.RotateSigningKey();
            Assert.Equal(oldKey, before.PublicKeyBase64);
            Assert.NotEqual(oldKey, newKey);
            Assert.Equal(new[] { oldKey, newKey }, after.PublicKeysBase64);

            await AssertLoginAsync(before, true, oldKey);
            await AssertLoginAsync(after, false, oldKey);

            await AssertLoginAsync(before, false, newKey);
            await AssertLoginAsync(after, true, newKey);

            await AssertLoginAsync(before, true, oldKey, newKey);
            await AssertLoginAsync(after, true, oldKey, newKey);
            // Order does not matter: any trusted key verifying is enough.
            await AssertLoginAsync(after, true, newKey, oldKey);

            string stranger = Convert.ToBase64String(Ed25519Signer.Generate().PublicKey);
            await AssertLoginAsync(before, false, stranger);
            await AssertLoginAsync(after, false, stranger);
        }

        [Fact]
        public async Task ARotationDuringASessionEndsItForAClientTrustingOnlyTheOldKey()
        {
            await using DevServerHost server = await StartSeededAsync();
            var failures = new FailureRecorder();
            AuthForgeClientOptions options = LiveServer.ClientOptions(server, failures, interval: TimeSpan.FromMilliseconds(25));
            using var client = new AuthForgeClient(options);
            Assert.True(await client.LoginAsync(LiveServer.LicenseKey));
            await ServerLog.WaitForAsync(server, ServerLog.Heartbeat, LiveServer.LicenseKey, 1);

            server.RotateSigningKey();

            // The server still accepts the session; it is the client that can no longer trust the answers.
            Failure failure = await failures.NextAsync();
            Assert.Equal(AuthForgeFailureReason.HeartbeatFailed, failure.Reason);
            Assert.Equal(AuthForgeErrorCodes.SignatureMismatch, failure.Code);
            Assert.Equal(200, ServerLog.For(server, ServerLog.Heartbeat, LiveServer.LicenseKey).Last().StatusCode);
            Assert.False(client.IsAuthenticated());
            Assert.Equal(0, options.Scheduler.ScheduledCount);
        }

        [Fact]
        public async Task ACommaSeparatedKeyStringTrustsEveryKeyInIt()
        {
            await using DevServerHost server = await StartSeededAsync();
            string oldKey = server.PublicKeyBase64;
            var failures = new FailureRecorder();
            using var client = new AuthForgeClient(server.AppId, server.AppSecret, "SERVER", apiBaseUrl: server.BaseUrl,
                onFailure: failures.SdkShapedCallback, publicKey: " " + oldKey + " , " + Convert.ToBase64String(Ed25519Signer.Generate().PublicKey),
                hwidOverride: "test-hwid");
            Assert.True(await client.LoginAsync(LiveServer.LicenseKey));
            client.Logout();

            string newKey = server.RotateSigningKey();
            Assert.False(await client.LoginAsync(LiveServer.LicenseKey));
            Assert.Equal(AuthForgeErrorCodes.SignatureMismatch, (await failures.NextAsync()).Code);

            using var both = new AuthForgeClient(server.AppId, server.AppSecret, "SERVER", apiBaseUrl: server.BaseUrl,
                onFailure: failures.SdkShapedCallback, publicKey: oldKey + "," + newKey, hwidOverride: "test-hwid");
            Assert.True(await both.LoginAsync(LiveServer.LicenseKey));
        }

        [Theory]
        [InlineData(SigningMode.HmacV1)]
        [InlineData(SigningMode.HmacV2)]
        public async Task AClientWithAPublicKeyNeverAcceptsHmac(SigningMode mode)
        {
            await using DevServerHost hmac = await LiveServer.StartAsync(mode);
            await using DevServerHost v3 = await StartSeededAsync();
            AuthForgeClientOptions options = LiveServer.ClientOptions(hmac, new FailureRecorder());
            // The app secret is right, so the HMAC would verify, if the client were willing to check one.
            options.PublicKeys.Add(v3.PublicKeyBase64);

            Failure failure = await LoginFailureAsync(options);

            Assert.Equal(AuthForgeErrorCodes.SignatureMismatch, failure.Code);
        }

        [Fact]
        public async Task AnHmacClientNeverAcceptsEd25519()
        {
            await using DevServerHost v3 = await StartSeededAsync();
            AuthForgeClientOptions options = LiveServer.ClientOptions(v3, new FailureRecorder());
            options.PublicKeys.Clear();

            Failure failure = await LoginFailureAsync(options);

            Assert.Equal(AuthForgeErrorCodes.SignatureMismatch, failure.Code);
        }

        private static async Task AssertLoginAsync(DevServerHost server, bool expected, params string[] trusted)
        {
            var failures = new FailureRecorder();
            AuthForgeClientOptions options = LiveServer.ClientOptions(server, failures);
            options.PublicKeys.Clear();
            foreach (string key in trusted) options.PublicKeys.Add(key);
            using var client = new AuthForgeClient(options);

            bool ok = await client.LoginAsync(LiveServer.LicenseKey);

            Assert.True(expected == ok, $"Login with {trusted.Length} trusted key(s) returned {ok}, expected {expected}.");
            if (!expected) Assert.Equal(AuthForgeErrorCodes.SignatureMismatch, Assert.Single(failures.All).Code);
        }

        private static async Task<Failure> LoginFailureAsync(AuthForgeClientOptions options)
        {
            var failures = new FailureRecorder();
            options.OnFailure = failures.Callback;
            using var client = new AuthForgeClient(options);
            Assert.False(await client.LoginAsync(LiveServer.LicenseKey));
            Assert.False(client.IsAuthenticated());
            return Assert.Single(failures.All);
        }

        private static Task<DevServerHost> StartSeededAsync() =>
            LiveServer.StartAsync(SigningMode.Ed25519, o => o.SigningKeySeed = s_seed, new DevLicense(LiveServer.LicenseKey) { MaxHwidSlots = 1 });
    }
}
