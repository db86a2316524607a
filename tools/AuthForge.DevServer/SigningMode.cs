namespace AuthForge.DevServer
{
    /// <summary>Which protocol generation the server signs its responses with (see PROTOCOL.md).</summary>
    public enum SigningMode
    {
        /// <summary>
        /// v1: validate and heartbeat responses are HMAC-SHA256 signed with the key SHA256(appSecret ‖ nonce).
        /// </summary>
        HmacV1 = 1,

        /// <summary>
        /// v2: validate as v1; heartbeat responses are signed with SHA256(sigKey ‖ nonce), where <c>sigKey</c> is a
        /// random per-session secret carried in the session token body.
        /// </summary>
        HmacV2 = 2,

        /// <summary>
        /// v3: every response is Ed25519-signed by the server's current key over the payload's base64 text, and names
        /// the key in <c>keyId</c>.
        /// </summary>
        Ed25519 = 3,
    }
}
