using System;
using System.Collections.Generic;
using System.Globalization;
using System.IO;
using System.Linq;
using System.Runtime.InteropServices;
using System.Text;
using System.Threading.Tasks;
using BenchmarkDotNet.Configs;
using Perfolizer.Horology;
using BenchmarkDotNet.Jobs;
using BenchmarkDotNet.Reports;
using BenchmarkDotNet.Running;
using BenchmarkDotNet.Toolchains.InProcess.Emit;

namespace AuthForge.Benchmarks
{
    /// <summary>Runs every benchmark (BenchmarkDotNet in process, then the scale harness) and writes one results table.</summary>
    internal static class Suite
    {
        private static readonly CultureInfo Inv = CultureInfo.InvariantCulture;

        public static async Task<int> RunAsync(string[] args)
        {
            bool quick = args.Contains("--quick");
            int outIndex = Array.IndexOf(args, "--out");
            string output = outIndex >= 0 && outIndex + 1 < args.Length
                ? Path.GetFullPath(args[outIndex + 1])
                : Path.Combine(ProjectDirectory(), quick ? "RESULTS.quick.md" : "RESULTS.md");
            string command = "dotnet run -c Release --project bench/AuthForge.Benchmarks" + (args.Length > 0 ? " -- " + string.Join(" ", args) : "");
            string loadBefore = LoadAverage();
            DateTimeOffset started = DateTimeOffset.Now;
            void Log(string line) => Console.WriteLine("[suite] " + line);

            // Scale first, in a process nothing else has grown yet.
            var scale = new List<ScaleResult>();
            int idleSessions = quick ? 2_000 : 10_000;
            double retained;
            await using (ChildServer server = await ChildServer.StartAsync(slots: 50_000).ConfigureAwait(false))
            {
                foreach ((int sessions, TimeSpan interval) in new[] { (1_000, TimeSpan.FromSeconds(1)), (10_000, TimeSpan.FromSeconds(5)) })
                {
                    TimeSpan window = quick ? interval + interval : TimeSpan.FromTicks(interval.Ticks * 4);
                    Log($"scale: {sessions} sessions, interval {interval.TotalSeconds} s, window {window.TotalSeconds} s");
                    scale.Add(await ScaleHarness.RunAsync(server, sessions, interval, window, Log).ConfigureAwait(false));
                }
                retained = await ScaleHarness.RetainedBytesPerSessionAsync(server, idleSessions).ConfigureAwait(false);
                Log($"retained by an idle session (no heartbeat in flight): {retained:0} B");
            }

            // --scale-only: skip BenchmarkDotNet (for working on the scale figures; the table then lacks the rest).
            Summary[] summaries = args.Contains("--scale-only") ? Array.Empty<Summary>() : RunBenchmarkDotNet(quick);

            var interleaved = new Dictionary<string, (double OursUs, double BareUs)>();
            foreach (DevServer.SigningMode mode in new[] { DevServer.SigningMode.HmacV2, DevServer.SigningMode.Ed25519 })
            {
                interleaved[mode.ToString()] = await InterleavedLogin.RunAsync(mode, quick ? 10 : 40, 100).ConfigureAwait(false);
                Log($"interleaved login {mode}: ours {interleaved[mode.ToString()].OursUs:0.0} µs, bare {interleaved[mode.ToString()].BareUs:0.0} µs");
            }
            string loadAfter = LoadAverage();
            TimeSpan took = DateTimeOffset.Now - started;

            string markdown = Render(quick, command, started, took, loadBefore, loadAfter, summaries, scale, idleSessions, retained, interleaved);
            File.WriteAllText(output, markdown);
            Console.WriteLine();
            Console.WriteLine(markdown);
            Log("wrote " + output);
            return 0;
        }

        private static Summary[] RunBenchmarkDotNet(bool quick)
        {
            // In process: no generated project to build per class, and the DevServer runs beside the benchmark.
            Job job = quick
                ? Job.ShortRun.WithWarmupCount(2).WithIterationCount(4).WithIterationTime(TimeInterval.FromMilliseconds(250)).WithId("Quick")
                : Job.Default.WithMinIterationCount(15).WithMaxIterationCount(40).WithId("Full");
            job = job.WithToolchain(InProcessEmitToolchain.Instance);
            IConfig config = DefaultConfig.Instance.AddJob(job)
                .WithArtifactsPath(Path.Combine(ProjectDirectory(), "BenchmarkDotNet.Artifacts"));
            return BenchmarkRunner.Run(new[]
            {
                typeof(LoginBenchmarks), typeof(ConstructionBenchmarks), typeof(LocalCheckBenchmarks), typeof(Ed25519VerifyBenchmarks),
            }, config);
        }

