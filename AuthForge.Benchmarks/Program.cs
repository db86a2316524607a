using BenchmarkDotNet.Running;

namespace AuthForge.Benchmarks
{
    internal static class Program
    {
        // Pick benchmarks with --filter, e.g. --filter "*Ed25519*" --job short.
        private static void Main(string[] args) => BenchmarkSwitcher.FromAssembly(typeof(Program).Assembly).Run(args);
    }
}
