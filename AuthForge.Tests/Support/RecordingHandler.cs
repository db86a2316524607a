using System;
using System.Collections.Generic;
using System.IO;
using System.Linq;
using System.Net;
using System.Net.Http;
using System.Threading;
using System.Threading.Tasks;

namespace AuthForge.Tests.Support
{
    /// <summary>
    /// The HTTP stack a test hands the client (<see cref="AuthForgeClientOptions.HttpClient"/>): its own connection
    /// pool, so the test can dispose it and prove no socket stays open, and a record of what the client did on the
    /// wire — every attempt, every request body, and how many response bytes the client actually read.
    /// </summary>
    internal sealed class RecordingHandler : DelegatingHandler
    {
        private readonly object _lock = new object();
        private readonly List<string> _requestBodies = new List<string>();
        private readonly List<(int Attempt, TaskCompletionSource Started)> _waiters = new List<(int, TaskCompletionSource)>();
        private readonly Dictionary<int, long> _bytesByAttempt = new Dictionary<int, long>();
        private int _attempts;
        private long _bytesRead;

        public RecordingHandler()
            : base(new SocketsHttpHandler { UseProxy = false, AllowAutoRedirect = false })
        {
        }

        /// <summary>Awaited before each attempt goes out (1-based attempt number): lets a test hold a retry at a point it chooses.</summary>
        public Func<int, CancellationToken, Task>? BeforeSend { get; set; }

        /// <summary>Awaited before each request goes out, with the request: lets a test hold one by its path.</summary>
        public Func<HttpRequestMessage, CancellationToken, Task>? BeforeSendRequest { get; set; }

        /// <summary>Requests the client sent through this handler (each retry counts).</summary>
        public int Attempts
        {
            get { lock (_lock) return _attempts; }
        }

        /// <summary>Response body bytes the client read, over all responses.</summary>
        public long BytesRead => Interlocked.Read(ref _bytesRead);

        public IReadOnlyList<string> RequestBodies
        {
            get { lock (_lock) return _requestBodies.ToArray(); }
        }

        /// <summary>Response body bytes the client read in attempts numbered <paramref name="firstAttempt"/> and later.</summary>
        public long BytesReadFrom(int firstAttempt)
        {
            lock (_lock) return _bytesByAttempt.Where(p => p.Key >= firstAttempt).Sum(p => p.Value);
        }

        /// <summary>Response body bytes the client read in the <paramref name="count"/> attempts from <paramref name="firstAttempt"/> on.</summary>
        public long BytesReadIn(int firstAttempt, int count)
        {
            lock (_lock) return _bytesByAttempt.Where(p => p.Key >= firstAttempt && p.Key < firstAttempt + count).Sum(p => p.Value);
        }

        /// <summary>Completes when attempt number <paramref name="attempt"/> (1-based) has started; a signal, not a poll.</summary>
        public Task WaitForAttemptAsync(int attempt, TimeSpan timeout)
        {
            TaskCompletionSource started;
            lock (_lock)
            {
                if (_attempts >= attempt) return Task.CompletedTask;
                started = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
                _waiters.Add((attempt, started));
            }
            return started.Task.WaitAsync(timeout);
        }

        /// <summary>A client over this handler that, like the product's shared one, never times out by itself.</summary>
        public HttpClient CreateClient() => new HttpClient(this, disposeHandler: false) { Timeout = Timeout.InfiniteTimeSpan };

