using System.Collections.Generic;
using System.Text;
using Xunit;
using Text = AuthForge.Internal.HardwareFingerprint.HardwareText;

namespace AuthForge.Tests.Fingerprint
{
    public class FingerprintTextTests
    {
        private const string X86CpuInfo =
            "processor\t: 0\n" +
            "vendor_id\t: GenuineIntel\n" +
            "cpu family\t: 6\n" +
            "model\t\t: 158\n" +
            "model name\t: Intel(R) Core(TM) i7-8700 CPU @ 3.20GHz\n" +
            "stepping\t: 10\n" +
            "microcode\t: 0xf4\n" +
            "cpu MHz\t\t: 4298.112\n" +
            "cpu cores\t: 6\n" +
            "flags\t\t: fpu vme de pse tsc msr\n" +
            "bogomips\t: 6399.96\n" +
            "\n" +
            "processor\t: 1\n" +
            "vendor_id\t: GenuineIntel\n" +
            "cpu family\t: 6\n" +
            "model\t\t: 158\n" +
            "model name\t: Intel(R) Core(TM) i7-8700 CPU @ 3.20GHz\n" +
            "cpu MHz\t\t: 800.004\n" +
            "\n";

        private const string RaspberryPi4CpuInfo =
            "processor\t: 0\n" +
            "BogoMIPS\t: 108.00\n" +
            "Features\t: fp asimd evtstrm crc32 cpuid\n" +
            "CPU implementer\t: 0x41\n" +
            "CPU architecture: 8\n" +
            "CPU variant\t: 0x0\n" +
            "CPU part\t: 0xd08\n" +
            "CPU revision\t: 3\n" +
            "\n" +
            "processor\t: 1\n" +
            "CPU implementer\t: 0x41\n" +
            "CPU part\t: 0xd08\n" +
            "\n" +
            "Hardware\t: BCM2835\n" +
            "Revision\t: c03114\n" +
            "Serial\t\t: 100000002b6e1a3c\n" +
            "Model\t\t: Raspberry Pi 4 Model B Rev 1.4\n";

        [Fact]
        public void ParseCpuInfo_X86_TakesModelKeysOfTheFirstCore_AndSkipsVolatileOnes()
        {
            Assert.Equal(
                "vendor_id=GenuineIntel;cpu family=6;model=158;model name=Intel(R) Core(TM) i7-8700 CPU @ 3.20GHz",
                Text.ParseCpuInfo(X86CpuInfo));
        }

        [Fact]
        public void ParseCpuInfo_X86_IgnoresClockChanges()
        {
            string throttled = X86CpuInfo.Replace("4298.112", "1200.000").Replace("6399.96", "2400.00");
            Assert.Equal(Text.ParseCpuInfo(X86CpuInfo), Text.ParseCpuInfo(throttled));
        }

        [Fact]
        public void ParseCpuInfo_Arm_UsesCorePartAndBoardLines()
        {
            Assert.Equal(
                "CPU implementer=0x41;CPU architecture=8;CPU variant=0x0;CPU part=0xd08;CPU revision=3;" +
                "Hardware=BCM2835;Model=Raspberry Pi 4 Model B Rev 1.4;Serial=100000002b6e1a3c",
                Text.ParseCpuInfo(RaspberryPi4CpuInfo));
        }

        [Theory]
        [InlineData(null)]
        [InlineData("")]
        [InlineData("processor\t: 0\nbogomips\t: 100\n")]
        public void ParseCpuInfo_NothingStable_IsNull(string? text)
        {
            Assert.Null(Text.ParseCpuInfo(text));
        }

