using System;
using System.Collections.Generic;

namespace AuthForge.DevServer
{
    /// <summary>
    /// The server's Ed25519 keys (v3): it signs with the current one; rotating adds a new current key and keeps the
    /// old public keys listed, oldest first, so clients that trust several keys can be tested across a rotation.
    /// </summary>
    internal sealed class SigningKeyRing
    {
        private readonly object _gate = new();
        private volatile SigningKey _current;
        private volatile SigningKey[] _all;

        public SigningKeyRing(byte[]? seed)
        {
            if (seed is not null && seed.Length != 32)
            {
                throw new ArgumentException("The signing key seed must be 32 bytes.", nameof(seed));
            }

            _current = new SigningKey(seed is null ? Ed25519Signer.Generate() : Ed25519Signer.FromSeed(seed));
            _all = [_current];
        }

        public SigningKey Current => _current;

        public IReadOnlyList<SigningKey> All => _all;

        /// <summary>Makes a fresh key current and returns it.</summary>
        public SigningKey Rotate()
        {
            var next = new SigningKey(Ed25519Signer.Generate());
            lock (_gate)
            {
                // Copy on write: readers enumerate a snapshot that never changes under them.
                _all = [.. _all, next];
                _current = next;
            }

            return next;
        }
    }
}
