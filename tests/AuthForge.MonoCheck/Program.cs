using System;
using System.Collections.Generic;

namespace AuthForge.MonoCheck
{
    /// <summary>
    /// Runs every public call of AuthForge.cs, compiled for .NET Framework 4.7.2, against three DevServers (v1, v2,
    /// v3) and reports each check on one line. Meant to run under Mono (Unity's runtime family) by .ci/mono.sh:
    /// <code>
    /// mono AuthForge.MonoCheck.exe --v1 URL --v2 URL --v3 URL --public-key BASE64 [--cert-sha256 FP,...] [--require-mono] [--only NAME,...]
    /// </code>
    /// With --cert-sha256 the servers are https:// (DevServer --https) and every client, the admin calls included,
    /// trusts exactly the certificates with those SHA-256 fingerprints.
    /// The servers use the DevServer's default app id and secret; the checks add their own licences through the
    /// loopback admin routes. Exit code 0: every check passed; 1: a check failed; 2: bad arguments.
    /// The first line after the runtime's is the cold-start figure: the first Login of the process, end to end.
    /// </summary>
    internal static class Program
    {
        private const string Usage =
            "usage: AuthForge.MonoCheck --v1 <url> --v2 <url> --v3 <url> --public-key <base64> [--cert-sha256 <fp,...>] [--require-mono] [--only <check,...>]";

        private static int Main(string[] args)
        {
            var servers = new Dictionary<string, string>(StringComparer.Ordinal);
            string publicKey = null;
            bool requireMono = false;
            HashSet<string> only = null;
            for (int i = 0; i < args.Length; i++)
            {
                string arg = args[i];
                if (arg == "--require-mono")
                {
                    requireMono = true;
                    continue;
                }

                if (i + 1 >= args.Length)
                {
                    return BadArguments(arg == "--help" ? null : arg + " needs a value");
                }

                string value = args[++i];
                switch (arg)
                {
                    case "--v1":
                    case "--v2":
                    case "--v3":
                        servers[arg.Substring(2)] = value.TrimEnd('/');
                        break;
                    case "--public-key":
                        publicKey = value;
                        break;
                    case "--cert-sha256":
                        PinnedTls.Pin(value.Split(','));
                        break;
                    case "--only":
                        only = new HashSet<string>(value.Split(','), StringComparer.Ordinal);
                        break;
                    default:
                        return BadArguments("unknown argument " + arg);
                }
            }

            if (servers.Count != 3 || publicKey == null)
            {
                return BadArguments("--v1, --v2, --v3 and --public-key are required");
            }

            foreach (string url in servers.Values)
            {
                if (PinnedTls.Enabled != url.StartsWith("https://", StringComparison.OrdinalIgnoreCase))
                {
                    return BadArguments(PinnedTls.Enabled ? url + " is not https:// (--cert-sha256 pins TLS servers)" : url + " is https://: give --cert-sha256");
                }
            }

            var runner = new CheckRunner(only);
            var checks = new MonoChecks(servers["v1"], servers["v2"], servers["v3"], publicKey, runner);
            checks.RunAll(requireMono);
            return runner.Finish() ? 0 : 1;
        }

        private static int BadArguments(string error)
        {
            if (error != null)
            {
                Console.Error.WriteLine("monocheck: " + error);
            }

            Console.Error.WriteLine(Usage);
            return 2;
        }
    }
}
