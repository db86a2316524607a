using System;
using System.Collections.Generic;
using System.Diagnostics;
using System.Globalization;
using System.IO;
using System.Linq;
using System.Net.Http;
using System.Runtime.InteropServices;
using System.Text;
using System.Threading.Tasks;
using AuthForge.DevServer;

namespace AuthForge.Benchmarks
{
    /// <summary>
    /// Warm login against any server: <c>dotnet run -c Release --project bench/AuthForge.Benchmarks -- --warm [--rounds N]
    /// [--block N] [--out FILE]</c>. Against Kestrel (the DevServer, v3, in this process) and against Python's
    /// http.server (PythonServer.py, started here: HTTP/1.1 keep-alive, TCP_NODELAY, v3 when the `cryptography` package is
    /// there, else v2): <c>LoginAsync</c> against a bare <c>SendAsync</c> of the same request, and <c>Login</c> against a
    /// bare synchronous <c>Send</c>, in interleaved blocks (the order alternating), medians of the blocks. Also the
    /// client's local work per login (verify the response, build the session) timed alone, to say where the extra
    /// time goes.
    /// </summary>
    internal static class WarmLogin
    {
        private static readonly CultureInfo Inv = CultureInfo.InvariantCulture;

        private sealed class Figures
        {
            public string Server = "";
            public string Mode = "";
            public double OursAsyncUs, BareAsyncUs, OursSyncUs, BareSyncUs, LocalUs, LocalMinUs;
        }

        public static async Task<int> RunAsync(string[] args)
        {
            int rounds = int.Parse(Option(args, "--rounds") ?? "30", Inv);
            int block = int.Parse(Option(args, "--block") ?? "50", Inv);
            string output = Path.GetFullPath(Option(args, "--out") ?? Path.Combine(Suite.ProjectDirectory(), "RESULTS.warm.md"));
            string command = "dotnet run -c Release --project bench/AuthForge.Benchmarks -- " + string.Join(" ", args);
            string loadBefore = Suite.LoadAverage();
            DateTimeOffset started = DateTimeOffset.Now;
            var results = new List<Figures>();

            await using (DevServerHost server = await BenchServer.StartAsync(SigningMode.HmacV2).ConfigureAwait(false))
            {
                results.Add(await MeasureAsync("Kestrel (the DevServer, in process)", "v2", server.BaseUrl, null, rounds, block).ConfigureAwait(false));
            }
            await using (DevServerHost server = await BenchServer.StartAsync(SigningMode.Ed25519).ConfigureAwait(false))
            {
                results.Add(await MeasureAsync("Kestrel (the DevServer, in process)", "v3", server.BaseUrl, server.PublicKeyBase64, rounds, block).ConfigureAwait(false));
            }
            string pythonNote;
            Process? python = StartPython(out string? url, out string? mode, out string? publicKey, out pythonNote);
            if (python != null)
            {
                try
                {
                    results.Add(await MeasureAsync("Python `http.server` (child process)", mode!, url!, publicKey == "-" ? null : publicKey, rounds, block).ConfigureAwait(false));
                }
                finally
                {
                    python.StandardInput.Close();
                    if (!python.WaitForExit(5000)) python.Kill();
                    python.Dispose();
                }
            }
            string loadAfter = Suite.LoadAverage();

            var md = new StringBuilder();
            md.AppendLine("# AuthForge.cs warm login against any server");
            md.AppendLine();
            md.AppendLine($"- Date: {started:yyyy-MM-dd HH:mm zzz}; {rounds} rounds of {block} logins each way, interleaved (order alternating); medians of the blocks");
            md.AppendLine($"- Command: `{command.Trim()}` (from the repository root)");
            md.AppendLine($"- Machine: {Suite.CpuModel()}, {Environment.ProcessorCount} logical cores, {RuntimeInformation.OSDescription.Trim()}, {RuntimeInformation.FrameworkDescription}");
            md.AppendLine($"- Load average (1/5/15 min) before: {loadBefore}; after: {loadAfter}. Shared machine: read the ratios, taken in the same run.");
            md.AppendLine($"- Python server: {pythonNote}.");
            md.AppendLine("- Bare: the same validate request (same body, fresh nonce) on its own `HttpClient`, body read to the end, no parsing and no checks.");
            md.AppendLine();
            md.AppendLine("| Server | Ours | Bare | Ratio | Target | Met | Overhead |");
            md.AppendLine("|---|---|---|---|---|---|---|");
            foreach (Figures f in results)
            {
                double ra = f.OursAsyncUs / f.BareAsyncUs, rs = f.OursSyncUs / f.BareSyncUs;
                md.AppendLine($"| {f.Server}, {f.Mode} | `LoginAsync` {Us(f.OursAsyncUs)} | `SendAsync` {Us(f.BareAsyncUs)} | {ra:0.00}× | ≤ 1.15× | {(ra <= 1.15 ? "yes" : "**no**")} | {Us(f.OursAsyncUs - f.BareAsyncUs)} |");
                md.AppendLine($"| {f.Server}, {f.Mode} | `Login` {Us(f.OursSyncUs)} | `Send` {Us(f.BareSyncUs)} | {rs:0.00}× | ≤ 1.2× | {(rs <= 1.2 ? "yes" : "**no**")} | {Us(f.OursSyncUs - f.BareSyncUs)} |");
            }
            md.AppendLine();
            md.AppendLine("Where the extra time goes: the client's local work per login (verify the signed response, check nonce and " +
                "session, build the session), timed alone on the same response in the same run: " +
                string.Join("; ", results.Select(f => $"{f.Server} ({f.Mode}) {Us(f.LocalUs)} (median of 15 blocks of 100; fastest block {Us(f.LocalMinUs)})")) +
                ". The rest of the overhead is the transport around the same request (request building, the per-request time-out, " +
                "the bounded read) and, for `Login`, the hop to the thread pool that keeps a UI thread from deadlocking.");
            File.WriteAllText(output, md.ToString());
            Console.WriteLine();
            Console.WriteLine(md.ToString());
            Console.WriteLine("[warm] wrote " + output);
            return 0;
        }

