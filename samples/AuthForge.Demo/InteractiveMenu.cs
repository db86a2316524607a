using System;
using System.Collections.Generic;
using System.Runtime.InteropServices;
using System.Threading;

namespace AuthForge.Demo
{
    /// <summary>
    /// The menu shown when a person is at the terminal. One client lives for the whole menu, as one would in an app;
    /// heartbeat failures can arrive while the menu waits for input, and are printed when they do.
    /// </summary>
    internal sealed class InteractiveMenu
    {
        /// <summary>128 + SIGINT, what a shell reports for a program ended by Ctrl+C.</summary>
        private const int ExitInterrupted = 130;

        private readonly DemoTarget _target;

        private InteractiveMenu(DemoTarget target)
        {
            _target = target;
        }

        /// <returns>0 (the menu has no failing outcome; quitting is success).</returns>
        /// <exception cref="ArgumentException">The target's settings are malformed.</exception>
        public static int Run(DemoTarget target) => new InteractiveMenu(target).Run();

        private int Run()
        {
            var failures = new FailureInbox(ShowFailure);
            using AuthForgeClient client = _target.CreateClient(failures);
            // Ctrl+C quits as q does, wherever the menu is waiting: the session is logged out first, and the
            // process ends with the shell's code for an interrupt.
            using PosixSignalRegistration interrupt = PosixSignalRegistration.Create(PosixSignal.SIGINT, context =>
            {
                context.Cancel = true;
                // Not on the signal's own thread: Environment.Exit there waits for the handler it runs in.
                new Thread(() =>
                {
                    client.Logout();
                    ConsoleLog.Plain();
                    Console.Error.WriteLine("Interrupted (Ctrl+C): logged out, heartbeats stopped. Bye.");
                    Environment.Exit(ExitInterrupted);
                }) { IsBackground = true, Name = "Ctrl+C" }.Start();
            });
            PrintHeader();
            PrintChoices();
            while (true)
            {
                // An empty line asks again; only q (or the end of input) quits.
                string? choice = Prompt.AskNonEmpty("Choose (? for the menu)");
                ConsoleLog.Plain();
                switch (choice?.ToLowerInvariant())
                {
                    case "?" or "m" or "h" or "help":
                        PrintChoices();
                        continue;
                    case null or "q" or "quit" or "exit":
                        // Logout stops the heartbeat at once; nothing is reported for the ended session.
                        client.Logout();
                        ConsoleLog.Plain("Bye.");
                        return 0;
                    case "1":
                        TestLicense(client);
                        break;
                    case "2":
                        ShowHardwareId(client);
                        break;
                    case "3":
                        ShowSession(client);
                        break;
                    case "4":
                        ValidateOnly(client);
                        break;
                    case "5":
                        ToggleRevocation();
                        break;
                    case "6":
                        SelfBanStep.Run(client, _target);
                        break;
                    default:
                        ConsoleLog.Plain($"'{choice}' is not on the menu.");
                        break;
                }

                ConsoleLog.Plain();
                PrintShortChoices();
            }
        }

