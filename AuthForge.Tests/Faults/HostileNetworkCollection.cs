using Xunit;

namespace AuthForge.Tests.Faults
{
    /// <summary>
    /// The fault matrix, the stress test and the hygiene tests run alone, after every parallel test class: they count
    /// threads and sockets, time failures against bounds, redirect the console and load both cores, none of which is
    /// meaningful while other classes run beside them.
    /// </summary>
    [CollectionDefinition(Name, DisableParallelization = true)]
    public sealed class HostileNetworkCollection
    {
        public const string Name = "Hostile network";
    }
}
