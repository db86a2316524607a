using System;
using System.Collections.Generic;
using System.Text;
using Xunit;
using Xunit.Abstractions;
using Text = AuthForge.Internal.HardwareFingerprint.HardwareText;

namespace AuthForge.Tests.Fingerprint
{
    /// <summary>
    /// The Windows probe against recorded answers of the registry, GetIfTable2, GetSystemFirmwareTable('RSMB') and
    /// the disk IOCTLs (a laptop's values, and what Wine answers), so every rule runs on Linux too; the real calls run
    /// under Wine in .ci/wine.sh.
    /// </summary>
    public class FingerprintWindowsTests
    {
        private readonly ITestOutputHelper _output;

        public FingerprintWindowsTests(ITestOutputHelper output) => _output = output;

        private static readonly Guid s_wifiGuid = new Guid("5a1e7c2b-0d3f-4e5a-9b8c-112233445566");
        private static readonly Guid s_ethernetGuid = new Guid("0c9d8e7f-6a5b-4c3d-2e1f-aabbccddeeff");
        private static readonly Guid s_dockGuid = new Guid("7f6e5d4c-3b2a-4190-8a7b-6c5d4e3f2a1b");
        private const string NetworkKey = @"SYSTEM\CurrentControlSet\Control\Network\{4D36E972-E325-11CE-BFC1-08002BE10318}\";
        private const string CpuKey = @"HARDWARE\DESCRIPTION\System\CentralProcessor\0";

        // ---- recorded-answer builders ----

        /// <summary>One MIB_IF_ROW2 laid out as netioapi.h defines it.</summary>
        internal static byte[] IfRow(Guid guid, string description, string? current, string? permanent, int ifType = 6,
            int medium = 0, bool hardware = true, bool filter = false)
        {
            var row = new byte[Text.IfRow2Size];
            BitConverter.GetBytes(0x0006000001000000UL).CopyTo(row, 0);  // a LUID
            BitConverter.GetBytes(7).CopyTo(row, 8);                      // InterfaceIndex
            guid.ToByteArray().CopyTo(row, 12);
            Encoding.Unicode.GetBytes("Ethernet 2").CopyTo(row, 28);      // Alias
            Encoding.Unicode.GetBytes(description).CopyTo(row, 542);
            BitConverter.GetBytes(6).CopyTo(row, 1056);
            if (current != null) MacBytes(current).CopyTo(row, 1060);
            if (permanent != null) MacBytes(permanent).CopyTo(row, 1092);
            BitConverter.GetBytes(1500).CopyTo(row, 1124);
            BitConverter.GetBytes(ifType).CopyTo(row, 1128);
            BitConverter.GetBytes(medium).CopyTo(row, 1140);
            row[1152] = (byte)((hardware ? 0x01 : 0) | (filter ? 0x02 : 0) | 0x04);
            BitConverter.GetBytes(1).CopyTo(row, 1156);                   // OperStatus up
            return row;
        }

        private static byte[] MacBytes(string mac)
        {
            string[] parts = mac.Split(':');
            var bytes = new byte[6];
            for (int i = 0; i < 6; i++) bytes[i] = Convert.ToByte(parts[i], 16);
            return bytes;
        }

        /// <summary>A RawSMBIOSData buffer: BIOS (type 0) with strings, System (type 1) with the UUID, end (127).</summary>
        internal static byte[] Smbios(byte[] uuid, byte major = 3, byte minor = 4, bool withSystem = true)
        {
            var table = new List<byte>();
            // Type 0, length 0x18, handle 0, then two strings.
            table.AddRange(new byte[] { 0, 0x18, 0, 0, 1, 2, 0, 0xF0, 3, 0x0F, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0 });
            table.AddRange(Encoding.ASCII.GetBytes("LENOVO\0N2IET99W (1.77 )\0\0"));
            if (withSystem)
            {
                var system = new byte[0x1B];
                system[0] = 1; system[1] = 0x1B; system[2] = 1; system[4] = 1; system[5] = 2; system[6] = 3; system[7] = 4;
                uuid.CopyTo(system, 8);
                system[24] = 6;
                table.AddRange(system);
                table.AddRange(Encoding.ASCII.GetBytes("LENOVO\020XW0055GE\0ThinkPad X1\0PF1ABCDE\0\0"));
            }
            table.AddRange(new byte[] { 127, 4, 0xFF, 0xFE, 0, 0 });
            var raw = new byte[8 + table.Count];
            raw[0] = 0; raw[1] = major; raw[2] = minor; raw[3] = 0;
            BitConverter.GetBytes(table.Count).CopyTo(raw, 4);
            table.CopyTo(raw, 8);
            return raw;
        }

