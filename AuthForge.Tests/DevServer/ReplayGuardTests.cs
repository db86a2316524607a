using System.Linq;
using System.Threading.Tasks;
using AuthForge.DevServer;
using Xunit;

namespace AuthForge.Tests.DevServer
{
    /// <summary>The nonce memory: catches replays, and stays bounded however many nonces go through it.</summary>
    public sealed class ReplayGuardTests
    {
        [Fact]
        public void SecondSighting_IsAReplay()
        {
            var guard = new ReplayGuard();

            Assert.True(guard.TryRemember("n1"));
            Assert.False(guard.TryRemember("n1"));
            Assert.True(guard.TryRemember("n2"));
        }

        [Fact]
        public void Memory_IsBounded_AndTheMostRecentNoncesAreStillCaught()
        {
            var guard = new ReplayGuard(generationCapacity: 100);
            for (int i = 0; i < 10_000; i++)
            {
                Assert.True(guard.TryRemember("nonce-" + i));
            }

            Assert.InRange(guard.Count, 100, 200);
            Assert.All(Enumerable.Range(9_900, 100), i => Assert.False(guard.TryRemember("nonce-" + i)));
            // Long-evicted nonces are forgotten: the price of bounded memory.
            Assert.True(guard.TryRemember("nonce-0"));
        }

        [Fact]
        public void ConcurrentSightingsOfOneNonce_AdmitExactlyOne()
        {
            var guard = new ReplayGuard(generationCapacity: 64);
            for (int round = 0; round < 200; round++)
            {
                string nonce = "race-" + round;
                int admitted = 0;
                Parallel.For(0, 8, _ =>
                {
                    if (guard.TryRemember(nonce))
                    {
                        System.Threading.Interlocked.Increment(ref admitted);
                    }
                });
                Assert.Equal(1, admitted);
            }
        }
    }
}
