using System;
using System.IO;
using System.Net.Http;
using System.Threading;
using System.Threading.Tasks;

namespace AuthForge.Demo
{
    /// <summary>
    /// Chooses what the demo does: the embedded DevServer or a real server, a menu for a person at the terminal or an
    /// unattended run for CI.
    /// </summary>
    internal static class Program
    {
        private const int ExitOk = 0;
        private const int ExitDemoFailed = 1;
        private const int ExitBadArguments = 2;

        /// <summary>A hard stop for unattended runs, far above their usual few seconds, so CI can never hang here.</summary>
        private static readonly TimeSpan s_unattendedLimit = TimeSpan.FromSeconds(60);

        private static readonly TimeSpan s_menuHeartbeatInterval = TimeSpan.FromSeconds(5);

        private static async Task<int> Main(string[] args)
        {
            DemoOptions options;
            try
            {
                options = DemoOptions.Parse(args);
            }
            catch (FormatException e)
            {
                return BadArguments(e.Message);
            }

            if (options.ShowHelp)
            {
                Console.WriteLine(DemoOptions.Usage);
                return ExitOk;
            }

            // Redirected input (a pipe, a file, /dev/null) means nobody can answer a menu.
            bool interactive = !Console.IsInputRedirected;
            TimeSpan? interval = options.HeartbeatInterval is int seconds ? TimeSpan.FromSeconds(seconds) : null;
            using var limit = new CancellationTokenSource();
            if (!interactive) limit.CancelAfter(s_unattendedLimit);

            try
            {
                return options.UsesEmbeddedServer
                    ? await RunEmbeddedAsync(interactive, interval, limit.Token).ConfigureAwait(false)
                    : await RunRemoteAsync(options, interactive, interval, limit.Token).ConfigureAwait(false);
            }
            catch (OperationCanceledException) when (limit.IsCancellationRequested)
            {
                ConsoleLog.Error($"demo failed: it did not finish within {s_unattendedLimit.TotalSeconds:0} s.");
                return ExitDemoFailed;
            }
            catch (Exception e) when (e is HttpRequestException or IOException)
            {
                // The embedded server could not start, or its admin route did not answer: the demo's own plumbing.
                ConsoleLog.Error("demo failed: " + e.Message);
                return ExitDemoFailed;
            }
        }

        private static async Task<int> RunEmbeddedAsync(bool interactive, TimeSpan? interval, CancellationToken cancellationToken)
        {
            await using EmbeddedServer server = await EmbeddedServer.StartAsync(cancellationToken).ConfigureAwait(false);
            return interactive
                ? InteractiveMenu.Run(DemoTarget.ForEmbedded(server, interval ?? s_menuHeartbeatInterval))
                : await UnattendedTour.RunAsync(server, interval ?? UnattendedTour.DefaultHeartbeatInterval, cancellationToken).ConfigureAwait(false);
        }

        private static async Task<int> RunRemoteAsync(DemoOptions options, bool interactive, TimeSpan? interval, CancellationToken cancellationToken)
        {
            // The library's own default: a real server bills one credit per ten heartbeats.
            var target = DemoTarget.ForRemote(options, interval ?? TimeSpan.FromSeconds(900));
            try
            {
                // The client checks its settings when it is built, without touching the network: a bad URL or
                // public key is reported here, as an argument error, before anything else happens.
                target.CreateClient(new FailureInbox()).Dispose();
            }
            catch (ArgumentException e)
            {
                return BadArguments(e.Message);
            }

            if (interactive)
            {
                return InteractiveMenu.Run(target);
            }

            if (options.LicenseKey is not { } licenseKey)
            {
                return BadArguments("--license is required when standard input is not a terminal (there is no menu to ask in).");
            }

            return await SingleLogin.RunAsync(target, licenseKey, cancellationToken).ConfigureAwait(false);
        }

        private static int BadArguments(string message)
        {
            ConsoleLog.Error("error: " + message);
            ConsoleLog.Error("Run with --help for the options.");
            return ExitBadArguments;
        }
    }
}
