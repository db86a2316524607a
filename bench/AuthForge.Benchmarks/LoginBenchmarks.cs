using System;
using System.Net.Http;
using System.Threading.Tasks;
using AuthForge.DevServer;
using BenchmarkDotNet.Attributes;

namespace AuthForge.Benchmarks
{
    /// <summary>
    /// A warm login (LoginAsync: build, send, read, verify, store, schedule) against the DevServer on loopback, against a
    /// bare HttpClient POST of the same request to the same endpoint with its body read as bytes and nothing verified.
    /// Both make the server do the same work (a fresh nonce, one credit, the same hwid), so the ratio is the client's
    /// own overhead on top of the round trip.
    /// </summary>
    [MemoryDiagnoser]
    public class LoginBenchmarks
    {
        private DevServerHost? _server;
        private AuthForgeClient? _client;
        private HttpClient? _bare;
        private string _validateUrl = "";

        [Params(SigningMode.HmacV2, SigningMode.Ed25519)]
        public SigningMode Mode { get; set; }

        [GlobalSetup]
        public void Setup()
        {
            _server = BenchServer.StartAsync(Mode).GetAwaiter().GetResult();
            AuthForgeClientOptions options = BenchServer.ClientOptions(_server.BaseUrl, Mode == SigningMode.Ed25519 ? _server.PublicKeyBase64 : null);
            options.Scheduler = new HeartbeatScheduler(); // heartbeats are an hour away; keep them off the shared timer
            _client = new AuthForgeClient(options);
            _bare = new HttpClient(new SocketsHttpHandler { AllowAutoRedirect = false });
            _validateUrl = _server.BaseUrl + "/auth/validate";
            // Warm both paths (connections, JIT) and check they do what they claim.
            if (!LoginAsync().GetAwaiter().GetResult()) throw new InvalidOperationException("login");
            byte[] body = BareHttpClientPost().GetAwaiter().GetResult();
            if (body.Length < 100) throw new InvalidOperationException("bare post");
        }

        [GlobalCleanup]
        public void Cleanup()
        {
            _client?.Dispose();
            _bare?.Dispose();
            _server?.DisposeAsync().AsTask().GetAwaiter().GetResult();
        }

        [Benchmark(Baseline = true)]
        public Task<byte[]> BareHttpClientPost() => BenchServer.PostAsync(_bare!, _validateUrl, BenchServer.ValidateBody(Nonce.Create()));

        /// <summary>A login and the logout after it: a login while logged in with the same key sends nothing.</summary>
        [Benchmark]
        public async Task<bool> LoginAsync()
        {
            bool loggedIn = await _client!.LoginAsync(BenchServer.LicenseKey).ConfigureAwait(false);
            _client.Logout();
            return loggedIn;
        }
    }
}
