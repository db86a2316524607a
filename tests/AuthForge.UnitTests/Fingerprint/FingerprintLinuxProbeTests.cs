using System;
using System.IO;
using Xunit;

namespace AuthForge.Tests.Fingerprint
{
    /// <summary>The Linux probe against fake /sys, /proc and /dev trees built in a temporary directory.</summary>
    public sealed class FingerprintLinuxProbeTests : IDisposable
    {
        private readonly string _root = Path.Combine(Path.GetTempPath(), "af-fp-" + Guid.NewGuid().ToString("N"));

        public void Dispose()
        {
            try { Directory.Delete(_root, recursive: true); }
            catch (IOException) { }
        }

        private void File(string relative, string content)
        {
            string path = Path.Combine(_root, relative);
            Directory.CreateDirectory(Path.GetDirectoryName(path)!);
            System.IO.File.WriteAllText(path, content);
        }

        private void Bytes(string relative, byte[] content)
        {
            string path = Path.Combine(_root, relative);
            Directory.CreateDirectory(Path.GetDirectoryName(path)!);
            System.IO.File.WriteAllBytes(path, content);
        }

        private void Dir(string relative) => Directory.CreateDirectory(Path.Combine(_root, relative));

        private void Nic(string name, string address, string type = "1", string assign = "0", bool physical = false, bool wireless = false)
        {
            File($"sys/class/net/{name}/address", address + "\n");
            File($"sys/class/net/{name}/type", type + "\n");
            File($"sys/class/net/{name}/addr_assign_type", assign + "\n");
            if (physical) Dir($"sys/class/net/{name}/device");
            if (wireless) Dir($"sys/class/net/{name}/wireless");
        }

        [Fact]
        public void ReadMac_SkipsVirtualRandomAndNonEthernetInterfaces_WiredAndWirelessAlike()
        {
            Nic("lo", "00:00:00:00:00:00", type: "772");
            Nic("docker0", "02:42:ac:11:00:01");
            Nic("veth0a1b2c", "0a:11:22:33:44:55");
            Nic("br0", "0a:00:00:00:00:01");
            Nic("bond0", "0a:00:00:00:00:02", physical: false);
            Nic("eno1", "0a:00:00:00:00:03", assign: "1", physical: true);   // random address: changes every boot
            Nic("enp0s1", "0a:00:00:00:00:04", type: "32", physical: true);  // not Ethernet
            Nic("wlp2s0", "AA:BB:CC:00:11:23", physical: true, wireless: true);
            Nic("enp3s0", "AA:BB:CC:00:11:22", physical: true);
            Nic("wlan1", "0a:00:00:00:00:06", assign: "3", physical: true, wireless: true); // randomised by NetworkManager

            Assert.Equal("aa:bb:cc:00:11:22", new HardwareFingerprint.LinuxProbe(_root).ReadMac());
        }

        [Fact]
        public void ReadMac_InterfacesWithoutADevice_AreNeverCandidates()
        {
            // A container's view: its eth0 is a veth end with an address Docker made up for this container only.
            Nic("lo", "00:00:00:00:00:00", type: "772");
            Nic("eth1", "0a:00:00:00:00:02");
            Nic("eth0", "02:42:ac:11:00:02", assign: "3");
            Nic("bond0", "0a:00:00:00:00:01", assign: "2");

            Assert.Null(new HardwareFingerprint.LinuxProbe(_root).ReadMac());
        }

        [Fact]
        public void ReadMac_NoUsableInterface_IsNull()
        {
            Nic("lo", "00:00:00:00:00:00", type: "772");
            Assert.Null(new HardwareFingerprint.LinuxProbe(_root).ReadMac());
            Assert.Null(new HardwareFingerprint.LinuxProbe(Path.Combine(_root, "missing")).ReadMac());
        }

