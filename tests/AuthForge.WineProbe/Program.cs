using System;
using System.Diagnostics;
using System.Globalization;
using System.Net.Http;
using System.Runtime.InteropServices;
using System.Text;
using System.Text.Json;
using System.Threading;
using System.Threading.Tasks;
using AuthForge.Internal;

namespace AuthForge.WineProbe
{
    /// <summary>
    /// One run of the Windows hardware-id path against a DevServer: probe (timed), log in, see a heartbeat, see a
    /// revocation end the session, restore the licence for the next run. Prints <c>wineprobe: name=value</c> lines for
    /// .ci/wine.sh to check; exits 0 only when every step behaved. Usage:
    /// <c>AuthForge.WineProbe.exe &lt;base-url&gt; &lt;app-id&gt; &lt;app-secret&gt; &lt;licence-key&gt;</c>, or
    /// <c>--spawn-control</c> to start one process on purpose.
    /// </summary>
    internal static class Program
    {
        // Generous: a loaded 2-core CI machine runs Wine, the CLR start-up and the DevServer at once.
        private static readonly TimeSpan s_stepLimit = TimeSpan.FromSeconds(60);

        private static async Task<int> Main(string[] args)
        {
            if (args.Length == 1 && args[0] == "--spawn-control")
            {
                // The detector's control: the product's own tool runner starts one process, which the +process log
                // of this run must show. A check that can't see this spawn could not see any other.
                string? output = HardwareFingerprint.ToolProbe.RunTool(Environment.SystemDirectory + "\\cmd.exe", "/c echo spawned", 60_000);
                Report("spawn-control", output == null ? "no output" : output.Trim());
                return output == null ? Fail("the control process did not run") : 0;
            }
            if (args.Length == 1 && args[0] == "--probe-only")
            {
                // Any OS: the probe's timings alone (how the Linux numbers in docs/HARDWARE-ID.md were taken).
                Report("os", RuntimeInformation.OSDescription);
                return ReportProbe() == null ? 1 : 0;
            }
            if (args.Length != 4)
            {
                Console.Error.WriteLine("usage: AuthForge.WineProbe <base-url> <app-id> <app-secret> <licence-key>");
                return 2;
            }
            string baseUrl = args[0].TrimEnd('/');
            string appId = args[1];
            string appSecret = args[2];
            string licenseKey = args[3];

            try
            {
                Report("os", RuntimeInformation.OSDescription);
                Report("windows", RuntimeInformation.IsOSPlatform(OSPlatform.Windows) ? "yes" : "no");
                if (!RuntimeInformation.IsOSPlatform(OSPlatform.Windows)) return Fail("this program must run as a Windows process");

                string? hwid = ReportProbe();
                if (hwid == null) return 1;

                using (var admin = new HttpClient { BaseAddress = new Uri(baseUrl + "/"), Timeout = s_stepLimit })
                {
                    string publicKey = await CurrentPublicKeyAsync(admin).ConfigureAwait(false);
                    var failed = new TaskCompletionSource<string>(TaskCreationOptions.RunContinuationsAsynchronously);
                    var options = new AuthForgeClientOptions
                    {
                        AppId = appId,
                        AppSecret = appSecret,
                        ApiBaseUrl = baseUrl,
                        HeartbeatInterval = TimeSpan.FromSeconds(1),
                        RequestTimeout = TimeSpan.FromSeconds(30),
                        OnFailure = (reason, error) =>
                            failed.TrySetResult(reason + "/" + error.Code),
                    };
                    options.PublicKeys.Add(publicKey);

                    using (var client = new AuthForgeClient(options))
                    {
                        if (client.GetHardwareId() != hwid) return Fail("the client's hardware id differs from the probed one");
                        if (!await client.LoginAsync(licenseKey).ConfigureAwait(false))
                            return Fail("login was refused: " + await WithTimeout(failed.Task, "the failure callback").ConfigureAwait(false));
                        Report("login", "ok");

                        long heartbeats = await WaitForHeartbeatAsync(admin, licenseKey).ConfigureAwait(false);
                        Report("heartbeat", "ok count=" + heartbeats.ToString(CultureInfo.InvariantCulture));

                        using (HttpResponseMessage revoke = await admin.PostAsync("admin/licenses/" + Uri.EscapeDataString(licenseKey) + "/revoke",
                            new StringContent("", Encoding.UTF8)).ConfigureAwait(false))
                        {
                            if (!revoke.IsSuccessStatusCode) return Fail("the admin revoke route answered " + (int)revoke.StatusCode);
                        }
                        string verdict = await WithTimeout(failed.Task, "the revocation to reach the client").ConfigureAwait(false);
                        Report("revocation", verdict);
                        if (verdict != AuthForgeFailureReason.HeartbeatFailed + "/" + AuthForgeErrorCodes.Revoked)
                            return Fail("expected the heartbeat to fail with 'revoked', got " + verdict);
                        if (client.IsAuthenticated()) return Fail("the client still reports a session after the revocation");
                    }

                    using (HttpResponseMessage restore = await admin.PostAsync("admin/licenses/" + Uri.EscapeDataString(licenseKey) + "/restore",
                        new StringContent("", Encoding.UTF8)).ConfigureAwait(false))
                    {
                        if (!restore.IsSuccessStatusCode) return Fail("the admin restore route answered " + (int)restore.StatusCode);
                    }
                }
                Report("tool-runs-end", HardwareFingerprint.ToolProbe.RunCount.ToString(CultureInfo.InvariantCulture));
                Report("result", "pass");
                return 0;
            }
            catch (Exception e)
            {
                return Fail(e.GetType().Name + ": " + e.Message);
            }
        }

