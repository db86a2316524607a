using System;
using System.Collections.Generic;
using System.Net.Http;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using System.Threading.Tasks;
using AuthForge.DevServer;

namespace AuthForge.Tests.DevServer
{
    /// <summary>Raw protocol calls over HttpClient: what a client sends, without the client library.</summary>
    public sealed class AuthApi
    {
        private readonly HttpClient _http;
        private readonly DevServerHost _host;

        public AuthApi(HttpClient http, DevServerHost host)
        {
            _http = http;
            _host = host;
        }

        public static string NewNonce() => Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(16));

        public Task<ApiResponse> ValidateAsync(string licenseKey, string hwid, string? nonce = null, long? ttlSeconds = null, string? appSecret = null)
        {
            var body = new Dictionary<string, object?>
            {
                ["appId"] = _host.AppId,
                ["appSecret"] = appSecret ?? _host.AppSecret,
                ["licenseKey"] = licenseKey,
                ["hwid"] = hwid,
                ["nonce"] = nonce ?? NewNonce(),
            };
            if (ttlSeconds is not null)
            {
                body["ttlSeconds"] = ttlSeconds;
            }

            return PostAsync("/auth/validate", body);
        }

        public Task<ApiResponse> HeartbeatAsync(string sessionToken, string hwid, string? nonce = null)
        {
            return PostAsync("/auth/heartbeat", new Dictionary<string, object?>
            {
                ["appId"] = _host.AppId,
                ["sessionToken"] = sessionToken,
                ["nonce"] = nonce ?? NewNonce(),
                ["hwid"] = hwid,
            });
        }

        /// <summary>Validates and returns the session token; fails the test when validate does not succeed.</summary>
        public async Task<ApiResponse> LoginAsync(string licenseKey, string hwid)
        {
            ApiResponse response = await ValidateAsync(licenseKey, hwid);
            response.AssertOk();
            return response;
        }

        public Task<ApiResponse> PostAsync(string path, IDictionary<string, object?> body) =>
            PostRawAsync(path, JsonSerializer.Serialize(body));

        public async Task<ApiResponse> PostRawAsync(string path, string json)
        {
            using var content = new StringContent(json, Encoding.UTF8, "application/json");
            using HttpResponseMessage response = await _http.PostAsync(path, content);
            string text = await response.Content.ReadAsStringAsync();
            string? nonce = null;
            try
            {
                using JsonDocument sent = JsonDocument.Parse(json);
                if (sent.RootElement.ValueKind == JsonValueKind.Object && sent.RootElement.TryGetProperty("nonce", out JsonElement n))
                {
                    nonce = n.GetString();
                }
            }
            catch (JsonException)
            {
                // A deliberately malformed request has no nonce to remember.
            }

            return new ApiResponse((int)response.StatusCode, response.Content.Headers.ContentType?.MediaType, text, nonce);
        }
    }
}