        // The UUID wmic/PowerShell show as 4C4C4544-0042-3510-8052-B4C04F4E3332 (SMBIOS 2.6+ stores fields 1-3 little-endian).
        internal static readonly byte[] DellUuid =
            { 0x44, 0x45, 0x4C, 0x4C, 0x42, 0x00, 0x10, 0x35, 0x80, 0x52, 0xB4, 0xC0, 0x4F, 0x4E, 0x33, 0x32 };

        private static byte[] StorageDescriptor(string? serial)
        {
            var d = new byte[128];
            BitConverter.GetBytes(1).CopyTo(d, 0);
            BitConverter.GetBytes(128).CopyTo(d, 4);
            BitConverter.GetBytes(40).CopyTo(d, 12);     // vendor
            BitConverter.GetBytes(48).CopyTo(d, 16);     // product
            BitConverter.GetBytes(0).CopyTo(d, 20);
            BitConverter.GetBytes(serial == null ? 0 : 80).CopyTo(d, 24);
            BitConverter.GetBytes(17).CopyTo(d, 28);     // BusTypeNvme
            Encoding.ASCII.GetBytes("Samsung\0").CopyTo(d, 40);
            Encoding.ASCII.GetBytes("SSD 980\0").CopyTo(d, 48);
            if (serial != null) Encoding.ASCII.GetBytes(serial + "\0").CopyTo(d, 80);
            return d;
        }

        private static byte[] DiskExtents(int diskNumber)
        {
            var e = new byte[32];
            BitConverter.GetBytes(1).CopyTo(e, 0);
            BitConverter.GetBytes(diskNumber).CopyTo(e, 8);
            BitConverter.GetBytes(1048576L).CopyTo(e, 16);
            BitConverter.GetBytes(511000000000L).CopyTo(e, 24);
            return e;
        }

        /// <summary>Recorded answers; every device path asked is logged.</summary>
        private sealed class FakeWindows : HardwareFingerprint.IWindowsSystem
        {
            public readonly Dictionary<string, string> Registry = new Dictionary<string, string>(StringComparer.OrdinalIgnoreCase);
            public readonly List<byte[]> Rows = new List<byte[]>();
            public readonly Dictionary<string, byte[]> Ioctls = new Dictionary<string, byte[]>();
            public readonly List<string> Asked = new List<string>();
            public byte[]? Rsmb;

            public string? WindowsDirectory { get; set; } = @"C:\Windows";

            public string? ReadLocalMachineString(string subKey, string valueName)
                => Registry.TryGetValue(subKey + "|" + valueName, out string? v) ? v : null;

            public byte[]? ReadFirmwareTable(uint provider, uint tableId)
                => provider == HardwareFingerprint.WindowsProbe.RsmbProvider ? Rsmb : null;

            public byte[]? DeviceIoControl(string devicePath, uint controlCode, byte[]? input, int outputSize, out int returned)
            {
                string key = devicePath + "|" + controlCode.ToString("X8");
                Asked.Add(key);
                if (Ioctls.TryGetValue(key, out byte[]? answer))
                {
                    returned = answer.Length;
                    return answer;
                }
                returned = 0;
                return null;
            }

            public IReadOnlyList<byte[]> InterfaceRows() => Rows;

            /// <summary>The device tree: instance id → (parent id, DN_* status, container id or null).</summary>
            public readonly Dictionary<string, (string? Parent, uint Status, Guid? Container)> Tree =
                new Dictionary<string, (string?, uint, Guid?)>(StringComparer.OrdinalIgnoreCase);

            /// <summary>False answers every device-tree call "unknown", as an empty tree would.</summary>
            public bool HasContainers { get; set; } = true;

            public Guid? DeviceContainer(string instanceId)
                => HasContainers && Tree.TryGetValue(instanceId, out var node) ? node.Container : null;

            public uint? DeviceStatus(string instanceId) => Tree.TryGetValue(instanceId, out var node) ? node.Status : (uint?)null;

            public string? DeviceParent(string instanceId) => Tree.TryGetValue(instanceId, out var node) ? node.Parent : null;

            public void Pnp(Guid guid, string id) => Registry[NetworkKey + guid.ToString("B").ToUpperInvariant() + @"\Connection|PnPInstanceId"] = id;
        }

