using System;
using System.Diagnostics;
using System.IO;
using System.Linq;
using System.Reflection;
using System.Threading.Tasks;
using AuthForge.DevServer;
using AuthForge.Tests.Support;
using Xunit;

namespace AuthForge.Tests.Client
{
    /// <summary>
    /// Without a usable failure callback the client ends the process with exit code 1 (PROTOCOL.md). Only a real
    /// process shows that: a child runs AuthForge.Tests.ExitProbe against this test's DevServer with a refused key.
    /// </summary>
    public sealed class ExitBehaviourTests : IAsyncLifetime
    {
        private DevServerHost? _server;

        public async Task InitializeAsync() => _server = await LiveServer.StartAsync(SigningMode.HmacV1);

        public async Task DisposeAsync()
        {
            if (_server != null) await _server.DisposeAsync();
        }

        [Fact]
        public async Task NoCallbackEndsTheProcessWithExitCodeOne()
        {
            ChildProcess.Result result = await RunProbeAsync("none");

            Assert.Equal(1, result.ExitCode);
            Assert.Contains("before login", result.Stdout);
            Assert.DoesNotContain("after login", result.Stdout);
            AssertTheServerRefusedTheProbe();
            AssertOneLineOnStandardError(result, "No onFailure callback is set");
        }

        [Fact]
        public async Task ACallbackThatThrowsEndsTheProcessWithExitCodeOne()
        {
            ChildProcess.Result result = await RunProbeAsync("throws");

            Assert.Equal(1, result.ExitCode);
            // The callback was given its chance first, with the real reason and code.
            Assert.Contains("callback ran login_failed invalid_key", result.Stdout);
            Assert.DoesNotContain("after login", result.Stdout);
            AssertTheServerRefusedTheProbe();
            AssertOneLineOnStandardError(result, "The onFailure callback threw");
        }

        [Fact]
        public async Task ACallbackPostedToAUiContextThatThrowsEndsTheProcessWithExitCodeOne()
        {
            ChildProcess.Result result = await RunProbeAsync("throws-on-context");

            // Exit code 1 with the client's line, not a crash: the exception never reached the context's loop.
            Assert.Equal(1, result.ExitCode);
            // It ran on the thread that constructed the client, not the thread that found the failure.
            Assert.Contains("callback ran login_failed invalid_key on-context=True", result.Stdout);
            AssertTheServerRefusedTheProbe();
            AssertOneLineOnStandardError(result, "The onFailure callback threw");
        }

        // Never a silent death: one line on stderr naming the operation, the code and the sentence, and no secret.
        private void AssertOneLineOnStandardError(ChildProcess.Result result, string why)
        {
            string line = Assert.Single(result.Stderr.Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries));
            Assert.StartsWith("AuthForge: login_failed [invalid_key]: ", line);
            Assert.Contains(ErrorCodeTable.DescribeServerCode(AuthForgeErrorCodes.InvalidKey), line);
            Assert.Contains(why, line);
            Assert.Contains("exit code 1", line);
            Assert.DoesNotContain(_server!.AppSecret, line);
            Assert.DoesNotContain("K-refused", line);
        }

        // Exit code 1 alone could come from a crash; the server's log shows the probe's login was refused first.
        private void AssertTheServerRefusedTheProbe()
        {
            Assert.Contains(_server!.Requests, r => r.Hwid == "exit-probe" && r.Error == AuthForgeErrorCodes.InvalidKey);
        }

        private Task<ChildProcess.Result> RunProbeAsync(string callback)
        {
            ProcessStartInfo start = ChildProcess.DotnetStart();
            foreach (string arg in new[] { "exec", ProbePath(), _server!.BaseUrl, _server.AppId, _server.AppSecret, "K-refused", callback })
                start.ArgumentList.Add(arg);
            return ChildProcess.RunAsync(start, TimeSpan.FromSeconds(30));
        }

        /// <summary>The probe's dll, as its own project reported it at build time (see AuthForge.Tests.csproj).</summary>
        private static string ProbePath()
        {
            string? path = typeof(ExitBehaviourTests).Assembly.GetCustomAttributes<AssemblyMetadataAttribute>()
                .FirstOrDefault(a => a.Key == "ExitProbePath")?.Value;
            Assert.False(string.IsNullOrEmpty(path), "The test assembly does not say where the exit probe was built.");
            Assert.True(File.Exists(path), "The exit probe was not built at " + path);
            return path!;
        }
    }
}
