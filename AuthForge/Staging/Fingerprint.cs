// STAGING: the fingerprint section of AuthForge.cs, developed here and merged into the single file.
using System;
using System.Collections.Generic;
using System.Diagnostics;
using System.IO;
using System.Net.NetworkInformation;
using System.Runtime.InteropServices;
using System.Security.Cryptography;
using System.Text;
using System.Threading;

namespace AuthForge
{
    // ===================================================================================================
    //  Hardware fingerprint
    //  HWID = hex SHA-256 of "mac:<mac>|cpu:<cpu>|disk:<disk>" (PROTOCOL.md "Hardware id"). Probed once
    //  per process. Linux reads /sys and /proc only; Windows and macOS ask system tools (2 s limit each).
    //  Raw hardware text never leaves this section unhashed: no logging, no exception messages.
    // ===================================================================================================

    /// <summary>This machine's hardware id: SHA-256 of "mac:…|cpu:…|disk:…", computed at most once per process.</summary>
    internal static class HardwareFingerprint
    {
        private const string MacFallback = "mac-unavailable";
        private const string CpuFallback = "cpu-unavailable";
        private const string DiskFallback = "disk-unavailable";

        private static readonly ProbeCache s_cache = new ProbeCache(ProbeThisMachine);

        /// <summary>The lowercase hex HWID; the first call probes the hardware, later calls return the cached value.</summary>
        public static string Current => s_cache.Value;

        /// <summary>How many times this process has probed the hardware (0 or 1): lets tests prove the cache.</summary>
        public static int ProbeCount => s_cache.ProbeCount;

        /// <summary>Pure: applies the PROTOCOL.md fallbacks to empty parts and hashes the composed text.</summary>
        public static string Compose(string? mac, string? cpu, string? disk)
        {
            string text = "mac:" + OrFallback(mac, MacFallback)
                + "|cpu:" + OrFallback(cpu, CpuFallback)
                + "|disk:" + OrFallback(disk, DiskFallback);
            using (SHA256 sha = SHA256.Create())
            {
                return ToLowerHex(sha.ComputeHash(Encoding.UTF8.GetBytes(text)));
            }
        }

        /// <summary>
        /// Reads each part through its own guard and composes the HWID: a part whose reader throws or yields
        /// nothing gets its fallback, so one broken source never costs the other two.
        /// </summary>
        internal static string ComposeGuarded(Func<string?>? mac, Func<string?>? cpu, Func<string?>? disk)
            => Compose(Guard(mac), Guard(cpu), Guard(disk));

        /// <summary>Probes this machine without the cache and never throws; production code goes through <see cref="Current"/>.</summary>
        internal static string ProbeThisMachine()
        {
            try
            {
                if (RuntimeInformation.IsOSPlatform(OSPlatform.Linux))
                {
                    var linux = new LinuxProbe("/");
                    return ComposeGuarded(linux.ReadMac, linux.ReadCpu, linux.ReadDisk);
                }
                if (RuntimeInformation.IsOSPlatform(OSPlatform.Windows))
                {
                    return ComposeGuarded(ToolProbe.ReadWindowsMac, ToolProbe.ReadWindowsCpu, ToolProbe.ReadWindowsDisk);
                }
                if (RuntimeInformation.IsOSPlatform(OSPlatform.OSX))
                {
                    return ComposeGuarded(ToolProbe.ReadMacOSMac, ToolProbe.ReadMacOSCpu, ToolProbe.ReadMacOSPlatformSerial);
                }
                return ComposeGuarded(ToolProbe.ReadNetworkInterfaceMac, null, null);
            }
            catch
            {
                // A cached exception would make every later Current throw; an all-fallback id keeps login possible.
                return Compose(null, null, null);
            }
        }

        private static string? Guard(Func<string?>? read)
        {
            if (read == null) return null;
            try { return read(); }
            catch { return null; }
        }