        /// <summary>A ThinkPad's answers: Intel Wi-Fi (random hardware addresses on), Intel I219 Ethernet, the filter and virtual rows Windows lists.</summary>
        private static FakeWindows Laptop()
        {
            var w = new FakeWindows();
            w.Registry[CpuKey + "|ProcessorNameString"] = "11th Gen Intel(R) Core(TM) i7-1165G7 @ 2.80GHz";
            w.Registry[CpuKey + "|Identifier"] = "Intel64 Family 6 Model 140 Stepping 1";
            w.Registry[@"SOFTWARE\Microsoft\Cryptography|MachineGuid"] = "A1B2C3D4-1111-2222-3333-444455556666";
            w.Rsmb = Smbios(DellUuid);
            w.Ioctls[@"\\.\C:|00560000"] = DiskExtents(1);
            w.Ioctls[@"\\.\PhysicalDrive1|002D1400"] = StorageDescriptor("0025_38B2_21B0_5E2A.");

            // Wi-Fi: the current address is Windows' per-network random one; the burned-in address is permanent.
            w.Rows.Add(IfRow(s_wifiGuid, "Intel(R) Wi-Fi 6 AX201 160MHz", current: "7a:3f:11:22:33:44", permanent: "8c:c6:81:3a:5b:7d", ifType: 71, medium: 9));
            w.Pnp(s_wifiGuid, @"PCI\VEN_8086&DEV_A0F0&SUBSYS_02748086&REV_20\3&11583659&0&A3");
            w.Rows.Add(IfRow(s_ethernetGuid, "Intel(R) Ethernet Connection (13) I219-V", current: "f8:75:a4:00:00:10", permanent: "f8:75:a4:00:00:10"));
            w.Pnp(s_ethernetGuid, @"PCI\VEN_8086&DEV_15FC&SUBSYS_22B617AA&REV_20\3&11583659&0&FE");
            BuiltInTree(w);
            w.Tree[@"PCI\VEN_8086&DEV_A0F0&SUBSYS_02748086&REV_20\3&11583659&0&A3"] = (HostBridge, Started, Machine);
            w.Tree[@"PCI\VEN_8086&DEV_15FC&SUBSYS_22B617AA&REV_20\3&11583659&0&FE"] = (HostBridge, Started, Machine);
            // The filter drivers' copies of the Wi-Fi row, a Hyper-V switch, a VPN, Bluetooth PAN and the loopback.
            w.Rows.Add(IfRow(Guid.NewGuid(), "Intel(R) Wi-Fi 6 AX201 160MHz-WFP Native MAC Layer LightWeight Filter-0000", "7a:3f:11:22:33:44", "8c:c6:81:3a:5b:7d", 71, filter: true, hardware: false));
            w.Rows.Add(IfRow(Guid.NewGuid(), "Hyper-V Virtual Ethernet Adapter", "00:15:5d:01:02:03", "00:15:5d:01:02:03", hardware: false));
            w.Rows.Add(IfRow(Guid.NewGuid(), "Wintun Userspace Tunnel", null, null, ifType: 53, hardware: false));
            var bt = Guid.NewGuid();
            w.Rows.Add(IfRow(bt, "Bluetooth Device (Personal Area Network)", "00:00:00:00:00:07", "00:00:00:00:00:07", medium: 10));
            w.Pnp(bt, @"BTH\MS_BTHPAN\7&1E2B6C1&0&2");
            w.Rows.Add(IfRow(Guid.NewGuid(), "Software Loopback Interface 1", null, null, ifType: 24, hardware: false));
            return w;
        }

        // ---- the device tree: what cfgmgr32 answers on a laptop, docked and undocked ----

        private static readonly Guid Machine = HardwareFingerprint.WindowsProbe.MachineContainer;
        // DN_DRIVER_LOADED | DN_STARTED | DN_DISABLEABLE | DN_NT_ENUMERATOR | DN_NT_DRIVER: a running device.
        private const uint Started = 0x0180200A;
        private const uint Removable = Started | HardwareFingerprint.WindowsProbe.DnRemovable;
        private const string HostBridge = @"ACPI\PNP0A08\0";
        private const string Tb4RootPort = @"PCI\VEN_8086&DEV_9A25&SUBSYS_0A7A1028&REV_01\3&11583659&0&3A";
        private const string XhciController = @"PCI\VEN_8086&DEV_A0ED&SUBSYS_0A7A1028&REV_20\3&11583659&0&A0";
        private const string UsbRootHub = @"USB\ROOT_HUB30\4&2A9B3C1D&0&0";

