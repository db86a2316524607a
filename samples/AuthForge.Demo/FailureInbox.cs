using System;
using System.Threading;
using System.Threading.Channels;
using System.Threading.Tasks;

namespace AuthForge.Demo
{
    /// <summary>
    /// The <c>onFailure</c> callback the demo gives its client, and a queue of what it was called with. Giving a callback
    /// at all matters: without one the client ends the process with exit code 1 on a failed login or heartbeat.
    /// </summary>
    internal sealed class FailureInbox
    {
        private readonly Channel<Failure> _failures = Channel.CreateUnbounded<Failure>();
        private readonly Action<Failure>? _onArrival;

        /// <param name="onArrival">Also called for each failure as it arrives, on the callback's thread.</param>
        public FailureInbox(Action<Failure>? onArrival = null)
        {
            _onArrival = onArrival;
        }

        /// <summary>The method to pass as <c>OnFailure</c>. It must not throw: a throwing callback counts as none.</summary>
        public void OnFailure(string reason, AuthForgeException error)
        {
            var failure = new Failure(reason, error.Code, error.Message, Thread.CurrentThread.IsThreadPoolThread);
            _failures.Writer.TryWrite(failure);
            _onArrival?.Invoke(failure);
        }

        /// <summary>Takes a failure that has already arrived, if any.</summary>
        public bool TryTake(out Failure failure) => _failures.Reader.TryRead(out failure);

        /// <summary>The next failure, or null when none arrives within <paramref name="timeout"/>.</summary>
        public async Task<Failure?> NextAsync(TimeSpan timeout, CancellationToken cancellationToken)
        {
            using var deadline = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
            deadline.CancelAfter(timeout);
            try
            {
                return await _failures.Reader.ReadAsync(deadline.Token).ConfigureAwait(false);
            }
            catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested)
            {
                return null;
            }
        }
    }
}
