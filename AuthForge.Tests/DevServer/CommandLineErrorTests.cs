using System;
using System.Diagnostics;
using System.IO;
using System.Linq;
using System.Net.Http;
using System.Text;
using System.Text.RegularExpressions;
using System.Threading.Tasks;
using AuthForge.DevServer;
using AuthForge.Tests.Support;
using Xunit;

namespace AuthForge.Tests.DevServer
{
    /// <summary>
    /// Mistakes on the standalone server's command line: each is one line on stderr and exit code 2, checked in a
    /// real child process; addresses Kestrel would misread are refused before it sees them; a licence key given twice
    /// is refused; --verbose lines carry the time.
    /// </summary>
    public sealed class CommandLineErrorTests
    {
        [Theory]
        [InlineData("127.0.0.1:5081", "'127.0.0.1:5081' has no scheme; write http://127.0.0.1:5081")]
        [InlineData("http://127.0.0.1:abc", "the port must be a number from 0 to 65535, not 'abc'")]
        [InlineData("http://127.0.0.1:70000", "the port must be a number from 0 to 65535, not '70000'")]
        [InlineData("http://127.0.0.1:-1", "the port must be a number from 0 to 65535, not '-1'")]
        [InlineData("ftp://127.0.0.1:21", "the scheme must be http or https, not 'ftp'")]
        [InlineData("http://127.0.0.1:5080/api", "is not an address such as http://127.0.0.1:5080")]
        [InlineData("http://127.0.0.1:0;localhost:5", "'localhost:5' has no scheme")]
        [InlineData(" ; ", "--urls needs an address such as http://127.0.0.1:5080")]
        public void BadUrls_AreRefused_WithTheReason(string urls, string reason)
        {
            CommandLine command = CommandLine.Parse(["--urls", urls]);

            Assert.Null(command.Options);
            Assert.Contains(reason, command.Error, StringComparison.Ordinal);
        }

        [Theory]
        [InlineData("http://127.0.0.1:0")]
        [InlineData("http://localhost:5080/")]
        [InlineData("http://[::1]:5080")]
        [InlineData("https://127.0.0.1:5443")]
        [InlineData("http://*:5080")]
        [InlineData("http://+:5080")]
        [InlineData("http://127.0.0.1")]
        [InlineData("http://127.0.0.1:0; http://[::1]:0")]
        public void GoodUrls_AreAccepted(string urls)
        {
            CommandLine command = CommandLine.Parse(["--urls", urls]);

            Assert.Null(command.Error);
            Assert.Equal(urls.Replace(" ", "", StringComparison.Ordinal), command.Options!.Urls);
        }

        [Fact]
        public void ALicenceKeyTwiceInTheFile_IsRefused()
        {
            string path = TempFile("""{"licenses":[{"key":"A"},{"key":"B"},{"key":"A","credits":5}]}""");
            try
            {
                CommandLine command = CommandLine.Parse(["--licenses-file", path]);

                Assert.Null(command.Options);
                Assert.Equal($"--licenses-file '{path}': the key 'A' appears twice.", command.Error);
            }
            finally
            {
                File.Delete(path);
            }
        }

        [Fact]
        public void ALicenceKeyTwiceAcrossOptions_IsRefused()
        {
            string path = TempFile("""[{"key":"A"}]""");
            try
            {
                Assert.Equal("the licence key 'A' is given twice (--license, --licenses-file).",
                    CommandLine.Parse(["--licenses-file", path, "--license", "A"]).Error);
                Assert.Equal("the licence key 'B' is given twice (--license, --licenses-file).",
                    CommandLine.Parse(["--license", "B", "--license", "B"]).Error);
                Assert.NotNull(CommandLine.Parse(["--licenses-file", path, "--license", "a"]).Options); // keys are case-sensitive
            }
            finally
            {
                File.Delete(path);
            }
        }

        [Fact]
        public void ALicencesFileThatIsNotJson_SaysWhere_WithoutRuntimeInternals()
        {
            string path = TempFile("{\"licenses\": [\n  {\"key\": }\n]}");
            try
            {
                string error = CommandLine.Parse(["--licenses-file", path]).Error!;

                Assert.Equal($"--licenses-file '{path}': not valid JSON: '}}' is an invalid start of a value (line 2, byte 11).", error);
            }
            finally
            {
                File.Delete(path);
            }
        }

