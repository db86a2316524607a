using System;
using System.Collections.Generic;
using System.Globalization;
using System.Linq;
using System.Text;

namespace AuthForge.Tests.Fuzz
{
    /// <summary>What one run saw: counts, the slowest input, the outcome histogram, and the failures.</summary>
    internal sealed class FuzzReport
    {
        private FuzzReport(string name, int runSeed)
        {
            Name = name;
            RunSeed = runSeed;
        }

        public string Name { get; }
        public int RunSeed { get; }
        public long Inputs { get; private set; }
        public long AcceptedEquivalent { get; private set; }
        public long AcceptedResigned { get; private set; }
        public long Forged { get; private set; }
        public long Escapes { get; private set; }
        public long OverLimit { get; private set; }
        public bool Hung { get; private set; }
        public TimeSpan Slowest { get; private set; }
        public string SlowestInput { get; private set; } = "";
        public long MostAllocated { get; private set; }
        public long MostAllocatedBody { get; private set; }
        public long BodyBytes { get; private set; }
        public TimeSpan Wall { get; private set; }

        /// <summary>Processor time of the whole test process over the run (other tests running alongside included).</summary>
        public TimeSpan Cpu { get; private set; }

        /// <summary>Summed over workers: time spent making inputs, and inside the pipeline.</summary>
        public TimeSpan Generating { get; private set; }
        public TimeSpan Running { get; private set; }
        public IReadOnlyDictionary<string, long> Codes { get; private set; } = new Dictionary<string, long>();
        public IReadOnlyList<string> Failures { get; private set; } = Array.Empty<string>();

        internal static FuzzReport Merge(string name, int runSeed, IEnumerable<FuzzHarness.WorkerState> states, string[] failures, TimeSpan wall, TimeSpan cpu, bool hung)
        {
            var report = new FuzzReport(name, runSeed) { Failures = failures, Wall = wall, Cpu = cpu, Hung = hung };
            var codes = new Dictionary<string, long>(StringComparer.Ordinal);
            foreach (FuzzHarness.WorkerState state in states)
            {
                report.Inputs += state.Inputs;
                report.AcceptedEquivalent += state.AcceptedEquivalent;
                report.AcceptedResigned += state.AcceptedResigned;
                report.Forged += state.Forged;
                report.Escapes += state.Escapes;
                report.OverLimit += state.Slow;
                report.BodyBytes += state.BodyBytes;
                report.Generating += state.Generating;
                report.Running += state.Running;
                if (state.Slowest > report.Slowest)
                {
                    report.Slowest = state.Slowest;
                    report.SlowestInput = state.SlowestInput;
                }
                if (state.MostAllocated > report.MostAllocated)
                {
                    report.MostAllocated = state.MostAllocated;
                    report.MostAllocatedBody = state.MostAllocatedBody;
                }
                foreach (KeyValuePair<string, long> code in state.Codes)
                    codes[code.Key] = codes.TryGetValue(code.Key, out long n) ? n + code.Value : code.Value;
            }
            report.Codes = codes;
            return report;
        }

        public bool Passed => Failures.Count == 0 && !Hung;

        /// <summary>The one summary line a run prints.</summary>
        public string Summary()
        {
            var c = CultureInfo.InvariantCulture;
            return string.Format(c,
                "fuzz[{0}] seed={1} inputs={2:N0} accepted-equivalent={3:N0} accepted-genuine-resigned={4:N0} forged={5} escapes={6} over-limit={7} " +
                "hung={8} slowest={9:F1} ms most-allocated={10:N0} B (body {11:N0} B) bodies={12:N1} MiB wall={13:F1} s cpu={14:F1} s " +
                "(generating {15:F1} s, pipeline {16:F1} s)",
                Name, RunSeed, Inputs, AcceptedEquivalent, AcceptedResigned, Forged, Escapes, OverLimit, Hung ? "yes" : "no",
                Slowest.TotalMilliseconds, MostAllocated, MostAllocatedBody, BodyBytes / 1048576.0, Wall.TotalSeconds, Cpu.TotalSeconds,
                Generating.TotalSeconds, Running.TotalSeconds);
        }

        public string Details()
        {
            var builder = new StringBuilder(Summary()).AppendLine();
            builder.Append("  slowest input: ").AppendLine(SlowestInput);
            builder.Append("  outcomes: ");
            builder.AppendLine(string.Join(", ", Codes.OrderByDescending(p => p.Value).ThenBy(p => p.Key, StringComparer.Ordinal)
                .Select(p => p.Key + "=" + p.Value.ToString("N0", CultureInfo.InvariantCulture))));
            if (Failures.Count > 0)
            {
                builder.Append("  FAILURES (").Append(Failures.Count).AppendLine(", first ones):");
                foreach (string failure in Failures.Take(5)) builder.AppendLine(failure).AppendLine();
            }
            return builder.ToString();
        }
    }

    /// <summary>An input written out so a failure can be reproduced by hand: bytes as escaped text, and as hex when small.</summary>
    internal static class FuzzFormat
    {
        private const int MaxEscaped = 4000;
        private const int MaxHex = 1024;

        public static string Describe(FuzzInput input, long index, int runSeed)
        {
            var builder = new StringBuilder();
            builder.Append("  input #").Append(index).Append(" (run seed ").Append(runSeed).Append(") from seed ").AppendLine(input.SeedName);
            builder.Append("  mutations: ").AppendLine(input.Steps.Length > 2000 ? input.Steps.Substring(0, 2000) + "…" : input.Steps);
            builder.Append("  HTTP ").Append(input.Status).Append(", expected nonce \"").Append(Escape(System.Text.Encoding.UTF8.GetBytes(input.Nonce)))
                .Append("\", verifier ").AppendLine(input.Verifier.Name);
            builder.Append("  body (").Append(input.Body.Length).Append(" bytes): ");
            if (input.Body.Length <= MaxEscaped)
            {
                builder.AppendLine(Escape(input.Body));
            }
            else
            {
                builder.Append(Escape(input.Body.AsSpan(0, MaxEscaped * 3 / 4).ToArray())).Append(" …[")
                    .Append(input.Body.Length - MaxEscaped).Append(" bytes]… ")
                    .AppendLine(Escape(input.Body.AsSpan(input.Body.Length - MaxEscaped / 4).ToArray()));
            }
            if (input.Body.Length <= MaxHex) builder.Append("  body hex: ").AppendLine(Convert.ToHexString(input.Body));
            return builder.ToString();
        }

        /// <summary>Printable ASCII as itself, a backslash doubled, anything else as <c>\xNN</c>.</summary>
        public static string Escape(byte[] bytes)
        {
            var builder = new StringBuilder(bytes.Length + 16);
            foreach (byte b in bytes)
            {
                if (b == (byte)'\\') builder.Append("\\\\");
                else if (b >= 0x20 && b < 0x7F) builder.Append((char)b);
                else builder.Append("\\x").Append(b.ToString("x2", CultureInfo.InvariantCulture));
            }
            return builder.ToString();
        }
    }
}
