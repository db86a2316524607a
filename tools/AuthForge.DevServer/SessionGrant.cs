namespace AuthForge.DevServer
{
    /// <summary>A validate or heartbeat that succeeded: what the signed answer is built from.</summary>
    /// <param name="Claims">The session's token body.</param>
    /// <param name="Token">The session token to return: freshly issued, or the one the heartbeat presented.</param>
    /// <param name="License">The licence the session uses.</param>
    /// <param name="IsHeartbeat">Whether this answers a heartbeat (v2 signs those with the session's sigKey).</param>
    /// <param name="Now">The server time the request was decided at; the payload's <c>timestamp</c>.</param>
    internal sealed record SessionGrant(SessionClaims Claims, string Token, LicenseState License, bool IsHeartbeat, System.DateTimeOffset Now);
}
