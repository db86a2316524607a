using System;
using System.Diagnostics;
using System.Threading;
using System.Threading.Tasks;
using Xunit;

namespace AuthForge.Tests.Support
{
    /// <summary>
    /// What a failed exchange may not leave behind: scheduled heartbeats, threads, open connections. Take it before
    /// the client is created; assert after the client and its HttpClient are disposed.
    /// </summary>
    internal sealed class LeakCheck
    {
        /// <summary>
        /// Threads outside the thread pool the runtime may add on its own while a test runs (the socket engine, the
        /// timer thread, tiered compilation); a client that kept a thread per request or per session would exceed it
        /// within the matrix.
        /// </summary>
        public const int ThreadTolerance = 8;

        private static readonly TimeSpan s_settle = TimeSpan.FromSeconds(3);

        private readonly int _threadsBefore;
        private readonly int _port;

        public LeakCheck(string serverBaseUrl)
        {
            _port = new Uri(serverBaseUrl).Port;
            _threadsBefore = CurrentThreads();
        }

        public int Port => _port;

        /// <summary>
        /// The process's threads outside the thread pool. Pool threads are left out: the pool adds them whenever
        /// queued work waits (on a loaded machine, every few hundred milliseconds) and retires them only after a
        /// while idle, so their number shows the machine's load, not what a client keeps.
        /// </summary>
        public static int CurrentThreads()
        {
            using Process process = Process.GetCurrentProcess();
            return process.Threads.Count - ThreadPool.ThreadCount;
        }

        /// <summary>Asserts at most <paramref name="max"/> connections to the server stay established (waiting for closes in flight).</summary>
        public async Task AssertConnectionsAtMostAsync(int max, string when)
        {
            if (!TcpConnections.IsSupported) return;
            int open = await TcpConnections.WaitForAtMostAsync(_port, max, s_settle);
            Assert.True(open <= max, $"{open} connection(s) to port {_port} still established {when}; at most {max} allowed.");
        }

        /// <summary>After the client and its HttpClient are disposed: nothing scheduled, no connection, no thread growth.</summary>
        public async Task AssertNothingLeftAsync(HeartbeatScheduler scheduler)
        {
            Assert.Equal(0, scheduler.ScheduledCount);
            await AssertConnectionsAtMostAsync(0, "after the client and its HttpClient were disposed");
            // Threads that were busy with the exchange return to the pool but are not retired for a while, so the
            // bound is on growth, with the tolerance above, not on returning to the exact count.
            int after = CurrentThreads();
            Assert.True(after <= _threadsBefore + ThreadTolerance,
                $"The process went from {_threadsBefore} to {after} threads outside the pool; at most {ThreadTolerance} more allowed.");
        }
    }
}
