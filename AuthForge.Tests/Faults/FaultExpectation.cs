using System;
using System.Collections.Generic;
using System.Globalization;
using System.Linq;
using System.Text;
using AuthForge.DevServer;

namespace AuthForge.Tests.Faults
{
    /// <summary>How long a faulted login or heartbeat may take to come to its outcome.</summary>
    public enum TimeBound
    {
        /// <summary>Answered at once: no time-out is involved and the tests' retry waits are zero.</summary>
        Immediate,

        /// <summary>One attempt runs into the time-out, the retry succeeds.</summary>
        OneTimeout,

        /// <summary>Both attempts run into the time-out.</summary>
        TwoTimeouts,

        /// <summary>Stops reading at the size limit instead of reading the whole body.</summary>
        SizeLimit,
    }

    /// <summary>
    /// One row of the fault matrix: a fault queued through <c>POST /admin/faults</c> and what the client must do about
    /// it, at login and at a heartbeat. The tests assert these rows and FAULT-MATRIX.md is rendered from them.
    /// </summary>
    public sealed record FaultExpectation(
        string Id,
        string Fault,
        int Count,
        SigningMode Mode,
        string? LoginReason,
        string? Code,
        int Attempts,
        TimeBound Time,
        bool AbortsConnection,
        int? DelayMs = null,
        int? Status = null,
        string? Error = null,
        int? MaxResponseBytes = null,
        string? Body = null)
    {
        /// <summary>
        /// The codes that are no answer rather than a verdict, listed here independently of the client: nobody answered,
        /// the server said "not now", or someone else answered. The matrix shows each row's kind and the tests check the
        /// client's <see cref="AuthForgeException.IsNoAnswer"/> agrees.
        /// </summary>
        private static readonly HashSet<string> s_noAnswerCodes = new(StringComparer.Ordinal)
        {
            AuthForgeErrorCodes.NetworkError, AuthForgeErrorCodes.Timeout, AuthForgeErrorCodes.RateLimited,
            AuthForgeErrorCodes.ServerError, AuthForgeErrorCodes.SystemError, AuthForgeErrorCodes.ForeignAnswer,
            AuthForgeErrorCodes.RedirectRefused, AuthForgeErrorCodes.ResponseTooLarge, AuthForgeErrorCodes.MissingPayload,
            AuthForgeErrorCodes.MissingSignature,
        };

        /// <summary>True when the row's failure is no answer (retried while a session lasts), false for a verdict.</summary>
        public bool NoAnswer => Code != null && s_noAnswerCodes.Contains(Code);

        /// <summary>
        /// The request time-out of the rows whose outcome is a time-out: short, so the matrix stays quick, and still
        /// long enough for a clean retry on a loaded 2-core machine (the <c>delay x1</c> row needs one).
        /// </summary>
        public static readonly TimeSpan CutTimeout = TimeSpan.FromSeconds(1);

        /// <summary>
        /// The request time-out of every other row: a fault answered at once must never meet a time-out, however
        /// slow the machine, or the attempts the server saw would be the machine's doing, not the client's.
        /// </summary>
        public static readonly TimeSpan PatientRequestTimeout = TimeSpan.FromSeconds(10);

        /// <summary>
        /// The margin on top of a time bound, for a loaded CI machine. The bounds still tell a correct client from a
        /// broken one: a fault answered at once that waited out a time-out takes ≥ 10 s, a delay not cut by the
        /// time-out 30 s, an endless body not cut at the limit forever.
        /// </summary>
        public static readonly TimeSpan Slack = TimeSpan.FromSeconds(4);

        /// <summary>The request time-out of this row's client.</summary>
        public TimeSpan RequestTimeout => Time is TimeBound.OneTimeout or TimeBound.TwoTimeouts ? CutTimeout : PatientRequestTimeout;

        /// <summary>When the client rides out the fault with its retry: login succeeds, heartbeats go on.</summary>
        public bool Recovers => Code is null;

        /// <summary>The most time the outcome may take from the moment the faulted request goes out.</summary>
        public TimeSpan MaxElapsed => Time switch
        {
            TimeBound.Immediate => Slack,
            TimeBound.OneTimeout => CutTimeout * 2 + Slack,
            TimeBound.TwoTimeouts => CutTimeout * 2 + Slack,
            _ => Slack + Slack / 2,
        };

        /// <summary>The least time it must take: whatever time-outs it had to wait out.</summary>
        public TimeSpan MinElapsed => Time switch
        {
            TimeBound.OneTimeout => CutTimeout - TimeSpan.FromMilliseconds(50),
            TimeBound.TwoTimeouts => CutTimeout * 2 - TimeSpan.FromMilliseconds(50),
            _ => TimeSpan.Zero,
        };

        public override string ToString() => Id;
    }

