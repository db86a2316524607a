using System.Collections.Concurrent;
using System.Collections.Generic;
using System.Linq;
using System.Net;

namespace AuthForge.DevServer
{
    /// <summary>Hardware ids and IP addresses banned by <c>/auth/selfban</c>; requests from them get <c>blocked</c>.</summary>
    internal sealed class Blacklist
    {
        private readonly ConcurrentDictionary<string, byte> _hwids = new(System.StringComparer.Ordinal);
        private readonly ConcurrentDictionary<IPAddress, byte> _addresses = new();

        public IReadOnlyList<string> Hwids => _hwids.Keys.OrderBy(h => h, System.StringComparer.Ordinal).ToArray();

        public IReadOnlyList<string> Addresses => _addresses.Keys.Select(a => a.ToString()).Order(System.StringComparer.Ordinal).ToArray();

        public void AddHwid(string hwid) => _hwids.TryAdd(hwid, 0);

        public void AddAddress(IPAddress? address)
        {
            if (address is not null)
            {
                _addresses.TryAdd(address, 0);
            }
        }

        /// <summary>Whether either the hardware id or the address is banned.</summary>
        public bool IsBlocked(string? hwid, IPAddress? address)
        {
            return (hwid is not null && _hwids.ContainsKey(hwid))
                || (address is not null && _addresses.ContainsKey(address));
        }

        public void Clear()
        {
            _hwids.Clear();
            _addresses.Clear();
        }
    }
}
