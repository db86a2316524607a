using System;
using AuthForge.DevServer;
using BenchmarkDotNet.Attributes;

namespace AuthForge.Benchmarks
{
    /// <summary>One valid signature over a fixed 200-byte message: BouncyCastle against ours, cached key and one-shot.</summary>
    [MemoryDiagnoser]
    public class Ed25519VerifyBenchmarks
    {
        private byte[] publicKey = Array.Empty<byte>();
        private byte[] message = Array.Empty<byte>();
        private byte[] signature = Array.Empty<byte>();
        private Ed25519PublicKey? cachedKey;

        [GlobalSetup]
        public void Setup()
        {
            var seed = new byte[32];
            for (int i = 0; i < seed.Length; i++) seed[i] = (byte)(i * 7 + 1);
            message = new byte[200];
            for (int i = 0; i < message.Length; i++) message[i] = (byte)(i * 31 + 5);
            Ed25519Signer signer = Ed25519Signer.FromSeed(seed);
            publicKey = signer.PublicKey;
            signature = signer.Sign(message);
            if (!Ed25519PublicKey.TryCreate(publicKey, out cachedKey)) throw new InvalidOperationException("key");
            // A benchmark of a verifier that says no would measure the wrong path.
            if (!BouncyCastle() || !OursCachedKey() || !OursOneShot()) throw new InvalidOperationException("setup");
        }

        [Benchmark(Baseline = true)]
        public bool BouncyCastle() =>
            Org.BouncyCastle.Math.EC.Rfc8032.Ed25519.Verify(signature, 0, publicKey, 0, message, 0, message.Length);

        [Benchmark]
        public bool OursCachedKey() => cachedKey!.Verify(message, signature);

        [Benchmark]
        public bool OursOneShot() => Ed25519.TryDecodePoint(publicKey, 0, out Ed25519.ExtendedPoint a) && Ed25519.VerifyWithPoint(publicKey, in a, message, signature);
    }
}
