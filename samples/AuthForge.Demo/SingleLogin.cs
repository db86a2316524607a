using System.Collections.Generic;
using System.Threading;
using System.Threading.Tasks;

namespace AuthForge.Demo
{
    /// <summary>
    /// Against a real server with nobody at the terminal: one login attempt, its result, then a clean logout. Kept to a
    /// single validate on purpose, since every validate costs the licence a credit.
    /// </summary>
    internal static class SingleLogin
    {
        /// <returns>0 when the licence was accepted, 1 when it was refused.</returns>
        /// <exception cref="System.ArgumentException">The target's settings are malformed.</exception>
        public static async Task<int> RunAsync(DemoTarget target, string licenseKey, CancellationToken cancellationToken)
        {
            var failures = new FailureInbox();
            using AuthForgeClient client = target.CreateClient(failures);
            ConsoleLog.Event("server", $"{target.ApiBaseUrl}, protocol {target.Protocol}");
            ConsoleLog.Event("client", $"{client}");

            if (!await client.LoginAsync(licenseKey, cancellationToken).ConfigureAwait(false))
            {
                // LoginAsync reports a refusal to onFailure before it returns, so the failure is already queued.
                if (failures.TryTake(out Failure failure))
                {
                    ConsoleLog.Event("onFailure", $"reason {failure.Reason}, code {failure.Code}");
                    ConsoleLog.Detail(failure.Message);
                }

                ConsoleLog.Event("login", "refused");
                return 1;
            }

            ConsoleLog.Event("login", $"accepted; session until {ConsoleLog.Time(client.GetSession()?.ExpiresAt)}");
            ConsoleLog.Event("variables", "app:     " + ConsoleLog.Describe(client.GetAppVariables()));
            ConsoleLog.Detail("licence: " + ConsoleLog.Describe(client.GetLicenseVariables()));
            await client.LogoutAsync().ConfigureAwait(false);
            ConsoleLog.Event("logout", "heartbeat stopped, session cleared");
            return 0;
        }
    }
}
