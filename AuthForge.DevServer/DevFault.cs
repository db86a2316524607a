namespace AuthForge.DevServer
{
    /// <summary>A queued fault: <see cref="Kind"/> shown by the next <see cref="Count"/> matching requests.</summary>
    /// <remarks>
    /// Faults are consumed in the order they were added; a request consumes at most one. The request is recorded in
    /// the request log before the fault is applied.
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

        /// <summary>For <see cref="DevFaultKind.Delay"/>: how long to wait, in milliseconds.</summary>
        public int DelayMs { get; set; }

        /// <summary>For <see cref="DevFaultKind.Status"/>: the HTTP status to answer with. Default 500.</summary>
        public int Status { get; set; } = 500;

        /// <summary>For <see cref="DevFaultKind.Status"/>: the error code in the body; null for none.</summary>
        public string? Error { get; set; }
    }
}
