using System;
using System.Linq;
using System.Net;
using System.Runtime.InteropServices;
using System.Threading;
using System.Threading.Tasks;

namespace AuthForge.DevServer
{
    /// <summary>The standalone server: parse the command line, start, print how to reach it, serve until Ctrl+C.</summary>
    internal static class Program
    {
        private const int ExitOk = 0;
        private const int ExitStartFailed = 1;
        private const int ExitBadArguments = 2;

        private static async Task<int> Main(string[] args)
        {
            CommandLine command = CommandLine.Parse(args);
            if (command.ShowHelp)
            {
                Console.WriteLine(CommandLine.Usage);
                return ExitOk;
            }

            if (command.Options is not { } options)
            {
                // One line: the mistake, and where the options are listed.
                Console.Error.WriteLine("error: " + command.Error!.TrimEnd('.') + " (see --help).");
                return ExitBadArguments;
            }

            DevServerHost host;
            try
            {
                host = await DevServerHost.StartAsync(options).ConfigureAwait(false);
            }
            catch (ArgumentException e)
            {
                Console.Error.WriteLine("error: " + ErrorText.Of(e));
                return ExitBadArguments;
            }
            catch (Exception e)
            {
                // An address in use, a certificate missing for https, ...: one line, never a stack trace.
                Console.Error.WriteLine($"error: could not start on {options.Urls}: {FirstLine(e.Message)}");
                return ExitStartFailed;
            }

            await using (host.ConfigureAwait(false))
            {
                PrintBanner(host, options);
                await WaitForShutdownAsync().ConfigureAwait(false);
                Console.WriteLine("Stopping.");
            }

            return ExitOk;
        }

        private static string FirstLine(string message)
        {
            int end = message.IndexOfAny(['\r', '\n']);
            return end >= 0 ? message[..end] : message;
        }

        private static void PrintBanner(DevServerHost host, DevServerOptions options)
        {
            // What Kestrel really bound, not the loopback address clients on this machine use: a server bound to every
            // interface must not look local, since anyone on the network can then reach its licences.
            Console.WriteLine($"AuthForge DevServer listening on {string.Join(", ", host.Urls)}");
            string[] exposed = host.Urls.Where(url => !IsLoopback(url)).ToArray();
            if (exposed.Length > 0)
            {
                Console.WriteLine($"  warning:  {string.Join(", ", exposed)} is reachable from other machines; "
                    + "the admin routes still answer loopback callers only. Use --urls http://127.0.0.1:PORT to keep it local.");
                Console.WriteLine($"  this machine's clients: {host.BaseUrl}");
            }

            Console.WriteLine($"  app id:   {host.AppId}");
            Console.WriteLine($"  mode:     {CommandLine.ModeName(host.Mode)}");
            if (host.Certificate is { } certificate)
            {
                Console.WriteLine(options.Certificate is null
                    ? "  TLS:      a self-signed certificate made at start (trust it by its fingerprint, not a trust store)"
                    : $"  TLS:      {certificate.Subject}, valid until {certificate.NotAfter.ToUniversalTime():yyyy-MM-dd HH:mm} UTC");
                Console.WriteLine($"  certificate SHA-256: {host.CertificateSha256}");
            }

            if (host.Mode == SigningMode.Ed25519)
            {
                Console.WriteLine($"  public key (base64): {host.PublicKeyBase64}");
                Console.WriteLine($"  key id:   {host.KeyId}");
            }

            Console.WriteLine(options.Licenses.Count == 0
                ? "  licences: none (add with --license or POST /admin/licenses)"
                : "  licences: " + string.Join(", ", options.Licenses.Select(l => l.Key)));
            Console.WriteLine("Press Ctrl+C to stop.");
        }

        /// <summary>True when a bound address (as Kestrel reports it) accepts loopback connections only.</summary>
        private static bool IsLoopback(string url)
        {
            string host = new Uri(url.Replace("://+", "://0.0.0.0", StringComparison.Ordinal)
                .Replace("://*", "://0.0.0.0", StringComparison.Ordinal)).Host;
            return host == "localhost" || (IPAddress.TryParse(host.Trim('[', ']'), out IPAddress? address) && IPAddress.IsLoopback(address));
        }

        private static Task WaitForShutdownAsync()
        {
            var stopped = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
            // SIGINT (Ctrl+C) and SIGTERM (docker stop, kill) both end the server cleanly.
            PosixSignalRegistration sigint = PosixSignalRegistration.Create(PosixSignal.SIGINT, Stop);
            PosixSignalRegistration sigterm = PosixSignalRegistration.Create(PosixSignal.SIGTERM, Stop);
            return stopped.Task.ContinueWith(
                _ =>
                {
                    sigint.Dispose();
                    sigterm.Dispose();
                },
                CancellationToken.None,
                TaskContinuationOptions.ExecuteSynchronously,
                TaskScheduler.Default);

            void Stop(PosixSignalContext context)
            {
                context.Cancel = true;
                stopped.TrySetResult();
            }
        }
    }
}
