using Xunit;

namespace AuthForge.Tests.Fingerprint
{
    /// <summary>Compose against SHA-256 digests computed outside .NET (Python hashlib) for the listed texts.</summary>
    public class FingerprintComposeTests
    {
        [Fact]
        public void Compose_HashesTheJoinedParts()
        {
            // sha256("mac:aa:bb:cc:dd:ee:ff|cpu:vendor_id=GenuineIntel;model name=Intel(R) Core(TM) i7-8700 CPU @ 3.20GHz|disk:S3Z9NB0K123456A")
            Assert.Equal(
                "e9b82a16d4d357d8a6118618da25537e26004373289c0d7d1e33ea342f182d9d",
                HardwareFingerprint.Compose(
                    "aa:bb:cc:dd:ee:ff",
                    "vendor_id=GenuineIntel;model name=Intel(R) Core(TM) i7-8700 CPU @ 3.20GHz",
                    "S3Z9NB0K123456A"));
        }

        [Theory]
        [InlineData(null, null, null)]
        [InlineData("", "", "")]
        [InlineData("   ", "\t", "\r\n")]
        public void Compose_EmptyParts_UseTheProtocolFallbacks(string? mac, string? cpu, string? disk)
        {
            // sha256("mac:mac-unavailable|cpu:cpu-unavailable|disk:disk-unavailable")
            Assert.Equal("fe4365799e73e225689dc467ba53b3814e198a7b60fc0d4f51763fb8f30066be", HardwareFingerprint.Compose(mac, cpu, disk));
        }

        [Fact]
        public void Compose_FallsBackPerPart_AndTrims()
        {
            // sha256("mac:00:1a:2b:3c:4d:5e|cpu:cpu-unavailable|disk:WD-1234")
            Assert.Equal(
                "b5eafa02ec25e1f21860002a0e6ed919793d25848751d74829683aa291e1d85f",
                HardwareFingerprint.Compose("  00:1a:2b:3c:4d:5e\n", " ", "\tWD-1234 "));
        }

        [Fact]
        public void Compose_EncodesAsUtf8()
        {
            // sha256(utf8("mac:mac-unavailable|cpu:Ünïcode CPU™|disk:disk-unavailable"))
            Assert.Equal(
                "1fe9e55dbd19f6fe1ac25be3d27d97d668e23c70b06e18c3edd7599e6c466a0d",
                HardwareFingerprint.Compose(null, "Ünïcode CPU™", null));
        }

        [Fact]
        public void ComposeGuarded_AThrowingReader_CostsOnlyItsOwnPart()
        {
            string hwid = HardwareFingerprint.ComposeGuarded(
                () => throw new System.IO.IOException("boom"), () => null, () => "WD-1234");
            Assert.Equal(HardwareFingerprint.Compose(null, null, "WD-1234"), hwid);

            string other = HardwareFingerprint.ComposeGuarded(
                () => "00:1a:2b:3c:4d:5e", () => throw new System.UnauthorizedAccessException(), () => "WD-1234");
            Assert.Equal("b5eafa02ec25e1f21860002a0e6ed919793d25848751d74829683aa291e1d85f", other);
        }
    }
}