    /// <summary>The rows, in the order of the document.</summary>
    public static class FaultMatrix
    {
        private const string Login = AuthForgeFailureReason.LoginFailed;
        private const string Network = AuthForgeFailureReason.NetworkError;

        /// <summary>A 30 s delay: far beyond the request time-out, so only the time-out can end the wait.</summary>
        private const int LongDelayMs = 30_000;

        /// <summary>The smaller limit the endless body is read against, to show the setting is honoured.</summary>
        public const int EndlessLimit = 64 * 1024;

        public static IReadOnlyList<FaultExpectation> Rows { get; } = new[]
        {
            new FaultExpectation("drop x1", "drop", 1, SigningMode.Ed25519, null, null, 2, TimeBound.Immediate, true),
            new FaultExpectation("drop x2", "drop", 2, SigningMode.Ed25519, Network, AuthForgeErrorCodes.NetworkError, 2, TimeBound.Immediate, true),
            new FaultExpectation("delay x1", "delay", 1, SigningMode.Ed25519, null, null, 2, TimeBound.OneTimeout, true, DelayMs: LongDelayMs),
            new FaultExpectation("delay x2", "delay", 2, SigningMode.Ed25519, Network, AuthForgeErrorCodes.Timeout, 2, TimeBound.TwoTimeouts, true, DelayMs: LongDelayMs),
            new FaultExpectation("html500", "html500", 1, SigningMode.Ed25519, Network, AuthForgeErrorCodes.ForeignAnswer, 1, TimeBound.Immediate, false),
            new FaultExpectation("status 503", "status", 1, SigningMode.Ed25519, Network, AuthForgeErrorCodes.ForeignAnswer, 1, TimeBound.Immediate, false, Status: 503),
            new FaultExpectation("status 500 server_error", "status", 1, SigningMode.Ed25519, Login, AuthForgeErrorCodes.ServerError, 1, TimeBound.Immediate, false, Status: 500, Error: "server_error"),
            new FaultExpectation("status 400 made_up", "status", 1, SigningMode.Ed25519, Login, AuthForgeErrorCodes.UnknownError, 1, TimeBound.Immediate, false, Status: 400, Error: "made_up"),
            new FaultExpectation("rate_limit x1", "rate_limit", 1, SigningMode.Ed25519, null, null, 2, TimeBound.Immediate, false),
            new FaultExpectation("rate_limit x3", "rate_limit", 3, SigningMode.Ed25519, Login, AuthForgeErrorCodes.RateLimited, 3, TimeBound.Immediate, false),
            new FaultExpectation("rate_limit_200 x3", "rate_limit_200", 3, SigningMode.Ed25519, Login, AuthForgeErrorCodes.RateLimited, 3, TimeBound.Immediate, false),
            new FaultExpectation("truncate x1", "truncate", 1, SigningMode.Ed25519, null, null, 2, TimeBound.Immediate, true),
            new FaultExpectation("truncate x2", "truncate", 2, SigningMode.Ed25519, Network, AuthForgeErrorCodes.NetworkError, 2, TimeBound.Immediate, true),
            new FaultExpectation("endless", "endless", 1, SigningMode.Ed25519, Login, AuthForgeErrorCodes.ResponseTooLarge, 1, TimeBound.SizeLimit, true, MaxResponseBytes: EndlessLimit),
            new FaultExpectation("huge", "huge", 1, SigningMode.Ed25519, Login, AuthForgeErrorCodes.ResponseTooLarge, 1, TimeBound.SizeLimit, true),
            new FaultExpectation("non_json", "non_json", 1, SigningMode.Ed25519, Network, AuthForgeErrorCodes.ForeignAnswer, 1, TimeBound.Immediate, false),
            new FaultExpectation("json_array", "json_array", 1, SigningMode.Ed25519, Network, AuthForgeErrorCodes.ForeignAnswer, 1, TimeBound.Immediate, false),
            // A captive portal, a proxy or a web firewall answering in the server's place, at the statuses they use.
            new FaultExpectation("foreign 200 html", "foreign", 1, SigningMode.Ed25519, Network, AuthForgeErrorCodes.ForeignAnswer, 1, TimeBound.Immediate, false, Status: 200, Body: "html"),
            new FaultExpectation("foreign 200 empty", "foreign", 1, SigningMode.Ed25519, Network, AuthForgeErrorCodes.ForeignAnswer, 1, TimeBound.Immediate, false, Status: 200, Body: "empty"),
            new FaultExpectation("foreign 302 empty", "foreign", 1, SigningMode.Ed25519, Network, AuthForgeErrorCodes.ForeignAnswer, 1, TimeBound.Immediate, false, Status: 302, Body: "empty"),
            new FaultExpectation("foreign 403 json", "foreign", 1, SigningMode.Ed25519, Network, AuthForgeErrorCodes.ForeignAnswer, 1, TimeBound.Immediate, false, Status: 403, Body: "json"),
            new FaultExpectation("foreign 404 html", "foreign", 1, SigningMode.Ed25519, Network, AuthForgeErrorCodes.ForeignAnswer, 1, TimeBound.Immediate, false, Status: 404, Body: "html"),
            new FaultExpectation("foreign 407 text", "foreign", 1, SigningMode.Ed25519, Network, AuthForgeErrorCodes.ForeignAnswer, 1, TimeBound.Immediate, false, Status: 407, Body: "text"),
            new FaultExpectation("status 403 revoked", "status", 1, SigningMode.Ed25519, Login, AuthForgeErrorCodes.Revoked, 1, TimeBound.Immediate, false, Status: 403, Error: "revoked"),
            new FaultExpectation("missing_payload", "missing_payload", 1, SigningMode.Ed25519, Login, AuthForgeErrorCodes.MissingPayload, 1, TimeBound.Immediate, false),
            new FaultExpectation("error_in_200", "error_in_200", 1, SigningMode.Ed25519, Login, AuthForgeErrorCodes.InvalidKey, 1, TimeBound.Immediate, false),
            new FaultExpectation("tamper_signature", "tamper_signature", 1, SigningMode.Ed25519, Login, AuthForgeErrorCodes.SignatureMismatch, 1, TimeBound.Immediate, false),
            new FaultExpectation("tamper_payload", "tamper_payload", 1, SigningMode.Ed25519, Login, AuthForgeErrorCodes.SignatureMismatch, 1, TimeBound.Immediate, false),
            new FaultExpectation("wrong_nonce", "wrong_nonce", 1, SigningMode.Ed25519, Login, AuthForgeErrorCodes.NonceMismatch, 1, TimeBound.Immediate, false),
            new FaultExpectation("missing_session_token", "missing_session_token", 1, SigningMode.Ed25519, Login, AuthForgeErrorCodes.MissingSessionToken, 1, TimeBound.Immediate, false),
            new FaultExpectation("missing_expires", "missing_expires", 1, SigningMode.Ed25519, Login, AuthForgeErrorCodes.MissingExpiresIn, 1, TimeBound.Immediate, false),
            new FaultExpectation("wrong_key", "wrong_key", 1, SigningMode.Ed25519, Login, AuthForgeErrorCodes.SignatureMismatch, 1, TimeBound.Immediate, false),
            new FaultExpectation("wrong_key v1", "wrong_key", 1, SigningMode.HmacV1, Login, AuthForgeErrorCodes.SignatureMismatch, 1, TimeBound.Immediate, false),
            new FaultExpectation("replay", "replay", 1, SigningMode.Ed25519, Login, AuthForgeErrorCodes.NonceMismatch, 1, TimeBound.Immediate, false),
            new FaultExpectation("replay v1", "replay", 1, SigningMode.HmacV1, Login, AuthForgeErrorCodes.SignatureMismatch, 1, TimeBound.Immediate, false),
        };

