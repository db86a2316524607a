#if !NETFRAMEWORK && !OFFICIAL_SDK
using System;
using System.Collections.Concurrent;
using System.Collections.Generic;
using System.Diagnostics.Tracing;
using System.Globalization;
using System.IO;
using System.Linq;

namespace AuthForge.Benchmarks.ColdProbe
{
    /// <summary>
    /// The runtime's JIT events (Microsoft-Windows-DotNETRuntime, keyword JIT 0x10, verbose): each method compiled in
    /// this process, with the time from MethodJittingStarted to its MethodLoadVerbose on the same thread. Reports the
    /// total by area and the costliest AuthForge methods.
    /// </summary>
    internal sealed class JitTrace : EventListener
    {
        private readonly ConcurrentDictionary<ulong, (string Name, DateTime At)> _started = new();
        private readonly ConcurrentQueue<(string Name, double Ms)> _compiled = new();

        protected override void OnEventSourceCreated(EventSource source)
        {
            if (source.Name == "Microsoft-Windows-DotNETRuntime") EnableEvents(source, EventLevel.Verbose, (EventKeywords)0x10);
        }

        protected override void OnEventWritten(EventWrittenEventArgs e)
        {
            if (e.EventName == null || e.Payload == null) return;
            if (e.EventName.StartsWith("MethodJittingStarted", StringComparison.Ordinal))
            {
                _started[(ulong)e.OSThreadId] = (Name(e), e.TimeStamp);
            }
            else if (e.EventName.StartsWith("MethodLoadVerbose", StringComparison.Ordinal)
                     && _started.TryRemove((ulong)e.OSThreadId, out var begun))
            {
                _compiled.Enqueue((begun.Name, (e.TimeStamp - begun.At).TotalMilliseconds));
            }
        }

        private static string Name(EventWrittenEventArgs e)
        {
            int ns = e.PayloadNames!.IndexOf("MethodNamespace"), name = e.PayloadNames.IndexOf("MethodName");
            return (ns >= 0 ? e.Payload![ns] : "?") + "::" + (name >= 0 ? e.Payload![name] : "?");
        }

        public void Report(TextWriter output)
        {
            var all = _compiled.ToArray();
            static string Area(string n) =>
                n.StartsWith("AuthForge.Internal.Ed25519", StringComparison.Ordinal) ? "AuthForge Ed25519"
                : n.StartsWith("AuthForge.Internal.Json", StringComparison.Ordinal) ? "AuthForge Json"
                : n.StartsWith("AuthForge.Internal.HardwareFingerprint", StringComparison.Ordinal) ? "AuthForge fingerprint"
                : n.StartsWith("AuthForge.Internal.HeartbeatScheduler", StringComparison.Ordinal) ? "AuthForge scheduler"
                : n.StartsWith("AuthForge.Benchmarks", StringComparison.Ordinal) ? "probe"
                : n.StartsWith("AuthForge", StringComparison.Ordinal) ? "AuthForge other"
                : n.StartsWith("System.Net", StringComparison.Ordinal) ? "System.Net"
                : n.StartsWith("System.Text.Json", StringComparison.Ordinal) ? "System.Text.Json"
                : n.StartsWith("System.Security", StringComparison.Ordinal) ? "System.Security"
                : n.StartsWith("System.Runtime.CompilerServices", StringComparison.Ordinal) || n.Contains("StateMachine", StringComparison.Ordinal) ? "async machinery"
                : "other BCL";
            output.WriteLine("jit: " + all.Length.ToString(CultureInfo.InvariantCulture) + " methods, " +
                all.Sum(c => c.Ms).ToString("0.0", CultureInfo.InvariantCulture) + " ms");
            foreach (var g in all.GroupBy(c => Area(c.Name)).OrderByDescending(g => g.Sum(c => c.Ms)))
                output.WriteLine($"jit-area: {g.Key}: {g.Count()} methods, {g.Sum(c => c.Ms).ToString("0.0", CultureInfo.InvariantCulture)} ms");
            foreach (var c in all.Where(c => c.Name.StartsWith("AuthForge.Internal", StringComparison.Ordinal) || c.Name.StartsWith("AuthForge::", StringComparison.Ordinal) || c.Name.StartsWith("AuthForge.", StringComparison.Ordinal) && !c.Name.StartsWith("AuthForge.Benchmarks", StringComparison.Ordinal))
                         .OrderByDescending(c => c.Ms).Take(40))
                output.WriteLine($"jit-method: {c.Ms.ToString("0.00", CultureInfo.InvariantCulture)} ms {c.Name}");
        }
    }
}
#endif
