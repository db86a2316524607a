using System;
using System.IO;
using Xunit;

namespace AuthForge.Tests.Fingerprint
{
    /// <summary>
    /// The Linux id of one machine across the things customers plug in and switch on: fake /sys trees recorded from
    /// real machines' layouts (uevent and removable files as the kernel writes them). The whole id must not move.
    /// </summary>
    public sealed class FingerprintPlugTests : IDisposable
    {
        private readonly string _root = Path.Combine(Path.GetTempPath(), "af-plug-" + Guid.NewGuid().ToString("N"));

        public void Dispose()
        {
            try { Directory.Delete(_root, recursive: true); }
            catch (IOException) { }
        }

        // A laptop: built-in Intel Wi-Fi on PCI, an NVMe system disk, and no wired port of its own.
        private const string WifiMac = "8c:c6:81:3a:5b:7d";

        private void File(string relative, string content)
        {
            string path = Path.Combine(_root, relative);
            Directory.CreateDirectory(Path.GetDirectoryName(path)!);
            System.IO.File.WriteAllText(path, content);
        }

        private void Remove(string relative) => Directory.Delete(Path.Combine(_root, relative), recursive: true);

        private void Nic(string name, string address, string assign, string? deviceUevent, string? removable = null, bool wireless = false)
        {
            File($"sys/class/net/{name}/address", address + "\n");
            File($"sys/class/net/{name}/type", "1\n");
            File($"sys/class/net/{name}/addr_assign_type", assign + "\n");
            if (deviceUevent != null) File($"sys/class/net/{name}/device/uevent", deviceUevent);
            if (removable != null) File($"sys/class/net/{name}/device/removable", removable + "\n");
            if (wireless) Directory.CreateDirectory(Path.Combine(_root, $"sys/class/net/{name}/wireless"));
        }

        private const string PciWifiUevent = "DRIVER=iwlwifi\nPCI_CLASS=28000\nPCI_ID=8086:2723\nPCI_SUBSYS=8086:0084\nPCI_SLOT_NAME=0000:00:14.3\nMODALIAS=pci:v00008086d00002723sv00008086sd00000084bc02sc80i00\n";
        private const string PciEthernetUevent = "DRIVER=e1000e\nPCI_CLASS=20000\nPCI_ID=8086:15BC\nPCI_SUBSYS=17AA:2292\nPCI_SLOT_NAME=0000:00:1f.6\nMODALIAS=pci:v00008086d000015BCsv000017AAsd00002292bc02sc00i00\n";
        private const string UsbEthernetUevent = "DEVTYPE=usb_interface\nDRIVER=r8152\nPRODUCT=bda/8153/3100\nTYPE=0/0/0\nINTERFACE=255/255/0\nMODALIAS=usb:v0BDAp8153d3100dc00dsc00dp00icFFiscFFip00in00\n";
        private const string UsbTetherUevent = "DEVTYPE=usb_interface\nDRIVER=rndis_host\nPRODUCT=18d1/4ee4/440\nTYPE=0/0/0\nINTERFACE=224/1/3\nMODALIAS=usb:v18D1p4EE4d0440dc00dsc00dp00icE0isc01ip03in00\n";
        private const string ThunderboltPciUevent = "DRIVER=igc\nPCI_CLASS=20000\nPCI_ID=8086:15F3\nPCI_SUBSYS=8086:0000\nPCI_SLOT_NAME=0000:3c:00.0\n";

        private void Laptop()
        {
            File("proc/cpuinfo", "processor\t: 0\nvendor_id\t: GenuineIntel\ncpu family\t: 6\nmodel\t\t: 140\nmodel name\t: 11th Gen Intel(R) Core(TM) i7-1165G7 @ 2.80GHz\ncpu MHz\t\t: 1190.000\n");
            File("proc/self/mountinfo", "26 1 259:2 / / rw,relatime shared:1 - ext4 /dev/nvme0n1p2 rw\n");
            File("sys/dev/block/259:2/uevent", "MAJOR=259\nMINOR=2\nDEVNAME=nvme0n1p2\nDEVTYPE=partition\n");
            Directory.CreateDirectory(Path.Combine(_root, "sys/block/nvme0n1/nvme0n1p2"));
            File("sys/block/nvme0n1/device/serial", "S4EWNX0R123456\n");
            Nic("lo", "00:00:00:00:00:00", "0", null);
            Nic("wlp0s20f3", WifiMac, "0", PciWifiUevent, wireless: true);
        }

