// STAGING: the fingerprint section of AuthForge.cs, developed here and merged into the single file.
using System;

namespace AuthForge
{
    /// <summary>This machine's hardware id: SHA-256 of "mac:…|cpu:…|disk:…", computed at most once per process.</summary>
    internal static class HardwareFingerprint
    {
        /// <summary>The lowercase hex HWID; the first call probes the hardware, later calls return the cached value.</summary>
        public static string Current => throw new NotImplementedException();
        /// <summary>How many times this process has probed the hardware (0 or 1): lets tests prove the cache.</summary>
        public static int ProbeCount => throw new NotImplementedException();
        /// <summary>Pure: applies the PROTOCOL.md fallbacks to empty parts and hashes the composed text.</summary>
        public static string Compose(string? mac, string? cpu, string? disk) => throw new NotImplementedException();
    }
}
