using System;
using System.Collections.Generic;
using System.Linq;
using System.Threading.Tasks;
using AuthForge.DevServer;
using AuthForge.Tests.Support;
using Xunit;

namespace AuthForge.Tests.Client
{
    /// <summary>A successful login in each generation: what the client stores and what its accessors hand out.</summary>
    public sealed class LoginTests : IClassFixture<ServerTrio>
    {
        private readonly ServerTrio _servers;

        public LoginTests(ServerTrio servers) => _servers = servers;

        [Theory]
        [InlineData(SigningMode.HmacV1)]
        [InlineData(SigningMode.HmacV2)]
        [InlineData(SigningMode.Ed25519)]
        public async Task LoginStoresTheVerifiedSessionAndVariables(SigningMode mode)
        {
            DevServerHost server = _servers[mode];
            string key = ServerTrio.NewLicense(server);
            var failures = new FailureRecorder();
            using var client = new AuthForgeClient(LiveServer.ClientOptions(server, failures));

            Assert.True(await client.LoginAsync(key));

            Assert.True(client.IsAuthenticated());
            Assert.Equal(0, failures.Count);
            IReadOnlyDictionary<string, object?> session = client.GetSessionData()!;
            // The stored payload is the one that answered this login: its nonce is the one the server logged.
            DevRequestRecord validate = Assert.Single(ServerLog.For(server, ServerLog.Validate, key));
            Assert.Equal(validate.Nonce, session["nonce"]);
            Assert.IsType<string>(session["sessionToken"]);
            Assert.False(string.IsNullOrEmpty((string)session["sessionToken"]!));
            Assert.IsType<long>(session["expiresIn"]);
            Assert.True(session.ContainsKey("timestamp"));
            Assert.True(session.ContainsKey("appVariables"));
            Assert.True(session.ContainsKey("licenseVariables"));

            IReadOnlyDictionary<string, object?> app = client.GetAppVariables()!;
            Assert.Equal("gold", app["tier"]);
            Assert.Equal("hello", app["motd"]);
            IReadOnlyDictionary<string, object?> license = client.GetLicenseVariables()!;
            Assert.Equal("pro", license["plan"]);
            Assert.Equal(5L, license["seats"]);
            Assert.Equal(new object?[] { "export", "sync" }, ((IEnumerable<object?>)license["features"]!).ToArray());

            // One validate spent one credit.
            Assert.Equal(999, server.GetLicense(key)!.Credits);
        }

        [Theory]
        [InlineData(SigningMode.HmacV1)]
        [InlineData(SigningMode.Ed25519)]
        public async Task AccessorsReturnCopiesTheCallerCannotChange(SigningMode mode)
        {
            DevServerHost server = _servers[mode];
            string key = ServerTrio.NewLicense(server);
            using var client = new AuthForgeClient(LiveServer.ClientOptions(server, new FailureRecorder()));
            Assert.True(await client.LoginAsync(key));

            // The read-only interface is only a view: a caller can cast it back, so the copy must be real.
            var session = (IDictionary<string, object?>)client.GetSessionData()!;
            session["nonce"] = "forged";
            session.Remove("sessionToken");
            var app = (IDictionary<string, object?>)client.GetAppVariables()!;
            app["tier"] = "platinum";
            var license = (IDictionary<string, object?>)client.GetLicenseVariables()!;
            license["seats"] = 500L;
            ((IList<object?>)license["features"]!).Add("everything");
            // The session data nests the variables too; a shallow copy would share these.
            var nested = (IDictionary<string, object?>)session["licenseVariables"]!;
            nested["plan"] = "free";

            Assert.NotEqual("forged", client.GetSessionData()!["nonce"]);
            Assert.True(client.GetSessionData()!.ContainsKey("sessionToken"));
            Assert.Equal("gold", client.GetAppVariables()!["tier"]);
            Assert.Equal(5L, client.GetLicenseVariables()!["seats"]);
            Assert.Equal(2, ((IList<object?>)client.GetLicenseVariables()!["features"]!).Count);
            Assert.Equal("pro", ((IReadOnlyDictionary<string, object?>)client.GetSessionData()!["licenseVariables"]!)["plan"]);
            Assert.NotSame(client.GetAppVariables(), client.GetAppVariables());
        }

