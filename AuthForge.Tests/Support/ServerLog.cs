using System;
using System.Collections.Generic;
using System.Diagnostics;
using System.Linq;
using System.Threading.Tasks;
using AuthForge.DevServer;
using Xunit;

namespace AuthForge.Tests.Support
{
    /// <summary>Waits on the DevServer's request log with a deadline, instead of sleeping and hoping.</summary>
    internal static class ServerLog
    {
        public const string Validate = "/auth/validate";
        public const string Heartbeat = "/auth/heartbeat";
        public const string SelfBan = "/auth/selfban";

        private static readonly TimeSpan s_defaultDeadline = TimeSpan.FromSeconds(10);

        /// <summary>The requests to <paramref name="path"/> that named <paramref name="licenseKey"/>, oldest first.</summary>
        public static IReadOnlyList<DevRequestRecord> For(DevServerHost server, string path, string licenseKey) =>
            server.Requests.Where(r => r.Path == path && r.LicenseKey == licenseKey).ToArray();

        /// <summary>Polls until at least <paramref name="count"/> such requests have been answered; returns them all.</summary>
        public static async Task<IReadOnlyList<DevRequestRecord>> WaitForAsync(DevServerHost server, string path, string licenseKey,
            int count, TimeSpan? deadline = null)
        {
            var clock = Stopwatch.StartNew();
            while (true)
            {
                IReadOnlyList<DevRequestRecord> seen = For(server, path, licenseKey);
                // Answered (or faulted) only: a request still being processed has no status yet, and the test wants the outcome.
                if (seen.Count(r => r.StatusCode != 0 || r.Fault != null) >= count) return seen;
                if (clock.Elapsed > (deadline ?? s_defaultDeadline))
                    throw new TimeoutException($"Saw {seen.Count} of {count} {path} requests for {licenseKey} in time.");
                await Task.Delay(5).ConfigureAwait(false);
            }
        }

        /// <summary>Polls <paramref name="condition"/> until it holds or the deadline passes.</summary>
        public static async Task UntilAsync(Func<bool> condition, string what, TimeSpan? deadline = null)
        {
            var clock = Stopwatch.StartNew();
            while (!condition())
            {
                if (clock.Elapsed > (deadline ?? s_defaultDeadline)) throw new TimeoutException("Timed out waiting for: " + what);
                await Task.Delay(5).ConfigureAwait(false);
            }
        }

        /// <summary>
        /// Asserts that no further request to <paramref name="path"/> for <paramref name="licenseKey"/> arrives during
        /// <paramref name="window"/>. An absence has no signal to await, so this is the one bounded wait: a few heartbeat
        /// intervals, long enough that a heartbeat still scheduled would certainly have fired.
        /// </summary>
        public static async Task AssertQuietAsync(DevServerHost server, string path, string licenseKey, TimeSpan window)
        {
            int before = For(server, path, licenseKey).Count;
            await Task.Delay(window).ConfigureAwait(false);
            Assert.Equal(before, For(server, path, licenseKey).Count);
        }
    }
}