        [Theory]
        [InlineData("'http://127.0.0.1:0' is plain HTTP; write https://127.0.0.1:0", "--https", "--urls", "http://127.0.0.1:0")]
        [InlineData("'http://[::1]:5' is plain HTTP; write https://[::1]:5", "--urls", "https://127.0.0.1:0;http://[::1]:5", "--https")]
        [InlineData("--cert needs --https (or an https:// address in --urls).", "--cert", "server.pfx")]
        [InlineData("--cert-password needs --cert <path>.", "--https", "--cert-password", "pw")]
        [InlineData("--cert '/no/such/dir/server.pfx': no such file.", "--https", "--cert", "/no/such/dir/server.pfx")]
        [InlineData("--cert needs a value.", "--https", "--cert")]
        public void HttpsMistakes_AreNamed(string reason, params string[] args)
        {
            CommandLine command = CommandLine.Parse(args);

            Assert.Null(command.Options);
            Assert.EndsWith(reason, command.Error, StringComparison.Ordinal);
        }

        [Fact]
        public void Https_ServesTheDefaultAddressOverTls_AndReadsAGivenCertificate()
        {
            Assert.Equal("https://127.0.0.1:5443", CommandLine.Parse(["--https"]).Options!.Urls);
            Assert.Null(CommandLine.Parse(["--https"]).Options!.Certificate);
            Assert.Equal("https://[::1]:0", CommandLine.Parse(["--https", "--urls", "https://[::1]:0"]).Options!.Urls);

            using var made = DevCertificate.CreateSelfSigned();
            string path = Path.Combine(Path.GetTempPath(), "devserver-cert-" + Guid.NewGuid().ToString("N") + ".pfx");
            File.WriteAllBytes(path, made.Export(System.Security.Cryptography.X509Certificates.X509ContentType.Pkcs12, "s3cret-pw"));
            try
            {
                DevServerOptions options = CommandLine.Parse(["--https", "--cert", path, "--cert-password", "s3cret-pw"]).Options!;
                Assert.Equal(made.Thumbprint, options.Certificate!.Thumbprint);
                Assert.True(options.Certificate.HasPrivateKey);

                // A wrong password names the file and the option, never the password tried.
                string error = CommandLine.Parse(["--https", "--cert", path, "--cert-password", "not-the-pw"]).Error!;
                Assert.Equal($"--cert '{path}': not a PKCS#12 (.pfx) file, or --cert-password is wrong.", error);
                Assert.DoesNotContain("not-the-pw", error, StringComparison.Ordinal);
            }
            finally
            {
                File.Delete(path);
            }
        }

        [Fact]
        public async Task Https_PrintsTheFingerprintOfTheCertificateItServes()
        {
            var start = Start(["--https", "--urls", "https://127.0.0.1:0"]);
            using Process process = Process.Start(start)!;
            try
            {
                string? url = null, fingerprint = null;
                while (url is null || fingerprint is null)
                {
                    string line = await ReadLineAsync(process);
                    const string banner = "AuthForge DevServer listening on ", printed = "  certificate SHA-256: ";
                    if (line.StartsWith(banner, StringComparison.Ordinal)) url = line[banner.Length..];
                    if (line.StartsWith(printed, StringComparison.Ordinal)) fingerprint = line[printed.Length..];
                }

                Assert.StartsWith("https://127.0.0.1:", url, StringComparison.Ordinal);
                string? shown = null;
                using var handler = new HttpClientHandler
                {
                    ServerCertificateCustomValidationCallback = (_, certificate, _, _) =>
                    {
                        shown = DevCertificate.Sha256Fingerprint(certificate!);
                        return shown == fingerprint;
                    },
                };
                using var http = new HttpClient(handler) { Timeout = TimeSpan.FromSeconds(30) };
                using HttpResponseMessage response = await http.GetAsync(url + "/admin/licenses");
                Assert.Equal(200, (int)response.StatusCode);
                Assert.Equal(fingerprint, shown);
                Assert.Matches(new Regex("^([0-9A-F]{2}:){31}[0-9A-F]{2}$"), fingerprint);
            }
            finally
            {
                process.Kill(entireProcessTree: true);
                await process.WaitForExitAsync();
            }
        }

        [Theory]
        [InlineData("--https", "--urls", "http://127.0.0.1:0")]
        [InlineData("--https", "--cert", "/no/such/file.pfx")]
        [InlineData("--urls", "127.0.0.1:5081")]
        [InlineData("--urls", "http://127.0.0.1:abc")]
        [InlineData("--mode", "v4")]
        [InlineData("--bogus")]
        [InlineData("--license")]
        public async Task EveryMistake_IsOneLineOnStderr_AndExitCode2(params string[] args)
        {
            ChildProcess.Result result = await RunServerAsync(args);

            Assert.Equal(2, result.ExitCode);
            Assert.Equal(string.Empty, result.Stdout);
            string line = Assert.Single(result.Stderr.Split('\n', StringSplitOptions.RemoveEmptyEntries));
            Assert.StartsWith("error: ", line, StringComparison.Ordinal);
            Assert.EndsWith(" (see --help).", line.TrimEnd('\r'), StringComparison.Ordinal);
        }

