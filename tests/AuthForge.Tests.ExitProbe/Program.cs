using System;
using AuthForge;
using AuthForge.Tests.Async;

namespace AuthForge.Tests.ExitProbe
{
    /// <summary>
    /// Usage: <c>ExitProbe baseUrl appId appSecret licenseKey none|throws|throws-on-context</c>. Prints
    /// <c>before login</c>, logs in, and prints <c>after login</c> only if the client let it continue. With <c>throws</c>
    /// the failure callback prints <c>callback ran</c> and then throws. With <c>throws-on-context</c> the client is
    /// constructed on a UI-like single-threaded context, the login runs off it, and the throwing callback is posted there.
    /// </summary>
    internal static class Program
    {
        public const string BeforeLogin = "before login";
        public const string AfterLogin = "after login";
        public const string CallbackRan = "callback ran";

        private static int Main(string[] args)
        {
            if (args.Length != 5)
            {
                Console.Error.WriteLine("usage: ExitProbe baseUrl appId appSecret licenseKey none|throws|throws-on-context");
                return 2;
            }

            if (args[4] == "throws-on-context") return RunOnContext(args);

            Action<string, Exception?>? onFailure = args[4] switch
            {
                "none" => null,
                "throws" => (reason, error) =>
                {
                    Console.WriteLine(CallbackRan + " " + reason + " " + (error as AuthForgeException)?.Code);
                    throw new InvalidOperationException("The application's failure handler is broken.");
                },
                _ => throw new ArgumentException("The last argument must be none or throws.", nameof(args)),
            };

            using var client = new AuthForgeClient(args[1], args[2], "SERVER", apiBaseUrl: args[0], onFailure: onFailure,
                requestTimeout: 10, hwidOverride: "exit-probe");
            Console.WriteLine(BeforeLogin);
            bool ok = client.Login(args[3]);
            Console.WriteLine(AfterLogin + " " + ok);
            // Distinct from the client's exit code 1: reaching here is the failure the tests look for.
            return 0;
        }

        // A UI app: the client is built on the UI thread (a pump like WinForms'), the login awaited off it. The failure is
        // posted to the pump, where the callback throws; the client must end the process from there with its line. An
        // exception escaping onto the pump would crash the process instead (not exit code 1, a stack trace on stderr).
        private static int RunOnContext(string[] args)
        {
            using var ui = new SingleThreadContext();
            AuthForgeClient? client = null;
            Action<string, Exception?> onFailure = (reason, error) =>
            {
                Console.WriteLine(CallbackRan + " " + reason + " " + (error as AuthForgeException)?.Code + " on-context=" + ui.IsOnPumpThread);
                throw new InvalidOperationException("The application's failure handler is broken.");
            };
            ui.Send(_ => client = new AuthForgeClient(args[1], args[2], "SERVER", apiBaseUrl: args[0], onFailure: onFailure,
                requestTimeout: 10, hwidOverride: "exit-probe"), null);
            using (client)
            {
                Console.WriteLine(BeforeLogin);
                bool ok = client!.LoginAsync(args[3]).GetAwaiter().GetResult();
                Console.WriteLine(AfterLogin + " " + ok);
                // Queued behind the posted callback: when this returns, the callback ran and the process did not end.
                ui.Send(_ => { }, null);
            }
            return 0;
        }
    }
}
