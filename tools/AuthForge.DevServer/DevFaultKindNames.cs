using System;
using System.Collections.Generic;
using System.Linq;

namespace AuthForge.DevServer
{
    /// <summary>The wire names of <see cref="DevFaultKind"/> used by <c>POST /admin/faults</c> and the request log.</summary>
    internal static class DevFaultKindNames
    {
        private static readonly Dictionary<DevFaultKind, string> s_names = new()
        {
            [DevFaultKind.Drop] = "drop",
            [DevFaultKind.Delay] = "delay",
            [DevFaultKind.Html500] = "html500",
            [DevFaultKind.Status] = "status",
            [DevFaultKind.RateLimit] = "rate_limit",
            [DevFaultKind.RateLimit200] = "rate_limit_200",
            [DevFaultKind.Truncate] = "truncate",
            [DevFaultKind.Endless] = "endless",
            [DevFaultKind.Huge] = "huge",
            [DevFaultKind.NonJson] = "non_json",
            [DevFaultKind.JsonArray] = "json_array",
            [DevFaultKind.MissingPayload] = "missing_payload",
            [DevFaultKind.ErrorIn200] = "error_in_200",
            [DevFaultKind.TamperSignature] = "tamper_signature",
            [DevFaultKind.TamperPayload] = "tamper_payload",
            [DevFaultKind.WrongNonce] = "wrong_nonce",
            [DevFaultKind.MissingSessionToken] = "missing_session_token",
            [DevFaultKind.MissingExpires] = "missing_expires",
            [DevFaultKind.WrongKey] = "wrong_key",
            [DevFaultKind.Replay] = "replay",
            [DevFaultKind.Foreign] = "foreign",
        };

        private static readonly Dictionary<string, DevFaultKind> s_kinds =
            s_names.ToDictionary(p => p.Value, p => p.Key, StringComparer.OrdinalIgnoreCase);

        /// <summary>Every wire name, in declaration order.</summary>
        public static IEnumerable<string> All => s_names.Values;

        public static string ToWireName(DevFaultKind kind) => s_names[kind];

        public static bool TryParse(string name, out DevFaultKind kind) => s_kinds.TryGetValue(name, out kind);

        /// <summary>
        /// Whether the fault replaces the answer outright, so the request is not processed (no nonce remembered,
        /// no credit spent). <see cref="DevFaultKind.Replay"/> is decided separately: it needs an earlier answer.
        /// </summary>
        public static bool ReplacesAnswer(DevFaultKind kind) => kind is DevFaultKind.Drop or DevFaultKind.Html500
            or DevFaultKind.Status or DevFaultKind.RateLimit or DevFaultKind.RateLimit200 or DevFaultKind.Endless
            or DevFaultKind.Huge or DevFaultKind.NonJson or DevFaultKind.JsonArray or DevFaultKind.ErrorIn200
            or DevFaultKind.Foreign;
    }
}