        /// <summary>The root of the tree down to the PCI host bridge, its Thunderbolt 4 root port and its xHCI controller.</summary>
        private static void BuiltInTree(FakeWindows w)
        {
            w.Tree[@"HTREE\ROOT\0"] = (null, Started, Machine);
            w.Tree[@"ROOT\ACPI_HAL\0000"] = (@"HTREE\ROOT\0", Started, Machine);
            w.Tree[@"ACPI_HAL\PNP0C08\0"] = (@"ROOT\ACPI_HAL\0000", Started, Machine);
            w.Tree[HostBridge] = (@"ACPI_HAL\PNP0C08\0", Started, Machine);
            w.Tree[Tb4RootPort] = (HostBridge, Started, Machine);
            w.Tree[XhciController] = (HostBridge, Started, Machine);
            w.Tree[UsbRootHub] = (XhciController, Started, Machine);
        }

        private const string WifiOnlyMac = "f0:9e:4a:5c:21:07";
        private static readonly Guid s_laptopWifiGuid = new Guid("3b0c1d2e-4f50-4617-8293-a4b5c6d7e8f9");
        private const string LaptopWifiPnp = @"PCI\VEN_8086&DEV_A0F0&SUBSYS_00748086&REV_20\3&11583659&0&A3";

        /// <summary>A Dell XPS 13 (9310): Intel Wi-Fi 6 AX201 and no wired port of its own; Windows' per-network random
        /// address on; a Hyper-V switch and the Wi-Fi's filter rows as Windows lists them.</summary>
        private static FakeWindows WifiOnlyLaptop()
        {
            var w = new FakeWindows();
            w.Registry[CpuKey + "|ProcessorNameString"] = "11th Gen Intel(R) Core(TM) i7-1185G7 @ 3.00GHz";
            w.Registry[CpuKey + "|Identifier"] = "Intel64 Family 6 Model 140 Stepping 1";
            w.Registry[@"SOFTWARE\Microsoft\Cryptography|MachineGuid"] = "0f1e2d3c-4b5a-6978-8796-a5b4c3d2e1f0";
            w.Rsmb = Smbios(DellUuid);
            w.Rows.Add(IfRow(s_laptopWifiGuid, "Intel(R) Wi-Fi 6 AX201 160MHz", current: "9a:4d:2b:11:07:3c", permanent: WifiOnlyMac, ifType: 71, medium: 9));
            w.Pnp(s_laptopWifiGuid, LaptopWifiPnp);
            w.Rows.Add(IfRow(Guid.NewGuid(), "Intel(R) Wi-Fi 6 AX201 160MHz-WFP 802.3 MAC Layer LightWeight Filter-0000", "9a:4d:2b:11:07:3c", WifiOnlyMac, 71, filter: true, hardware: false));
            w.Rows.Add(IfRow(Guid.NewGuid(), "Hyper-V Virtual Ethernet Adapter", "00:15:5d:01:02:03", "00:15:5d:01:02:03", hardware: false));
            BuiltInTree(w);
            w.Tree[LaptopWifiPnp] = (HostBridge, Started, Machine);
            return w;
        }

        private static readonly Guid s_tbNicGuid = new Guid("9d8c7b6a-5f4e-4d3c-2b1a-0f9e8d7c6b5a");
        private static readonly Guid s_usbNicGuid = new Guid("1a2b3c4d-5e6f-4a8b-9c0d-e1f2a3b4c5d6");
        private const string TbDockUpstream = @"PCI\VEN_8086&DEV_15EF&SUBSYS_00000000&REV_06\5&1C3D8E6F&0&0000D8";
        private const string TbDockDownstream = @"PCI\VEN_8086&DEV_15EF&SUBSYS_00000000&REV_06\6&2B8F3C5A&0&000000D8";
        private const string TbDockNic = @"PCI\VEN_8086&DEV_15F3&SUBSYS_00008086&REV_03\7&3AF2B1C9&0&00000000D8";
        private const string UsbCNic = @"USB\VID_0BDA&PID_8156\401000001";

