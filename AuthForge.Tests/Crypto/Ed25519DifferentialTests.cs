using System;
using System.Threading;
using System.Threading.Tasks;
using AuthForge.DevServer;
using AuthForge.Tests.Support;
using Xunit;
using BcEd25519 = Org.BouncyCastle.Math.EC.Rfc8032.Ed25519;

namespace AuthForge.Tests.Crypto
{
    /// <summary>
    /// Ours against BouncyCastle on 10,000 seeded random keys and messages, each also with one bit flipped in the
    /// signature, in the key and in the message: every verdict must agree, and the two signers must produce the same
    /// keys and signatures (RFC 8032 signing is deterministic).
    /// </summary>
    public sealed class Ed25519DifferentialTests
    {
        internal const int Cases = 10_000;

        [Fact]
        public void Ours_and_BouncyCastle_agree_on_10000_random_cases_and_their_bit_flips()
        {
            int disagreements = 0, valid = 0, rejected = 0;
            string firstFailure = "";
            // Dedicated threads, not the pool: the tests running beside this one need the pool for their servers.
            DedicatedThreads.For(Cases, Environment.ProcessorCount, i =>
            {
                string? failure = RunCase(i, ref valid, ref rejected);
                if (failure != null && Interlocked.Increment(ref disagreements) == 1) firstFailure = failure;
            });
            Assert.True(disagreements == 0, $"{disagreements} disagreements; first: {firstFailure}");
            // Each case contributes one valid signature and three mutants; a flip can never leave a signature valid.
            Assert.Equal(Cases, valid);
            Assert.Equal(3 * Cases, rejected);
        }

        // One case, deterministic in i alone so the run does not depend on scheduling. Returns a failure or null.
        private static string? RunCase(int i, ref int valid, ref int rejected)
        {
            var random = new Random(0x5EED + i);
            var seed = new byte[32];
            random.NextBytes(seed);
            // Mostly short messages, some across SHA-512 block boundaries, a few long ones.
            int length = (i % 10) switch { 0 => random.Next(1, 4096), 1 or 2 => random.Next(100, 300), _ => random.Next(1, 100) };
            var message = new byte[length];
            random.NextBytes(message);

            Ed25519Signer signer = Ed25519Signer.FromSeed(seed);
            byte[] publicKey = signer.PublicKey, signature = signer.Sign(message);

            var bcPublicKey = new byte[32];
            BcEd25519.GeneratePublicKey(seed, 0, bcPublicKey, 0);
            var bcSignature = new byte[64];
            BcEd25519.Sign(seed, 0, message, 0, message.Length, bcSignature, 0);
            if (!bcPublicKey.AsSpan().SequenceEqual(publicKey)) return $"case {i}: public keys differ";
            if (!bcSignature.AsSpan().SequenceEqual(signature)) return $"case {i}: signatures differ";
            // The two signatures are the same bytes, so the "original" comparison below is the cross-verification in
            // both directions: BouncyCastle must accept ours, we must accept BouncyCastle's (counted in `valid`).

            byte[] flippedSignature = Flip(signature, random);
            byte[] flippedKey = Flip(publicKey, random);
            byte[] flippedMessage = Flip(message, random);
            Ed25519PublicKey.TryCreate(publicKey, out Ed25519PublicKey? key);
            Ed25519PublicKey.TryCreate(flippedKey, out Ed25519PublicKey? flippedKeyDecoded);
            // The cached path sees every variant; the one-shot path (same checks, its own tables) every variant of
            // every fourth case, which keeps the run to a few seconds.
            bool oneShot = i % 4 == 0;
            return Compare(i, "original", publicKey, key, message, signature, true, ref valid, ref rejected)
                ?? Compare(i, "signature flip", publicKey, key, message, flippedSignature, oneShot, ref valid, ref rejected)
                ?? Compare(i, "key flip", flippedKey, flippedKeyDecoded, message, signature, oneShot, ref valid, ref rejected)
                ?? Compare(i, "message flip", publicKey, key, flippedMessage, signature, oneShot, ref valid, ref rejected);
        }

        // key: the cached form of publicKey, or null when TryCreate rejected it.
        private static string? Compare(int i, string what, byte[] publicKey, Ed25519PublicKey? key, byte[] message,
            byte[] signature, bool withOneShot, ref int valid, ref int rejected)
        {
            bool expected = BcVerify(publicKey, message, signature);
            bool cached = key != null && key.Verify(message, signature);
            bool oneShot = withOneShot ? Ed25519OneShot.Verify(publicKey, message, signature) : cached;
            if (oneShot != expected || cached != expected)
            {
                return $"case {i} {what}: BouncyCastle {expected}, one-shot {oneShot}, cached {cached}, "
                    + $"key {Convert.ToHexString(publicKey)}, signature {Convert.ToHexString(signature)}";
            }
            Interlocked.Increment(ref expected ? ref valid : ref rejected);
            return null;
        }

        private static bool BcVerify(byte[] publicKey, byte[] message, byte[] signature) =>
            BcEd25519.Verify(signature, 0, publicKey, 0, message, 0, message.Length);

        private static byte[] Flip(byte[] data, Random random)
        {
            var copy = (byte[])data.Clone();
            int bit = random.Next(copy.Length * 8);
            copy[bit >> 3] ^= (byte)(1 << (bit & 7));
            return copy;
        }

        [Fact]
        public void One_cached_key_verifies_correctly_from_many_threads_at_once()
        {
            Ed25519Signer signer = Ed25519Signer.FromSeed(new byte[32]);
            Assert.True(Ed25519PublicKey.TryCreate(signer.PublicKey, out Ed25519PublicKey? key));
            var messages = new byte[64][];
            var signatures = new byte[64][];
            for (int i = 0; i < messages.Length; i++)
            {
                messages[i] = BitConverter.GetBytes(i * 7919);
                signatures[i] = signer.Sign(messages[i]);
            }
            int wrong = 0;
            DedicatedThreads.For(4000, 8, n =>
            {
                int m = n % messages.Length, s = (n / messages.Length) % messages.Length;
                // Pairs a message with its own signature or another's: a shared-state race would flip some verdicts.
                if (key!.Verify(messages[m], signatures[s]) != (m == s)) Interlocked.Increment(ref wrong);
            });
            Assert.Equal(0, wrong);
        }
    }
}
