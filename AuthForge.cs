// AuthForge.cs — the AuthForge licence client for .NET, in one drop-in file (work in progress).
using System;

namespace AuthForge
{
    /// <summary>How a logged-in client keeps its session alive.</summary>
    public enum HeartbeatMode
    {
        /// <summary>Calls the server every heartbeat interval and renews the signed session.</summary>
        Server = 0,
        /// <summary>Re-verifies the stored signed session locally, without network calls, until it expires.</summary>
        Local = 1,
    }
}