        public static FaultExpectation Get(string id) => Rows.Single(r => r.Id == id);

        /// <summary>The heartbeat interval of the heartbeat cases: the first heartbeat, and a retry's back-off (capped at the
        /// interval), come within milliseconds.</summary>
        public static readonly TimeSpan HeartbeatInterval = TimeSpan.FromMilliseconds(50);

        /// <summary>Every row, for every target: login, and a SERVER-mode heartbeat with each offline tolerance.</summary>
        public static IEnumerable<object[]> Cases()
        {
            foreach (FaultExpectation row in Rows)
            {
                foreach (Target target in new[] { Target.Login, Target.HeartbeatToleranceZero, Target.HeartbeatDefaultTolerance })
                    yield return new object[] { row.Id, target };
            }
        }

        /// <summary>The document's table, rendered from <see cref="Rows"/> and the server-restart rows.</summary>
        public static string RenderMarkdown()
        {
            var text = new StringBuilder();
            text.Append("| fault | login: reason / code | heartbeat, `OfflineTolerance` zero | heartbeat, default `OfflineTolerance` | verdict or no answer | attempts the server saw (fresh nonces) | time bound | leftovers |\n");
            text.Append("|---|---|---|---|---|---|---|---|\n");
            foreach (FaultExpectation row in Rows)
            {
                text.Append("| ").Append(Describe(row))
                    .Append(" | ").Append(row.Recovers ? "succeeds (retry)" : row.LoginReason + " / `" + row.Code + "`")
                    .Append(" | ").Append(row.Recovers ? Continues : "heartbeat_failed / `" + row.Code + "`")
                    .Append(" | ").Append(row.Recovers ? Continues : row.NoAnswer ? RiddenOut(row.Code!) : "heartbeat_failed / `" + row.Code + "`, at once")
                    .Append(" | ").Append(row.Recovers ? "—" : row.NoAnswer ? "no answer" : "verdict")
                    .Append(" | ").Append(Attempts(row))
                    .Append(" | ").Append(DescribeTime(row))
                    .Append(" | ").Append(DescribeLeftovers(row.AbortsConnection))
                    .Append(" |\n");
            }
            foreach (string[] row in ServerRestartTests.MatrixRows)
            {
                text.Append("| ").Append(string.Join(" | ", row)).Append(" |\n");
            }
            return text.ToString();
        }

