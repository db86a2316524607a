using System;
using System.Buffers.Text;
using System.Globalization;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;

namespace AuthForge.DevServer
{
    /// <summary>
    /// Issues and checks session tokens: <c>base64url(compact JSON body) "." base64url(HMAC-SHA256(serverSecret, body))</c>.
    /// </summary>
    /// <remarks>
    /// The body is readable by the client (it finds <c>expiresIn</c> and, in v2, <c>sigKey</c> there) but only this
    /// server can mint one, because the MAC key is a random secret of the server instance.
    /// </remarks>
    internal sealed class SessionTokenCodec
    {
        /// <summary>Longest token accepted; real ones are a few hundred characters.</summary>
        private const int MaxTokenLength = 4096;

        private readonly byte[] _serverSecret;
        private readonly bool _expiryAsExp;

        /// <param name="serverSecret">The MAC key, random per server instance.</param>
        /// <param name="expiryAsExp">Write the session end as <c>exp</c> (v3, as the hosted service does) instead of
        /// <c>expiresIn</c> (v1/v2, as their vectors show).</param>
        public SessionTokenCodec(byte[] serverSecret, bool expiryAsExp = false)
        {
            ArgumentNullException.ThrowIfNull(serverSecret);
            _serverSecret = serverSecret;
            _expiryAsExp = expiryAsExp;
        }

        /// <summary>Body members in the order the reference vectors use (the identity the session is bound to, the v2
        /// <c>sigKey</c>, the session end), then <c>sid</c>.</summary>
        public string Issue(SessionClaims claims)
        {
            string expiryName = _expiryAsExp ? "exp" : "expiresIn";
            byte[] body = JsonText.Write((claims, expiryName), static (writer, s) =>
            {
                SessionClaims c = s.claims;
                writer.WriteStartObject();
                writer.WriteString("appId", c.AppId);
                writer.WriteString("licenseKey", c.LicenseKey);
                writer.WriteString("hwid", c.Hwid);
                if (c.SigKey is not null)
                {
                    writer.WriteString("sigKey", c.SigKey);
                }

                if (c.ExpiresIn is { } expiresIn)
                {
                    writer.WriteNumber(s.expiryName, expiresIn);
                }

                writer.WriteString("sid", c.Sid.ToString(CultureInfo.InvariantCulture));
                writer.WriteEndObject();
            });
            Span<byte> mac = stackalloc byte[HMACSHA256.HashSizeInBytes];
            HMACSHA256.HashData(_serverSecret, body, mac);
            return string.Concat(Base64Url.EncodeToString(body), ".", Base64Url.EncodeToString(mac));
        }

        /// <summary>Checks the MAC (in constant time) and reads the body; false for anything this server did not issue.</summary>
        public bool TryRead(string token, out SessionClaims claims)
        {
            claims = null!;
            if (token.Length > MaxTokenLength)
            {
                return false;
            }

            int dot = token.IndexOf('.');
            if (dot <= 0 || dot != token.LastIndexOf('.'))
            {
                return false;
            }

            if (!TryDecode(token.AsSpan(0, dot), out byte[] body) || !TryDecode(token.AsSpan(dot + 1), out byte[] mac))
            {
                return false;
            }

            Span<byte> expected = stackalloc byte[HMACSHA256.HashSizeInBytes];
            HMACSHA256.HashData(_serverSecret, body, expected);
            if (!CryptographicOperations.FixedTimeEquals(expected, mac))
            {
                return false;
            }

            return TryParseBody(body, out claims);
        }

        /// <summary>
        /// Reads a token body without checking its MAC: only to name the licence a request claims in the request log.
        /// </summary>
        public static string? PeekLicenseKey(string token)
        {
            int dot = token.IndexOf('.');
            if (dot <= 0 || token.Length > MaxTokenLength || !TryDecode(token.AsSpan(0, dot), out byte[] body))
            {
                return null;
            }

            try
            {
                using JsonDocument document = JsonDocument.Parse(body);
                return document.RootElement.ValueKind == JsonValueKind.Object
                    && document.RootElement.TryGetProperty("licenseKey", out JsonElement key)
                    && key.ValueKind == JsonValueKind.String ? key.GetString() : null;
            }
            catch (JsonException)
            {
                return null;
            }
        }

        private static bool TryDecode(ReadOnlySpan<char> text, out byte[] bytes)
        {
            // TryDecodeFromChars only reports a short destination; it throws on bad input, so check first.
            if (!Base64Url.IsValid(text))
            {
                bytes = [];
                return false;
            }

            bytes = Base64Url.DecodeFromChars(text);
            return true;
        }

        private static long? ReadSeconds(JsonElement obj, string name) =>
            obj.TryGetProperty(name, out JsonElement e) && e.ValueKind == JsonValueKind.Number && e.TryGetInt64(out long value) ? value : null;

        private static bool TryParseBody(byte[] body, out SessionClaims claims)
        {
            claims = null!;
            try
            {
                using JsonDocument document = JsonDocument.Parse(body);
                JsonElement root = document.RootElement;
                if (root.ValueKind != JsonValueKind.Object
                    || ReadString(root, "appId") is not { } appId
                    || ReadString(root, "licenseKey") is not { } licenseKey
                    || ReadString(root, "hwid") is not { } hwid
                    || !long.TryParse(ReadString(root, "sid"), NumberStyles.None, CultureInfo.InvariantCulture, out long sid))
                {
                    return false;
                }

                long? expiresIn = ReadSeconds(root, "exp") ?? ReadSeconds(root, "expiresIn");
                claims = new SessionClaims(appId, licenseKey, hwid, ReadString(root, "sigKey"), expiresIn, sid);
                return true;
            }
            catch (JsonException)
            {
                return false;
            }
        }

        private static string? ReadString(JsonElement obj, string name) =>
            obj.TryGetProperty(name, out JsonElement value) && value.ValueKind == JsonValueKind.String ? value.GetString() : null;
    }
}
