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
            string mode = args[0], url = args[1], appId = args[2], appSecret = args[3], licenseKey = args[4];
            string? hwid = args[5] == "-" ? null : args[5];
            string publicKey = args[6];
            long constructed, called;
            if (mode == "bare" || mode == "bare-sync")
            {
                using var http = new HttpClient();
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
                    (reason, error) => Fail(reason + " " + error?.Message + " " + error?.InnerException), 15, publicKey, hwidOverride: hwid);
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
            // Ends here, without waiting for a heartbeat thread or timer: the figures are taken.
            Environment.Exit(0);
            return 0;
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
