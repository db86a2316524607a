using System;
using System.Collections.Generic;
using System.Text.Json;
using System.Threading.Tasks;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;

namespace AuthForge.DevServer
{
    /// <summary>
    /// The <c>/admin/*</c> routes, for tests and developers on this machine (see <see cref="AdminAccess"/>: any other
    /// client gets 404). Every answer is JSON; errors are <c>{"status":"error","error":code}</c>.
    /// </summary>
    internal sealed class AdminEndpoints
    {
        private readonly DevServerState _state;

        public AdminEndpoints(DevServerState state)
        {
            _state = state;
        }

        public void Map(IEndpointRouteBuilder endpoints)
        {
            Map(endpoints, HttpMethods.Get, "/admin/licenses", ListLicensesAsync);
            Map(endpoints, HttpMethods.Post, "/admin/licenses", AddLicenseAsync);
            Map(endpoints, HttpMethods.Post, "/admin/licenses/{key}/revoke", context => SetRevokedAsync(context, true));
            Map(endpoints, HttpMethods.Post, "/admin/licenses/{key}/restore", context => SetRevokedAsync(context, false));
            Map(endpoints, HttpMethods.Post, "/admin/licenses/{key}/reset-hwids", ResetHwidsAsync);
            Map(endpoints, HttpMethods.Delete, "/admin/licenses/{key}", DeleteLicenseAsync);
            Map(endpoints, HttpMethods.Post, "/admin/sessions/expire", ExpireSessionsAsync);
            Map(endpoints, HttpMethods.Get, "/admin/keys", ListKeysAsync);
            Map(endpoints, HttpMethods.Post, "/admin/keys/rotate", RotateKeyAsync);
            Map(endpoints, HttpMethods.Post, "/admin/app/disable", context => SetAppEnabledAsync(context, false));
            Map(endpoints, HttpMethods.Post, "/admin/app/enable", context => SetAppEnabledAsync(context, true));
            Map(endpoints, HttpMethods.Get, "/admin/requests", ListRequestsAsync);
            Map(endpoints, HttpMethods.Delete, "/admin/requests", ClearRequestsAsync);
            Map(endpoints, HttpMethods.Post, "/admin/faults", AddFaultAsync);
            Map(endpoints, HttpMethods.Delete, "/admin/faults", ClearFaultsAsync);
            Map(endpoints, HttpMethods.Get, "/admin/blacklist", ListBlacklistAsync);
            Map(endpoints, HttpMethods.Delete, "/admin/blacklist", ClearBlacklistAsync);
        }

        /// <summary><c>GET /admin/licenses</c>: <c>{"licenses":[{key,label,credits,maxHwidSlots,expiresAt,revoked,hwids,validateCount,heartbeatCount}]}</c>.</summary>
        private Task ListLicensesAsync(HttpContext context)
        {
            IReadOnlyList<DevLicenseStatus> licenses = _state.Licenses.Snapshot();
            return WriteAsync(context, 200, licenses, static (writer, all) =>
            {
                writer.WriteStartObject();
                writer.WriteStartArray("licenses");
                foreach (DevLicenseStatus license in all)
                {
                    LicenseJson.Write(writer, license);
                }

                writer.WriteEndArray();
                writer.WriteEndObject();
            });
        }

        /// <summary>
        /// <c>POST /admin/licenses</c> with one licence object (see <see cref="LicenseJson"/>): adds it, or replaces the
        /// licence with that key with a fresh one. Answers 201 (new) or 200 (replaced) with the licence;
        /// 400 <c>bad_request</c> for a malformed body.
        /// </summary>
        private async Task AddLicenseAsync(HttpContext context)
        {
            DevLicense license;
            try
            {
                using JsonDocument document = await ReadJsonAsync(context).ConfigureAwait(false);
                license = LicenseJson.Read(document.RootElement);
            }
            catch (FormatException e)
            {
                await WriteErrorAsync(context, 400, "bad_request", e.Message).ConfigureAwait(false);
                return;
            }

            bool added;
            try
            {
                added = _state.Licenses.AddOrReplace(license);
            }
            catch (ArgumentException e)
            {
                await WriteErrorAsync(context, 400, "bad_request", ErrorText.Of(e)).ConfigureAwait(false);
                return;
            }

            _state.Licenses.TryGet(license.Key, out LicenseState state);
            await WriteAsync(context, added ? 201 : 200, state.Snapshot(), LicenseJson.Write).ConfigureAwait(false);
        }

        /// <summary>
        /// <c>POST /admin/licenses/{key}/revoke</c> and <c>.../restore</c>: revokes the licence (validates and heartbeats
        /// get <c>revoked</c>) or lifts that. Answers the licence, or 404 <c>invalid_key</c>.
        /// </summary>
        private Task SetRevokedAsync(HttpContext context, bool revoked)
        {
            string key = (string)context.Request.RouteValues["key"]!;
            if (!_state.Licenses.TryGet(key, out LicenseState license))
            {
                return WriteErrorAsync(context, 404, "invalid_key", null);
            }

            license.SetRevoked(revoked);
            return WriteAsync(context, 200, license.Snapshot(), LicenseJson.Write);
        }