        [Fact]
        public async Task Verbose_LinesStartWithTheTime()
        {
            var start = Start(["--urls", "http://127.0.0.1:0", "--verbose", "--mode", "v1", "--license", "VERBOSE-KEY"]);
            using Process process = Process.Start(start)!;
            try
            {
                string? url = null;
                while (url is null)
                {
                    string line = await ReadLineAsync(process);
                    const string banner = "AuthForge DevServer listening on ";
                    if (line.StartsWith(banner, StringComparison.Ordinal)) url = line[banner.Length..];
                }

                using var http = new HttpClient { Timeout = TimeSpan.FromSeconds(30) };
                using var content = new StringContent(
                    """{"appId":"demo-app","appSecret":"demo-secret","licenseKey":"VERBOSE-KEY","hwid":"h","nonce":"0123456789abcdef0123456789abcdef"}""",
                    Encoding.UTF8, "application/json");
                using HttpResponseMessage response = await http.PostAsync(url + "/auth/validate", content);
                Assert.Equal(200, (int)response.StatusCode);

                string logged;
                do
                {
                    logged = await ReadLineAsync(process);
                }
                while (!logged.Contains("/auth/validate", StringComparison.Ordinal));

                Assert.Matches(new Regex(@"^\d{4}-\d{2}-\d{2} \d{2}:\d{2}:\d{2}\.\d{3} "), logged);
            }
            finally
            {
                process.Kill(entireProcessTree: true);
                await process.WaitForExitAsync();
            }
        }

        [Theory]
        [InlineData("http://0.0.0.0:0", true)]
        [InlineData("http://127.0.0.1:0", false)]
        public async Task Banner_NamesTheAddressReallyBound_AndWarnsWhenOtherMachinesCanReachIt(string urls, bool exposed)
        {
            // Nothing connects from elsewhere: the test only reads what the server says it bound.
            var start = Start(["--urls", urls, "--mode", "v1"]);
            using Process process = Process.Start(start)!;
            try
            {
                string first = await ReadLineAsync(process);
                string second = await ReadLineAsync(process);
                string host = new Uri(urls).Host;

                Assert.Matches(new Regex("^AuthForge DevServer listening on http://" + Regex.Escape(host) + @":\d+$"), first);
                Assert.Equal(exposed, second.StartsWith("  warning:  ", StringComparison.Ordinal));
                if (exposed) Assert.Contains("reachable from other machines", second, StringComparison.Ordinal);
            }
            finally
            {
                process.Kill(entireProcessTree: true);
                await process.WaitForExitAsync();
            }
        }

        private static async Task<string> ReadLineAsync(Process process)
        {
            // Generous: a cold start of a second .NET process on a loaded 2-core machine.
            string? line = await process.StandardOutput.ReadLineAsync().WaitAsync(TimeSpan.FromSeconds(60));
            if (line is null)
            {
                // Only now: reading stderr to its end waits for the process to exit.
                Assert.Fail("the server's output ended: " + await process.StandardError.ReadToEndAsync());
            }

            return line;
        }

        private static Task<ChildProcess.Result> RunServerAsync(string[] args) =>
            ChildProcess.RunAsync(Start(args), TimeSpan.FromSeconds(60));

        /// <summary>The DevServer's own program (built beside the tests), run by the dotnet host running them.</summary>
        private static ProcessStartInfo Start(string[] args)
        {
            string server = typeof(DevServerHost).Assembly.Location;
            Assert.True(File.Exists(Path.ChangeExtension(server, ".runtimeconfig.json")), "the DevServer was not built as a program beside the tests");
            ProcessStartInfo start = ChildProcess.DotnetStart();
            start.ArgumentList.Add("exec");
            start.ArgumentList.Add(server);
            foreach (string arg in args) start.ArgumentList.Add(arg);
            return start;
        }

        private static string TempFile(string text)
        {
            string path = Path.Combine(Path.GetTempPath(), "devserver-licenses-" + Guid.NewGuid().ToString("N") + ".json");
            File.WriteAllText(path, text);
            return path;
        }

    }
}