        private static async Task<Figures> MeasureAsync(string serverLabel, string mode, string baseUrl, string? publicKey, int rounds, int block)
        {
            AuthForgeClientOptions options = BenchServer.ClientOptions(baseUrl, publicKey);
            options.Scheduler = new HeartbeatScheduler();
            using var client = new AuthForgeClient(options);
            using var bare = new HttpClient(new SocketsHttpHandler { AllowAutoRedirect = false });
            string url = baseUrl + "/auth/validate";

            async Task<double> OursAsync(int n)
            {
                var watch = Stopwatch.StartNew();
                // A login while logged in with the same key sends nothing (it returns true at once), so each timed login
                // starts logged out, as the old replacing login did; Logout only unschedules the heartbeat.
                for (int i = 0; i < n; i++)
                {
                    if (!await client.LoginAsync(BenchServer.LicenseKey).ConfigureAwait(false)) throw new InvalidOperationException("login");
                    client.Logout();
                }
                return watch.Elapsed.TotalMilliseconds * 1000 / n;
            }
            async Task<double> BareAsync(int n)
            {
                var watch = Stopwatch.StartNew();
                for (int i = 0; i < n; i++) await BenchServer.PostAsync(bare, url, BenchServer.ValidateBody(Nonce.Create())).ConfigureAwait(false);
                return watch.Elapsed.TotalMilliseconds * 1000 / n;
            }
            double OursSync(int n)
            {
                var watch = Stopwatch.StartNew();
                for (int i = 0; i < n; i++)
                {
                    if (!client.Login(BenchServer.LicenseKey)) throw new InvalidOperationException("login");
                    client.Logout();
                }
                return watch.Elapsed.TotalMilliseconds * 1000 / n;
            }
            double BareSync(int n)
            {
                var watch = Stopwatch.StartNew();
                for (int i = 0; i < n; i++)
                {
                    using var request = new HttpRequestMessage(HttpMethod.Post, url)
                    {
                        Content = new StringContent(BenchServer.ValidateBody(Nonce.Create()), Encoding.UTF8, "application/json"),
                    };
                    using HttpResponseMessage response = bare.Send(request);
                    using Stream stream = response.Content.ReadAsStream();
                    stream.CopyTo(Stream.Null);
                }
                return watch.Elapsed.TotalMilliseconds * 1000 / n;
            }

            // Warm-up, every path.
            await OursAsync(block).ConfigureAwait(false);
            await BareAsync(block).ConfigureAwait(false);
            OursSync(block);
            BareSync(block);
            var oa = new List<double>(); var ba = new List<double>(); var os = new List<double>(); var bs = new List<double>();
            for (int r = 0; r < rounds; r++)
            {
                if (r % 2 == 0)
                {
                    oa.Add(await OursAsync(block).ConfigureAwait(false)); ba.Add(await BareAsync(block).ConfigureAwait(false));
                    os.Add(OursSync(block)); bs.Add(BareSync(block));
                }
                else
                {
                    bs.Add(BareSync(block)); os.Add(OursSync(block));
                    ba.Add(await BareAsync(block).ConfigureAwait(false)); oa.Add(await OursAsync(block).ConfigureAwait(false));
                }
            }
            var figures = new Figures
            {
                Server = serverLabel, Mode = mode,
                OursAsyncUs = Median(oa), BareAsyncUs = Median(ba), OursSyncUs = Median(os), BareSyncUs = Median(bs),
            };
            (figures.LocalUs, figures.LocalMinUs) = LocalWorkUs(bare, url, publicKey);
            Console.WriteLine($"[warm] {serverLabel} {mode}: LoginAsync {figures.OursAsyncUs:0.0} vs SendAsync {figures.BareAsyncUs:0.0}; " +
                $"Login {figures.OursSyncUs:0.0} vs Send {figures.BareSyncUs:0.0}; local work {figures.LocalUs:0.0} µs");
            return figures;
        }