        [Fact]
        public void ReadCpu_ReadsProcCpuinfo()
        {
            File("proc/cpuinfo", "processor\t: 0\nvendor_id\t: AuthenticAMD\nmodel name\t: AMD Ryzen 7 5800X 8-Core Processor\ncpu MHz\t: 3800.000\n");
            Assert.Equal("vendor_id=AuthenticAMD;model name=AMD Ryzen 7 5800X 8-Core Processor", new HardwareFingerprint.LinuxProbe(_root).ReadCpu());
        }

        [Fact]
        public void ReadDisk_FollowsTheRootPartitionToItsDisk()
        {
            File("proc/self/mountinfo", "22 1 259:2 / / rw,relatime shared:1 - ext4 /dev/nvme0n1p2 rw\n");
            File("sys/dev/block/259:2/uevent", "MAJOR=259\nMINOR=2\nDEVNAME=nvme0n1p2\nDEVTYPE=partition\n");
            Dir("sys/block/nvme0n1/nvme0n1p2");
            File("sys/block/nvme0n1/device/serial", "  S4EWNX0R123456  \n");
            File("sys/block/loop0/serial", "LOOP\n");
            File("sys/block/aaa/serial", "FIRST-BY-NAME\n");

            var probe = new HardwareFingerprint.LinuxProbe(_root);
            Assert.Equal("nvme0n1", probe.FindRootDisk());
            Assert.Equal("S4EWNX0R123456", probe.ReadDisk());
        }

        [Fact]
        public void ReadDisk_FollowsDeviceMapperSlaves_AndReadsVpdPage80()
        {
            File("proc/self/mountinfo", "90 1 253:1 / / rw - ext4 /dev/mapper/vg-root rw\n");
            File("sys/dev/block/253:1/uevent", "DEVNAME=dm-1\n");
            Dir("sys/block/dm-1/slaves/dm-0");
            Dir("sys/block/dm-0/slaves/sdb3");
            Dir("sys/block/sdb/sdb3");
            Bytes("sys/block/sdb/device/vpd_pg80", FingerprintTextTests.Vpd80("  WD-WCC4N1234567"));
            File("sys/block/sda/device/serial", "OTHER-DISK\n");

            Assert.Equal("WD-WCC4N1234567", new HardwareFingerprint.LinuxProbe(_root).ReadDisk());
        }

        [Fact]
        public void ReadDisk_OverlayRoot_ScansRealNonRemovableDisksByName()
        {
            File("proc/self/mountinfo", "500 400 0:52 / / rw - overlay overlay rw\n");
            File("sys/block/loop0/serial", "LOOP\n");
            File("sys/block/ram0/serial", "RAM\n");
            File("sys/block/zram0/serial", "ZRAM\n");
            File("sys/block/dm-0/serial", "DM\n");
            File("sys/block/sda/serial", "\n");                          // blank: no id, try the next disk
            File("sys/block/sdb/removable", "1\n");
            File("sys/block/sdb/device/serial", "USB-STICK\n");
            File("sys/block/sdc/removable", "0\n");
            File("sys/block/sdc/device/wwid", "naa.5000c500a1b2c3d4\n");
            File("sys/block/vda/serial", "VIRTIO-LATER\n");

            Assert.Equal("naa.5000c500a1b2c3d4", new HardwareFingerprint.LinuxProbe(_root).ReadDisk());
        }

        [Fact]
        public void ReadDisk_LastResort_IsTheFirstWholeDiskNameInDevDiskById()
        {
            Dir("sys/block/sda");
            File("dev/disk/by-id/ata-A_SSD_SERIAL1-part1", "");
            File("dev/disk/by-id/ata-B_SSD_SERIAL2", "");
            File("dev/disk/by-id/usb-Stick_123", "");
            File("dev/disk/by-id/wwn-0x5000c500a1b2c3d4", "");

            Assert.Equal("ata-B_SSD_SERIAL2", new HardwareFingerprint.LinuxProbe(_root).ReadDisk());
        }

        [Fact]
        public void ReadDisk_NothingReadable_IsNull()
        {
            Dir("sys/block/loop0");
            Assert.Null(new HardwareFingerprint.LinuxProbe(_root).ReadDisk());
        }
    }
}
