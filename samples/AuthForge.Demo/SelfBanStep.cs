using System;
using System.Threading;

namespace AuthForge.Demo
{
    /// <summary>
    /// Menu item 6: explains self-ban, asks, and sends it. Against the embedded server it offers to undo the ban, so the
    /// demo stays usable; against a real server it insists on a typed confirmation, because the ban is real.
    /// </summary>
    internal static class SelfBanStep
    {
        public static void Run(AuthForgeClient client, DemoTarget target)
        {
            bool hasSession = client.IsAuthenticated();
            ConsoleLog.Plain("""

                Self-ban reports this installation to the server for banning, e.g. when your app detects a debugger
                or a patched binary. It comes in two forms:
                  with a session (after a login)  revokes the licence, blacklists this HWID and this IP address
                  without a session               blacklists this HWID and IP address; it cannot revoke, because
                                                  only a session proves which licence is in use
                After banning its own session the client logs out. Later logins from here get 'blocked'.
                """);
            ConsoleLog.Plain(hasSession
                ? "You are logged in, so the session form will be sent (the licence will be revoked)."
                : "You are not logged in, so the pre-session form will be sent (no revocation).");

            string? licenseKey = null;
            if (!hasSession)
            {
                licenseKey = Prompt.Ask("Licence key to name in the request", target.LicenseKey);
                if (string.IsNullOrEmpty(licenseKey))
                {
                    ConsoleLog.Event("self-ban", "cancelled: no licence key, nothing was sent");
                    return;
                }
            }

            if (!Confirmed(target))
            {
                // Whatever the answer was (Enter takes the default, no), say so: returning to the menu in silence
                // leaves the user wondering whether the ban went out.
                ConsoleLog.Event("self-ban", "cancelled: nothing was sent");
                return;
            }

            try
            {
                client.SelfBan(licenseKey);
                ConsoleLog.Event("self-ban", hasSession
                    ? $"accepted: licence revoked, HWID and IP blacklisted; IsAuthenticated() = {ConsoleLog.Flag(client.IsAuthenticated())}"
                    : "accepted: HWID and IP blacklisted");
            }
            catch (AuthForgeException e)
            {
                ConsoleLog.Event("self-ban", $"refused: code {e.Code}");
                ConsoleLog.Detail(e.Message);
                return;
            }

            if (target.Embedded is { } server && Prompt.Confirm("Undo it on the embedded server (clear the blacklist, restore the licence)?", defaultYes: true))
            {
                AdminAnswer cleared = server.ClearBlacklistAsync(CancellationToken.None).GetAwaiter().GetResult();
                AdminAnswer restored = server.RestoreAsync(CancellationToken.None).GetAwaiter().GetResult();
                ConsoleLog.Event("admin", $"{cleared.Request} -> HTTP {cleared.StatusCode}");
                ConsoleLog.Event("admin", $"{restored.Request} -> HTTP {restored.StatusCode}, revoked={ConsoleLog.Flag(restored.Revoked)}");
            }
        }

        private static bool Confirmed(DemoTarget target)
        {
            if (target.Embedded is not null)
            {
                return Prompt.Confirm("Send the self-ban to the embedded server?", defaultYes: false);
            }

            ConsoleLog.Plain($"This bans this machine on {target.ApiBaseUrl} for real.");
            return string.Equals(Prompt.Ask("Type BAN to send it"), "BAN", StringComparison.Ordinal);
        }
    }
}
