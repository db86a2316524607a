using System;
using System.Threading;

namespace AuthForge.Tests.DevServer
{
    /// <summary>A server clock that only moves when a test moves it.</summary>
    public sealed class ManualClock : TimeProvider
    {
        private long _utcTicks;

        public ManualClock(DateTimeOffset start)
        {
            _utcTicks = start.UtcTicks;
        }

        public override DateTimeOffset GetUtcNow() => new(Interlocked.Read(ref _utcTicks), TimeSpan.Zero);

        public void Advance(TimeSpan by) => Interlocked.Add(ref _utcTicks, by.Ticks);
    }
}