        private static async Task<string> CurrentPublicKeyAsync(HttpClient admin)
        {
            string json = await admin.GetStringAsync("admin/keys").ConfigureAwait(false);
            using (JsonDocument document = JsonDocument.Parse(json))
            {
                return document.RootElement.GetProperty("current").GetProperty("publicKey").GetString()
                    ?? throw new InvalidOperationException("GET /admin/keys named no current public key");
            }
        }

        /// <summary>Times the first (cold) probe and an uncached second one; null after reporting a failure.</summary>
        private static string? ReportProbe()
        {
            var clock = Stopwatch.StartNew();
            string hwid = HardwareFingerprint.Current;
            clock.Stop();
            Report("probe-ms", clock.Elapsed.TotalMilliseconds.ToString("0.0", CultureInfo.InvariantCulture));
            Report("hwid", hwid);
            // Again without the cache: the first run paid for JIT compilation and loading the system libraries.
            clock.Restart();
            string again = HardwareFingerprint.ProbeThisMachine().Hwid;
            clock.Stop();
            Report("probe-warm-ms", clock.Elapsed.TotalMilliseconds.ToString("0.0", CultureInfo.InvariantCulture));
            if (again != hwid)
            {
                Fail("a second probe in the same process gave another id");
                return null;
            }
            if (RuntimeInformation.IsOSPlatform(OSPlatform.Windows))
            {
                var parts = new HardwareFingerprint.WindowsProbe(HardwareFingerprint.WindowsProbe.Native);
                Report("part-ms", "mac=" + Time(() => parts.ReadMac()) + " cpu=" + Time(() => parts.ReadCpu()) + " disk=" + Time(() => parts.ReadDisk()));
                Report("devtree", DescribeDeviceTree(HardwareFingerprint.WindowsProbe.Native));
            }
            Report("sources", HardwareFingerprint.LastSources);
            Report("tool-runs", HardwareFingerprint.ToolProbe.RunCount.ToString(CultureInfo.InvariantCulture));
            if (HardwareFingerprint.ToolProbe.RunCount != 0)
            {
                Fail("the probe started a tool process");
                return null;
            }
            return hwid;
        }

        /// <summary>
        /// What the device-tree calls the probe makes (cfgmgr32: CM_Locate_DevNodeW, CM_Get_DevNode_Status,
        /// CM_Get_Parent, CM_Get_DevNode_PropertyW) answer here: for the root of the tree, and for each interface row
        /// whose PnP instance id the registry names. Under Wine this records what its device tree can show.
        /// </summary>
        private static string DescribeDeviceTree(HardwareFingerprint.IWindowsSystem system)
        {
            const string NetworkClassKey = @"SYSTEM\CurrentControlSet\Control\Network\{4D36E972-E325-11CE-BFC1-08002BE10318}\";
            var parts = new System.Collections.Generic.List<string> { "root " + DescribeDevice(system, @"HTREE\ROOT\0") };
            int rows = 0, withId = 0;
            foreach (byte[] row in system.InterfaceRows())
            {
                HardwareFingerprint.WindowsAdapter? adapter = HardwareFingerprint.HardwareText.ParseIfRow2(row, 0);
                if (adapter == null) continue;
                rows++;
                string? pnp = system.ReadLocalMachineString(
                    NetworkClassKey + adapter.InterfaceGuid.ToString("B").ToUpperInvariant() + @"\Connection", "PnPInstanceId");
                if (pnp == null) continue;
                withId++;
                parts.Add("adapter " + pnp + " " + DescribeDevice(system, pnp));
            }
            parts.Insert(1, rows + " interface rows, " + withId + " with a PnP instance id");
            parts.Add("tree " + WalkDeviceTree());
            return string.Join("; ", parts);
        }

