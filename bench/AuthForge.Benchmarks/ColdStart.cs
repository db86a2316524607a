using System;
using System.Collections.Generic;
using System.Diagnostics;
using System.Globalization;
using System.IO;
using System.Linq;
using System.Runtime.InteropServices;
using System.Text;
using System.Threading.Tasks;
using AuthForge.DevServer;

namespace AuthForge.Benchmarks
{
    /// <summary>
    /// The cold-start benchmark: <c>dotnet run -c Release --project bench/AuthForge.Benchmarks -- --cold [--rounds N]
    /// [--official PATH] [--mono] [--compare FILE] [--out FILE]</c>. Fresh processes of AuthForge.Benchmarks.ColdProbe, started
    /// alternately (the order rotates every round, so load from other processes falls on every kind alike), each timed
    /// from its Main: the bare POST + parse, our client (constructor, first Login, first ValidateLicense) and, when a local
    /// checkout of the official C# SDK is given (<c>--official</c> or AUTHFORGE_OFFICIAL_SDK), the same probe built
    /// against it. All talk to one DevServer in v3 (Ed25519) on loopback, in this process. Medians and ratios from the
    /// one run. Nothing is fetched at run time: without a checkout the results say so and compare ours alone.
    /// </summary>
    internal static class ColdStart
    {
        private static readonly CultureInfo Inv = CultureInfo.InvariantCulture;
        private static string s_pin = "-";

        private sealed class Kind
        {
            public Kind(string key, string label, string exe, string mode, bool fingerprint, string runner = "")
            {
                Key = key; Label = label; Exe = exe; Mode = mode; Fingerprint = fingerprint; Runner = runner;
            }
            public string Key { get; }
            public string Label { get; }
            public string Exe { get; }
            public string Mode { get; }
            public bool Fingerprint { get; }
            public string Runner { get; }   // "" to start Exe itself, else e.g. "mono"
            public List<double> Ctor { get; } = new List<double>();
            public List<double> Call { get; } = new List<double>();
            public List<double> Total { get; } = new List<double>();
            public List<double> Wall { get; } = new List<double>();
            public List<double> Cpu { get; } = new List<double>();
        }

