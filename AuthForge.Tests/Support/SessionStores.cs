using System;
using System.IO;
using System.Threading;
using System.Threading.Tasks;
using AuthForge;

namespace AuthForge.Tests.Support
{
    /// <summary>A session store in memory whose every call completes later, on the thread pool: a store that is really
    /// asynchronous, as a database's would be.</summary>
    internal sealed class MemoryStore : AuthForgeSessionStore
    {
        private string? _record;

        public string? Record => Volatile.Read(ref _record);

        /// <summary>How long a delete takes: long enough that a caller not waiting for it would see the record still there.</summary>
        public TimeSpan DeleteTime { get; set; }

        public override async Task<string?> LoadAsync(CancellationToken cancellationToken)
        {
            await Task.Yield();
            return Volatile.Read(ref _record);
        }

        public override async Task SaveAsync(string record, CancellationToken cancellationToken)
        {
            await Task.Yield();
            Volatile.Write(ref _record, record);
        }

        public override async Task DeleteAsync(CancellationToken cancellationToken)
        {
            await Task.Yield();
            if (DeleteTime > TimeSpan.Zero) await Task.Delay(DeleteTime, CancellationToken.None);
            Volatile.Write(ref _record, null);
        }
    }

    /// <summary>Counts the deletes of the store it wraps.</summary>
    internal sealed class CountingStore : AuthForgeSessionStore
    {
        private readonly AuthForgeSessionStore _inner;
        private int _deletes;

        public CountingStore(AuthForgeSessionStore inner) => _inner = inner;

        public int Deletes => Volatile.Read(ref _deletes);

        public override Task<string?> LoadAsync(CancellationToken cancellationToken) => _inner.LoadAsync(cancellationToken);

        public override Task SaveAsync(string record, CancellationToken cancellationToken) => _inner.SaveAsync(record, cancellationToken);

        public override Task DeleteAsync(CancellationToken cancellationToken)
        {
            Interlocked.Increment(ref _deletes);
            return _inner.DeleteAsync(cancellationToken);
        }
    }

    /// <summary>A store whose disk is gone: every call throws, synchronously.</summary>
    internal sealed class ThrowingStore : AuthForgeSessionStore
    {
        public override Task<string?> LoadAsync(CancellationToken cancellationToken) => throw new IOException("disk gone");

        public override Task SaveAsync(string record, CancellationToken cancellationToken) => throw new IOException("disk gone");

        public override Task DeleteAsync(CancellationToken cancellationToken) => throw new IOException("disk gone");
    }
}
