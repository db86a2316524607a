using System;
using System.Diagnostics;
using System.IO;
using System.Runtime.InteropServices;
using System.Threading;
using Xunit;

namespace AuthForge.Tests.Fingerprint
{
    /// <summary>Tests that start or count tool processes; one collection so the run counter isn't raced.</summary>
    [CollectionDefinition(Name)]
    public sealed class FingerprintProcessCollection
    {
        public const string Name = "Fingerprint tool processes";
    }

    [Collection(FingerprintProcessCollection.Name)]
    public class FingerprintProcessTests
    {
        private static bool OnLinux => RuntimeInformation.IsOSPlatform(OSPlatform.Linux);

        [Fact]
        public void LinuxProbe_StartsNoProcess_AndMatchesCurrent()
        {
            if (!OnLinux) return;

            int before = HardwareFingerprint.ToolProbe.RunCount;
            string probed = HardwareFingerprint.ProbeThisMachine().Hwid;
            Assert.Equal(before, HardwareFingerprint.ToolProbe.RunCount);

            var linux = new HardwareFingerprint.LinuxProbe("/", HardwareFingerprint.LinuxProbe.EthtoolPermanentAddress);
            Assert.Equal(HardwareFingerprint.Compose(linux.ReadMac(), linux.ReadCpu(), linux.ReadDisk()), probed);
            Assert.Equal(probed, HardwareFingerprint.Current);
            Assert.Equal(before, HardwareFingerprint.ToolProbe.RunCount);
        }

        [Fact]
        public void Current_DoesNotContainTheRawMac()
        {
            string? mac = OnLinux ? new HardwareFingerprint.LinuxProbe("/", HardwareFingerprint.LinuxProbe.EthtoolPermanentAddress).ReadMac() : HardwareFingerprint.ToolProbe.ReadNetworkInterfaceMac();
            string hwid = HardwareFingerprint.Current;
            if (mac != null)
            {
                Assert.DoesNotContain(mac, hwid, StringComparison.OrdinalIgnoreCase);
                Assert.DoesNotContain(mac.Replace(":", ""), hwid, StringComparison.OrdinalIgnoreCase);
            }
            Assert.DoesNotContain("mac:", hwid);
        }

        // These tests are about output handling, not the limit (the kill test covers that): a generous limit keeps
        // them deterministic while other test classes load both cores.
        private const int Generous = 30_000;

        [Fact]
        public void RunTool_ReturnsStandardOutput_WithoutAShell()
        {
            if (!OnLinux) return;
            Assert.Equal("hello\n", HardwareFingerprint.ToolProbe.RunTool("/bin/sh", "-c \"echo hello\"", Generous));
            // No shell in between: the argument reaches echo unexpanded.
            Assert.Equal("$HOME;x\n", HardwareFingerprint.ToolProbe.RunTool("/bin/echo", "$HOME;x", Generous));
        }

        [Fact]
        public void RunTool_DrainsFloodedStdoutAndStderr()
        {
            if (!OnLinux) return;
            // Both far beyond a 64 KiB pipe buffer: a runner that reads after waiting for exit deadlocks into the time-out.
            string? stdout = HardwareFingerprint.ToolProbe.RunTool("/bin/sh", "-c \"head -c 1000000 /dev/zero | tr '\\\\000' a; echo; echo done\"", Generous);
            Assert.NotNull(stdout);
            Assert.EndsWith("\ndone\n", stdout);
            Assert.True(stdout!.Length > 1000000);

            string? quiet = HardwareFingerprint.ToolProbe.RunTool("/bin/sh", "-c \"head -c 1000000 /dev/zero >&2; echo ok\"", Generous);
            Assert.Equal("ok\n", quiet);
        }

