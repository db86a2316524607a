using System;
using System.Diagnostics;
using System.Linq;
using System.Net.Http;
using System.Threading.Tasks;
using AuthForge.DevServer;

namespace AuthForge.Benchmarks
{
    /// <summary>
    /// Warm login against the bare POST, interleaved: blocks of each alternate (ABAB...), so load from other processes
    /// on a shared machine falls on both alike. BenchmarkDotNet runs one benchmark after the other, a minute apart,
    /// and on a shared machine their ratio then measures the neighbours as much as the client.
    /// </summary>
    internal static class InterleavedLogin
    {
        public static async Task<(double OursUs, double BareUs)> RunAsync(SigningMode mode, int rounds, int block)
        {
            await using DevServerHost server = await BenchServer.StartAsync(mode).ConfigureAwait(false);
            AuthForgeClientOptions options = BenchServer.ClientOptions(server.BaseUrl, mode == SigningMode.Ed25519 ? server.PublicKeyBase64 : null);
            options.Scheduler = new HeartbeatScheduler();
            using var client = new AuthForgeClient(options);
            using var bare = new HttpClient(new SocketsHttpHandler { AllowAutoRedirect = false });
            string url = server.BaseUrl + "/auth/validate";

            async Task<double> Ours(int n)
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

            async Task<double> Bare(int n)
            {
                var watch = Stopwatch.StartNew();
                for (int i = 0; i < n; i++) await BenchServer.PostAsync(bare, url, BenchServer.ValidateBody(Nonce.Create())).ConfigureAwait(false);
                return watch.Elapsed.TotalMilliseconds * 1000 / n;
            }

            await Ours(block).ConfigureAwait(false); // warm-up, both paths
            await Bare(block).ConfigureAwait(false);
            var ours = new double[rounds];
            var baseline = new double[rounds];
            for (int r = 0; r < rounds; r++)
            {
                // Alternate which goes first, so neither always follows the other's garbage.
                if (r % 2 == 0)
                {
                    ours[r] = await Ours(block).ConfigureAwait(false);
                    baseline[r] = await Bare(block).ConfigureAwait(false);
                }
                else
                {
                    baseline[r] = await Bare(block).ConfigureAwait(false);
                    ours[r] = await Ours(block).ConfigureAwait(false);
                }
            }
            return (Median(ours), Median(baseline));
        }

        private static double Median(double[] values)
        {
            double[] sorted = values.OrderBy(v => v).ToArray();
            return sorted[sorted.Length / 2];
        }
    }
}
