namespace AuthForge.DevServer
{
    /// <summary>A queued fault: <see cref="Kind"/> shown by the next <see cref="Count"/> matching requests.</summary>
    /// <remarks>
    /// Faults are consumed in the order they were added; a request consumes at most one. The request is recorded in
    /// the request log before the fault is applied. A fault scoped with <see cref="Hwid"/> or <see cref="LicenseKey"/>
    /// is taken only by requests of that machine or licence, so on a server shared by several clients (parallel tests,
    /// a second app) a fault queued for one client is never taken by another.
    /// </remarks>
    public sealed class DevFault
    {
        /// <summary>Creates a fault of the given kind that applies once to any <c>/auth/*</c> request.</summary>
        /// <param name="kind">What the server does instead of, or to, its normal answer.</param>
        public DevFault(DevFaultKind kind)
        {
            Kind = kind;
        }

        /// <summary>What the server does instead of, or to, its normal answer.</summary>
        public DevFaultKind Kind { get; }

        /// <summary>How many matching requests the fault applies to; -1 for every one until faults are cleared. Default 1.</summary>
        public int Count { get; set; } = 1;

        /// <summary>The exact request path it applies to (e.g. <c>/auth/validate</c>); null for any <c>/auth/*</c> path.</summary>
        public string? Path { get; set; }

        /// <summary>
        /// Only requests that send this hardware id (the <c>hwid</c> member of the body) take the fault; null for any.
        /// </summary>
        public string? Hwid { get; set; }

        /// <summary>
        /// Only requests for this licence take the fault: the <c>licenseKey</c> member of a validate, or the licence a
        /// heartbeat's or selfban's session token was issued for; null for any.
        /// </summary>
        public string? LicenseKey { get; set; }

        /// <summary>For <see cref="DevFaultKind.Delay"/>: how long to wait, in milliseconds.</summary>
        public int DelayMs { get; set; }

        /// <summary>For <see cref="DevFaultKind.Status"/> and <see cref="DevFaultKind.Foreign"/>: the HTTP status to
        /// answer with. Default 500.</summary>
        public int Status { get; set; } = 500;

        /// <summary>For <see cref="DevFaultKind.Foreign"/>: what the foreign answer's body is. Default an HTML page.</summary>
        public DevForeignBody Body { get; set; } = DevForeignBody.Html;

        /// <summary>For <see cref="DevFaultKind.Status"/>: the error code in the body; null for none.</summary>
        public string? Error { get; set; }
    }
}
