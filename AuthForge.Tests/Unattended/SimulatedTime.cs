using System;
using System.Threading;

namespace AuthForge.Tests.Unattended
{
    /// <summary>
    /// One simulated world's time: the client machine's monotonic and wall clocks, and the server's clock. They move
    /// together as real time does, except when the machine sleeps (its wall clock and the server's go on, its monotonic
    /// clock stands still, as Stopwatch does on Linux and macOS) or its user sets the wall clock (only that moves).
    /// </summary>
    internal sealed class SimulatedTime : AuthForgeClock
    {
        private long _wallTicks;
        private long _monotonicTicks;
        private long _serverTicks;

        public SimulatedTime(DateTimeOffset start)
        {
            _wallTicks = start.UtcTicks;
            _serverTicks = start.UtcTicks;
            // Not zero, so a confusion of "monotonic at receipt" with "time left" can't hide.
            _monotonicTicks = TimeSpan.FromDays(3).Ticks;
            Server = new ServerClock(this);
        }

        public override DateTimeOffset UtcNow => new DateTimeOffset(Interlocked.Read(ref _wallTicks), TimeSpan.Zero);

        public override TimeSpan Monotonic => TimeSpan.FromTicks(Interlocked.Read(ref _monotonicTicks));

        /// <summary>The server's clock, for <c>DevServerOptions.Time</c>.</summary>
        public TimeProvider Server { get; }

        public DateTimeOffset ServerNow => new DateTimeOffset(Interlocked.Read(ref _serverTicks), TimeSpan.Zero);

        /// <summary>Real time passes: every clock moves.</summary>
        public void Advance(TimeSpan by)
        {
            if (by < TimeSpan.Zero) throw new ArgumentOutOfRangeException(nameof(by));
            Interlocked.Add(ref _monotonicTicks, by.Ticks);
            Interlocked.Add(ref _wallTicks, by.Ticks);
            Interlocked.Add(ref _serverTicks, by.Ticks);
        }

        /// <summary>The machine sleeps: the world goes on, the machine's monotonic clock does not.</summary>
        public void Sleep(TimeSpan by)
        {
            Interlocked.Add(ref _wallTicks, by.Ticks);
            Interlocked.Add(ref _serverTicks, by.Ticks);
        }

        /// <summary>The user sets the machine's wall clock; nothing else moves.</summary>
        public void SetWallClock(DateTimeOffset now) => Interlocked.Exchange(ref _wallTicks, now.UtcTicks);

        private sealed class ServerClock : TimeProvider
        {
            private readonly SimulatedTime _time;

            public ServerClock(SimulatedTime time) => _time = time;

            public override DateTimeOffset GetUtcNow() => _time.ServerNow;
        }
    }
}
