namespace AuthForge.DevServer
{
    /// <summary>
    /// A misbehaviour the server can be told to show on its next matching <c>/auth/*</c> request(s).
    /// The wire name used by <c>POST /admin/faults</c> is given for each member.
    /// </summary>
    /// <remarks>
    /// Kinds that replace the answer (drop, html500, status, rate limits, endless, huge, non_json, json_array,
    /// error_in_200, foreign, replay) do not process the request: no nonce is remembered and no credit is spent. The others
    /// process it normally and then bend the answer.
    /// </remarks>
    public enum DevFaultKind
    {
        /// <summary><c>drop</c>: abort the connection without a response.</summary>
        Drop,

        /// <summary><c>delay</c>: wait <see cref="DevFault.DelayMs"/> (real time), then answer normally.</summary>
        Delay,

        /// <summary><c>html500</c>: HTTP 500 with a text/html body.</summary>
        Html500,

        /// <summary>
        /// <c>status</c>: HTTP <see cref="DevFault.Status"/> with <c>{"status":"error","error":code}</c>, the code
        /// taken from <see cref="DevFault.Error"/> (omitted when null).
        /// </summary>
        Status,

        /// <summary><c>rate_limit</c>: HTTP 429 with <c>{"status":"error","error":"rate_limited"}</c>.</summary>
        RateLimit,

        /// <summary><c>rate_limit_200</c>: HTTP 200 with <c>{"status":"error","error":"rate_limited"}</c>.</summary>
        RateLimit200,

        /// <summary>
        /// <c>truncate</c>: the real response's headers with its full Content-Length, the first half of its body, then
        /// a connection abort.
        /// </summary>
        Truncate,

        /// <summary><c>endless</c>: HTTP 200 and a JSON-looking body that never ends, until the client goes away.</summary>
        Endless,

        /// <summary><c>huge</c>: HTTP 200 and a 100 MiB JSON-looking body, streamed (chunked, no Content-Length).</summary>
        Huge,

        /// <summary><c>non_json</c>: HTTP 200 with the body <c>hello</c>.</summary>
        NonJson,

        /// <summary><c>json_array</c>: HTTP 200 with the body <c>[1,2,3]</c>.</summary>
        JsonArray,

        /// <summary><c>missing_payload</c>: HTTP 200, <c>"status":"ok"</c> and a signature, but no payload.</summary>
        MissingPayload,

        /// <summary><c>error_in_200</c>: HTTP 200 with <c>{"status":"error","error":"invalid_key"}</c>.</summary>
        ErrorIn200,

        /// <summary><c>tamper_signature</c>: a valid response with one character of the signature changed.</summary>
        TamperSignature,

        /// <summary>
        /// <c>tamper_payload</c>: the payload is altered after signing (its <c>expiresIn</c> moved a year on) and the
        /// original signature kept.
        /// </summary>
        TamperPayload,

        /// <summary><c>wrong_nonce</c>: the payload carries a different nonce and is signed correctly.</summary>
        WrongNonce,

        /// <summary><c>missing_session_token</c>: the payload has no <c>sessionToken</c> and is signed correctly.</summary>
        MissingSessionToken,

        /// <summary>
        /// <c>missing_expires</c>: neither the payload nor the session token body carries <c>expiresIn</c> (nor
        /// <c>sessionExpiresAt</c>), signed correctly.
        /// </summary>
        MissingExpires,

        /// <summary>
        /// <c>wrong_key</c>: signed by a key the client does not trust: a fresh Ed25519 key in v3, a wrong HMAC secret
        /// in v1/v2.
        /// </summary>
        WrongKey,

        /// <summary>
        /// <c>replay</c>: re-send the previous successful response body of the same endpoint verbatim; answers normally
        /// when there has been none yet.
        /// </summary>
        Replay,

        /// <summary>
        /// <c>foreign</c>: an answer that is not the AuthForge server's, as a captive portal, a proxy or a web firewall
        /// gives: HTTP <see cref="DevFault.Status"/> with the body <see cref="DevFault.Body"/>. A 3xx carries
        /// <c>Location: http://portal.invalid/login</c>, a 407 <c>Proxy-Authenticate: Basic realm="proxy"</c>.
        /// </summary>
        Foreign,
    }
}