        private static string OrFallback(string? part, string fallback)
        {
            string? trimmed = part?.Trim();
            return trimmed == null || trimmed.Length == 0 ? fallback : trimmed;
        }

        private static string ToLowerHex(byte[] bytes)
        {
            const string digits = "0123456789abcdef";
            var chars = new char[bytes.Length * 2];
            for (int i = 0; i < bytes.Length; i++)
            {
                chars[2 * i] = digits[bytes[i] >> 4];
                chars[2 * i + 1] = digits[bytes[i] & 0xF];
            }
            return new string(chars);
        }

        /// <summary>Runs a probe at most once, however many threads ask at the same time, and counts the runs.</summary>
        internal sealed class ProbeCache
        {
            private readonly Lazy<string> _value;
            private int _probeCount;

            /// <summary>Wraps <paramref name="probe"/>, which must not throw (a throw would be cached by <see cref="Lazy{T}"/>).</summary>
            public ProbeCache(Func<string> probe)
            {
                _value = new Lazy<string>(() =>
                {
                    Interlocked.Increment(ref _probeCount);
                    return probe();
                }, LazyThreadSafetyMode.ExecutionAndPublication);
            }

            /// <summary>The probe's result; only the first call runs the probe.</summary>
            public string Value => _value.Value;

            /// <summary>How many times the probe has run (0 or 1).</summary>
            public int ProbeCount => Volatile.Read(ref _probeCount);
        }

        /// <summary>One network interface that could supply the MAC part.</summary>
        internal sealed class MacCandidate
        {
            /// <summary>Creates a candidate; <paramref name="rank"/> 0 is the most preferred.</summary>
            public MacCandidate(string key, string mac, int rank)
            {
                Key = key;
                Mac = mac;
                Rank = rank;
            }

            /// <summary>A stable per-interface key (the interface name, or its id on Windows).</summary>
            public string Key { get; }

            /// <summary>The normalised MAC.</summary>
            public string Mac { get; }

            /// <summary>0 = wired physical, 1 = wireless physical, 2 = anything else that survived the filters.</summary>
            public int Rank { get; }
        }

        /// <summary>Pure text helpers shared by every platform; kept free of I/O so tests can feed them samples.</summary>
        internal static class HardwareText
        {
            // Interfaces whose MAC is created at random or per boot/container/VPN session, so it can't identify a machine.
            private static readonly string[] s_virtualInterfacePrefixes =
            {
                "lo", "docker", "veth", "br-", "virbr", "vnet", "vmnet", "vboxnet", "tun", "tap", "wg", "ifb", "dummy",
                "zt", "tailscale", "cni", "flannel", "cali", "kube", "utun", "awdl", "llw", "bridge", "anpi", "gif",
                "stf", "ipsec", "feth", "ppp", "sit", "gre", "ip6tnl", "nlmon",
            };

            // Windows names adapters by friendly name; the description is where hypervisors and VPNs say what they are.
            private static readonly string[] s_virtualDescriptionHints =
            {
                "virtual", "hyper-v", "vmware", "virtualbox", "vpn", "tap-", "wan miniport", "pseudo", "loopback",
            };

            /// <summary>True for interface names that are loopback, container, bridge, tunnel or VPN devices.</summary>
            public static bool IsVirtualInterfaceName(string name)
            {
                foreach (string prefix in s_virtualInterfacePrefixes)
                {
                    if (name.StartsWith(prefix, StringComparison.OrdinalIgnoreCase)) return true;
                }
                return false;
            }

            /// <summary>True when a Windows adapter description names a hypervisor, VPN or other software adapter.</summary>
            public static bool IsVirtualDescription(string description)
            {
                foreach (string hint in s_virtualDescriptionHints)
                {
                    if (description.IndexOf(hint, StringComparison.OrdinalIgnoreCase) >= 0) return true;
                }
                return false;
            }

