using System;
using System.Collections.Generic;

namespace AuthForge.DevServer
{
    /// <summary>
    /// One licence's live state. The fixed settings are read freely; credits, slots, revocation and counters change
    /// together under the licence's own lock, so concurrent sessions of one licence never see or spend a credit twice,
    /// and sessions of different licences never contend.
    /// </summary>
    internal sealed class LicenseState
    {
        /// <summary>Successful heartbeats per credit.</summary>
        public const int HeartbeatsPerCredit = 10;

        private readonly object _gate = new();
        // Membership is checked on every validate; a benchmark licence may hold thousands of slots.
        private readonly HashSet<string> _hwidSet = new(StringComparer.Ordinal);
        private readonly List<string> _hwids = new();
        private long _credits;
        private bool _revoked;
        private long _validateCount;
        private long _heartbeatCount;

        public LicenseState(DevLicense license)
        {
            ArgumentNullException.ThrowIfNull(license);
            if (string.IsNullOrEmpty(license.Key))
            {
                throw new ArgumentException("A licence needs a non-empty Key.", nameof(license));
            }

            if (license.MaxHwidSlots < 1)
            {
                throw new ArgumentOutOfRangeException(nameof(license), license.MaxHwidSlots, "MaxHwidSlots must be at least 1.");
            }

            if (license.Credits < 0)
            {
                throw new ArgumentOutOfRangeException(nameof(license), license.Credits, "Credits must not be negative.");
            }

            Key = license.Key;
            Label = license.Label;
            MaxHwidSlots = license.MaxHwidSlots;
            ExpiresAt = license.ExpiresAt;
            VariablesJson = JsonText.SerializeVariables(license.Variables, nameof(license));
            _credits = license.Credits;
        }

        public string Key { get; }

        public string? Label { get; }

        public int MaxHwidSlots { get; }

        public DateTimeOffset? ExpiresAt { get; }

        /// <summary><c>licenseVariables</c> as compact JSON, serialized once.</summary>
        public string VariablesJson { get; }

        public int HwidCount
        {
            get
            {
                lock (_gate)
                {
                    return _hwids.Count;
                }
            }
        }

        /// <summary>
        /// Admits a validate from <paramref name="hwid"/>: takes a free slot for a new hwid and spends one credit.
        /// Nothing changes when it is refused.
        /// </summary>
        public AuthError? TryValidate(string hwid, DateTimeOffset now)
        {
            lock (_gate)
            {
                if (CheckUsable(now) is { } error)
                {
                    return error;
                }

                bool bound = _hwidSet.Contains(hwid);
                if (!bound && _hwids.Count >= MaxHwidSlots)
                {
                    return AuthError.HwidMismatch;
                }

                if (_credits <= 0)
                {
                    return AuthError.NoCredits;
                }

                _credits--;
                _validateCount++;
                if (!bound)
                {
                    _hwidSet.Add(hwid);
                    _hwids.Add(hwid);
                }

                return null;
            }
        }

        /// <summary>Admits a heartbeat; every tenth one spends a credit, and is refused when none is left.</summary>
        public AuthError? TryHeartbeat(DateTimeOffset now)
        {
            lock (_gate)
            {
                if (CheckUsable(now) is { } error)
                {
                    return error;
                }

                long next = _heartbeatCount + 1;
                if (next % HeartbeatsPerCredit == 0)
                {
                    if (_credits <= 0)
                    {
                        return AuthError.NoCredits;
                    }

                    _credits--;
                }

                _heartbeatCount = next;
                return null;
            }
        }

        /// <summary>Unbinds every hardware id, so the next validates take slots afresh (sessions already open go on).</summary>
        public void ResetHwids()
        {
            lock (_gate)
            {
                _hwids.Clear();
                _hwidSet.Clear();
            }
        }

        public void SetRevoked(bool revoked)
        {
            lock (_gate)
            {
                _revoked = revoked;
            }
        }

        public DevLicenseStatus Snapshot()
        {
            lock (_gate)
            {
                return new DevLicenseStatus(Key, Label, _credits, MaxHwidSlots, ExpiresAt, _revoked, _hwids.ToArray(), _validateCount, _heartbeatCount);
            }
        }

        private AuthError? CheckUsable(DateTimeOffset now)
        {
            if (_revoked)
            {
                return AuthError.Revoked;
            }

            if (ExpiresAt is { } expiresAt && expiresAt <= now)
            {
                return AuthError.Expired;
            }

            return null;
        }
    }
}