        /// <summary>
        /// A Thunderbolt dock (Dell WD19TB): its PCIe switch hangs off the laptop's Thunderbolt 4 root port. The PCI bus
        /// reports the switch's upstream port removable, so Windows gives it a container of its own, which the
        /// switch's downstream port and the dock's Intel I225 Ethernet (a PCI\ id, lower address than the Wi-Fi's)
        /// inherit; the NIC itself is not flagged removable.
        /// </summary>
        private static void DockThunderbolt(FakeWindows w)
        {
            var dock = new Guid("6f3e2d1c-0b9a-5887-a6b5-c4d3e2f1a0b9");
            w.Tree[TbDockUpstream] = (Tb4RootPort, Removable, dock);
            w.Tree[TbDockDownstream] = (TbDockUpstream, Started, dock);
            w.Tree[TbDockNic] = (TbDockDownstream, Started, dock);
            w.Rows.Insert(0, IfRow(s_tbNicGuid, "Intel(R) Ethernet Controller (3) I225-LM", "00:1b:21:d4:4e:90", "00:1b:21:d4:4e:90"));
            w.Pnp(s_tbNicGuid, TbDockNic);
        }

        /// <summary>A USB-C Ethernet adapter (Realtek RTL8156) on the laptop's own port: removable, a container of its own.</summary>
        private static void DockUsbC(FakeWindows w)
        {
            w.Tree[UsbCNic] = (UsbRootHub, Removable, new Guid("0e1d2c3b-4a59-5678-8796-a5b4c3d2e1f0"));
            w.Rows.Add(IfRow(s_usbNicGuid, "Realtek USB 2.5GbE Family Controller", "00:e0:4c:68:0a:1c", "00:e0:4c:68:0a:1c"));
            w.Pnp(s_usbNicGuid, UsbCNic);
        }

        private static void Undock(FakeWindows w)
        {
            w.Rows.RemoveAll(row => Text.ParseIfRow2(row, 0)!.InterfaceGuid == s_tbNicGuid || Text.ParseIfRow2(row, 0)!.InterfaceGuid == s_usbNicGuid);
            foreach (string id in new[] { TbDockUpstream, TbDockDownstream, TbDockNic, UsbCNic }) w.Tree.Remove(id);
        }

        [Theory]
        [InlineData("thunderbolt", true)]
        [InlineData("usb-c", true)]
        [InlineData("both", true)]
        [InlineData("thunderbolt", false)]
        [InlineData("usb-c", false)]
        [InlineData("both", false)]
        public void WifiOnlyLaptop_Docked_KeepsTheWholeId(string dock, bool containers)
        {
            FakeWindows w = WifiOnlyLaptop();
            // Without containers: what an older or partial device tree answers; the removal flags then decide.
            w.HasContainers = containers;
            string before = Id(w);
            Assert.Equal(WifiOnlyMac, new HardwareFingerprint.WindowsProbe(w).ReadMac());

            if (dock != "usb-c") DockThunderbolt(w);
            if (dock != "thunderbolt") DockUsbC(w);
            var docked = new HardwareFingerprint.WindowsProbe(w);
            Assert.Equal(WifiOnlyMac, docked.ReadMac());
            string after = Id(w);
            _output.WriteLine("wifi-only laptop " + (containers ? "" : "(no container ids) ") + "undocked " + before + ", docked (" + dock + ") " + after);
            Assert.Equal(before, after);

            Undock(w);
            Assert.Equal(before, Id(w));
        }

        [Fact]
        public void ThunderboltDockNic_RanksAsAttached_ByItsContainer_OrElseByItsRemovableParent()
        {
            FakeWindows w = WifiOnlyLaptop();
            DockThunderbolt(w);
            var probe = new HardwareFingerprint.WindowsProbe(w);
            Assert.True(probe.IsOutsideTheMachine(TbDockNic, out string how));
            Assert.Equal("container", how);
            Assert.False(probe.IsOutsideTheMachine(LaptopWifiPnp, out how));
            Assert.Equal("container", how);

            // The NIC and the bridge above it are not flagged; the dock's upstream port two levels up is.
            w.HasContainers = false;
            Assert.True(probe.IsOutsideTheMachine(TbDockNic, out how));
            Assert.Equal("removable", how);
            Assert.False(probe.IsOutsideTheMachine(LaptopWifiPnp, out how));
            Assert.Equal("fixed", how);
            Assert.False(probe.IsOutsideTheMachine(@"PCI\VEN_1234&DEV_0000\GONE", out how));
            Assert.Equal("not-in-tree", how);
            Assert.False(probe.IsOutsideTheMachine(null, out how));
            Assert.Equal("no-device-id", how);
        }