        private string Id()
        {
            var probe = new HardwareFingerprint.LinuxProbe(_root);
            return HardwareFingerprint.Compose(probe.ReadMac(), probe.ReadCpu(), probe.ReadDisk());
        }

        private string Mac() => new HardwareFingerprint.LinuxProbe(_root).ReadMac()!;

        [Fact]
        public void UsbEthernetDock_PluggedAndUnplugged_KeepsTheId()
        {
            Laptop();
            string before = Id();
            Assert.Equal(WifiMac, Mac());

            // The dock's USB NIC has a burned-in address lower than the Wi-Fi's: only the bus rule keeps it out.
            Nic("enx00e04c680001", "00:e0:4c:68:00:01", "0", UsbEthernetUevent);
            Assert.Equal(before, Id());

            Remove("sys/class/net/enx00e04c680001");
            Assert.Equal(before, Id());
        }

        [Fact]
        public void ThunderboltDockWithAPciNic_PluggedAndUnplugged_KeepsTheId()
        {
            Laptop();
            string before = Id();

            // A Thunderbolt dock's NIC is a PCI device; the kernel marks it removable (external port).
            Nic("enp60s0", "00:1b:21:aa:00:01", "0", ThunderboltPciUevent, removable: "removable");
            Assert.Equal(before, Id());

            Remove("sys/class/net/enp60s0");
            Assert.Equal(before, Id());
        }

        [Fact]
        public void PhoneUsbTethering_WithANewAddressEachTime_KeepsTheId()
        {
            Laptop();
            string before = Id();

            // Android's RNDIS gadget makes up an address per connection; the kernel still calls it permanent (0).
            foreach (string address in new[] { "02:11:22:33:44:55", "00:01:02:03:04:05", "ce:7a:10:9e:22:01" })
            {
                Nic("usb0", address, "0", UsbTetherUevent);
                Assert.Equal(before, Id());
                Remove("sys/class/net/usb0");
            }
            Assert.Equal(before, Id());
        }

        [Fact]
        public void RandomisedWifi_SetByNetworkManager_IsNeverTheMac()
        {
            Laptop();
            Nic("enp0s31f6", "f8:75:a4:00:00:10", "0", PciEthernetUevent);
            string before = Id();
            Assert.Equal("8c:c6:81:3a:5b:7d", Mac());

            // NetworkManager's "random"/"stable" cloned MAC: addr_assign_type 3, a lower address, changes per network.
            Nic("wlp0s20f3", "02:00:00:00:00:01", "3", PciWifiUevent, wireless: true);
            Assert.Equal("f8:75:a4:00:00:10", Mac());
            Nic("wlp0s20f3", "0a:00:00:00:00:01", "1", PciWifiUevent, wireless: true);   // kernel-random (1)
            Assert.Equal("f8:75:a4:00:00:10", Mac());

            Nic("wlp0s20f3", WifiMac, "0", PciWifiUevent, wireless: true);
            Assert.Equal(before, Id());
        }

        [Fact]
        public void WifiOnlyLaptop_RandomisedPerNetwork_KeepsTheId()
        {
            Laptop();
            string before = Id();
            // The burned-in address as ETHTOOL_GPERMADDR answers it, whatever the current address is.
            Func<string, string?> ethtool = name => name == "wlp0s20f3" ? WifiMac : null;
            Assert.Equal(before, IdWith(ethtool));

            string? withoutEthtool = null;
            foreach (string random in new[] { "02:1a:2b:3c:4d:5e", "0e:00:11:22:33:44", "b6:00:00:00:00:09" })
            {
                // NetworkManager gives each network its own address (addr_assign_type 3, and 3 it stays until reboot).
                Nic("wlp0s20f3", random, "3", PciWifiUevent, wireless: true);
                Assert.Equal(before, IdWith(ethtool));
                // Where ethtool can't answer, a randomised address is never used: the id goes without a MAC, steadily.
                string id = Id();
                withoutEthtool ??= id;
                Assert.Equal(withoutEthtool, id);
            }
        }

