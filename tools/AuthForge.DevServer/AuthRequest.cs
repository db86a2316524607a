using System;
using System.Text.Json;

namespace AuthForge.DevServer
{
    /// <summary>
    /// The fields of an <c>/auth/*</c> request body. Unknown members are ignored; a body that is not one JSON object,
    /// or a known member of the wrong type, makes the request malformed (<c>bad_request</c>).
    /// </summary>
    internal sealed class AuthRequest
    {
        private static readonly AuthRequest s_malformed = new() { IsWellFormed = false };

        private string? _appId;
        private string? _appSecret;
        private string? _licenseKey;
        private string? _hwid;
        private string? _nonce;
        private string? _sessionToken;
        private bool? _revokeLicense;
        private bool? _blacklistHwid;
        private bool? _blacklistIp;

        public bool IsWellFormed { get; private init; } = true;

        public string? AppId => _appId;

        public string? AppSecret => _appSecret;

        public string? LicenseKey => _licenseKey;

        public string? Hwid => _hwid;

        public string? Nonce => _nonce;

        public string? SessionToken => _sessionToken;

        /// <summary>The requested session lifetime, before clamping; null when absent.</summary>
        public long? TtlSeconds { get; private set; }

        public bool? RevokeLicense => _revokeLicense;

        public bool? BlacklistHwid => _blacklistHwid;

        public bool? BlacklistIp => _blacklistIp;

        /// <summary>Parses a UTF-8 body.</summary>
        public static AuthRequest Parse(ReadOnlySpan<byte> body)
        {
            var request = new AuthRequest();
            try
            {
                var reader = new Utf8JsonReader(body, new JsonReaderOptions { MaxDepth = 16 });
                if (!reader.Read() || reader.TokenType != JsonTokenType.StartObject)
                {
                    return s_malformed;
                }

                while (reader.Read() && reader.TokenType == JsonTokenType.PropertyName)
                {
                    string name = reader.GetString()!;
                    reader.Read();
                    if (!request.TryReadMember(name, ref reader))
                    {
                        return s_malformed;
                    }
                }

                // The object is closed; anything after it (a second value) makes Read throw.
                if (reader.TokenType != JsonTokenType.EndObject || reader.Read())
                {
                    return s_malformed;
                }
            }
            catch (JsonException)
            {
                return s_malformed;
            }

            return request;
        }

        /// <summary>A malformed request, for bodies that could not be read.</summary>
        public static AuthRequest Malformed => s_malformed;

        private bool TryReadMember(string name, ref Utf8JsonReader reader)
        {
            switch (name)
            {
                case "appId": return TryReadString(ref reader, out _appId);
                case "appSecret": return TryReadString(ref reader, out _appSecret);
                case "licenseKey": return TryReadString(ref reader, out _licenseKey);
                case "hwid": return TryReadString(ref reader, out _hwid);
                case "nonce": return TryReadString(ref reader, out _nonce);
                case "sessionToken": return TryReadString(ref reader, out _sessionToken);
                case "revokeLicense": return TryReadBool(ref reader, out _revokeLicense);
                case "blacklistHwid": return TryReadBool(ref reader, out _blacklistHwid);
                case "blacklistIp": return TryReadBool(ref reader, out _blacklistIp);
                case "ttlSeconds": return TryReadTtl(ref reader);
                default:
                    reader.Skip();
                    return true;
            }
        }

        private static bool TryReadString(ref Utf8JsonReader reader, out string? value)
        {
            value = null;
            if (reader.TokenType == JsonTokenType.Null)
            {
                return true;
            }

            if (reader.TokenType != JsonTokenType.String)
            {
                return false;
            }

            // An empty value is as good as a missing one.
            string text = reader.GetString()!;
            value = text.Length == 0 ? null : text;
            return true;
        }

        private static bool TryReadBool(ref Utf8JsonReader reader, out bool? value)
        {
            value = reader.TokenType switch
            {
                JsonTokenType.True => true,
                JsonTokenType.False => false,
                _ => null,
            };
            return value is not null || reader.TokenType == JsonTokenType.Null;
        }

        private bool TryReadTtl(ref Utf8JsonReader reader)
        {
            if (reader.TokenType == JsonTokenType.Null)
            {
                return true;
            }

            if (reader.TokenType != JsonTokenType.Number)
            {
                return false;
            }

            if (reader.TryGetInt64(out long ttl))
            {
                TtlSeconds = ttl;
                return true;
            }

            // 1e12 or 3600.5: still a number, so clamp it rather than refuse it.
            if (reader.TryGetDouble(out double value) && double.IsFinite(value))
            {
                TtlSeconds = value >= long.MaxValue ? long.MaxValue : value <= long.MinValue ? long.MinValue : (long)value;
                return true;
            }

            return false;
        }
    }
}
