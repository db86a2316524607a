using System;
using System.Net.Http;
using System.Security.Cryptography;
using System.Text;
using AuthForge.DevServer;
using BenchmarkDotNet.Attributes;

namespace AuthForge.Benchmarks
{
    /// <summary>
    /// The LOCAL heartbeat's check: re-verifying the stored signed session, on real sessions the DevServer issued.
    /// HMAC (v2) against the bare BCL HMAC-SHA256 of the same payload (the irreducible part); Ed25519 (v3) against
    /// BouncyCastle verifying the same payload and signature under the same key.
    /// </summary>
    [MemoryDiagnoser]
    public class LocalCheckBenchmarks
    {
        private Session? _hmacSession;
        private Session? _ed25519Session;
        private byte[] _hmacKey = Array.Empty<byte>();
        private byte[] _publicKey = Array.Empty<byte>();
        private byte[] _signature = Array.Empty<byte>();

        [GlobalSetup]
        public void Setup()
        {
            _hmacSession = IssueSession(SigningMode.HmacV2, out _);
            _ed25519Session = IssueSession(SigningMode.Ed25519, out string publicKey);
            _hmacKey = HmacSignatureVerifier.DeriveKey(Encoding.UTF8.GetBytes(BenchServer.AppSecret), _hmacSession.Nonce);
            _publicKey = Convert.FromBase64String(publicKey);
            _signature = Convert.FromBase64String(_ed25519Session.Response.Signature);
            if (!HmacSession() || !Ed25519Session() || !BouncyCastleEd25519() || BareHmacSha256().Length != 32)
                throw new InvalidOperationException("A benchmarked check does not pass.");
        }

        [Benchmark]
        public byte[] BareHmacSha256() => HMACSHA256.HashData(_hmacKey, _hmacSession!.Response.PayloadBytes);

        [Benchmark]
        public bool HmacSession() => _hmacSession!.VerifyStoredSignature();

        [Benchmark]
        public bool BouncyCastleEd25519()
        {
            byte[] payload = _ed25519Session!.Response.PayloadBytes;
            return Org.BouncyCastle.Math.EC.Rfc8032.Ed25519.Verify(_signature, 0, _publicKey, 0, payload, 0, payload.Length);
        }

        [Benchmark]
        public bool Ed25519Session() => _ed25519Session!.VerifyStoredSignature();

        /// <summary>A validate answered by a fresh DevServer, verified and stored as the client stores it.</summary>
        private static Session IssueSession(SigningMode mode, out string publicKey)
        {
            DevServerHost server = BenchServer.StartAsync(mode).GetAwaiter().GetResult();
            try
            {
                publicKey = server.PublicKeyBase64;
                string nonce = Nonce.Create();
                using var http = new HttpClient();
                byte[] body = BenchServer.PostAsync(http, server.BaseUrl + "/auth/validate", BenchServer.ValidateBody(nonce)).GetAwaiter().GetResult();
                SignatureVerifier verifier = mode == SigningMode.Ed25519
                    ? Ed25519SignatureVerifier.Parse(new[] { publicKey }, "publicKey")
                    : new HmacSignatureVerifier(Encoding.UTF8.GetBytes(BenchServer.AppSecret));
                return Session.FromAnswer(200, body, nonce, verifier, BenchServer.Binding(), AuthForgeClock.System);
            }
            finally
            {
                server.DisposeAsync().AsTask().GetAwaiter().GetResult();
            }
        }
    }
}
