using System;
using System.Collections.Generic;
using System.Threading;

namespace AuthForge.DevServer
{
    /// <summary>
    /// Queued <see cref="DevFault"/>s, consumed in order by matching <c>/auth/*</c> requests: same path when the fault
    /// names one, same licence and hardware id when it is scoped to them.
    /// </summary>
    internal sealed class FaultQueue
    {
        private readonly object _gate = new();
        private readonly List<Pending> _pending = new();

        // Read without the lock on every request: with no faults queued (the benchmark case) nothing is locked.
        private int _count;

        public void Add(DevFault fault)
        {
            ArgumentNullException.ThrowIfNull(fault);
            if (fault.Count == 0 || fault.Count < -1)
            {
                throw new ArgumentOutOfRangeException(nameof(fault), fault.Count, "Count must be positive, or -1 for until cleared.");
            }

            if (fault.Kind == DevFaultKind.Delay && fault.DelayMs < 0)
            {
                throw new ArgumentOutOfRangeException(nameof(fault), fault.DelayMs, "DelayMs must not be negative.");
            }

            if (fault.Kind is DevFaultKind.Status or DevFaultKind.Foreign && (fault.Status < 100 || fault.Status > 599))
            {
                throw new ArgumentOutOfRangeException(nameof(fault), fault.Status, "Status must be an HTTP status code (100-599).");
            }

            // Copy: the caller may reuse its object, and the queue must not change under a request.
            var copy = new DevFault(fault.Kind)
            {
                Count = fault.Count,
                Path = fault.Path,
                DelayMs = fault.DelayMs,
                Status = fault.Status,
                Error = fault.Error,
                Body = fault.Body,
                Hwid = fault.Hwid,
                LicenseKey = fault.LicenseKey,
            };
            lock (_gate)
            {
                _pending.Add(new Pending(copy, fault.Count));
                Volatile.Write(ref _count, _pending.Count);
            }
        }

        /// <summary>
        /// Takes one use of the first queued fault matching the request's <paramref name="path"/>, and its
        /// <paramref name="licenseKey"/> and <paramref name="hwid"/> where the fault is scoped to them; null when none does.
        /// </summary>
        public DevFault? TryTake(string path, string? licenseKey = null, string? hwid = null)
        {
            if (Volatile.Read(ref _count) == 0)
            {
                return null;
            }

            lock (_gate)
            {
                for (int i = 0; i < _pending.Count; i++)
                {
                    Pending pending = _pending[i];
                    if (!Matches(pending.Fault, path, licenseKey, hwid))
                    {
                        continue;
                    }

                    if (pending.Remaining > 0 && --pending.Remaining == 0)
                    {
                        _pending.RemoveAt(i);
                        Volatile.Write(ref _count, _pending.Count);
                    }

                    return pending.Fault;
                }
            }

            return null;
        }

        public void Clear()
        {
            lock (_gate)
            {
                _pending.Clear();
                Volatile.Write(ref _count, 0);
            }
        }

        private static bool Matches(DevFault fault, string path, string? licenseKey, string? hwid) =>
            (fault.Path is null || string.Equals(fault.Path, path, StringComparison.Ordinal))
            && (fault.LicenseKey is null || string.Equals(fault.LicenseKey, licenseKey, StringComparison.Ordinal))
            && (fault.Hwid is null || string.Equals(fault.Hwid, hwid, StringComparison.Ordinal));

        private sealed class Pending(DevFault fault, int remaining)
        {
            public DevFault Fault { get; } = fault;

            /// <summary>Uses left; -1 for unlimited.</summary>
            public int Remaining { get; set; } = remaining;
        }
    }
}