            /// <summary>
            /// Normalises "00:1A:2b:…", "00-1A-…", "001A.2B3C.4D5E", "001A2B3C4D5E" and unpadded "0:1a:…" to
            /// "00:1a:2b:3c:4d:5e"; null for anything else and for the all-zero or broadcast address.
            /// </summary>
            public static string? NormaliseMac(string? raw)
            {
                string? text = raw?.Trim();
                if (text == null || text.Length == 0) return null;

                string? hex = null;
                char separator = text.IndexOf(':') >= 0 ? ':' : text.IndexOf('-') >= 0 ? '-' : text.IndexOf('.') >= 0 ? '.' : '\0';
                if (separator == '\0')
                {
                    if (text.Length == 12 && IsHex(text)) hex = text;
                }
                else
                {
                    string[] groups = text.Split(new[] { separator });
                    if (separator != '.' && groups.Length == 6)
                    {
                        var sb = new StringBuilder(12);
                        foreach (string g in groups)
                        {
                            if (g.Length < 1 || g.Length > 2 || !IsHex(g)) return null;
                            sb.Append(g.Length == 1 ? "0" + g : g);
                        }
                        hex = sb.ToString();
                    }
                    else if (separator == '.' && groups.Length == 3 && groups[0].Length == 4 && groups[1].Length == 4
                        && groups[2].Length == 4 && IsHex(groups[0] + groups[1] + groups[2]))
                    {
                        hex = groups[0] + groups[1] + groups[2];
                    }
                }
                if (hex == null) return null;

                hex = hex.ToLowerInvariant();
                if (hex == "000000000000" || hex == "ffffffffffff") return null;

                var result = new StringBuilder(17);
                for (int i = 0; i < 12; i += 2)
                {
                    if (i > 0) result.Append(':');
                    result.Append(hex, i, 2);
                }
                return result.ToString();
            }

            /// <summary>Every well-formed MAC among the whitespace/quote/comma separated tokens of a tool's output.</summary>
            public static List<string> FindMacs(string? text)
            {
                var macs = new List<string>();
                if (text == null) return macs;
                foreach (string token in text.Split(new[] { ' ', '\t', '\r', '\n', '"', ',', ';' }, StringSplitOptions.RemoveEmptyEntries))
                {
                    string? mac = NormaliseMac(token);
                    if (mac != null) macs.Add(mac);
                }
                return macs;
            }

            /// <summary>
            /// Picks the best candidate: lowest rank, then ordinal key, then MAC, so the same set of interfaces always
            /// gives the same answer regardless of enumeration order.
            /// </summary>
            public static string? ChooseMac(IEnumerable<MacCandidate> candidates)
            {
                MacCandidate? best = null;
                foreach (MacCandidate c in candidates)
                {
                    if (best == null || Compare(c, best) < 0) best = c;
                }
                return best?.Mac;
            }

            private static int Compare(MacCandidate a, MacCandidate b)
            {
                int byRank = a.Rank.CompareTo(b.Rank);
                if (byRank != 0) return byRank;
                int byKey = string.CompareOrdinal(a.Key, b.Key);
                return byKey != 0 ? byKey : string.CompareOrdinal(a.Mac, b.Mac);
            }

            // Keys from /proc/cpuinfo that describe the processor model (and, on some ARM boards, the SoC serial).
            // Clock speeds, bogomips, flags and microcode are left out: they move with load, kernel and firmware.
            private static readonly string[] s_cpuInfoKeys =
            {
                "vendor_id", "cpu family", "model", "model name",                          // x86
                "CPU implementer", "CPU architecture", "CPU variant", "CPU part", "CPU revision", // ARM, per core
                "Hardware", "Model", "Serial",                                              // ARM boards, at the end
                "cpu", "machine",                                                           // POWER, s390x
            };

