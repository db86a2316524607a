using System;
using System.Collections.Concurrent;
using System.Collections.Generic;
using System.Linq;

namespace AuthForge.DevServer
{
    /// <summary>The licences the server knows, by key (ordinal).</summary>
    internal sealed class LicenseStore
    {
        private readonly ConcurrentDictionary<string, LicenseState> _licenses = new(StringComparer.Ordinal);

        /// <summary>Adds the licence, or replaces one with the same key (fresh credits, slots and counters).</summary>
        /// <returns>True when the key was new.</returns>
        public bool AddOrReplace(DevLicense license)
        {
            var state = new LicenseState(license);
            bool added = true;
            _licenses.AddOrUpdate(state.Key, state, (_, _) =>
            {
                added = false;
                return state;
            });
            return added;
        }

        public bool TryGet(string key, out LicenseState license) => _licenses.TryGetValue(key, out license!);

        /// <summary>Forgets the licence: validates get <c>invalid_key</c>, and so do heartbeats of its open sessions.</summary>
        public bool TryRemove(string key, out LicenseState license) => _licenses.TryRemove(key, out license!);

        public IReadOnlyList<DevLicenseStatus> Snapshot() =>
            _licenses.Values.Select(l => l.Snapshot()).OrderBy(s => s.Key, StringComparer.Ordinal).ToArray();
    }
}
