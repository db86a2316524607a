using System;
using System.Collections.Generic;
using System.IO;
using System.Globalization;
using System.Linq;
using System.Text.Json;
using System.Text.RegularExpressions;

namespace AuthForge.DevServer
{
    /// <summary>Turns the command line of the standalone server into <see cref="DevServerOptions"/>.</summary>
    internal sealed partial class CommandLine
    {
        public const string Usage = """
            Usage: AuthForge.DevServer [options]

              --urls <urls>                Listen address(es), ';'-separated (default http://127.0.0.1:5080,
                                           with --https https://127.0.0.1:5443)
              --https                      Serve TLS: a self-signed certificate made at start (for localhost,
                                           127.0.0.1, ::1 and the hosts in --urls), its SHA-256 fingerprint printed
              --cert <path>                Serve this PKCS#12 (.pfx) certificate instead (with --https)
              --cert-password <password>   The password of the --cert file
              --app-id <id>                Application id (default demo-app)
              --app-secret <secret>        Application secret (default demo-secret)
              --mode <v1|v2|v3>            Signing: v1/v2 HMAC, v3 Ed25519 (default v3)
              --license <key>              Add a licence with default settings (repeatable)
              --licenses-file <path>       Add licences from a JSON file: an array of licences, or
                                           {"licenses":[...],"appVariables":{...}}; a licence is
                                           {"key","credits","maxHwidSlots","expiresAt","label","variables"}
              --app-var <name=value>       Add an app variable (a string; repeatable)
              --signing-key-seed <base64>  Seed (32 bytes) of the first Ed25519 key (v3)
              --verbose                    Log each request
              --help                       Show this help
            """;

        private CommandLine(DevServerOptions? options, string? error, bool help)
        {
            Options = options;
            Error = error;
            ShowHelp = help;
        }

        /// <summary>The options; null when <see cref="Error"/> or <see cref="ShowHelp"/> is set.</summary>
        public DevServerOptions? Options { get; }

        /// <summary>What is wrong with the arguments, in one sentence.</summary>
        public string? Error { get; }

        public bool ShowHelp { get; }

        /// <summary>The <c>--mode</c> name of a signing mode.</summary>
        public static string ModeName(SigningMode mode) => mode switch
        {
            SigningMode.HmacV1 => "v1",
            SigningMode.HmacV2 => "v2",
            _ => "v3",
        };

        public static CommandLine Parse(IReadOnlyList<string> args)
        {
            var options = new DevServerOptions { Urls = "http://127.0.0.1:5080", Quiet = true };
            bool https = false;
            bool urlsGiven = false;
            string? certPath = null;
            string? certPassword = null;
            try
            {
                for (int i = 0; i < args.Count; i++)
                {
                    string arg = args[i];
                    switch (arg)
                    {
                        case "--help" or "-h" or "-?":
                            return new CommandLine(null, null, help: true);
                        case "--verbose":
                            options.Quiet = false;
                            break;
                        case "--urls":
                            options.Urls = ParseUrls(Value(args, ref i));
                            urlsGiven = true;
                            break;
                        case "--https":
                            https = true;
                            break;
                        case "--cert":
                            certPath = Value(args, ref i);
                            break;
                        case "--cert-password":
                            certPassword = Value(args, ref i);
                            break;
                        case "--app-id":
                            options.AppId = Value(args, ref i);
                            break;
                        case "--app-secret":
                            options.AppSecret = Value(args, ref i);
                            break;
                        case "--mode":
                            options.Mode = ParseMode(Value(args, ref i));
                            break;
                        case "--license":
                            options.Licenses.Add(new DevLicense(Value(args, ref i)));
                            break;
                        case "--licenses-file":
                            ReadLicensesFile(Value(args, ref i), options);
                            break;
                        case "--app-var":
                            AddAppVariable(Value(args, ref i), options);
                            break;
                        case "--signing-key-seed":
                            options.SigningKeySeed = ParseSeed(Value(args, ref i));
                            break;
                        default:
                            throw new FormatException($"Unknown argument '{arg}'.");
                    }
                }

                ApplyTls(options, https, urlsGiven, certPath, certPassword);
            }
            catch (FormatException e)
            {
                return new CommandLine(null, e.Message, help: false);
            }

            string? twice = options.Licenses.GroupBy(l => l.Key, StringComparer.Ordinal).FirstOrDefault(g => g.Count() > 1)?.Key;
            if (twice is not null)
            {
                return new CommandLine(null, $"the licence key '{twice}' is given twice (--license, --licenses-file).", help: false);
            }

            if (options.SigningKeySeed is not null && options.Mode != SigningMode.Ed25519)
            {
                return new CommandLine(null, "--signing-key-seed only applies to --mode v3.", help: false);
            }

            return new CommandLine(options, null, help: false);
        }

        /// <summary>
        /// <c>--https</c> makes every address TLS (the default one becomes https://127.0.0.1:5443); an https:// address
        /// in <c>--urls</c> is TLS without it. <c>--cert</c> replaces the self-signed certificate, and is read here so
        /// a wrong path or password is one line before anything starts.
        /// </summary>
        private static void ApplyTls(DevServerOptions options, bool https, bool urlsGiven, string? certPath, string? certPassword)
        {
            if (https && !urlsGiven)
            {
                options.Urls = "https://127.0.0.1:5443";
            }

            string[] urls = options.Urls.Split(';');
            if (https && urls.FirstOrDefault(u => !u.StartsWith("https://", StringComparison.OrdinalIgnoreCase)) is { } plain)
            {
                string rest = plain[(plain.IndexOf("://", StringComparison.Ordinal) + 3)..];
                throw new FormatException($"--https: '{plain}' is plain HTTP; write https://{rest}");
            }

            if (certPassword is not null && certPath is null)
            {
                throw new FormatException("--cert-password needs --cert <path>.");
            }

            if (certPath is null)
            {
                return;
            }

            if (!urls.Any(u => u.StartsWith("https://", StringComparison.OrdinalIgnoreCase)))
            {
                throw new FormatException("--cert needs --https (or an https:// address in --urls).");
            }

            options.Certificate = DevCertificate.Load(certPath, certPassword);
        }

