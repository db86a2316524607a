using System;
using System.Net.Http;
using AuthForge.DevServer;
using BenchmarkDotNet.Attributes;

namespace AuthForge.Benchmarks
{
    /// <summary>
    /// Constructing a client after the first in the process (so the hardware id is cached and the shared HttpClient
    /// exists), against two baselines: the official SDKs' cost per construction (probing the hardware) and
    /// constructing an HttpClient with its own handler (what a client owning its connection would pay).
    /// </summary>
    [MemoryDiagnoser]
    public class ConstructionBenchmarks
    {
        private AuthForgeClientOptions _hmac = new AuthForgeClientOptions();
        private AuthForgeClientOptions _ed25519 = new AuthForgeClientOptions();

        [GlobalSetup]
        public void Setup()
        {
            var seed = new byte[32];
            for (int i = 0; i < seed.Length; i++) seed[i] = (byte)(i + 1);
            string publicKey = Convert.ToBase64String(Ed25519Signer.FromSeed(seed).PublicKey);
            _hmac = BenchServer.ClientOptions("http://127.0.0.1:5080", null);
            _hmac.HwidOverride = null; // the machine's fingerprint, as a desktop app uses it
            _ed25519 = BenchServer.ClientOptions("http://127.0.0.1:5080", publicKey);
            _ed25519.HwidOverride = null;
            // The first client of the process: probes the hardware once and creates the shared HttpClient.
            if (new AuthForgeClient(_hmac).GetHardwareId().Length != 64) throw new InvalidOperationException("hwid");
            _ = HttpTransport.SharedClient;
        }

        [Benchmark(Baseline = true)]
        public string ProbeHardwareOfficialStyle() => HardwareFingerprint.ProbeThisMachine().Hwid;

        [Benchmark]
        public HttpClient NewHttpClientWithHandler()
        {
            var client = new HttpClient(new SocketsHttpHandler());
            client.Dispose();
            return client;
        }

        [Benchmark]
        public string NewClientHmac() => new AuthForgeClient(_hmac).GetHardwareId();

        [Benchmark]
        public string NewClientEd25519() => new AuthForgeClient(_ed25519).GetHardwareId();
    }
}