        // ---- the table --------------------------------------------------------------------------------

        private static string Render(bool quick, string command, DateTimeOffset started, TimeSpan took, string loadBefore, string loadAfter,
            Summary[] summaries, List<ScaleResult> scale, int idleSessions, double retained,
            Dictionary<string, (double OursUs, double BareUs)> interleaved)
        {
            var reports = summaries.SelectMany(s => s.Reports).ToList();
            double Ns(string method, string? mode = null)
            {
                BenchmarkReport? report = reports.FirstOrDefault(r => r.BenchmarkCase.Descriptor.WorkloadMethod.Name == method
                    && (mode == null || r.BenchmarkCase.Parameters.Items.Any(p => p.Name == "Mode" && p.Value.ToString() == mode)));
                return report?.ResultStatistics?.Mean ?? double.NaN;
            }

            var md = new StringBuilder();
            md.AppendLine("# AuthForge.cs benchmark results");
            md.AppendLine();
            md.AppendLine($"- Date: {started:yyyy-MM-dd HH:mm zzz}; took {took.TotalMinutes:0.0} min; mode: {(quick ? "quick" : "full")}");
            md.AppendLine($"- Command: `{command}` (from the repository root)");
            md.AppendLine($"- Machine: {CpuModel()}, {Environment.ProcessorCount} logical cores, {RuntimeInformation.OSDescription.Trim()}, " +
                $"{RuntimeInformation.FrameworkDescription} (benchmark) / AuthForge.cs built for net8.0");
            md.AppendLine($"- Load average (1/5/15 min) before: {loadBefore}; after: {loadAfter}. The machine is shared; ratios against a baseline " +
                "measured in the same run are the figures to read, absolute times move with the load.");
            md.AppendLine("- Micro-benchmarks: BenchmarkDotNet 0.14.0, in-process toolchain, means. Scale: a Stopwatch harness, DevServer (v2/HMAC) in a " +
                "child process so threads and memory are the client's alone; lateness from the scheduler's `LatenessObserver`, heartbeats/s as the server counted them.");
            md.AppendLine();
            md.AppendLine("| Figure | AuthForge.cs | Baseline (same run) | Ratio | Target | Met |");
            md.AppendLine("|---|---|---|---|---|---|");

            void Row(string figure, string ours, string baseline, string ratio, string target, bool? met) =>
                md.AppendLine($"| {figure} | {ours} | {baseline} | {ratio} | {target} | {(met is null ? "–" : met.Value ? "yes" : "**no**")} |");

            foreach ((string mode, string label) in new[] { ("HmacV2", "v2/HMAC"), ("Ed25519", "v3/Ed25519") })
            {
                (double oursUs, double bareUs) = interleaved[mode];
                Row($"Warm `LoginAsync`, {label}, DevServer on loopback (interleaved blocks, median)", Us(oursUs * 1000),
                    "bare `HttpClient` POST, same request: " + Us(bareUs * 1000), X(oursUs / bareUs), "≤ 1.2×", oursUs / bareUs <= 1.2);
                double ours = Ns("LoginAsync", mode), bare = Ns("BareHttpClientPost", mode);
                Row($"Warm `LoginAsync`, {label}, DevServer on loopback (BenchmarkDotNet, one after the other)", Us(ours),
                    "bare `HttpClient` POST, same request: " + Us(bare), X(ours / bare), "≤ 1.2×", ours / bare <= 1.2);
            }
            double probe = Ns("ProbeHardwareOfficialStyle"), httpClient = Ns("NewHttpClientWithHandler");
            foreach ((string method, string label) in new[] { ("NewClientHmac", "v2/HMAC"), ("NewClientEd25519", "v3, one Ed25519 key") })
            {
                double ours = Ns(method);
                Row($"Construction after the first, {label}", Us(ours),
                    $"hardware probe per construction (official SDKs): {Us(probe)}; `new HttpClient(new SocketsHttpHandler())`: {Us(httpClient)}",
                    $"{X(ours / probe)} of the probe; {X(ours / httpClient)} of HttpClient", "≤ 50 µs", ours <= 50_000);
            }
            {
                double ours = Ns("HmacSession"), bare = Ns("BareHmacSha256");
                Row("LOCAL check, v2: `Session.VerifyStoredSignature()` (HMAC)", Us(ours), "one-shot `HMACSHA256.HashData` of the payload: " + Us(bare),
                    X(ours / bare), "≤ 5 µs", ours <= 5_000);
            }
            {
                double ours = Ns("Ed25519Session"), bc = Ns("BouncyCastleEd25519");
                Row("LOCAL check, v3: `Session.VerifyStoredSignature()` (Ed25519, cached key)", Us(ours), "BouncyCastle verify, same payload: " + Us(bc),
                    X(ours / bc), "≤ 1.0×", ours / bc <= 1.0);
                double cached = Ns("OursCachedKey"), bcRaw = Ns("BouncyCastle");
                Row("Ed25519 verify, cached key, 200-byte message", Us(cached), "BouncyCastle verify: " + Us(bcRaw), X(cached / bcRaw), "≤ 1.0×", cached / bcRaw <= 1.0);
            }
            foreach (ScaleResult r in scale)
            {
                string n = r.Sessions.ToString("N0", Inv) + $" SERVER sessions, interval {r.Interval.TotalSeconds:0} s";
                Row($"{n}: threads added", $"{r.OursThreadsAdded:+0;-0;0} (thread pool {r.OursPoolThreadsAdded:+0;-0;0}; max over the window)",
                    $"thread per client: +{r.BaselineThreadsAdded}", X((double)r.OursThreadsAdded / r.BaselineThreadsAdded, 4), "≤ 4", r.OursThreadsAdded <= 4);
                Row($"{n}: managed memory per session", Bytes(r.OursManagedBytesPerSession) + $" (RSS {Bytes(r.OursRssBytesPerSession)})",
                    $"thread per client: {Bytes(r.BaselineManagedBytesPerSession)} managed, RSS {Bytes(r.BaselineRssBytesPerSession)}",
                    $"{X(r.OursManagedBytesPerSession / r.BaselineManagedBytesPerSession)} managed; {X(r.OursRssBytesPerSession / r.BaselineRssBytesPerSession)} RSS",
                    "≤ 8 KB", r.OursManagedBytesPerSession <= 8 * 1024);
                Row($"{n}: heartbeats per second sustained", $"{r.HeartbeatsPerSecond:0} /s over {r.Window.TotalSeconds:0} s ({r.Failures} failures, {r.LeftScheduled} left scheduled after dispose)",
                    $"schedule: {r.ExpectedPerSecond:0} /s", X(r.HeartbeatsPerSecond / r.ExpectedPerSecond, 3), "≈ 1.0×", r.HeartbeatsPerSecond / r.ExpectedPerSecond >= 0.95 && r.Failures == 0);
                Row($"{n}: process CPU per heartbeat", $"{r.OursCpuUsPerHeartbeat:0.0} µs",
                    $"bare POST of a heartbeat request at the same rate ({r.BarePostsPerSecond:0} /s): {r.BareCpuUsPerPost:0.0} µs",
                    X(r.OursCpuUsPerHeartbeat / r.BareCpuUsPerPost), "–", null);
                Row($"{n}: heartbeat start behind schedule", $"p99 {r.LatenessP99Ms:0.0} ms (p50 {r.LatenessP50Ms:0.0}, max {r.LatenessMaxMs:0.0}; {r.LatenessSamples} heartbeats)",
                    $"interval: {r.Interval.TotalMilliseconds:0} ms", X(r.LatenessP99Ms / r.Interval.TotalMilliseconds, 4), "–", null);
            }
            Row($"{idleSessions:N0} idle sessions (interval 1 h): managed memory each session retains", Bytes(retained),
                "–", "–", "≤ 8 KB", retained <= 8 * 1024);
            md.AppendLine();
            {
                double v2 = (interleaved["HmacV2"].OursUs - interleaved["HmacV2"].BareUs) * 1000;
                double v3 = (interleaved["Ed25519"].OursUs - interleaved["Ed25519"].BareUs) * 1000;
                double Median(string method, string mode) => reports.FirstOrDefault(r => r.BenchmarkCase.Descriptor.WorkloadMethod.Name == method
                    && r.BenchmarkCase.Parameters.Items.Any(p => p.Name == "Mode" && p.Value.ToString() == mode))?.ResultStatistics?.Median ?? double.NaN;
                md.AppendLine($"BenchmarkDotNet login ratios by median instead of mean: v2 {X(Median("LoginAsync", "HmacV2") / Median("BareHttpClientPost", "HmacV2"))}, " +
                    $"v3 {X(Median("LoginAsync", "Ed25519") / Median("BareHttpClientPost", "Ed25519"))}.");
                md.AppendLine();
                md.AppendLine($"Login overhead over the bare POST (interleaved): v2 {Us(v2)}, v3 {Us(v3)}. One Ed25519 verification of a stored session " +
                    $"(the check every v3 response needs) costs {Us(Ns("Ed25519Session"))} in this run, one HMAC re-verification {Us(Ns("HmacSession"))}. " +
                    $"A fixed overhead meets ≤ 1.2× once the bare exchange takes at least 5× the overhead: v2 {(v2 <= 0 ? "any" : Us(5 * v2))}, v3 {(v3 <= 0 ? "any" : Us(5 * v3))} " +
                    "(a loopback exchange with an in-process server is the hardest case; a real network adds milliseconds).");
                md.AppendLine();
            }
            md.AppendLine($"Logging in took {string.Join("; ", scale.Select(r => $"{r.Sessions:N0} sessions {r.LoginSeconds:0.0} s"))} (64 at a time).");
            md.AppendLine();
            md.AppendLine("## BenchmarkDotNet means");
            md.AppendLine();
            md.AppendLine("| Benchmark | Mean | StdDev | Allocated/op |");
            md.AppendLine("|---|---|---|---|");
            foreach (BenchmarkReport report in reports)
            {
                string name = report.BenchmarkCase.Descriptor.Type.Name + "." + report.BenchmarkCase.Descriptor.WorkloadMethod.Name
                    + (report.BenchmarkCase.HasParameters ? " (" + report.BenchmarkCase.Parameters.DisplayInfo + ")" : "");
                long? allocated = report.GcStats.GetBytesAllocatedPerOperation(report.BenchmarkCase);
                md.AppendLine($"| {name} | {Us(report.ResultStatistics?.Mean ?? double.NaN)} | {Us(report.ResultStatistics?.StandardDeviation ?? double.NaN)} | " +
                    $"{(allocated is long a ? a.ToString("N0", Inv) + " B" : "?")} |");
            }
            return md.ToString();
        }