            /// <summary>
            /// Turns /proc/cpuinfo text into "key=value;…" over the stable keys, taking the first occurrence of each
            /// (the first core's block, plus board lines that appear once); null when none is present.
            /// </summary>
            public static string? ParseCpuInfo(string? cpuInfo)
            {
                if (cpuInfo == null) return null;
                var found = new Dictionary<string, string>(StringComparer.Ordinal);
                foreach (string line in cpuInfo.Split('\n'))
                {
                    int colon = line.IndexOf(':');
                    if (colon <= 0) continue;
                    string key = line.Substring(0, colon).Trim();
                    string value = line.Substring(colon + 1).Trim();
                    if (value.Length > 0 && !found.ContainsKey(key)) found[key] = value;
                }

                var sb = new StringBuilder();
                foreach (string key in s_cpuInfoKeys)
                {
                    if (!found.TryGetValue(key, out string? value)) continue;
                    if (sb.Length > 0) sb.Append(';');
                    sb.Append(key).Append('=').Append(value);
                }
                return sb.Length == 0 ? null : sb.ToString();
            }

            /// <summary>
            /// The first non-empty value of <paramref name="key"/> in "key=value" lines: wmic's /value output and
            /// sysfs uevent files share this shape.
            /// </summary>
            public static string? ParseKeyValue(string? text, string key)
            {
                if (text == null) return null;
                foreach (string raw in text.Split('\n'))
                {
                    string line = raw.Trim('\r', '\0', ' ', '\t');
                    int eq = line.IndexOf('=');
                    if (eq <= 0 || !string.Equals(line.Substring(0, eq).Trim(), key, StringComparison.OrdinalIgnoreCase)) continue;
                    string value = line.Substring(eq + 1).Trim();
                    if (value.Length > 0) return value;
                }
                return null;
            }

            /// <summary>The value of a quoted string property in ioreg output: <c>"key" = "value"</c>.</summary>
            public static string? ParseIoregString(string? text, string key)
            {
                if (text == null) return null;
                string marker = "\"" + key + "\"";
                foreach (string line in text.Split('\n'))
                {
                    int at = line.IndexOf(marker, StringComparison.Ordinal);
                    if (at < 0) continue;
                    int eq = line.IndexOf('=', at + marker.Length);
                    if (eq < 0) continue;
                    int open = line.IndexOf('"', eq);
                    int close = open < 0 ? -1 : line.IndexOf('"', open + 1);
                    if (close <= open + 1) continue;
                    return line.Substring(open + 1, close - open - 1).Trim();
                }
                return null;
            }

            /// <summary>The first line with text in it, trimmed; tools such as sysctl -n and PowerShell print one value per line.</summary>
            public static string? FirstLine(string? text)
            {
                if (text == null) return null;
                foreach (string raw in text.Split('\n'))
                {
                    string line = raw.Trim('\r', '\0', ' ', '\t');
                    if (line.Length > 0) return line;
                }
                return null;
            }

            /// <summary>
            /// The unit serial number from a SCSI VPD page 0x80 (sysfs <c>device/vpd_pg80</c>): a 4-byte header whose
            /// bytes 2–3 give the length, then space-padded ASCII. Null for any other page or a blank serial.
            /// </summary>
            public static string? ParseVpdPage80(byte[]? page)
            {
                if (page == null || page.Length < 4 || page[1] != 0x80) return null;
                int length = (page[2] << 8) | page[3];
                length = Math.Min(length, page.Length - 4);
                var sb = new StringBuilder(length);
                for (int i = 4; i < 4 + length; i++)
                {
                    byte b = page[i];
                    if (b >= 0x20 && b < 0x7F) sb.Append((char)b);
                }
                string serial = sb.ToString().Trim();
                return serial.Length == 0 ? null : serial;
            }

            /// <summary>
            /// The major:minor of the topmost mount on "/" in /proc/self/mountinfo (field 3 device, field 5 mount point).
            /// </summary>
            public static string? FindRootDeviceNumber(string? mountInfo)
            {
                if (mountInfo == null) return null;
                string? device = null;
                foreach (string line in mountInfo.Split('\n'))
                {
                    string[] fields = line.Split(new[] { ' ' }, StringSplitOptions.RemoveEmptyEntries);
                    // Later lines mount over earlier ones, so the last "/" is the one this process sees.
                    if (fields.Length >= 5 && fields[4] == "/") device = fields[2];
                }
                return device;
            }