        [Fact]
        public void TheMachinesContainer_OverridesARemovableFlag()
        {
            // A desktop's on-board NIC behind a hot-plug capable root port: flagged removable, yet Windows (through the
            // firmware's or the registry's override) keeps it in the machine's container. The container decides.
            FakeWindows w = WifiOnlyLaptop();
            w.Tree[Tb4RootPort] = (HostBridge, Removable, Machine);
            w.Tree[TbDockNic] = (Tb4RootPort, Started, Machine);
            var probe = new HardwareFingerprint.WindowsProbe(w);
            Assert.False(probe.IsOutsideTheMachine(TbDockNic, out string how));
            Assert.Equal("container", how);
        }

        [Fact]
        public void ADeviceTreeCallThatThrows_CountsAsUnknown()
        {
            var w = new ThrowingTree();
            var probe = new HardwareFingerprint.WindowsProbe(w);
            Assert.False(probe.IsOutsideTheMachine(TbDockNic, out string how));
            Assert.Equal("not-in-tree", how);
        }

        private sealed class ThrowingTree : HardwareFingerprint.IWindowsSystem
        {
            public string? WindowsDirectory => null;
            public string? ReadLocalMachineString(string subKey, string valueName) => null;
            public byte[]? ReadFirmwareTable(uint provider, uint tableId) => null;
            public byte[]? DeviceIoControl(string devicePath, uint controlCode, byte[]? input, int outputSize, out int returned)
            {
                returned = 0;
                return null;
            }
            public IReadOnlyList<byte[]> InterfaceRows() => Array.Empty<byte[]>();
            public Guid? DeviceContainer(string instanceId) => throw new EntryPointNotFoundException("CM_Get_DevNode_PropertyW");
            public uint? DeviceStatus(string instanceId) => throw new DllNotFoundException("cfgmgr32.dll");
            public string? DeviceParent(string instanceId) => throw new DllNotFoundException("cfgmgr32.dll");
        }

        private static string Id(FakeWindows w)
        {
            var probe = new HardwareFingerprint.WindowsProbe(w);
            return HardwareFingerprint.Compose(probe.ReadMac(), probe.ReadCpu(), probe.ReadDisk());
        }

        // ---- parsers ----

        [Fact]
        public void ParseIfRow2_ReadsTheFieldsAtTheirOffsets()
        {
            HardwareFingerprint.WindowsAdapter? a = Text.ParseIfRow2(
                IfRow(s_wifiGuid, "Intel(R) Wi-Fi 6 AX201 160MHz", "7a:3f:11:22:33:44", "8c:c6:81:3a:5b:7d", 71, 9, hardware: true, filter: false), 0);
            Assert.NotNull(a);
            Assert.Equal(s_wifiGuid, a!.InterfaceGuid);
            Assert.Equal("Intel(R) Wi-Fi 6 AX201 160MHz", a.Description);
            Assert.Equal("7a:3f:11:22:33:44", a.CurrentMac);
            Assert.Equal("8c:c6:81:3a:5b:7d", a.PermanentMac);
            Assert.Equal(71, a.IfType);
            Assert.Equal(9, a.PhysicalMedium);
            Assert.True(a.Hardware);
            Assert.False(a.Filter);
            Assert.Null(Text.ParseIfRow2(new byte[100], 0));
        }

        [Fact]
        public void RankWindowsAdapter_TakesHardwareEthernetAndWifi_ByTheirBurnedInAddress()
        {
            var wifi = Text.ParseIfRow2(IfRow(s_wifiGuid, "Intel(R) Wi-Fi 6 AX201", "7a:3f:11:22:33:44", "8c:c6:81:3a:5b:7d", 71), 0)!;
            HardwareFingerprint.MacCandidate? c = Text.RankWindowsAdapter(wifi, @"PCI\VEN_8086&DEV_A0F0\3&11583659&0&A3");
            Assert.Equal("8c:c6:81:3a:5b:7d", c!.Mac);
            Assert.Equal(0, c.Rank);
            // No PnP id in the registry (Wine, or a key we may not read): still built-in.
            Assert.Equal(0, Text.RankWindowsAdapter(wifi, null)!.Rank);
        }

