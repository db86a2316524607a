using System;
using System.Threading;

namespace AuthForge.Tests.Support
{
    /// <summary>
    /// A clock that moves only when a test moves it: the client's (an <see cref="AuthForgeClock"/>) and, through
    /// <see cref="TimeProvider"/>, the DevServer's. The wall clock and the monotonic clock move separately, so a test
    /// can roll the wall clock back (as a user editing the system time would) without touching elapsed time.
    /// </summary>
    internal sealed class ManualClock : AuthForgeClock
    {
        private long _utcTicks;
        private long _monotonicTicks;

        public ManualClock(DateTimeOffset? start = null)
        {
            _utcTicks = (start ?? DateTimeOffset.UtcNow).UtcTicks;
            // Not zero: a session's expiry is "monotonic at receipt + remaining", and a zero origin would hide
            // an implementation that confused the two.
            _monotonicTicks = TimeSpan.FromDays(3).Ticks;
            TimeProvider = new WallClockView(this);
        }

        public override DateTimeOffset UtcNow => new DateTimeOffset(Interlocked.Read(ref _utcTicks), TimeSpan.Zero);

        public override TimeSpan Monotonic => TimeSpan.FromTicks(Interlocked.Read(ref _monotonicTicks));

        /// <summary>Moves elapsed time (and the wall clock with it, as real time would).</summary>
        public void Advance(TimeSpan by)
        {
            if (by < TimeSpan.Zero) throw new ArgumentOutOfRangeException(nameof(by), "Monotonic time never goes back.");
            Interlocked.Add(ref _monotonicTicks, by.Ticks);
            Interlocked.Add(ref _utcTicks, by.Ticks);
        }

        /// <summary>The wall clock as a <see cref="TimeProvider"/>, for a DevServer's <c>Time</c> option.</summary>
        public TimeProvider TimeProvider { get; }

        /// <summary>Moves only the wall clock, either way: what a user changing the system time does.</summary>
        public void SetWallClock(DateTimeOffset now) => Interlocked.Exchange(ref _utcTicks, now.UtcTicks);

        private sealed class WallClockView : TimeProvider
        {
            private readonly ManualClock _clock;

            public WallClockView(ManualClock clock) => _clock = clock;

            public override DateTimeOffset GetUtcNow() => _clock.UtcNow;
        }
    }
}