            private static bool IsHex(string s)
            {
                foreach (char c in s)
                {
                    bool hex = (c >= '0' && c <= '9') || (c >= 'a' && c <= 'f') || (c >= 'A' && c <= 'F');
                    if (!hex) return false;
                }
                return s.Length > 0;
            }
        }

        /// <summary>
        /// Linux: reads files under /sys and /proc only, and deliberately has no process spawning, so the probe is
        /// fast and works in locked-down containers.
        /// Sources, in order:
        /// MAC — /sys/class/net/*/address, skipping virtual names, random (addr_assign_type 1) and non-Ethernet
        /// (type ≠ 1) interfaces; physical ones (a device link exists) first, wired before wireless, then by name.
        /// CPU — /proc/cpuinfo model keys (<see cref="HardwareText.ParseCpuInfo"/>).
        /// Disk — the disk under "/" (/proc/self/mountinfo → /sys/dev/block/M:m/uevent, through partitions and
        /// device-mapper/md slaves), else the first non-removable disk in /sys/block by name (skipping loop, ram, zram,
        /// dm, md, sr, fd, nbd); its id from device/serial, serial, device/vpd_pg80, wwid or device/wwid; else the
        /// first ata-/nvme-/scsi-/virtio- name in /dev/disk/by-id.
        /// </summary>
        internal sealed class LinuxProbe
        {
            private static readonly string[] s_skippedDiskPrefixes = { "loop", "ram", "zram", "dm-", "md", "sr", "fd", "nbd" };
            private static readonly string[] s_diskByIdPrefixes = { "ata-", "nvme-", "scsi-", "virtio-" };

            private readonly string _root;

            /// <summary>Probes the tree under <paramref name="root"/> ("/" in production; a fake tree in tests).</summary>
            public LinuxProbe(string root) => _root = root;

            /// <summary>The chosen interface's normalised MAC, or null.</summary>
            public string? ReadMac()
            {
                string net = At("sys/class/net");
                var candidates = new List<MacCandidate>();
                foreach (string name in ListNames(net))
                {
                    if (HardwareText.IsVirtualInterfaceName(name)) continue;
                    string dir = Path.Combine(net, name);
                    if (ReadText(Path.Combine(dir, "addr_assign_type")) == "1") continue;
                    string? type = ReadText(Path.Combine(dir, "type"));
                    if (type != null && type != "1") continue;
                    string? mac = HardwareText.NormaliseMac(ReadText(Path.Combine(dir, "address")));
                    if (mac == null) continue;

                    bool physical = Directory.Exists(Path.Combine(dir, "device"));
                    // Wireless MACs are the ones desktop network managers randomise, so a wired NIC wins when there is one.
                    bool wireless = Directory.Exists(Path.Combine(dir, "wireless")) || Directory.Exists(Path.Combine(dir, "phy80211"));
                    int rank = !physical ? 2 : wireless ? 1 : 0;
                    candidates.Add(new MacCandidate(name, mac, rank));
                }
                return HardwareText.ChooseMac(candidates);
            }

            /// <summary>The stable /proc/cpuinfo keys, or null.</summary>
            public string? ReadCpu() => HardwareText.ParseCpuInfo(ReadText(At("proc/cpuinfo")));

            /// <summary>An id of the root disk or, failing that, of the first real disk; null when none is readable.</summary>
            public string? ReadDisk()
            {
                string? rootDisk = FindRootDisk();
                string? id = rootDisk == null ? null : ReadDiskId(rootDisk);
                if (id != null) return id;

                foreach (string disk in ListNames(At("sys/block")))
                {
                    if (disk == rootDisk || IsSkippedDisk(disk)) continue;
                    // Removable media come and go, so they would make the id depend on what is plugged in.
                    if (ReadText(At("sys/block", disk, "removable")) == "1") continue;
                    id = ReadDiskId(disk);
                    if (id != null) return id;
                }

                foreach (string name in ListNames(At("dev/disk/by-id")))
                {
                    if (name.IndexOf("-part", StringComparison.Ordinal) >= 0) continue;
                    foreach (string prefix in s_diskByIdPrefixes)
                    {
                        if (name.StartsWith(prefix, StringComparison.Ordinal)) return name;
                    }
                }
                return null;
            }

