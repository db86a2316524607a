using System;
using System.Collections.Generic;
using System.Linq;
using System.Threading;
using System.Threading.Tasks;
using Xunit;
using Text = AuthForge.Internal.HardwareFingerprint.HardwareText;

namespace AuthForge.Tests.Fingerprint
{
    /// <summary>macOS's interface ranking on recorded interface lists, and what the cache keeps.</summary>
    public class FingerprintMacOSAndCacheTests
    {
        // `ifconfig` on a MacBook Pro (M1) with Wi-Fi on, AirDrop active, a VPN and a USB-C Ethernet adapter plugged in,
        // in the order NetworkInterface lists them: name and ether address.
        private static readonly (string Name, string Mac)[] s_macBookWithDock =
        {
            ("lo0", "00:00:00:00:00:00"),
            ("anpi0", "b6:32:9f:11:22:01"),
            ("en3", "b6:32:9f:11:22:03"),        // Thunderbolt port, member of bridge0
            ("ap1", "3e:06:30:aa:bb:01"),         // Wi-Fi's access-point twin: sorts before en0
            ("en0", "3c:06:30:aa:bb:01"),
            ("awdl0", "9a:1f:44:55:66:77"),
            ("llw0", "9a:1f:44:55:66:77"),
            ("bridge0", "36:b6:32:9f:11:22"),
            ("utun0", ""),
            ("en7", "00:e0:4c:68:00:02"),         // USB-C Ethernet, burned-in address lower than en0's
        };

        private static string? Choose(IEnumerable<(string Name, string Mac)> interfaces)
        {
            var candidates = new List<HardwareFingerprint.MacCandidate>();
            foreach (var (name, raw) in interfaces)
            {
                string? mac = Text.NormaliseMac(raw);
                if (mac == null) continue;
                int rank = Text.RankMacOSInterface(name, mac);
                if (rank >= 0) candidates.Add(new HardwareFingerprint.MacCandidate(name, mac, rank));
            }
            return Text.ChooseMac(candidates);
        }

        [Fact]
        public void MacOS_En0Wins_OverAp1ADockAndEverySoftwareInterface()
        {
            Assert.Equal("3c:06:30:aa:bb:01", Choose(s_macBookWithDock));
            Assert.Equal("3c:06:30:aa:bb:01", Choose(s_macBookWithDock.Reverse()));
            Assert.Equal("3c:06:30:aa:bb:01", Choose(s_macBookWithDock.Where(i => i.Name != "en7")));
        }

        [Theory]
        [InlineData("ap1")]
        [InlineData("awdl0")]
        [InlineData("llw0")]
        [InlineData("utun3")]
        [InlineData("bridge0")]
        [InlineData("anpi1")]
        [InlineData("lo0")]
        public void MacOS_SoftwareInterfaces_AreNeverCandidates(string name)
        {
            Assert.Equal(-1, Text.RankMacOSInterface(name, "00:11:22:33:44:55"));
        }

        [Fact]
        public void MacOS_WithoutEn0_AUniversallyAdministeredEnPortIsUsed_ALocalOneNever()
        {
            Assert.Equal(2, Text.RankMacOSInterface("en7", "00:e0:4c:68:00:02"));
            Assert.Equal(-1, Text.RankMacOSInterface("en3", "b6:32:9f:11:22:03"));
            Assert.Equal(0, Text.RankMacOSInterface("en0", "3c:06:30:aa:bb:01"));
        }

        [Fact]
        public void ProbeCache_KeepsAFinalResult()
        {
            int calls = 0;
            var cache = new HardwareFingerprint.ProbeCache(() => new HardwareFingerprint.ProbeResult("id-" + Interlocked.Increment(ref calls), true, "t"));
            Assert.Equal("id-1", cache.Value);
            Assert.Equal("id-1", cache.Value);
            Assert.True(cache.IsFinal);
            Assert.Equal(1, cache.ProbeCount);
        }

        [Fact]
        public async Task ProbeCache_AResultCutByATimeLimit_IsProbedAgainAtTheNextLoginOnly()
        {
            int calls = 0;
            var cache = new HardwareFingerprint.ProbeCache(() =>
            {
                int n = Interlocked.Increment(ref calls);
                // The first probe lost a part to a tool's time limit; the second read everything.
                return new HardwareFingerprint.ProbeResult(n == 1 ? "degraded" : "complete", n > 1, "t");
            });
            Assert.Equal("degraded", cache.Value);
            Assert.False(cache.IsFinal);
            // Reads outside a login (a heartbeat, HardwareId, a self-ban) keep the id: no probe in mid-session.
            Assert.Equal("degraded", cache.Value);
            Assert.Equal("degraded", await cache.GetAsync());
            Assert.Equal(1, cache.ProbeCount);

            // The next login probes again; a complete result is final.
            Assert.Equal("complete", await cache.GetForLoginAsync());
            Assert.True(cache.IsFinal);
            Assert.Equal("complete", await cache.GetForLoginAsync());
            Assert.Equal("complete", cache.Value);
            Assert.Equal(2, cache.ProbeCount);
        }

        [Fact]
        public async Task ProbeCache_GetAsync_NeverProbesOnTheCallersThread()
        {
            int probeThread = -1;
            using (var probeStarted = new ManualResetEventSlim(false))
            using (var release = new ManualResetEventSlim(false))
            {
                var cache = new HardwareFingerprint.ProbeCache(() =>
                {
                    probeThread = Environment.CurrentManagedThreadId;
                    probeStarted.Set();
                    // A probe run inline would hold GetAsync here until the time-out and hand back a completed task.
                    release.Wait(TimeSpan.FromSeconds(20));
                    return new HardwareFingerprint.ProbeResult("id", true, "t");
                });
                int caller = Environment.CurrentManagedThreadId;
                Task<string> pending = cache.GetAsync();
                bool returnedWhileProbing = !pending.IsCompleted;
                // This thread blocks until the probe runs, so the probe can only be running on another thread.
                Assert.True(probeStarted.Wait(TimeSpan.FromSeconds(60)), "the probe never started");
                release.Set();
                Assert.Equal("id", await pending);
                Assert.True(returnedWhileProbing, "GetAsync ran the probe before returning to its caller");
                Assert.NotEqual(caller, probeThread);

                // Once known, the id comes back synchronously, without a thread hop.
                Assert.True(cache.GetAsync().IsCompleted);
            }
        }
    }
}
