using System;
using System.Globalization;
using System.Linq;
using System.Text;
using System.Text.Json;
using System.Threading.Tasks;
using AuthForge.DevServer;
using Xunit;

namespace AuthForge.Tests.DevServer
{
    /// <summary>v3: Ed25519 signatures (checked with BouncyCastle), the v3 payload fields, key ids and rotation.</summary>
    public sealed class Ed25519ProtocolTests : IClassFixture<Ed25519Fixture>
    {
        private readonly Ed25519Fixture _server;

        public Ed25519ProtocolTests(Ed25519Fixture server)
        {
            _server = server;
        }

        internal static bool Verifies(string publicKeyBase64, string payload, string signatureBase64)
        {
            byte[] publicKey = Convert.FromBase64String(publicKeyBase64);
            byte[] signature = Convert.FromBase64String(signatureBase64);
            byte[] message = Encoding.ASCII.GetBytes(payload);
            return signature.Length == 64 && publicKey.Length == 32
                && Org.BouncyCastle.Math.EC.Rfc8032.Ed25519.Verify(signature, 0, publicKey, 0, message, 0, message.Length);
        }

        [Fact]
        public void SeededKey_IsTheRfc8032PublicKey()
        {
            Assert.Equal(Convert.ToBase64String(Convert.FromHexString(Ed25519Fixture.PublicKeyHex)), _server.Host.PublicKeysBase64[0]);
        }

        [Fact]
        public async Task Validate_IsEd25519SignedOverThePayloadText_WithAKeyId()
        {
            ApiResponse login = await _server.Api.LoginAsync(_server.NewLicense(), "h");

            Assert.True(Verifies(_server.Host.PublicKeyBase64, login.Payload!, login.Signature!));
            Assert.Equal(64, Convert.FromBase64String(login.Signature!).Length);
            Assert.Equal(_server.Host.KeyId, login.KeyId);
            Assert.Equal(login.SentNonce, login.PayloadJson.GetProperty("nonce").GetString());
        }

        [Fact]
        public async Task Heartbeat_IsEd25519Signed()
        {
            ApiResponse login = await _server.Api.LoginAsync(_server.NewLicense(), "h");
            ApiResponse beat = await _server.Api.HeartbeatAsync(login.SessionToken, "h");

            beat.AssertOk();
            Assert.True(Verifies(_server.Host.PublicKeyBase64, beat.Payload!, beat.Signature!));
            Assert.Equal(login.SessionToken, beat.SessionToken);
        }

        [Fact]
        public async Task Payload_HasTheV3Fields()
        {
            DateTimeOffset licenseEnd = new(2031, 5, 6, 7, 8, 9, TimeSpan.Zero);
            string key = _server.NewLicense(slots: 3, expiresAt: licenseEnd, label: "Pro");
            ApiResponse login = await _server.Api.ValidateAsync(key, "h", ttlSeconds: 7200);

            JsonElement p = login.PayloadJson;
            Assert.Equal(
                ["sessionToken", "timestamp", "expiresIn", "nonce", "appVariables", "licenseVariables", "requestId",
                 "sessionExpiresAt", "licenseExpiresAt", "maxHwidSlots", "hwidCount", "licenseLabel"],
                p.EnumerateObject().Select(m => m.Name).ToArray());
            DateTimeOffset now = _server.Clock.UtcNow;
            DateTimeOffset timestamp = DateTimeOffset.Parse(p.GetProperty("timestamp").GetString()!, CultureInfo.InvariantCulture);
            Assert.Equal(now.ToUnixTimeMilliseconds(), timestamp.ToUnixTimeMilliseconds());
            Assert.EndsWith("Z", p.GetProperty("timestamp").GetString(), StringComparison.Ordinal);
            long expiresIn = p.GetProperty("expiresIn").GetInt64();
            Assert.Equal(now.ToUnixTimeSeconds() + 7200, expiresIn);
            Assert.Equal(DateTimeOffset.FromUnixTimeSeconds(expiresIn), DateTimeOffset.Parse(p.GetProperty("sessionExpiresAt").GetString()!, CultureInfo.InvariantCulture));
            Assert.Equal(licenseEnd, DateTimeOffset.Parse(p.GetProperty("licenseExpiresAt").GetString()!, CultureInfo.InvariantCulture));
            Assert.Equal(3, p.GetProperty("maxHwidSlots").GetInt32());
            Assert.Equal(1, p.GetProperty("hwidCount").GetInt32());
            Assert.Equal("Pro", p.GetProperty("licenseLabel").GetString());
            Assert.False(string.IsNullOrEmpty(p.GetProperty("requestId").GetString()));
        }