        // µs to verify one real response of this server and build its session, as the client does after the bytes arrive.
        private static (double Median, double Fastest) LocalWorkUs(HttpClient http, string url, string? publicKey)
        {
            string nonce = Nonce.Create();
            byte[] body = BenchServer.PostAsync(http, url, BenchServer.ValidateBody(nonce)).GetAwaiter().GetResult();
            SignatureVerifier verifier = publicKey != null
                ? Ed25519SignatureVerifier.Parse(new[] { publicKey }, "publicKey")
                : new HmacSignatureVerifier(Encoding.UTF8.GetBytes(BenchServer.AppSecret));
            void Once() => Session.FromAnswer(200, body, nonce, verifier, BenchServer.Binding(), AuthForgeClock.System);
            for (int i = 0; i < 200; i++) Once();
            var samples = new List<double>();
            for (int s = 0; s < 15; s++)
            {
                var watch = Stopwatch.StartNew();
                for (int i = 0; i < 100; i++) Once();
                samples.Add(watch.Elapsed.TotalMilliseconds * 10);
            }
            return (Median(samples), samples.Min());
        }

        private static Process? StartPython(out string? url, out string? mode, out string? publicKey, out string note)
        {
            url = mode = publicKey = null;
            string script = Path.Combine(Suite.ProjectDirectory(), "PythonServer.py");
            var start = new ProcessStartInfo("python3") { RedirectStandardInput = true, RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
            foreach (string a in new[] { script, BenchServer.AppId, BenchServer.AppSecret, BenchServer.LicenseKey }) start.ArgumentList.Add(a);
            Process? process;
            try
            {
                process = Process.Start(start);
            }
            catch (System.ComponentModel.Win32Exception ex)
            {
                note = "not measured: python3 could not be started (" + ex.Message + ")";
                return null;
            }
            string? line = process?.StandardOutput.ReadLine();
            string[] parts = line?.Split(' ') ?? Array.Empty<string>();
            if (process == null || parts.Length != 4 || parts[0] != "READY")
            {
                note = "not measured: PythonServer.py said " + (line ?? "nothing") + " " + process?.StandardError.ReadToEnd().Trim();
                process?.Dispose();
                return null;
            }
            url = parts[1]; mode = parts[2]; publicKey = parts[3];
            note = $"`bench/AuthForge.Benchmarks/PythonServer.py` on {PythonVersion()}, " +
                (mode == "v3" ? "v3 (Ed25519 by the `cryptography` package)" : "v2 (HMAC; the `cryptography` package was not found)");
            return process;
        }

        private static string PythonVersion()
        {
            try
            {
                var start = new ProcessStartInfo("python3", "--version") { RedirectStandardOutput = true, UseShellExecute = false };
                using Process p = Process.Start(start)!;
                string v = p.StandardOutput.ReadToEnd().Trim();
                p.WaitForExit();
                return v;
            }
            catch (System.ComponentModel.Win32Exception)
            {
                return "python3";
            }
        }

        private static double Median(List<double> values)
        {
            List<double> sorted = values.OrderBy(v => v).ToList();
            int n = sorted.Count;
            return n == 0 ? double.NaN : n % 2 == 1 ? sorted[n / 2] : (sorted[n / 2 - 1] + sorted[n / 2]) / 2;
        }

        private static string Us(double us) => double.IsNaN(us) ? "n/a" : (us < 0 ? "−" : "") + Math.Abs(us).ToString("0.0", Inv) + " µs";

        private static string? Option(string[] args, string name)
        {
            int i = Array.IndexOf(args, name);
            return i >= 0 && i + 1 < args.Length ? args[i + 1] : null;
        }
    }
}
