using System.Collections.Concurrent;
using System.Collections.Generic;
using System.Linq;
using System.Threading;

namespace AuthForge.DevServer
{
    /// <summary>The most recent <c>/auth/*</c> requests, oldest first, bounded so long benchmarks stay flat.</summary>
    internal sealed class RequestLog
    {
        /// <summary>The default number of requests kept.</summary>
        public const int DefaultCapacity = 10_000;

        private readonly ConcurrentQueue<RequestLogEntry> _entries = new();
        private readonly int _capacity;
        private int _count;

        public RequestLog(int capacity = DefaultCapacity)
        {
            System.ArgumentOutOfRangeException.ThrowIfLessThan(capacity, 1);
            _capacity = capacity;
        }

        public void Add(RequestLogEntry entry)
        {
            _entries.Enqueue(entry);
            // Trim to the capacity; racing adders may each trim one, which only ever keeps the log at or under it.
            if (Interlocked.Increment(ref _count) > _capacity && _entries.TryDequeue(out _))
            {
                Interlocked.Decrement(ref _count);
            }
        }

        public IReadOnlyList<DevRequestRecord> Snapshot() => _entries.Select(e => e.ToRecord()).ToArray();

        public void Clear()
        {
            while (_entries.TryDequeue(out _))
            {
                Interlocked.Decrement(ref _count);
            }
        }
    }
}