        [Fact]
        public void RunTool_KillsAToolThatOverrunsItsLimit()
        {
            if (!OnLinux) return;
            string marker = Path.Combine(Path.GetTempPath(), "af-fp-kill-" + Guid.NewGuid().ToString("N"));
            var clock = Stopwatch.StartNew();
            // The touch comes 3 s in: far enough past the 300 ms limit that a loaded machine's late kill still
            // lands before it.
            string? result = HardwareFingerprint.ToolProbe.RunTool("/bin/sh", $"-c \"sleep 3; touch '{marker}'; sleep 30\"", 300);
            TimeSpan returned = clock.Elapsed;

            Assert.Null(result);
            Assert.True(returned < TimeSpan.FromSeconds(20), "the runner waited for the tool instead of timing out");
            // A killed shell never reaches the touch; a merely abandoned one does 3 s after it started.
            TimeSpan untilPastTheTouch = TimeSpan.FromSeconds(4.5) - clock.Elapsed;
            if (untilPastTheTouch > TimeSpan.Zero) Thread.Sleep(untilPastTheTouch);
            bool touched = File.Exists(marker);
            if (touched) File.Delete(marker);
            Assert.False(touched, "the tool kept running after its time-out");
        }

        [Fact]
        public void RunTool_FailureOrMissingTool_IsNull()
        {
            if (!OnLinux) return;
            Assert.Null(HardwareFingerprint.ToolProbe.RunTool("/bin/sh", "-c \"echo partial; exit 3\"", Generous));

            int before = HardwareFingerprint.ToolProbe.RunCount;
            Assert.Null(HardwareFingerprint.ToolProbe.RunTool("/nonexistent/tool", ""));
            Assert.Equal(before, HardwareFingerprint.ToolProbe.RunCount);
        }

        [Fact]
        public void RunTool_ReportsATimeOut_SoTheMacOSProbeDoesNotKeepItsFallback()
        {
            if (!RuntimeInformation.IsOSPlatform(OSPlatform.Linux)) return;
            Assert.Null(HardwareFingerprint.ToolProbe.RunTool("/bin/sleep", "30", 300, out bool timedOut));
            Assert.True(timedOut);
            Assert.Equal("x\n", HardwareFingerprint.ToolProbe.RunTool("/bin/echo", "x", 30_000, out timedOut));
            Assert.False(timedOut);
            // A missing tool or a failing one is an answer of the machine, not of the clock.
            Assert.Null(HardwareFingerprint.ToolProbe.RunTool("/bin/false", "", 30_000, out timedOut));
            Assert.False(timedOut);
            Assert.Null(HardwareFingerprint.ToolProbe.RunTool(Path.Combine("/nonexistent", "tool"), "", 30_000, out timedOut));
            Assert.False(timedOut);
        }

        [Fact]
        public void EthtoolPermanentAddress_OnThisMachine_AnswersBurnedInAddressesOnly()
        {
            if (!OnLinux) return;
            Assert.Null(HardwareFingerprint.LinuxProbe.EthtoolPermanentAddress("lo"));                 // all zero
            Assert.Null(HardwareFingerprint.LinuxProbe.EthtoolPermanentAddress("af-no-such-nic"));
            Assert.Null(HardwareFingerprint.LinuxProbe.EthtoolPermanentAddress("a-name-far-too-long-for-ifreq"));
            foreach (string dir in Directory.GetDirectories("/sys/class/net"))
            {
                string name = Path.GetFileName(dir);
                string? permanent = HardwareFingerprint.LinuxProbe.EthtoolPermanentAddress(name);
                string assign = File.Exists(Path.Combine(dir, "addr_assign_type")) ? File.ReadAllText(Path.Combine(dir, "addr_assign_type")).Trim() : "";
                // A kernel-random address (1) has no permanent one; an address the kernel calls permanent (0) is it.
                if (assign == "1") Assert.Null(permanent);
                // The kernel answers ETHTOOL_GPERMADDR itself (no driver hook), so every device registered with a
                // permanent address has one: a null here means the ioctl or libc did not work.
                if (assign == "0" && Directory.Exists(Path.Combine(dir, "device"))) Assert.NotNull(permanent);
                if (assign == "0" && permanent != null)
                    Assert.Equal(HardwareFingerprint.HardwareText.NormaliseMac(File.ReadAllText(Path.Combine(dir, "address"))), permanent);
            }
        }
    }
}
