using System;
using System.Collections.Generic;
using System.Globalization;

namespace AuthForge.Demo
{
    /// <summary>The demo's command line: either nothing (an embedded DevServer) or the coordinates of a real server.</summary>
    internal sealed class DemoOptions
    {
        public const string Usage = """
            Usage: dotnet run --project samples/AuthForge.Demo [-- options]

            With no options the demo starts an embedded AuthForge DevServer on 127.0.0.1 and runs against it.
            When standard input is a terminal it shows a menu; otherwise (CI, </dev/null) it runs a short
            unattended tour: login, heartbeats, variables, validation, revocation, and the failure callback.

            To use a real AuthForge server instead:
              --api-base-url <url>         The API's base address, e.g. https://auth.authforge.cc
              --app-id <id>                Your application id
              --app-secret <secret>        Your application secret (never printed)
              --public-key <base64>        The app's Ed25519 public key(s), comma-separated (v3)
              --license <key>              A licence key: the default in the menu, and required when
                                           standard input is not a terminal (one login attempt)

            Either way:
              --heartbeat-interval <s>     Seconds between heartbeats (default 1 unattended, 5 in the
                                           menu, 900 against a real server)
              --help                       Show this help

            Exit codes: 0 success, 1 the demo's licence check failed, 2 bad arguments.
            """;

        private DemoOptions()
        {
        }

        /// <summary>Set when the arguments asked for help; nothing else is then meaningful.</summary>
        public bool ShowHelp { get; private set; }

        /// <summary>The real server's base address; null for the embedded DevServer.</summary>
        public string? ApiBaseUrl { get; private set; }

        public string? AppId { get; private set; }

        public string? AppSecret { get; private set; }

        public string? PublicKey { get; private set; }

        public string? LicenseKey { get; private set; }

        /// <summary>Seconds between heartbeats, when given on the command line.</summary>
        public int? HeartbeatInterval { get; private set; }

        public bool UsesEmbeddedServer => ApiBaseUrl is null;

        /// <summary>Parses <paramref name="args"/>.</summary>
        /// <exception cref="FormatException">The arguments are wrong; the message says how, in one sentence.</exception>
        public static DemoOptions Parse(IReadOnlyList<string> args)
        {
            var options = new DemoOptions();
            for (int i = 0; i < args.Count; i++)
            {
                string arg = args[i];
                switch (arg)
                {
                    case "--help" or "-h" or "-?":
                        options.ShowHelp = true;
                        return options;
                    case "--api-base-url":
                        options.ApiBaseUrl = Value(args, ref i);
                        break;
                    case "--app-id":
                        options.AppId = Value(args, ref i);
                        break;
                    case "--app-secret":
                        options.AppSecret = Value(args, ref i);
                        break;
                    case "--public-key":
                        options.PublicKey = Value(args, ref i);
                        break;
                    case "--license":
                        options.LicenseKey = Value(args, ref i);
                        break;
                    case "--heartbeat-interval":
                        options.HeartbeatInterval = Seconds(Value(args, ref i));
                        break;
                    default:
                        throw new FormatException($"Unknown argument '{arg}'.");
                }
            }

            options.CheckCombination();
            return options;
        }

        // The remote options only make sense together: half a set would silently fall back to the embedded server.
        private void CheckCombination()
        {
            bool anyRemote = ApiBaseUrl is not null || AppId is not null || AppSecret is not null;
            if (anyRemote && (ApiBaseUrl is null || AppId is null || AppSecret is null))
            {
                throw new FormatException("--api-base-url, --app-id and --app-secret must be given together.");
            }

            if (!anyRemote && (PublicKey is not null || LicenseKey is not null))
            {
                throw new FormatException("--public-key and --license apply to a real server; add --api-base-url, --app-id and --app-secret.");
            }
        }

        private static string Value(IReadOnlyList<string> args, ref int i)
        {
            string name = args[i];
            if (i + 1 >= args.Count || args[i + 1].Length == 0 || args[i + 1].StartsWith("--", StringComparison.Ordinal))
            {
                throw new FormatException($"{name} needs a value.");
            }

            return args[++i];
        }

        private static int Seconds(string text)
        {
            return int.TryParse(text, NumberStyles.None, CultureInfo.InvariantCulture, out int seconds) && seconds > 0
                ? seconds
                : throw new FormatException($"--heartbeat-interval must be a positive whole number of seconds, not '{text}'.");
        }
    }
}