            /// <summary>The /sys/block name of the whole disk holding "/", or null (e.g. overlay roots in containers).</summary>
            internal string? FindRootDisk()
            {
                string? number = HardwareText.FindRootDeviceNumber(ReadText(At("proc/self/mountinfo")));
                if (number == null) return null;
                string? devName = HardwareText.ParseKeyValue(ReadText(At("sys/dev/block", number, "uevent")), "DEVNAME");
                return devName == null ? null : ResolveDisk(devName, 0);
            }

            // Follows a partition to its disk and a device-mapper/md device to its first slave; the depth cap stops
            // a malformed tree from looping.
            private string? ResolveDisk(string name, int depth)
            {
                if (depth > 8 || name.IndexOf('/') >= 0) return null;
                string blockDir = At("sys/block", name);
                if (!Directory.Exists(blockDir))
                {
                    foreach (string disk in ListNames(At("sys/block")))
                    {
                        if (Directory.Exists(At("sys/block", disk, name))) return ResolveDisk(disk, depth + 1);
                    }
                    return null;
                }
                List<string> slaves = ListNames(Path.Combine(blockDir, "slaves"));
                return slaves.Count > 0 ? ResolveDisk(slaves[0], depth + 1) : name;
            }

            private string? ReadDiskId(string disk)
            {
                return NonBlank(ReadText(At("sys/block", disk, "device", "serial")))
                    ?? NonBlank(ReadText(At("sys/block", disk, "serial")))
                    ?? HardwareText.ParseVpdPage80(ReadBytes(At("sys/block", disk, "device", "vpd_pg80")))
                    ?? NonBlank(ReadText(At("sys/block", disk, "wwid")))
                    ?? NonBlank(ReadText(At("sys/block", disk, "device", "wwid")));
            }

            private static bool IsSkippedDisk(string name)
            {
                foreach (string prefix in s_skippedDiskPrefixes)
                {
                    if (name.StartsWith(prefix, StringComparison.Ordinal)) return true;
                }
                return false;
            }

            private string At(params string[] parts)
            {
                string path = _root;
                foreach (string part in parts) path = Path.Combine(path, part);
                return path;
            }

            private static string? NonBlank(string? s) => s == null || s.Length == 0 ? null : s;

            private static List<string> ListNames(string dir)
            {
                var names = new List<string>();
                try
                {
                    if (!Directory.Exists(dir)) return names;
                    // Entries of /sys/class/net and /dev/disk/by-id are symlinks; a file listing covers dangling ones too.
                    foreach (string entry in Directory.GetFileSystemEntries(dir)) names.Add(Path.GetFileName(entry));
                }
                catch
                {
                    names.Clear();
                }
                names.Sort(StringComparer.Ordinal);
                return names;
            }

            private static string? ReadText(string path)
            {
                try
                {
                    return File.Exists(path) ? File.ReadAllText(path).Trim() : null;
                }
                catch
                {
                    return null;
                }
            }

            private static byte[]? ReadBytes(string path)
            {
                try
                {
                    if (!File.Exists(path)) return null;
                    // sysfs reports a nominal size, so read to end of file instead of trusting the length.
                    using (var stream = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.ReadWrite))
                    using (var buffer = new MemoryStream())
                    {
                        var chunk = new byte[4096];
                        int read;
                        while (buffer.Length < 65536 && (read = stream.Read(chunk, 0, chunk.Length)) > 0) buffer.Write(chunk, 0, read);
                        return buffer.ToArray();
                    }
                }
                catch
                {
                    return null;
                }
            }
        }