        private const string Continues = "continues (retry), no failure";

        /// <summary>What the default tolerance does with a heartbeat that got no answer, as the heartbeat cases check it.</summary>
        internal static string RiddenOut(string code) =>
            "ridden out, no failure: `outage_started` [`" + code + "`], retried, `outage_ended`";

        /// <summary>
        /// The settings of the matrix's clients beside the defaults a user gets, for the document: rendered from the
        /// values the tests set and from a default <see cref="AuthForgeClientOptions"/>.
        /// </summary>
        public static string RenderSettings()
        {
            var defaults = new AuthForgeClientOptions();
            RetryPolicy retry = RetryPolicy.Default;
            var text = new StringBuilder();
            text.Append("| setting | in these tests | by default |\n");
            text.Append("|---|---|---|\n");
            text.Append("| `RequestTimeout` | ").Append(Duration(FaultExpectation.CutTimeout)).Append(" for the rows whose outcome is a time-out (`delay`), ")
                .Append(Duration(FaultExpectation.PatientRequestTimeout)).Append(" for every other row | ").Append(Duration(defaults.RequestTimeout)).Append(" |\n");
            text.Append("| retry waits | 0 (the attempt counts are the same) | ").Append(Duration(retry.NetworkRetryDelay))
                .Append(" before the one network retry; ").Append(string.Join(", then ", retry.RateLimitDelays.Select(Duration)))
                .Append(", between rate-limited attempts |\n");
            text.Append("| `HeartbeatInterval` | ").Append(Duration(HeartbeatInterval)).Append(" (heartbeat cases) | ")
                .Append(Duration(defaults.HeartbeatInterval)).Append(" |\n");
            text.Append("| `OfflineTolerance` | zero in the column \"`OfflineTolerance` zero\", the default in the column \"default `OfflineTolerance`\" | ")
                .Append(defaults.OfflineTolerance is null ? "null: a heartbeat without an answer is retried with back-off until the signed session ends; a verdict ends the session at once" : Duration(defaults.OfflineTolerance.Value))
                .Append(" |\n");
            text.Append("| `MaxResponseBytes` | ").Append(Size(EndlessLimit)).Append(" for `endless`, the default for every other row | ")
                .Append(Size(defaults.MaxResponseBytes)).Append(" |\n");
            text.Append("| `HwidOverride` | one of its own per case, and the fault queued for that hwid only | none: the machine's hardware id |\n");
            return text.ToString();
        }