        /// <summary>
        /// <c>POST /admin/licenses/{key}/reset-hwids</c>: unbinds every hardware id of the licence, so any machine can
        /// take its slots again. Answers the licence, or 404 <c>invalid_key</c>.
        /// </summary>
        private Task ResetHwidsAsync(HttpContext context)
        {
            string key = (string)context.Request.RouteValues["key"]!;
            if (!_state.Licenses.TryGet(key, out LicenseState license))
            {
                return WriteErrorAsync(context, 404, "invalid_key", null);
            }

            license.ResetHwids();
            return WriteAsync(context, 200, license.Snapshot(), LicenseJson.Write);
        }

        /// <summary>
        /// <c>DELETE /admin/licenses/{key}</c>: forgets the licence (validates, and heartbeats of its sessions, then get
        /// <c>invalid_key</c>). Answers the licence as it was, or 404 <c>invalid_key</c>.
        /// </summary>
        private Task DeleteLicenseAsync(HttpContext context)
        {
            string key = (string)context.Request.RouteValues["key"]!;
            return _state.Licenses.TryRemove(key, out LicenseState license)
                ? WriteAsync(context, 200, license.Snapshot(), LicenseJson.Write)
                : WriteErrorAsync(context, 404, "invalid_key", null);
        }

        /// <summary><c>POST /admin/sessions/expire</c>: every session issued so far gets <c>session_expired</c> from now on.</summary>
        private Task ExpireSessionsAsync(HttpContext context)
        {
            _state.ExpireAllSessions();
            return WriteOkAsync(context);
        }

        /// <summary><c>GET /admin/keys</c>: <c>{"mode":"v3","current":{publicKey,keyId},"keys":[{publicKey,keyId}]}</c>, oldest first.</summary>
        private Task ListKeysAsync(HttpContext context)
        {
            return WriteAsync(context, 200, _state, static (writer, state) =>
            {
                writer.WriteStartObject();
                writer.WriteString("mode", CommandLine.ModeName(state.Mode));
                writer.WriteStartArray("keys");
                foreach (SigningKey key in state.Keys?.All ?? [])
                {
                    WriteKey(writer, key);
                }

                writer.WriteEndArray();
                if (state.Keys is { } keys)
                {
                    writer.WritePropertyName("current");
                    WriteKey(writer, keys.Current);
                }

                writer.WriteEndObject();
            });
        }

        /// <summary>
        /// <c>POST /admin/keys/rotate</c>: a new current signing key; answers <c>{"publicKey":...,"keyId":...}</c>.
        /// 409 <c>not_ed25519_mode</c> in v1/v2.
        /// </summary>
        private Task RotateKeyAsync(HttpContext context)
        {
            if (_state.Keys is not { } keys)
            {
                return WriteErrorAsync(context, 409, "not_ed25519_mode", "Only v3 (Ed25519) signs with keys.");
            }

            return WriteAsync(context, 200, keys.Rotate(), WriteKey);
        }

        /// <summary><c>POST /admin/app/disable</c> and <c>/enable</c>: while disabled, every <c>/auth/*</c> call gets <c>app_disabled</c>.</summary>
        private Task SetAppEnabledAsync(HttpContext context, bool enabled)
        {
            _state.AppEnabled = enabled;
            return WriteAsync(context, 200, enabled, static (writer, e) =>
            {
                writer.WriteStartObject();
                writer.WriteString("status", "ok");
                writer.WriteBoolean("enabled", e);
                writer.WriteEndObject();
            });
        }

        /// <summary>
        /// <c>GET /admin/requests</c>: the recorded <c>/auth/*</c> requests, oldest first:
        /// <c>{"requests":[{time,path,nonce,licenseKey,hwid,remoteAddress,status,error,fault}]}</c>.
        /// </summary>
        private Task ListRequestsAsync(HttpContext context)
        {
            return WriteAsync(context, 200, _state.Requests.Snapshot(), static (writer, requests) =>
            {
                writer.WriteStartObject();
                writer.WriteStartArray("requests");
                foreach (DevRequestRecord r in requests)
                {
                    writer.WriteStartObject();
                    writer.WriteString("time", JsonText.IsoTime(r.Time));
                    writer.WriteString("path", r.Path);
                    WriteNullable(writer, "nonce", r.Nonce);
                    WriteNullable(writer, "licenseKey", r.LicenseKey);
                    WriteNullable(writer, "hwid", r.Hwid);
                    WriteNullable(writer, "remoteAddress", r.RemoteAddress);
                    writer.WriteNumber("status", r.StatusCode);
                    WriteNullable(writer, "error", r.Error);
                    WriteNullable(writer, "fault", r.Fault);
                    writer.WriteEndObject();
                }

                writer.WriteEndArray();
                writer.WriteEndObject();
            });
        }

