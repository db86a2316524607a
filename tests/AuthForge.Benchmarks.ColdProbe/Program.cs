using System;
using System.Diagnostics;
using System.Globalization;
using System.Net.Http;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using AuthForge;

namespace AuthForge.Benchmarks.ColdProbe
{
    /// <summary>
    /// One cold start, timed from Main: <c>mode url appId appSecret licenseKey hwid publicKey</c> (hwid "-" = this
    /// machine's fingerprint). Modes: <c>bare</c> (HttpClient POST of the same validate request + JsonDocument.Parse,
    /// async awaited synchronously), <c>bare-sync</c> (the same with the synchronous HttpClient.Send), <c>login</c>
    /// (constructor, then Login), <c>validate</c> (constructor, then ValidateLicense). Prints one line
    /// <c>ctor_ms=… call_ms=… total_ms=… cpu_ms=…</c>; a failure prints to stderr and exits 2.
    /// </summary>
    internal static class Program
    {
        private static int Main(string[] args)
        {
            long start = Stopwatch.GetTimestamp();
#if !NETFRAMEWORK && !OFFICIAL_SDK
            // AUTHFORGE_PROBE_TRACE=1: the runtime's own JIT events, summed by method, printed to stderr after the
            // figures. For finding where a cold start goes, never for the figures (the listener costs time itself).
            using JitTrace? trace = Environment.GetEnvironmentVariable("AUTHFORGE_PROBE_TRACE") == "1" ? new JitTrace() : null;
#endif
            string mode = args[0], url = args[1], appId = args[2], appSecret = args[3], licenseKey = args[4];
            string? hwid = args[5] == "-" ? null : args[5];
            string publicKey = args[6];
            // Over TLS (the eighth argument, the DevServer's certificate fingerprint): bare and ours send through the
            // same kind of handler, which accepts that certificate only.
            string? pin = args.Length > 7 && args[7] != "-" ? args[7] : null;
            long constructed, called;
#if !NETFRAMEWORK && !OFFICIAL_SDK
            if (mode == "parts") return Parts(url, appId, appSecret, publicKey, start);
#endif
            if (mode == "bare" || mode == "bare-sync")
            {
                using var http = pin == null ? new HttpClient() : Pinned(pin);
                constructed = Stopwatch.GetTimestamp();
                string body = "{\"appId\":\"" + appId + "\",\"appSecret\":\"" + appSecret + "\",\"licenseKey\":\"" + licenseKey +
                    "\",\"hwid\":\"" + hwid + "\",\"nonce\":\"" + NewNonce() + "\"}";
                byte[] response;
                if (mode == "bare")
                {
                    using var content = new StringContent(body, Encoding.UTF8, "application/json");
                    using HttpResponseMessage message = http.PostAsync(url + "/auth/validate", content).GetAwaiter().GetResult();
                    response = message.Content.ReadAsByteArrayAsync().GetAwaiter().GetResult();
                }
                else
                {
#if NETFRAMEWORK
                    return Fail("bare-sync needs HttpClient.Send (.NET 5 or later)");
#else
                    using var request = new HttpRequestMessage(HttpMethod.Post, url + "/auth/validate")
                    {
                        Content = new StringContent(body, Encoding.UTF8, "application/json"),
                    };
                    using HttpResponseMessage message = http.Send(request);
                    using var stream = new System.IO.MemoryStream();
                    message.Content.ReadAsStream().CopyTo(stream);
                    response = stream.ToArray();
#endif
                }
                using JsonDocument document = JsonDocument.Parse(response);
                if (document.RootElement.GetProperty("status").GetString() != "ok") return Fail("the bare POST was refused");
                called = Stopwatch.GetTimestamp();
            }
            else
            {
#if OFFICIAL_SDK
                var client = new AuthForgeClient(appId, appSecret, publicKey, "SERVER", 900, url,
                    (reason, error) => Fail(reason + " " + error?.Message), 15, null, hwid);
                constructed = Stopwatch.GetTimestamp();
                bool ok = mode == "login" ? client.Login(licenseKey) : client.ValidateLicense(licenseKey).Valid;
#else
                var client = new AuthForgeClient(appId, appSecret, "SERVER", 900, url,
                    (reason, error) => Fail(reason + " " + error?.Message + " " + error?.InnerException), 15, publicKey, hwidOverride: hwid,
                    httpClient: pin == null ? null : Pinned(pin));
                constructed = Stopwatch.GetTimestamp();
                bool ok = mode == "login" ? client.Login(licenseKey) : client.ValidateLicense(licenseKey).IsValid;
#endif
                called = Stopwatch.GetTimestamp();
                if (!ok) return Fail(mode + " returned false");
            }
            // CPU the whole process used so far (runtime start-up included): unlike wall time, other processes on a busy
            // machine barely move it. Read after the timed part, so loading Process costs nothing measured.
            double cpu = Process.GetCurrentProcess().TotalProcessorTime.TotalMilliseconds;
            Console.WriteLine(string.Format(CultureInfo.InvariantCulture, "ctor_ms={0:0.000} call_ms={1:0.000} total_ms={2:0.000} cpu_ms={3:0.0}",
                Ms(start, constructed), Ms(constructed, called), Ms(start, called), cpu));
            Console.Out.Flush();
#if !NETFRAMEWORK && !OFFICIAL_SDK
            trace?.Report(Console.Error);
#endif
            // Ends here, without waiting for a heartbeat thread or timer: the figures are taken.
            Environment.Exit(0);
            return 0;
        }

#if !NETFRAMEWORK && !OFFICIAL_SDK
        // Where a cold constructor's time goes: its parts one after another in a fresh process, each timed on this
        // thread's CPU clock, then the constructor itself (which then finds those parts done).
        private static int Parts(string url, string appId, string appSecret, string publicKey, long start)
        {
            var figures = new System.Collections.Generic.List<string>();
            void Time(string name, Action part)
            {
                TimeSpan before = ThreadCpu();
                part();
                figures.Add(name + "=" + (ThreadCpu() - before).TotalMilliseconds.ToString("0.00", CultureInfo.InvariantCulture));
            }
            Time("uri", () => new Uri(url));
            Time("key", () => AuthForge.Internal.Ed25519SignatureVerifier.Parse(new[] { publicKey }, "publicKey"));
            Time("scheduler", () => GC.KeepAlive(AuthForge.Internal.HeartbeatScheduler.Shared));
            Time("options", () => GC.KeepAlive(new AuthForgeClientOptions()));
            Time("threadpool", () => System.Threading.ThreadPool.QueueUserWorkItem(_ => { }));
            Time("ctor-rest", () => GC.KeepAlive(new AuthForgeClient(appId, appSecret, "SERVER", 900, url, (r, e) => { }, 15, publicKey, hwidOverride: "x")));
            Time("ctor-second", () => GC.KeepAlive(new AuthForgeClient(appId, appSecret, "SERVER", 900, url, (r, e) => { }, 15, publicKey, hwidOverride: "x")));
            Console.WriteLine(string.Join(" ", figures));
            Environment.Exit(0);
            return 0;
        }

