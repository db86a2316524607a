using System.Net.Http;
using System.Threading.Tasks;
using AuthForge.DevServer;
using AuthForge.Tests.Faults;
using AuthForge.Tests.Support;
using Xunit;

namespace AuthForge.Tests.Client
{
    /// <summary>
    /// Redirects, all in one place: the shared client never follows one (a 307/308 would re-send the app secret to
    /// wherever it points), and an answer that a caller's own client reached through a redirect is refused.
    /// </summary>
    public sealed class RedirectTests : IClassFixture<ServerTrio>
    {
        private readonly ServerTrio _servers;

        public RedirectTests(ServerTrio servers) => _servers = servers;

        [Fact]
        public async Task AnAnswerFromARedirectedRequestIsRefused()
        {
            DevServerHost server = _servers[SigningMode.Ed25519];
            string key = ServerTrio.NewLicense(server);
            // A server that sends every request on to the real one: the genuine answer, from another address.
            await using var redirector = new RawHttpServer((request, cancellationToken) => request.WriteAsync(
                "HTTP/1.1 307 Temporary Redirect\r\nLocation: " + server.BaseUrl + request.Path +
                "\r\nContent-Length: 0\r\nConnection: close\r\n\r\n", cancellationToken));
            using var http = new HttpClient(new SocketsHttpHandler { UseProxy = false }); // redirects on, the default
            var failures = new FailureRecorder();
            AuthForgeClientOptions options = LiveServer.ClientOptions(server, failures);
            options.ApiBaseUrl = redirector.BaseUrl;
            options.HttpClient = http;
            using var client = new AuthForgeClient(options);

            Assert.False(await client.LoginAsync(key));

            Assert.Equal(AuthForgeErrorCodes.RedirectRefused, Assert.Single(failures.All).Code);
            LoginTests.AssertLoggedOut(client);
            // The redirect was followed (the real server answered) and the answer was still refused, not retried.
            Assert.Equal(200, Assert.Single(await ServerLog.WaitForAsync(server, ServerLog.Validate, key, 1)).StatusCode);
        }

        [Fact]
        public async Task TheSharedClientDoesNotFollowRedirects()
        {
            DevServerHost server = _servers[SigningMode.HmacV1];
            string key = ServerTrio.NewLicense(server);
            await using var redirector = new RawHttpServer((request, cancellationToken) => request.WriteAsync(
                "HTTP/1.1 307 Temporary Redirect\r\nLocation: " + server.BaseUrl + request.Path +
                "\r\nContent-Length: 0\r\nConnection: close\r\n\r\n", cancellationToken));
            var failures = new FailureRecorder();
            AuthForgeClientOptions options = LiveServer.ClientOptions(server, failures);
            options.ApiBaseUrl = redirector.BaseUrl;
            using var client = new AuthForgeClient(options);

            Assert.False(await client.LoginAsync(key));

            Failure failure = Assert.Single(failures.All);
            Assert.Equal((AuthForgeErrorCodes.ForeignAnswer, 307), (failure.Code, failure.Error!.HttpStatusCode));
            Assert.Empty(ServerLog.For(server, ServerLog.Validate, key));
        }

        [Theory]
        [InlineData(301)]
        [InlineData(302)]
        [InlineData(307)]
        [InlineData(308)]
        public async Task Redirect_IsNotFollowed_SoTheSecretGoesNowhereElse(int status)
        {
            // A 307/308 would make a following client re-send the body, app secret included, to wherever it points.
            await using var elsewhere = new RawHttpServer((request, cancellationToken) =>
                request.WriteResponseAsync(200, TransportLimitTests.SignedAnswer(request.Nonce, 0), cancellationToken));
            await using var server = new RawHttpServer((request, cancellationToken) =>
                request.WriteAsync("HTTP/1.1 " + status + " Moved\r\nLocation: " + elsewhere.BaseUrl + "/auth/validate\r\n"
                    + "Content-Length: 0\r\nConnection: close\r\n\r\n", cancellationToken));
            using var run = new TransportLimitTests.RawRun(server.BaseUrl, FaultExpectation.PatientRequestTimeout, useSharedClient: true);

            Assert.False(await run.Client.LoginAsync(TransportLimitTests.LicenseKey));

            // The unfollowed redirect is no answer from the AuthForge server (a captive portal redirects so too).
            run.AssertSingleFailure(AuthForgeFailureReason.NetworkError, AuthForgeErrorCodes.ForeignAnswer);
            Assert.Equal(status, run.Failures.All[0].Error!.HttpStatusCode);
            Assert.Equal(0, elsewhere.Connections);
        }
    }
}
