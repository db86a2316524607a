using System;
using System.Buffers.Binary;
using System.Collections.Concurrent;
using System.Security.Cryptography;
using System.Text;
using System.Threading;

namespace AuthForge.DevServer
{
    /// <summary>
    /// Remembers the nonces the server has seen, across all endpoints, in bounded memory.
    /// </summary>
    /// <remarks>
    /// Nonces live in two generations. New ones go into the current generation; when it holds
    /// <c>generationCapacity</c> nonces it becomes the previous one and the old previous generation is dropped. So at
    /// least the last <c>generationCapacity</c> nonces, and at most twice that, are remembered: a replay is always
    /// caught while the nonce is among the most recent ones, and a benchmark's millions of heartbeats cannot grow the
    /// set without bound. Each nonce is kept as 128 bits of its SHA-256, not as a string, to keep entries small.
    /// Lookups and inserts are lock-free; only the rare rotation takes a lock.
    /// </remarks>
    internal sealed class ReplayGuard
    {
        /// <summary>The default number of nonces per generation (about 256 k, some 15 MB when full).</summary>
        public const int DefaultGenerationCapacity = 1 << 18;

        private readonly int _generationCapacity;
        private readonly object _rotationGate = new();
        private Window _window;

        public ReplayGuard(int generationCapacity = DefaultGenerationCapacity)
        {
            ArgumentOutOfRangeException.ThrowIfLessThan(generationCapacity, 1);
            _generationCapacity = generationCapacity;
            _window = new Window(new Generation(), null);
        }

        /// <summary>How many nonces are remembered now (approximate while inserts race).</summary>
        public int Count
        {
            get
            {
                Window window = Volatile.Read(ref _window);
                return window.Current.Count + (window.Previous?.Count ?? 0);
            }
        }

        /// <summary>Records <paramref name="nonce"/>; false when it was seen before (a replay).</summary>
        public bool TryRemember(string nonce)
        {
            UInt128 id = Fingerprint(nonce);
            // One read of the window: the current and previous generations are always checked as a consistent pair.
            Window window = Volatile.Read(ref _window);
            if (window.Previous is { } previous && previous.Contains(id))
            {
                return false;
            }

            if (!window.Current.TryAdd(id))
            {
                return false;
            }

            if (window.Current.Count >= _generationCapacity)
            {
                Rotate(window);
            }

            return true;
        }

        /// <summary>Forgets every nonce.</summary>
        public void Clear()
        {
            lock (_rotationGate)
            {
                Volatile.Write(ref _window, new Window(new Generation(), null));
            }
        }

        private void Rotate(Window seen)
        {
            lock (_rotationGate)
            {
                // Another thread may have rotated already; rotate only the window that filled up.
                if (ReferenceEquals(Volatile.Read(ref _window), seen))
                {
                    Volatile.Write(ref _window, new Window(new Generation(), seen.Current));
                }
            }
        }

        private static UInt128 Fingerprint(string nonce)
        {
            Span<byte> hash = stackalloc byte[SHA256.HashSizeInBytes];
            SHA256.HashData(Encoding.UTF8.GetBytes(nonce), hash);
            return BinaryPrimitives.ReadUInt128LittleEndian(hash);
        }

        private sealed record Window(Generation Current, Generation? Previous);

        private sealed class Generation
        {
            private readonly ConcurrentDictionary<UInt128, byte> _ids = new();

            // ConcurrentDictionary.Count takes every lock; a separate counter keeps the hot path lock-free.
            private int _count;

            public int Count => Volatile.Read(ref _count);

            public bool Contains(UInt128 id) => _ids.ContainsKey(id);

            public bool TryAdd(UInt128 id)
            {
                if (!_ids.TryAdd(id, 0))
                {
                    return false;
                }

                Interlocked.Increment(ref _count);
                return true;
            }
        }
    }
}