        [Fact]
        public async Task StateIsNullBeforeLoginAndAfterLogout()
        {
            DevServerHost server = _servers[SigningMode.HmacV2];
            string key = ServerTrio.NewLicense(server);
            using var client = new AuthForgeClient(LiveServer.ClientOptions(server, new FailureRecorder()));

            AssertLoggedOut(client);
            Assert.True(await client.LoginAsync(key));
            Assert.NotNull(client.GetSessionData());
            Assert.NotNull(client.GetAppVariables());
            Assert.NotNull(client.GetLicenseVariables());

            client.Logout();

            AssertLoggedOut(client);
        }

        [Fact]
        public async Task AnEmptyVariableSetIsEmptyNotNull()
        {
            DevServerHost server = _servers[SigningMode.Ed25519];
            string key = "K-novars-" + Guid.NewGuid().ToString("N").Substring(0, 8);
            server.AddLicense(new DevLicense(key));
            using var client = new AuthForgeClient(LiveServer.ClientOptions(server, new FailureRecorder()));

            Assert.True(await client.LoginAsync(key));

            Assert.Empty(client.GetLicenseVariables()!);
        }

        [Fact]
        public async Task SynchronousLoginBehavesAsTheAsynchronousOne()
        {
            DevServerHost server = _servers[SigningMode.HmacV1];
            string key = ServerTrio.NewLicense(server);
            var failures = new FailureRecorder();
            using var client = new AuthForgeClient(LiveServer.ClientOptions(server, failures));
            using var refused = new AuthForgeClient(LiveServer.ClientOptions(server, failures));

            Assert.True(client.Login(key));
            Assert.True(client.IsAuthenticated());
            Assert.False(refused.Login("no-such-key"));

            // The synchronous form calls back on the caller's thread before returning: no await needed to see it.
            Assert.Equal(1, failures.Count);
            Failure failure = await failures.NextAsync();
            Assert.Equal(AuthForgeFailureReason.LoginFailed, failure.Reason);
            Assert.Equal(AuthForgeErrorCodes.InvalidKey, failure.Code);
            AssertLoggedOut(refused);
        }

        internal static void AssertLoggedOut(AuthForgeClient client)
        {
            Assert.False(client.IsAuthenticated());
            Assert.Null(client.GetSessionData());
            Assert.Null(client.GetAppVariables());
            Assert.Null(client.GetLicenseVariables());
        }

        // Built in code, by index: xUnit's theory data would turn a lone surrogate into U+FFFD on the way.
        private static readonly string[] s_illFormed = { "KEY-\uD800", "\uDC00KEY", "KEY-\uDBFF", "K\uDC00\uD800EY" };

        [Theory]
        [InlineData(0)]
        [InlineData(1)]
        [InlineData(2)]
        [InlineData(3)]
        public async Task ALicenceKeyWithAnUnpairedSurrogateIsAnArgumentException(int index)
        {
            string key = s_illFormed[index];
            DevServerHost server = _servers[SigningMode.HmacV1];
            using var client = new AuthForgeClient(LiveServer.ClientOptions(server, new FailureRecorder()));

            Assert.Equal("licenseKey", Assert.Throws<ArgumentException>(() => client.Login(key)).ParamName);
            Assert.Equal("licenseKey", (await Assert.ThrowsAsync<ArgumentException>(() => client.LoginAsync(key))).ParamName);
            Assert.Equal("licenseKey", Assert.Throws<ArgumentException>(() => client.ValidateLicense(key)).ParamName);
            Assert.Equal("licenseKey", Assert.Throws<ArgumentException>(() => client.SelfBan(licenseKey: key)).ParamName);
            // A well-formed pair is fine: it is text like any other.
            Assert.False(await client.LoginAsync("KEY-\uD83D\uDE00"));
        }
    }
}
