namespace AuthForge.DevServer
{
    /// <summary>What a session token body says. It never carries the app secret.</summary>
    /// <param name="AppId">The application the session belongs to.</param>
    /// <param name="LicenseKey">The licence validated.</param>
    /// <param name="Hwid">The hardware id that validated; heartbeats must come from it.</param>
    /// <param name="SigKey">The per-session HMAC secret for v2 heartbeats; null in v1.</param>
    /// <param name="ExpiresIn">Unix seconds when the session ends (written as <c>exp</c> in v3 tokens, <c>expiresIn</c> in
    /// v1/v2); null only in a deliberately faulty token.</param>
    /// <param name="Sid">The session's serial number, increasing per server; used to expire every older session at once.</param>
    internal sealed record SessionClaims(string AppId, string LicenseKey, string Hwid, string? SigKey, long? ExpiresIn, long Sid);
}
