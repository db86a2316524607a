using System;
using System.Collections.Generic;
using System.Net.Http;
using System.Text;
using System.Text.Json;
using System.Threading.Tasks;
using AuthForge.DevServer;

namespace AuthForge.Tests.Support
{
    /// <summary>
    /// Drives a DevServer through its loopback <c>/admin/*</c> routes, as a tester at a terminal would, rather than
    /// through the host object: the fault matrix then exercises the same path as the issue describes.
    /// </summary>
    /// <remarks>
    /// Every admin request asks the server to close its connection afterwards, so the admin channel never leaves a
    /// pooled connection to the server's port behind and the socket counts of the fault tests see only the client's.
    /// </remarks>
    internal static class DevAdmin
    {
        private static readonly HttpClient s_http = new HttpClient(new SocketsHttpHandler { UseProxy = false })
        {
            Timeout = TimeSpan.FromSeconds(10),
        };

        /// <summary>
        /// <c>POST /admin/faults</c>: queues <paramref name="kind"/> (its wire name) for the next <paramref name="count"/>
        /// requests of the client with hardware id <paramref name="hwid"/>. Every fault a test queues is scoped to its own
        /// client: on a shared server, an unscoped fault goes to whichever request comes first, a late retry of an
        /// earlier exchange or another test's client included.
        /// </summary>
        public static Task AddFaultAsync(DevServerHost server, string hwid, string kind, int count = 1, string? path = null,
            int? delayMs = null, int? status = null, string? error = null, string? body = null)
        {
            ArgumentException.ThrowIfNullOrEmpty(hwid);
            var fault = new Dictionary<string, object?> { ["kind"] = kind, ["count"] = count, ["hwid"] = hwid };
            if (path != null) fault["path"] = path;
            if (delayMs is int delay) fault["delayMs"] = delay;
            if (status is int code) fault["status"] = code;
            if (error != null) fault["error"] = error;
            if (body != null) fault["body"] = body;
            return SendAsync(server, HttpMethod.Post, "/admin/faults", JsonSerializer.Serialize(fault));
        }

        /// <summary><c>DELETE /admin/faults</c>.</summary>
        public static Task ClearFaultsAsync(DevServerHost server) => SendAsync(server, HttpMethod.Delete, "/admin/faults", null);

        /// <summary><c>DELETE /admin/requests</c>: empties the request log, so a test counts only its own requests.</summary>
        public static Task ClearRequestsAsync(DevServerHost server) => SendAsync(server, HttpMethod.Delete, "/admin/requests", null);

        /// <summary><c>POST /admin/licenses/{key}/revoke</c>.</summary>
        public static Task RevokeAsync(DevServerHost server, string key) =>
            SendAsync(server, HttpMethod.Post, "/admin/licenses/" + Uri.EscapeDataString(key) + "/revoke", null);

        /// <summary><c>POST /admin/licenses/{key}/restore</c>.</summary>
        public static Task RestoreAsync(DevServerHost server, string key) =>
            SendAsync(server, HttpMethod.Post, "/admin/licenses/" + Uri.EscapeDataString(key) + "/restore", null);

        /// <summary>Clears faults and the request log: the state every fault test starts from on a shared server.</summary>
        public static async Task ResetAsync(DevServerHost server)
        {
            await ClearFaultsAsync(server).ConfigureAwait(false);
            await ClearRequestsAsync(server).ConfigureAwait(false);
        }

        private static async Task SendAsync(DevServerHost server, HttpMethod method, string path, string? json)
        {
            using var request = new HttpRequestMessage(method, server.BaseUrl + path);
            request.Headers.ConnectionClose = true;
            if (json != null) request.Content = new StringContent(json, Encoding.UTF8, "application/json");
            using HttpResponseMessage response = await s_http.SendAsync(request).ConfigureAwait(false);
            string body = await response.Content.ReadAsStringAsync().ConfigureAwait(false);
            if (!response.IsSuccessStatusCode)
                throw new InvalidOperationException(method + " " + path + " answered " + (int)response.StatusCode + ": " + body);
        }
    }
}