        private static string Value(IReadOnlyList<string> args, ref int i)
        {
            string name = args[i];
            if (i + 1 >= args.Count || args[i + 1].Length == 0)
            {
                throw new FormatException($"{name} needs a value.");
            }

            return args[++i];
        }

        /// <summary>
        /// Checks every <c>;</c>-separated address before Kestrel sees it: Kestrel ends the process on an address
        /// without a scheme, and reads a port that is not a number as port 80.
        /// </summary>
        private static string ParseUrls(string value)
        {
            string[] urls = value.Split(';', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);
            if (urls.Length == 0)
            {
                throw new FormatException("--urls needs an address such as http://127.0.0.1:5080.");
            }

            foreach (string url in urls)
            {
                if (!url.Contains("://", StringComparison.Ordinal))
                {
                    throw new FormatException($"--urls: '{url}' has no scheme; write http://{url}");
                }

                Match match = UrlPattern().Match(url);
                if (!match.Success)
                {
                    throw new FormatException($"--urls: '{url}' is not an address such as http://127.0.0.1:5080.");
                }

                string scheme = match.Groups["scheme"].Value;
                if (!scheme.Equals("http", StringComparison.OrdinalIgnoreCase) && !scheme.Equals("https", StringComparison.OrdinalIgnoreCase))
                {
                    throw new FormatException($"--urls: '{url}': the scheme must be http or https, not '{scheme}'.");
                }

                Group port = match.Groups["port"];
                if (port.Success && (!int.TryParse(port.Value, NumberStyles.None, CultureInfo.InvariantCulture, out int number) || number > 65535))
                {
                    throw new FormatException($"--urls: '{url}': the port must be a number from 0 to 65535, not '{port.Value}'.");
                }
            }

            return string.Join(';', urls);
        }

        // scheme://host[:port][/], host a name, an IPv4 address, [IPv6], or Kestrel's wildcards * and +.
        [GeneratedRegex(@"^(?<scheme>[A-Za-z][A-Za-z0-9+.-]*)://(?<host>\[[0-9A-Fa-f:.]+\]|[^:/\[\]@?#\s]+)(?::(?<port>[^/]*))?/?$", RegexOptions.CultureInvariant)]
        private static partial Regex UrlPattern();

        private static SigningMode ParseMode(string value) => value.ToLowerInvariant() switch
        {
            "v1" => SigningMode.HmacV1,
            "v2" => SigningMode.HmacV2,
            "v3" => SigningMode.Ed25519,
            _ => throw new FormatException($"--mode must be v1, v2 or v3, not '{value}'."),
        };

        private static byte[] ParseSeed(string value)
        {
            byte[] seed;
            try
            {
                seed = Convert.FromBase64String(value);
            }
            catch (FormatException)
            {
                throw new FormatException("--signing-key-seed must be standard base64.");
            }

            return seed.Length == 32 ? seed : throw new FormatException($"--signing-key-seed must decode to 32 bytes, not {seed.Length}.");
        }

        private static void AddAppVariable(string value, DevServerOptions options)
        {
            int equals = value.IndexOf('=');
            if (equals <= 0)
            {
                throw new FormatException($"--app-var must be name=value, not '{value}'.");
            }

            options.AppVariables[value[..equals]] = value[(equals + 1)..];
        }

        private static void ReadLicensesFile(string path, DevServerOptions options)
        {
            try
            {
                using JsonDocument document = JsonDocument.Parse(File.ReadAllBytes(path));
                JsonElement root = document.RootElement;
                JsonElement licenses = root;
                if (root.ValueKind == JsonValueKind.Object)
                {
                    if (!root.TryGetProperty("licenses", out licenses))
                    {
                        throw new FormatException("the object has no \"licenses\" array.");
                    }

                    if (root.TryGetProperty("appVariables", out JsonElement variables))
                    {
                        if (variables.ValueKind != JsonValueKind.Object)
                        {
                            throw new FormatException("\"appVariables\" must be an object.");
                        }

                        foreach (KeyValuePair<string, object?> variable in LicenseJson.ReadVariables(variables))
                        {
                            options.AppVariables[variable.Key] = variable.Value;
                        }
                    }
                }

                if (licenses.ValueKind != JsonValueKind.Array)
                {
                    throw new FormatException("expected an array of licences.");
                }

                var keys = new HashSet<string>(StringComparer.Ordinal);
                foreach (JsonElement license in licenses.EnumerateArray())
                {
                    DevLicense read = LicenseJson.Read(license);
                    if (!keys.Add(read.Key))
                    {
                        throw new FormatException($"the key '{read.Key}' appears twice.");
                    }

                    options.Licenses.Add(read);
                }
            }
            catch (Exception e) when (e is IOException or UnauthorizedAccessException or JsonException or FormatException)
            {
                throw new FormatException($"--licenses-file '{path}': {ErrorText.Of(e)}", e);
            }
        }
    }
}