        /// <summary><c>DELETE /admin/requests</c>: empties the request log.</summary>
        private Task ClearRequestsAsync(HttpContext context)
        {
            _state.Requests.Clear();
            return WriteOkAsync(context);
        }

        /// <summary>
        /// <c>POST /admin/faults</c> with <c>{"kind":"drop","count":1,"path":"/auth/validate","hwid":"my-hwid","licenseKey":null,
        /// "delayMs":0,"status":500,"error":null,"body":"html"}</c> (all but <c>kind</c> optional; see <see cref="DevFaultKind"/> for the
        /// kinds): queues the fault. With <c>hwid</c> and/or <c>licenseKey</c> only that client's requests take it (see
        /// <see cref="DevFault.Hwid"/>), so on a shared server no other client can take it by chance.
        /// 400 <c>bad_request</c> for an unknown kind or a bad value.
        /// </summary>
        private async Task AddFaultAsync(HttpContext context)
        {
            try
            {
                using JsonDocument document = await ReadJsonAsync(context).ConfigureAwait(false);
                _state.Faults.Add(FaultJson.Read(document.RootElement));
            }
            catch (Exception e) when (e is FormatException or ArgumentException)
            {
                await WriteErrorAsync(context, 400, "bad_request", ErrorText.Of(e)).ConfigureAwait(false);
                return;
            }

            await WriteOkAsync(context).ConfigureAwait(false);
        }

        /// <summary><c>DELETE /admin/faults</c>: drops every queued fault.</summary>
        private Task ClearFaultsAsync(HttpContext context)
        {
            _state.Faults.Clear();
            return WriteOkAsync(context);
        }

        /// <summary><c>GET /admin/blacklist</c>: <c>{"hwids":[...],"addresses":[...]}</c> banned by selfban.</summary>
        private Task ListBlacklistAsync(HttpContext context)
        {
            return WriteAsync(context, 200, _state.Blacklist, static (writer, blacklist) =>
            {
                writer.WriteStartObject();
                writer.WriteStartArray("hwids");
                foreach (string hwid in blacklist.Hwids)
                {
                    writer.WriteStringValue(hwid);
                }

                writer.WriteEndArray();
                writer.WriteStartArray("addresses");
                foreach (string address in blacklist.Addresses)
                {
                    writer.WriteStringValue(address);
                }

                writer.WriteEndArray();
                writer.WriteEndObject();
            });
        }

        /// <summary><c>DELETE /admin/blacklist</c>: lifts every selfban ban (hwids and addresses).</summary>
        private Task ClearBlacklistAsync(HttpContext context)
        {
            _state.Blacklist.Clear();
            return WriteOkAsync(context);
        }

        private static void Map(IEndpointRouteBuilder endpoints, string method, string pattern, RequestDelegate handler)
        {
            endpoints.MapMethods(pattern, [method], AdminAccess.LocalOnly(handler));
        }

        private static async Task<JsonDocument> ReadJsonAsync(HttpContext context)
        {
            byte[]? body = await RequestBody.ReadAsync(context.Request, context.RequestAborted).ConfigureAwait(false)
                ?? throw new FormatException("The body is too large.");
            try
            {
                return JsonDocument.Parse(body);
            }
            catch (JsonException e)
            {
                throw new FormatException("The body is " + ErrorText.Of(e), e);
            }
        }

        private static void WriteKey(Utf8JsonWriter writer, SigningKey key)
        {
            writer.WriteStartObject();
            writer.WriteString("publicKey", key.PublicKeyBase64);
            writer.WriteString("keyId", key.KeyId);
            writer.WriteEndObject();
        }

        private static void WriteNullable(Utf8JsonWriter writer, string name, string? value)
        {
            if (value is null)
            {
                writer.WriteNull(name);
            }
            else
            {
                writer.WriteString(name, value);
            }
        }

        private static Task WriteOkAsync(HttpContext context) =>
            FaultResponder.WriteAsync(context, 200, "application/json", ResponseComposer.PlainOk, context.RequestAborted);

        private static Task WriteErrorAsync(HttpContext context, int status, string code, string? message)
        {
            return WriteAsync(context, status, (code, message), static (writer, e) =>
            {
                writer.WriteStartObject();
                writer.WriteString("status", "error");
                writer.WriteString("error", e.code);
                if (e.message is not null)
                {
                    writer.WriteString("message", e.message);
                }

                writer.WriteEndObject();
            });
        }

        private static Task WriteAsync<T>(HttpContext context, int status, T value, Action<Utf8JsonWriter, T> write) =>
            FaultResponder.WriteAsync(context, status, "application/json", JsonText.Write(value, write), context.RequestAborted);
    }
}