        protected override async Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken)
        {
            string body = request.Content is null ? "" : await request.Content.ReadAsStringAsync(cancellationToken).ConfigureAwait(false);
            int attempt;
            List<TaskCompletionSource>? reached = null;
            lock (_lock)
            {
                attempt = ++_attempts;
                _requestBodies.Add(body);
                for (int i = _waiters.Count - 1; i >= 0; i--)
                {
                    if (_waiters[i].Attempt > attempt) continue;
                    (reached ??= new List<TaskCompletionSource>()).Add(_waiters[i].Started);
                    _waiters.RemoveAt(i);
                }
            }
            if (reached != null) foreach (TaskCompletionSource waiter in reached) waiter.TrySetResult();
            if (BeforeSend is { } gate) await gate(attempt, cancellationToken).ConfigureAwait(false);
            if (BeforeSendRequest is { } hold) await hold(request, cancellationToken).ConfigureAwait(false);

            HttpResponseMessage response = await base.SendAsync(request, cancellationToken).ConfigureAwait(false);
            response.Content = new CountingContent(response.Content, this, attempt);
            return response;
        }

        private void AddRead(int attempt, int count)
        {
            Interlocked.Add(ref _bytesRead, count);
            lock (_lock) _bytesByAttempt[attempt] = _bytesByAttempt.GetValueOrDefault(attempt) + count;
        }

        /// <summary>Passes the body through unchanged, counting what is read of it.</summary>
        private sealed class CountingContent : HttpContent
        {
            private readonly HttpContent _inner;
            private readonly RecordingHandler _owner;
            private readonly int _attempt;

            public CountingContent(HttpContent inner, RecordingHandler owner, int attempt)
            {
                _inner = inner;
                _owner = owner;
                _attempt = attempt;
                // Content-Length included: the client's early size check must still see what the server declared.
                foreach (KeyValuePair<string, IEnumerable<string>> header in inner.Headers)
                    Headers.TryAddWithoutValidation(header.Key, header.Value);
            }

            protected override async Task<Stream> CreateContentReadStreamAsync() =>
                new CountingStream(await _inner.ReadAsStreamAsync().ConfigureAwait(false), _owner, _attempt);

            protected override async Task SerializeToStreamAsync(Stream stream, TransportContext? context)
            {
                using Stream source = await CreateContentReadStreamAsync().ConfigureAwait(false);
                await source.CopyToAsync(stream).ConfigureAwait(false);
            }

            protected override bool TryComputeLength(out long length)
            {
                length = 0;
                return false;
            }

            protected override void Dispose(bool disposing)
            {
                // Disposing the inner content is what aborts an unfinished body; the client relies on it.
                if (disposing) _inner.Dispose();
                base.Dispose(disposing);
            }
        }

        private sealed class CountingStream : Stream
        {
            private readonly Stream _inner;
            private readonly RecordingHandler _owner;
            private readonly int _attempt;

            public CountingStream(Stream inner, RecordingHandler owner, int attempt)
            {
                _inner = inner;
                _owner = owner;
                _attempt = attempt;
            }

            public override bool CanRead => true;
            public override bool CanSeek => false;
            public override bool CanWrite => false;
            public override long Length => throw new NotSupportedException();
            public override long Position { get => throw new NotSupportedException(); set => throw new NotSupportedException(); }

            public override int Read(byte[] buffer, int offset, int count) => Counted(_inner.Read(buffer, offset, count));

            public override async Task<int> ReadAsync(byte[] buffer, int offset, int count, CancellationToken cancellationToken) =>
                Counted(await _inner.ReadAsync(buffer.AsMemory(offset, count), cancellationToken).ConfigureAwait(false));

            public override async ValueTask<int> ReadAsync(Memory<byte> buffer, CancellationToken cancellationToken = default) =>
                Counted(await _inner.ReadAsync(buffer, cancellationToken).ConfigureAwait(false));

            public override void Flush()
            {
            }

            public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();
            public override void SetLength(long value) => throw new NotSupportedException();
            public override void Write(byte[] buffer, int offset, int count) => throw new NotSupportedException();

            protected override void Dispose(bool disposing)
            {
                if (disposing) _inner.Dispose();
                base.Dispose(disposing);
            }

            private int Counted(int read)
            {
                _owner.AddRead(_attempt, read);
                return read;
            }
        }
    }
}