        [Theory]
        [InlineData("not hardware")]
        [InlineData("filter")]
        [InlineData("tunnel type")]
        [InlineData("bluetooth medium")]
        [InlineData("virtual description")]
        [InlineData("ROOT bus")]
        [InlineData("SWD bus")]
        [InlineData("random current, no permanent")]
        public void RankWindowsAdapter_RefusesSoftwareAndMadeUpAddresses(string why)
        {
            string description = why == "virtual description" ? "TAP-Windows Adapter V9" : "Realtek PCIe GbE Family Controller";
            string? permanent = why == "random current, no permanent" ? null : "00:e0:4c:10:20:30";
            byte[] row = IfRow(Guid.NewGuid(), description, "7a:3f:11:22:33:44", permanent,
                ifType: why == "tunnel type" ? 131 : 6,
                medium: why == "bluetooth medium" ? 10 : 0,
                hardware: why != "not hardware",
                filter: why == "filter");
            string pnp = why == "ROOT bus" ? @"ROOT\NET\0000" : why == "SWD bus" ? @"SWD\MSRRAS\MS_NDISWANIP" : @"PCI\VEN_10EC&DEV_8168\01";
            Assert.Null(Text.RankWindowsAdapter(Text.ParseIfRow2(row, 0)!, pnp));
        }

        [Fact]
        public void RankWindowsAdapter_UsbAfterBuiltIn_AndUnstatedAfterPermanent()
        {
            var usb = Text.ParseIfRow2(IfRow(s_dockGuid, "Realtek USB GbE Family Controller", "00:e0:4c:68:00:01", "00:e0:4c:68:00:01"), 0)!;
            Assert.Equal(2, Text.RankWindowsAdapter(usb, @"USB\VID_0BDA&PID_8153\000001")!.Rank);
            var noPermanent = Text.ParseIfRow2(IfRow(s_ethernetGuid, "Intel(R) I219-V", "f8:75:a4:00:00:10", null), 0)!;
            Assert.Equal(1, Text.RankWindowsAdapter(noPermanent, @"PCI\VEN_8086&DEV_15FC\3&0")!.Rank);
        }

        [Fact]
        public void ParseSmbiosSystemUuid_FindsType1AfterTheBiosStrings_InWindowsForm()
        {
            Assert.Equal("4C4C4544-0042-3510-8052-B4C04F4E3332", Text.ParseSmbiosSystemUuid(Smbios(DellUuid)));
            // Before SMBIOS 2.6 the fields are stored big-endian.
            Assert.Equal("44454C4C-4200-1035-8052-B4C04F4E3332", Text.ParseSmbiosSystemUuid(Smbios(DellUuid, 2, 5)));
            Assert.Null(Text.ParseSmbiosSystemUuid(Smbios(DellUuid, withSystem: false)));
            Assert.Null(Text.ParseSmbiosSystemUuid(new byte[] { 0, 3, 4, 0 }));
            Assert.Null(Text.ParseSmbiosSystemUuid(null));
        }

        [Fact]
        public void ParseSmbiosSystemUuid_RefusesThePlaceholdersBoardsShipWith()
        {
            var zeros = new byte[16];
            var ones = new byte[16];
            for (int i = 0; i < 16; i++) ones[i] = 0xFF;
            // "03000200-0400-0500-0006-000700080009": thousands of boards share it.
            byte[] counting = { 0x00, 0x02, 0x00, 0x03, 0x00, 0x04, 0x00, 0x05, 0x00, 0x06, 0x00, 0x07, 0x00, 0x08, 0x00, 0x09 };
            Assert.Null(Text.ParseSmbiosSystemUuid(Smbios(zeros)));
            Assert.Null(Text.ParseSmbiosSystemUuid(Smbios(ones)));
            Assert.Null(Text.ParseSmbiosSystemUuid(Smbios(counting)));
        }

        [Fact]
        public void ParseStorageDeviceSerial_And_ParseFirstDiskNumber()
        {
            byte[] descriptor = StorageDescriptor("  WD-WCC4N1234567  ");
            Assert.Equal("WD-WCC4N1234567", Text.ParseStorageDeviceSerial(descriptor, descriptor.Length));
            // What Wine answers: a descriptor whose serial offset is 0, or an empty string at the offset.
            Assert.Null(Text.ParseStorageDeviceSerial(StorageDescriptor(null), 128));
            Assert.Null(Text.ParseStorageDeviceSerial(StorageDescriptor(""), 128));
            Assert.Null(Text.ParseStorageDeviceSerial(descriptor, 20));
            Assert.Equal(1, Text.ParseFirstDiskNumber(DiskExtents(1), 32));
            Assert.Null(Text.ParseFirstDiskNumber(new byte[32], 32));
        }

