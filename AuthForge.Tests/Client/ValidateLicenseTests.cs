using System;
using System.Threading.Tasks;
using AuthForge.DevServer;
using AuthForge.Tests.Support;
using Xunit;

namespace AuthForge.Tests.Client
{
    /// <summary>
    /// ValidateLicense asks the server about a key without touching the client's own session or calling back: a result
    /// object in, never a side effect out, except the one credit the server charges.
    /// </summary>
    public sealed class ValidateLicenseTests : IClassFixture<ServerTrio>
    {
        private readonly ServerTrio _servers;

        public ValidateLicenseTests(ServerTrio servers) => _servers = servers;

        [Theory]
        [InlineData(SigningMode.HmacV1)]
        [InlineData(SigningMode.HmacV2)]
        [InlineData(SigningMode.Ed25519)]
        public async Task AValidLicenceGivesTheVerifiedSessionDetails(SigningMode mode)
        {
            DevServerHost server = _servers[mode];
            string key = ServerTrio.NewLicense(server);
            var failures = new FailureRecorder();
            AuthForgeClientOptions options = LiveServer.ClientOptions(server, failures);
            using var client = new AuthForgeClient(options);

            AuthForgeValidationResult result = await client.ValidateLicenseAsync(key);

            Assert.True(result.IsValid, result.ToString());
            Assert.Null(result.Code);
            Assert.Null(result.Exception);
            Assert.False(string.IsNullOrEmpty(result.SessionToken));
            // Default session length: one day from the server's now.
            Assert.InRange(result.Session!.ExpiresAt, DateTimeOffset.UtcNow.AddSeconds(86400 - 60), DateTimeOffset.UtcNow.AddSeconds(86400 + 60));
            Assert.Equal("gold", result.Session!.AppVariables["tier"]);
            Assert.Equal("pro", result.Session!.LicenseVariables["plan"]);
            Assert.Equal(999, server.GetLicense(key)!.Credits);
            Assert.Equal(0, failures.Count);
            Assert.False(client.IsAuthenticated());
            Assert.Null(client.GetSessionData());
            // It is a query, not a login: no heartbeat was scheduled for the session it obtained.
            Assert.Equal(0, options.Scheduler.ScheduledCount);
            Assert.DoesNotContain(result.SessionToken!, result.ToString());
        }

        [Theory]
        [InlineData(SigningMode.HmacV1)]
        [InlineData(SigningMode.HmacV2)]
        public async Task TheV3DetailsAreAbsentFromHmacGenerations(SigningMode mode)
        {
            DevServerHost server = _servers[mode];
            using var client = new AuthForgeClient(LiveServer.ClientOptions(server, new FailureRecorder()));

            AuthForgeValidationResult result = client.ValidateLicense(ServerTrio.NewLicense(server, label: "ignored-in-v1-v2"));

            Assert.True(result.IsValid);
            Assert.Null(result.Session!.KeyId);
            Assert.Null(result.Session!.MaxHwidSlots);
            Assert.Null(result.Session!.HwidCount);
            Assert.Null(result.Session!.LicenseLabel);
        }

        [Fact]
        public async Task V3ResultsCarryTheOptionalLicenceDetails()
        {
            DevServerHost server = _servers[SigningMode.Ed25519];
            var licenceEnd = new DateTimeOffset(2099, 1, 2, 3, 4, 5, TimeSpan.Zero);
            string key = ServerTrio.NewLicense(server, slots: 3, expiresAt: licenceEnd, label: "Jane's laptop");
            using var client = new AuthForgeClient(LiveServer.ClientOptions(server, new FailureRecorder()));

            AuthForgeValidationResult result = await client.ValidateLicenseAsync(key);

            Assert.True(result.IsValid);
            Assert.Equal(server.KeyId, result.Session!.KeyId);
            Assert.Equal(licenceEnd, result.Session!.LicenseExpiresAt);
            Assert.Equal(3, result.Session!.MaxHwidSlots);
            Assert.Equal(1, result.Session!.HwidCount);
            Assert.Equal("Jane's laptop", result.Session!.LicenseLabel);
            Assert.False(string.IsNullOrEmpty(result.Session!.RequestId));
            // A licence without an expiry or label says so with JSON nulls: no value, not a parse failure.
            AuthForgeValidationResult plain = await client.ValidateLicenseAsync(ServerTrio.NewLicense(server));
            Assert.True(plain.IsValid);
            Assert.Null(plain.Session!.LicenseExpiresAt);
            Assert.Null(plain.Session!.LicenseLabel);
        }

