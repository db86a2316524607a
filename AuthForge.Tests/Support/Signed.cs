using System;
using System.Text;

namespace AuthForge.Tests.Support
{
    /// <summary>Builds HMAC-signed response bodies the way an AuthForge v1/v2 server does, for pure protocol tests.</summary>
    internal static class Signed
    {
        public static string Base64Json(string json) => Convert.ToBase64String(Encoding.UTF8.GetBytes(json));

        public static string Base64UrlJson(string json) =>
            Base64Json(json).TrimEnd('=').Replace('+', '-').Replace('/', '_');

        /// <summary>lowercase hex HMAC-SHA256(SHA256(secret ‖ nonce), payloadText).</summary>
        public static string HmacHex(string secret, string nonce, string payloadText) =>
            Hex.Encode(HmacSignatureVerifier.Sign(
                HmacSignatureVerifier.DeriveKey(Encoding.UTF8.GetBytes(secret), nonce), Encoding.UTF8.GetBytes(payloadText)));

        public static byte[] Envelope(string payloadText, string signature, string status = "\"ok\"") =>
            Encoding.UTF8.GetBytes("{\"status\":" + status + ",\"payload\":\"" + payloadText + "\",\"signature\":\"" + signature + "\"}");

        /// <summary>A token of the form base64url(body).base64url(mac); the client reads only the body.</summary>
        public static string Token(string bodyJson) => Base64UrlJson(bodyJson) + ".c2VydmVyLW1hYw";
    }
}
