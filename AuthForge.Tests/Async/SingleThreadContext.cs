using System;
using System.Collections.Concurrent;
using System.Threading;
using System.Threading.Tasks;

namespace AuthForge.Tests.Async
{
    /// <summary>
    /// A synchronization context like a UI thread's: one dedicated thread pumps a queue, <see cref="Post"/> queues,
    /// <see cref="Send"/> runs inline on the pump thread and otherwise queues and blocks until the callback ran. Code
    /// that blocks the pump thread while something it waits for needs the pump deadlocks here exactly as in a UI app.
    /// </summary>
    internal sealed class SingleThreadContext : SynchronizationContext, IDisposable
    {
        private readonly BlockingCollection<(SendOrPostCallback Callback, object? State, ManualResetEventSlim? Done)> _queue =
            new BlockingCollection<(SendOrPostCallback, object?, ManualResetEventSlim?)>();
        private readonly Thread _thread;

        public SingleThreadContext()
        {
            // A background thread: if a test deadlocks it, the test fails on its deadline and the host still exits.
            _thread = new Thread(Pump) { IsBackground = true, Name = "single-thread context" };
            _thread.Start();
        }

        public int ManagedThreadId => _thread.ManagedThreadId;

        public bool IsOnPumpThread => Thread.CurrentThread == _thread;

        public override void Post(SendOrPostCallback d, object? state) => _queue.Add((d, state, null));

        public override void Send(SendOrPostCallback d, object? state)
        {
            if (IsOnPumpThread)
            {
                d(state);
                return;
            }
            using var done = new ManualResetEventSlim();
            _queue.Add((d, state, done));
            done.Wait();
        }

        public override SynchronizationContext CreateCopy() => this;

        /// <summary>Runs <paramref name="body"/> on the pump thread (its awaits resume there) and completes with it.</summary>
        public Task RunAsync(Func<Task> body)
        {
            var completion = new TaskCompletionSource<bool>(TaskCreationOptions.RunContinuationsAsynchronously);
            Post(async _ =>
            {
                try
                {
                    await body();
                    completion.TrySetResult(true);
                }
                catch (Exception ex)
                {
                    completion.TrySetException(ex);
                }
            }, null);
            return completion.Task;
        }

        public void Dispose() => _queue.CompleteAdding();

        private void Pump()
        {
            SetSynchronizationContext(this);
            foreach ((SendOrPostCallback callback, object? state, ManualResetEventSlim? done) in _queue.GetConsumingEnumerable())
            {
                try
                {
                    callback(state);
                }
                finally
                {
                    done?.Set();
                }
            }
        }
    }
}
