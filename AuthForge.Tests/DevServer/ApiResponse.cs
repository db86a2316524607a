using System;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using Xunit;

namespace AuthForge.Tests.DevServer
{
    /// <summary>An answer as the wire delivered it, with helpers to read the envelope, payload and token.</summary>
    public sealed class ApiResponse
    {
        public ApiResponse(int status, string? mediaType, string body, string? sentNonce)
        {
            Status = status;
            MediaType = mediaType;
            Body = body;
            SentNonce = sentNonce;
        }

        public int Status { get; }

        public string? MediaType { get; }

        public string Body { get; }

        /// <summary>The nonce the request carried.</summary>
        public string? SentNonce { get; }

        public JsonElement Json => JsonDocument.Parse(Body).RootElement.Clone();

        public string? Error => Member(Json, "error");

        public string? Payload => Member(Json, "payload");

        public string? Signature => Member(Json, "signature");

        public string? KeyId => Member(Json, "keyId");

        /// <summary>The decoded payload object.</summary>
        public JsonElement PayloadJson => JsonDocument.Parse(Convert.FromBase64String(Payload!)).RootElement.Clone();

        public string SessionToken => PayloadJson.GetProperty("sessionToken").GetString()!;

        /// <summary>The session token's body: the part before the dot, base64url-decoded.</summary>
        public JsonElement TokenBody => DecodeTokenBody(SessionToken);

        public static JsonElement DecodeTokenBody(string token)
        {
            string part = token.Split('.')[0].Replace('-', '+').Replace('_', '/');
            part = part.PadRight(part.Length + ((4 - (part.Length % 4)) % 4), '=');
            return JsonDocument.Parse(Convert.FromBase64String(part)).RootElement.Clone();
        }

        /// <summary>
        /// The v1/v2 rule, computed here independently of the server: lowercase hex
        /// HMAC-SHA256(SHA256(secret ‖ nonce), payload text as received).
        /// </summary>
        public static string ExpectedHmac(string secret, string nonce, string payloadText)
        {
            byte[] key = SHA256.HashData(Encoding.UTF8.GetBytes(secret + nonce));
            return Convert.ToHexStringLower(HMACSHA256.HashData(key, Encoding.ASCII.GetBytes(payloadText)));
        }

        public void AssertOk()
        {
            Assert.True(Status == 200, $"expected 200, got {Status}: {Body}");
            Assert.Equal("ok", Member(Json, "status"));
        }

        public void AssertError(int status, string code)
        {
            Assert.True(Status == status && Error == code, $"expected {status} {code}, got {Status}: {Body}");
            Assert.Equal("error", Member(Json, "status"));
        }

        private static string? Member(JsonElement obj, string name) =>
            obj.ValueKind == JsonValueKind.Object && obj.TryGetProperty(name, out JsonElement v) && v.ValueKind == JsonValueKind.String
                ? v.GetString() : null;
    }
}
