using System;
using System.Diagnostics;
using System.IO;
using System.Threading.Tasks;

namespace AuthForge.Tests.Support
{
    /// <summary>Runs a .NET program of the build as a child process and collects what it wrote and its exit code.</summary>
    internal static class ChildProcess
    {
        /// <summary>What a child process wrote and how it ended.</summary>
        public sealed record Result(int ExitCode, string Stdout, string Stderr);

        /// <summary>A start for <c>dotnet exec</c>-style runs with both outputs redirected.</summary>
        public static ProcessStartInfo DotnetStart() => new ProcessStartInfo(DotnetHost())
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };

        /// <summary>Runs <paramref name="start"/> to its end; a process still running after <paramref name="limit"/>
        /// (a guard, not a promise under test) is killed with its tree and the wait throws <see cref="TimeoutException"/>.</summary>
        public static async Task<Result> RunAsync(ProcessStartInfo start, TimeSpan limit)
        {
            using Process process = Process.Start(start)!;
            // Both outputs are drained while the process runs, so a full pipe never blocks it.
            Task<string> stdout = process.StandardOutput.ReadToEndAsync();
            Task<string> stderr = process.StandardError.ReadToEndAsync();
            try
            {
                await process.WaitForExitAsync().WaitAsync(limit);
            }
            catch (TimeoutException)
            {
                process.Kill(entireProcessTree: true);
                throw;
            }

            return new Result(process.ExitCode, await stdout, await stderr);
        }

        /// <summary>The dotnet host running these tests (the SDK exports it to child processes), else the one on PATH.</summary>
        public static string DotnetHost()
        {
            string? host = Environment.GetEnvironmentVariable("DOTNET_HOST_PATH");
            if (!string.IsNullOrEmpty(host) && File.Exists(host)) return host;
            string? self = Environment.ProcessPath;
            if (self != null && Path.GetFileNameWithoutExtension(self).Equals("dotnet", StringComparison.OrdinalIgnoreCase)) return self;
            return "dotnet";
        }
    }
}