        private static TimeSpan ThreadCpu()
        {
            // CLOCK_THREAD_CPUTIME_ID (3) on Linux.
            clock_gettime(3, out Timespec t);
            return TimeSpan.FromTicks(t.Seconds * TimeSpan.TicksPerSecond + t.Nanoseconds / 100);
        }

        [System.Runtime.InteropServices.StructLayout(System.Runtime.InteropServices.LayoutKind.Sequential)]
        private struct Timespec { public long Seconds; public long Nanoseconds; }

        [System.Runtime.InteropServices.DllImport("libc")]
        private static extern int clock_gettime(int clock, out Timespec time);
#endif

        private static HttpClient Pinned(string sha256)
        {
            var handler = new HttpClientHandler
            {
                AllowAutoRedirect = false,
                ServerCertificateCustomValidationCallback = (message, certificate, chain, errors) =>
                    certificate != null && (errors & ~System.Net.Security.SslPolicyErrors.RemoteCertificateChainErrors) == 0
                    && Fingerprint(certificate.RawData) == sha256,
            };
            return new HttpClient(handler);
        }

        private static string Fingerprint(byte[] der)
        {
            byte[] hash;
            using (SHA256 sha = SHA256.Create()) hash = sha.ComputeHash(der);
            return BitConverter.ToString(hash).Replace('-', ':');
        }

        private static string NewNonce()
        {
            var bytes = new byte[16];
            using (var random = RandomNumberGenerator.Create()) random.GetBytes(bytes);
            return BitConverter.ToString(bytes).Replace("-", "").ToLowerInvariant();
        }

        private static double Ms(long from, long to) => (to - from) * 1000.0 / Stopwatch.Frequency;

        private static int Fail(string why)
        {
            Console.Error.WriteLine("cold probe: " + why);
            Environment.Exit(2);
            return 2;
        }
    }
}
