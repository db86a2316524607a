using System;
using System.Diagnostics;
using System.Globalization;
using System.IO;
using System.Threading.Tasks;

namespace AuthForge.Tests.Support
{
    /// <summary>
    /// Established TCP connections to a local port, read from the kernel's tables (Linux). Each test server has its
    /// own ephemeral port, so the count is exactly the connections clients hold open to that server.
    /// </summary>
    internal static class TcpConnections
    {
        private const string Established = "01";

        /// <summary>Whether the kernel's tables can be read here; elsewhere the socket assertions are skipped.</summary>
        public static bool IsSupported => OperatingSystem.IsLinux() && File.Exists("/proc/net/tcp");

        /// <summary>Client-side sockets in state ESTABLISHED whose remote port is <paramref name="port"/>.</summary>
        public static int CountEstablishedTo(int port)
        {
            int count = 0;
            // .NET opens dual-mode sockets, so a connection to 127.0.0.1 may be listed in tcp6 as ::ffff:127.0.0.1.
            foreach (string table in new[] { "/proc/net/tcp", "/proc/net/tcp6" })
            {
                string[] lines;
                try
                {
                    lines = File.ReadAllLines(table);
                }
                catch (IOException)
                {
                    continue;
                }

                for (int i = 1; i < lines.Length; i++)
                {
                    // "sl local_address rem_address st ...", addresses as HEXIP:HEXPORT.
                    string[] fields = lines[i].Split(' ', StringSplitOptions.RemoveEmptyEntries);
                    if (fields.Length > 3 && fields[3] == Established && PortOf(fields[2]) == port) count++;
                }
            }
            return count;
        }

        /// <summary>
        /// Polls (the kernel gives no signal for a socket closing) until at most <paramref name="max"/> connections to
        /// <paramref name="port"/> remain or <paramref name="timeout"/> passes; returns the last count.
        /// </summary>
        public static async Task<int> WaitForAtMostAsync(int port, int max, TimeSpan timeout)
        {
            var watch = Stopwatch.StartNew();
            while (true)
            {
                int count = CountEstablishedTo(port);
                if (count <= max || watch.Elapsed > timeout) return count;
                await Task.Delay(20).ConfigureAwait(false);
            }
        }

        private static int PortOf(string address)
        {
            int colon = address.LastIndexOf(':');
            return colon < 0 ? -1 : int.Parse(address.AsSpan(colon + 1), NumberStyles.HexNumber, CultureInfo.InvariantCulture);
        }
    }
}