        internal static string Duration(TimeSpan value) => Support.DocText.Duration(value);

        private static string Size(int bytes) => Support.DocText.Size(bytes);

        internal static string DescribeLeftovers(bool abortsConnection) =>
            "scheduler 0, non-pool threads ≤ +" + Support.LeakCheck.ThreadTolerance.ToString(CultureInfo.InvariantCulture) + ", "
            + (abortsConnection ? "faulted connection closed at once" : "≤ 1 pooled keep-alive")
            + "; 0 connections after dispose";

        private static string Describe(FaultExpectation row)
        {
            string text = "`" + row.Fault + "`";
            if (row.DelayMs is int delay) text += " " + (delay / 1000).ToString(CultureInfo.InvariantCulture) + " s";
            if (row.Status is int status)
                text += " " + status.ToString(CultureInfo.InvariantCulture)
                    + (row.Body != null ? " " + row.Body : row.Error is null ? " (no code)" : " `" + row.Error + "`");
            if (row.Fault == "huge") text += " (100 MiB, chunked)";
            text += " ×" + row.Count.ToString(CultureInfo.InvariantCulture);
            if (row.Mode != SigningMode.Ed25519) text += " (v1 HMAC)";
            return text;
        }

        private static string Attempts(FaultExpectation row)
        {
            string n = row.Attempts.ToString(CultureInfo.InvariantCulture);
            return row.Attempts == 1 ? "1 (not retried)" : n + ", all nonces distinct";
        }

        private static string DescribeTime(FaultExpectation row)
        {
            string timeout = Duration(FaultExpectation.CutTimeout);
            string slack = Duration(FaultExpectation.Slack);
            return row.Time switch
            {
                TimeBound.Immediate => "< " + Duration(row.MaxElapsed) + " (no time-out: the client's is "
                    + Duration(FaultExpectation.PatientRequestTimeout) + "; retry waits 0 in tests)",
                TimeBound.OneTimeout => "≥ 1× timeout, < 2× timeout + " + slack + " (timeout " + timeout + ")",
                TimeBound.TwoTimeouts => "≥ 2× timeout, < 2× timeout + " + slack + " (timeout " + timeout + ")",
                _ => "< " + Duration(row.MaxElapsed) + "; read ≤ limit + 1 B (limit "
                    + (row.MaxResponseBytes is int limit ? Size(limit) : Size(new AuthForgeClientOptions().MaxResponseBytes) + " default") + ")",
            };
        }
    }

    /// <summary>Where the fault is met: the login's validate, or a heartbeat of a logged-in SERVER-mode client.</summary>
    public enum Target
    {
        Login,

        /// <summary>A heartbeat with <see cref="AuthForgeClientOptions.OfflineTolerance"/> zero: one heartbeat without an
        /// answer ends the session, so the column shows the failure the heartbeat met.</summary>
        HeartbeatToleranceZero,

        /// <summary>A heartbeat with the default tolerance (null): no answer is ridden out, a verdict still ends the session.</summary>
        HeartbeatDefaultTolerance,
    }
}