        [Theory]
        [InlineData("00:1A:2B:3C:4D:5E", "00:1a:2b:3c:4d:5e")]
        [InlineData("00-1A-2B-3C-4D-5E", "00:1a:2b:3c:4d:5e")]
        [InlineData("001A2B3C4D5E", "00:1a:2b:3c:4d:5e")]
        [InlineData("001a.2b3c.4d5e", "00:1a:2b:3c:4d:5e")]
        [InlineData("0:1a:2b:3c:4d:5e", "00:1a:2b:3c:4d:5e")]
        [InlineData("  3c:22:fb:a0:0b:1c\n", "3c:22:fb:a0:0b:1c")]
        public void NormaliseMac_AllSpellingsOfOneNic_GiveOneText(string raw, string expected)
        {
            Assert.Equal(expected, Text.NormaliseMac(raw));
        }

        [Theory]
        [InlineData(null)]
        [InlineData("")]
        [InlineData("00:00:00:00:00:00")]
        [InlineData("000000000000")]
        [InlineData("ff:ff:ff:ff:ff:ff")]
        [InlineData("fe80::abcd:ef01")]
        [InlineData("00:1a:2b:3c:4d")]
        [InlineData("00:1a:2b:3c:4d:5e:6f")]
        [InlineData("00:1a:2b:3c:4d:zz")]
        [InlineData("001:a2b:3c:4d:5e:6f")]
        [InlineData("N/A")]
        [InlineData("80:00:02:08:fe:80:00:00:00:00:00:00:00:00:00:00:00:00:00:01")]
        public void NormaliseMac_RejectsNonMacs(string? raw)
        {
            Assert.Null(Text.NormaliseMac(raw));
        }

        [Fact]
        public void ChooseMac_PrefersRankThenLowestMac_RegardlessOfOrderOrName()
        {
            var wired1 = new HardwareFingerprint.MacCandidate("eno1", "aa:aa:aa:aa:aa:03", 0);
            var wifi0 = new HardwareFingerprint.MacCandidate("wlp2s0", "aa:aa:aa:aa:aa:01", 0);
            var usb = new HardwareFingerprint.MacCandidate("a-usb0", "00:00:00:00:00:01", 2);
            var unstated = new HardwareFingerprint.MacCandidate("eth9", "00:00:00:00:00:02", 1);

            // Wired and wireless alike: the lower MAC wins, whatever the names or the listing order.
            Assert.Equal("aa:aa:aa:aa:aa:01", Text.ChooseMac(new[] { usb, unstated, wired1, wifi0 }));
            Assert.Equal("aa:aa:aa:aa:aa:01", Text.ChooseMac(new[] { wifi0, wired1, unstated, usb }));
            Assert.Equal("00:00:00:00:00:02", Text.ChooseMac(new[] { usb, unstated }));
            Assert.Null(Text.ChooseMac(new HardwareFingerprint.MacCandidate[0]));
        }

        [Fact]
        public void RankOf_BuiltInBeforeAttached_PermanentBeforeUnstated()
        {
            Assert.Equal(0, Text.RankOf(builtIn: true, permanent: true));
            Assert.Equal(1, Text.RankOf(builtIn: true, permanent: false));
            Assert.Equal(2, Text.RankOf(builtIn: false, permanent: true));
            Assert.Equal(3, Text.RankOf(builtIn: false, permanent: false));
        }

        [Theory]
        [InlineData("lo", true)]
        [InlineData("docker0", true)]
        [InlineData("veth1a2b3c", true)]
        [InlineData("br-5f0c1d2e", true)]
        [InlineData("virbr0", true)]
        [InlineData("utun3", true)]
        [InlineData("awdl0", true)]
        [InlineData("eth0", false)]
        [InlineData("enp3s0", false)]
        [InlineData("wlp2s0", false)]
        [InlineData("en0", false)]
        public void IsVirtualInterfaceName_SkipsInterfacesWithChangingMacs(string name, bool expected)
        {
            Assert.Equal(expected, Text.IsVirtualInterfaceName(name));
        }

