using System;
using System.Collections.Generic;

namespace AuthForge.DevServer
{
    /// <summary>A consistent snapshot of one licence's state on the server.</summary>
    /// <param name="Key">The licence key.</param>
    /// <param name="Label">Its label, if any.</param>
    /// <param name="Credits">Credits left.</param>
    /// <param name="MaxHwidSlots">How many distinct hardware ids may use it.</param>
    /// <param name="ExpiresAt">When it expires; null for never.</param>
    /// <param name="Revoked">Whether it is revoked.</param>
    /// <param name="BoundHwids">The hardware ids holding its slots, in the order they were bound.</param>
    /// <param name="ValidateCount">Successful validates.</param>
    /// <param name="HeartbeatCount">Successful heartbeats.</param>
    public sealed record DevLicenseStatus(
        string Key,
        string? Label,
        long Credits,
        int MaxHwidSlots,
        DateTimeOffset? ExpiresAt,
        bool Revoked,
        IReadOnlyList<string> BoundHwids,
        long ValidateCount,
        long HeartbeatCount);
}
