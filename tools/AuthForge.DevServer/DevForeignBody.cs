namespace AuthForge.DevServer
{
    /// <summary>
    /// The body of a <see cref="DevFaultKind.Foreign"/> answer. The wire name used by <c>POST /admin/faults</c>
    /// (<c>"body"</c>) is given for each member.
    /// </summary>
    public enum DevForeignBody
    {
        /// <summary><c>html</c>: a captive portal's sign-in page (text/html).</summary>
        Html,

        /// <summary><c>empty</c>: no body at all (Content-Length 0), as redirects and proxies often send.</summary>
        Empty,

        /// <summary>
        /// <c>json</c>: a web firewall's JSON, <c>{"status":"error","error":"Access denied by the network policy.","code":403}</c>:
        /// it says "error", but its error is a sentence, not one of the server's codes.
        /// </summary>
        Json,

        /// <summary><c>text</c>: a proxy's plain-text refusal (text/plain).</summary>
        Text,
    }
}