        /// <summary>
        /// The raw cfgmgr32 answers, CONFIGRET codes included (0 is CR_SUCCESS): the root located with an empty id,
        /// then the first devices below it (depth first, at most 24), each with its id, status and container.
        /// </summary>
        private static string WalkDeviceTree()
        {
            uint rc = DeviceTree.CM_Locate_DevNode(out uint root, "", 0);
            if (rc != 0) return "CM_Locate_DevNodeW(root) returned " + rc;
            var seen = new System.Collections.Generic.List<string>();
            var pending = new System.Collections.Generic.Stack<uint>();
            pending.Push(root);
            while (pending.Count > 0 && seen.Count < 24)
            {
                uint node = pending.Pop();
                var id = new byte[2 * 201];
                uint idRc = DeviceTree.CM_Get_Device_ID(node, id, 201, 0);
                string name = idRc == 0 ? Encoding.Unicode.GetString(id).Split('\0')[0] : "id rc " + idRc;
                uint statusRc = DeviceTree.CM_Get_DevNode_Status(out uint status, out _, node, 0);
                var key = new DeviceTree.DevPropKey { Category = new Guid("8c7ed206-3f8a-4827-b3ab-ae9e1faefc6c"), PropertyId = 2 };
                var buffer = new byte[16];
                int size = buffer.Length;
                uint containerRc = DeviceTree.CM_Get_DevNode_Property(node, ref key, out uint type, buffer, ref size, 0);
                seen.Add(name + " (status " + (statusRc == 0 ? "0x" + status.ToString("X8", CultureInfo.InvariantCulture) : "rc " + statusRc)
                    + ", container " + (containerRc == 0 && size == 16 ? new Guid(buffer).ToString("B") : "rc " + containerRc) + ")");
                if (DeviceTree.CM_Get_Sibling(out uint sibling, node, 0) == 0 && node != root) pending.Push(sibling);
                if (DeviceTree.CM_Get_Child(out uint child, node, 0) == 0) pending.Push(child);
            }
            return string.Join(", ", seen);
        }

        private static class DeviceTree
        {
            [DllImport("cfgmgr32.dll", EntryPoint = "CM_Locate_DevNodeW", CharSet = CharSet.Unicode)]
            public static extern uint CM_Locate_DevNode(out uint node, string deviceId, uint flags);

            [DllImport("cfgmgr32.dll")]
            public static extern uint CM_Get_DevNode_Status(out uint status, out uint problem, uint node, uint flags);

            [DllImport("cfgmgr32.dll")]
            public static extern uint CM_Get_Child(out uint child, uint node, uint flags);

            [DllImport("cfgmgr32.dll")]
            public static extern uint CM_Get_Sibling(out uint sibling, uint node, uint flags);

            [DllImport("cfgmgr32.dll", EntryPoint = "CM_Get_Device_IDW")]
            public static extern uint CM_Get_Device_ID(uint node, byte[] buffer, int length, uint flags);

            [DllImport("cfgmgr32.dll", EntryPoint = "CM_Get_DevNode_PropertyW")]
            public static extern uint CM_Get_DevNode_Property(uint node, ref DevPropKey key, out uint type, byte[] buffer, ref int size, uint flags);

            [StructLayout(LayoutKind.Sequential)]
            public struct DevPropKey
            {
                public Guid Category;
                public uint PropertyId;
            }
        }

        private static string DescribeDevice(HardwareFingerprint.IWindowsSystem system, string id)
        {
            uint? status = system.DeviceStatus(id);
            Guid? container = system.DeviceContainer(id);
            string? parent = system.DeviceParent(id);
            return "(status " + (status == null ? "none" : "0x" + status.Value.ToString("X8", CultureInfo.InvariantCulture))
                + ", container " + (container?.ToString("B") ?? "none") + ", parent " + (parent ?? "none") + ")";
        }

        private static async Task<long> WaitForHeartbeatAsync(HttpClient admin, string licenseKey)
        {
            var clock = Stopwatch.StartNew();
            while (clock.Elapsed < s_stepLimit)
            {
                string json = await admin.GetStringAsync("admin/licenses").ConfigureAwait(false);
                using (JsonDocument document = JsonDocument.Parse(json))
                {
                    foreach (JsonElement license in document.RootElement.GetProperty("licenses").EnumerateArray())
                    {
                        if (license.GetProperty("key").GetString() != licenseKey) continue;
                        long count = license.GetProperty("heartbeatCount").GetInt64();
                        if (count > 0) return count;
                    }
                }
                await Task.Delay(200).ConfigureAwait(false);
            }
            throw new TimeoutException("no heartbeat reached the server within " + s_stepLimit.TotalSeconds + " s");
        }

        private static async Task<T> WithTimeout<T>(Task<T> task, string what)
        {
            if (await Task.WhenAny(task, Task.Delay(s_stepLimit)).ConfigureAwait(false) != task)
                throw new TimeoutException("waited " + s_stepLimit.TotalSeconds + " s for " + what);
            return await task.ConfigureAwait(false);
        }

        private static string Time(Func<string?> read)
        {
            var clock = Stopwatch.StartNew();
            read();
            return clock.Elapsed.TotalMilliseconds.ToString("0.0", CultureInfo.InvariantCulture);
        }

        private static void Report(string name, string value) => Console.WriteLine("wineprobe: " + name + "=" + value);

        private static int Fail(string why)
        {
            Console.Error.WriteLine("wineprobe: FAIL: " + why);
            return 1;
        }
    }
}
