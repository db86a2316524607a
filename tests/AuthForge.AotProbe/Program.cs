using System;
using System.Net.Http;
using System.Text;
using System.Threading;
using System.Threading.Tasks;

namespace AuthForge.AotProbe
{
    /// <summary>
    /// One run against a DevServer in v3: log in, see a heartbeat answered, revoke the licence through the admin
    /// route, and see the next heartbeat end the session with <c>revoked</c>. Prints <c>aotprobe: step=value</c> lines
    /// for .ci/aot.sh and exits 0 only when every step behaved. Usage:
    /// <c>AuthForge.AotProbe &lt;base-url&gt; &lt;app-id&gt; &lt;app-secret&gt; &lt;public-key&gt; &lt;licence-key&gt;</c>.
    /// </summary>
    internal static class Program
    {
        // Generous: a loaded 2-core CI machine. A guard against a hang, not a measurement.
        private static readonly TimeSpan s_stepLimit = TimeSpan.FromSeconds(60);

        private static async Task<int> Main(string[] args)
        {
            if (args.Length != 5)
            {
                Console.Error.WriteLine("usage: AuthForge.AotProbe <base-url> <app-id> <app-secret> <public-key> <licence-key>");
                return 2;
            }
            string baseUrl = args[0].TrimEnd('/');
            string licenseKey = args[4];
            try
            {
                Report("native", System.Runtime.CompilerServices.RuntimeFeature.IsDynamicCodeSupported ? "no (JIT present)" : "yes");
                var failed = new TaskCompletionSource<string>(TaskCreationOptions.RunContinuationsAsynchronously);
                var heartbeat = new TaskCompletionSource<bool>(TaskCreationOptions.RunContinuationsAsynchronously);
                var options = new AuthForgeClientOptions
                {
                    AppId = args[1],
                    AppSecret = args[2],
                    ApiBaseUrl = baseUrl,
                    HeartbeatInterval = TimeSpan.FromSeconds(1),
                    RequestTimeout = TimeSpan.FromSeconds(30),
                    HwidOverride = "aot-probe",
                    OnFailure = (reason, error) =>
                        failed.TrySetResult(reason + "/" + error.Code),
                    OnDiagnostic = d =>
                    {
                        if (d.Event == AuthForgeDiagnosticEvents.HeartbeatSucceeded) heartbeat.TrySetResult(true);
                    },
                };
                options.PublicKeys.Add(args[3]);

                using (var client = new AuthForgeClient(options))
                using (var admin = new HttpClient { BaseAddress = new Uri(baseUrl + "/"), Timeout = s_stepLimit })
                {
                    if (!client.UsesEd25519Check()) return Fail("the client is not in v3 (no public key taken)");
                    if (!await client.LoginAsync(licenseKey).ConfigureAwait(false))
                        return Fail("login was refused: " + await WithLimit(failed.Task, "the failure callback").ConfigureAwait(false));
                    AuthForgeSession? session = client.GetSession();
                    Report("login", "ok v3 session-until=" + session?.ExpiresAt.ToString("u", System.Globalization.CultureInfo.InvariantCulture));

                    await WithLimit(heartbeat.Task, "a heartbeat").ConfigureAwait(false);
                    Report("heartbeat", "ok");

                    using (HttpResponseMessage revoke = await admin.PostAsync("admin/licenses/" + Uri.EscapeDataString(licenseKey) + "/revoke",
                        new StringContent("", Encoding.UTF8)).ConfigureAwait(false))
                    {
                        if (!revoke.IsSuccessStatusCode) return Fail("the admin revoke route answered " + (int)revoke.StatusCode);
                    }
                    string verdict = await WithLimit(failed.Task, "the revocation to reach the client").ConfigureAwait(false);
                    Report("revocation", verdict);
                    if (verdict != AuthForgeFailureReason.HeartbeatFailed + "/" + AuthForgeErrorCodes.Revoked)
                        return Fail("expected the heartbeat to fail with 'revoked', got " + verdict);
                    if (client.IsAuthenticated()) return Fail("the client still reports a session after the revocation");
                }
                Report("result", "pass");
                return 0;
            }
            catch (Exception e)
            {
                return Fail(e.GetType().Name + ": " + e.Message);
            }
        }

        private static bool UsesEd25519Check(this AuthForgeClient client) => client.UsesEd25519;

        private static async Task<T> WithLimit<T>(Task<T> task, string what)
        {
            if (await Task.WhenAny(task, Task.Delay(s_stepLimit)).ConfigureAwait(false) != task)
                throw new TimeoutException("waited " + s_stepLimit.TotalSeconds + " s for " + what);
            return await task.ConfigureAwait(false);
        }

        private static void Report(string name, string value) => Console.WriteLine("aotprobe: " + name + "=" + value);

        private static int Fail(string why)
        {
            Console.Error.WriteLine("aotprobe: FAIL: " + why);
            return 1;
        }
    }
}