        [Theory]
        [InlineData(SigningMode.HmacV1, "revoked")]
        [InlineData(SigningMode.HmacV2, "invalid_key")]
        [InlineData(SigningMode.Ed25519, "no_credits")]
        [InlineData(SigningMode.Ed25519, "signature_mismatch")]
        public async Task AnInvalidLicenceGivesTheCodeWithoutCallingBack(SigningMode mode, string code)
        {
            DevServerHost server = _servers[mode];
            server.ClearFaults();
            string key = ServerTrio.NewLicense(server, credits: code == "no_credits" ? 0 : 10);
            if (code == "revoked") server.RevokeLicense(key);
            if (code == "invalid_key") key = "K-unknown";
            if (code == "signature_mismatch") server.AddFault(DevFaultKind.TamperSignature, 1, ServerLog.Validate, licenseKey: key);
            var failures = new FailureRecorder();
            // The exit seam throws: a validation that tried to end the process would fail this test loudly.
            using var client = new AuthForgeClient(LiveServer.ClientOptions(server, failures));

            AuthForgeValidationResult result = await client.ValidateLicenseAsync(key);

            Assert.False(result.IsValid);
            Assert.Equal(code, result.Code);
            Assert.Equal(code, result.Exception!.Code);
            Assert.False(string.IsNullOrEmpty(result.Message));
            Assert.Null(result.SessionToken);
            Assert.Null(result.Session);
            Assert.Equal("Invalid licence: " + code, result.ToString());
            Assert.Equal(0, failures.Count);
            Assert.False(client.IsAuthenticated());
        }

        [Theory]
        [InlineData(SigningMode.HmacV2)]
        [InlineData(SigningMode.Ed25519)]
        public async Task ValidatingWhileLoggedInLeavesTheSessionAlone(SigningMode mode)
        {
            DevServerHost server = _servers[mode];
            string mine = ServerTrio.NewLicense(server);
            string other = ServerTrio.NewLicense(server);
            var failures = new FailureRecorder();
            using var client = new AuthForgeClient(LiveServer.ClientOptions(server, failures));
            Assert.True(await client.LoginAsync(mine));
            string token = (string)client.GetSessionData()!["sessionToken"]!;

            AuthForgeValidationResult valid = client.ValidateLicense(other);
            AuthForgeValidationResult invalid = client.ValidateLicense("K-unknown");

            Assert.True(valid.IsValid);
            Assert.NotEqual(token, valid.SessionToken);
            Assert.Equal(AuthForgeErrorCodes.InvalidKey, invalid.Code);
            Assert.True(client.IsAuthenticated());
            Assert.Equal(token, client.GetSessionData()!["sessionToken"]);
            Assert.Equal(0, failures.Count);
            // Each validation costs its own licence one credit; the logged-in licence paid only for its login.
            Assert.Equal(999, server.GetLicense(other)!.Credits);
            Assert.Equal(999, server.GetLicense(mine)!.Credits);
        }

        [Fact]
        public void ValidateLicenseRejectsAnEmptyKeyBeforeAnyRequest()
        {
            DevServerHost server = _servers[SigningMode.HmacV1];
            using var client = new AuthForgeClient(LiveServer.ClientOptions(server, new FailureRecorder()));

            Assert.Equal("licenseKey", Assert.ThrowsAny<ArgumentException>(() => client.ValidateLicense("")).ParamName);
            Assert.Equal("licenseKey", Assert.ThrowsAny<ArgumentException>(() => client.ValidateLicense(null!)).ParamName);
        }
    }
}
