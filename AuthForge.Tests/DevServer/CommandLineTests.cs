using System;
using System.IO;
using System.Linq;
using System.Text.Json;
using AuthForge.DevServer;
using Xunit;

namespace AuthForge.Tests.DevServer
{
    /// <summary>The standalone server's argument parsing.</summary>
    public sealed class CommandLineTests
    {
        [Fact]
        public void Defaults_ServeV3OnPort5080()
        {
            DevServerOptions options = CommandLine.Parse([]).Options!;

            Assert.Equal(("http://127.0.0.1:5080", "demo-app", "demo-secret", SigningMode.Ed25519, true), (options.Urls, options.AppId, options.AppSecret, options.Mode, options.Quiet));
        }

        [Fact]
        public void EveryOption_IsRead()
        {
            string seed = Convert.ToBase64String(new byte[32]);
            DevServerOptions options = CommandLine.Parse(
            [
                "--urls", "http://127.0.0.1:6000", "--app-id", "a", "--app-secret", "s", "--license", "K1", "--license", "K2",
                "--mode", "v3", "--signing-key-seed", seed, "--verbose", "--app-var", "tier=gold=1",
            ]).Options!;

            Assert.Equal(("http://127.0.0.1:6000", "a", "s", false), (options.Urls, options.AppId, options.AppSecret, options.Quiet));
            Assert.Equal(["K1", "K2"], options.Licenses.Select(l => l.Key));
            Assert.Equal(new byte[32], options.SigningKeySeed);
            Assert.Equal("gold=1", options.AppVariables["tier"]);
        }

        [Theory]
        [InlineData("v1", SigningMode.HmacV1)]
        [InlineData("v2", SigningMode.HmacV2)]
        [InlineData("V3", SigningMode.Ed25519)]
        public void Mode_IsRead(string value, SigningMode expected)
        {
            Assert.Equal(expected, CommandLine.Parse(["--mode", value]).Options!.Mode);
        }

        [Theory]
        [InlineData("--mode", "v4")]
        [InlineData("--bogus")]
        [InlineData("--license")]
        [InlineData("--signing-key-seed", "AAAA")]
        [InlineData("--signing-key-seed", "not base64!")]
        [InlineData("--app-var", "novalue")]
        [InlineData("--licenses-file", "/no/such/file.json")]
        [InlineData("--mode", "v1", "--signing-key-seed", "AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA=")]
        public void BadArguments_GiveAClearError(params string[] args)
        {
            CommandLine command = CommandLine.Parse(args);

            Assert.Null(command.Options);
            Assert.False(string.IsNullOrWhiteSpace(command.Error));
        }

        [Fact]
        public void Help_IsRecognised()
        {
            Assert.True(CommandLine.Parse(["--help"]).ShowHelp);
        }

        [Fact]
        public void LicensesFile_ReadsLicencesAndAppVariables()
        {
            string path = Path.Combine(Path.GetTempPath(), "devserver-licenses-" + Guid.NewGuid().ToString("N") + ".json");
            File.WriteAllText(path, """
                {"appVariables":{"motd":"hi"},
                 "licenses":[{"key":"A","credits":5,"maxHwidSlots":2,"expiresAt":"2030-01-01T00:00:00Z","label":"L","variables":{"x":1}},
                             {"key":"B"}]}
                """);
            try
            {
                DevServerOptions options = CommandLine.Parse(["--licenses-file", path, "--license", "C"]).Options!;

                Assert.Equal(["A", "B", "C"], options.Licenses.Select(l => l.Key));
                DevLicense a = options.Licenses[0];
                Assert.Equal((5L, 2, "L"), (a.Credits, a.MaxHwidSlots, a.Label));
                Assert.Equal(new DateTimeOffset(2030, 1, 1, 0, 0, 0, TimeSpan.Zero), a.ExpiresAt);
                Assert.Equal(1, ((JsonElement)a.Variables["x"]!).GetInt32());
                Assert.Equal("hi", ((JsonElement)options.AppVariables["motd"]!).GetString());
                Assert.Equal(1000, options.Licenses[1].Credits);
            }
            finally
            {
                File.Delete(path);
            }
        }

        [Fact]
        public void LicensesFile_MayBeAPlainArray_AndBadOnesAreNamed()
        {
            string path = Path.Combine(Path.GetTempPath(), "devserver-licenses-" + Guid.NewGuid().ToString("N") + ".json");
            File.WriteAllText(path, """[{"key":"A"},{"key":"B","credits":"lots"}]""");
            try
            {
                CommandLine command = CommandLine.Parse(["--licenses-file", path]);

                Assert.Null(command.Options);
                Assert.Contains("\"B\"", command.Error, StringComparison.Ordinal);
                Assert.Contains("credits", command.Error, StringComparison.Ordinal);
            }
            finally
            {
                File.Delete(path);
            }
        }
    }
}
