using System.Collections.Generic;
using System.Linq;
using System.Text.RegularExpressions;
using System.Threading;
using Xunit;

namespace AuthForge.Tests.Fingerprint
{
    public class FingerprintCacheTests
    {
        [Fact]
        public void Current_IsLowercaseHexSha256_AndStable()
        {
            string first = HardwareFingerprint.Current;
            Assert.Matches(new Regex("^[0-9a-f]{64}$"), first);
            Assert.Equal(first, HardwareFingerprint.Current);
        }

        [Fact]
        public void ThisMachinesProbe_FromManyThreads_RunsOnce()
        {
            // A fresh cache around the real probe: the process-wide one has probed already unless this test runs first,
            // and then every thread would only read a kept value.
            var cache = new HardwareFingerprint.ProbeCache(HardwareFingerprint.ProbeThisMachine);
            const int threads = 16;
            var results = new string[threads];
            using (var barrier = new Barrier(threads))
            {
                var workers = Enumerable.Range(0, threads).Select(i => new Thread(() =>
                {
                    barrier.SignalAndWait();
                    for (int n = 0; n < 200; n++) results[i] = cache.Value;
                })).ToList();
                workers.ForEach(t => t.Start());
                workers.ForEach(t => t.Join());
            }

            Assert.Single(results.Distinct());
            Assert.Equal(1, cache.ProbeCount);
        }

        [Fact]
        public void ProbeCache_ConcurrentFirstCalls_RunTheProbeOnce()
        {
            int calls = 0;
            var cache = new HardwareFingerprint.ProbeCache(() =>
            {
                int n = Interlocked.Increment(ref calls);
                // Holds the first caller inside the probe so the others arrive while it runs; a cache without
                // proper once-semantics then runs the probe again.
                Thread.Sleep(100);
                return new HardwareFingerprint.ProbeResult("value-" + n, true, "test");
            });
            Assert.Equal(0, cache.ProbeCount);

            const int threads = 12;
            var results = new List<string>();
            using (var barrier = new Barrier(threads))
            {
                var workers = Enumerable.Range(0, threads).Select(_ => new Thread(() =>
                {
                    barrier.SignalAndWait();
                    string v = cache.Value;
                    lock (results) results.Add(v);
                })).ToList();
                workers.ForEach(t => t.Start());
                workers.ForEach(t => t.Join());
            }

            Assert.Equal(1, calls);
            Assert.Equal(1, cache.ProbeCount);
            Assert.All(results, v => Assert.Equal("value-1", v));
        }
    }
}
