using System;

namespace AuthForge.Tests.Support
{
    /// <summary>
    /// Upper bounds on wall time, for a loaded 2-core machine (CI, or <c>scripts/soak.sh</c> with both cores busy).
    /// </summary>
    /// <remarks>
    /// A bound must tell a correct client from a broken one, not a quiet machine from a busy one. Each test that uses
    /// one pits it against a server that holds its answer for far longer (20–30 s) or a time-out that is far longer,
    /// so the broken behaviour takes many times the bound while a stalled but correct one stays well inside it.
    /// </remarks>
    internal static class TimeBounds
    {
        /// <summary>
        /// For what takes milliseconds on a quiet machine (a cancellation taking effect, a refused connection failing,
        /// an answer given at once): enough for a few seconds of stalls from the scheduler and the thread pool.
        /// </summary>
        public static readonly TimeSpan Prompt = TimeSpan.FromSeconds(4);
    }
}