        public static async Task<int> RunAsync(string[] args)
        {
            int rounds = int.Parse(Option(args, "--rounds") ?? "15", Inv);
            string? official = Option(args, "--official") ?? Environment.GetEnvironmentVariable("AUTHFORGE_OFFICIAL_SDK");
            // --tls: the DevServer over https:// (self-signed); bare and ours both send through a handler pinned to its
            // certificate, as customers' requests all go over TLS.
            bool tls = args.Contains("--tls");
            string output = Path.GetFullPath(Option(args, "--out") ?? Path.Combine(Suite.ProjectDirectory(), tls ? "RESULTS.cold-tls.md" : "RESULTS.cold.md"));
            string command = "dotnet run -c Release --project bench/AuthForge.Benchmarks -- " + string.Join(" ", args);
            void Log(string line) => Console.WriteLine("[cold] " + line);

            string repo = Path.GetFullPath(Path.Combine(Suite.ProjectDirectory(), "..", ".."));
            string work = Path.Combine(Path.GetTempPath(), "authforge-cold-" + Environment.ProcessId.ToString(Inv));
            string probeProject = Path.Combine(repo, "tests", "AuthForge.Benchmarks.ColdProbe", "AuthForge.Benchmarks.ColdProbe.csproj");

            Log("building the probe (ours) ...");
            string ours = Path.Combine(work, "ours");
            string? error = Build(probeProject, ours);
            if (error != null) throw new InvalidOperationException("The probe did not build: " + error);

            string officialNote;
            string? officialDir = null;
            if (string.IsNullOrEmpty(official))
            {
                officialNote = "not measured: no local checkout of AuthForgeCC/authforge-csharp was given (--official PATH or AUTHFORGE_OFFICIAL_SDK); ours alone";
            }
            else if (!File.Exists(Path.Combine(official, "AuthForge.csproj")))
            {
                officialNote = $"not measured: {official} holds no AuthForge.csproj; ours alone";
            }
            else
            {
                Log("building the probe against the official SDK at " + official + " ...");
                officialDir = Path.Combine(work, "official");
                error = Build(probeProject, officialDir, "-p:OfficialSdkDir=" + Path.GetFullPath(official), "-p:GeneratePackageOnBuild=false");
                officialNote = error == null
                    ? $"built from the local checkout {official} ({GitHead(official)}) with BouncyCastle.Cryptography from NuGet"
                    : "not measured: the official SDK did not build (" + error + "); ours alone";
                if (error != null) officialDir = null;
            }

            string Exe(string dir) => Path.Combine(dir, "AuthForge.Benchmarks.ColdProbe" + (RuntimeInformation.IsOSPlatform(OSPlatform.Windows) ? ".exe" : ""));
            var kinds = new List<Kind>
            {
                new Kind("bare", "bare `HttpClient` POST + `JsonDocument.Parse`", Exe(ours), "bare", false),
                new Kind("bare-sync", "bare synchronous `HttpClient.Send` + `JsonDocument.Parse`", Exe(ours), "bare-sync", false),
                new Kind("login", "AuthForge.cs: constructor + `Login`", Exe(ours), "login", false),
                new Kind("validate", "AuthForge.cs: constructor + `ValidateLicense`", Exe(ours), "validate", false),
                new Kind("login-fp", "AuthForge.cs: constructor + `Login`, machine fingerprint (no `hwidOverride`)", Exe(ours), "login", true),
            };
            if (officialDir != null)
            {
                kinds.Add(new Kind("official-login", "official C# SDK: constructor + `Login`", Exe(officialDir), "login", false));
                kinds.Add(new Kind("official-validate", "official C# SDK: constructor + `ValidateLicense`", Exe(officialDir), "validate", false));
                kinds.Add(new Kind("official-login-fp", "official C# SDK: constructor + `Login`, machine fingerprint", Exe(officialDir), "login", true));
            }
            // --compare FILE: the same probe built from another AuthForge.cs (e.g. `git show HEAD~1:AuthForge.cs`), its
            // Login and ValidateLicense rows beside ours: a change measured before and after in one run.
            string? compare = Option(args, "--compare");
            if (!string.IsNullOrEmpty(compare))
            {
                Log("building the probe from " + compare + " ...");
                string compareDir = Path.Combine(work, "compare");
                error = Build(probeProject, compareDir, "-p:AuthForgeFile=" + Path.GetFullPath(compare));
                if (error != null) throw new InvalidOperationException("The compare probe did not build: " + error);
                kinds.Add(new Kind("cmp-login", $"`{Path.GetFileName(compare)}`: constructor + `Login`", Exe(compareDir), "login", false));
                kinds.Add(new Kind("cmp-validate", $"`{Path.GetFileName(compare)}`: constructor + `ValidateLicense`", Exe(compareDir), "validate", false));
            }
            // --mono: the same probe built for .NET Framework (net472) and run under Mono, bare and ours, beside the rest.
            string monoNote = "not measured (add --mono to build the probe for net472 and run it under Mono)";
            if (args.Contains("--mono"))
            {
                Log("building the probe for net472 (Mono) ...");
                string monoDir = Path.Combine(work, "net472");
                error = Build(probeProject, monoDir, "-p:ProbeFramework=net472");
                string exe = Path.Combine(monoDir, "AuthForge.Benchmarks.ColdProbe.exe");
                if (error != null)
                {
                    monoNote = "not measured: the net472 probe did not build (" + error + ")";
                }
                else
                {
                    kinds.Add(new Kind("mono-bare", "Mono (net472): bare `HttpClient` POST + `JsonDocument.Parse` (System.Text.Json package)", exe, "bare", false, "mono"));
                    kinds.Add(new Kind("mono-login", "Mono (net472): AuthForge.cs constructor + `Login`", exe, "login", false, "mono"));
                    kinds.Add(new Kind("mono-validate", "Mono (net472): AuthForge.cs constructor + `ValidateLicense`", exe, "validate", false, "mono"));
                    monoNote = $"the probe built for net472 and run by `mono` ({MonoVersion()}); ratios against the Mono bare row";
                }
            }

            string loadBefore = Suite.LoadAverage();
            DateTimeOffset started = DateTimeOffset.Now;
            await using DevServerHost server = await BenchServer.StartAsync(SigningMode.Ed25519, slots: 8, tls: tls).ConfigureAwait(false);
            string publicKey = server.PublicKeyBase64;
            s_pin = tls ? server.CertificateSha256 : "-";

            Log("warm-up: one of each (the server's first requests, the disk cache)");
            foreach (Kind kind in kinds) Run(kind, server.BaseUrl, publicKey, record: false);
            for (int r = 0; r < rounds; r++)
            {
                // Rotate the start, and reverse every other round: no kind always follows the same one.
                IEnumerable<Kind> order = kinds.Skip(r % kinds.Count).Concat(kinds.Take(r % kinds.Count));
                if (r % 2 == 1) order = order.Reverse();
                foreach (Kind kind in order) Run(kind, server.BaseUrl, publicKey, record: true);
                Log($"round {r + 1}/{rounds}: " + string.Join(", ", kinds.Select(k => $"{k.Key} {k.Total[^1]:0.0}")));
            }
            string loadAfter = Suite.LoadAverage();

            string markdown = Render(kinds, rounds, command, started, loadBefore, loadAfter, officialNote, monoNote);
            File.WriteAllText(output, markdown);
            Console.WriteLine();
            Console.WriteLine(markdown);
            Log("wrote " + output);
            try { Directory.Delete(work, recursive: true); } catch (IOException) { } catch (UnauthorizedAccessException) { }
            return 0;
        }