        [Fact]
        public async Task Payload_UnsetLicenceFields_AreNull()
        {
            ApiResponse login = await _server.Api.LoginAsync(_server.NewLicense(), "h");

            Assert.Equal(JsonValueKind.Null, login.PayloadJson.GetProperty("licenseExpiresAt").ValueKind);
            Assert.Equal(JsonValueKind.Null, login.PayloadJson.GetProperty("licenseLabel").ValueKind);
        }

        [Fact]
        public async Task Rotation_SignsWithTheNewKey_AndListsTheOldOne()
        {
            string key = _server.NewLicense();
            string before = _server.Host.PublicKeyBase64;
            string oldKeyId = _server.Host.KeyId;

            string rotated = _server.Host.RotateSigningKey();

            Assert.Equal(rotated, _server.Host.PublicKeyBase64);
            Assert.NotEqual(before, rotated);
            Assert.Equal(before, _server.Host.PublicKeysBase64[^2]);
            Assert.Equal(rotated, _server.Host.PublicKeysBase64[^1]);
            ApiResponse login = await _server.Api.LoginAsync(key, "h");
            Assert.True(Verifies(rotated, login.Payload!, login.Signature!));
            Assert.False(Verifies(before, login.Payload!, login.Signature!));
            Assert.NotEqual(oldKeyId, login.KeyId);
            Assert.Equal(_server.Host.KeyId, login.KeyId);
        }

        [Fact]
        public async Task WrongKeyFault_DoesNotVerifyWithAnyServerKey()
        {
            string key = _server.NewLicense();
            _server.Host.AddFault(new DevFault(DevFaultKind.WrongKey));

            ApiResponse login = await _server.Api.ValidateAsync(key, "h");

            login.AssertOk();
            Assert.Equal(64, Convert.FromBase64String(login.Signature!).Length);
            Assert.All(_server.Host.PublicKeysBase64, k => Assert.False(Verifies(k, login.Payload!, login.Signature!)));
        }

        [Fact]
        public async Task TamperFaults_DoNotVerify()
        {
            string key = _server.NewLicense(slots: 5);
            _server.Host.AddFault(new DevFault(DevFaultKind.TamperSignature));
            ApiResponse tampered = await _server.Api.ValidateAsync(key, "h");
            _server.Host.AddFault(new DevFault(DevFaultKind.TamperPayload));
            ApiResponse altered = await _server.Api.ValidateAsync(key, "h");

            Assert.False(Verifies(_server.Host.PublicKeyBase64, tampered.Payload!, tampered.Signature!));
            Assert.Equal(64, Convert.FromBase64String(tampered.Signature!).Length);
            Assert.False(Verifies(_server.Host.PublicKeyBase64, altered.Payload!, altered.Signature!));
        }

        [Fact]
        public async Task KeysRoute_ListsKeys_AndRotateRouteRotates()
        {
            using var content = new System.Net.Http.StringContent("");
            using System.Net.Http.HttpResponseMessage response = await _server.Http.PostAsync("/admin/keys/rotate", content);
            Assert.Equal(200, (int)response.StatusCode);
            using JsonDocument rotated = JsonDocument.Parse(await response.Content.ReadAsStringAsync());
            Assert.Equal(_server.Host.PublicKeyBase64, rotated.RootElement.GetProperty("publicKey").GetString());
            Assert.Equal(_server.Host.KeyId, rotated.RootElement.GetProperty("keyId").GetString());

            using JsonDocument keys = JsonDocument.Parse(await _server.Http.GetStringAsync("/admin/keys"));
            Assert.Equal("v3", keys.RootElement.GetProperty("mode").GetString());
            Assert.Equal(
                _server.Host.PublicKeysBase64,
                keys.RootElement.GetProperty("keys").EnumerateArray().Select(k => k.GetProperty("publicKey").GetString()!).ToArray());
        }
    }
}
