using System.Linq;
using System.Reflection;
using Xunit;

namespace AuthForge.Tests.Hygiene
{
    /// <summary>
    /// The compiled package tells the apps that publish it that it is safe to trim (and, with IsAotCompatible, the
    /// build ran the trim and AOT analyzers over the file at warnings as errors). .ci/aot.sh proves it in a native app.
    /// </summary>
    public sealed class TrimmingTests
    {
        [Fact]
        public void TheNet8AssemblyDeclaresItselfTrimmable()
        {
            Assembly product = typeof(AuthForgeClient).Assembly;
            AssemblyMetadataAttribute? trimmable = product.GetCustomAttributes<AssemblyMetadataAttribute>()
                .SingleOrDefault(a => a.Key == "IsTrimmable");
            Assert.NotNull(trimmable);
            Assert.Equal("True", trimmable!.Value);
        }
    }
}
