using System;
using System.Threading;
using System.Threading.Tasks;

namespace AuthForge.Tests.Support
{
    /// <summary>
    /// Runs CPU-bound test work on threads of its own instead of the thread pool.
    /// </summary>
    /// <remarks>
    /// The pool of a 2-core machine starts with two threads and adds about one or two a second when they are all busy.
    /// A <c>Parallel.For</c> that keeps them computing for seconds (fuzzing, differential crypto) therefore starves
    /// every in-process DevServer and HttpClient of the tests running beside it: answers, time-outs and heartbeats
    /// all wait for a pool thread, and tests fail on time-outs that have nothing to do with what they test.
    /// Dedicated threads still compete for the CPU, but the operating system shares it out in milliseconds.
    /// </remarks>
    internal static class DedicatedThreads
    {
        /// <summary>
        /// Starts <paramref name="workers"/> background threads, each running <paramref name="body"/> with its
        /// index; the task completes when all have returned, faulted with the first exception thrown.
        /// </summary>
        public static Task Start(int workers, Action<int> body)
        {
            var done = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
            int running = workers;
            Exception? first = null;
            for (int w = 0; w < workers; w++)
            {
                int worker = w;
                var thread = new Thread(() =>
                {
                    try
                    {
                        body(worker);
                    }
                    catch (Exception e)
                    {
                        Interlocked.CompareExchange(ref first, e, null);
                    }
                    if (Interlocked.Decrement(ref running) == 0)
                    {
                        if (first is null) done.TrySetResult();
                        else done.TrySetException(first);
                    }
                })
                {
                    // A hung worker (the fuzz harness reports and leaves it) must not keep the test host alive.
                    IsBackground = true,
                    Name = "test worker " + worker,
                };
                thread.Start();
            }
            return done.Task;
        }

        /// <summary>Runs <paramref name="body"/> for every index in [0, <paramref name="count"/>), dealt to <paramref name="workers"/> threads; waits.</summary>
        public static void For(int count, int workers, Action<int> body)
        {
            int next = -1;
            Start(workers, _ =>
            {
                for (int i = Interlocked.Increment(ref next); i < count; i = Interlocked.Increment(ref next)) body(i);
            }).GetAwaiter().GetResult();
        }
    }
}