        /// <summary>
        /// Windows and macOS: the in-process network interface list for the MAC, system tools for the rest. Tools are
        /// started by absolute path (a PATH entry can't stand in for them), without a shell or window, and each gets
        /// <see cref="ToolTimeoutMilliseconds"/> before it is killed.
        /// </summary>
        internal static class ToolProbe
        {
            /// <summary>How long one tool may run, output included, before it is killed and its part falls back.</summary>
            public const int ToolTimeoutMilliseconds = 2000;

            private static int s_runCount;

            /// <summary>How many tool processes this process has tried to start: the seam that shows Linux starts none.</summary>
            public static int RunCount => Volatile.Read(ref s_runCount);

            /// <summary>Windows MAC: the interface list, else getmac's first address by sort order.</summary>
            public static string? ReadWindowsMac()
                => ReadNetworkInterfaceMac() ?? FirstSorted(HardwareText.FindMacs(RunTool(System32("getmac.exe"), "/fo csv /nh")));

            /// <summary>Windows CPU: Win32_Processor.ProcessorId via wmic, else PowerShell (wmic is gone from newer Windows).</summary>
            public static string? ReadWindowsCpu()
                => HardwareText.ParseKeyValue(RunTool(System32("wbem", "wmic.exe"), "cpu get ProcessorId /value"), "ProcessorId")
                ?? HardwareText.FirstLine(RunPowerShell("(Get-CimInstance -ClassName Win32_Processor).ProcessorId"));

            /// <summary>Windows disk: Win32_DiskDrive.SerialNumber of disk index 0 (the boot disk on almost every machine).</summary>
            public static string? ReadWindowsDisk()
                => HardwareText.ParseKeyValue(RunTool(System32("wbem", "wmic.exe"), "diskdrive where Index=0 get SerialNumber /value"), "SerialNumber")
                ?? HardwareText.FirstLine(RunPowerShell("(Get-CimInstance -ClassName Win32_DiskDrive -Filter 'Index=0').SerialNumber"));

            /// <summary>macOS MAC: the interface list (en0 sorts first), else <c>ifconfig en0</c>.</summary>
            public static string? ReadMacOSMac()
                => ReadNetworkInterfaceMac() ?? FirstSorted(HardwareText.FindMacs(RunTool("/sbin/ifconfig", "en0")));

            /// <summary>macOS CPU: the brand string ("Apple M2", "Intel(R) Core(TM) …").</summary>
            public static string? ReadMacOSCpu()
                => HardwareText.FirstLine(RunTool("/usr/sbin/sysctl", "-n machdep.cpu.brand_string"));

            /// <summary>
            /// macOS disk part: the platform serial from the IOPlatformExpertDevice, else its UUID. Internal disks
            /// can't be swapped on current Macs, so the platform serial is the steadier id.
            /// </summary>
            public static string? ReadMacOSPlatformSerial()
            {
                string? ioreg = RunTool("/usr/sbin/ioreg", "-rd1 -c IOPlatformExpertDevice");
                return HardwareText.ParseIoregString(ioreg, "IOPlatformSerialNumber")
                    ?? HardwareText.ParseIoregString(ioreg, "IOPlatformUUID");
            }

