using System;
using System.Linq;
using System.Threading.Tasks;
using BenchmarkDotNet.Running;

namespace AuthForge.Benchmarks
{
    /// <summary>
    /// Everything, full:  dotnet run -c Release --project bench/AuthForge.Benchmarks
    /// Everything, quick: dotnet run -c Release --project bench/AuthForge.Benchmarks -- --quick
    /// Cold start (fresh processes, ours vs the bare POST and the official SDK):
    ///   dotnet run -c Release --project bench/AuthForge.Benchmarks -- --cold [--rounds N] [--official PATH] [--mono]
    /// Warm login against Kestrel and a Python http.server, async and sync, interleaved with the bare request:
    ///   dotnet run -c Release --project bench/AuthForge.Benchmarks -- --warm [--rounds N] [--block N]
    /// Either writes a Markdown table of every figure against its baseline (default bench/AuthForge.Benchmarks/RESULTS.md,
    /// quick: RESULTS.quick.md; --out PATH to choose). One BenchmarkDotNet class alone, as before:
    ///   dotnet run -c Release --project bench/AuthForge.Benchmarks -- --filter "*Ed25519*" --job short
    /// </summary>
    internal static class Program
    {
        private static async Task<int> Main(string[] args)
        {
            if (args.Length > 0 && args[0] == ChildServer.Argument) return await ChildServer.ServeAsync(args).ConfigureAwait(false);
            if (args.Contains("--cold")) return await ColdStart.RunAsync(args).ConfigureAwait(false);
            if (args.Contains("--warm")) return await WarmLogin.RunAsync(args).ConfigureAwait(false);
            if (args.Any(a => a == "--filter" || a == "--list" || a.StartsWith("--job", StringComparison.Ordinal)))
            {
                BenchmarkSwitcher.FromAssembly(typeof(Program).Assembly).Run(args);
                return 0;
            }
            return await Suite.RunAsync(args).ConfigureAwait(false);
        }
    }
}
