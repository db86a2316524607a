using System;
using AuthForge;

namespace AuthForge.Tests.ExitProbe
{
    /// <summary>
    /// Usage: <c>ExitProbe baseUrl appId appSecret licenseKey none|throws</c>. Prints <c>before login</c>, logs in, and
    /// prints <c>after login</c> only if the client let it continue. With <c>throws</c> the failure callback prints
    /// <c>callback ran</c> and then throws.
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
                Console.Error.WriteLine("usage: ExitProbe baseUrl appId appSecret licenseKey none|throws");
                return 2;
            }

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
    }
}