        private static void Run(Kind kind, string url, string publicKey, bool record)
        {
            var start = new ProcessStartInfo { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
            if (kind.Runner.Length > 0)
            {
                start.FileName = kind.Runner;
                start.ArgumentList.Add(kind.Exe);
            }
            else
            {
                start.FileName = kind.Exe;
            }
            foreach (string a in new[] { kind.Mode, url, BenchServer.AppId, BenchServer.AppSecret, BenchServer.LicenseKey,
                         kind.Fingerprint ? "-" : BenchServer.Hwid, publicKey, s_pin })
                start.ArgumentList.Add(a);
            var watch = Stopwatch.StartNew();
            using Process process = Process.Start(start) ?? throw new InvalidOperationException("The probe did not start.");
            string stdout = process.StandardOutput.ReadToEnd();
            string stderr = process.StandardError.ReadToEnd();
            process.WaitForExit();
            double wall = watch.Elapsed.TotalMilliseconds;
            if (process.ExitCode != 0)
                throw new InvalidOperationException($"The {kind.Key} probe failed ({process.ExitCode}): {stderr.Trim()} {stdout.Trim()}");
            Dictionary<string, double> figures = stdout.Trim().Split(' ')
                .Select(p => p.Split('='))
                .ToDictionary(p => p[0], p => double.Parse(p[1], Inv));
            if (!record) return;
            kind.Ctor.Add(figures["ctor_ms"]);
            kind.Call.Add(figures["call_ms"]);
            kind.Total.Add(figures["total_ms"]);
            kind.Wall.Add(wall);
            if (figures.TryGetValue("cpu_ms", out double cpu)) kind.Cpu.Add(cpu);
        }

        private static string? Build(string project, string outputDir, params string[] properties)
        {
            var start = new ProcessStartInfo("dotnet") { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
            foreach (string a in new[] { "build", project, "-c", "Release", "-o", outputDir, "-nologo", "-v", "q" }.Concat(properties))
                start.ArgumentList.Add(a);
            using Process process = Process.Start(start)!;
            string stdout = process.StandardOutput.ReadToEnd();
            string stderr = process.StandardError.ReadToEnd();
            process.WaitForExit();
            if (process.ExitCode == 0) return null;
            string firstError = (stdout + "\n" + stderr).Split('\n').FirstOrDefault(l => l.Contains("error", StringComparison.OrdinalIgnoreCase))?.Trim() ?? "exit " + process.ExitCode;
            return firstError;
        }

        private static string MonoVersion()
        {
            try
            {
                var start = new ProcessStartInfo("mono", "--version") { RedirectStandardOutput = true, UseShellExecute = false };
                using Process process = Process.Start(start)!;
                string first = process.StandardOutput.ReadLine() ?? "mono";
                process.StandardOutput.ReadToEnd();
                process.WaitForExit();
                int at = first.IndexOf(" (", StringComparison.Ordinal);
                return at > 0 ? first.Substring(0, at) : first;
            }
            catch (System.ComponentModel.Win32Exception)
            {
                return "mono not found";
            }
        }

        private static string GitHead(string dir)
        {
            try
            {
                var start = new ProcessStartInfo("git") { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
                foreach (string a in new[] { "-C", dir, "rev-parse", "--short", "HEAD" }) start.ArgumentList.Add(a);
                using Process process = Process.Start(start)!;
                string head = process.StandardOutput.ReadToEnd().Trim();
                process.WaitForExit();
                return process.ExitCode == 0 && head.Length > 0 ? "commit " + head : "not a git work tree";
            }
            catch (System.ComponentModel.Win32Exception)
            {
                return "git not available";
            }
        }

        private static string Render(List<Kind> kinds, int rounds, string command, DateTimeOffset started, string loadBefore, string loadAfter,
            string officialNote, string monoNote)
        {
            Kind Get(string key) => kinds.First(k => k.Key == key);
            Kind? Find(string key) => kinds.FirstOrDefault(k => k.Key == key);
            Kind bare = Get("bare");
            double bareTotal = Median(bare.Total);
            var md = new StringBuilder();
            md.AppendLine("# AuthForge.cs cold start");
            md.AppendLine();
            md.AppendLine($"- Date: {started:yyyy-MM-dd HH:mm zzz}; {rounds} rounds of fresh processes, the order rotated every round; medians");
            md.AppendLine($"- Command: `{command.Trim()}` (from the repository root)");
            md.AppendLine($"- Machine: {Suite.CpuModel()}, {Environment.ProcessorCount} logical cores, {RuntimeInformation.OSDescription.Trim()}, " +
                $"{RuntimeInformation.FrameworkDescription}; probes built Release, no ReadyToRun, AuthForge.cs compiled into the probe as a user would");
            md.AppendLine($"- Load average (1/5/15 min) before: {loadBefore}; after: {loadAfter}. Shared machine: read the ratios, taken in the same run.");
            md.AppendLine(s_pin != "-"
                ? "- Transport: **TLS** (https://, the DevServer's self-signed certificate; the bare request and ours both send through an `HttpClientHandler` pinned to its SHA-256, so each process pays the same handshake)"
                : "- Transport: plain HTTP on loopback (`--tls` for the same over TLS)");
            md.AppendLine("- Server: the DevServer in v3 (Ed25519) on loopback, in the benchmark's process, warmed by one request of each kind first. " +
                "Every probe sends the same validate request (`hwidOverride` = the licence's hardware id) unless the row says fingerprint.");
            md.AppendLine($"- Official C# SDK: {officialNote}.");
            md.AppendLine($"- .NET Framework (Mono): {monoNote}.");
            md.AppendLine();
            md.AppendLine("| Process | constructor (cold) | first call | `Main` → done | × bare POST (median of totals) | × bare, per-round median | process wall (start → exit) | process CPU (start → done) | × bare CPU |");
            md.AppendLine("|---|---|---|---|---|---|---|---|---|");
            foreach (Kind k in kinds)
            {
                Kind baseline = k.Key.StartsWith("mono", StringComparison.Ordinal) ? Find("mono-bare") ?? bare : bare;
                bool isBare = k.Key.Contains("bare", StringComparison.Ordinal);
                double ratio = Median(k.Total) / Median(baseline.Total);
                double perRound = Median(k.Total.Zip(baseline.Total, (a, b) => a / b).ToList());
                md.AppendLine($"| {k.Label} | {(isBare ? "–" : Ms(Median(k.Ctor)))} | {Ms(Median(k.Call))} | {Ms(Median(k.Total))} | " +
                    $"{(k == baseline ? "1.00×" : X(ratio))} | {(k == baseline ? "1.00×" : X(perRound))} | {Ms(Median(k.Wall))} | {Ms(Median(k.Cpu))} | {(k == baseline ? "1.00×" : X(Median(k.Cpu) / Median(baseline.Cpu)))} |");
            }
            md.AppendLine();
            md.AppendLine("| Target | Measured | Met |");
            md.AppendLine("|---|---|---|");
            double ctor = Median(Get("login").Ctor.Concat(Get("validate").Ctor).ToList());
            md.AppendLine($"| constructor after process start ≤ 5 ms | {Ms(ctor)} (median over the Login and ValidateLicense processes) | {(ctor <= 5 ? "yes" : "**no**")} |");
            double login = Median(Get("login").Total) / bareTotal, validate = Median(Get("validate").Total) / bareTotal;
            bool tls = s_pin != "-";
            double target = tls ? 1.1 : 1.25;
            string over = tls ? "over TLS" : "over plain HTTP";
            md.AppendLine($"| `Main` → logged in ≤ {target:0.00}× the bare POST + parse ({over}) | {X(login)} ({Ms(Median(Get("login").Total))} vs {Ms(bareTotal)}) | {(login <= target ? "yes" : "**no**")} |");
            md.AppendLine($"| `Main` → first `ValidateLicense` ≤ {target:0.00}× the bare POST + parse ({over}) | {X(validate)} ({Ms(Median(Get("validate").Total))} vs {Ms(bareTotal)}) | {(validate <= target ? "yes" : "**no**")} |");
            if (Find("mono-bare") is Kind monoBare && Find("mono-login") is Kind monoLogin && Find("mono-validate") is Kind monoValidate)
            {
                double mctor = Median(monoLogin.Ctor.Concat(monoValidate.Ctor).ToList());
                double ml = Median(monoLogin.Total) / Median(monoBare.Total), mv = Median(monoValidate.Total) / Median(monoBare.Total);
                md.AppendLine($"| Mono: constructor ≤ 5 ms | {Ms(mctor)} | {(mctor <= 5 ? "yes" : "**no**")} |");
                md.AppendLine($"| Mono: `Main` → logged in ≤ 1.2× the bare POST + parse | {X(ml)} ({Ms(Median(monoLogin.Total))} vs {Ms(Median(monoBare.Total))}) | {(ml <= 1.2 ? "yes" : "**no**")} |");
                md.AppendLine($"| Mono: `Main` → first `ValidateLicense` ≤ 1.2× the bare POST + parse | {X(mv)} ({Ms(Median(monoValidate.Total))} vs {Ms(Median(monoBare.Total))}) | {(mv <= 1.2 ? "yes" : "**no**")} |");
            }
            if (Find("official-login") is Kind off)
            {
                md.AppendLine($"| (for reference) official SDK `Main` → logged in | {X(Median(off.Total) / bareTotal)} of the bare POST; ours is {X(Median(Get("login").Total) / Median(off.Total))} of it | – |");
            }
            md.AppendLine();
            md.AppendLine("Process CPU is user + system time of the whole probe process from its start (runtime start-up included) " +
                "to the end of the timed call: the work done, which other processes on a busy machine barely move, unlike wall time.");
            md.AppendLine();
            md.AppendLine("Per-round totals (ms), in run order:");
            md.AppendLine();
            foreach (Kind k in kinds) md.AppendLine($"- {k.Key}: {string.Join(" ", k.Total.Select(v => v.ToString("0", Inv)))}");
            return md.ToString();
        }

        private static double Median(List<double> values)
        {
            if (values.Count == 0) return double.NaN;
            List<double> sorted = values.OrderBy(v => v).ToList();
            int n = sorted.Count;
            return n % 2 == 1 ? sorted[n / 2] : (sorted[n / 2 - 1] + sorted[n / 2]) / 2;
        }

        private static string Ms(double ms) => double.IsNaN(ms) ? "n/a" : ms.ToString(ms < 10 ? "0.00" : "0.0", Inv) + " ms";
        private static string X(double ratio) => double.IsNaN(ratio) ? "n/a" : ratio.ToString("0.00", Inv) + "×";

        private static string? Option(string[] args, string name)
        {
            int i = Array.IndexOf(args, name);
            return i >= 0 && i + 1 < args.Length ? args[i + 1] : null;
        }
    }
}