        [Fact]
        public void RegistryCpu_And_RegSzDecoding()
        {
            byte[] regSz = Encoding.Unicode.GetBytes("Intel64 Family 6 Model 140 Stepping 1\0");
            Assert.Equal("Intel64 Family 6 Model 140 Stepping 1", Text.DecodeRegistryString(regSz, regSz.Length));
            Assert.Null(Text.DecodeRegistryString(new byte[] { 0, 0 }, 2));
            Assert.Equal("name=AMD Ryzen 7 5800X 8-Core Processor;id=AMD64 Family 25 Model 33 Stepping 0",
                Text.WindowsCpu("AMD Ryzen 7 5800X 8-Core Processor              ", "AMD64 Family 25 Model 33 Stepping 0"));
            Assert.Null(Text.WindowsCpu(null, " "));
        }

        // ---- the probe over recorded answers ----

        [Fact]
        public void Probe_ReadsEachPartFromItsSource_AndNamesTheSources()
        {
            FakeWindows w = Laptop();
            var probe = new HardwareFingerprint.WindowsProbe(w);
            Assert.Equal("8c:c6:81:3a:5b:7d", probe.ReadMac());
            Assert.Equal("name=11th Gen Intel(R) Core(TM) i7-1165G7 @ 2.80GHz;id=Intel64 Family 6 Model 140 Stepping 1", probe.ReadCpu());
            Assert.Equal("smbios-uuid:4C4C4544-0042-3510-8052-B4C04F4E3332", probe.ReadDisk());
            Assert.Equal("mac=builtin-permanent place=container cpu=registry disk=smbios-uuid", probe.Sources);
        }

        [Fact]
        public void Disk_WithoutAUsableUuid_IsTheSerialOfTheDiskHoldingTheWindowsVolume()
        {
            FakeWindows w = Laptop();
            w.Rsmb = Smbios(new byte[16]);
            w.Ioctls[@"\\.\PhysicalDrive0|002D1400"] = StorageDescriptor("USB-STICK-ON-DISK-0");
            var probe = new HardwareFingerprint.WindowsProbe(w);
            Assert.Equal("disk-serial:0025_38B2_21B0_5E2A.", probe.ReadDisk());
            Assert.Contains(@"\\.\C:|00560000", w.Asked);
        }

        [Fact]
        public void Disk_AsUnderWine_NoUuidAndABlankSerial_IsTheMachineGuid()
        {
            FakeWindows w = Laptop();
            w.Rsmb = null;
            w.Ioctls[@"\\.\PhysicalDrive1|002D1400"] = StorageDescriptor("");
            Assert.Equal("machine-guid:a1b2c3d4-1111-2222-3333-444455556666", new HardwareFingerprint.WindowsProbe(w).ReadDisk());

            w.Registry.Remove(@"SOFTWARE\Microsoft\Cryptography|MachineGuid");
            var none = new HardwareFingerprint.WindowsProbe(w);
            Assert.Null(none.ReadDisk());
            Assert.Contains("disk=none", none.Sources);
        }

        [Fact]
        public void UsbDock_PluggedAndUnplugged_KeepsTheId()
        {
            FakeWindows w = Laptop();
            string before = Id(w);

            // A USB-C dock's Realtek NIC: a lower burned-in address than either built-in adapter.
            w.Rows.Insert(0, IfRow(s_dockGuid, "Realtek USB GbE Family Controller", "00:e0:4c:68:00:01", "00:e0:4c:68:00:01"));
            w.Pnp(s_dockGuid, @"USB\VID_0BDA&PID_8153\000001000000");
            Assert.Equal(before, Id(w));

            w.Rows.RemoveAt(0);
            Assert.Equal(before, Id(w));
        }

        [Fact]
        public void RandomHardwareAddresses_AndAUserSetNetworkAddress_KeepTheId()
        {
            FakeWindows w = Laptop();
            string before = Id(w);
            // Windows rotates the Wi-Fi's current address per network, and a user may set the Ethernet's.
            w.Rows[0] = IfRow(s_wifiGuid, "Intel(R) Wi-Fi 6 AX201 160MHz", current: "02:99:88:77:66:55", permanent: "8c:c6:81:3a:5b:7d", ifType: 71, medium: 9);
            w.Rows[1] = IfRow(s_ethernetGuid, "Intel(R) Ethernet Connection (13) I219-V", current: "02:00:00:00:00:01", permanent: "f8:75:a4:00:00:10");
            Assert.Equal(before, Id(w));
        }

        [Fact]
        public void EnumerationOrder_DoesNotMatter()
        {
            FakeWindows w = Laptop();
            string before = Id(w);
            w.Rows.Reverse();
            Assert.Equal(before, Id(w));
        }
    }
}
