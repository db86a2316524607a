using System;
using System.Security.Cryptography;
using System.Text;

namespace AuthForge.DevServer
{
    /// <summary>The v1/v2 response signature: lowercase hex HMAC-SHA256(SHA256(secret ‖ nonce), payload text).</summary>
    internal static class HmacSigning
    {
        /// <summary>Signs the payload's base64 text (its ASCII bytes, never the decoded JSON).</summary>
        /// <param name="secret">The appSecret (v1, v2 validate) or the session's sigKey (v2 heartbeat).</param>
        /// <param name="nonce">The nonce of the request being answered.</param>
        /// <param name="payloadText">The payload exactly as it is sent.</param>
        public static string Sign(string secret, string nonce, string payloadText)
        {
            Span<byte> key = stackalloc byte[SHA256.HashSizeInBytes];
            DeriveKey(secret, nonce, key);
            Span<byte> mac = stackalloc byte[HMACSHA256.HashSizeInBytes];
            HMACSHA256.HashData(key, Encoding.ASCII.GetBytes(payloadText), mac);
            return Convert.ToHexStringLower(mac);
        }

        /// <summary>The derived key SHA256(UTF-8(secret ‖ nonce)).</summary>
        public static void DeriveKey(string secret, string nonce, Span<byte> destination)
        {
            SHA256.HashData(Encoding.UTF8.GetBytes(string.Concat(secret, nonce)), destination);
        }
    }
}