        [Theory]
        [InlineData("Hyper-V Virtual Ethernet Adapter", true)]
        [InlineData("TAP-Windows Adapter V9", true)]
        [InlineData("Intel(R) Ethernet Connection (7) I219-V", false)]
        public void IsVirtualDescription_SpotsSoftwareAdapters(string description, bool expected)
        {
            Assert.Equal(expected, Text.IsVirtualDescription(description));
        }

        [Fact]
        public void ParseKeyValue_ReadsKeyValueLines()
        {
            const string wmic = "\r\r\n\r\r\nProcessorId=BFEBFBFF000906EA\r\r\n\r\r\n\r\r\n";
            Assert.Equal("BFEBFBFF000906EA", Text.ParseKeyValue(wmic, "ProcessorId"));
            Assert.Null(Text.ParseKeyValue("SerialNumber=\r\r\n", "SerialNumber"));
            Assert.Equal("nvme0n1p2", Text.ParseKeyValue("MAJOR=259\nMINOR=2\nDEVNAME=nvme0n1p2\nDEVTYPE=partition\n", "DEVNAME"));
        }

        [Fact]
        public void ParseIoregString_ReadsThePlatformSerial()
        {
            const string ioreg =
                "+-o J314sAP  <class IOPlatformExpertDevice, id 0x100000228, registered, matched, active, busy 0 (207 ms), retain 37>\n" +
                "    {\n" +
                "      \"IOPlatformUUID\" = \"1B2C3D4E-0000-1111-2222-333344445555\"\n" +
                "      \"IOPlatformSerialNumber\" = \"C02ZK1ABMD6R\"\n" +
                "      \"model\" = <\"MacBookPro18,3\">\n" +
                "    }\n";
            Assert.Equal("C02ZK1ABMD6R", Text.ParseIoregString(ioreg, "IOPlatformSerialNumber"));
            Assert.Equal("1B2C3D4E-0000-1111-2222-333344445555", Text.ParseIoregString(ioreg, "IOPlatformUUID"));
            Assert.Null(Text.ParseIoregString(ioreg, "board-id"));
        }

        [Fact]
        public void FirstLine_SkipsBlankLines()
        {
            Assert.Equal("Apple M2", Text.FirstLine("\r\n  \nApple M2\r\nsecond\n"));
            Assert.Null(Text.FirstLine(" \r\n\n"));
        }

        [Fact]
        public void ParseVpdPage80_ReadsTheUnitSerial()
        {
            byte[] page = Vpd80("  WD-WCC4N1234567  ");
            Assert.Equal("WD-WCC4N1234567", Text.ParseVpdPage80(page));

            page[1] = 0x83;
            Assert.Null(Text.ParseVpdPage80(page));
            Assert.Null(Text.ParseVpdPage80(Vpd80("    ")));
            Assert.Null(Text.ParseVpdPage80(new byte[] { 0, 0x80, 0 }));
        }

        [Fact]
        public void FindRootDeviceNumber_TakesTheTopmostRootMount()
        {
            const string mountInfo =
                "22 1 259:2 / / rw,relatime shared:1 - ext4 /dev/nvme0n1p2 rw\n" +
                "23 22 0:21 / /proc rw,nosuid shared:12 - proc proc rw\n" +
                "24 22 259:1 / /boot/efi rw,relatime shared:2 - vfat /dev/nvme0n1p1 rw\n" +
                "90 22 253:0 / / rw,relatime shared:40 - ext4 /dev/mapper/root rw\n";
            Assert.Equal("253:0", Text.FindRootDeviceNumber(mountInfo));
            Assert.Null(Text.FindRootDeviceNumber("23 22 0:21 / /proc rw - proc proc rw\n"));
        }

        internal static byte[] Vpd80(string serial)
        {
            byte[] ascii = Encoding.ASCII.GetBytes(serial);
            var page = new byte[4 + ascii.Length];
            page[1] = 0x80;
            page[3] = (byte)ascii.Length;
            ascii.CopyTo(page, 4);
            return page;
        }
    }
}
