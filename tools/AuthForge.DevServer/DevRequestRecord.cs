using System;

namespace AuthForge.DevServer
{
    /// <summary>One <c>/auth/*</c> request as the server recorded it.</summary>
    /// <param name="Time">When it arrived, by the server's clock.</param>
    /// <param name="Path">The request path, e.g. <c>/auth/heartbeat</c>.</param>
    /// <param name="Nonce">The request's <c>nonce</c>, if it had one.</param>
    /// <param name="LicenseKey">The licence key it named: <c>licenseKey</c>, or as claimed by its session token.</param>
    /// <param name="Hwid">The request's <c>hwid</c>, if it had one.</param>
    /// <param name="RemoteAddress">The client's IP address.</param>
    /// <param name="StatusCode">The HTTP status answered; 0 while still in progress or when no response was sent.</param>
    /// <param name="Error">The error code answered, if any.</param>
    /// <param name="Fault">The wire name of the fault applied, if any.</param>
    public sealed record DevRequestRecord(
        DateTimeOffset Time,
        string Path,
        string? Nonce,
        string? LicenseKey,
        string? Hwid,
        string? RemoteAddress,
        int StatusCode,
        string? Error,
        string? Fault);
}