        private void PrintHeader()
        {
            ConsoleLog.Plain("AuthForge console demo");
            ConsoleLog.Plain($"  server     {_target.ApiBaseUrl}{(_target.Embedded is null ? "" : " (embedded DevServer)")}");
            ConsoleLog.Plain($"  protocol   {_target.Protocol}");
            ConsoleLog.Plain($"  app id     {_target.AppId}");
            ConsoleLog.Plain($"  heartbeat  every {_target.HeartbeatInterval.TotalSeconds:0.#} s (SERVER mode)");
            if (_target.LicenseKey is not null)
            {
                ConsoleLog.Plain($"  licence    {_target.LicenseKey}{(_target.Embedded is null ? "" : " (the embedded server's demo licence)")}");
            }

            ConsoleLog.Plain();
        }

        private void PrintChoices()
        {
            string revocation = _target.Embedded is null
                ? "Revoke the demo licence (embedded server only)"
                : _target.Embedded.IsRevoked ? "Restore the demo licence" : "Revoke the demo licence";
            ConsoleLog.Plain("  1  Test a licence key (log in)");
            ConsoleLog.Plain("  2  Show this machine's HWID");
            ConsoleLog.Plain("  3  Show the session state");
            ConsoleLog.Plain("  4  Validate a key without logging in");
            ConsoleLog.Plain("  5  " + revocation);
            ConsoleLog.Plain("  6  Self-ban (explained first)");
            ConsoleLog.Plain("  q  Quit (or Ctrl+C)");
            ConsoleLog.Plain();
        }

        // After each action: the menu in one line, so the results stay on screen.
        private void PrintShortChoices()
        {
            string revocation = _target.Embedded?.IsRevoked == true ? "restore" : "revoke";
            ConsoleLog.Plain($"1 log in · 2 HWID · 3 session · 4 validate · 5 {revocation} · 6 self-ban · q quit");
        }

        private void TestLicense(AuthForgeClient client)
        {
            string? key = Prompt.Ask("Licence key", _target.LicenseKey);
            if (string.IsNullOrEmpty(key)) return;

            // A refusal reaches onFailure (printed by ShowFailure) before Login returns false.
            if (client.Login(key))
            {
                ConsoleLog.Event("login", $"accepted; session until {ConsoleLog.Time(client.GetSession()?.ExpiresAt)}");
                ConsoleLog.Detail($"heartbeats every {_target.HeartbeatInterval.TotalSeconds:0.#} s keep it alive; option 3 shows them land");
            }
            else
            {
                ConsoleLog.Event("login", "refused; Login returned false");
            }
        }

        private static void ShowHardwareId(AuthForgeClient client)
        {
            ConsoleLog.Event("hwid", client.GetHardwareId());
            ConsoleLog.Detail("SHA-256 of \"mac:…|cpu:…|disk:…\", read once per process; sent with every request");
        }

        private void ShowSession(AuthForgeClient client)
        {
            AuthForgeSession? session = client.GetSession();
            ConsoleLog.Event("session", $"IsAuthenticated() = {ConsoleLog.Flag(client.IsAuthenticated())}");
            if (session is null)
            {
                ConsoleLog.Detail("no session: log in with option 1");
            }
            else
            {
                ConsoleLog.Detail($"expires         {ConsoleLog.Time(session.ExpiresAt)} (renewed before then)");
                ConsoleLog.Detail($"last contact    {ConsoleLog.Time(session.LastContactAt)} (moves with every heartbeat){(session.IsOffline ? ", server unreachable" : "")}");
                ConsoleLog.Detail($"licence         {session.LicenseLabel ?? "(no label)"}, expires {ConsoleLog.Time(session.LicenseExpiresAt)}, {session.HwidCount?.ToString() ?? "?"} of {session.MaxHwidSlots?.ToString() ?? "?"} hardware slots");
                ConsoleLog.Detail($"app variables   {ConsoleLog.Describe(session.AppVariables)}");
                ConsoleLog.Detail($"licence vars    {ConsoleLog.Describe(session.LicenseVariables)}");
            }

            if (_target.Embedded is { } server)
            {
                ConsoleLog.Detail($"server side     {server.Credits} credits left, revoked={ConsoleLog.Flag(server.IsRevoked)}");
            }
        }

        private void ValidateOnly(AuthForgeClient client)
        {
            string? key = Prompt.Ask("Licence key", _target.LicenseKey);
            if (string.IsNullOrEmpty(key)) return;

            // No session is stored and onFailure is not called: the result carries the outcome. It costs a credit.
            ValidationReport.Print(client.ValidateLicense(key));
        }

        private void ToggleRevocation()
        {
            if (_target.Embedded is not { } server)
            {
                ConsoleLog.Plain("Only the embedded server can be administered from here; revoke licences of a real");
                ConsoleLog.Plain("AuthForge server in its dashboard.");
                return;
            }

            AdminAnswer answer = server.IsRevoked
                ? server.RestoreAsync(CancellationToken.None).GetAwaiter().GetResult()
                : server.RevokeAsync(CancellationToken.None).GetAwaiter().GetResult();
            ConsoleLog.Event("admin", $"{answer.Request} -> HTTP {answer.StatusCode}, revoked={ConsoleLog.Flag(answer.Revoked)}");
            if (answer.Revoked == true)
            {
                ConsoleLog.Detail($"a logged-in client hears of it at its next heartbeat, within {_target.HeartbeatInterval.TotalSeconds:0.#} s");
            }
        }

        // Runs on the thread that reported: the menu's own for a refused login, a pool thread for a heartbeat.
        private void ShowFailure(Failure failure)
        {
            bool background = failure.OnThreadPool;
            if (background) ConsoleLog.Plain();
            ConsoleLog.Event("onFailure", $"reason {failure.Reason}, code {failure.Code}{(background ? ", on a thread-pool thread" : "")}");
            ConsoleLog.Detail(failure.Message);
            if (background) ConsoleLog.Plain("(the prompt above is still waiting for your answer)");
        }
    }
}