        private static string Us(double ns) => double.IsNaN(ns) ? "n/a" : ns < 0 ? "−" + Us(-ns) : ns >= 1_000_000 ? (ns / 1_000_000).ToString("0.00", Inv) + " ms"
            : ns >= 1000 ? (ns / 1000).ToString("0.00", Inv) + " µs" : ns.ToString("0.0", Inv) + " ns";

        private static string X(double ratio, int digits = 2) => double.IsNaN(ratio) || double.IsInfinity(ratio) ? "n/a"
            : ratio.ToString("0." + new string('0', ratio != 0 && Math.Abs(ratio) < 0.01 ? Math.Max(digits, 4) : digits), Inv) + "×";

        private static string Bytes(double bytes) => Math.Abs(bytes) >= 1024 * 1024 ? (bytes / (1024 * 1024)).ToString("0.00", Inv) + " MiB"
            : Math.Abs(bytes) >= 1024 ? (bytes / 1024).ToString("0.00", Inv) + " KiB" : bytes.ToString("0", Inv) + " B";

        internal static string LoadAverage()
        {
            try
            {
                string[] parts = File.ReadAllText("/proc/loadavg").Split(' ');
                return string.Join(" ", parts.Take(3));
            }
            catch (IOException)
            {
                return "n/a";
            }
        }

        internal static string CpuModel()
        {
            try
            {
                string? line = File.ReadLines("/proc/cpuinfo").FirstOrDefault(l => l.StartsWith("model name", StringComparison.Ordinal));
                return line is null ? RuntimeInformation.ProcessArchitecture.ToString() : line.Substring(line.IndexOf(':') + 1).Trim();
            }
            catch (IOException)
            {
                return RuntimeInformation.ProcessArchitecture.ToString();
            }
        }

        /// <summary>The bench/AuthForge.Benchmarks folder of the source tree (found from the working directory or the binary).</summary>
        internal static string ProjectDirectory()
        {
            foreach (string start in new[] { Directory.GetCurrentDirectory(), AppContext.BaseDirectory })
            {
                for (DirectoryInfo? dir = new DirectoryInfo(start); dir != null; dir = dir.Parent)
                {
                    if (File.Exists(Path.Combine(dir.FullName, "AuthForge.Benchmarks.csproj"))) return dir.FullName;
                    string candidate = Path.Combine(dir.FullName, "bench", "AuthForge.Benchmarks");
                    if (File.Exists(Path.Combine(candidate, "AuthForge.Benchmarks.csproj"))) return candidate;
                }
            }
            return Directory.GetCurrentDirectory();
        }
    }
}