        private string IdWith(Func<string, string?> ethtool)
        {
            var probe = new HardwareFingerprint.LinuxProbe(_root, ethtool);
            return HardwareFingerprint.Compose(probe.ReadMac(), probe.ReadCpu(), probe.ReadDisk());
        }

        [Fact]
        public void WiredAndWireless_AreRankedAlike_SoAnEthernetLinkComingUpChangesNothing()
        {
            Laptop();
            Nic("enp0s31f6", "f8:75:a4:00:00:10", "0", PciEthernetUevent);
            string withCableOut = Id();
            File("sys/class/net/enp0s31f6/operstate", "up\n");
            File("sys/class/net/enp0s31f6/carrier", "1\n");
            Assert.Equal(withCableOut, Id());
            // The lower of the two built-in addresses wins, whichever medium it is.
            Assert.Equal("8c:c6:81:3a:5b:7d", Mac());
        }

        [Fact]
        public void Container_IdIsBoundToTheHostsCpuAndDisk_NotToTheContainersMadeUpMac()
        {
            // Docker: an overlay root, eth0 a veth end without a device (address set by Docker), the host's disks in /sys/block.
            File("proc/cpuinfo", "processor\t: 0\nvendor_id\t: AuthenticAMD\nmodel name\t: AMD EPYC 7B13 64-Core Processor\n");
            File("proc/self/mountinfo", "512 480 0:61 / / rw,relatime master:1 - overlay overlay rw,lowerdir=/var/lib/docker/overlay2/l/X\n");
            File("sys/block/sda/device/serial", "HOST-DISK-0001\n");
            File("sys/block/sda/removable", "0\n");
            Nic("lo", "00:00:00:00:00:00", "0", null);
            Nic("eth0", "02:42:ac:11:00:02", "3", null);
            var probe = new HardwareFingerprint.LinuxProbe(_root);
            Assert.Null(probe.ReadMac());
            Assert.Equal("HOST-DISK-0001", probe.ReadDisk());
            probe.ReadCpu();
            Assert.Equal("mac=none cpu=cpuinfo disk=first-fixed-disk", probe.Sources);
            string first = Id();

            // The next `docker run` gets another address: the id stays.
            Nic("eth0", "02:42:ac:11:00:07", "3", null);
            Assert.Equal(first, Id());
        }

        // ---- Thunderbolt in the real sysfs layout: /sys/class/net/X is a link into /sys/devices, "device" a link up ----

        /// <summary>
        /// An interface as the kernel lays it out: the device directory at <paramref name="devicePath"/> under
        /// sys/devices, the interface below it in net/, and the class entry and "device" as symbolic links.
        /// </summary>
        private void LinkedNic(string name, string address, string devicePath, string deviceUevent)
        {
            string device = Path.Combine(_root, "sys/devices", devicePath);
            string iface = Path.Combine(device, "net", name);
            Directory.CreateDirectory(iface);
            System.IO.File.WriteAllText(Path.Combine(device, "uevent"), deviceUevent);
            System.IO.File.WriteAllText(Path.Combine(iface, "address"), address + "\n");
            System.IO.File.WriteAllText(Path.Combine(iface, "type"), "1\n");
            System.IO.File.WriteAllText(Path.Combine(iface, "addr_assign_type"), "0\n");
            Directory.CreateSymbolicLink(Path.Combine(iface, "device"), "../../../" + Path.GetFileName(devicePath));
            Directory.CreateDirectory(Path.Combine(_root, "sys/class/net"));
            Directory.CreateSymbolicLink(Path.Combine(_root, "sys/class/net", name), Path.Combine("../../devices", devicePath, "net", name));
        }

        private void DeviceAttribute(string devicePath, string attribute, string content) =>
            File(Path.Combine("sys/devices", devicePath, attribute), content);

