using System;
using System.Collections.Generic;
using System.Threading;
using System.Threading.Tasks;

namespace AuthForge.Tests.Support
{
    /// <summary>Collects the client's failure callbacks and lets a test await the next one instead of sleeping.</summary>
    internal sealed class FailureRecorder
    {
        private readonly object _lock = new object();
        private readonly List<Failure> _all = new List<Failure>();
        private readonly SemaphoreSlim _arrived = new SemaphoreSlim(0);
        private int _consumed;

        public Action<string, AuthForgeException> Callback => Record;

        /// <summary>For the positional constructor, whose callback keeps the other SDKs' <c>Exception</c> parameter: the
        /// cast holds the client to its promise that the exception is always an <see cref="AuthForgeException"/>.</summary>
        public Action<string, Exception?> SdkShapedCallback => (reason, exception) => Record(reason, (AuthForgeException)exception!);

        public int Count
        {
            get { lock (_lock) return _all.Count; }
        }

        public IReadOnlyList<Failure> All
        {
            get { lock (_lock) return _all.ToArray(); }
        }

        public void Record(string reason, AuthForgeException exception)
        {
            lock (_lock) _all.Add(new Failure(reason, exception));
            _arrived.Release();
        }

        /// <summary>The next failure not yet returned, waiting up to <paramref name="timeout"/> (default 10 s) for it.</summary>
        public async Task<Failure> NextAsync(TimeSpan? timeout = null)
        {
            if (!await _arrived.WaitAsync(timeout ?? TimeSpan.FromSeconds(10)).ConfigureAwait(false))
                throw new TimeoutException("No failure was reported in time.");
            lock (_lock) return _all[_consumed++];
        }
    }

    internal sealed class Failure
    {
        public Failure(string reason, AuthForgeException error)
        {
            Reason = reason;
            Error = error;
        }

        public string Reason { get; }
        public AuthForgeException Error { get; }
        public string Code => Error.Code;

        public override string ToString() => Reason + "/" + Code;
    }
}