            /// <summary>The best MAC from <see cref="NetworkInterface.GetAllNetworkInterfaces"/>, ranked like the Linux probe.</summary>
            public static string? ReadNetworkInterfaceMac()
            {
                var candidates = new List<MacCandidate>();
                foreach (NetworkInterface nic in NetworkInterface.GetAllNetworkInterfaces())
                {
                    NetworkInterfaceType type = nic.NetworkInterfaceType;
                    if (type == NetworkInterfaceType.Loopback || type == NetworkInterfaceType.Tunnel || type == NetworkInterfaceType.Ppp) continue;
                    if (HardwareText.IsVirtualInterfaceName(nic.Name) || HardwareText.IsVirtualDescription(nic.Description)) continue;
                    string? mac = HardwareText.NormaliseMac(nic.GetPhysicalAddress().ToString());
                    if (mac == null) continue;
                    // Operational status is ignored on purpose: Wi-Fi going up and down must not change the choice.
                    int rank = type == NetworkInterfaceType.Wireless80211 ? 1
                        : type == NetworkInterfaceType.Ethernet || type == NetworkInterfaceType.GigabitEthernet
                          || type == NetworkInterfaceType.FastEthernetT || type == NetworkInterfaceType.FastEthernetFx ? 0 : 2;
                    // Id is a GUID that survives renaming on Windows and equals the interface name elsewhere.
                    candidates.Add(new MacCandidate(nic.Id, mac, rank));
                }
                return HardwareText.ChooseMac(candidates);
            }

            /// <summary>
            /// Runs a tool and returns its standard output, or null when it can't start, exits non-zero or overruns
            /// the time limit (then it is killed). Both output streams are drained asynchronously so a chatty tool
            /// can't block on a full pipe; standard input is closed at once because wmic waits for it otherwise.
            /// </summary>
            internal static string? RunTool(string fileName, string arguments, int timeoutMilliseconds = ToolTimeoutMilliseconds)
            {
                if (!File.Exists(fileName)) return null;
                Interlocked.Increment(ref s_runCount);
                try
                {
                    var start = new ProcessStartInfo(fileName, arguments)
                    {
                        UseShellExecute = false,
                        CreateNoWindow = true,
                        RedirectStandardInput = true,
                        RedirectStandardOutput = true,
                        RedirectStandardError = true,
                    };
                    var output = new StringBuilder();
                    using (var outputClosed = new ManualResetEventSlim(false))
                    using (var process = new Process { StartInfo = start })
                    {
                        process.OutputDataReceived += (_, e) =>
                        {
                            // Runs on a pool thread, possibly after we gave up and disposed the event: a throw here
                            // would take the whole process down.
                            try
                            {
                                if (e.Data == null) outputClosed.Set();
                                else lock (output) output.Append(e.Data).Append('\n');
                            }
                            catch (ObjectDisposedException)
                            {
                            }
                        };
                        process.ErrorDataReceived += (_, e) => { };

                        Stopwatch clock = Stopwatch.StartNew();
                        if (!process.Start()) return null;
                        process.BeginOutputReadLine();
                        process.BeginErrorReadLine();
                        try { process.StandardInput.Close(); }
                        catch { /* a tool that has already exited needs no input */ }

                        // WaitForExit(int) doesn't wait for the async readers, so wait for end of output separately,
                        // inside the same budget (a grandchild holding the pipe must not stall us either).
                        bool exited = process.WaitForExit(timeoutMilliseconds);
                        int left = timeoutMilliseconds - (int)clock.ElapsedMilliseconds;
                        if (!exited || !outputClosed.Wait(Math.Max(left, 0)))
                        {
                            Kill(process);
                            return null;
                        }
                        if (process.ExitCode != 0) return null;
                        lock (output) return output.ToString();
                    }
                }
                catch
                {
                    return null;
                }
            }

            private static void Kill(Process process)
            {
                try
                {
                    if (!process.HasExited) process.Kill();
                }
                catch
                {
                    // It exited between the check and the kill, or we may not kill it; either way we stop waiting.
                }
            }

            private static string? RunPowerShell(string command)
                => RunTool(System32("WindowsPowerShell", "v1.0", "powershell.exe"), "-NoProfile -NonInteractive -Command \"" + command + "\"");

            private static string System32(params string[] parts)
            {
                string path = Environment.SystemDirectory;
                foreach (string part in parts) path = Path.Combine(path, part);
                return path;
            }

            private static string? FirstSorted(List<string> values)
            {
                if (values.Count == 0) return null;
                values.Sort(StringComparer.Ordinal);
                return values[0];
            }
        }
    }
}
