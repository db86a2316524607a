using System;
using Xunit;

namespace AuthForge.Tests.Protocol
{
    /// <summary>The time helpers the client uses in several places, and the unix limits every reader checks against.</summary>
    public sealed class TimeMathTests
    {
        [Fact]
        public void TheUnixLimitsAreTheLastInstantADateTimeOffsetHolds()
        {
            Assert.Equal(TimeMath.MaxUnixSeconds, DateTimeOffset.MaxValue.ToUnixTimeSeconds());
            Assert.Equal(TimeMath.MaxUnixMilliseconds, DateTimeOffset.MaxValue.ToUnixTimeMilliseconds());
        }

        [Fact]
        public void NotNegativeMinAndMax()
        {
            TimeSpan second = TimeSpan.FromSeconds(1);
            Assert.Equal(TimeSpan.Zero, TimeMath.NotNegative(-second));
            Assert.Equal(TimeSpan.Zero, TimeMath.NotNegative(TimeSpan.MinValue));
            Assert.Equal(second, TimeMath.NotNegative(second));
            Assert.Equal(-second, TimeMath.Min(-second, second));
            Assert.Equal(-second, TimeMath.Min(second, -second));
            Assert.Equal(second, TimeMath.Max(-second, second));
            Assert.Equal(second, TimeMath.Max(second, -second));
        }
    }
}