        // The laptop's Thunderbolt 4 root port, then a dock's PCIe switch (upstream port, one downstream port) and its I225.
        private const string TbRootPort = "pci0000:00/0000:00:07.0";
        private const string TbDockUpstream = TbRootPort + "/0000:3a:00.0";
        private const string TbDockDownstream = TbDockUpstream + "/0000:3b:01.0";
        private const string TbDockNic = TbDockDownstream + "/0000:3c:00.0";
        private const string PciBridgeUevent = "DRIVER=pcieport\nPCI_CLASS=60400\nPCI_ID=8086:15EF\nPCI_SUBSYS=0000:0000\n";

        [Fact]
        public void ThunderboltDock_FlaggedRemovableOnItsBridgesOnly_KeepsTheId()
        {
            Laptop();
            string before = Id();

            // The kernel marks removable what sits behind an external-facing port; here the NIC's own attribute is
            // missing (a driver that never registered it) but the dock's bridges above it carry it.
            LinkedNic("enp60s0", "00:1b:21:d4:4e:90", TbDockNic, ThunderboltPciUevent);
            DeviceAttribute(TbRootPort, "removable", "fixed\n");
            DeviceAttribute(TbDockUpstream, "uevent", PciBridgeUevent);
            DeviceAttribute(TbDockUpstream, "removable", "removable\n");
            DeviceAttribute(TbDockDownstream, "uevent", PciBridgeUevent);
            DeviceAttribute(TbDockDownstream, "removable", "removable\n");

            Assert.Equal(WifiMac, Mac());
            Assert.Equal(before, Id());
        }

        [Fact]
        public void ThunderboltDock_FlaggedRemovableOnTheNicAsWell_KeepsTheId()
        {
            Laptop();
            string before = Id();
            LinkedNic("enp60s0", "00:1b:21:d4:4e:90", TbDockNic, ThunderboltPciUevent);
            DeviceAttribute(TbRootPort, "removable", "fixed\n");
            DeviceAttribute(TbDockUpstream, "removable", "removable\n");
            DeviceAttribute(TbDockDownstream, "removable", "removable\n");
            DeviceAttribute(TbDockNic, "removable", "removable\n");

            Assert.Equal(WifiMac, Mac());
            Assert.Equal(before, Id());
        }

        [Fact]
        public void ThunderboltNetworkingToAnotherComputer_UnderAThunderboltDomain_KeepsTheId()
        {
            Laptop();
            string before = Id();

            // A Thunderbolt cable to another computer: thunderbolt-net's interface hangs off a Thunderbolt service in
            // the domain of the laptop's Thunderbolt controller; its address (made up from the link) sorts first.
            const string Nhi = "pci0000:00/0000:00:0d.2";
            const string Service = Nhi + "/domain0/0-0/0-1/0-1.0";
            LinkedNic("thunderbolt0", "02:5a:11:c3:8e:01", Service, "DRIVER=thunderbolt-net\nDEVTYPE=thunderbolt_service\nMODALIAS=tbsvc:knetworkp00000001v00000001r00000001\n");
            DeviceAttribute(Nhi + "/domain0", "uevent", "DEVTYPE=thunderbolt_domain\n");
            DeviceAttribute(Nhi + "/domain0/0-0", "uevent", "DEVTYPE=thunderbolt_device\n");
            DeviceAttribute(Nhi + "/domain0/0-0/0-1", "uevent", "DEVTYPE=thunderbolt_xdomain\n");

            Assert.Equal(WifiMac, Mac());
            Assert.Equal(before, Id());
        }

        [Fact]
        public void ABuiltInNicInTheRealLayout_StaysBuiltIn()
        {
            // The walk up stops at /sys/devices and only a "removable" or a Thunderbolt parent makes a NIC attached:
            // an on-board NIC whose root port says "fixed" keeps its rank (and, with the lower address, wins).
            Laptop();
            LinkedNic("enp0s31f6", "00:1b:21:00:00:01", "pci0000:00/0000:00:1f.6", PciEthernetUevent);
            DeviceAttribute("pci0000:00/0000:00:1f.6", "removable", "fixed\n");
            Assert.Equal("00:1b:21:00:00:01", Mac());
        }
    }
}
