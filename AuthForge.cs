#nullable enable
// AuthForge.cs — the AuthForge licence client for .NET in one drop-in file.
//
// Copy this file into any project (netstandard2.0 or later, C# 8 or later; no package needed) and call
// `new AuthForgeClient(...).Login(key)`. The wire protocol is PROTOCOL.md of the AuthForge SDKs: generations
// v1 and v2 (HMAC-SHA256) and v3 (Ed25519). MIT licence; see the repository's LICENSE.
//
// The file reads top to bottom like a short book; each section opens with a banner saying what it owns. Section 1
// is namespace AuthForge, the public API and nothing else; sections 2-11 are internal, in AuthForge.Internal:
//   1. Public surface      what users touch: the client, options, results, the exception and its codes
//   2. Client              the session's life behind the client: login, heartbeats and renewal, outages, the store
//   3. Session             the immutable verified session the client swaps atomically
//   4. Protocol            request bodies and the one pure function that decides whether a response is trusted
//   5. Signatures          HMAC (v1/v2) and Ed25519 (v3) verifiers behind one small type
//   6. Transport           one bounded, timed POST; the retry policy
//   7. Scheduler           one timer for every client's heartbeats in the process; the thread failures are reported on
//   8. Primitives          clock, nonces, hex, strict base64, constant-time comparison
//   9. Fingerprint         the hardware id, computed once per process
//  10. Ed25519             RFC 8032 verification, written from the RFC
//  11. Json                a strict, bounded reader and a compact writer

using System;
using System.Collections.Generic;
using System.Diagnostics;
using System.Globalization;
using System.IO;
using System.Net.Http;
using System.Net.NetworkInformation;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using System.Security.Cryptography;
using System.Text;
using System.Threading;
using System.Threading.Tasks;
using AuthForge.Internal;

namespace AuthForge
{
    // =================================================================================================
    // 1. Public surface
    //    Everything a user touches. Validation happens here, at the boundary; every type below is internal.
    // =================================================================================================

    /// <summary>How a logged-in client keeps its session alive.</summary>
    public enum HeartbeatMode
    {
        /// <summary>Calls <c>/auth/heartbeat</c> every interval and replaces the session with the renewed one.</summary>
        Server = 0,

        /// <summary>Makes no network call: re-verifies the stored signed session and re-validates once it expires.</summary>
        Local = 1,
    }

    /// <summary>The <c>reason</c> passed to the failure callback: which operation failed.</summary>
    public static class AuthForgeFailureReason
    {
        /// <summary><see cref="AuthForgeClient.Login"/> was refused or its response could not be trusted.</summary>
        public const string LoginFailed = "login_failed";

        /// <summary>A background heartbeat failed; the session has ended and heartbeats have stopped.</summary>
        public const string HeartbeatFailed = "heartbeat_failed";

        /// <summary><see cref="AuthForgeClient.Login"/> could not reach the AuthForge server: no answer after its retry
        /// (<c>network_error</c>, <c>timeout</c>), a failed TLS connection (<c>tls_error</c>), or an answer from
        /// something else in the way (<c>foreign_answer</c>: a captive portal, a proxy, a firewall).</summary>
        public const string NetworkError = "network_error";
    }

    /// <summary>
    /// The machine-readable codes carried by <see cref="AuthForgeException.Code"/>: the server's error codes
    /// (PROTOCOL.md) and the codes the client itself raises when a response cannot be trusted or reached.
    /// </summary>
    public static class AuthForgeErrorCodes
    {
        /// <summary>The app id or app secret is not known to the server.</summary>
        public const string InvalidApp = "invalid_app";
        /// <summary>The licence key does not exist.</summary>
        public const string InvalidKey = "invalid_key";
        /// <summary>The licence has passed its expiry date.</summary>
        public const string Expired = "expired";
        /// <summary>The licence was revoked.</summary>
        public const string Revoked = "revoked";
        /// <summary>The licence is bound to other hardware and has no free HWID slot.</summary>
        public const string HwidMismatch = "hwid_mismatch";
        /// <summary>The licence has no credits left.</summary>
        public const string NoCredits = "no_credits";
        /// <summary>This hardware id or IP address is blacklisted.</summary>
        public const string Blocked = "blocked";
        /// <summary>The server is rate limiting this client (HTTP 429); raised after the retries are spent.</summary>
        public const string RateLimited = "rate_limited";
        /// <summary>The server saw this request's nonce before.</summary>
        public const string ReplayDetected = "replay_detected";
        /// <summary>The app is disabled on the server.</summary>
        public const string AppDisabled = "app_disabled";
        /// <summary>The server says the session has ended, or it granted one that had already ended at its own signed
        /// time. A heartbeat that meets it renews the session once before reporting it; in <see cref="HeartbeatMode.Local"/>
        /// a session reaching its end re-validates instead of raising this.</summary>
        public const string SessionExpired = "session_expired";
        /// <summary>Revoking a licence through self-ban needs a session.</summary>
        public const string RevokeRequiresSession = "revoke_requires_session";
        /// <summary>The server could not read the request.</summary>
        public const string BadRequest = "bad_request";
        /// <summary>The server failed internally.</summary>
        public const string ServerError = "server_error";
        /// <summary>The app requires a checksum this client does not send.</summary>
        public const string ChecksumRequired = "checksum_required";
        /// <summary>The app's checksum did not match.</summary>
        public const string ChecksumMismatch = "checksum_mismatch";
        /// <summary>The app has reached the spending (burn) cap its developer set on the dashboard; the server refuses
        /// every licence of the app until the cap is raised. A refusal by the server, not an outage: raising the cap is
        /// the developer's action, not something a retry fixes.</summary>
        public const string AppBurnCapReached = "app_burn_cap_reached";
        /// <summary>The server failed internally (the hosted service's name for <see cref="ServerError"/>). No answer
        /// about the licence: a later request may succeed.</summary>
        public const string SystemError = "system_error";
        /// <summary>The server answered with an error code this client does not know.</summary>
        public const string UnknownError = "unknown_error";

        /// <summary>The response's signature did not verify: it was forged, altered, or signed with another key.</summary>
        public const string SignatureMismatch = "signature_mismatch";
        /// <summary>The signed payload carries another nonce than the one this request sent: a replayed or misrouted
        /// answer. A verdict on the answer, not on the licence. The nonce is chosen by the client and travels in the
        /// request, so it only proves freshness; it does not tie the answer to this app, licence or machine (that is
        /// <see cref="SessionMismatch"/>), and under v1/v2 anyone holding the app secret can sign any nonce.</summary>
        public const string NonceMismatch = "nonce_mismatch";
        /// <summary>The signature verified, but the signed session names another app, licence key or hardware id than
        /// this request sent (or a heartbeat's renewed session than the session it renews): the answer was obtained
        /// for someone else, e.g. by a relay that rewrote the request. A verdict, like
        /// <see cref="SignatureMismatch"/>: the session is never stored or returned.</summary>
        public const string SessionMismatch = "session_mismatch";
        /// <summary>The HTTP stack followed a redirect (a caller-supplied <see cref="HttpClient"/> with redirects on),
        /// so the answer came from another address than the one the request was sent to, and is not trusted. No answer
        /// from the AuthForge server, not a verdict on the licence; the request body, app secret included, may
        /// already have reached the other address: give the client an <see cref="HttpClient"/> whose handler has
        /// <c>AllowAutoRedirect = false</c>.</summary>
        public const string RedirectRefused = "redirect_refused";
        /// <summary>The answer did not come from the AuthForge server: it is neither a signed answer nor the server's
        /// error body (a JSON object whose <c>status</c> is <c>"error"</c> and whose <c>error</c> is a code), whatever
        /// its HTTP status — a captive portal's page, a proxy's 407, a firewall's 403, a redirect, an empty body, JSON
        /// of some other service. No answer, not a verdict: a running session rides it out like an outage.
        /// <see cref="AuthForgeException.HttpStatusCode"/> has the status; the message names it and the kind of body.</summary>
        public const string ForeignAnswer = "foreign_answer";
        /// <summary>The signed payload carries no session token.</summary>
        public const string MissingSessionToken = "missing_sessionToken";
        /// <summary>Neither the session token (<c>exp</c> or <c>expiresIn</c>) nor the payload (<c>expiresIn</c>) says
        /// when the session expires.</summary>
        public const string MissingExpiresIn = "missing_expiresIn";
        /// <summary>A success response without a payload.</summary>
        public const string MissingPayload = "missing_payload";
        /// <summary>A success response without a signature.</summary>
        public const string MissingSignature = "missing_signature";
        /// <summary>The signed payload is not base64 of a JSON object, or a field has an impossible value.</summary>
        public const string InvalidPayload = "invalid_payload";
        /// <summary>The response body exceeded the configured size limit.</summary>
        public const string ResponseTooLarge = "response_too_large";
        /// <summary>The server could not be reached, or the connection failed mid-response. The message names the
        /// host and port and the cause: the connection was refused, the host name was not resolved, the connection
        /// was reset or closed, ...</summary>
        public const string NetworkError = "network_error";
        /// <summary>The server did not answer within the request time-out.</summary>
        public const string Timeout = "timeout";
        /// <summary>The TLS connection failed: the server's certificate is not trusted (self-signed, or re-signed by a
        /// TLS-intercepting proxy), has expired, names another host, or the TLS handshake failed. The message names the
        /// host and port. No answer from the AuthForge server, not a verdict on the licence; it is not retried, as a
        /// certificate does not change in two seconds.</summary>
        public const string TlsError = "tls_error";

        /// <summary>True for the error codes an AuthForge server sends (PROTOCOL.md), false for client-side codes.</summary>
        public static bool IsServerCode(string code) => ErrorCodeTable.IsServerCode(code);
    }

    /// <summary>
    /// An AuthForge operation failed. <see cref="Code"/> says why in a form to switch on (see
    /// <see cref="AuthForgeErrorCodes"/>); the message is a sentence for people. Neither ever contains the app secret,
    /// the licence key or a session token.
    /// </summary>
    public sealed class AuthForgeException : Exception
    {
        /// <summary>Creates an exception with a machine-readable code and a human sentence.</summary>
        public AuthForgeException(string code, string message, Exception? innerException = null, int? httpStatusCode = null)
            : this(code, message, innerException, httpStatusCode, serverCode: null)
        {
        }

        internal AuthForgeException(string code, string message, Exception? innerException, int? httpStatusCode, string? serverCode)
            : base(message, innerException)
        {
            Code = string.IsNullOrEmpty(code) ? AuthForgeErrorCodes.UnknownError : code;
            HttpStatusCode = httpStatusCode;
            ServerCode = serverCode;
        }

        /// <summary>The machine-readable code: one of <see cref="AuthForgeErrorCodes"/>.</summary>
        public string Code { get; }

        /// <summary>The HTTP status of the response that failed, when there was one.</summary>
        public int? HttpStatusCode { get; }

        /// <summary>The code exactly as the AuthForge server's error body gave it, when the failure is such a body; null
        /// otherwise. It equals <see cref="Code"/> for the codes this client knows; for a code the service added later,
        /// <see cref="Code"/> is <see cref="AuthForgeErrorCodes.UnknownError"/> and this says what the server meant
        /// (1 to 64 characters of <c>a-z</c>, <c>0-9</c> and <c>_</c>; nothing else is read as the server's code).</summary>
        public string? ServerCode { get; }

        /// <summary>True when <see cref="Code"/> is one of the server's known error codes (PROTOCOL.md); false for
        /// client-side codes and for <see cref="AuthForgeErrorCodes.UnknownError"/>.</summary>
        public bool IsServerError => AuthForgeErrorCodes.IsServerCode(Code);

        /// <summary>
        /// True when the failure is the absence of an answer from the AuthForge server — a network failure, a time-out,
        /// a failed TLS connection (<see cref="AuthForgeErrorCodes.TlsError"/>), rate limiting after its retries, the
        /// server failing internally, or an answer that did not come from it
        /// (<see cref="AuthForgeErrorCodes.ForeignAnswer"/>: a captive portal, a proxy, a firewall) — which says nothing
        /// about the licence. False for a verdict (revoked, expired, blocked, a bad signature, ...), which means the
        /// licence must stop.
        /// </summary>
        public bool IsNoAnswer => ErrorCodeTable.IsNoAnswer(Code, HttpStatusCode);

        /// <summary>The code, then the usual exception text.</summary>
        public override string ToString() => "[" + Code + "] " + base.ToString();
    }

    /// <summary>How much a diagnostics event matters.</summary>
    public enum AuthForgeDiagnosticLevel
    {
        /// <summary>Routine: a heartbeat succeeded.</summary>
        Debug = 0,
        /// <summary>A normal step in the session's life: a login, a renewal, a resume.</summary>
        Information = 1,
        /// <summary>Something went wrong that the client is riding out: an outage, a retry, a stored session ignored.</summary>
        Warning = 2,
        /// <summary>A failure that ended, or refused, a session.</summary>
        Error = 3,
    }

    /// <summary>The event names of <see cref="AuthForgeDiagnostic.Event"/>.</summary>
    public static class AuthForgeDiagnosticEvents
    {
        /// <summary>A login validated the licence (one credit).</summary>
        public const string LoginSucceeded = "login_succeeded";
        /// <summary>A login was refused or got no answer.</summary>
        public const string LoginFailed = "login_failed";
        /// <summary>A heartbeat was answered and its session verified.</summary>
        public const string HeartbeatSucceeded = "heartbeat_succeeded";
        /// <summary>A heartbeat or renewal got no answer; another attempt is scheduled (the code says why).</summary>
        public const string RetryScheduled = "retry_scheduled";
        /// <summary>The first contact without an answer since the last answered one.</summary>
        public const string OutageStarted = "outage_started";
        /// <summary>The server answered again after an outage.</summary>
        public const string OutageEnded = "outage_ended";
        /// <summary>The session was renewed by a validate before its end (one credit).</summary>
        public const string RenewalSucceeded = "renewal_succeeded";
        /// <summary>The server said the session is over; the client renews it once.</summary>
        public const string SessionExpiredRenewing = "session_expired_renewing";
        /// <summary>A stored session was resumed with one heartbeat instead of a validate.</summary>
        public const string SessionResumed = "session_resumed";
        /// <summary>A stored v3 session was resumed without reaching the server; heartbeats keep trying.</summary>
        public const string SessionResumedOffline = "session_resumed_offline";
        /// <summary>A stored session could not be resumed (the server ended it; a v1/v2 session while offline; offline, past the
        /// tolerance after its last signed answer or with the clock earlier than that answer).</summary>
        public const string ResumeRefused = "resume_refused";
        /// <summary>A stored session was ignored and removed: unreadable, corrupt, altered, another app's, licence's or
        /// machine's, not verifying, ended, or written by a clock later than now.</summary>
        public const string StoreIgnored = "store_ignored";
        /// <summary>Reading or writing the session store failed; the client goes on without it.</summary>
        public const string StoreFailed = "store_failed";
        /// <summary>The session ended: a verdict, or no answer until the session's end (or the offline tolerance).</summary>
        public const string SessionEnded = "session_ended";
    }

    /// <summary>One event of the client's life, for logs. Never contains a secret, a licence key or a session token.</summary>
    public sealed class AuthForgeDiagnostic
    {
        internal AuthForgeDiagnostic(AuthForgeDiagnosticLevel level, string eventName, string? code, string message)
        {
            Level = level;
            Event = eventName;
            Code = code;
            Message = message;
        }

        /// <summary>How much it matters.</summary>
        public AuthForgeDiagnosticLevel Level { get; }

        /// <summary>What happened: one of <see cref="AuthForgeDiagnosticEvents"/>.</summary>
        public string Event { get; }

        /// <summary>The failure's code (<see cref="AuthForgeErrorCodes"/>) when there was one.</summary>
        public string? Code { get; }

        /// <summary>A sentence for people.</summary>
        public string Message { get; }

        /// <summary><c>level event [code]: message</c>.</summary>
        public override string ToString() =>
            Level + " " + Event + (Code is null ? "" : " [" + Code + "]") + ": " + Message;
    }

    /// <summary>
    /// A verified session, read from its signed payload: the client's current one (<see cref="AuthForgeClient.GetSession"/>)
    /// or the one a <see cref="AuthForgeClient.ValidateLicense"/> call was granted (<see cref="AuthForgeValidationResult.Session"/>).
    /// Immutable, and it holds no session token.
    /// </summary>
    public sealed class AuthForgeSession
    {
        internal AuthForgeSession(Session session, bool isResumed, bool isOffline, DateTimeOffset lastContactAt)
        {
            JsonValue payload = session.Payload;
            ExpiresAt = session.ExpiresAt;
            LicenseExpiresAt = Payloads.ReadInstant(payload["licenseExpiresAt"]);
            LicenseLabel = payload["licenseLabel"]?.AsString();
            MaxHwidSlots = Payloads.ReadInt32(payload["maxHwidSlots"]);
            HwidCount = Payloads.ReadInt32(payload["hwidCount"]);
            AppVariables = session.CopyAppVariables();
            LicenseVariables = session.CopyLicenseVariables();
            RequestId = payload["requestId"]?.AsString();
            KeyId = session.KeyId;
            VerifiedPublicKey = session.Response.VerifiedPublicKey;
            IsResumed = isResumed;
            IsOffline = isOffline;
            LastContactAt = lastContactAt;
        }

        /// <summary>When the session ends: the session token's <c>exp</c>, else its <c>expiresIn</c>, else the payload's
        /// <c>expiresIn</c>, shortened to the requested TTL when the server granted more. In SERVER mode the client renews
        /// the session before then.</summary>
        public DateTimeOffset ExpiresAt { get; }

        /// <summary>When the licence itself expires; null when it does not, or the server does not say (v1/v2).</summary>
        public DateTimeOffset? LicenseExpiresAt { get; }

        /// <summary>The licence's label (v3), when it has one.</summary>
        public string? LicenseLabel { get; }

        /// <summary>How many hardware ids the licence may bind (v3), when stated.</summary>
        public int? MaxHwidSlots { get; }

        /// <summary>How many hardware ids the licence has bound (v3), when stated.</summary>
        public int? HwidCount { get; }

        /// <summary>The app's variables (a copy; empty when none).</summary>
        public IReadOnlyDictionary<string, object?> AppVariables { get; }

        /// <summary>The licence's variables (a copy; empty when none).</summary>
        public IReadOnlyDictionary<string, object?> LicenseVariables { get; }

        /// <summary>The server's request id of the answer this session came from (v3), for support tickets.</summary>
        public string? RequestId { get; }

        /// <summary>The key id the answer's envelope names (v3), when it names one. It travels outside the signed payload,
        /// so it is the server's unsigned claim, which whoever relays the answer can change without the signature
        /// noticing: use it for logs, never for a decision. <see cref="VerifiedPublicKey"/> says which key verified.</summary>
        public string? KeyId { get; }

        /// <summary>The configured public key (base64, as given to the client) whose Ed25519 signature verified the
        /// answer this session came from (v3); null under HMAC (v1/v2). Useful while rotating keys.</summary>
        public string? VerifiedPublicKey { get; }

        /// <summary>True when the session was read back from the session store at login instead of validated anew.</summary>
        public bool IsResumed { get; }

        /// <summary>True while the server has not answered since the last attempt: the app runs on its signed session.</summary>
        public bool IsOffline { get; }

        /// <summary>When the server last answered: the local time of its answer, or, for a session resumed from the store
        /// without the server, the server's signed time of its newest stored answer.</summary>
        public DateTimeOffset LastContactAt { get; }

        /// <summary>A one-line summary (no token).</summary>
        public override string ToString() =>
            "Session until " + ExpiresAt.ToString("u", CultureInfo.InvariantCulture)
            + (LicenseLabel is null ? "" : ", licence " + LicenseLabel)
            + (IsResumed ? ", resumed" : "") + (IsOffline ? ", offline" : "");
    }

    /// <summary>
    /// Keeps one client's signed session across restarts (<see cref="AuthForgeClientOptions.SessionStore"/>):
    /// <see cref="AuthForgeFileSessionStore"/>, or a class of your own for apps that keep state elsewhere (a database,
    /// Unity's PlayerPrefs). The client hands over and takes back an opaque text record of a few kilobytes; it verifies
    /// everything it reads, so a store needs no integrity of its own, but the record holds the session token, whose
    /// body names the licence key: keep it where only the user can read it.
    /// </summary>
    /// <remarks>
    /// The client calls one member at a time per client, never concurrently: <see cref="LoadAsync"/> inside a login,
    /// <see cref="SaveAsync"/> after every answer (on a thread-pool thread, from heartbeats), <see cref="DeleteAsync"/>
    /// on logout and when the server ends the licence. An exception from any member is reported as a diagnostic
    /// (<see cref="AuthForgeDiagnosticEvents.StoreFailed"/>) and never fails a login or a heartbeat: the client then
    /// validates as if nothing were stored. An abstract class rather than an interface so that members can be added
    /// in later versions without breaking stores written against this one.
    /// </remarks>
    public abstract class AuthForgeSessionStore
    {
        /// <summary>For derived stores.</summary>
        protected AuthForgeSessionStore()
        {
        }

        /// <summary>The record last saved; null when there is none; an empty string when something is there that is not
        /// a record this store can hand back (too large, unreadable, of the wrong kind), which the client then deletes.
        /// Whatever it returns is verified before anything in it is trusted.</summary>
        public abstract Task<string?> LoadAsync(CancellationToken cancellationToken);

        /// <summary>Replaces the record; should be atomic (a later load sees the old record or the new, never a mix).</summary>
        public abstract Task SaveAsync(string record, CancellationToken cancellationToken);

        /// <summary>Removes the record. Does nothing when there is none.</summary>
        public abstract Task DeleteAsync(CancellationToken cancellationToken);
    }

    /// <summary>
    /// A session store in one file: written to a temporary file beside it and renamed over it, so a crash leaves the
    /// old record or the new; created readable and writable by the user only (mode 0600 on Linux and macOS; on
    /// Windows the file inherits its folder's access list, so keep it under the user's profile, as
    /// <see cref="DefaultPath"/> does). It holds the session token, whose body names the licence key (base64, not
    /// encrypted); it never holds the app secret.
    /// </summary>
    public sealed class AuthForgeFileSessionStore : AuthForgeSessionStore
    {
        // A record is a few kilobytes; anything far larger is not ours and is not read into memory.
        internal const int MaxRecordBytes = 256 * 1024;

        /// <summary>Creates a store at <paramref name="path"/>; its folder is created on the first save.</summary>
        /// <exception cref="ArgumentException"><paramref name="path"/> is empty or not a valid path.</exception>
        public AuthForgeFileSessionStore(string path)
        {
            if (path is null) throw new ArgumentNullException(nameof(path));
            if (path.Trim().Length == 0) throw new ArgumentException("The session store path must not be empty.", nameof(path));
            try
            {
                Path = System.IO.Path.GetFullPath(path);
            }
            catch (Exception ex) when (ex is ArgumentException || ex is NotSupportedException || ex is PathTooLongException)
            {
                throw new ArgumentException("The session store path is not a valid file path.", nameof(path), ex);
            }
        }

        /// <summary>The file's full path.</summary>
        public string Path { get; }

        /// <summary>A per-user location for <paramref name="appId"/>'s session: under the local application data folder
        /// (<c>%LOCALAPPDATA%</c> on Windows, <c>~/.local/share</c> on Linux, <c>~/Library/Application Support</c> on macOS).</summary>
        public static string DefaultPath(string appId)
        {
            if (appId is null) throw new ArgumentNullException(nameof(appId));
            var safe = new StringBuilder(appId.Length);
            foreach (char c in appId) safe.Append(char.IsLetterOrDigit(c) || c == '-' || c == '_' ? c : '_');
            if (safe.Length == 0) throw new ArgumentException("The app id must not be empty.", nameof(appId));
            string root = Environment.GetFolderPath(Environment.SpecialFolder.LocalApplicationData);
            if (root.Length == 0) root = System.IO.Path.GetTempPath();
            return System.IO.Path.Combine(root, "AuthForge", safe.ToString(), "session.json");
        }

        /// <summary>
        /// The record, or null when there is no file. An entry that is not a usable record reads as an empty string,
        /// which the client removes: a directory, or an entry whose size reads zero (an empty file; also a FIFO, a
        /// device or a socket, which are never opened, because opening a FIFO waits for a writer), a file larger than
        /// 256 KiB (not read), or bytes that are not UTF-8. At most 256 KiB and one byte are ever read. The file is
        /// read synchronously (a few kilobytes); the task is complete when this returns.
        /// </summary>
        public override Task<string?> LoadAsync(CancellationToken cancellationToken) => Completed(Load, cancellationToken);

        /// <summary>Writes the record to a temporary file beside the store's and renames it over it. A failure (a folder
        /// that can't be created, a full disk) is the returned task's.</summary>
        public override Task SaveAsync(string record, CancellationToken cancellationToken)
        {
            if (record is null) throw new ArgumentNullException(nameof(record));
            return Completed(() => { Save(record); return true; }, cancellationToken);
        }

        /// <summary>Deletes the file, if there is one.</summary>
        public override Task DeleteAsync(CancellationToken cancellationToken) =>
            Completed(() => { Delete(); return true; }, cancellationToken);

        // The work is a few kilobytes of file I/O, done on the caller's thread; as from any async method, a failure or a
        // cancellation is the task's, not an exception thrown by the call.
        private static Task<T> Completed<T>(Func<T> work, CancellationToken cancellationToken)
        {
            if (cancellationToken.IsCancellationRequested) return Task.FromCanceled<T>(cancellationToken);
            try
            {
                return Task.FromResult(work());
            }
            catch (Exception ex)
            {
                return Task.FromException<T>(ex);
            }
        }

        private string? Load()
        {
            try
            {
                // The entry's kind before it is opened (a symbolic link is followed): only a regular file has a size.
                if ((File.GetAttributes(Path) & FileAttributes.Directory) != 0) return "";
                long length = new FileInfo(Path).Length;
                if (length == 0 || length > MaxRecordBytes) return "";
                using var stream = new FileStream(Path, FileMode.Open, FileAccess.Read, FileShare.Read);
                // Bounded whatever the size said (a file that grew, a device): one byte past the limit is enough to tell.
                byte[] buffer = new byte[MaxRecordBytes + 1];
                int read = 0;
                while (read < buffer.Length)
                {
                    int n = stream.Read(buffer, read, buffer.Length - read);
                    if (n == 0) break;
                    read += n;
                }
                if (read > MaxRecordBytes) return "";
                return new UTF8Encoding(false, true).GetString(buffer, 0, read);
            }
            catch (FileNotFoundException)
            {
                return null;
            }
            catch (DirectoryNotFoundException)
            {
                return null;
            }
            catch (DecoderFallbackException)
            {
                return "";
            }
        }

        private void Save(string record)
        {
            string? folder = System.IO.Path.GetDirectoryName(Path);
            if (!string.IsNullOrEmpty(folder) && !Directory.Exists(folder))
            {
                Directory.CreateDirectory(folder);
                UserOnly.Restrict(folder!, directory: true);
            }
            string temp = Path + "." + Nonce.Create().Substring(0, 8) + ".tmp";
            try
            {
                // Restricted while still empty, so the token is never in a file others could read.
                using (var stream = new FileStream(temp, FileMode.CreateNew, FileAccess.Write, FileShare.None))
                {
                    UserOnly.Restrict(temp, directory: false);
                    byte[] bytes = new UTF8Encoding(false).GetBytes(record);
                    stream.Write(bytes, 0, bytes.Length);
                    stream.Flush(true);
                }
                Replace(temp, Path);
            }
            finally
            {
                try { if (File.Exists(temp)) File.Delete(temp); } catch (IOException) { } catch (UnauthorizedAccessException) { }
            }
        }

        private void Delete()
        {
            try
            {
                File.Delete(Path);
            }
            catch (DirectoryNotFoundException)
            {
            }
        }

        /// <summary>The path, for logs.</summary>
        public override string ToString() => "AuthForgeFileSessionStore(" + Path + ")";

        private static void Replace(string source, string destination)
        {
#if NETCOREAPP3_0_OR_GREATER
            File.Move(source, destination, true);
#else
            // Before .NET Core 3.0 File.Move can't overwrite; File.Replace swaps atomically (a rename on Unix).
            if (File.Exists(destination)) File.Replace(source, destination, null);
            else File.Move(source, destination);
#endif
        }
    }

    /// <summary>
    /// Every setting of an <see cref="AuthForgeClient"/>. The properties are checked when a client is constructed
    /// from them; the options object is copied then, so changing it afterwards does not affect the client.
    /// </summary>
    public sealed class AuthForgeClientOptions
    {
        /// <summary>The address of the hosted AuthForge API, used when <see cref="ApiBaseUrl"/> is null. A property, not a
        /// constant, so the address lives in this library and never in the apps compiled against it.</summary>
        public static string DefaultApiBaseUrl => "https://auth.authforge.cc";

        /// <summary>How much longer than the requested TTL a session may last, for server clocks and rounding: 60 s.</summary>
        public static readonly TimeSpan SessionLengthSlack = TimeSpan.FromSeconds(60);

        /// <summary>The default cap on a response body: 1 MiB.</summary>
        public const int DefaultMaxResponseBytes = 1024 * 1024;

        /// <summary>Your application id from the AuthForge dashboard. Required.</summary>
        public string AppId { get; set; } = "";

        /// <summary>Your application secret from the AuthForge dashboard. Required; never logged or shown.</summary>
        public string AppSecret { get; set; } = "";

        /// <summary>How heartbeats keep the session alive. Default <see cref="HeartbeatMode.Server"/>.</summary>
        public HeartbeatMode HeartbeatMode { get; set; } = HeartbeatMode.Server;

        /// <summary>Time between heartbeats. Default 15 minutes. Must be positive.</summary>
        public TimeSpan HeartbeatInterval { get; set; } = TimeSpan.FromSeconds(900);

        /// <summary>The API's base address; null (the default): the hosted service's (<see cref="DefaultApiBaseUrl"/>).
        /// <c>http://</c> only for loopback hosts unless <see cref="AllowInsecureHttp"/> is set.</summary>
        public string? ApiBaseUrl { get; set; }

        /// <summary>Called with a reason (<see cref="AuthForgeFailureReason"/>) and the failure (never null) when a login
        /// or a heartbeat fails: switch on <see cref="AuthForgeException.Code"/>. When null, or when it throws, the
        /// process is ended with exit code 1 (in Unity: play mode stops in the Editor, the player quits; see
        /// docs/UNITY.md). Where it runs: see <see cref="UseSynchronizationContext"/>.</summary>
        public Action<string, AuthForgeException>? OnFailure { get; set; }

        /// <summary>
        /// True (the default): <see cref="OnFailure"/> runs on the <see cref="SynchronizationContext"/> that was current
        /// when the client was constructed, as <see cref="Progress{T}"/> does: construct the client on the UI thread
        /// (WinForms, WPF, Unity's main thread) and the callback runs there, free to close a form or load a scene. It
        /// runs inline when the failure is found on that context already (a synchronous <c>Login</c> on the UI
        /// thread: the callback has run when <c>Login</c> returns false); otherwise it is posted, and the client never
        /// waits for it to run. With no context at construction (console apps, services, bots), or when posting
        /// throws, it runs on the thread that found the failure. False: always on that thread (a thread-pool thread for
        /// heartbeats and async calls, the caller's thread for synchronous ones).
        /// </summary>
        public bool UseSynchronizationContext { get; set; } = true;

        /// <summary>
        /// The limit on one request (one HTTP exchange), from connecting and sending to the last byte of the body.
        /// Default 15 seconds. It does not bound a whole call: a call that gets no answer (a network failure, a
        /// time-out) sends once more after 2 s, so an unreachable server fails it after at most
        /// 2 × <see cref="RequestTimeout"/> + 2 s (8 s for 3 s); rate limiting adds waits of 2 s and 5 s and up to two
        /// more requests, so one call takes at most 4 × <see cref="RequestTimeout"/> + 9 s. A <c>Login</c> that first
        /// tries a stored session (<see cref="SessionStore"/>) may spend that twice: a heartbeat, then a validate.
        /// A certificate failure (<see cref="AuthForgeErrorCodes.TlsError"/>) is not retried.
        /// </summary>
        public TimeSpan RequestTimeout { get; set; } = TimeSpan.FromSeconds(15);

        /// <summary>The app's Ed25519 public keys (standard base64 of 32 bytes). With any key configured the client
        /// speaks protocol v3 and accepts only Ed25519 signatures, on every path (validate, heartbeat, the LOCAL re-check);
        /// a response verifying under any one key is accepted, which is how keys are rotated. Empty: HMAC generations
        /// v1/v2, whose key is derived from the app secret that ships in every copy of the app, so they protect against a
        /// network attacker who cannot read TLS but not at all against the licensee. Configure a key to protect the
        /// licence check on the licensee's own machine (docs/THREAT-MODEL.md).</summary>
        public IList<string> PublicKeys { get; } = new List<string>();

        /// <summary>Requested session length in seconds, sent on validate; the server clamps it to [3600, 604800], and
        /// 86400 applies when null. The client holds the server to it: a session granted for longer (e.g. by a relay
        /// that rewrote the request) is shortened to this length, clamped the same way, plus
        /// <see cref="SessionLengthSlack"/>, counted from the server's signed timestamp.</summary>
        public int? TtlSeconds { get; set; }

        /// <summary>Used as the hardware id instead of this machine's fingerprint, e.g. <c>tg:12345</c> to bind a licence
        /// to a chat user in a bot. Only null means "no override"; an empty or blank value is an
        /// <see cref="ArgumentException"/>, so a bug producing <c>""</c> never binds every user to one machine.</summary>
        public string? HwidOverride { get; set; }

        /// <summary>An <see cref="System.Net.Http.HttpClient"/> to send requests with (proxies, corporate networks).
        /// The client never disposes it or changes its settings. Null: one shared, pooled client per process. Give it a
        /// handler with <c>AllowAutoRedirect = false</c>: a redirected request re-posts its body, app secret included,
        /// to the other address, and its answer is refused (<see cref="AuthForgeErrorCodes.RedirectRefused"/>).</summary>
        public HttpClient? HttpClient { get; set; }

        /// <summary>Allows an <c>http://</c> <see cref="ApiBaseUrl"/> on a host that is not loopback: only for networks
        /// you control. The app secret and licence key then travel in clear text, and under v1/v2 (no
        /// <see cref="PublicKeys"/>) the HMAC key is derived from that secret, so anyone who can read the traffic can
        /// also forge every answer: without TLS, v1/v2 responses protect nothing. Only v3 (Ed25519) answers still
        /// prove they came from the server, and even then the traffic can be read, dropped or delayed.</summary>
        public bool AllowInsecureHttp { get; set; }

        /// <summary>The most bytes read of one response body; a longer body fails with
        /// <see cref="AuthForgeErrorCodes.ResponseTooLarge"/>. Default 1 MiB.</summary>
        public int MaxResponseBytes { get; set; } = DefaultMaxResponseBytes;

        /// <summary>
        /// How long a session may go on without reaching the server. Heartbeats and renewals that get no answer (network
        /// failure, time-out, 5xx, rate limiting) are retried with back-off, and the app keeps running until this much
        /// time has passed since the last answer or the signed session ends, whichever is first. Null (the default):
        /// until the signed session ends. <see cref="TimeSpan.Zero"/>: the first heartbeat without an answer ends the
        /// session. A verdict (revoked, expired, ...) ends it at once whatever this says.
        /// </summary>
        public TimeSpan? OfflineTolerance { get; set; }

        /// <summary>
        /// Opt-in: keeps the signed session across restarts, so a restart costs one heartbeat instead of a validate, and
        /// (v3 only) an app restarted during an outage runs on until its signed session ends, and at most
        /// <see cref="OfflineTolerance"/> after the server's last signed answer. Usually
        /// <c>new AuthForgeFileSessionStore(AuthForgeFileSessionStore.DefaultPath(appId))</c>: a file written atomically,
        /// readable by the user only. It holds the session token, whose body names the licence key. Null (the default):
        /// nothing is stored.
        /// </summary>
        public AuthForgeSessionStore? SessionStore { get; set; }

        /// <summary>
        /// Called for what happens in the client's life: logins, heartbeats, retries, renewals, resumes, the start and
        /// end of an outage, failures (<see cref="AuthForgeDiagnosticEvents"/>). Never carries the app secret, a licence
        /// key or a session token. Runs synchronously on the thread that did the work, usually a thread-pool thread, and
        /// is never posted to a <see cref="SynchronizationContext"/> (unlike <see cref="OnFailure"/>): keep it short, do
        /// not touch UI objects from it; exceptions from it are ignored.
        /// </summary>
        public Action<AuthForgeDiagnostic>? OnDiagnostic { get; set; }

        // Seams for tests and benchmarks (visible to them through InternalsVisibleTo), never for users.
        internal Action<string>? ErrorOutput { get; set; }
        internal AuthForgeClock Clock { get; set; } = AuthForgeClock.System;
        internal RetryPolicy Retry { get; set; } = RetryPolicy.Default;
        internal HeartbeatScheduler Scheduler { get; set; } = HeartbeatScheduler.Shared;
        internal Action<int> Exit { get; set; } = Environment.Exit;
        internal HardwareFingerprint.ProbeCache? Fingerprint { get; set; }

        /// <summary>Describes the options without the app secret.</summary>
        public override string ToString() =>
            "AuthForgeClientOptions(AppId=" + AppId + ", HeartbeatMode=" + HeartbeatMode + ", ApiBaseUrl=" + (ApiBaseUrl ?? DefaultApiBaseUrl) +
            ", PublicKeys=" + PublicKeys.Count.ToString(CultureInfo.InvariantCulture) + ")";
    }

    /// <summary>
    /// The outcome of <see cref="AuthForgeClient.ValidateLicense"/>: the verified session the server granted, or the
    /// failure. Never contains the app secret.
    /// </summary>
    public sealed class AuthForgeValidationResult
    {
        private AuthForgeValidationResult(AuthForgeSession? session, string? sessionToken, AuthForgeException? failure)
        {
            Session = session;
            SessionToken = sessionToken;
            Exception = failure;
        }

        /// <summary>True when the server accepted the licence and its answer verified and answers this request;
        /// <see cref="Session"/> is then set.</summary>
        public bool IsValid => Session != null;

        /// <summary>The verified session the server granted; null when the licence was not accepted.</summary>
        public AuthForgeSession? Session { get; }

        /// <summary>The session token the server issued; null when not valid. Treat it as a credential (never log it).
        /// It is what <see cref="AuthForgeClient.SelfBan"/> takes to ban this session.</summary>
        public string? SessionToken { get; }

        /// <summary>The failure's code (<see cref="AuthForgeErrorCodes"/>); null when valid.</summary>
        public string? Code => Exception?.Code;

        /// <summary>A sentence describing the failure; null when valid.</summary>
        public string? Message => Exception?.Message;

        /// <summary>The failure itself; null when valid.</summary>
        public AuthForgeException? Exception { get; }

        internal static AuthForgeValidationResult FromSession(Session session, DateTimeOffset answeredAt) =>
            new AuthForgeValidationResult(new AuthForgeSession(session, isResumed: false, isOffline: false, answeredAt),
                session.SessionToken, null);

        internal static AuthForgeValidationResult FromFailure(AuthForgeException failure) =>
            new AuthForgeValidationResult(null, null, failure);

        /// <summary>A one-line summary without the session token.</summary>
        public override string ToString() => Session != null
            ? "Valid licence, session until " + Session.ExpiresAt.ToString("u", CultureInfo.InvariantCulture)
            : "Invalid licence: " + Code;
    }

    /// <summary>
    /// An AuthForge licence client: logs in with a licence key, verifies every response, and keeps the session
    /// alive with background heartbeats until <see cref="Logout"/> or <see cref="Dispose"/>. When the licence is
    /// revoked or expires, the failure callback is told — or, without one, the process ends with exit code 1.
    /// </summary>
    /// <remarks>
    /// Every answer is verified (signature, nonce) and then bound to its request: a session naming another app,
    /// licence key or hardware id than was sent is refused (<see cref="AuthForgeErrorCodes.SessionMismatch"/>), and
    /// none lasts longer than the requested TTL. Under v3 (public keys) that stops forged answers and licence sharing
    /// by relay; under v1/v2 the licensee holds the signing secret and can forge anything. No client stops a patched
    /// binary: use server-side limits, <see cref="SelfBan"/> and short TTLs (docs/THREAT-MODEL.md).
    /// All members are thread-safe. Heartbeats of every client in the process share one timer; no thread is
    /// spent per client. The failure callback runs on the <see cref="SynchronizationContext"/> current when the client
    /// was constructed (a UI thread, Unity's main thread), or, without one, on the thread that found the failure
    /// (<see cref="AuthForgeClientOptions.UseSynchronizationContext"/>).
    /// </remarks>
    public sealed class AuthForgeClient : IDisposable
#if NETSTANDARD2_1_OR_GREATER || NETCOREAPP3_0_OR_GREATER || UNITY_2021_2_OR_NEWER
        , IAsyncDisposable
#endif
    {
        // The client is a thin surface over the session's life; each rule lives in one internal type (section 2):
        // a login (LoginFlow), renewal and heartbeats (HeartbeatDuty), outages (OutagePolicy), the stored session
        // (SessionStoreKeeper), the one way from a signed answer to a session (SessionIssuer).
        private readonly ClientSettings _settings;
        private readonly ClientEvents _events;
        private readonly ServerChannel _channel;
        private readonly SessionSlot _slot;
        private readonly SessionStoreKeeper? _store;
        private readonly SessionIssuer _issuer;
        private readonly LoginFlow _login;

        /// <summary>Creates a client with the parameters of the other AuthForge SDKs.</summary>
        /// <param name="appId">Your application id. Required.</param>
        /// <param name="appSecret">Your application secret. Required.</param>
        /// <param name="heartbeatMode"><c>"SERVER"</c> or <c>"LOCAL"</c>, case-insensitive.</param>
        /// <param name="heartbeatInterval">Seconds between heartbeats (default 900).</param>
        /// <param name="apiBaseUrl">The API's base address; null for the hosted service's.</param>
        /// <param name="onFailure">Called with a reason and the failure on failure; null ends the process instead. The
        /// exception is always an <see cref="AuthForgeException"/> (typed so in
        /// <see cref="AuthForgeClientOptions.OnFailure"/>); this parameter keeps the other AuthForge SDKs' shape.</param>
        /// <param name="requestTimeout">Seconds one request (one HTTP exchange) may take (default 15). A call retries
        /// once after 2 s when it gets no answer, so an unreachable server fails it after at most 2 × requestTimeout + 2 s;
        /// with rate limiting, at most 4 × requestTimeout + 9 s (see <see cref="AuthForgeClientOptions.RequestTimeout"/>).</param>
        /// <param name="publicKey">The app's Ed25519 public key in base64, or several separated by commas (v3).</param>
        /// <param name="ttlSeconds">Requested session length in seconds.</param>
        /// <param name="hwidOverride">A hardware id to use instead of this machine's fingerprint; null for the
        /// fingerprint (a blank value is refused, never taken as "none").</param>
        /// <param name="httpClient">An <see cref="HttpClient"/> to send requests with; null for the shared one.</param>
        /// <param name="allowInsecureHttp">Allows <c>http://</c> to a host that is not loopback.</param>
        /// <exception cref="ArgumentException">A parameter is missing or malformed; the exception names it.</exception>
        public AuthForgeClient(string appId, string appSecret, string heartbeatMode, int heartbeatInterval = 900,
            string? apiBaseUrl = null, Action<string, Exception?>? onFailure = null,
            int requestTimeout = 15, string? publicKey = null, int? ttlSeconds = null, string? hwidOverride = null,
            HttpClient? httpClient = null, bool allowInsecureHttp = false)
            : this(ToOptions(appId, appSecret, ParseMode(heartbeatMode), heartbeatInterval, apiBaseUrl, onFailure,
                requestTimeout, publicKey, ttlSeconds, hwidOverride, httpClient, allowInsecureHttp))
        {
        }

        /// <summary>Creates a client from an options object (copied; later changes to it have no effect).</summary>
        /// <exception cref="ArgumentException">A setting is missing or malformed; the exception names it.</exception>
        public AuthForgeClient(AuthForgeClientOptions options)
        {
            if (options is null) throw new ArgumentNullException(nameof(options));

            string appId = RequireText(options.AppId, "appId");
            string appSecret = RequireText(options.AppSecret, "appSecret");
            if (options.HwidOverride != null) RequireText(options.HwidOverride, "hwidOverride");
            if (options.HeartbeatMode != HeartbeatMode.Server && options.HeartbeatMode != HeartbeatMode.Local)
                throw new ArgumentException("The heartbeat mode must be Server or Local.", "heartbeatMode");
            if (options.HeartbeatInterval <= TimeSpan.Zero || options.HeartbeatInterval.TotalDays > 24)
                throw new ArgumentOutOfRangeException("heartbeatInterval", "The heartbeat interval must be positive and at most 24 days.");
            if (options.RequestTimeout <= TimeSpan.Zero || options.RequestTimeout.TotalDays > 24)
                throw new ArgumentOutOfRangeException("requestTimeout", "The request time-out must be positive and at most 24 days.");
            if (options.TtlSeconds is int ttl && ttl <= 0)
                throw new ArgumentOutOfRangeException("ttlSeconds", "The session TTL must be positive; the server clamps it to [3600, 604800].");
            if (options.MaxResponseBytes < 1024)
                throw new ArgumentOutOfRangeException("maxResponseBytes", "The response size limit must be at least 1024 bytes.");
            if (options.OfflineTolerance is TimeSpan tolerance && tolerance < TimeSpan.Zero)
                throw new ArgumentOutOfRangeException("offlineTolerance", "The offline tolerance must not be negative (null: until the session ends).");
            AuthForgeSessionStore? store = options.SessionStore;

            Uri baseUri = ParseBaseUrl(options.ApiBaseUrl, options.AllowInsecureHttp);
            Ed25519SignatureVerifier? ed25519 = options.PublicKeys.Count == 0 ? null : Ed25519SignatureVerifier.Parse(options.PublicKeys, "publicKey");

            _settings = new ClientSettings(options, appId, appSecret, ed25519);
            // Captures SynchronizationContext.Current: the thread constructing the client is the app's own.
            _events = new ClientEvents(new FailureDispatcher(options.OnFailure, options.UseSynchronizationContext,
                options.Exit ?? Environment.Exit, options.ErrorOutput), options.OnDiagnostic);
            _channel = new ServerChannel(new HttpTransport(options.HttpClient, baseUri, options.RequestTimeout, options.MaxResponseBytes),
                options.Retry ?? RetryPolicy.Default);
            _slot = new SessionSlot();
            _issuer = new SessionIssuer(_settings, _channel);
            _store = store is null ? null : new SessionStoreKeeper(store, _settings, _issuer, _slot, _events);
            var outage = new OutagePolicy(_settings);
            var duty = new HeartbeatDuty(_settings, _issuer, _slot, outage, _store, _events);
            _login = new LoginFlow(_settings, _issuer, _slot, outage, duty, _store, _events);
            // The shared probe only: a test's own probe runs when the test asks for it.
            WarmUp.Begin(fingerprint: _settings.HwidOverride == null && ReferenceEquals(_settings.Fingerprint, HardwareFingerprint.Shared),
                ed25519: _settings.Ed25519 != null);
        }

        /// <summary>The hardware id sent with requests: the override when set; else, while logged in, the id the session
        /// logged in with; else this machine's fingerprint as last probed. The first call of a process that has not
        /// probed yet probes here, on the caller's thread, which can take seconds on Windows: on a UI thread use
        /// <see cref="GetHardwareIdAsync"/>.</summary>
        public string GetHardwareId() => KnownHardwareId() ?? _settings.Fingerprint.Value;

        /// <summary>As <see cref="GetHardwareId"/>; a probe it needs runs on the thread pool, never on the caller's thread.</summary>
        /// <exception cref="OperationCanceledException"><paramref name="cancellationToken"/> was cancelled (the probe
        /// itself runs on, and serves the next call).</exception>
        public Task<string> GetHardwareIdAsync(CancellationToken cancellationToken = default)
        {
            cancellationToken.ThrowIfCancellationRequested();
            string? known = KnownHardwareId();
            return known != null ? Task.FromResult(known) : Tasks.WithCancellation(_settings.Fingerprint.GetAsync(), cancellationToken);
        }

        private string? KnownHardwareId() => _settings.HwidOverride ?? _slot.Current?.Session.Hwid;

        /// <summary>The protocol generation this client verifies: <c>"v3"</c> with public keys, else <c>"v1/v2"</c>.</summary>
        internal bool UsesEd25519 => _settings.UsesEd25519;

        /// <summary>The active session and its heartbeat, for tests that wait on a running heartbeat.</summary>
        internal ActiveSession? Active => _slot.Current;

        /// <summary>
        /// Validates <paramref name="licenseKey"/> (one credit), verifies the signed response and that it answers this
        /// app, licence and machine, stores the session and starts the heartbeat. On failure calls the failure callback (or ends the process) and returns false; a
        /// session from an earlier successful login is then left as it was.
        /// </summary>
        /// <remarks>
        /// While <see cref="IsAuthenticated"/> is true, a login with the same key (trimmed, case-insensitive) returns true
        /// at once: it spends no validate and contacts no server, because the heartbeat already keeps the session alive.
        /// A login with another key throws <see cref="InvalidOperationException"/> without calling the failure callback,
        /// and the session stays: call <see cref="Logout"/> first to change licence.
        /// </remarks>
        /// <remarks>
        /// In <see cref="HeartbeatMode.Server"/> a session lasts its TTL (<c>ttlSeconds</c>, one day by default); the
        /// client renews it with the same licence key before it ends (one credit per TTL), so an app runs for months.
        /// <see cref="HeartbeatMode.Local"/> re-validates at expiry. With a session store, a stored session of the same
        /// app, licence, machine and keys is resumed with one heartbeat instead (see
        /// <see cref="AuthForgeClientOptions.SessionStore"/>).
        /// </remarks>
        /// <exception cref="ArgumentException"><paramref name="licenseKey"/> is null, blank, or not valid UTF-16.</exception>
        /// <exception cref="InvalidOperationException">The client is logged in with another licence key.</exception>
        /// <exception cref="ObjectDisposedException">The client was disposed.</exception>
        public bool Login(string licenseKey)
        {
            RequireText(licenseKey, nameof(licenseKey));
            ThrowIfDisposed();
            if (_login.IsLoggedInWith(licenseKey)) return true;
            // The network part runs on the thread pool, so a UI or ASP.NET synchronisation context can't deadlock
            // it; the failure callback then runs here, on the caller's thread, as it would have without async.
            AuthForgeException? failure = RunSync(() => _login.LoginCoreAsync(licenseKey, CancellationToken.None));
            if (failure is null) return true;
            _events.ReportFailure(LoginReason(failure), failure);
            return false;
        }

        /// <summary>As <see cref="Login"/>, asynchronously; a login with the key already logged in with completes at once
        /// with true, one with another key throws <see cref="InvalidOperationException"/>.</summary>
        /// <exception cref="InvalidOperationException">The client is logged in with another licence key.</exception>
        /// <exception cref="OperationCanceledException"><paramref name="cancellationToken"/> was cancelled.</exception>
        public async Task<bool> LoginAsync(string licenseKey, CancellationToken cancellationToken = default)
        {
            RequireText(licenseKey, nameof(licenseKey));
            ThrowIfDisposed();
            if (_login.IsLoggedInWith(licenseKey)) return true;
            AuthForgeException? failure = await _login.LoginCoreAsync(licenseKey, cancellationToken).ConfigureAwait(false);
            if (failure is null) return true;
            _events.ReportFailure(LoginReason(failure), failure);
            return false;
        }

        /// <summary>Stops the heartbeat at once and clears the session, the licence key and the variables, and deletes
        /// the stored session (waiting for the store). No failure is reported for the ended session afterwards.</summary>
        public void Logout()
        {
            EndLogin();
            // On the thread pool, so a store that continues on the caller's context can't deadlock a UI thread's Logout.
            if (_store != null) RunSync(async () => { await _store.DeleteAsync().ConfigureAwait(false); return true; });
        }

        /// <summary>As <see cref="Logout"/>, and completes once the stored session is deleted and a heartbeat that was
        /// already running has ended. The session ends at once whatever <paramref name="cancellationToken"/> does; it
        /// only stops the waiting.</summary>
        /// <exception cref="OperationCanceledException"><paramref name="cancellationToken"/> was cancelled.</exception>
        public Task LogoutAsync(CancellationToken cancellationToken = default)
        {
            Task heartbeatIdle = EndLogin();
            Task done = _store is null ? heartbeatIdle : Task.WhenAll(_store.DeleteAsync(), heartbeatIdle);
            return Tasks.WithCancellation(done, cancellationToken);
        }

        // The session and its heartbeat end; the stored session is Logout's to delete, and Dispose keeps it, so the
        // next start can resume it. The task completes once a heartbeat already running has ended.
        private Task EndLogin()
        {
            ActiveSession? ended = _slot.Clear();
            if (ended is null) return Task.CompletedTask;
            ended.Heartbeat.Dispose();
            return ended.Heartbeat.WhenIdle;
        }

        /// <summary>True while a verified, unexpired session is stored.</summary>
        public bool IsAuthenticated()
        {
            ActiveSession? active = _slot.Current;
            return active != null && !active.Session.IsExpired(_settings.Clock);
        }

        /// <summary>An immutable, typed view of the current session (expiry, licence expiry, label, HWID slots, variables,
        /// request id, whether it was resumed or is running offline); null when not logged in.</summary>
        public AuthForgeSession? GetSession()
        {
            ActiveSession? active = _slot.Current;
            if (active is null) return null;
            return new AuthForgeSession(active.Session, active.IsResumed, active.OutageSince != null, active.LastContactWall);
        }

        /// <summary>A copy of the verified payload of the current session; null when not logged in.</summary>
        public IReadOnlyDictionary<string, object?>? GetSessionData() => _slot.Current?.Session.CopyPayload();

        /// <summary>A copy of the app's variables; null when not logged in, empty when the app has none.</summary>
        public IReadOnlyDictionary<string, object?>? GetAppVariables() => _slot.Current?.Session.CopyAppVariables();

        /// <summary>A copy of the licence's variables; null when not logged in, empty when the licence has none.</summary>
        public IReadOnlyDictionary<string, object?>? GetLicenseVariables() => _slot.Current?.Session.CopyLicenseVariables();

        /// <summary>
        /// Asks the server about <paramref name="licenseKey"/> (one credit) and verifies the answer, without touching
        /// this client's session and without calling the failure callback.
        /// </summary>
        /// <exception cref="ArgumentException"><paramref name="licenseKey"/> is null or empty.</exception>
        public AuthForgeValidationResult ValidateLicense(string licenseKey)
        {
            RequireText(licenseKey, nameof(licenseKey));
            ThrowIfDisposed();
            return RunSync(() => ValidateLicenseAsync(licenseKey, CancellationToken.None));
        }

        /// <summary>As <see cref="ValidateLicense"/>, asynchronously.</summary>
        /// <exception cref="OperationCanceledException"><paramref name="cancellationToken"/> was cancelled.</exception>
        public async Task<AuthForgeValidationResult> ValidateLicenseAsync(string licenseKey, CancellationToken cancellationToken = default)
        {
            RequireText(licenseKey, nameof(licenseKey));
            ThrowIfDisposed();
            try
            {
                string hwid = await _settings.LoginHwidAsync().ConfigureAwait(false);
                Session session = await _issuer.ValidateAsync(licenseKey, hwid, cancellationToken).ConfigureAwait(false);
                return AuthForgeValidationResult.FromSession(session, _settings.Clock.UtcNow);
            }
            catch (AuthForgeException ex)
            {
                return AuthForgeValidationResult.FromFailure(ex);
            }
        }

        /// <summary>
        /// Reports this installation to the server for banning (e.g. on detecting tampering). With a session (the
        /// current one, or <paramref name="sessionToken"/>) the session form is sent; without one the pre-session form,
        /// which cannot revoke, so <paramref name="revokeLicense"/> is forced off. After a successful self-ban of the
        /// current session, the client logs out.
        /// </summary>
        /// <remarks>
        /// The server's acknowledgement is unsigned in every protocol generation (v1, v2 and v3 alike): returning
        /// normally means something answered <c>{"status":"ok"}</c>, not that the ban reached the server. A relay or
        /// an intercepting proxy on the licensee's machine can answer <c>ok</c> without forwarding the request. Treat it
        /// as best effort: stop the app yourself after calling it, and keep server-side limits (docs/THREAT-MODEL.md).
        /// </remarks>
        /// <param name="licenseKey">The licence for the pre-session form; defaults to the last one logged in with.</param>
        /// <param name="sessionToken">A session to ban instead of the current one.</param>
        /// <param name="revokeLicense">Revoke the licence (session form only).</param>
        /// <param name="blacklistHwid">Blacklist this hardware id.</param>
        /// <param name="blacklistIp">Blacklist this IP address.</param>
        /// <exception cref="ArgumentException">There is no session and no licence key to send.</exception>
        /// <exception cref="AuthForgeException">The server refused (its error body), could not be reached, or something
        /// else answered (<c>foreign_answer</c>).</exception>
        public void SelfBan(string? licenseKey = null, string? sessionToken = null, bool revokeLicense = true,
            bool blacklistHwid = true, bool blacklistIp = true)
        {
            ThrowIfDisposed();
            RunSync(async () =>
            {
                await SelfBanAsync(licenseKey, sessionToken, revokeLicense, blacklistHwid, blacklistIp, CancellationToken.None).ConfigureAwait(false);
                return true;
            });
        }

        /// <summary>As <see cref="SelfBan"/>, asynchronously.</summary>
        public async Task SelfBanAsync(string? licenseKey = null, string? sessionToken = null, bool revokeLicense = true,
            bool blacklistHwid = true, bool blacklistIp = true, CancellationToken cancellationToken = default)
        {
            ThrowIfDisposed();
            ActiveSession? active = _slot.Current;
            // An expired session can't be used for the session form (the server would answer session_expired).
            if (active != null && active.Session.IsExpired(_settings.Clock)) active = null;
            if (!string.IsNullOrEmpty(sessionToken)) RequireWellFormed(sessionToken!, nameof(sessionToken));
            if (!string.IsNullOrEmpty(licenseKey)) RequireWellFormed(licenseKey!, nameof(licenseKey));
            string? token = string.IsNullOrEmpty(sessionToken) ? active?.Session.SessionToken : sessionToken;
            string key = "";
            if (token is null)
            {
                key = string.IsNullOrEmpty(licenseKey) ? _slot.LicenseKey ?? "" : licenseKey!;
                if (key.Length == 0)
                    throw new ArgumentException("Without a session, self-ban needs the licence key.", nameof(licenseKey));
            }
            // The current session's own id (the one the server bound it to); otherwise this machine's, awaited so a
            // first probe runs on the thread pool, never on the caller's thread.
            string hwid = active != null && string.Equals(token, active.Session.SessionToken, StringComparison.Ordinal)
                ? active.Session.Hwid
                : await _settings.CurrentHwidAsync().ConfigureAwait(false);
            string appId = _settings.AppId;
            string appSecret = _settings.AppSecret;
            Func<string, string> body = token != null
                ? (Func<string, string>)(nonce => Requests.SelfBanWithSession(appId, token, hwid, revokeLicense, blacklistHwid, blacklistIp))
                : nonce => Requests.SelfBanWithoutSession(appId, appSecret, key, hwid, nonce, blacklistHwid, blacklistIp);

            await _channel.ExchangeAsync(ServerChannel.SelfBanPath, body, Protocol.VerifyAcknowledgement, cancellationToken).ConfigureAwait(false);

            // The same token by value: a caller passing a copy of the current session's token has banned this session.
            if (active != null && string.Equals(token, active.Session.SessionToken, StringComparison.Ordinal))
            {
                // The same login, not the same object: heartbeats may have renewed the session while the ban was in
                // flight. A login since then has its own heartbeat and is left alone.
                if (!_slot.ClearIfCurrent(active.Heartbeat)) return;
                active.Heartbeat.Dispose();
                if (_store != null) await _store.DeleteAsync().ConfigureAwait(false);
            }
        }

        /// <summary>Stops the heartbeat and clears the session, keeping a stored session for the next start. Idempotent.</summary>
        public void Dispose()
        {
            _slot.MarkDisposed();
            EndLogin();
        }

        // Unity defines none of the *_OR_GREATER symbols; from 2021.2 both its API levels have IAsyncDisposable.
#if NETSTANDARD2_1_OR_GREATER || NETCOREAPP3_0_OR_GREATER || UNITY_2021_2_OR_NEWER
        /// <summary>As <see cref="Dispose"/>, and completes once a heartbeat that was already running has ended.</summary>
        public ValueTask DisposeAsync()
        {
            _slot.MarkDisposed();
            return new ValueTask(EndLogin());
        }
#endif

        /// <summary>Describes the client without secrets.</summary>
        public override string ToString() =>
            "AuthForgeClient(AppId=" + _settings.AppId + ", Mode=" + _settings.Mode + ", Protocol=" + _settings.ProtocolName +
            ", Authenticated=" + (IsAuthenticated() ? "true" : "false") + ")";

        // ---- argument checks and helpers ---------------------------------------------------------------

        // network_error: the AuthForge server was not reached, whether nothing answered or something else did.
        private static string LoginReason(AuthForgeException failure) =>
            ErrorCodeTable.IsUnreached(failure.Code) ? AuthForgeFailureReason.NetworkError : AuthForgeFailureReason.LoginFailed;

        private void ThrowIfDisposed()
        {
            if (_slot.IsDisposed) throw new ObjectDisposedException(nameof(AuthForgeClient));
        }

        private static T RunSync<T>(Func<Task<T>> operation) => Task.Run(operation).GetAwaiter().GetResult();

        // Every text that reaches a request body: present, not blank, and valid UTF-16 (an unpaired surrogate has no
        // UTF-8 encoding, so the request could not be written).
        private static string RequireText(string? value, string paramName)
        {
            if (value is null) throw new ArgumentNullException(paramName);
            if (value.Trim().Length == 0) throw new ArgumentException("The value must not be empty.", paramName);
            RequireWellFormed(value, paramName);
            return value;
        }

        private static void RequireWellFormed(string value, string paramName)
        {
            for (int i = 0; i < value.Length; i++)
            {
                char c = value[i];
                if (char.IsHighSurrogate(c) && i + 1 < value.Length && char.IsLowSurrogate(value[i + 1])) i++;
                else if (char.IsSurrogate(c))
                    throw new ArgumentException("The value contains an unpaired surrogate (invalid UTF-16) at index " +
                        i.ToString(CultureInfo.InvariantCulture) + ".", paramName);
            }
        }

        private static HeartbeatMode ParseMode(string heartbeatMode)
        {
            if (heartbeatMode is null) throw new ArgumentNullException(nameof(heartbeatMode));
            if (string.Equals(heartbeatMode, "SERVER", StringComparison.OrdinalIgnoreCase)) return HeartbeatMode.Server;
            if (string.Equals(heartbeatMode, "LOCAL", StringComparison.OrdinalIgnoreCase)) return HeartbeatMode.Local;
            throw new ArgumentException("The heartbeat mode must be \"SERVER\" or \"LOCAL\".", nameof(heartbeatMode));
        }

        private static Uri ParseBaseUrl(string? apiBaseUrl, bool allowInsecureHttp)
        {
            const string param = "apiBaseUrl";
            if (apiBaseUrl is null) apiBaseUrl = AuthForgeClientOptions.DefaultApiBaseUrl;
            if (!Uri.TryCreate(apiBaseUrl, UriKind.Absolute, out Uri? uri)
                || (uri.Scheme != Uri.UriSchemeHttps && uri.Scheme != Uri.UriSchemeHttp)
                || uri.Host.Length == 0 || uri.Query.Length > 0 || uri.Fragment.Length > 0 || uri.UserInfo.Length > 0)
                throw new ArgumentException("The API base URL must be an absolute http(s) URL without query, fragment or credentials.", param);
            if (uri.Scheme == Uri.UriSchemeHttp && !uri.IsLoopback && !allowInsecureHttp)
                throw new ArgumentException("Plain http:// is only allowed to a loopback host; use https:// or set allowInsecureHttp.", param);
            return uri;
        }

        private static AuthForgeClientOptions ToOptions(string appId, string appSecret, HeartbeatMode heartbeatMode,
            int heartbeatInterval, string? apiBaseUrl, Action<string, Exception?>? onFailure, int requestTimeout,
            string? publicKey, int? ttlSeconds, string? hwidOverride, HttpClient? httpClient, bool allowInsecureHttp)
        {
            if (heartbeatInterval <= 0) throw new ArgumentOutOfRangeException(nameof(heartbeatInterval), "The heartbeat interval must be a positive number of seconds.");
            if (requestTimeout <= 0) throw new ArgumentOutOfRangeException(nameof(requestTimeout), "The request time-out must be a positive number of seconds.");
            var options = new AuthForgeClientOptions
            {
                AppId = appId,
                AppSecret = appSecret,
                HeartbeatMode = heartbeatMode,
                HeartbeatInterval = TimeSpan.FromSeconds(heartbeatInterval),
                ApiBaseUrl = apiBaseUrl,
                OnFailure = onFailure,
                RequestTimeout = TimeSpan.FromSeconds(requestTimeout),
                TtlSeconds = ttlSeconds,
                HwidOverride = hwidOverride,
                HttpClient = httpClient,
                AllowInsecureHttp = allowInsecureHttp,
            };
            if (publicKey != null)
            {
                foreach (string part in publicKey.Split(','))
                {
                    if (part.Trim().Length == 0) throw new ArgumentException("A public key in the comma-separated list is empty.", nameof(publicKey));
                    options.PublicKeys.Add(part.Trim());
                }
            }
            return options;
        }
    }
}

// Everything below is internal. It lives in a namespace of its own because this file compiles into the user's
// assembly: a user's `using AuthForge;` must bring in the public API only, never names like Session or Json.
namespace AuthForge.Internal
{
    /// <summary>What a failure's code says about the licence: the protocol's line between a verdict and no answer.</summary>
    internal enum CodeMeaning : byte
    {
        /// <summary>The AuthForge server's own word (its error body, a verified answer), or an answer it cannot have
        /// sent as it stands (forged, altered, replayed, for someone else, incomplete): the licence stops.</summary>
        Verdict,
        /// <summary>No answer: the server answered about itself (not now), or an answer too large or unsigned to be its,
        /// or a redirect refused (a login reports <c>login_failed</c>: the caller's HttpClient is set up wrong).</summary>
        NoAnswer,
        /// <summary>No answer, and the AuthForge server was not reached at all: nobody answered, the TLS connection
        /// failed, or something else answered. A login that fails so reports <c>network_error</c>.</summary>
        Unreached,
        /// <summary>The server's error body with a code this client does not know: a verdict, unless the server says
        /// with a 5xx status that it failed itself.</summary>
        VerdictUnless5xx,
    }

    /// <summary>
    /// The one table of error codes: each code's meaning (verdict or no answer) and, for the codes the server sends,
    /// the sentence of their message. Everything else (<see cref="AuthForgeErrorCodes.IsServerCode"/>,
    /// <see cref="AuthForgeException.IsNoAnswer"/>, a login's failure reason) reads it, so adding a code is one row,
    /// and a code without a row is a verdict (an unknown failure is never mistaken for a harmless one). Only the
    /// AuthForge server's own word is a verdict (<see cref="Protocol.ReadEnvelope"/> decides what is one); that is why
    /// an answer that is not the server's gets a code of its own (<c>foreign_answer</c>) instead of falling through.
    /// </summary>
    internal static class ErrorCodeTable
    {
        internal sealed class Row
        {
            public Row(string code, CodeMeaning meaning, string? serverSentence)
            {
                Code = code;
                Meaning = meaning;
                ServerSentence = serverSentence;
            }

            public string Code { get; }
            public CodeMeaning Meaning { get; }
            /// <summary>The message's sentence for a code the server sends; null for a code the client raises itself
            /// (its message is written where it is raised).</summary>
            public string? ServerSentence { get; }
        }

        private const CodeMeaning Verdict = CodeMeaning.Verdict, NoAnswer = CodeMeaning.NoAnswer, Unreached = CodeMeaning.Unreached;

        private static Row Server(string code, CodeMeaning meaning, string sentence) => new Row(code, meaning, sentence);
        private static Row Client(string code, CodeMeaning meaning) => new Row(code, meaning, null);

        private static readonly Dictionary<string, Row> s_rows = Index(
            // The server's codes (PROTOCOL.md). Rate limiting and its own failures are about itself: not now.
            Server(AuthForgeErrorCodes.InvalidApp, Verdict, "The app id or app secret is not known to the server."),
            Server(AuthForgeErrorCodes.InvalidKey, Verdict, "The licence key does not exist."),
            Server(AuthForgeErrorCodes.Expired, Verdict, "The licence has expired."),
            Server(AuthForgeErrorCodes.Revoked, Verdict, "The licence has been revoked."),
            Server(AuthForgeErrorCodes.HwidMismatch, Verdict, "The licence is bound to other hardware."),
            Server(AuthForgeErrorCodes.NoCredits, Verdict, "The licence has no credits left."),
            Server(AuthForgeErrorCodes.Blocked, Verdict, "This hardware id or IP address is blocked."),
            Server(AuthForgeErrorCodes.RateLimited, NoAnswer, "The server is rate limiting requests."),
            Server(AuthForgeErrorCodes.ReplayDetected, Verdict, "The server saw this request's nonce before."),
            Server(AuthForgeErrorCodes.AppDisabled, Verdict, "The app is disabled."),
            Server(AuthForgeErrorCodes.SessionExpired, Verdict, "The session has expired."),
            Server(AuthForgeErrorCodes.RevokeRequiresSession, Verdict, "Revoking a licence needs a session."),
            Server(AuthForgeErrorCodes.BadRequest, Verdict, "The server could not read the request."),
            Server(AuthForgeErrorCodes.ServerError, NoAnswer, "The server failed internally."),
            Server(AuthForgeErrorCodes.ChecksumRequired, Verdict, "The app requires a checksum."),
            Server(AuthForgeErrorCodes.ChecksumMismatch, Verdict, "The app checksum did not match."),
            Server(AuthForgeErrorCodes.AppBurnCapReached, Verdict, "The app has reached its spending cap."),
            Server(AuthForgeErrorCodes.SystemError, NoAnswer, "The server failed internally."),
            Client(AuthForgeErrorCodes.UnknownError, CodeMeaning.VerdictUnless5xx),
            // The client's codes: an answer that cannot be trusted is a verdict on the answer.
            Client(AuthForgeErrorCodes.SignatureMismatch, Verdict),
            Client(AuthForgeErrorCodes.NonceMismatch, Verdict),
            Client(AuthForgeErrorCodes.SessionMismatch, Verdict),
            Client(AuthForgeErrorCodes.MissingSessionToken, Verdict),
            Client(AuthForgeErrorCodes.MissingExpiresIn, Verdict),
            Client(AuthForgeErrorCodes.InvalidPayload, Verdict),
            // An answer too large to be the server's, one claiming success with nothing the server signed, a redirect
            // (refused by the transport, or handed back unfollowed).
            Client(AuthForgeErrorCodes.RedirectRefused, NoAnswer),
            Client(AuthForgeErrorCodes.ResponseTooLarge, NoAnswer),
            Client(AuthForgeErrorCodes.MissingPayload, NoAnswer),
            Client(AuthForgeErrorCodes.MissingSignature, NoAnswer),
            // Nobody answered; a failed TLS handshake (an untrusted or intercepted certificate); someone else answered
            // (a captive portal, a proxy asking for credentials, a firewall's page, JSON of another service).
            Client(AuthForgeErrorCodes.NetworkError, Unreached),
            Client(AuthForgeErrorCodes.Timeout, Unreached),
            Client(AuthForgeErrorCodes.TlsError, Unreached),
            Client(AuthForgeErrorCodes.ForeignAnswer, Unreached));

        private static Dictionary<string, Row> Index(params Row[] rows)
        {
            var index = new Dictionary<string, Row>(rows.Length, StringComparer.Ordinal);
            foreach (Row row in rows) index.Add(row.Code, row);
            return index;
        }

        /// <summary>The code's row; null for a code this client does not know.</summary>
        public static Row? Find(string? code) => code != null && s_rows.TryGetValue(code, out Row? row) ? row : null;

        public static bool IsServerCode(string? code) => Find(code)?.ServerSentence != null;

        /// <summary>The sentence of a server code's message; a generic one for any other code.</summary>
        public static string DescribeServerCode(string code) =>
            Find(code)?.ServerSentence ?? "The server answered with an unknown error.";

        /// <summary>True when <paramref name="code"/> (at <paramref name="httpStatus"/>) is no answer; false for a
        /// verdict, and for every code without a row.</summary>
        public static bool IsNoAnswer(string code, int? httpStatus)
        {
            switch (Find(code)?.Meaning)
            {
                case CodeMeaning.NoAnswer:
                case CodeMeaning.Unreached:
                    return true;
                case CodeMeaning.VerdictUnless5xx:
                    return httpStatus >= 500;
                default:
                    return false;
            }
        }

        /// <summary>True when the AuthForge server was not reached at all (nobody or something else answered).</summary>
        public static bool IsUnreached(string code) => Find(code)?.Meaning == CodeMeaning.Unreached;
    }

    // =================================================================================================
    // 2. Client
    //    What AuthForgeClient's public methods stand on, one rule per type, so a reader knows where each
    //    lives: ClientSettings (the checked options), ClientEvents (the failure callback, the stderr line,
    //    diagnostics), SessionSlot (the client's one mutable reference), SessionIssuer (the only way from a
    //    signed answer to a session), LoginFlow (a login), HeartbeatDuty (heartbeats and renewal),
    //    OutagePolicy (how long silence is tolerated), SessionStoreKeeper (the session kept across restarts).
    // =================================================================================================

    /// <summary>A client's settings, checked by the public constructor and fixed for the client's life.</summary>
    internal sealed class ClientSettings
    {
        public ClientSettings(AuthForgeClientOptions options, string appId, string appSecret, Ed25519SignatureVerifier? ed25519)
        {
            AppId = appId;
            AppSecret = appSecret;
            AppSecretVerifier = new HmacSignatureVerifier(Encoding.UTF8.GetBytes(appSecret));
            Ed25519 = ed25519;
            Mode = options.HeartbeatMode;
            Interval = options.HeartbeatInterval;
            TtlSeconds = options.TtlSeconds;
            // Only null means "no override": a blank override is a caller's bug (refused by the constructor), never a
            // silent fall-back to this machine's fingerprint that would bind every bot user to the bot's machine.
            HwidOverride = options.HwidOverride;
            Clock = options.Clock ?? AuthForgeClock.System;
            Scheduler = options.Scheduler ?? HeartbeatScheduler.Shared;
            Fingerprint = options.Fingerprint ?? HardwareFingerprint.Shared;
            OfflineTolerance = options.OfflineTolerance;
            var keys = new List<string>();
            foreach (string key in options.PublicKeys) keys.Add(key.Trim());
            keys.Sort(StringComparer.Ordinal);
            TrustedKeys = string.Join(",", keys);
        }

        public string AppId { get; }
        public string AppSecret { get; }
        public HmacSignatureVerifier AppSecretVerifier { get; }
        public Ed25519SignatureVerifier? Ed25519 { get; }
        public HeartbeatMode Mode { get; }
        public TimeSpan Interval { get; }
        public int? TtlSeconds { get; }
        public string? HwidOverride { get; }
        public AuthForgeClock Clock { get; }
        public HeartbeatScheduler Scheduler { get; }
        public TimeSpan? OfflineTolerance { get; }

        /// <summary>The trusted public keys, trimmed and sorted: part of what a stored session is sealed for.</summary>
        public string TrustedKeys { get; }

        public bool UsesEd25519 => Ed25519 != null;
        public string ProtocolName => UsesEd25519 ? "v3" : "v1/v2";

        public HardwareFingerprint.ProbeCache Fingerprint { get; }

        /// <summary>The id for a login or a validation: the override, or this machine's (an incomplete probe is retried
        /// here, between sessions), probed on the thread pool when it must be.</summary>
        public Task<string> LoginHwidAsync() => HwidOverride != null ? Task.FromResult(HwidOverride) : Fingerprint.GetForLoginAsync();

        /// <summary>The id outside a login: the override, or this machine's as last probed (probed on the thread pool if never).</summary>
        public Task<string> CurrentHwidAsync() => HwidOverride != null ? Task.FromResult(HwidOverride) : Fingerprint.GetAsync();
    }

    /// <summary>What the client tells the app: failures (through <see cref="FailureDispatcher"/>: the callback on the app's
    /// own context, or the stderr line and the exit), and diagnostics.</summary>
    internal sealed class ClientEvents
    {
        private readonly FailureDispatcher _failures;
        private readonly Action<AuthForgeDiagnostic>? _onDiagnostic;

        public ClientEvents(FailureDispatcher failures, Action<AuthForgeDiagnostic>? onDiagnostic)
        {
            _failures = failures;
            _onDiagnostic = onDiagnostic;
        }

        public void ReportFailure(string reason, AuthForgeException failure) => _failures.Report(reason, failure);

        public void Diagnose(AuthForgeDiagnosticLevel level, string eventName, string? code, string message)
        {
            Action<AuthForgeDiagnostic>? callback = _onDiagnostic;
            if (callback is null) return;
            try
            {
                callback(new AuthForgeDiagnostic(level, eventName, code, message));
            }
            catch
            {
                // Logging must never change what the licence check does.
            }
        }

        public static string Describe(TimeSpan span) =>
            span.TotalHours >= 1 ? span.TotalHours.ToString("0.#", CultureInfo.InvariantCulture) + " h"
            : span.TotalMinutes >= 1 ? span.TotalMinutes.ToString("0.#", CultureInfo.InvariantCulture) + " min"
            : span.TotalSeconds.ToString("0.#", CultureInfo.InvariantCulture) + " s";
    }

    /// <summary>The endpoints, and one request with PROTOCOL.md's retries: the transport plus the retry policy.</summary>
    internal sealed class ServerChannel
    {
        public const string ValidatePath = "/auth/validate";
        public const string HeartbeatPath = "/auth/heartbeat";
        public const string SelfBanPath = "/auth/selfban";

        private readonly HttpTransport _transport;
        private readonly RetryPolicy _retry;

        public ServerChannel(HttpTransport transport, RetryPolicy retry)
        {
            _transport = transport;
            _retry = retry;
        }

        // Sends a request built for a fresh nonce and interprets the response against that same nonce; on
        // rate limiting or a network failure, waits and tries again with a new nonce (PROTOCOL.md, "Retries").
        public async Task<T> ExchangeAsync<T>(string path, Func<string, string> buildBody,
            Func<TransportResponse, string, T> interpret, CancellationToken cancellationToken)
        {
            var budget = new RetryBudget();
            while (true)
            {
                string nonce = Nonce.Create();
                TimeSpan wait;
                try
                {
                    TransportResponse response = await _transport.PostAsync(path, buildBody(nonce), cancellationToken).ConfigureAwait(false);
                    return interpret(response, nonce);
                }
                catch (AuthForgeException ex)
                {
                    TimeSpan? next = _retry.NextDelay(ex.Code, ref budget);
                    if (next is null) throw;
                    wait = next.Value;
                }
                await _retry.DelayAsync(wait, cancellationToken).ConfigureAwait(false);
            }
        }
    }

    /// <summary>
    /// The client's one mutable reference: the active session (with its heartbeat) and the licence key it was logged
    /// in with, swapped whole under one lock that is never held across I/O or a user callback.
    /// </summary>
    internal sealed class SessionSlot
    {
        private readonly object _gate = new object();
        private ActiveSession? _active;
        private string? _licenseKey;
        private bool _disposed;

        /// <summary>The active session, read without the lock (readers see a whole session or none).</summary>
        public ActiveSession? Current => Volatile.Read(ref _active);

        /// <summary>The active session, read under the lock: a heartbeat scheduled inside <see cref="Install"/> waits
        /// for the session to be in place instead of finding none.</summary>
        public ActiveSession? CurrentSettled
        {
            get { lock (_gate) return _active; }
        }

        public string? LicenseKey => Volatile.Read(ref _licenseKey);

        public bool IsDisposed => Volatile.Read(ref _disposed);

        public void MarkDisposed()
        {
            lock (_gate) _disposed = true;
        }

        /// <summary>Installs the session <paramref name="create"/> builds (it may schedule its heartbeat) and returns
        /// the one it replaced.</summary>
        /// <exception cref="ObjectDisposedException">The client was disposed.</exception>
        public ActiveSession? Install(Func<ActiveSession> create, string licenseKey, out ActiveSession installed)
        {
            lock (_gate)
            {
                if (_disposed) throw new ObjectDisposedException(nameof(AuthForgeClient));
                ActiveSession? replaced = _active;
                installed = create();
                _active = installed;
                _licenseKey = licenseKey;
                return replaced;
            }
        }

        /// <summary>Clears the session and the licence key; returns the session that was active.</summary>
        public ActiveSession? Clear()
        {
            lock (_gate)
            {
                ActiveSession? ended = _active;
                _active = null;
                _licenseKey = null;
                return ended;
            }
        }

        /// <summary>Clears the session and the licence key if <paramref name="heartbeat"/>'s login is still current.</summary>
        public bool ClearIfCurrent(HeartbeatRegistration heartbeat)
        {
            lock (_gate)
            {
                if (!ReferenceEquals(_active?.Heartbeat, heartbeat)) return false;
                _active = null;
                _licenseKey = null;
                return true;
            }
        }

        /// <summary>Ends the session (keeping the licence key for a self-ban) if <paramref name="heartbeat"/>'s login is current.</summary>
        public bool EndIfCurrent(HeartbeatRegistration heartbeat)
        {
            lock (_gate)
            {
                if (!ReferenceEquals(_active?.Heartbeat, heartbeat)) return false;
                _active = null;
                return true;
            }
        }

        /// <summary>Replaces the session of <paramref name="heartbeat"/>'s login, if it is still current.</summary>
        public bool TrySwap(HeartbeatRegistration heartbeat, ActiveSession updated)
        {
            lock (_gate)
            {
                if (!ReferenceEquals(_active?.Heartbeat, heartbeat)) return false;
                _active = updated;
                return true;
            }
        }

        public bool IsCurrent(HeartbeatRegistration heartbeat) => ReferenceEquals(Volatile.Read(ref _active)?.Heartbeat, heartbeat);
    }

    /// <summary>
    /// A verified session, the heartbeat that keeps it, and where the two stand with the server (last answer, an outage
    /// in progress, a renewal asked for). Immutable: the client swaps it whole.
    /// </summary>
    internal sealed class ActiveSession
    {
        public ActiveSession(Session session, HeartbeatRegistration heartbeat, TimeSpan lastContactMonotonic,
            DateTimeOffset lastContactWall, TimeSpan? outageSince, int unanswered, bool isResumed, bool renewRequested,
            bool renewedOnExpiry)
        {
            Session = session;
            Heartbeat = heartbeat;
            LastContactMonotonic = lastContactMonotonic;
            LastContactWall = lastContactWall;
            OutageSince = outageSince;
            UnansweredCount = unanswered;
            IsResumed = isResumed;
            RenewRequested = renewRequested;
            RenewedOnExpiry = renewedOnExpiry;
        }

        public Session Session { get; }
        public HeartbeatRegistration Heartbeat { get; }
        public TimeSpan LastContactMonotonic { get; }
        public DateTimeOffset LastContactWall { get; }
        /// <summary>Monotonic time of the first unanswered attempt since the last answer; null while in contact.</summary>
        public TimeSpan? OutageSince { get; }
        public int UnansweredCount { get; }
        public bool IsResumed { get; }
        /// <summary>The server said the session is over: the next tick renews.</summary>
        public bool RenewRequested { get; }
        /// <summary>This session came from a renewal the server's session_expired asked for.</summary>
        public bool RenewedOnExpiry { get; }

        public static ActiveSession Contacted(Session session, HeartbeatRegistration heartbeat, AuthForgeClock clock, bool isResumed,
            bool renewedOnExpiry = false) =>
            new ActiveSession(session, heartbeat, clock.Monotonic, clock.UtcNow, null, 0, isResumed, false, renewedOnExpiry);

        public ActiveSession WithUnanswered(AuthForgeClock clock) =>
            new ActiveSession(Session, Heartbeat, LastContactMonotonic, LastContactWall, OutageSince ?? clock.Monotonic,
                UnansweredCount + 1, IsResumed, RenewRequested, RenewedOnExpiry);

        public ActiveSession WithRenewRequested() =>
            new ActiveSession(Session, Heartbeat, LastContactMonotonic, LastContactWall, OutageSince, UnansweredCount, IsResumed,
                true, RenewedOnExpiry);

        /// <summary>Time since the last answer by the later of the two reckonings: a sleep never shortens it.</summary>
        public TimeSpan SinceContact(AuthForgeClock clock)
        {
            TimeSpan byMonotonic = clock.Monotonic - LastContactMonotonic;
            TimeSpan byWall = clock.UtcNow - LastContactWall;
            return TimeMath.NotNegative(TimeMath.Max(byMonotonic, byWall));
        }
    }

    /// <summary>
    /// The only way from a signed answer to a <see cref="Session"/>: every validate, heartbeat, renewal and
    /// ValidateLicense answer is verified, bound to what this client asked for, and only then made a session.
    /// </summary>
    internal sealed class SessionIssuer
    {
        private readonly ClientSettings _settings;
        private readonly ServerChannel _channel;

        public SessionIssuer(ClientSettings settings, ServerChannel channel)
        {
            _settings = settings;
            _channel = channel;
        }

        /// <summary>One validate (one credit): a new session for <paramref name="licenseKey"/> on the machine <paramref name="hwid"/>.</summary>
        public async Task<Session> ValidateAsync(string licenseKey, string hwid, CancellationToken cancellationToken)
        {
            ClientSettings s = _settings;
            SignatureVerifier verifier = (SignatureVerifier?)s.Ed25519 ?? s.AppSecretVerifier;
            return await _channel.ExchangeAsync(ServerChannel.ValidatePath,
                nonce => Requests.Validate(s.AppId, s.AppSecret, licenseKey, hwid, nonce, s.TtlSeconds),
                (response, nonce) => Session.FromAnswer(response.StatusCode, response.Body, nonce, verifier,
                    new SessionBinding(s.AppId, licenseKey, hwid, s.TtlSeconds, s.Clock.UtcNow.ToUnixTimeSeconds()), s.Clock),
                cancellationToken).ConfigureAwait(false);
        }

        /// <summary>One heartbeat of <paramref name="session"/>: the session as the server now signs it.</summary>
        public Task<Session> HeartbeatAsync(Session session, CancellationToken cancellationToken)
        {
            ClientSettings s = _settings;
            SignatureVerifier verifier = HeartbeatVerifier(session.SigKeyBytes);
            // The id the session logged in with, never a fresh read: a later probe must not change it mid-session.
            string hwid = session.Hwid;
            // The renewed session must name the same app, licence and machine as the one it renews, and its length
            // still counts from the session's origin: a heartbeat never moves the cap.
            return _channel.ExchangeAsync(ServerChannel.HeartbeatPath,
                nonce => Requests.Heartbeat(s.AppId, session.SessionToken, nonce, hwid),
                (response, nonce) => Session.FromAnswer(response.StatusCode, response.Body, nonce, verifier,
                    new SessionBinding(s.AppId, session.LicenseKey, hwid, s.TtlSeconds, s.Clock.UtcNow.ToUnixTimeSeconds(), session.OriginUnix),
                    s.Clock, renewing: session),
                cancellationToken);
        }

        // v2 servers sign heartbeats with the session's sigKey; v1 servers with the app secret; v3 with Ed25519.
        private SignatureVerifier HeartbeatVerifier(byte[]? sigKey) =>
            (SignatureVerifier?)_settings.Ed25519 ?? (sigKey is null ? _settings.AppSecretVerifier : new HmacSignatureVerifier(sigKey));

        /// <summary>
        /// A stored session, through the same verify and bind as a live answer: the origin answer as a validate's, for
        /// <paramref name="licenseKey"/> on the machine <paramref name="hwid"/>, then the newest answer as a heartbeat's of that origin. Only
        /// the key kinds this client trusts verify: Ed25519 under v3, HMAC only under v1/v2.
        /// </summary>
        /// <exception cref="AuthForgeException">An answer cannot be trusted or answers someone else.</exception>
        public Session Restore(StoredAnswer originAnswer, StoredAnswer? latestAnswer, string licenseKey, string hwid)
        {
            ClientSettings s = _settings;
            long now = s.Clock.UtcNow.ToUnixTimeSeconds();
            Session origin = Session.FromStoredAnswer(originAnswer, StoredVerifier(originAnswer, null),
                new SessionBinding(s.AppId, licenseKey, hwid, s.TtlSeconds, now), s.Clock, origin: null);
            if (latestAnswer is null) return origin;
            return Session.FromStoredAnswer(latestAnswer, StoredVerifier(latestAnswer, origin.SigKeyBytes),
                new SessionBinding(s.AppId, licenseKey, hwid, s.TtlSeconds, now, origin.OriginUnix), s.Clock, origin);
        }

        private SignatureVerifier StoredVerifier(StoredAnswer answer, byte[]? originSigKey)
        {
            switch (answer.VerifierKind)
            {
                case "ed25519" when _settings.Ed25519 != null:
                    return _settings.Ed25519;
                // HMAC only without public keys: under v3 an HMAC-signed record is forged by whoever holds the app.
                case "app" when _settings.Ed25519 is null:
                    return _settings.AppSecretVerifier;
                case "sigkey" when _settings.Ed25519 is null && originSigKey != null:
                    return new HmacSignatureVerifier(originSigKey);
                default:
                    throw new AuthForgeException(AuthForgeErrorCodes.SignatureMismatch, "The stored answer was verified by a key this client does not trust.");
            }
        }

        /// <summary>LOCAL mode's check: the kept answer's signature still verifies (no network).</summary>
        public static Session LocalCheck(Session session)
        {
            if (!session.VerifyStoredSignature())
                throw new AuthForgeException(AuthForgeErrorCodes.SignatureMismatch, "The stored session's signature no longer verifies.");
            return session;
        }
    }

    /// <summary>How long a session may go on without an answer, and how soon to ask again.</summary>
    internal sealed class OutagePolicy
    {
        private readonly ClientSettings _settings;

        public OutagePolicy(ClientSettings settings) => _settings = settings;

        // How much longer a session may go on without an answer: until it ends, or the offline tolerance is spent.
        public TimeSpan OfflineLeft(Session session, TimeSpan sinceContact)
        {
            TimeSpan left = session.Remaining(_settings.Clock);
            if (_settings.OfflineTolerance is TimeSpan tolerance) left = TimeMath.Min(left, tolerance - sinceContact);
            return TimeMath.NotNegative(left);
        }

        /// <summary>
        /// How long a stored session may run from now without the server: until its signed end, and at most the offline
        /// tolerance after its newest signed answer. Zero when the clock reads earlier than that answer (less the
        /// allowed skew): the clock was set back, and the time since the last contact can't be told.
        /// </summary>
        public TimeSpan OfflineStartLeft(RestoredSession stored)
        {
            TimeSpan since = _settings.Clock.UtcNow - stored.LastContact;
            if (since < -StoredSession.MaxSkew) return TimeSpan.Zero;
            return OfflineLeft(stored.Session, TimeMath.NotNegative(since));
        }

        /// <summary>The first wait after an unanswered heartbeat; each next one doubles, up to the interval.</summary>
        internal static readonly TimeSpan FirstBackoff = TimeSpan.FromSeconds(2);

        // Exponential from FirstBackoff, capped at the interval, with the upper half jittered so clients that lost the
        // server together don't come back together.
        public TimeSpan Backoff(int attempt)
        {
            double seconds = FirstBackoff.TotalSeconds * Math.Pow(2, Math.Min(Math.Max(attempt, 1) - 1, 30));
            long ticks = (long)Math.Min(_settings.Interval.Ticks, seconds * TimeSpan.TicksPerSecond);
            double jitter = 0.5 + 0.5 * ((Nonce.NextUInt32() + 1.0) / (uint.MaxValue + 1.0));
            return TimeSpan.FromTicks(Math.Max(1, (long)(ticks * jitter)));
        }
    }

    /// <summary>
    /// One login: a stored session resumed with one heartbeat (or, v3 only, without the server), else a validate;
    /// then the session is installed and its heartbeat scheduled.
    /// </summary>
    internal sealed class LoginFlow
    {
        private readonly ClientSettings _settings;
        private readonly SessionIssuer _issuer;
        private readonly SessionSlot _slot;
        private readonly OutagePolicy _outage;
        private readonly HeartbeatDuty _duty;
        private readonly SessionStoreKeeper? _store;
        private readonly ClientEvents _events;

        public LoginFlow(ClientSettings settings, SessionIssuer issuer, SessionSlot slot, OutagePolicy outage, HeartbeatDuty duty,
            SessionStoreKeeper? store, ClientEvents events)
        {
            _settings = settings;
            _issuer = issuer;
            _slot = slot;
            _outage = outage;
            _duty = duty;
            _store = store;
            _events = events;
        }

        /// <summary>
        /// True when this client holds an unexpired session of <paramref name="licenseKey"/> (compared as the server
        /// compares keys: trimmed, case-insensitive): a second login then asks nothing of the server, the heartbeat
        /// already keeps the session alive.
        /// </summary>
        /// <exception cref="InvalidOperationException">The session is another licence key's.</exception>
        public bool IsLoggedInWith(string licenseKey)
        {
            ActiveSession? active = _slot.Current;
            if (active is null || active.Session.IsExpired(_settings.Clock)) return false;
            if (string.Equals(active.Session.LicenseKey.Trim(), licenseKey.Trim(), StringComparison.OrdinalIgnoreCase)) return true;
            // Never names either key: both are credentials.
            throw new InvalidOperationException("The client is already logged in with another licence key; call Logout first.");
        }

        /// <summary>Null when logged in; else the failure, for the caller to report.</summary>
        public async Task<AuthForgeException?> LoginCoreAsync(string licenseKey, CancellationToken cancellationToken)
        {
            AuthForgeClock clock = _settings.Clock;
            Session? session = null;
            bool resumed = false;
            AuthForgeException? offline = null;
            DateTimeOffset lastContact = default;

            // Before anything else and awaited: a first probe runs on the thread pool, never on the caller's (UI)
            // thread. The session keeps this id for its whole life, renewals included, whatever a later probe says.
            string hwid = await _settings.LoginHwidAsync().ConfigureAwait(false);
            RestoredSession? stored = _store is null ? null : await _store.LoadAsync(licenseKey, hwid, cancellationToken).ConfigureAwait(false);
            if (stored != null)
            {
                try
                {
                    session = await _issuer.HeartbeatAsync(stored.Session, cancellationToken).ConfigureAwait(false);
                    resumed = true;
                    _events.Diagnose(AuthForgeDiagnosticLevel.Information, AuthForgeDiagnosticEvents.SessionResumed, null,
                        "Resumed the stored session with one heartbeat instead of a validate.");
                }
                catch (AuthForgeException ex) when (ex.IsNoAnswer)
                {
                    // Only an Ed25519 (v3) session is trusted without the server: a v1/v2 signature is an HMAC under the
                    // app secret, which every copy of the app holds, so anyone could forge a stored v1/v2 session.
                    if (_settings.UsesEd25519 && _outage.OfflineStartLeft(stored) > TimeSpan.Zero)
                    {
                        session = stored.Session;
                        resumed = true;
                        offline = ex;
                        lastContact = stored.LastContact;
                        _events.Diagnose(AuthForgeDiagnosticLevel.Warning, AuthForgeDiagnosticEvents.SessionResumedOffline, ex.Code,
                            "The server could not be reached; running on the stored signed session until it ends.");
                    }
                    else
                    {
                        _events.Diagnose(AuthForgeDiagnosticLevel.Warning, AuthForgeDiagnosticEvents.ResumeRefused, ex.Code, _settings.UsesEd25519
                            ? "The server could not be reached and the stored session is past the offline tolerance, or the clock reads earlier than its last signed answer."
                            : "The server could not be reached; a v1/v2 session is never resumed offline (anyone with the app secret could forge one).");
                    }
                }
                catch (AuthForgeException ex)
                {
                    await _store!.DeleteAsync().ConfigureAwait(false);
                    _events.Diagnose(AuthForgeDiagnosticLevel.Information, AuthForgeDiagnosticEvents.ResumeRefused, ex.Code,
                        "The server did not accept the stored session; validating the licence instead.");
                }
            }

            if (session is null)
            {
                try
                {
                    session = await _issuer.ValidateAsync(licenseKey, hwid, cancellationToken).ConfigureAwait(false);
                }
                catch (AuthForgeException ex)
                {
                    _events.Diagnose(AuthForgeDiagnosticLevel.Error, AuthForgeDiagnosticEvents.LoginFailed, ex.Code, ex.Message);
                    return ex;
                }
                _events.Diagnose(AuthForgeDiagnosticLevel.Information, AuthForgeDiagnosticEvents.LoginSucceeded, null,
                    "The licence was validated; the session ends " + session.ExpiresAt.ToString("u", CultureInfo.InvariantCulture) + ".");
            }

            Session started = session;
            ActiveSession? replaced = _slot.Install(() =>
            {
                TimeSpan first = offline != null ? _outage.Backoff(1) : _duty.FirstDelay(started);
                HeartbeatRegistration heartbeat = _settings.Scheduler.Schedule(_settings.Interval, first, _duty.RunAsync);
                if (offline is null) return ActiveSession.Contacted(started, heartbeat, clock, resumed);
                TimeSpan since = clock.UtcNow - lastContact;
                return new ActiveSession(started, heartbeat, clock.Monotonic - TimeMath.NotNegative(since), lastContact,
                    clock.Monotonic, 1, resumed, false, false);
            }, licenseKey, out ActiveSession installed);
            replaced?.Heartbeat.Dispose();
            if (_store != null) await _store.SaveAsync(installed, CancellationToken.None).ConfigureAwait(false);
            return null;
        }
    }

    /// <summary>
    /// One tick of a session's life: a renewal when the session nears its end (or the server ended it), else a
    /// heartbeat (SERVER) or a local re-verification (LOCAL). A verdict ends the session; no answer is retried with
    /// back-off while the signed session lasts (and the offline tolerance allows); success swaps the session in.
    /// </summary>
    internal sealed class HeartbeatDuty
    {
        private readonly ClientSettings _settings;
        private readonly SessionIssuer _issuer;
        private readonly SessionSlot _slot;
        private readonly OutagePolicy _outage;
        private readonly SessionStoreKeeper? _store;
        private readonly ClientEvents _events;

        public HeartbeatDuty(ClientSettings settings, SessionIssuer issuer, SessionSlot slot, OutagePolicy outage,
            SessionStoreKeeper? store, ClientEvents events)
        {
            _settings = settings;
            _issuer = issuer;
            _slot = slot;
            _outage = outage;
            _store = store;
            _events = events;
        }

        private AuthForgeClock Clock => _settings.Clock;

        /// <summary>The first tick of a fresh session: spread over the interval, or sooner when the session needs it.</summary>
        public TimeSpan FirstDelay(Session session)
        {
            // Spread over the whole interval, so a thousand sessions started together don't heartbeat together.
            double fraction = (Nonce.NextUInt32() + 1.0) / (uint.MaxValue + 1.0);
            TimeSpan spread = TimeSpan.FromTicks(Math.Max(1, (long)(_settings.Interval.Ticks * fraction)));
            TimeSpan duty = UntilNextDuty(session);
            return spread < duty ? spread : duty;
        }

        public async Task RunAsync(HeartbeatRegistration registration, CancellationToken cancellationToken)
        {
            // Under the gate: Login schedules the heartbeat and then stores the session inside one hold of it, so a
            // heartbeat due at once waits for the store instead of finding no session and skipping a whole interval.
            ActiveSession? active = _slot.CurrentSettled;
            if (active is null || !ReferenceEquals(active.Heartbeat, registration)) return;

            bool renew = NeedsRenewal(active);
            Session next;
            try
            {
                if (renew) next = await _issuer.ValidateAsync(active.Session.LicenseKey, active.Session.Hwid, cancellationToken).ConfigureAwait(false);
                else if (_settings.Mode == HeartbeatMode.Server) next = await _issuer.HeartbeatAsync(active.Session, cancellationToken).ConfigureAwait(false);
                else next = SessionIssuer.LocalCheck(active.Session);
            }
            catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
            {
                return; // logged out or disposed while the heartbeat ran: not a failure
            }
            catch (Exception ex)
            {
                AuthForgeException failure = ex as AuthForgeException
                    ?? new AuthForgeException(AuthForgeErrorCodes.UnknownError, "The heartbeat failed unexpectedly.", ex);
                await OnTickFailedAsync(active, registration, failure, renew, cancellationToken).ConfigureAwait(false);
                return;
            }
            await OnTickSucceededAsync(active, registration, next, renew, cancellationToken).ConfigureAwait(false);
        }

        private async Task OnTickSucceededAsync(ActiveSession active, HeartbeatRegistration registration, Session next, bool renewed,
            CancellationToken cancellationToken)
        {
            if (ReferenceEquals(next, active.Session))
            {
                // LOCAL: nothing was asked of the server; look again at the interval, or when the session ends.
                registration.RunAgainWithin(UntilNextDuty(active.Session));
                return;
            }
            ActiveSession updated = ActiveSession.Contacted(next, registration, Clock, active.IsResumed,
                renewedOnExpiry: renewed && active.RenewRequested);
            if (!_slot.TrySwap(registration, updated)) return;
            if (active.OutageSince != null)
                _events.Diagnose(AuthForgeDiagnosticLevel.Information, AuthForgeDiagnosticEvents.OutageEnded, null,
                    "The server answers again after " + ClientEvents.Describe(Clock.Monotonic - active.OutageSince.Value) + ".");
            if (renewed)
                _events.Diagnose(AuthForgeDiagnosticLevel.Information, AuthForgeDiagnosticEvents.RenewalSucceeded, null,
                    "The session was renewed; it now ends " + next.ExpiresAt.ToString("u", CultureInfo.InvariantCulture) + ".");
            else
                _events.Diagnose(AuthForgeDiagnosticLevel.Debug, AuthForgeDiagnosticEvents.HeartbeatSucceeded, null, "Heartbeat answered.");
            if (_store != null) await _store.SaveAsync(updated, cancellationToken).ConfigureAwait(false);
            registration.RunAgainWithin(UntilNextDuty(next));
        }

        private async Task OnTickFailedAsync(ActiveSession active, HeartbeatRegistration registration, AuthForgeException failure,
            bool renewing, CancellationToken cancellationToken)
        {
            if (!failure.IsNoAnswer)
            {
                // A session ends at its TTL whatever the heartbeats say: the server's session_expired asks for the
                // renewal, once. A renewed session refused again at once is a real failure, not a loop of credits.
                if (failure.Code == AuthForgeErrorCodes.SessionExpired && !renewing && !active.RenewedOnExpiry)
                {
                    if (!_slot.TrySwap(registration, active.WithRenewRequested())) return;
                    _events.Diagnose(AuthForgeDiagnosticLevel.Information, AuthForgeDiagnosticEvents.SessionExpiredRenewing, failure.Code,
                        "The server ended the session; renewing it with the licence key.");
                    registration.RunAgainWithin(TimeSpan.Zero);
                    return;
                }
                await EndSessionAsync(registration, failure, forgetStored: true).ConfigureAwait(false);
                return;
            }

            TimeSpan left = _outage.OfflineLeft(active.Session, active.SinceContact(Clock));
            if (left <= TimeSpan.Zero)
            {
                await EndSessionAsync(registration, failure, forgetStored: false).ConfigureAwait(false);
                return;
            }
            ActiveSession updated = active.WithUnanswered(Clock);
            if (!_slot.TrySwap(registration, updated)) return;
            if (active.OutageSince is null)
                _events.Diagnose(AuthForgeDiagnosticLevel.Warning, AuthForgeDiagnosticEvents.OutageStarted, failure.Code,
                    "The server could not be reached; the signed session stays valid for up to " + ClientEvents.Describe(left) + ".");
            TimeSpan backoff = _outage.Backoff(updated.UnansweredCount);
            TimeSpan delay = backoff < left ? backoff : left;
            _events.Diagnose(AuthForgeDiagnosticLevel.Warning, AuthForgeDiagnosticEvents.RetryScheduled, failure.Code,
                (renewing ? "Renewal" : "Heartbeat") + " got no answer: " + failure.Message + " Retrying in " + ClientEvents.Describe(delay) + ".");
            if (_store != null) await _store.SaveAsync(updated, cancellationToken).ConfigureAwait(false);
            registration.RunAgainWithin(delay);
        }

        private async Task EndSessionAsync(HeartbeatRegistration registration, AuthForgeException failure, bool forgetStored)
        {
            bool ended = _slot.EndIfCurrent(registration);
            registration.Dispose();
            // Only the heartbeat that ended the session reports, so one failure is reported once.
            if (!ended) return;
            if (forgetStored && _store != null) await _store.DeleteAsync().ConfigureAwait(false);
            _events.Diagnose(AuthForgeDiagnosticLevel.Error, AuthForgeDiagnosticEvents.SessionEnded, failure.Code, failure.IsNoAnswer
                ? "The session ended without an answer from the server: " + failure.Message
                : failure.Message);
            _events.ReportFailure(AuthForgeFailureReason.HeartbeatFailed, failure);
        }

        // SERVER: renew when the session is within its renewal lead of the end, or the server said it is over.
        // LOCAL: the seed SDK's behaviour, one validate once the prepaid session has run out.
        private bool NeedsRenewal(ActiveSession active) =>
            _settings.Mode == HeartbeatMode.Server
                ? active.RenewRequested || active.Session.Remaining(Clock) <= RenewalLead(active.Session)
                : active.Session.IsExpired(Clock);

        // Early enough to ride out a short outage with retries, late enough that a day's session costs about a day's
        // credit: one interval before the end, or a quarter of the session when that is shorter.
        private TimeSpan RenewalLead(Session session)
        {
            TimeSpan quarter = TimeSpan.FromTicks(session.Lifetime.Ticks / 4);
            return TimeMath.Min(_settings.Interval, quarter);
        }

        // How long until the session needs the scheduler before the regular interval: its renewal (SERVER) or its end.
        private TimeSpan UntilNextDuty(Session session)
        {
            TimeSpan remaining = session.Remaining(Clock);
            TimeSpan until = _settings.Mode == HeartbeatMode.Server ? remaining - RenewalLead(session) : remaining;
            return TimeMath.NotNegative(until);
        }
    }

    /// <summary>A session read back from the store, and the newest time the server signed for it (its last contact).</summary>
    internal sealed class RestoredSession
    {
        public RestoredSession(Session session, DateTimeOffset lastContact)
        {
            Session = session;
            LastContact = lastContact;
        }

        public Session Session { get; }
        public DateTimeOffset LastContact { get; }
    }

    /// <summary>
    /// The session kept across restarts (opt-in): read back and checked at login, written after every change, deleted
    /// on logout and on a verdict. A stored session is used only when everything about it checks out; anything else
    /// is removed, never trusted, and a store that throws is reported and done without.
    /// </summary>
    internal sealed class SessionStoreKeeper
    {
        private readonly AuthForgeSessionStore _store;
        private readonly ClientSettings _settings;
        private readonly SessionIssuer _issuer;
        private readonly SessionSlot _slot;
        private readonly ClientEvents _events;
        // One store call at a time, in order (the store is promised that); never awaited with the slot's lock held.
        private readonly SemaphoreSlim _storeGate = new SemaphoreSlim(1, 1);

        public SessionStoreKeeper(AuthForgeSessionStore store, ClientSettings settings, SessionIssuer issuer, SessionSlot slot, ClientEvents events)
        {
            _store = store;
            _settings = settings;
            _issuer = issuer;
            _slot = slot;
            _events = events;
        }

        private byte[] StoreKey(string licenseKey, string hwid) =>
            StoredSession.DeriveKey(_settings.AppId, _settings.AppSecret, licenseKey, hwid, _settings.TrustedKeys);

        /// <summary>The stored session of <paramref name="licenseKey"/> on the machine <paramref name="hwid"/>, if one
        /// checks out; anything else found is removed.</summary>
        public async Task<RestoredSession?> LoadAsync(string licenseKey, string hwid, CancellationToken cancellationToken)
        {
            string? text;
            await _storeGate.WaitAsync(cancellationToken).ConfigureAwait(false);
            try
            {
                text = await _store.LoadAsync(cancellationToken).ConfigureAwait(false);
            }
            catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
            {
                throw;
            }
            catch (Exception ex) when (!(ex is OutOfMemoryException))
            {
                _events.Diagnose(AuthForgeDiagnosticLevel.Warning, AuthForgeDiagnosticEvents.StoreFailed, null,
                    "The session store could not be read (" + ex.GetType().Name + "); validating instead.");
                return null;
            }
            finally
            {
                _storeGate.Release();
            }
            if (text is null) return null;
            string problem = "is empty, too large, not UTF-8 or not a regular file";
            RestoredSession? restored = text.Length == 0 ? null : Restore(text, licenseKey, hwid, out problem);
            if (restored != null) return restored;
            await DeleteAsync().ConfigureAwait(false);
            _events.Diagnose(AuthForgeDiagnosticLevel.Warning, AuthForgeDiagnosticEvents.StoreIgnored, null,
                "The stored session " + problem + "; it was removed.");
            return null;
        }

        private RestoredSession? Restore(string text, string licenseKey, string hwid, out string problem)
        {
            AuthForgeClock clock = _settings.Clock;
            JsonValue? fields = StoredSession.Read(text, StoreKey(licenseKey, hwid), out problem);
            if (fields is null) return null;
            DateTimeOffset now = clock.UtcNow;
            // Against accidents: a clock earlier than one this store has already seen was set back.
            if (StoredSession.Instant(fields, "highWater") > now)
            {
                problem = "was written by a clock later than now (the clock was set back)";
                return null;
            }
            if (fields["protocol"]!.AsString() != _settings.ProtocolName)
            {
                problem = "belongs to another protocol generation";
                return null;
            }
            Session session;
            try
            {
                session = _issuer.Restore(StoredAnswer.Read(fields["origin"])!, StoredAnswer.Read(fields["latest"]), licenseKey, hwid);
            }
            catch (AuthForgeException ex)
            {
                problem = ex.Code == AuthForgeErrorCodes.SessionMismatch ? "answers another app, licence or machine"
                    : ex.Code == AuthForgeErrorCodes.SessionExpired ? "has ended"
                    : "does not verify (" + ex.Code + ")";
                return null;
            }
            // The last contact is the newest time the server signed; a session without one is not resumed.
            if (session.SignedAtUnix is null || session.Origin.SignedAtUnix is null)
            {
                problem = "has no signed server time";
                return null;
            }
            if (session.IsExpired(clock))
            {
                problem = "has ended";
                return null;
            }
            return new RestoredSession(session, DateTimeOffset.FromUnixTimeSeconds(session.SignedAtUnix.Value));
        }

        /// <summary>Writes <paramref name="active"/>, only while its login is still current: a heartbeat finishing just
        /// as Logout runs must not write back the session Logout has just deleted.</summary>
        public Task SaveAsync(ActiveSession active, CancellationToken cancellationToken) =>
            GuardedAsync(() =>
            {
                if (!_slot.IsCurrent(active.Heartbeat)) return Task.CompletedTask;
                Session session = active.Session;
                StoredAnswer origin = StoredAnswer.Of(session.Origin, _settings.AppSecretVerifier);
                StoredAnswer? latest = ReferenceEquals(session, session.Origin) ? null : StoredAnswer.Of(session, _settings.AppSecretVerifier);
                string record = StoredSession.Write(StoreKey(session.LicenseKey, session.Hwid), _settings.ProtocolName, origin, latest, _settings.Clock.UtcNow);
                return _store.SaveAsync(record, cancellationToken);
            }, "The session could not be stored", "; the next start validates again.", cancellationToken);

        public Task DeleteAsync() =>
            GuardedAsync(() => _store.DeleteAsync(CancellationToken.None), "The stored session could not be deleted", ".",
                CancellationToken.None);

        // One store call under the gate. The store is optional: its failure is a diagnostic, never the caller's, and a
        // call cancelled with its caller (logged out or disposed while writing) is simply over.
        private async Task GuardedAsync(Func<Task> call, string failed, string consequence, CancellationToken cancellationToken)
        {
            await _storeGate.WaitAsync().ConfigureAwait(false);
            try
            {
                await call().ConfigureAwait(false);
            }
            catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
            {
            }
            catch (Exception ex) when (!(ex is OutOfMemoryException))
            {
                _events.Diagnose(AuthForgeDiagnosticLevel.Warning, AuthForgeDiagnosticEvents.StoreFailed, null,
                    failed + " (" + ex.GetType().Name + ")" + consequence);
            }
            finally
            {
                _storeGate.Release();
            }
        }
    }

    // =================================================================================================
    // 3. Session
    //    A signed answer turned into an immutable value. A Session is made only from an answer's bytes, by
    //    Protocol.Verify and then Protocol.Bind, inside its own factories: there is no other constructor, so
    //    no path (live, renewal, ValidateLicense, the store) can hold a session that skipped a rule.
    // =================================================================================================

    internal sealed class Session
    {
        // A session ends at the earlier of two reckonings of the time it has left. Monotonic time never goes back, so
        // a wall clock set back never lengthens it; but on Linux and macOS it stops while the machine sleeps, so the
        // wall clock is read too, and a machine that slept through the end finds the session over on waking.
        private readonly TimeSpan _expiresAtMonotonic;
        private readonly DateTimeOffset _expiresAtWall;

        private Session(VerifiedResponse bound, SessionBinding binding, SignatureVerifier verifier, string nonce, AuthForgeClock clock,
            Session? origin, bool fromStore)
        {
            Response = bound;
            LicenseKey = binding.LicenseKey;
            Hwid = binding.Hwid;
            Verifier = verifier;
            Nonce = nonce;
            Origin = origin ?? this;
            string? sigKey = bound.TokenBody?["sigKey"]?.AsString();
            SigKeyBytes = string.IsNullOrEmpty(sigKey) ? null : Encoding.UTF8.GetBytes(sigKey);

            // The time left is the server's own arithmetic (its capped end minus its clock when it answered, both fixed
            // by Protocol.Bind), so a local wall clock that is wrong at login never lengthens a session either.
            Lifetime = TimeSpan.FromSeconds(Math.Max(0, Math.Min(bound.ExpiresInUnix - bound.IssuedAtUnix!.Value, 100L * 365 * 86400)));
            DateTimeOffset now = clock.UtcNow;
            TimeSpan left = Lifetime;
            if (fromStore)
            {
                // Received by an earlier process: nothing links that receipt to this process but the wall clock, so the
                // session ends when the wall clock reaches its signed end, and never runs longer than it was granted.
                _expiresAtWall = ExpiresAt;
                TimeSpan byWall = _expiresAtWall - now;
                left = TimeMath.Min(left, TimeMath.NotNegative(byWall));
            }
            else
            {
                _expiresAtWall = now + Lifetime;
            }
            _expiresAtMonotonic = clock.Monotonic + left;
        }

        /// <summary>
        /// The one step from an answer to a session: <see cref="Protocol.Verify(int, byte[], string, SignatureVerifier)"/>,
        /// then <see cref="Protocol.Bind"/> to what was asked, then the session. <paramref name="renewing"/> is the session
        /// a heartbeat answer continues: the new one keeps its origin, from which the length cap counts.
        /// </summary>
        /// <exception cref="AuthForgeException">The answer is a failure, cannot be trusted, or answers someone else.</exception>
        public static Session FromAnswer(int statusCode, byte[] body, string nonce, SignatureVerifier verifier, SessionBinding binding,
            AuthForgeClock clock, Session? renewing = null) =>
            new Session(Protocol.Verify(statusCode, body, nonce, verifier, binding), binding, verifier, nonce, clock, renewing?.Origin,
                fromStore: false);

        /// <summary>
        /// A signed answer a store kept, through the same <see cref="Protocol.Verify(int, byte[], string, SignatureVerifier)"/>
        /// and <see cref="Protocol.Bind"/> as a live one. It ends at its signed (capped) end by the wall clock.
        /// </summary>
        /// <exception cref="AuthForgeException">The answer cannot be trusted or answers someone else.</exception>
        public static Session FromStoredAnswer(StoredAnswer answer, SignatureVerifier verifier, SessionBinding binding, AuthForgeClock clock,
            Session? origin) =>
            new Session(Protocol.Verify(200, answer.Envelope(), answer.Nonce, verifier, binding), binding, verifier, answer.Nonce, clock,
                origin, fromStore: true);

        public VerifiedResponse Response { get; }
        public string LicenseKey { get; }
        /// <summary>The hardware id this session was issued to (its binding's): its heartbeats and renewals send it,
        /// whatever a later probe of the machine says.</summary>
        public string Hwid { get; }
        public SignatureVerifier Verifier { get; }
        public string Nonce { get; }
        public byte[]? SigKeyBytes { get; }

        /// <summary>The session whose answer started this one (a validate): itself, or the session a heartbeat renewed.
        /// Every answer of the chain is capped to the requested length counted from its signed time.</summary>
        public Session Origin { get; }

        /// <summary>The instant, in unix seconds, the length cap counts from: the origin's signed timestamp (else its receipt).</summary>
        public long OriginUnix => Origin.Response.IssuedAtUnix!.Value;

        /// <summary>The server's signed timestamp of this answer; null when it sent none.</summary>
        public long? SignedAtUnix => Response.ServerTimeUnix;

        public string SessionToken => Response.SessionToken;
        public JsonValue Payload => Response.Payload;
        public string? KeyId => Response.KeyId;

        /// <summary>When the session ends: its signed end, capped by <see cref="Protocol.Bind"/>.</summary>
        public DateTimeOffset ExpiresAt => DateTimeOffset.FromUnixTimeSeconds(Response.ExpiresInUnix);

        /// <summary>The session's whole length from this answer, as the server granted it (capped).</summary>
        public TimeSpan Lifetime { get; }

        /// <summary>Time left by the earlier of the monotonic and the wall-clock reckoning; zero once ended.</summary>
        public TimeSpan Remaining(AuthForgeClock clock) =>
            TimeMath.NotNegative(TimeMath.Min(_expiresAtMonotonic - clock.Monotonic, _expiresAtWall - clock.UtcNow));

        public bool IsExpired(AuthForgeClock clock) => Remaining(clock) <= TimeSpan.Zero;

        public bool VerifyStoredSignature() => Verifier.Verify(Response.PayloadBytes, Response.Signature, Nonce);

        public IReadOnlyDictionary<string, object?> CopyPayload() => Payloads.CopyObject(Payload);
        public IReadOnlyDictionary<string, object?> CopyAppVariables() => Payloads.CopyObject(Payload["appVariables"]);
        public IReadOnlyDictionary<string, object?> CopyLicenseVariables() => Payloads.CopyObject(Payload["licenseVariables"]);

        public override string ToString() => "Session(expires " + ExpiresAt.ToString("u", CultureInfo.InvariantCulture) + ")";
    }

    /// <summary>One signed answer as a store keeps it: the payload text exactly as received, its signature, the key id,
    /// the nonce it answered, and which kind of key verified it.</summary>
    internal sealed class StoredAnswer
    {
        public StoredAnswer(string verifierKind, string payload, string signature, string? keyId, string nonce)
        {
            VerifierKind = verifierKind;
            Payload = payload;
            Signature = signature;
            KeyId = keyId;
            Nonce = nonce;
        }

        /// <summary><c>ed25519</c>, <c>app</c> (HMAC under the app secret) or <c>sigkey</c> (HMAC under the token's sigKey).</summary>
        public string VerifierKind { get; }
        public string Payload { get; }
        public string Signature { get; }
        public string? KeyId { get; }
        public string Nonce { get; }

        public static StoredAnswer Of(Session session, SignatureVerifier appSecretVerifier) =>
            new StoredAnswer(session.Verifier is Ed25519SignatureVerifier ? "ed25519"
                    : ReferenceEquals(session.Verifier, appSecretVerifier) ? "app" : "sigkey",
                session.Response.PayloadText, session.Response.Signature, session.KeyId, session.Nonce);

        /// <summary>The answer as the server sent it, for the same verification as a live one.</summary>
        public byte[] Envelope() => Encoding.UTF8.GetBytes(new JsonWriter().BeginObject()
            .Property("status", "ok")
            .Property("payload", Payload)
            .Property("signature", Signature)
            .Property("keyId", KeyId)
            .EndObject().ToString());

        public JsonWriter WriteTo(JsonWriter writer, string name) => writer.BeginObject(name)
            .Property("verifier", VerifierKind)
            .Property("payload", Payload)
            .Property("signature", Signature)
            .Property("keyId", KeyId)
            .Property("nonce", Nonce)
            .EndObject();

        public static StoredAnswer? Read(JsonValue? value)
        {
            if (value is null || value.Kind != JsonKind.Object) return null;
            string? kind = value["verifier"]?.AsString();
            string? payload = value["payload"]?.AsString();
            string? signature = value["signature"]?.AsString();
            string? nonce = value["nonce"]?.AsString();
            JsonValue? keyId = value["keyId"];
            if (kind is null || payload is null || signature is null || nonce is null) return null;
            if (keyId != null && keyId.Kind != JsonKind.Null && keyId.AsString() is null) return null;
            return new StoredAnswer(kind, payload, signature, keyId?.AsString(), nonce);
        }
    }

    /// <summary>
    /// The session store's record: the answer that started the session (the validate) and the newest answer since (a
    /// heartbeat), each exactly as signed, so a restart rebuilds the session through the same verify and bind as a
    /// live answer, with its length counted from the origin's signed time and its last contact the newest signed time.
    /// Two further guards catch accidents, not attackers, because every licensee holds what they are made of: the
    /// record is sealed with an HMAC keyed by the app, licence, machine and trusted keys (a record of another licence
    /// or machine, or one damaged, is told apart and dropped), and it carries a high-water mark of the local clock (a
    /// clock set back past it is noticed).
    /// </summary>
    internal static class StoredSession
    {
        public const string Format = "authforge-session/2";

        /// <summary>How far behind the server's last signed time the local clock may read at a restart (clock skew).</summary>
        public static readonly TimeSpan MaxSkew = TimeSpan.FromMinutes(5);

        /// <summary>The seal's key. The licence key is taken as the server compares it: trimmed, case-insensitive.</summary>
        public static byte[] DeriveKey(string appId, string appSecret, string licenseKey, string hwid, string trustedKeys)
        {
            string material = Format + "\n" + appId + "\n" + appSecret + "\n" + licenseKey.Trim().ToUpperInvariant() + "\n" + hwid + "\n" + trustedKeys;
            return HmacSignatureVerifier.DeriveKey(Encoding.UTF8.GetBytes(material), "session-store");
        }

        public static string Identity(byte[] key) =>
            Hex.Encode(HmacSignatureVerifier.Sign(key, Encoding.UTF8.GetBytes("identity"))).Substring(0, 32);

        public static string Write(byte[] key, string protocol, StoredAnswer origin, StoredAnswer? latest, DateTimeOffset highWater)
        {
            JsonWriter writer = origin.WriteTo(new JsonWriter().BeginObject().Property("protocol", protocol), "origin");
            writer = latest is null ? writer.Property("latest", (string?)null) : latest.WriteTo(writer, "latest");
            string record = writer.Property("highWater", highWater.ToUnixTimeMilliseconds()).EndObject().ToString();
            return new JsonWriter().BeginObject()
                .Property("format", Format)
                .Property("identity", Identity(key))
                .Property("record", record)
                .Property("mac", Hex.Encode(HmacSignatureVerifier.Sign(key, Encoding.UTF8.GetBytes(record))))
                .EndObject().ToString();
        }

        /// <summary>The record's fields, or null with <paramref name="problem"/> saying why it can't be used.</summary>
        public static JsonValue? Read(string text, byte[] key, out string problem)
        {
            JsonValue outer;
            try
            {
                outer = Json.Parse(text, Protocol.MaxJsonDepth);
            }
            catch (JsonFormatException)
            {
                problem = "is corrupt";
                return null;
            }
            string? record = outer.Kind == JsonKind.Object ? outer["record"]?.AsString() : null;
            string? mac = outer.Kind == JsonKind.Object ? outer["mac"]?.AsString() : null;
            if (outer.Kind != JsonKind.Object || record is null || mac is null)
            {
                problem = "is corrupt";
                return null;
            }
            if (outer["format"]?.AsString() != Format)
            {
                problem = "is in another format";
                return null;
            }
            if (!FixedTime.Equals(Encoding.ASCII.GetBytes(outer["identity"]?.AsString() ?? ""), Encoding.ASCII.GetBytes(Identity(key))))
            {
                problem = "belongs to another app, licence, machine or set of trusted keys";
                return null;
            }
            byte[]? provided = Hex.Decode(mac);
            if (provided is null || !FixedTime.Equals(provided, HmacSignatureVerifier.Sign(key, Encoding.UTF8.GetBytes(record))))
            {
                problem = "was altered";
                return null;
            }
            JsonValue fields;
            try
            {
                fields = Json.Parse(record, Protocol.MaxJsonDepth);
            }
            catch (JsonFormatException)
            {
                problem = "is corrupt";
                return null;
            }
            if (fields.Kind != JsonKind.Object || fields["protocol"]?.AsString() is null || StoredAnswer.Read(fields["origin"]) is null
                || (fields["latest"] is JsonValue latest && latest.Kind != JsonKind.Null && StoredAnswer.Read(latest) is null)
                || fields["highWater"] is null || !fields["highWater"]!.TryGetInt64(out long ms) || ms < 0 || ms > TimeMath.MaxUnixMilliseconds)
            {
                problem = "is corrupt";
                return null;
            }
            problem = "";
            return fields;
        }

        public static DateTimeOffset Instant(JsonValue fields, string name)
        {
            fields[name]!.TryGetInt64(out long ms);
            return DateTimeOffset.FromUnixTimeMilliseconds(ms);
        }
    }

    // =================================================================================================
    // 4. Protocol
    //    Request bodies, and Protocol.Verify: the single pure function that turns a response's status and
    //    bytes into a VerifiedResponse or an AuthForgeException. Vectors, fuzzing and the client all use it.
    // =================================================================================================

    internal static class Requests
    {
        public static string Validate(string appId, string appSecret, string licenseKey, string hwid, string nonce, int? ttlSeconds)
        {
            var w = new JsonWriter().BeginObject()
                .Property("appId", appId)
                .Property("appSecret", appSecret)
                .Property("licenseKey", licenseKey)
                .Property("hwid", hwid)
                .Property("nonce", nonce);
            if (ttlSeconds is int ttl) w.Property("ttlSeconds", ttl);
            return w.EndObject().ToString();
        }

        public static string Heartbeat(string appId, string sessionToken, string nonce, string hwid) =>
            new JsonWriter().BeginObject()
                .Property("appId", appId)
                .Property("sessionToken", sessionToken)
                .Property("nonce", nonce)
                .Property("hwid", hwid)
                .EndObject().ToString();

        public static string SelfBanWithSession(string appId, string sessionToken, string hwid, bool revokeLicense, bool blacklistHwid, bool blacklistIp) =>
            new JsonWriter().BeginObject()
                .Property("appId", appId)
                .Property("sessionToken", sessionToken)
                .Property("hwid", hwid)
                .Property("revokeLicense", revokeLicense)
                .Property("blacklistHwid", blacklistHwid)
                .Property("blacklistIp", blacklistIp)
                .EndObject().ToString();

        // The pre-session form can't revoke (the server answers revoke_requires_session), so it never asks to.
        public static string SelfBanWithoutSession(string appId, string appSecret, string licenseKey, string hwid, string nonce, bool blacklistHwid, bool blacklistIp) =>
            new JsonWriter().BeginObject()
                .Property("appId", appId)
                .Property("appSecret", appSecret)
                .Property("licenseKey", licenseKey)
                .Property("hwid", hwid)
                .Property("nonce", nonce)
                .Property("revokeLicense", false)
                .Property("blacklistHwid", blacklistHwid)
                .Property("blacklistIp", blacklistIp)
                .EndObject().ToString();
    }

    /// <summary>A response whose signature and nonce have been checked; every field is trusted from here on.</summary>
    internal sealed class VerifiedResponse
    {
        public VerifiedResponse(string payloadText, byte[] payloadBytes, string signature, JsonValue payload, string sessionToken,
            JsonValue? tokenBody, long expiresInUnix, long? serverTimeUnix, string? keyId, string? verifiedPublicKey = null,
            long? issuedAtUnix = null)
        {
            VerifiedPublicKey = verifiedPublicKey;
            IssuedAtUnix = issuedAtUnix;
            PayloadText = payloadText;
            PayloadBytes = payloadBytes;
            Signature = signature;
            Payload = payload;
            SessionToken = sessionToken;
            TokenBody = tokenBody;
            ExpiresInUnix = expiresInUnix;
            ServerTimeUnix = serverTimeUnix;
            KeyId = keyId;
        }

        public string PayloadText { get; }
        public byte[] PayloadBytes { get; }
        public string Signature { get; }
        public JsonValue Payload { get; }
        public string SessionToken { get; }
        public JsonValue? TokenBody { get; }
        public long ExpiresInUnix { get; }
        public long? ServerTimeUnix { get; }

        /// <summary>The envelope's <c>keyId</c>: unsigned, the server's claim only.</summary>
        public string? KeyId { get; }

        /// <summary>The configured Ed25519 public key that verified the signature; null under HMAC.</summary>
        public string? VerifiedPublicKey { get; }

        /// <summary>Set by <see cref="Protocol.Bind"/>: the instant the session's remaining life counts from (the server's
        /// signed timestamp, else the client's clock at receipt). <see cref="ExpiresInUnix"/> is then already capped.</summary>
        public long? IssuedAtUnix { get; }

        internal VerifiedResponse WithLifetime(long expiresInUnix, long issuedAtUnix) =>
            new VerifiedResponse(PayloadText, PayloadBytes, Signature, Payload, SessionToken, TokenBody, expiresInUnix,
                ServerTimeUnix, KeyId, VerifiedPublicKey, issuedAtUnix);
    }

    /// <summary>
    /// What one request asked for, which its verified answer must match: the app, licence and machine it named, and
    /// the longest session it may be granted, counted from the session's origin. Built per request (and per stored
    /// answer) by the client; <see cref="Protocol.Bind"/> applies it.
    /// </summary>
    internal sealed class SessionBinding
    {
        /// <summary>The service's default session length when a validate names no TTL (PROTOCOL.md).</summary>
        public const long DefaultTtlSeconds = 86400;
        public const long MinTtlSeconds = 3600;
        public const long MaxTtlSeconds = 604800;

        /// <param name="appId">The app id the request sent.</param>
        /// <param name="licenseKey">The licence key the request sent (for a heartbeat: the key the session was validated with).</param>
        /// <param name="hwid">The hardware id the request sent.</param>
        /// <param name="ttlSeconds">The TTL the client asks for; null for the service default.</param>
        /// <param name="receivedAtUnix">The client's wall clock when the answer arrived: used only when the server
        /// states no time, and then only to cap the session from the moment of receipt.</param>
        /// <param name="originUnix">For an answer that continues a session (a heartbeat, a stored heartbeat answer): the
        /// instant the session's length counts from, its first answer's signed time. Null for a new session (a validate),
        /// whose length counts from its own answer.</param>
        public SessionBinding(string appId, string licenseKey, string hwid, int? ttlSeconds, long receivedAtUnix, long? originUnix = null)
        {
            AppId = appId;
            LicenseKey = licenseKey;
            Hwid = hwid;
            long ttl = ttlSeconds is int requested ? Math.Min(Math.Max(requested, MinTtlSeconds), MaxTtlSeconds) : DefaultTtlSeconds;
            MaxLifetimeSeconds = ttl + (long)AuthForgeClientOptions.SessionLengthSlack.TotalSeconds;
            ReceivedAtUnix = receivedAtUnix;
            OriginUnix = originUnix;
        }

        public string AppId { get; }
        public string LicenseKey { get; }
        public string Hwid { get; }
        public long MaxLifetimeSeconds { get; }
        public long ReceivedAtUnix { get; }
        public long? OriginUnix { get; }
    }

    internal static class Protocol
    {
        // Responses are small; deep nesting only ever comes from an attacker.
        public const int MaxJsonDepth = 16;

        private static readonly string[] s_successWords = { "ok", "success", "valid", "true", "1" };
        private static readonly string[] s_variableFields = { "appVariables", "licenseVariables" };

        /// <summary>
        /// Decides whether a signed response (validate or heartbeat) is trusted. Checks, in order: the HTTP status
        /// and envelope, the signature over the payload text exactly as received, then — only once it verified —
        /// the payload's JSON, its nonce, the session token and the expiry.
        /// </summary>
        /// <exception cref="AuthForgeException">The response is a failure or cannot be trusted; the code says which.</exception>
        public static VerifiedResponse Verify(int statusCode, byte[] body, string expectedNonce, SignatureVerifier verifier)
        {
            JsonValue envelope = ReadEnvelope(statusCode, body);

            string payloadText = envelope["payload"]?.AsString()
                ?? throw Fail(AuthForgeErrorCodes.MissingPayload, "The response has no payload.");
            string signature = envelope["signature"]?.AsString()
                ?? throw Fail(AuthForgeErrorCodes.MissingSignature, "The response has no signature.");
            byte[] payloadBytes = Encoding.UTF8.GetBytes(payloadText);
            if (!verifier.Verify(payloadBytes, signature, expectedNonce, out string? verifiedKey))
                throw Fail(AuthForgeErrorCodes.SignatureMismatch, "The response's signature does not verify.");

            // Trusted from here: the server signed exactly this text.
            JsonValue payload = DecodeObject(payloadText)
                ?? throw Fail(AuthForgeErrorCodes.InvalidPayload, "The signed payload is not base64 of a JSON object.");
            if (!string.Equals(payload["nonce"]?.AsString(), expectedNonce, StringComparison.Ordinal))
                throw Fail(AuthForgeErrorCodes.NonceMismatch, "The signed payload answers a different request.");

            string? token = payload["sessionToken"]?.AsString();
            if (string.IsNullOrEmpty(token))
                throw Fail(AuthForgeErrorCodes.MissingSessionToken, "The signed payload has no session token.");
            JsonValue? tokenBody = DecodeTokenBody(token!);

            // The token's own end first: v3 tokens state it as `exp`, HMAC-era ones as `expiresIn`.
            long expiresIn = ReadExpiry(tokenBody, "exp") ?? ReadExpiry(tokenBody, "expiresIn") ?? ReadExpiry(payload, "expiresIn")
                ?? throw Fail(AuthForgeErrorCodes.MissingExpiresIn, "The signed payload does not say when the session expires.");

            foreach (string name in s_variableFields)
            {
                JsonValue? variables = payload[name];
                if (variables != null && variables.Kind != JsonKind.Object && variables.Kind != JsonKind.Null)
                    throw Fail(AuthForgeErrorCodes.InvalidPayload, "The signed payload's variables are not an object.");
            }

            long? serverTime = Payloads.ReadInstant(payload["timestamp"])?.ToUnixTimeSeconds();
            return new VerifiedResponse(payloadText, payloadBytes, signature, payload, token!, tokenBody, expiresIn,
                serverTime, envelope["keyId"]?.AsString(), verifiedKey);
        }

        /// <summary>
        /// <see cref="Verify(int, byte[], string, SignatureVerifier)"/>, then <see cref="Bind"/>: the whole decision the
        /// client applies to a validate or heartbeat answer before anything is stored or returned.
        /// </summary>
        /// <exception cref="AuthForgeException">The response is a failure, cannot be trusted, or answers someone else.</exception>
        public static VerifiedResponse Verify(int statusCode, byte[] body, string expectedNonce, SignatureVerifier verifier, SessionBinding binding) =>
            Bind(Verify(statusCode, body, expectedNonce, verifier), binding);

        // The identity fields a signed session may carry (token body or payload), each compared with what was sent.
        private static readonly string[] s_sources = { "token", "payload" };

        /// <summary>
        /// Holds a verified answer to the request it answers. The signature and nonce say the server signed this answer
        /// for a request carrying this nonce; they do not say the request was the one this client sent, because the
        /// nonce travels in the request and whoever relays it can rewrite the rest. So: where the signed session (token
        /// body or payload) names <c>appId</c>, <c>licenseKey</c> or <c>hwid</c>, each must equal what was sent
        /// (<c>appId</c> and <c>hwid</c> exactly, the licence key trimmed and case-insensitively), else
        /// <c>session_mismatch</c>; a field the server leaves out is not invented. A session already ended at the server's
        /// time is <c>session_expired</c>. A session granted longer than the requested TTL (plus slack) from the
        /// server's signed timestamp, or from receipt when there is none, is shortened to it; for an answer continuing a
        /// session the cap counts from the session's origin (<see cref="SessionBinding.OriginUnix"/>), so heartbeats never
        /// move it, and an answer past it is <c>session_expired</c>.
        /// </summary>
        /// <exception cref="AuthForgeException"><c>session_mismatch</c> or <c>session_expired</c>.</exception>
        public static VerifiedResponse Bind(VerifiedResponse response, SessionBinding binding)
        {
            foreach (string source in s_sources)
            {
                JsonValue? fields = source == "token" ? response.TokenBody : response.Payload;
                if (fields is null) continue;
                RequireSame(fields["appId"], binding.AppId, ignoreCaseAndTrim: false, "app id");
                RequireSame(fields["licenseKey"], binding.LicenseKey, ignoreCaseAndTrim: true, "licence key");
                RequireSame(fields["hwid"], binding.Hwid, ignoreCaseAndTrim: false, "hardware id");
            }

            long issuedAt = response.ServerTimeUnix ?? binding.ReceivedAtUnix;
            if (response.ExpiresInUnix <= issuedAt)
                throw new AuthForgeException(AuthForgeErrorCodes.SessionExpired, "The server granted a session that had already ended.");
            long cappedAt = (binding.OriginUnix ?? issuedAt) + binding.MaxLifetimeSeconds;
            if (cappedAt <= issuedAt)
                throw new AuthForgeException(AuthForgeErrorCodes.SessionExpired, "The session has lasted the length this client asked for.");
            return response.WithLifetime(response.ExpiresInUnix > cappedAt ? cappedAt : response.ExpiresInUnix, issuedAt);
        }

        private static void RequireSame(JsonValue? claimed, string sent, bool ignoreCaseAndTrim, string what)
        {
            if (claimed is null || claimed.Kind == JsonKind.Null) return; // not sent by this server: nothing to compare
            string? text = claimed.AsString();
            bool same = text != null && (ignoreCaseAndTrim
                ? string.Equals(text.Trim(), sent.Trim(), StringComparison.OrdinalIgnoreCase)
                : string.Equals(text, sent, StringComparison.Ordinal));
            if (!same)
                throw new AuthForgeException(AuthForgeErrorCodes.SessionMismatch,
                    "The signed session was issued for another " + what + " than this request sent.");
        }

        /// <summary>Accepts an unsigned acknowledgement (self-ban): a success status, or the failure it carries. Nothing
        /// in it is signed in any generation, so it proves only that something answered ok, not that the server did; for
        /// the same reason <paramref name="nonce"/> (the exchange's shape) is not read: there is no signature to bind it.</summary>
        public static bool VerifyAcknowledgement(TransportResponse response, string nonce)
        {
            ReadEnvelope(response.StatusCode, response.Body);
            return true;
        }

        /// <summary>
        /// The JSON object of a success answer, or the failure the status and body describe. Only what the AuthForge
        /// server itself says is read as its word; the HTTP status alone never is, because a captive portal, a proxy or
        /// a firewall answers with statuses of its own (302, 403, 404, 407, an HTML 200):
        /// <list type="bullet">
        /// <item>HTTP 429, whatever the body: <c>rate_limited</c>, the protocol's own signal (no answer either way).</item>
        /// <item>The server's error body, at any status: a JSON object whose <c>status</c> is the string <c>"error"</c>
        /// and whose <c>error</c> is a code (1 to 64 of <c>a-z</c>, <c>0-9</c>, <c>_</c>, as the server's codes are):
        /// that code, or <c>unknown_error</c> for one this client does not know.</item>
        /// <item>A 2xx JSON object whose <c>status</c> is a success word: returned, for the signature check.</item>
        /// <item>Anything else — HTML, an empty body, other JSON, a redirect, any status — <c>foreign_answer</c>:
        /// the answer did not come from the AuthForge server, which is no answer, not a verdict.</item>
        /// </list>
        /// </summary>
        public static JsonValue ReadEnvelope(int statusCode, byte[] body)
        {
            bool httpSuccess = statusCode >= 200 && statusCode <= 299;
            if (statusCode == 429)
                throw new AuthForgeException(AuthForgeErrorCodes.RateLimited, ErrorCodeTable.DescribeServerCode(AuthForgeErrorCodes.RateLimited), null, statusCode);

            JsonValue? json = null;
            try
            {
                json = Json.Parse(body, MaxJsonDepth);
            }
            catch (JsonFormatException)
            {
            }

            if (json != null && json.Kind == JsonKind.Object)
            {
                string? error = ServerErrorCode(json);
                if (error != null)
                {
                    string code = AuthForgeErrorCodes.IsServerCode(error) ? error : AuthForgeErrorCodes.UnknownError;
                    // The server's own word is kept: a code the service adds later reaches the app without a new client.
                    throw new AuthForgeException(code, ErrorCodeTable.DescribeServerCode(code) + " (" + error + ")", null, statusCode, error);
                }
                if (httpSuccess && IsSuccessStatus(json["status"])) return json;
            }
            throw ForeignAnswer(statusCode, body, json != null);
        }

        /// <summary>The longest code read as the server's own (its codes are short snake_case words).</summary>
        internal const int MaxServerCodeLength = 64;

        // The server's error body is {"status":"error","error":"<code>"}, its codes short snake_case words. JSON of
        // another service that merely mentions an error (or carries a sentence in it) is not the server's word.
        private static string? ServerErrorCode(JsonValue envelope)
        {
            if (!string.Equals(envelope["status"]?.AsString(), "error", StringComparison.Ordinal)) return null;
            string? code = envelope["error"]?.AsString();
            if (code is null || code.Length == 0 || code.Length > MaxServerCodeLength) return null;
            foreach (char c in code)
            {
                if (!((c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '_')) return null;
            }
            return code;
        }

        // Names the status and the kind of body, never the body itself: a portal's page may echo the request.
        private static AuthForgeException ForeignAnswer(int statusCode, byte[] body, bool isJson)
        {
            string status = "HTTP " + statusCode.ToString(CultureInfo.InvariantCulture)
                + (statusCode >= 300 && statusCode <= 399 ? " (a redirect)"
                : statusCode == 407 ? " (a proxy asking for credentials)"
                : "");
            int first = 0;
            while (first < body.Length && (body[first] == ' ' || body[first] == '\t' || body[first] == '\r' || body[first] == '\n')) first++;
            string kind = first == body.Length ? "an empty body"
                : isJson ? "JSON that is not the AuthForge server's"
                : body[first] == '<' ? "an HTML page"
                : "a body that is not JSON (" + body.Length.ToString(CultureInfo.InvariantCulture) + " bytes)";
            return new AuthForgeException(AuthForgeErrorCodes.ForeignAnswer,
                "The answer did not come from the AuthForge server: " + status + " with " + kind
                + ". A captive portal, a proxy or a firewall may be in the way, or apiBaseUrl is wrong.", null, statusCode);
        }

        /// <summary>PROTOCOL.md: boolean true, or one of ok/success/valid/true/1 in any case.</summary>
        public static bool IsSuccessStatus(JsonValue? status)
        {
            if (status is null) return false;
            if (status.Kind == JsonKind.True) return true;
            string? text = status.AsString();
            if (text is null) return false;
            foreach (string word in s_successWords)
            {
                if (string.Equals(text, word, StringComparison.OrdinalIgnoreCase)) return true;
            }
            return false;
        }

        /// <summary>The body of a <c>base64url(JSON).mac</c> session token; null for an opaque token.</summary>
        public static JsonValue? DecodeTokenBody(string token)
        {
            int dot = token.IndexOf('.');
            return dot <= 0 ? null : DecodeObject(token.Substring(0, dot));
        }

        private static JsonValue? DecodeObject(string base64)
        {
            byte[]? bytes = Base64.Decode(base64);
            if (bytes is null) return null;
            try
            {
                JsonValue value = Json.Parse(bytes, MaxJsonDepth);
                return value.Kind == JsonKind.Object ? value : null;
            }
            catch (JsonFormatException)
            {
                return null;
            }
        }

        private static long? ReadExpiry(JsonValue? source, string name)
        {
            JsonValue? value = source?[name];
            if (value is null || value.Kind == JsonKind.Null) return null;
            if (!value.TryGetInt64(out long seconds) || seconds < 0 || seconds > TimeMath.MaxUnixSeconds)
                throw Fail(AuthForgeErrorCodes.InvalidPayload, "The session's expiry is not a unix time.");
            return seconds;
        }

        private static AuthForgeException Fail(string code, string message) => new AuthForgeException(code, message);
    }

    /// <summary>
    /// A process's first login compiles the client's code as it runs it (the runtime's own libraries come precompiled;
    /// this file does not): the answer's JSON, base64, the signature check and the session are compiled only once the
    /// answer is in, on the caller's critical path. The first client of a process therefore runs that code once on a
    /// fixed, signed answer on a thread-pool thread while the request is on its way, and starts the hardware probe
    /// then too, so a second core compiles what the first would otherwise wait for. Costs a few milliseconds of CPU
    /// once per process; never throws, never touches a client's state.
    /// </summary>
    internal static class WarmUp
    {
        // RFC 8032 7.1 test 1's key, and an answer in this client's format signed by its secret key: a validate answer
        // with a session token, variables and a nonce of zeros.
        private const string Key = "11qYAYKxCrfVS/7TyWQHOg7hcvPapiMlrwIaaPcHURo=";
        private const string Nonce0 = "00000000000000000000000000000000";
        private const string Payload = "eyJzZXNzaW9uVG9rZW4iOiJleUpsZUhBaU9qUXhNREkwTkRRNE1EQjkuQUFBQSIsImV4cGlyZXNJbiI6NDEwMjQ0NDgwMCwibm9uY2UiOiIwMDAwMDAwMDAwMDAwMDAwMDAwMDAwMDAwMDAwMDAwMCIsImFwcFZhcmlhYmxlcyI6eyJhIjoxfSwibGljZW5zZVZhcmlhYmxlcyI6bnVsbH0=";
        private const string Ed25519Answer = "{\"status\":\"ok\",\"payload\":\"" + Payload + "\",\"signature\":\"CqoQdXzagyKyGp0KEiMj1mF1H1esc/hBkY2kWLgWKzjdTWzH0/SnJD2EKXspwQw8L2PtQrxq4RKY5v3e3oE4Bg==\",\"keyId\":\"warm-up\"}";

        // The same answer signed by HMAC (v1/v2) under the app secret "warm-up" and that nonce.
        private const string HmacAnswer = "{\"status\":\"ok\",\"payload\":\"" + Payload + "\",\"signature\":\"10639779178dd365178d6d4a4cea364db523e0f1c6b6cdbbfeb81a7905f4fb0a\"}";

        private static int s_ed25519;
        private static int s_hmac;
        private static int s_fingerprint;

        /// <summary>Starts, once per process, the shared hardware probe (when <paramref name="fingerprint"/>) and the warm-up
        /// of the answer's path for the client's protocol (Ed25519 or HMAC), both on the thread pool. Returns at once.</summary>
        public static void Begin(bool fingerprint, bool ed25519)
        {
            // The probe first: a login without hwidOverride waits for it before it can send anything.
            if (fingerprint && Interlocked.Exchange(ref s_fingerprint, 1) == 0) _ = HardwareFingerprint.Shared.GetAsync();
            if (Interlocked.Exchange(ref ed25519 ? ref s_ed25519 : ref s_hmac, 1) == 0)
                ThreadPool.QueueUserWorkItem(state => Run((bool)state!), ed25519);
        }

        /// <summary>Verifies the fixed answer and builds its session; true when it verified (the tests hold it to that).</summary>
        internal static bool Run(bool ed25519)
        {
            try
            {
                string answer = ed25519 ? Ed25519Answer : HmacAnswer;
                SignatureVerifier verifier = ed25519
                    ? (SignatureVerifier)Ed25519SignatureVerifier.Parse(new[] { Key }, "publicKey")
                    : new HmacSignatureVerifier(Encoding.UTF8.GetBytes("warm-up"));
                bool created = Session.FromAnswer(200, Encoding.UTF8.GetBytes(answer), Nonce0, verifier,
                    new SessionBinding("warm-up", "WARM-UP", "warm-up", null, AuthForgeClock.System.UtcNow.ToUnixTimeSeconds()),
                    AuthForgeClock.System) != null;
                HeartbeatScheduler.Shared.PrepareTimer();
                return created;
            }
            catch
            {
                // Only ever a lost head start: the real answer takes the same path and reports its own failures.
                return false;
            }
        }
    }

    /// <summary>Reading optional, loosely typed payload fields, and copying JSON out to users.</summary>
    internal static class Payloads
    {
        private static readonly IReadOnlyDictionary<string, object?> s_empty = new Dictionary<string, object?>();

        /// <summary>Unix seconds or an ISO-8601 string, as servers of different generations send instants.</summary>
        public static DateTimeOffset? ReadInstant(JsonValue? value)
        {
            if (value is null) return null;
            if (value.TryGetInt64(out long seconds))
                return seconds >= 0 && seconds <= TimeMath.MaxUnixSeconds ? DateTimeOffset.FromUnixTimeSeconds(seconds) : (DateTimeOffset?)null;
            string? text = value.AsString();
            if (text != null && DateTimeOffset.TryParse(text, CultureInfo.InvariantCulture,
                    DateTimeStyles.AssumeUniversal | DateTimeStyles.AdjustToUniversal, out DateTimeOffset instant))
                return instant;
            return null;
        }

        public static int? ReadInt32(JsonValue? value) =>
            value != null && value.TryGetInt64(out long n) && n >= int.MinValue && n <= int.MaxValue ? (int)n : (int?)null;

        public static IReadOnlyDictionary<string, object?> CopyObject(JsonValue? value) =>
            value != null && value.Kind == JsonKind.Object ? (IReadOnlyDictionary<string, object?>)value.ToClrObject()! : s_empty;
    }

    // =================================================================================================
    // 5. Signatures
    //    One small type, two implementations. HMAC derives its key per request from a secret and the nonce
    //    (v1: the app secret; v2 heartbeats: the session's sigKey); Ed25519 accepts any trusted key (rotation).
    // =================================================================================================

    internal abstract class SignatureVerifier
    {
        /// <summary>True when <paramref name="signature"/> signs exactly <paramref name="payload"/> for this request.</summary>
        public abstract bool Verify(byte[] payload, string signature, string nonce);

        /// <summary>As <see cref="Verify(byte[], string, string)"/>, naming the trusted public key that verified (Ed25519);
        /// null under HMAC, whose key is a shared secret.</summary>
        public virtual bool Verify(byte[] payload, string signature, string nonce, out string? verifiedKey)
        {
            verifiedKey = null;
            return Verify(payload, signature, nonce);
        }
    }

    internal sealed class HmacSignatureVerifier : SignatureVerifier
    {
        private readonly byte[] _secret;

        public HmacSignatureVerifier(byte[] secret) => _secret = secret;

        /// <summary>SHA256(secret ‖ nonce): the per-request HMAC key of PROTOCOL.md v1/v2.</summary>
        public static byte[] DeriveKey(byte[] secret, string nonce)
        {
            byte[] nonceBytes = Encoding.UTF8.GetBytes(nonce);
            byte[] material = new byte[secret.Length + nonceBytes.Length];
            Buffer.BlockCopy(secret, 0, material, 0, secret.Length);
            Buffer.BlockCopy(nonceBytes, 0, material, secret.Length, nonceBytes.Length);
#if NET5_0_OR_GREATER
            // One-shot: no hash object to create and dispose per check (LOCAL heartbeats re-verify with this).
            return SHA256.HashData(material);
#else
            using SHA256 sha = SHA256.Create();
            return sha.ComputeHash(material);
#endif
        }

        public static byte[] Sign(byte[] derivedKey, byte[] payload)
        {
#if NET6_0_OR_GREATER
            return HMACSHA256.HashData(derivedKey, payload);
#else
            using var hmac = new HMACSHA256(derivedKey);
            return hmac.ComputeHash(payload);
#endif
        }

        public override bool Verify(byte[] payload, string signature, string nonce)
        {
            byte[]? provided = Hex.Decode(signature);
            if (provided is null || provided.Length != 32) return false;
            byte[] expected = Sign(DeriveKey(_secret, nonce), payload);
            return FixedTime.Equals(expected, provided);
        }
    }

    internal sealed class Ed25519SignatureVerifier : SignatureVerifier
    {
        private readonly Ed25519PublicKey[] _keys;
        private int _lastMatch; // the key that verified last is tried first: after a rotation, it is the new one

        // Parsing a key decompresses its point and builds its verification tables: about 0.2 ms and 11 KB. A bot
        // constructs a client per user with the same key, so parsed keys (public, immutable, safe to share across
        // threads) are kept process-wide, by their base64 text. Bounded: past the limit, keys are parsed per client.
        private const int MaxSharedKeys = 64;
        private static readonly Dictionary<string, Ed25519PublicKey> s_sharedKeys = new Dictionary<string, Ed25519PublicKey>(StringComparer.Ordinal);

        private readonly string[] _texts; // each key as configured (trimmed), to say which one verified

        private Ed25519SignatureVerifier(Ed25519PublicKey[] keys, string[] texts)
        {
            _keys = keys;
            _texts = texts;
        }

        /// <exception cref="ArgumentException">A key is not standard base64 of a valid 32-byte Ed25519 point.</exception>
        public static Ed25519SignatureVerifier Parse(IEnumerable<string> keys, string paramName)
        {
            var decoded = new List<Ed25519PublicKey>();
            var texts = new List<string>();
            foreach (string? text in keys)
            {
                Ed25519PublicKey? key = text is null ? null : ParseKey(text.Trim());
                if (key is null)
                    throw new ArgumentException("Each public key must be base64 of a valid 32-byte Ed25519 key.", paramName);
                decoded.Add(key);
                texts.Add(text!.Trim());
            }
            if (decoded.Count == 0) throw new ArgumentException("At least one public key is required.", paramName);
            return new Ed25519SignatureVerifier(decoded.ToArray(), texts.ToArray());
        }

        private static Ed25519PublicKey? ParseKey(string text)
        {
            lock (s_sharedKeys)
            {
                if (s_sharedKeys.TryGetValue(text, out Ed25519PublicKey? shared)) return shared;
            }
            byte[]? bytes = Base64.Decode(text);
            if (bytes is null || bytes.Length != 32 || !Ed25519PublicKey.TryCreate(bytes, out Ed25519PublicKey? key)) return null;
            lock (s_sharedKeys)
            {
                if (s_sharedKeys.TryGetValue(text, out Ed25519PublicKey? raced)) return raced;
                if (s_sharedKeys.Count < MaxSharedKeys) s_sharedKeys.Add(text, key!);
            }
            return key;
        }

        public override bool Verify(byte[] payload, string signature, string nonce) =>
            Verify(payload, signature, nonce, out _);

        public override bool Verify(byte[] payload, string signature, string nonce, out string? verifiedKey)
        {
            verifiedKey = null;
            byte[]? bytes = Base64.Decode(signature);
            if (bytes is null || bytes.Length != 64) return false;
            int first = Volatile.Read(ref _lastMatch);
            for (int i = 0; i < _keys.Length; i++)
            {
                int index = (first + i) % _keys.Length;
                if (_keys[index].Verify(payload, bytes))
                {
                    if (index != first) Volatile.Write(ref _lastMatch, index);
                    verifiedKey = _texts[index];
                    return true;
                }
            }
            return false;
        }
    }

    // =================================================================================================
    // 6. Transport
    //    One POST: sent with a time-out that covers the whole exchange, body read up to a size limit, and
    //    every failure turned into an AuthForgeException. It knows nothing of sessions or signatures.
    // =================================================================================================

    internal readonly struct TransportResponse
    {
        public TransportResponse(int statusCode, byte[] body)
        {
            StatusCode = statusCode;
            Body = body;
        }

        public int StatusCode { get; }
        public byte[] Body { get; }
    }

    internal sealed class HttpTransport
    {
        private static readonly Lazy<HttpClient> s_shared = new Lazy<HttpClient>(CreateSharedClient, LazyThreadSafetyMode.ExecutionAndPublication);

        private readonly HttpClient? _http;   // null: the shared client, created at the first request
        private readonly string _baseUrl;
        private readonly string _endpoint;    // host:port, the only part of the address a message names
        private readonly TimeSpan _timeout;
        private readonly int _maxResponseBytes;

        // Creating the shared client (handler, pool, headers) is the costliest part of a first construction, so it is
        // left to the first request, which needs it anyway: a client that is built and not used yet costs little.
        public HttpTransport(HttpClient? http, Uri baseUri, TimeSpan timeout, int maxResponseBytes)
        {
            _http = http;
            _baseUrl = baseUri.AbsoluteUri.TrimEnd('/');
            // The base URL carries no credentials (the constructor refuses them), so host and port are safe to show.
            _endpoint = baseUri.Host + ":" + baseUri.Port.ToString(CultureInfo.InvariantCulture);
            _timeout = timeout;
            _maxResponseBytes = maxResponseBytes;
        }

        /// <summary>One pooled client for every AuthForge client in the process (sockets are shared, not per client).</summary>
        public static HttpClient SharedClient => s_shared.Value;

        /// <exception cref="AuthForgeException">network_error, timeout or response_too_large.</exception>
        /// <exception cref="OperationCanceledException"><paramref name="cancellationToken"/> was cancelled.</exception>
        public async Task<TransportResponse> PostAsync(string path, string jsonBody, CancellationToken cancellationToken)
        {
            using var deadline = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
            deadline.CancelAfter(_timeout);
            var sentUri = new Uri(_baseUrl + path, UriKind.Absolute);
            using var request = new HttpRequestMessage(HttpMethod.Post, sentUri)
            {
                Content = new StringContent(jsonBody, Encoding.UTF8, "application/json"),
            };
            HttpResponseMessage? response = null;
            try
            {
                response = await (_http ?? SharedClient).SendAsync(request, HttpCompletionOption.ResponseHeadersRead, deadline.Token).ConfigureAwait(false);
                // A caller's HttpClient may follow redirects (the shared one never does): the answer then comes from
                // another address, which was handed the request body, secret included. Whatever it says is not trusted.
                Uri? finalUri = response.RequestMessage?.RequestUri;
                if (finalUri != null && Uri.Compare(finalUri, sentUri, UriComponents.AbsoluteUri, UriFormat.UriEscaped, StringComparison.Ordinal) != 0)
                    throw new AuthForgeException(AuthForgeErrorCodes.RedirectRefused,
                        "The request was redirected away from the AuthForge API address; the answer is not trusted. Turn redirects off in the HttpClient's handler.",
                        null, (int)response.StatusCode);
                // Not every stream honours cancellation while reading; disposing the response always stops it.
                HttpResponseMessage toAbort = response;
                using (deadline.Token.Register(() => toAbort.Dispose()))
                {
                    byte[] body = await ReadBodyAsync(response, deadline.Token).ConfigureAwait(false);
                    return new TransportResponse((int)response.StatusCode, body);
                }
            }
            catch (AuthForgeException)
            {
                throw;
            }
            catch (Exception ex) when (cancellationToken.IsCancellationRequested)
            {
                // Whatever aborting the exchange surfaced as (an IOException from a disposed stream, or a
                // cancellation carrying the linked time-out token), the caller asked for it: report cancellation by
                // the caller's own token, so `catch (OperationCanceledException e) when (e.CancellationToken == ct)` works.
                if (ex is OperationCanceledException cancelled && cancelled.CancellationToken == cancellationToken) throw;
                throw new OperationCanceledException("The request was cancelled.", ex, cancellationToken);
            }
            catch (Exception ex) when (deadline.IsCancellationRequested)
            {
                throw new AuthForgeException(AuthForgeErrorCodes.Timeout,
                    "The AuthForge server at " + _endpoint + " did not answer within " +
                    _timeout.TotalSeconds.ToString("0.###", CultureInfo.InvariantCulture) + " s (the request time-out).", ex);
            }
            catch (Exception ex)
            {
                // HttpRequestException, IOException and the like; also whatever a caller-supplied handler throws
                // (its failure is the network's, to the licence check), with the cause kept inside.
                throw TransportFailure.From(ex, _endpoint);
            }
            finally
            {
                response?.Dispose();
            }
        }

        private async Task<byte[]> ReadBodyAsync(HttpResponseMessage response, CancellationToken cancellationToken)
        {
            long? declared = response.Content.Headers.ContentLength;
            if (declared > _maxResponseBytes) throw TooLarge();

            using Stream stream = await response.Content.ReadAsStreamAsync().ConfigureAwait(false);
            byte[] buffer = new byte[declared is long n ? Math.Max((int)n, 1) : 4096];
            int length = 0;
            while (true)
            {
                if (length == buffer.Length)
                {
                    if (length > _maxResponseBytes) throw TooLarge();
                    // Grow to at most one byte past the limit: reading that byte is how an over-long body is noticed.
                    Array.Resize(ref buffer, (int)Math.Min((long)buffer.Length * 2, (long)_maxResponseBytes + 1));
                }
                int read = await stream.ReadAsync(buffer, length, buffer.Length - length, cancellationToken).ConfigureAwait(false);
                if (read == 0) break;
                length += read;
                if (length > _maxResponseBytes) throw TooLarge();
            }
            // The HttpWebRequest stack (.NET Framework, Mono) reports a connection closed before Content-Length
            // bytes as a clean end of stream: a cut-off answer is a network failure (and retried), on every stack.
            if (declared is long expected && length < expected)
                throw new IOException("The connection closed after " + length.ToString(CultureInfo.InvariantCulture) +
                    " of " + expected.ToString(CultureInfo.InvariantCulture) + " body bytes.");
            if (length != buffer.Length) Array.Resize(ref buffer, length);
            return buffer;
        }

        private AuthForgeException TooLarge() => new AuthForgeException(AuthForgeErrorCodes.ResponseTooLarge,
            "The response exceeded " + _maxResponseBytes.ToString(CultureInfo.InvariantCulture) + " bytes.");

        private static HttpClient CreateSharedClient()
        {
#if NETCOREAPP2_1_OR_GREATER
            // Recycling pooled connections lets a long-lived process follow DNS changes of the API host.
            var handler = new SocketsHttpHandler
            {
                PooledConnectionLifetime = TimeSpan.FromMinutes(5),
                AllowAutoRedirect = false,
            };
#else
            var handler = new HttpClientHandler { AllowAutoRedirect = false };
#endif
            // Time-outs are per request (a linked token), so the shared client itself never times out.
            var client = new HttpClient(handler) { Timeout = System.Threading.Timeout.InfiniteTimeSpan };
            // Added as-is: a constant needs no parsing, and the parser is a few ms of a cold start.
            client.DefaultRequestHeaders.TryAddWithoutValidation("User-Agent", "AuthForge.cs/1.0");
            return client;
        }
    }

    /// <summary>
    /// Names the cause of a failed exchange for a person: which host and port, and what went wrong (refused, name not
    /// resolved, TLS, reset), read from the exception chain of whichever HTTP stack ran (SocketsHttpHandler on .NET,
    /// HttpWebRequest on .NET Framework and Mono). Messages name only the host and port and a fixed cause: the texts
    /// of the exceptions stay inside, as the inner exception.
    /// </summary>
    internal static class TransportFailure
    {
        public static AuthForgeException From(Exception failure, string endpoint)
        {
            string? cause = null;
            bool tls = false;
            for (Exception? e = failure; e != null && cause == null; e = e.InnerException)
            {
                if (e is System.Security.Authentication.AuthenticationException)
                {
                    tls = true;
                    break;
                }
                cause = e is System.Net.Sockets.SocketException socket ? DescribeSocket(socket.SocketErrorCode)
                    : e is System.Net.WebException web ? DescribeWeb(web.Status, ref tls)
                    // An end of stream with nothing more precise inside: the server (or something between) hung up.
                    : e is IOException && e.InnerException == null ? "the connection closed before the answer was complete"
                    : null;
                if (tls) break;
            }
            if (tls)
                return new AuthForgeException(AuthForgeErrorCodes.TlsError,
                    "The TLS connection to the AuthForge server at " + endpoint + " failed: its certificate is not trusted " +
                    "(self-signed, or replaced by a TLS-intercepting proxy), has expired or names another host, or the " +
                    "handshake failed. No answer from the server; the licence is not judged.", failure);
            return new AuthForgeException(AuthForgeErrorCodes.NetworkError,
                "The AuthForge server at " + endpoint + " could not be reached: " +
                (cause ?? "the connection failed (" + failure.GetType().Name + ")") + ".", failure);
        }

        private static string? DescribeSocket(System.Net.Sockets.SocketError error)
        {
            switch (error)
            {
                case System.Net.Sockets.SocketError.ConnectionRefused:
                    return "the connection was refused (nothing listens on that port)";
                case System.Net.Sockets.SocketError.HostNotFound:
                case System.Net.Sockets.SocketError.NoData:
                case System.Net.Sockets.SocketError.TryAgain:
                    return "the host name could not be resolved";
                case System.Net.Sockets.SocketError.TimedOut:
                    return "connecting timed out";
                case System.Net.Sockets.SocketError.NetworkUnreachable:
                case System.Net.Sockets.SocketError.NetworkDown:
                case System.Net.Sockets.SocketError.HostUnreachable:
                case System.Net.Sockets.SocketError.HostDown:
                    return "the network or host is unreachable";
                case System.Net.Sockets.SocketError.ConnectionReset:
                case System.Net.Sockets.SocketError.ConnectionAborted:
                case System.Net.Sockets.SocketError.Shutdown:
                    return "the connection was reset";
                default:
                    return "the connection failed (socket error " + error.ToString() + ")";
            }
        }

        // .NET Framework and Mono: HttpWebRequest's status; a more precise inner SocketException is read first when
        // the status is only a general one.
        private static string? DescribeWeb(System.Net.WebExceptionStatus status, ref bool tls)
        {
            switch (status)
            {
                case System.Net.WebExceptionStatus.TrustFailure:
                case System.Net.WebExceptionStatus.SecureChannelFailure:
                    tls = true;
                    return null;
                case System.Net.WebExceptionStatus.NameResolutionFailure:
                    return "the host name could not be resolved";
                case System.Net.WebExceptionStatus.ProxyNameResolutionFailure:
                    return "the proxy's host name could not be resolved";
                case System.Net.WebExceptionStatus.ConnectionClosed:
                case System.Net.WebExceptionStatus.KeepAliveFailure:
                    return "the connection was closed";
                default:
                    return null;
            }
        }
    }

    /// <summary>PROTOCOL.md's retries: rate limiting waits 2 s then 5 s (3 attempts); a network failure or time-out
    /// is retried once after 2 s. Every retry is a new request with a fresh nonce.</summary>
    internal sealed class RetryPolicy
    {
        public static readonly RetryPolicy Default = new RetryPolicy(
            new[] { TimeSpan.FromSeconds(2), TimeSpan.FromSeconds(5) }, TimeSpan.FromSeconds(2));

        public RetryPolicy(IReadOnlyList<TimeSpan> rateLimitDelays, TimeSpan networkRetryDelay)
        {
            RateLimitDelays = rateLimitDelays;
            NetworkRetryDelay = networkRetryDelay;
        }

        public IReadOnlyList<TimeSpan> RateLimitDelays { get; }
        public TimeSpan NetworkRetryDelay { get; }

        /// <summary>The wait before retrying after a failure with <paramref name="code"/>, or null when the failure is
        /// final. Spends from <paramref name="budget"/>: rate limiting and network failures have separate allowances.</summary>
        public TimeSpan? NextDelay(string code, ref RetryBudget budget)
        {
            if (code == AuthForgeErrorCodes.RateLimited)
                return budget.RateLimited < RateLimitDelays.Count ? RateLimitDelays[budget.RateLimited++] : (TimeSpan?)null;
            if ((code == AuthForgeErrorCodes.NetworkError || code == AuthForgeErrorCodes.Timeout) && budget.Network == 0)
            {
                budget.Network++;
                return NetworkRetryDelay;
            }
            return null;
        }

        public Task DelayAsync(TimeSpan delay, CancellationToken cancellationToken) =>
            delay <= TimeSpan.Zero ? Task.CompletedTask : Task.Delay(delay, cancellationToken);
    }

    /// <summary>The retries one request has spent so far.</summary>
    internal struct RetryBudget
    {
        public int RateLimited;
        public int Network;
    }

    // =================================================================================================
    // 7. Scheduler
    //    One timer for every heartbeat in the process. Registrations sit in a min-heap by due time; the
    //    timer is armed for the earliest. Due heartbeats run on the thread pool and are awaited, never
    //    blocked on, so a slow server delays only its own session. Disposing a registration removes it
    //    at once and cancels a heartbeat in flight. A failure found there is handed to the app's own
    //    thread (its SynchronizationContext) by FailureDispatcher, which never waits for that thread.
    // =================================================================================================

    internal sealed class HeartbeatScheduler
    {
        public static readonly HeartbeatScheduler Shared = new HeartbeatScheduler();

        // The timer is never armed for longer than this, so a wake-up from sleep is noticed within it: on Linux and
        // macOS a timer (like Stopwatch) does not count suspended time, so a heartbeat due during an 8-hour sleep would
        // otherwise run only when its remaining monotonic wait has passed after the machine wakes.
        internal static readonly TimeSpan WakeCheckPeriod = TimeSpan.FromSeconds(30);

        // Wall time running this far ahead of monotonic time between two checks means the machine slept.
        internal static readonly TimeSpan WakeThreshold = TimeSpan.FromSeconds(20);

        private readonly object _lock = new object();
        private readonly AuthForgeClock _clock;
        private readonly bool _useTimer;
        private Timer? _timer; // made at the first arming (or by the warm-up): a constructor that schedules nothing pays nothing
        private HeartbeatRegistration[] _heap = new HeartbeatRegistration[16];
        private int _count;
        private long _armedFor = long.MaxValue;
        private long _checkedMonotonic;
        private long _checkedWall;

        public HeartbeatScheduler() : this(AuthForgeClock.System, useTimer: true)
        {
        }

        /// <summary>A scheduler on <paramref name="clock"/>. Without a timer nothing runs until <see cref="RunDueAsync"/>
        /// is called: tests drive a manual clock through days of heartbeats without waiting.</summary>
        internal HeartbeatScheduler(AuthForgeClock clock, bool useTimer)
        {
            _clock = clock;
            _checkedMonotonic = clock.Monotonic.Ticks;
            _checkedWall = clock.UtcNow.UtcTicks;
            _useTimer = useTimer;
        }

        /// <summary>Makes the timer now, off the caller's path (the first client's warm-up does this for the shared
        /// scheduler), so the first login's scheduling finds it made.</summary>
        internal void PrepareTimer()
        {
            lock (_lock) EnsureTimerLocked();
        }

        private Timer? EnsureTimerLocked() =>
            _timer ?? (_useTimer ? _timer = new Timer(_ => OnTimer(), null, Timeout.Infinite, Timeout.Infinite) : null);

        /// <summary>Heartbeats waiting for their time (not counting ones running now).</summary>
        public int ScheduledCount
        {
            get { lock (_lock) return _count; }
        }

        /// <summary>The monotonic time the earliest waiting heartbeat is due; null when none waits.</summary>
        internal TimeSpan? NextDue
        {
            get { lock (_lock) return _count == 0 ? (TimeSpan?)null : TimeSpan.FromTicks(_heap[0].DueTicks); }
        }

        /// <summary>Called with how late each heartbeat started behind its due time (benchmarks measure it).</summary>
        public Action<TimeSpan>? LatenessObserver { get; set; }

        /// <summary>Called with the length of each sleep the scheduler noticed (wall time that passed without
        /// monotonic time).</summary>
        public Action<TimeSpan>? WakeObserver { get; set; }

        internal long NowTicks => _clock.Monotonic.Ticks;

        /// <summary>Called with each new registration's first delay (tests check the spread without waiting for it).</summary>
        public Action<TimeSpan>? ScheduleObserver { get; set; }

        public HeartbeatRegistration Schedule(TimeSpan interval, TimeSpan firstDelay, Func<HeartbeatRegistration, CancellationToken, Task> tick)
        {
            var registration = new HeartbeatRegistration(this, interval.Ticks, tick);
            ScheduleObserver?.Invoke(firstDelay);
            lock (_lock)
            {
                // With nothing scheduled no sleep matters: measure the next one from here.
                if (_count == 0)
                {
                    _checkedMonotonic = NowTicks;
                    _checkedWall = _clock.UtcNow.UtcTicks;
                }
                registration.DueTicks = NowTicks + firstDelay.Ticks;
                Insert(registration);
                ArmLocked();
            }
            return registration;
        }

        internal static long MonotonicTicks() => (long)(Stopwatch.GetTimestamp() * s_ticksPerTimestamp);

        private static readonly double s_ticksPerTimestamp = (double)TimeSpan.TicksPerSecond / Stopwatch.Frequency;

        private void OnTimer()
        {
            List<HeartbeatRegistration>? due = TakeDue();
            if (due is null) return;
            foreach (HeartbeatRegistration registration in due)
            {
                ThreadPool.UnsafeQueueUserWorkItem(state => ((HeartbeatRegistration)state!).Run(), registration);
            }
        }

        /// <summary>Runs every heartbeat due now (after noticing a sleep, as the timer does) and completes when they
        /// have run and been rescheduled. For a scheduler without a timer.</summary>
        internal Task RunDueAsync()
        {
            List<HeartbeatRegistration>? due = TakeDue();
            if (due is null) return Task.CompletedTask;
            var running = new List<Task>(due.Count);
            foreach (HeartbeatRegistration registration in due)
            {
                registration.Run();
                running.Add(registration.WhenIdle);
            }
            return Task.WhenAll(running);
        }

        private List<HeartbeatRegistration>? TakeDue()
        {
            List<HeartbeatRegistration>? due = null;
            TimeSpan slept = TimeSpan.Zero;
            lock (_lock)
            {
                _armedFor = long.MaxValue;
                long now = NowTicks;
                slept = NoticeSleepLocked(now);
                while (_count > 0 && _heap[0].DueTicks <= now)
                {
                    HeartbeatRegistration next = _heap[0];
                    RemoveAt(0);
                    (due ??= new List<HeartbeatRegistration>()).Add(next);
                }
                ArmLocked();
            }
            if (slept > TimeSpan.Zero) WakeObserver?.Invoke(slept);
            return due;
        }

        // Caller holds _lock. When wall time ran ahead of monotonic time since the last look, the machine slept for
        // the difference: every due time moves that much earlier, so what fell due during the sleep runs now. A wall
        // clock set forward by hand looks the same and costs one early heartbeat; one set back is never a sleep.
        private TimeSpan NoticeSleepLocked(long now)
        {
            long wall = _clock.UtcNow.UtcTicks;
            long sleptTicks = (wall - _checkedWall) - (now - _checkedMonotonic);
            _checkedWall = wall;
            _checkedMonotonic = now;
            if (sleptTicks < WakeThreshold.Ticks) return TimeSpan.Zero;
            for (int i = 0; i < _count; i++) _heap[i].DueTicks = Math.Max(now, _heap[i].DueTicks - sleptTicks);
            for (int i = _count / 2 - 1; i >= 0; i--) SiftDown(i);
            return TimeSpan.FromTicks(sleptTicks);
        }

        internal void Reschedule(HeartbeatRegistration registration)
        {
            lock (_lock)
            {
                if (registration.IsDisposed) return;
                // Fixed rate keeps sessions spread as they started; a heartbeat that overran its slot goes next. A
                // tick may ask to run again sooner (a retry, a renewal before the session ends): never later.
                long now = NowTicks;
                long due = Math.Max(registration.DueTicks + registration.IntervalTicks, now);
                long? sooner = registration.TakeNextWithin();
                if (sooner is long within) due = Math.Min(due, now + Math.Max(0, within));
                registration.DueTicks = due;
                Insert(registration);
                ArmLocked();
            }
        }

        internal void Remove(HeartbeatRegistration registration)
        {
            lock (_lock)
            {
                if (registration.HeapIndex >= 0) RemoveAt(registration.HeapIndex);
            }
        }

        internal void ReportLateness(TimeSpan lateness) => LatenessObserver?.Invoke(lateness);

        // Caller holds _lock. Re-arms only when the earliest due time moved earlier than what the timer waits for; never
        // further ahead than the wake-up check period.
        private void ArmLocked()
        {
            if (_count == 0 || !_useTimer) return;
            long now = NowTicks;
            long due = Math.Min(_heap[0].DueTicks, now + WakeCheckPeriod.Ticks);
            if (due >= _armedFor) return;
            _armedFor = due;
            long waitTicks = Math.Max(0, due - now);
            // Round up, so the timer never fires just before the due time and spins.
            long waitMs = Math.Min((waitTicks + TimeSpan.TicksPerMillisecond - 1) / TimeSpan.TicksPerMillisecond, int.MaxValue - 1);
            EnsureTimerLocked()!.Change(waitMs, Timeout.Infinite);
        }

        private void Insert(HeartbeatRegistration registration)
        {
            if (_count == _heap.Length) Array.Resize(ref _heap, _heap.Length * 2);
            _heap[_count] = registration;
            registration.HeapIndex = _count;
            _count++;
            SiftUp(_count - 1);
        }

        private void RemoveAt(int index)
        {
            HeartbeatRegistration removed = _heap[index];
            _count--;
            if (index != _count)
            {
                _heap[index] = _heap[_count];
                _heap[index].HeapIndex = index;
                _heap[_count] = null!;
                SiftDown(index);
                SiftUp(index);
            }
            else
            {
                _heap[_count] = null!;
            }
            removed.HeapIndex = -1;
        }

        private void SiftUp(int index)
        {
            while (index > 0)
            {
                int parent = (index - 1) / 2;
                if (_heap[parent].DueTicks <= _heap[index].DueTicks) return;
                Swap(index, parent);
                index = parent;
            }
        }

        private void SiftDown(int index)
        {
            while (true)
            {
                int left = 2 * index + 1;
                if (left >= _count) return;
                int smallest = left + 1 < _count && _heap[left + 1].DueTicks < _heap[left].DueTicks ? left + 1 : left;
                if (_heap[index].DueTicks <= _heap[smallest].DueTicks) return;
                Swap(index, smallest);
                index = smallest;
            }
        }

        private void Swap(int a, int b)
        {
            HeartbeatRegistration first = _heap[a];
            _heap[a] = _heap[b];
            _heap[b] = first;
            _heap[a].HeapIndex = a;
            _heap[b].HeapIndex = b;
        }
    }

    /// <summary>One session's place in the scheduler. Disposing it unschedules it and cancels a running heartbeat.</summary>
    internal sealed class HeartbeatRegistration : IDisposable
    {
        private readonly HeartbeatScheduler _scheduler;
        private readonly Func<HeartbeatRegistration, CancellationToken, Task> _tick;
        private readonly CancellationTokenSource _cancellation = new CancellationTokenSource();
        private Task _running = Task.CompletedTask;
        private int _disposed;
        private long _nextWithin = -1; // ticks; -1: the regular interval

        internal HeartbeatRegistration(HeartbeatScheduler scheduler, long intervalTicks, Func<HeartbeatRegistration, CancellationToken, Task> tick)
        {
            _scheduler = scheduler;
            IntervalTicks = intervalTicks;
            _tick = tick;
        }

        internal long IntervalTicks { get; }
        internal long DueTicks { get; set; }
        internal int HeapIndex { get; set; } = -1;
        public bool IsDisposed => Volatile.Read(ref _disposed) != 0;

        /// <summary>Completes when no heartbeat of this registration is running.</summary>
        public Task WhenIdle => Volatile.Read(ref _running);

        /// <summary>Asks for the next run no later than <paramref name="delay"/> after this one ends (a retry's back-off,
        /// a renewal before the session's end); the regular interval applies when it is sooner. For the running tick.</summary>
        public void RunAgainWithin(TimeSpan delay) => Volatile.Write(ref _nextWithin, Math.Max(0, delay.Ticks));

        internal long? TakeNextWithin()
        {
            long within = Interlocked.Exchange(ref _nextWithin, -1);
            return within < 0 ? (long?)null : within;
        }

        internal void Run()
        {
            if (IsDisposed) return;
            _scheduler.ReportLateness(TimeSpan.FromTicks(Math.Max(0, _scheduler.NowTicks - DueTicks)));
            // Published before the tick starts: a tick runs synchronously until its first await (it builds and sends a
            // request there), and a Logout reading WhenIdle in that time must wait for it. Dispose sets the flag, then
            // reads WhenIdle; this publishes, then reads the flag; both with full fences, so either Dispose waits for
            // this tick or this tick sees the disposal and does not start.
            var done = new TaskCompletionSource<bool>(TaskCreationOptions.RunContinuationsAsynchronously);
            Interlocked.Exchange(ref _running, done.Task);
            if (IsDisposed)
            {
                done.TrySetResult(true);
                return;
            }
            _ = RunAsync(done);
        }

        private async Task RunAsync(TaskCompletionSource<bool> done)
        {
            try
            {
                await _tick(this, _cancellation.Token).ConfigureAwait(false);
            }
            catch
            {
                // The client reports its own failures; nothing may escape onto the thread pool.
            }
            try
            {
                _scheduler.Reschedule(this);
            }
            finally
            {
                done.TrySetResult(true);
            }
        }

        public void Dispose()
        {
            if (Interlocked.Exchange(ref _disposed, 1) != 0) return;
            _scheduler.Remove(this);
            _cancellation.Cancel();
        }
    }

    /// <summary>
    /// Where a failure report runs, and what ends the app when no callback handles it. The app's thread is the
    /// <see cref="SynchronizationContext"/> current when the client was constructed (a UI thread, Unity's main
    /// thread), captured here as <see cref="Progress{T}"/> captures it. Work for that thread is posted and never waited
    /// for: a hung UI thread must not hang a heartbeat, and a UI thread blocked in a synchronous <c>Login</c> must not
    /// deadlock it.
    /// </summary>
    internal sealed class FailureDispatcher
    {
        private static readonly SendOrPostCallback RunPosted = state => ((Action)state!)();

        private readonly Action<string, AuthForgeException>? _onFailure;
        private readonly SynchronizationContext? _context;
        private readonly bool _callbackOnContext;
        private readonly Action<int> _exit;
        private readonly Action<string>? _errorOutput;

        internal FailureDispatcher(Action<string, AuthForgeException>? onFailure, bool useSynchronizationContext, Action<int> exit,
            Action<string>? errorOutput)
        {
            _onFailure = onFailure;
            _context = SynchronizationContext.Current;
            _callbackOnContext = useSynchronizationContext;
            _exit = exit;
            _errorOutput = errorOutput;
        }

        public void Report(string reason, AuthForgeException failure)
        {
            if (_onFailure is null) End(reason, failure, callbackThrew: false);
            else if (_callbackOnContext) OnAppThread(() => RunCallback(reason, failure));
            else RunCallback(reason, failure);
        }

        private void RunCallback(string reason, AuthForgeException failure)
        {
            try
            {
                _onFailure!(reason, failure);
                return;
            }
            catch
            {
                // A callback that throws is treated as no callback (PROTOCOL.md): the licence check must not be defeated
                // by an exception escaping it. Caught here, on whatever thread ran it: a posted callback's exception would
                // otherwise surface in the context's message loop (a WinForms dialog, Unity's console), which may carry on.
            }
            End(reason, failure, callbackThrew: true);
        }

        private void End(string reason, AuthForgeException failure, bool callbackThrew)
        {
            // Never a silent end: one line saying what failed, its code and sentence. The message is the exception's,
            // which by construction never holds the app secret, a licence key or a token.
            string line = "AuthForge: " + reason + " [" + failure.Code + "]: " + failure.Message + " "
                + (callbackThrew ? "The onFailure callback threw" : "No onFailure callback is set") + ", so " + Consequence + ".";
            WriteError(line);
            EndApp(line);
        }

        // Runs inline when already on the captured context (or there is none), else posts and returns at once. A context
        // that refuses the post (a UI already torn down) gets it run here rather than never.
        private void OnAppThread(Action action)
        {
            SynchronizationContext? context = _context;
            if (context != null && !ReferenceEquals(SynchronizationContext.Current, context))
            {
                try
                {
                    context.Post(RunPosted, action);
                    return;
                }
                catch
                {
                    // Fall through: run it on this thread.
                }
            }
            action();
        }

        private void WriteError(string line)
        {
            try
            {
                if (_errorOutput != null) _errorOutput(line);
                else
                {
                    Console.Error.WriteLine(line);
                    Console.Error.Flush();
                }
            }
            catch
            {
                // No standard error (a GUI app, a closed pipe): the end must still happen.
            }
        }

        // What "end the app" means is the one thing that differs by platform.
#if UNITY_EDITOR
        // Ending the process would end the Unity Editor itself, unsaved scenes with it: log the error to the Console and
        // stop play mode instead, on the main thread as the Editor requires.
        private const string Consequence = "play mode stops";

        private void EndApp(string line)
        {
            UnityEngine.Debug.LogError(line);
            OnAppThread(() =>
            {
                try
                {
                    UnityEditor.EditorApplication.isPlaying = false;
                }
                catch
                {
                    // Refused off the main thread (the client was built off it, so no context was captured): the error
                    // is logged, and the Editor is never ended.
                }
            });
        }
#elif UNITY_5_3_OR_NEWER
        // A Unity player quits the Unity way (the frame ends, OnApplicationQuit runs), from the main thread.
        private const string Consequence = "the player quits with exit code 1";

        private void EndApp(string line)
        {
            UnityEngine.Debug.LogError(line);
            OnAppThread(() =>
            {
                try
                {
                    UnityEngine.Application.Quit(1);
                }
                catch
                {
                    // Refused off the main thread (no context was captured there): end the process instead.
                    _exit(1);
                }
            });
        }
#else
        private const string Consequence = "the process ends with exit code 1";

        private void EndApp(string line) => _exit(1);
#endif
    }

    // =================================================================================================
    // 8. Primitives
    //    Time (injectable), a task's cancellable wait, nonces, hex, base64 as PROTOCOL.md allows it, and
    //    constant-time comparison.
    // =================================================================================================

    /// <summary>Wall-clock and monotonic time; tests replace it to move time without waiting.</summary>
    internal abstract class AuthForgeClock
    {
        public static readonly AuthForgeClock System = new SystemClock();

        public abstract DateTimeOffset UtcNow { get; }

        /// <summary>Time since an arbitrary start that never goes backwards, whatever the wall clock does.</summary>
        public abstract TimeSpan Monotonic { get; }

        private sealed class SystemClock : AuthForgeClock
        {
            public override DateTimeOffset UtcNow => DateTimeOffset.UtcNow;
            public override TimeSpan Monotonic => TimeSpan.FromTicks(HeartbeatScheduler.MonotonicTicks());
        }
    }

    /// <summary>Time arithmetic the client does in several places, written once.</summary>
    internal static class TimeMath
    {
        /// <summary>The latest unix second a <see cref="DateTimeOffset"/> can represent (9999-12-31 23:59:59 UTC): a
        /// larger value read from an answer or a record is not a date.</summary>
        public const long MaxUnixSeconds = 253402300799;

        /// <summary>The latest unix millisecond a <see cref="DateTimeOffset"/> can represent.</summary>
        public const long MaxUnixMilliseconds = MaxUnixSeconds * 1000 + 999;

        public static TimeSpan NotNegative(TimeSpan value) => value < TimeSpan.Zero ? TimeSpan.Zero : value;
        public static TimeSpan Min(TimeSpan a, TimeSpan b) => a < b ? a : b;
        public static TimeSpan Max(TimeSpan a, TimeSpan b) => a > b ? a : b;
    }

    /// <summary>Makes a file or folder readable by its owner only (0600 / 0700) on Linux and macOS. On Windows files
    /// inherit their folder's access list, which under the user's profile is the user's (and administrators').</summary>
    internal static class UserOnly
    {
        public static void Restrict(string path, bool directory)
        {
            if (RuntimeInformation.IsOSPlatform(OSPlatform.Windows)) return;
#if NET7_0_OR_GREATER
            File.SetUnixFileMode(path, directory
                ? UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute
                : UnixFileMode.UserRead | UnixFileMode.UserWrite);
#else
            if (chmod(path, directory ? 0x1C0u : 0x180u) != 0)
                throw new IOException("Could not make " + (directory ? "the folder" : "the file") + " readable by the user only.");
#endif
        }

#if !NET7_0_OR_GREATER
        [DllImport("libc", SetLastError = true)]
        private static extern int chmod(string path, uint mode);
#endif
    }

    /// <summary>Task helpers the older targets lack.</summary>
    internal static class Tasks
    {
        /// <summary><paramref name="task"/>'s result, or <see cref="OperationCanceledException"/> as soon as
        /// <paramref name="cancellationToken"/> is cancelled; the task itself runs on (Task.WaitAsync, before .NET 6).</summary>
        public static async Task<T> WithCancellation<T>(Task<T> task, CancellationToken cancellationToken)
        {
            if (!cancellationToken.CanBeCanceled || task.IsCompleted) return await task.ConfigureAwait(false);
            var cancelled = new TaskCompletionSource<bool>(TaskCreationOptions.RunContinuationsAsynchronously);
            using (cancellationToken.Register(state => ((TaskCompletionSource<bool>)state!).TrySetResult(true), cancelled))
            {
                if (await Task.WhenAny(task, cancelled.Task).ConfigureAwait(false) != task)
                    throw new OperationCanceledException(cancellationToken);
            }
            return await task.ConfigureAwait(false);
        }

        /// <summary>As the generic overload, for a task without a result.</summary>
        public static Task WithCancellation(Task task, CancellationToken cancellationToken) =>
            !cancellationToken.CanBeCanceled || task.IsCompleted ? task : WithCancellation(AsBoolTask(task), cancellationToken);

        private static async Task<bool> AsBoolTask(Task task)
        {
            await task.ConfigureAwait(false);
            return true;
        }
    }

    internal static class Nonce
    {
        private static readonly RandomNumberGenerator s_random = RandomNumberGenerator.Create();

        /// <summary>128 fresh random bits as 32 lowercase hex characters.</summary>
        public static string Create()
        {
            byte[] bytes = new byte[16];
            s_random.GetBytes(bytes);
            return Hex.Encode(bytes);
        }

        public static uint NextUInt32()
        {
            byte[] bytes = new byte[4];
            s_random.GetBytes(bytes);
            return BitConverter.ToUInt32(bytes, 0);
        }
    }

    internal static class Hex
    {
        public const string Digits = "0123456789abcdef";

        public static string Encode(byte[] bytes)
        {
            char[] chars = new char[bytes.Length * 2];
            for (int i = 0; i < bytes.Length; i++)
            {
                chars[2 * i] = Digits[bytes[i] >> 4];
                chars[2 * i + 1] = Digits[bytes[i] & 0xF];
            }
            return new string(chars);
        }

        /// <summary>Upper- or lowercase hex to bytes; null for odd length or any other character.</summary>
        public static byte[]? Decode(string text)
        {
            if (text.Length % 2 != 0) return null;
            byte[] bytes = new byte[text.Length / 2];
            for (int i = 0; i < bytes.Length; i++)
            {
                int high = Digit(text[2 * i]);
                int low = Digit(text[2 * i + 1]);
                if ((high | low) < 0) return null;
                bytes[i] = (byte)((high << 4) | low);
            }
            return bytes;
        }

        private static int Digit(char c) =>
            c >= '0' && c <= '9' ? c - '0' :
            c >= 'a' && c <= 'f' ? c - 'a' + 10 :
            c >= 'A' && c <= 'F' ? c - 'A' + 10 : -1;
    }

    /// <summary>
    /// Base64 as PROTOCOL.md asks decoders to take it: the standard or URL-safe alphabet, padding optional. Stricter
    /// than Convert.FromBase64String where that is lenient: no whitespace, and unused trailing bits must be zero, so
    /// each byte string has exactly one accepted text per alphabet and padding choice.
    /// </summary>
    internal static class Base64
    {
        private static readonly sbyte[] s_values = BuildValues();

        public static byte[]? Decode(string text)
        {
            int length = text.Length;
            if (length % 4 == 0 && length > 0 && text[length - 1] == '=')
            {
                length--;
                if (text[length - 1] == '=') length--;
            }
            if (length % 4 == 1) return null;

            byte[] output = new byte[length * 3 / 4];
            int bits = 0, buffered = 0, written = 0;
            for (int i = 0; i < length; i++)
            {
                char c = text[i];
                int value = c < 128 ? s_values[c] : -1;
                if (value < 0) return null;
                bits = (bits << 6) | value;
                buffered += 6;
                if (buffered >= 8)
                {
                    buffered -= 8;
                    output[written++] = (byte)(bits >> buffered);
                    bits &= (1 << buffered) - 1;
                }
            }
            return bits == 0 ? output : null;
        }

        private static sbyte[] BuildValues()
        {
            var values = new sbyte[128];
            for (int i = 0; i < values.Length; i++) values[i] = -1;
            const string standard = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
            for (int i = 0; i < standard.Length; i++) values[standard[i]] = (sbyte)i;
            values['-'] = 62;
            values['_'] = 63;
            return values;
        }
    }

    internal static class FixedTime
    {
        /// <summary>Compares without an early exit, so the time taken does not reveal where bytes first differ.</summary>
        [MethodImpl(MethodImplOptions.NoInlining | MethodImplOptions.NoOptimization)]
        public static bool Equals(byte[] left, byte[] right)
        {
            if (left.Length != right.Length) return false;
            int difference = 0;
            for (int i = 0; i < left.Length; i++) difference |= left[i] ^ right[i];
            return difference == 0;
        }
    }

    // =================================================================================================
    // 9. Fingerprint
    //    HWID = hex SHA-256 of "mac:<mac>|cpu:<cpu>|disk:<disk>" (PROTOCOL.md "Hardware id"). Probed once per
    //    process; the async entry points await it on the thread pool. Linux reads /sys and /proc; Windows reads the
    //    interface table, the device tree, the registry, SMBIOS and a disk IOCTL through P/Invoke: neither starts a
    //    process, and no time limit can change what they read. Only macOS still asks tools (2 s limit each); a part
    //    lost to that limit is probed again at the next login, never during a session (a session keeps its id).
    //    Raw hardware text never leaves this section unhashed: no logging, no exception messages.
    // =================================================================================================

    /// <summary>This machine's hardware id: SHA-256 of "mac:…|cpu:…|disk:…", computed at most once per process.</summary>
    internal static class HardwareFingerprint
    {
        private const string MacFallback = "mac-unavailable";
        private const string CpuFallback = "cpu-unavailable";
        private const string DiskFallback = "disk-unavailable";

        /// <summary>The process's cache of this machine's probe; clients use it unless a test injects its own.</summary>
        public static readonly ProbeCache Shared = new ProbeCache(ProbeThisMachine);

        /// <summary>
        /// The lowercase hex HWID as last probed; only when none is known yet does this probe, on the caller's thread.
        /// Never probes again for an incomplete result (see <see cref="ProbeCache"/>).
        /// </summary>
        public static string Current => Shared.Value;

        /// <summary>How many times this process has probed the hardware: lets tests prove the cache.</summary>
        public static int ProbeCount => Shared.ProbeCount;

        /// <summary>Where each part of the last probe came from, e.g. "mac=builtin-permanent cpu=registry
        /// disk=smbios-uuid": names of sources only, never their values. For diagnostics and the Wine run.</summary>
        public static string LastSources => Shared.LastSources;

        /// <summary>Pure: applies the PROTOCOL.md fallbacks to empty parts and hashes the composed text.</summary>
        public static string Compose(string? mac, string? cpu, string? disk)
        {
            string text = "mac:" + OrFallback(mac, MacFallback)
                + "|cpu:" + OrFallback(cpu, CpuFallback)
                + "|disk:" + OrFallback(disk, DiskFallback);
            using (SHA256 sha = SHA256.Create())
            {
                return Hex.Encode(sha.ComputeHash(Encoding.UTF8.GetBytes(text)));
            }
        }

        /// <summary>
        /// Reads each part through its own guard and composes the HWID: a part whose reader throws or yields
        /// nothing gets its fallback, so one broken source never costs the other two.
        /// </summary>
        internal static string ComposeGuarded(Func<string?>? mac, Func<string?>? cpu, Func<string?>? disk)
            => Compose(Guard(mac), Guard(cpu), Guard(disk));

        /// <summary>Probes this machine without the cache and never throws; production code goes through <see cref="Current"/>.</summary>
        internal static ProbeResult ProbeThisMachine()
        {
            try
            {
                if (RuntimeInformation.IsOSPlatform(OSPlatform.Linux))
                {
                    var linux = new LinuxProbe("/", LinuxProbe.EthtoolPermanentAddress);
                    string id = ComposeGuarded(linux.ReadMac, linux.ReadCpu, linux.ReadDisk);
                    return new ProbeResult(id, true, linux.Sources);
                }
                if (RuntimeInformation.IsOSPlatform(OSPlatform.Windows))
                {
                    var windows = new WindowsProbe(WindowsProbe.Native);
                    string id = ComposeGuarded(windows.ReadMac, windows.ReadCpu, windows.ReadDisk);
                    return new ProbeResult(id, true, windows.Sources);
                }
                if (RuntimeInformation.IsOSPlatform(OSPlatform.OSX)) return new MacOSProbe().Probe();
                return new ProbeResult(ComposeGuarded(ToolProbe.ReadNetworkInterfaceMac, null, null), true, "other");
            }
            catch
            {
                return Failed();
            }
        }

        // An all-fallback id keeps login possible; it is not final, so the next login tries again.
        private static ProbeResult Failed() => new ProbeResult(Compose(null, null, null), false, "failed");

        private static string? Guard(Func<string?>? read)
        {
            if (read == null) return null;
            try { return read(); }
            catch { return null; }
        }

        private static string OrFallback(string? part, string fallback)
        {
            string? trimmed = part?.Trim();
            return trimmed == null || trimmed.Length == 0 ? fallback : trimmed;
        }

        /// <summary>One probe's outcome: the id, whether it may be kept for the process, and its sources' names.</summary>
        internal sealed class ProbeResult
        {
            /// <summary>Creates a result.</summary>
            public ProbeResult(string hwid, bool final, string sources)
            {
                Hwid = hwid;
                Final = final;
                Sources = sources;
            }

            /// <summary>The composed id.</summary>
            public string Hwid { get; }

            /// <summary>True when every part was decided by the machine; false when a time limit cost a part.</summary>
            public bool Final { get; }

            /// <summary>Names of the sources used, never their values.</summary>
            public string Sources { get; }
        }

        /// <summary>
        /// Keeps this machine's probe for the process. One probe runs at a time, however many threads ask; they all
        /// take its answer. A <see cref="ProbeResult.Final"/> result is kept for good. An incomplete one (a tool cut
        /// by its time limit) is kept too, but only until the next login asks for the id with
        /// <see cref="GetForLoginAsync"/>: a session already running keeps the id it logged in with, and every other
        /// read gets the latest result without probing, so the id never changes in the middle of a session.
        /// </summary>
        internal sealed class ProbeCache
        {
            private readonly Func<ProbeResult> _probe;
            private readonly object _gate = new object();
            private ProbeResult? _final;     // written once under _gate, read without it
            private ProbeResult? _last;      // under _gate
            private Task<ProbeResult>? _running;   // under _gate: the probe in flight, which every caller joins
            private int _probeCount;

            /// <summary>Wraps <paramref name="probe"/>; a probe that throws counts as an incomplete, all-fallback result.</summary>
            public ProbeCache(Func<ProbeResult> probe) => _probe = probe;

            /// <summary>
            /// The latest result; the first call (when none is known and none is running) runs the probe on the
            /// caller's thread, and a call while one runs waits for it: this is the synchronous read, which may block.
            /// </summary>
            public string Value => Start(retryIncomplete: false, onCaller: true).GetAwaiter().GetResult().Hwid;

            /// <summary>As <see cref="Value"/>, but a probe still to run runs on the thread pool, never on the caller's
            /// (possibly UI) thread; once an id is known this completes synchronously.</summary>
            public Task<string> GetAsync() => HwidOf(retryIncomplete: false);

            /// <summary>
            /// For a login (or a validation): a final id, or else a fresh probe on the thread pool, so that an
            /// incomplete probe is retried between sessions and never during one.
            /// </summary>
            public Task<string> GetForLoginAsync() => HwidOf(retryIncomplete: true);

            /// <summary>True once a final result is kept.</summary>
            public bool IsFinal => Volatile.Read(ref _final) != null;

            /// <summary>How many times the probe has run.</summary>
            public int ProbeCount => Volatile.Read(ref _probeCount);

            /// <summary>The sources of the latest probe, or "" before the first.</summary>
            public string LastSources
            {
                get
                {
                    lock (_gate) return _last?.Sources ?? "";
                }
            }

            private Task<string> HwidOf(bool retryIncomplete)
            {
                ProbeResult? known = Volatile.Read(ref _final);
                if (known != null) return Task.FromResult(known.Hwid);
                Task<ProbeResult> result = Start(retryIncomplete, onCaller: false);
                return result.IsCompleted ? Task.FromResult(result.Result.Hwid) : AwaitHwid(result);
            }

            private static async Task<string> AwaitHwid(Task<ProbeResult> result) => (await result.ConfigureAwait(false)).Hwid;

            // The result to use, or the probe to wait for: started here when none is running and the known result
            // (if any) may not serve this caller.
            private Task<ProbeResult> Start(bool retryIncomplete, bool onCaller)
            {
                TaskCompletionSource<ProbeResult> started;
                lock (_gate)
                {
                    if (_final != null) return Task.FromResult(_final);
                    if (_running != null) return _running;
                    if (_last != null && !retryIncomplete) return Task.FromResult(_last);
                    started = new TaskCompletionSource<ProbeResult>(TaskCreationOptions.RunContinuationsAsynchronously);
                    _running = started.Task;
                }
                if (onCaller) Run(started);
                else Task.Run(() => Run(started));
                return started.Task;
            }

            private void Run(TaskCompletionSource<ProbeResult> started)
            {
                Interlocked.Increment(ref _probeCount);
                ProbeResult result;
                try
                {
                    result = _probe();
                }
                catch
                {
                    result = Failed();
                }
                lock (_gate)
                {
                    _last = result;
                    if (result.Final) Volatile.Write(ref _final, result);
                    _running = null;
                }
                started.SetResult(result);
            }
        }

        /// <summary>One network interface that could supply the MAC part.</summary>
        internal sealed class MacCandidate
        {
            /// <summary>Creates a candidate; <paramref name="rank"/> 0 is the most preferred.</summary>
            public MacCandidate(string key, string mac, int rank)
            {
                Key = key;
                Mac = mac;
                Rank = rank;
            }

            /// <summary>The interface's name or id: reported, and the last tie-break only.</summary>
            public string Key { get; }

            /// <summary>The normalised MAC.</summary>
            public string Mac { get; }

            /// <summary>See <see cref="HardwareText.RankOf"/>: 0 built-in with a permanent address is the best.</summary>
            public int Rank { get; }
        }

        /// <summary>The fields of one Windows interface-table row (MIB_IF_ROW2) that the MAC choice reads.</summary>
        internal sealed class WindowsAdapter
        {
            /// <summary>Creates a row; addresses are normalised MACs or null.</summary>
            public WindowsAdapter(Guid interfaceGuid, string description, string? currentMac, string? permanentMac,
                int ifType, int physicalMedium, bool hardware, bool filter)
            {
                InterfaceGuid = interfaceGuid;
                Description = description;
                CurrentMac = currentMac;
                PermanentMac = permanentMac;
                IfType = ifType;
                PhysicalMedium = physicalMedium;
                Hardware = hardware;
                Filter = filter;
            }

            /// <summary>The interface GUID: the key of its registry entries.</summary>
            public Guid InterfaceGuid { get; }

            /// <summary>The driver's description, e.g. "Intel(R) Ethernet Connection I219-V".</summary>
            public string Description { get; }

            /// <summary>The address in use now (may be random or user-set).</summary>
            public string? CurrentMac { get; }

            /// <summary>The address burned into the hardware, when the driver reports one.</summary>
            public string? PermanentMac { get; }

            /// <summary>The IANA interface type: 6 Ethernet, 71 Wi-Fi.</summary>
            public int IfType { get; }

            /// <summary>NDIS_PHYSICAL_MEDIUM: 10 is Bluetooth.</summary>
            public int PhysicalMedium { get; }

            /// <summary>InterfaceAndOperStatusFlags.HardwareInterface.</summary>
            public bool Hardware { get; }

            /// <summary>InterfaceAndOperStatusFlags.FilterInterface: a filter driver's copy of another adapter.</summary>
            public bool Filter { get; }
        }

        /// <summary>Pure text helpers shared by every platform; kept free of I/O so tests can feed them samples.</summary>
        internal static class HardwareText
        {
            // Interfaces whose MAC is created at random or per boot/container/VPN session, so it can't identify a machine.
            private static readonly string[] s_virtualInterfacePrefixes =
            {
                "lo", "docker", "veth", "br-", "virbr", "vnet", "vmnet", "vboxnet", "tun", "tap", "wg", "ifb", "dummy",
                "zt", "tailscale", "cni", "flannel", "cali", "kube", "utun", "awdl", "llw", "bridge", "anpi", "gif",
                "stf", "ipsec", "feth", "ppp", "sit", "gre", "ip6tnl", "nlmon",
            };

            // Windows names adapters by friendly name; the description is where hypervisors and VPNs say what they are.
            private static readonly string[] s_virtualDescriptionHints =
            {
                "virtual", "hyper-v", "vmware", "virtualbox", "vpn", "tap-", "wan miniport", "pseudo", "loopback",
                "bluetooth", "miniport", "tunnel", "wintun", "wireguard", "zerotier", "tailscale", "npcap", "teredo",
                "isatap", "6to4", "kernel debug", "hosted network", "wi-fi direct",
            };

            /// <summary>True for interface names that are loopback, container, bridge, tunnel or VPN devices.</summary>
            public static bool IsVirtualInterfaceName(string name)
            {
                foreach (string prefix in s_virtualInterfacePrefixes)
                {
                    if (name.StartsWith(prefix, StringComparison.OrdinalIgnoreCase)) return true;
                }
                return false;
            }

            /// <summary>True when a Windows adapter description names a hypervisor, VPN or other software adapter.</summary>
            public static bool IsVirtualDescription(string description)
            {
                foreach (string hint in s_virtualDescriptionHints)
                {
                    if (description.IndexOf(hint, StringComparison.OrdinalIgnoreCase) >= 0) return true;
                }
                return false;
            }

            /// <summary>
            /// Normalises "00:1A:2b:…", "00-1A-…", "001A.2B3C.4D5E", "001A2B3C4D5E" and unpadded "0:1a:…" to
            /// "00:1a:2b:3c:4d:5e"; null for anything else and for the all-zero or broadcast address.
            /// </summary>
            public static string? NormaliseMac(string? raw)
            {
                string? text = raw?.Trim();
                if (text == null || text.Length == 0) return null;

                string? hex = null;
                char separator = text.IndexOf(':') >= 0 ? ':' : text.IndexOf('-') >= 0 ? '-' : text.IndexOf('.') >= 0 ? '.' : '\0';
                if (separator == '\0')
                {
                    if (text.Length == 12 && IsHex(text)) hex = text;
                }
                else
                {
                    string[] groups = text.Split(new[] { separator });
                    if (separator != '.' && groups.Length == 6)
                    {
                        var sb = new StringBuilder(12);
                        foreach (string g in groups)
                        {
                            if (g.Length < 1 || g.Length > 2 || !IsHex(g)) return null;
                            sb.Append(g.Length == 1 ? "0" + g : g);
                        }
                        hex = sb.ToString();
                    }
                    else if (separator == '.' && groups.Length == 3 && groups[0].Length == 4 && groups[1].Length == 4
                        && groups[2].Length == 4 && IsHex(groups[0] + groups[1] + groups[2]))
                    {
                        hex = groups[0] + groups[1] + groups[2];
                    }
                }
                if (hex == null) return null;

                hex = hex.ToLowerInvariant();
                if (hex == "000000000000" || hex == "ffffffffffff") return null;

                var result = new StringBuilder(17);
                for (int i = 0; i < 12; i += 2)
                {
                    if (i > 0) result.Append(':');
                    result.Append(hex, i, 2);
                }
                return result.ToString();
            }

            /// <summary>
            /// The MAC ranking shared by every platform, so that plugging and unplugging things never changes the
            /// winner: a built-in adapter (PCI, platform, SoC; wired and wireless alike) before one attached by USB,
            /// Thunderbolt or another removable bus, and within each, an address burned into the hardware before one
            /// whose origin the system does not state. Randomised and user-set addresses are never candidates.
            /// </summary>
            public static int RankOf(bool builtIn, bool permanent) => (builtIn ? 0 : 2) + (permanent ? 0 : 1);

            /// <summary>
            /// Picks the best candidate: lowest rank, then the lowest MAC (a key that no rename, driver update or
            /// enumeration order can move), then the interface key, so one set of interfaces always gives one answer.
            /// </summary>
            public static string? ChooseMac(IEnumerable<MacCandidate> candidates) => ChooseCandidate(candidates)?.Mac;

            /// <summary>As <see cref="ChooseMac"/>, returning the winning candidate.</summary>
            public static MacCandidate? ChooseCandidate(IEnumerable<MacCandidate> candidates)
            {
                MacCandidate? best = null;
                foreach (MacCandidate c in candidates)
                {
                    if (best == null || Compare(c, best) < 0) best = c;
                }
                return best;
            }

            /// <summary>The source name of a chosen candidate for <see cref="LastSources"/>.</summary>
            public static string DescribeRank(MacCandidate? chosen)
            {
                if (chosen == null) return "none";
                return (chosen.Rank < 2 ? "builtin-" : "attached-") + (chosen.Rank % 2 == 0 ? "permanent" : "unstated");
            }

            private static int Compare(MacCandidate a, MacCandidate b)
            {
                int byRank = a.Rank.CompareTo(b.Rank);
                if (byRank != 0) return byRank;
                int byMac = string.CompareOrdinal(a.Mac, b.Mac);
                return byMac != 0 ? byMac : string.CompareOrdinal(a.Key, b.Key);
            }

            /// <summary>True when the locally-administered bit is set: the address was made up by software.</summary>
            public static bool IsLocallyAdministered(string normalisedMac)
            {
                int first = Convert.ToInt32(normalisedMac.Substring(0, 2), 16);
                return (first & 0x02) != 0;
            }

            /// <summary>
            /// Linux: whether a network device hangs off a bus that can be unplugged, from its <c>device/uevent</c>
            /// (USB interfaces say <c>DEVTYPE=usb_interface</c>) and <c>device/removable</c> (the kernel marks PCI
            /// devices behind Thunderbolt and other external ports "removable").
            /// </summary>
            public static bool IsAttachedDevice(string? deviceUevent, string? deviceRemovable)
            {
                if (string.Equals(deviceRemovable?.Trim(), "removable", StringComparison.Ordinal)) return true;
                string? devType = ParseKeyValue(deviceUevent, "DEVTYPE");
                if (devType != null && devType.StartsWith("usb", StringComparison.Ordinal)) return true;
                // A USB device's uevent names the product and interface even when DEVTYPE is missing.
                return ParseKeyValue(deviceUevent, "PRODUCT") != null && ParseKeyValue(deviceUevent, "INTERFACE") != null;
            }

            /// <summary>
            /// macOS: the rank of an interface by its BSD name, or -1 when it is never a candidate. <c>en0</c> is the
            /// built-in port on every Mac (Wi-Fi on laptops, Ethernet on desktops) and always wins; other <c>en*</c>
            /// ports (Thunderbolt, USB, docks) come after it; Apple's software interfaces (<c>ap*</c>, <c>awdl*</c>,
            /// <c>llw*</c>, <c>utun*</c>, <c>bridge*</c>, …) never count.
            /// </summary>
            public static int RankMacOSInterface(string name, string normalisedMac)
            {
                if (name == "en0") return RankOf(builtIn: true, permanent: true);
                if (!name.StartsWith("en", StringComparison.Ordinal) || IsVirtualInterfaceName(name)) return -1;
                return IsLocallyAdministered(normalisedMac) ? -1 : RankOf(builtIn: false, permanent: true);
            }

            // Keys from /proc/cpuinfo that describe the processor model (and, on some ARM boards, the SoC serial).
            // Clock speeds, bogomips, flags and microcode are left out: they move with load, kernel and firmware.
            private static readonly string[] s_cpuInfoKeys =
            {
                "vendor_id", "cpu family", "model", "model name",                          // x86
                "CPU implementer", "CPU architecture", "CPU variant", "CPU part", "CPU revision", // ARM, per core
                "Hardware", "Model", "Serial",                                              // ARM boards, at the end
                "cpu", "machine",                                                           // POWER, s390x
            };

            /// <summary>
            /// Turns /proc/cpuinfo text into "key=value;…" over the stable keys, taking the first occurrence of each
            /// (the first core's block, plus board lines that appear once); null when none is present.
            /// </summary>
            public static string? ParseCpuInfo(string? cpuInfo)
            {
                if (cpuInfo == null) return null;
                var found = new Dictionary<string, string>(StringComparer.Ordinal);
                foreach (string line in cpuInfo.Split('\n'))
                {
                    int colon = line.IndexOf(':');
                    if (colon <= 0) continue;
                    string key = line.Substring(0, colon).Trim();
                    string value = line.Substring(colon + 1).Trim();
                    if (value.Length > 0 && !found.ContainsKey(key)) found[key] = value;
                }

                var sb = new StringBuilder();
                foreach (string key in s_cpuInfoKeys)
                {
                    if (!found.TryGetValue(key, out string? value)) continue;
                    if (sb.Length > 0) sb.Append(';');
                    sb.Append(key).Append('=').Append(value);
                }
                return sb.Length == 0 ? null : sb.ToString();
            }

            /// <summary>
            /// The first non-empty value of <paramref name="key"/> in "key=value" lines: wmic's /value output and
            /// sysfs uevent files share this shape.
            /// </summary>
            public static string? ParseKeyValue(string? text, string key)
            {
                if (text == null) return null;
                foreach (string raw in text.Split('\n'))
                {
                    string line = raw.Trim('\r', '\0', ' ', '\t');
                    int eq = line.IndexOf('=');
                    if (eq <= 0 || !string.Equals(line.Substring(0, eq).Trim(), key, StringComparison.OrdinalIgnoreCase)) continue;
                    string value = line.Substring(eq + 1).Trim();
                    if (value.Length > 0) return value;
                }
                return null;
            }

            /// <summary>The value of a quoted string property in ioreg output: <c>"key" = "value"</c>.</summary>
            public static string? ParseIoregString(string? text, string key)
            {
                if (text == null) return null;
                string marker = "\"" + key + "\"";
                foreach (string line in text.Split('\n'))
                {
                    int at = line.IndexOf(marker, StringComparison.Ordinal);
                    if (at < 0) continue;
                    int eq = line.IndexOf('=', at + marker.Length);
                    if (eq < 0) continue;
                    int open = line.IndexOf('"', eq);
                    int close = open < 0 ? -1 : line.IndexOf('"', open + 1);
                    if (close <= open + 1) continue;
                    return line.Substring(open + 1, close - open - 1).Trim();
                }
                return null;
            }

            /// <summary>The first line with text in it, trimmed; tools such as sysctl -n and PowerShell print one value per line.</summary>
            public static string? FirstLine(string? text)
            {
                if (text == null) return null;
                foreach (string raw in text.Split('\n'))
                {
                    string line = raw.Trim('\r', '\0', ' ', '\t');
                    if (line.Length > 0) return line;
                }
                return null;
            }

            /// <summary>
            /// The unit serial number from a SCSI VPD page 0x80 (sysfs <c>device/vpd_pg80</c>): a 4-byte header whose
            /// bytes 2–3 give the length, then space-padded ASCII. Null for any other page or a blank serial.
            /// </summary>
            public static string? ParseVpdPage80(byte[]? page)
            {
                if (page == null || page.Length < 4 || page[1] != 0x80) return null;
                int length = (page[2] << 8) | page[3];
                length = Math.Min(length, page.Length - 4);
                var sb = new StringBuilder(length);
                for (int i = 4; i < 4 + length; i++)
                {
                    byte b = page[i];
                    if (b >= 0x20 && b < 0x7F) sb.Append((char)b);
                }
                string serial = sb.ToString().Trim();
                return serial.Length == 0 ? null : serial;
            }

            /// <summary>
            /// The major:minor of the topmost mount on "/" in /proc/self/mountinfo (field 3 device, field 5 mount point).
            /// </summary>
            public static string? FindRootDeviceNumber(string? mountInfo)
            {
                if (mountInfo == null) return null;
                string? device = null;
                foreach (string line in mountInfo.Split('\n'))
                {
                    string[] fields = line.Split(new[] { ' ' }, StringSplitOptions.RemoveEmptyEntries);
                    // Later lines mount over earlier ones, so the last "/" is the one this process sees.
                    if (fields.Length >= 5 && fields[4] == "/") device = fields[2];
                }
                return device;
            }

            // ---- Windows: pure parsers of what the P/Invoke calls return, so tests can feed recorded bytes ----

            /// <summary>Size of one MIB_IF_ROW2 (netioapi.h), the same for 32- and 64-bit processes.</summary>
            public const int IfRow2Size = 1352;

            /// <summary>
            /// Reads the fields the MAC choice needs from one MIB_IF_ROW2: the GUID at 12, the description (UTF-16,
            /// 257 chars) at 542, the current address (length at 1056, bytes at 1060), the permanent address at 1092,
            /// the IANA type at 1128, the physical medium at 1140 and the flag bits at 1152.
            /// </summary>
            public static WindowsAdapter? ParseIfRow2(byte[] row, int offset)
            {
                if (row == null || offset < 0 || row.Length - offset < IfRow2Size) return null;
                var guidBytes = new byte[16];
                Buffer.BlockCopy(row, offset + 12, guidBytes, 0, 16);
                int addressLength = Math.Min(BitConverter.ToInt32(row, offset + 1056), 32);
                byte flags = row[offset + 1152];
                return new WindowsAdapter(
                    new Guid(guidBytes),
                    ReadUtf16(row, offset + 542, 257),
                    MacFromBytes(row, offset + 1060, addressLength),
                    MacFromBytes(row, offset + 1092, addressLength),
                    BitConverter.ToInt32(row, offset + 1128),
                    BitConverter.ToInt32(row, offset + 1140),
                    hardware: (flags & 0x01) != 0,
                    filter: (flags & 0x02) != 0);
            }

            /// <summary>
            /// Ranks one Windows adapter, or null when it is never a candidate: it must be hardware (not a filter or
            /// a software adapter), Ethernet or Wi-Fi, not Bluetooth, not named as virtual/VPN by its description, and
            /// not enumerated by a software bus. It ranks as attached when <paramref name="pnpInstanceId"/> (from the
            /// registry; null when unknown) names the USB bus, or when <paramref name="attachedByDeviceTree"/> says
            /// the device tree places it outside the machine (a Thunderbolt/USB4 dock's PCIe adapter, an
            /// ExpressCard: <see cref="WindowsProbe.IsOutsideTheMachine"/>). The burned-in (permanent) address is
            /// used, so Windows' random hardware addresses and a user-set "Network Address" do not move the id.
            /// </summary>
            public static MacCandidate? RankWindowsAdapter(WindowsAdapter adapter, string? pnpInstanceId, bool attachedByDeviceTree = false)
            {
                const int EthernetCsmacd = 6, Ieee80211 = 71, MediumBluetooth = 10;
                if (!adapter.Hardware || adapter.Filter) return null;
                if (adapter.IfType != EthernetCsmacd && adapter.IfType != Ieee80211) return null;
                if (adapter.PhysicalMedium == MediumBluetooth || IsVirtualDescription(adapter.Description)) return null;

                string bus = pnpInstanceId ?? "";
                int slash = bus.IndexOf('\\');
                bus = slash > 0 ? bus.Substring(0, slash).ToUpperInvariant() : bus.ToUpperInvariant();
                // ROOT and SWD are software devices; BTH* Bluetooth; {guid} buses belong to VPN and virtual drivers.
                if (bus == "ROOT" || bus == "SWD" || bus.StartsWith("BTH", StringComparison.Ordinal) || bus.StartsWith("{", StringComparison.Ordinal)) return null;
                bool builtIn = !bus.StartsWith("USB", StringComparison.Ordinal) && !attachedByDeviceTree;

                string key = adapter.InterfaceGuid.ToString("B");
                if (adapter.PermanentMac != null) return new MacCandidate(key, adapter.PermanentMac, RankOf(builtIn, permanent: true));
                // No burned-in address reported: the current one counts only if the system did not make it up.
                if (adapter.CurrentMac != null && !IsLocallyAdministered(adapter.CurrentMac))
                    return new MacCandidate(key, adapter.CurrentMac, RankOf(builtIn, permanent: false));
                return null;
            }

            /// <summary>The CPU part on Windows: the registry's brand string and family/model/stepping identifier.</summary>
            public static string? WindowsCpu(string? processorNameString, string? identifier)
            {
                string name = processorNameString?.Trim() ?? "";
                string id = identifier?.Trim() ?? "";
                if (name.Length == 0 && id.Length == 0) return null;
                return "name=" + name + ";id=" + id;
            }

            /// <summary>A REG_SZ value's bytes as text, without the terminating NULs.</summary>
            public static string? DecodeRegistryString(byte[]? data, int length)
            {
                if (data == null || length < 2) return null;
                string text = Encoding.Unicode.GetString(data, 0, Math.Min(length, data.Length) & ~1).TrimEnd('\0').Trim();
                return text.Length == 0 ? null : text;
            }

            /// <summary>
            /// The SMBIOS system UUID (structure type 1, offset 8) from GetSystemFirmwareTable('RSMB') output, in the
            /// form Windows itself shows; null when absent or one of the values firmware uses for "not set" (all
            /// 00, all FF, a single repeated byte, or the 00 02 00 03 … 00 09 counting pattern many boards ship with).
            /// </summary>
            public static string? ParseSmbiosSystemUuid(byte[]? raw)
            {
                // RawSMBIOSData: Used20CallingMethod, major, minor, DMI revision, DWORD table length, then the table.
                if (raw == null || raw.Length < 8) return null;
                int major = raw[1], minor = raw[2];
                int tableLength = BitConverter.ToInt32(raw, 4);
                int end = tableLength < 0 ? 8 : (int)Math.Min(raw.Length, 8L + tableLength);
                int at = 8;
                while (at + 4 <= end)
                {
                    int type = raw[at], length = raw[at + 1];
                    if (length < 4 || type == 127) break;
                    if (type == 1 && length >= 0x19 && at + 24 <= end)
                    {
                        var uuid = new byte[16];
                        Buffer.BlockCopy(raw, at + 8, uuid, 0, 16);
                        return IsPlaceholderUuid(uuid) ? null : FormatSmbiosUuid(uuid, major * 100 + minor >= 206);
                    }
                    // Skip the formatted area, then the string set, which ends with two NULs.
                    int next = at + length;
                    while (next + 1 < end && (raw[next] != 0 || raw[next + 1] != 0)) next++;
                    at = next + 2;
                }
                return null;
            }

            private static bool IsPlaceholderUuid(byte[] uuid)
            {
                bool same = true, counting = true;
                for (int i = 0; i < 16; i++)
                {
                    if (uuid[i] != uuid[0]) same = false;
                    // 00 02 00 03 00 04 … 00 09: raw bytes of "03000200-0400-0500-0006-000700080009".
                    byte expected = (byte)(i % 2 == 0 ? 0 : i / 2 + 2);
                    if (uuid[i] != expected) counting = false;
                }
                return same || counting;
            }

            // SMBIOS 2.6 and later store the first three fields little-endian, as a GUID does; older tables big-endian.
            private static string FormatSmbiosUuid(byte[] uuid, bool littleEndianFields)
            {
                if (littleEndianFields) return new Guid(uuid).ToString("D").ToUpperInvariant();
                string hex = Hex.Encode(uuid).ToUpperInvariant();
                return hex.Substring(0, 8) + "-" + hex.Substring(8, 4) + "-" + hex.Substring(12, 4) + "-"
                    + hex.Substring(16, 4) + "-" + hex.Substring(20, 12);
            }

            /// <summary>The disk number of the first extent in a VOLUME_DISK_EXTENTS (IOCTL_VOLUME_GET_VOLUME_DISK_EXTENTS).</summary>
            public static int? ParseFirstDiskNumber(byte[]? extents, int returned)
            {
                // DWORD NumberOfDiskExtents, padding, then DISK_EXTENT { DWORD DiskNumber; …; LARGE_INTEGER ×2 }.
                if (extents == null || returned < 12 || extents.Length < 12) return null;
                if (BitConverter.ToInt32(extents, 0) < 1) return null;
                int disk = BitConverter.ToInt32(extents, 8);
                return disk < 0 ? (int?)null : disk;
            }

            /// <summary>
            /// The serial number in a STORAGE_DEVICE_DESCRIPTOR (IOCTL_STORAGE_QUERY_PROPERTY): the NUL-terminated ASCII
            /// at SerialNumberOffset (byte 24). Null when the offset is 0 (no serial), out of range, or the text blank.
            /// </summary>
            public static string? ParseStorageDeviceSerial(byte[]? descriptor, int returned)
            {
                if (descriptor == null || returned < 28 || descriptor.Length < 28) return null;
                int end = Math.Min(returned, descriptor.Length);
                int offset = BitConverter.ToInt32(descriptor, 24);
                if (offset <= 0 || offset >= end) return null;
                var sb = new StringBuilder();
                for (int i = offset; i < end && descriptor[i] != 0; i++)
                {
                    byte b = descriptor[i];
                    if (b >= 0x20 && b < 0x7F) sb.Append((char)b);
                }
                string serial = sb.ToString().Trim();
                return serial.Length == 0 ? null : serial;
            }

            private static string ReadUtf16(byte[] data, int offset, int maxChars)
            {
                int chars = 0;
                while (chars < maxChars && (data[offset + 2 * chars] != 0 || data[offset + 2 * chars + 1] != 0)) chars++;
                return Encoding.Unicode.GetString(data, offset, 2 * chars);
            }

            private static string? MacFromBytes(byte[] data, int offset, int length)
            {
                if (length != 6) return null;
                return NormaliseMac(Hex.Encode(new[] { data[offset], data[offset + 1], data[offset + 2], data[offset + 3], data[offset + 4], data[offset + 5] }));
            }

            private static bool IsHex(string s)
            {
                foreach (char c in s)
                {
                    bool hex = (c >= '0' && c <= '9') || (c >= 'a' && c <= 'f') || (c >= 'A' && c <= 'F');
                    if (!hex) return false;
                }
                return s.Length > 0;
            }
        }

        /// <summary>
        /// Linux: reads files under /sys and /proc only, and deliberately has no process spawning, so the probe is
        /// fast and works in locked-down containers.
        /// Sources, in order:
        /// MAC — /sys/class/net/*/address of devices on a bus, never a random or user-set address (see
        /// <see cref="MacCandidates"/>); built-in before USB/Thunderbolt, wired and wireless alike, then the lowest MAC.
        /// CPU — /proc/cpuinfo model keys (<see cref="HardwareText.ParseCpuInfo"/>).
        /// Disk — the disk under "/" (/proc/self/mountinfo → /sys/dev/block/M:m/uevent, through partitions and
        /// device-mapper/md slaves), else the first non-removable disk in /sys/block by name (skipping loop, ram, zram,
        /// dm, md, sr, fd, nbd); its id from device/serial, serial, device/vpd_pg80, wwid or device/wwid; else the
        /// first ata-/nvme-/scsi-/virtio- name in /dev/disk/by-id.
        /// </summary>
        internal sealed class LinuxProbe
        {
            private static readonly string[] s_skippedDiskPrefixes = { "loop", "ram", "zram", "dm-", "md", "sr", "fd", "nbd" };
            private static readonly string[] s_diskByIdPrefixes = { "ata-", "nvme-", "scsi-", "virtio-" };

            private readonly string _root;
            private string _macSource = "not-read";
            private string _cpuSource = "not-read";
            private string _diskSource = "not-read";

            private readonly Func<string, string?>? _permanentAddress;

            /// <summary>
            /// Probes the tree under <paramref name="root"/> ("/" in production; a fake tree in tests).
            /// <paramref name="permanentAddress"/> answers an interface's burned-in address (production: the
            /// ETHTOOL_GPERMADDR ioctl; tests: recorded answers); null leaves the sysfs address alone.
            /// </summary>
            public LinuxProbe(string root, Func<string, string?>? permanentAddress = null)
            {
                _root = root;
                _permanentAddress = permanentAddress;
            }

            /// <summary>Where the parts read so far came from (names only).</summary>
            public string Sources => "mac=" + _macSource + " cpu=" + _cpuSource + " disk=" + _diskSource;

            /// <summary>The chosen interface's normalised MAC, or null.</summary>
            public string? ReadMac()
            {
                MacCandidate? chosen = HardwareText.ChooseCandidate(MacCandidates());
                _macSource = HardwareText.DescribeRank(chosen);
                return chosen?.Mac;
            }

            /// <summary>
            /// Every interface that may supply the MAC, ranked by <see cref="HardwareText.RankOf"/>. Left out: names of
            /// virtual devices; interfaces without a device link (bridges, bonds, veth, tunnels: their addresses are
            /// made up, and a container's eth0 is one of them); non-Ethernet types; and addresses the kernel reports
            /// as random (addr_assign_type 1) or set from user space (3: NetworkManager's randomised Wi-Fi,
            /// macchanger). USB and Thunderbolt adapters (docks, tethered phones) rank after built-in ones.
            /// </summary>
            internal List<MacCandidate> MacCandidates()
            {
                string net = At("sys/class/net");
                var candidates = new List<MacCandidate>();
                foreach (string name in ListNames(net))
                {
                    if (HardwareText.IsVirtualInterfaceName(name)) continue;
                    string dir = Path.Combine(net, name);
                    string device = Path.Combine(dir, "device");
                    if (!Directory.Exists(device)) continue;
                    string? type = ReadText(Path.Combine(dir, "type"));
                    if (type != null && type != "1") continue;
                    bool builtIn = !HardwareText.IsAttachedDevice(ReadText(Path.Combine(device, "uevent")), ReadText(Path.Combine(device, "removable")))
                        && !HasAttachedAncestor(device);

                    // The burned-in address, whatever the current one is: a Wi-Fi that NetworkManager randomised keeps
                    // its machine's MAC (and its type stays 3 until the next boot even when set back).
                    string? permanent = null;
                    try { permanent = _permanentAddress?.Invoke(name); }
                    catch { /* no ethtool answer: the sysfs rules below decide */ }
                    if (permanent != null)
                    {
                        candidates.Add(new MacCandidate(name, permanent, HardwareText.RankOf(builtIn, permanent: true)));
                        continue;
                    }

                    string? assign = ReadText(Path.Combine(dir, "addr_assign_type"));
                    if (assign == "1" || assign == "3") continue;
                    string? mac = HardwareText.NormaliseMac(ReadText(Path.Combine(dir, "address")));
                    if (mac == null) continue;
                    candidates.Add(new MacCandidate(name, mac, HardwareText.RankOf(builtIn, permanent: assign == "0")));
                }
                return candidates;
            }

            /// <summary>
            /// True when a parent of <paramref name="device"/> in the real sysfs tree (from its resolved path up to
            /// /sys/devices) is marked <c>removable</c> — the kernel marks every PCI device behind a port the firmware
            /// calls external-facing (Thunderbolt, USB4), the bridges of a dock as well as the adapter — or is a
            /// Thunderbolt device (DEVTYPE <c>thunderbolt_*</c>: a Thunderbolt network link to another computer).
            /// </summary>
            private bool HasAttachedAncestor(string device)
            {
                string? real = LinuxNativeMethods.RealPath(device);
                string? devices = LinuxNativeMethods.RealPath(At("sys", "devices"));
                if (real == null || devices == null) return false;
                string? dir = real;
                for (int depth = 0; dir != null && depth < 64 && dir.StartsWith(devices + "/", StringComparison.Ordinal); depth++)
                {
                    if (string.Equals(ReadText(Path.Combine(dir, "removable")), "removable", StringComparison.Ordinal)) return true;
                    string? devType = HardwareText.ParseKeyValue(ReadText(Path.Combine(dir, "uevent")), "DEVTYPE");
                    if (devType != null && devType.StartsWith("thunderbolt", StringComparison.Ordinal)) return true;
                    dir = Path.GetDirectoryName(dir);
                }
                return false;
            }

            /// <summary>The stable /proc/cpuinfo keys, or null.</summary>
            public string? ReadCpu()
            {
                string? cpu = HardwareText.ParseCpuInfo(ReadText(At("proc/cpuinfo")));
                _cpuSource = cpu == null ? "none" : "cpuinfo";
                return cpu;
            }

            /// <summary>An id of the root disk or, failing that, of the first real disk; null when none is readable.</summary>
            public string? ReadDisk()
            {
                string? rootDisk = FindRootDisk();
                string? id = rootDisk == null ? null : ReadDiskId(rootDisk);
                _diskSource = "root-disk";
                if (id != null) return id;
                _diskSource = "first-fixed-disk";

                foreach (string disk in ListNames(At("sys/block")))
                {
                    if (disk == rootDisk || IsSkippedDisk(disk)) continue;
                    // Removable media come and go, so they would make the id depend on what is plugged in.
                    if (ReadText(At("sys/block", disk, "removable")) == "1") continue;
                    id = ReadDiskId(disk);
                    if (id != null) return id;
                }

                _diskSource = "disk-by-id";
                foreach (string name in ListNames(At("dev/disk/by-id")))
                {
                    if (name.IndexOf("-part", StringComparison.Ordinal) >= 0) continue;
                    foreach (string prefix in s_diskByIdPrefixes)
                    {
                        if (name.StartsWith(prefix, StringComparison.Ordinal)) return name;
                    }
                }
                _diskSource = "none";
                return null;
            }

            /// <summary>The /sys/block name of the whole disk holding "/", or null (e.g. overlay roots in containers).</summary>
            internal string? FindRootDisk()
            {
                string? number = HardwareText.FindRootDeviceNumber(ReadText(At("proc/self/mountinfo")));
                if (number == null) return null;
                string? devName = HardwareText.ParseKeyValue(ReadText(At("sys/dev/block", number, "uevent")), "DEVNAME");
                return devName == null ? null : ResolveDisk(devName, 0);
            }

            // Follows a partition to its disk and a device-mapper/md device to its first slave; the depth cap stops
            // a malformed tree from looping.
            private string? ResolveDisk(string name, int depth)
            {
                if (depth > 8 || name.IndexOf('/') >= 0) return null;
                string blockDir = At("sys/block", name);
                if (!Directory.Exists(blockDir))
                {
                    foreach (string disk in ListNames(At("sys/block")))
                    {
                        if (Directory.Exists(At("sys/block", disk, name))) return ResolveDisk(disk, depth + 1);
                    }
                    return null;
                }
                List<string> slaves = ListNames(Path.Combine(blockDir, "slaves"));
                return slaves.Count > 0 ? ResolveDisk(slaves[0], depth + 1) : name;
            }

            private string? ReadDiskId(string disk)
            {
                return NonBlank(ReadText(At("sys/block", disk, "device", "serial")))
                    ?? NonBlank(ReadText(At("sys/block", disk, "serial")))
                    ?? HardwareText.ParseVpdPage80(ReadBytes(At("sys/block", disk, "device", "vpd_pg80")))
                    ?? NonBlank(ReadText(At("sys/block", disk, "wwid")))
                    ?? NonBlank(ReadText(At("sys/block", disk, "device", "wwid")));
            }

            /// <summary>
            /// An interface's permanent address through the SIOCETHTOOL ioctl (ETHTOOL_GPERMADDR, no privilege
            /// needed), or null: the driver keeps none (all zero), or libc or the ioctl is unavailable.
            /// </summary>
            internal static string? EthtoolPermanentAddress(string interfaceName)
            {
                const int AfInet = 2, SockDgram = 2, IfNameSize = 16, EthtoolGPermAddr = 0x20, MaxAddress = 32;
                if (interfaceName.Length == 0 || interfaceName.Length >= IfNameSize) return null;
                int socket = LinuxNativeMethods.socket(AfInet, SockDgram, 0);
                if (socket < 0) return null;
                // struct ifreq (40 bytes on 64-bit): the name, then ifr_data pointing at struct ethtool_perm_addr.
                IntPtr request = Marshal.AllocHGlobal(64);
                IntPtr answer = Marshal.AllocHGlobal(8 + MaxAddress);
                try
                {
                    Marshal.Copy(new byte[64], 0, request, 64);
                    Marshal.Copy(new byte[8 + MaxAddress], 0, answer, 8 + MaxAddress);
                    byte[] name = Encoding.ASCII.GetBytes(interfaceName);
                    Marshal.Copy(name, 0, request, name.Length);
                    Marshal.WriteIntPtr(request, IfNameSize, answer);
                    Marshal.WriteInt32(answer, 0, EthtoolGPermAddr);
                    Marshal.WriteInt32(answer, 4, MaxAddress);
                    if (LinuxNativeMethods.ioctl(socket, new UIntPtr(0x8946), request) != 0) return null;
                    if (Marshal.ReadInt32(answer, 4) != 6) return null;
                    var bytes = new byte[6];
                    Marshal.Copy(IntPtr.Add(answer, 8), bytes, 0, 6);
                    return HardwareText.NormaliseMac(Hex.Encode(bytes));
                }
                finally
                {
                    Marshal.FreeHGlobal(answer);
                    Marshal.FreeHGlobal(request);
                    LinuxNativeMethods.close(socket);
                }
            }

            private static class LinuxNativeMethods
            {
                [DllImport("libc", SetLastError = true)]
                public static extern int socket(int domain, int type, int protocol);

                [DllImport("libc", SetLastError = true)]
                public static extern int ioctl(int fd, UIntPtr request, IntPtr argument);

                [DllImport("libc")]
                public static extern int close(int fd);

                [DllImport("libc", EntryPoint = "realpath")]
                private static extern IntPtr realpath(string path, IntPtr resolved);

                [DllImport("libc", EntryPoint = "free")]
                private static extern void free(IntPtr memory);

                /// <summary>The path with every symbolic link resolved (sysfs links a class entry to its place in the
                /// device tree), or null. The platform's file API has no such call on every target, libc has.</summary>
                public static string? RealPath(string path)
                {
                    try
                    {
                        IntPtr resolved = realpath(path, IntPtr.Zero);
                        if (resolved == IntPtr.Zero) return null;
                        try
                        {
                            return Marshal.PtrToStringAnsi(resolved);
                        }
                        finally
                        {
                            free(resolved);
                        }
                    }
                    catch
                    {
                        return null;
                    }
                }
            }

            private static bool IsSkippedDisk(string name)
            {
                foreach (string prefix in s_skippedDiskPrefixes)
                {
                    if (name.StartsWith(prefix, StringComparison.Ordinal)) return true;
                }
                return false;
            }

            private string At(params string[] parts)
            {
                string path = _root;
                foreach (string part in parts) path = Path.Combine(path, part);
                return path;
            }

            private static string? NonBlank(string? s) => s == null || s.Length == 0 ? null : s;

            private static List<string> ListNames(string dir)
            {
                var names = new List<string>();
                try
                {
                    if (!Directory.Exists(dir)) return names;
                    // Entries of /sys/class/net and /dev/disk/by-id are symlinks; a file listing covers dangling ones too.
                    foreach (string entry in Directory.GetFileSystemEntries(dir)) names.Add(Path.GetFileName(entry));
                }
                catch
                {
                    names.Clear();
                }
                names.Sort(StringComparer.Ordinal);
                return names;
            }

            private static string? ReadText(string path)
            {
                try
                {
                    return File.Exists(path) ? File.ReadAllText(path).Trim() : null;
                }
                catch
                {
                    return null;
                }
            }

            private static byte[]? ReadBytes(string path)
            {
                try
                {
                    if (!File.Exists(path)) return null;
                    // sysfs reports a nominal size, so read to end of file instead of trusting the length.
                    using (var stream = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.ReadWrite))
                    using (var buffer = new MemoryStream())
                    {
                        var chunk = new byte[4096];
                        int read;
                        while (buffer.Length < 65536 && (read = stream.Read(chunk, 0, chunk.Length)) > 0) buffer.Write(chunk, 0, read);
                        return buffer.ToArray();
                    }
                }
                catch
                {
                    return null;
                }
            }
        }

        /// <summary>What the Windows probe asks of the system; P/Invoke in production, recorded answers in tests.</summary>
        internal interface IWindowsSystem
        {
            /// <summary>A REG_SZ value under HKEY_LOCAL_MACHINE in the 64-bit view, or null.</summary>
            string? ReadLocalMachineString(string subKey, string valueName);

            /// <summary>GetSystemFirmwareTable's answer for <paramref name="provider"/>, or null.</summary>
            byte[]? ReadFirmwareTable(uint provider, uint tableId);

            /// <summary>DeviceIoControl on a device opened without read or write access (no admin right needed).</summary>
            byte[]? DeviceIoControl(string devicePath, uint controlCode, byte[]? input, int outputSize, out int returned);

            /// <summary>Every row of GetIfTable2, each <see cref="HardwareText.IfRow2Size"/> bytes.</summary>
            IReadOnlyList<byte[]> InterfaceRows();

            /// <summary>The Windows directory, e.g. <c>C:\Windows</c>.</summary>
            string? WindowsDirectory { get; }

            /// <summary>CM_Get_DevNode_PropertyW(DEVPKEY_Device_ContainerId) of the present device with this instance
            /// id: the physical device it belongs to; null when unknown.</summary>
            Guid? DeviceContainer(string instanceId);

            /// <summary>CM_Get_DevNode_Status of the present device with this instance id: its DN_* flags; null when
            /// the device tree does not know it.</summary>
            uint? DeviceStatus(string instanceId);

            /// <summary>CM_Get_Parent, then CM_Get_Device_IDW: the instance id of the device's parent; null at the
            /// root or when unknown.</summary>
            string? DeviceParent(string instanceId);
        }

        /// <summary>
        /// Windows without starting a process: every part comes from an API that answers from memory, the registry or
        /// one IOCTL, so the probe takes milliseconds and no time limit can change its result.
        /// MAC — GetIfTable2: hardware Ethernet/Wi-Fi adapters only, their burned-in address
        /// (<see cref="HardwareText.RankWindowsAdapter"/>); USB ones (from the adapter's PnP instance id) and those the
        /// device tree places outside the machine (<see cref="IsOutsideTheMachine"/>) after built-in ones.
        /// CPU — HKLM\HARDWARE\DESCRIPTION\System\CentralProcessor\0: ProcessorNameString and Identifier.
        /// Disk part — see <see cref="ReadDisk"/>: the SMBIOS system UUID, else the Windows disk's serial, else MachineGuid.
        /// </summary>
        internal sealed class WindowsProbe
        {
            /// <summary>'RSMB': the raw SMBIOS table provider of GetSystemFirmwareTable.</summary>
            public const uint RsmbProvider = 0x52534D42;

            /// <summary>IOCTL_VOLUME_GET_VOLUME_DISK_EXTENTS: which disk holds a volume.</summary>
            public const uint IoctlVolumeGetVolumeDiskExtents = 0x00560000;

            /// <summary>IOCTL_STORAGE_QUERY_PROPERTY: the disk's STORAGE_DEVICE_DESCRIPTOR.</summary>
            public const uint IoctlStorageQueryProperty = 0x002D1400;

            /// <summary>DN_REMOVABLE: the device reports that it can be removed from the machine (cfg.h).</summary>
            public const uint DnRemovable = 0x00004000;

            /// <summary>The container of the machine itself: every device built into it shares this container id.</summary>
            public static readonly Guid MachineContainer = new Guid("00000000-0000-0000-ffff-ffffffffffff");

            private const string NetworkClassKey = @"SYSTEM\CurrentControlSet\Control\Network\{4D36E972-E325-11CE-BFC1-08002BE10318}\";
            private const int MaxTreeDepth = 64;

            private readonly IWindowsSystem _system;
            private string _macSource = "not-read";
            private string _placeSource = "not-read";
            private string _cpuSource = "not-read";
            private string _diskSource = "not-read";

            /// <summary>The P/Invoke implementation of <see cref="IWindowsSystem"/>.</summary>
            public static IWindowsSystem Native => WindowsNativeSystem.Instance;

            /// <summary>Probes through <paramref name="system"/>.</summary>
            public WindowsProbe(IWindowsSystem system) => _system = system;

            /// <summary>Where the parts read so far came from (names only).</summary>
            public string Sources => "mac=" + _macSource + " place=" + _placeSource + " cpu=" + _cpuSource + " disk=" + _diskSource;

            /// <summary>The chosen adapter's burned-in MAC, or null.</summary>
            public string? ReadMac()
            {
                var candidates = new List<MacCandidate>();
                var places = new Dictionary<string, string>(StringComparer.Ordinal);
                foreach (byte[] row in _system.InterfaceRows())
                {
                    WindowsAdapter? adapter = HardwareText.ParseIfRow2(row, 0);
                    if (adapter == null) continue;
                    string? pnp = _system.ReadLocalMachineString(
                        NetworkClassKey + adapter.InterfaceGuid.ToString("B").ToUpperInvariant() + @"\Connection", "PnPInstanceId");
                    // Only adapters that can be candidates cost device-tree calls.
                    if (HardwareText.RankWindowsAdapter(adapter, pnp) == null) continue;
                    bool outside = IsOutsideTheMachine(pnp, out string place);
                    MacCandidate? candidate = HardwareText.RankWindowsAdapter(adapter, pnp, outside);
                    if (candidate == null) continue;
                    candidates.Add(candidate);
                    places[candidate.Key] = place;
                }
                MacCandidate? chosen = HardwareText.ChooseCandidate(candidates);
                _macSource = HardwareText.DescribeRank(chosen);
                _placeSource = chosen == null ? "none" : places[chosen.Key];
                return chosen?.Mac;
            }

            /// <summary>
            /// Whether the device tree places the device with PnP instance id <paramref name="pnpInstanceId"/> outside
            /// the machine, without starting a process. <paramref name="how"/> names what decided, for the sources:
            /// <list type="number">
            /// <item>"container": its container id. Windows gives every device built into the machine the machine's own
            /// container (<see cref="MachineContainer"/>), and a device attached to it — a Thunderbolt or USB4 dock
            /// and every adapter inside it, an ExpressCard, a USB adapter — a container of its own (derived from the
            /// removal capability of the device or of its topmost removable parent, corrected by the firmware's and
            /// the registry's overrides).</item>
            /// <item>"removable" / "fixed": without a container id, the removal capability (DN_REMOVABLE) of the device
            /// or of any of its parents: on a Thunderbolt dock it is set on the dock's PCIe bridge, not on the network
            /// adapter below it.</item>
            /// <item>"no-device-id" / "not-in-tree": nothing known; the adapter counts as built in.</item>
            /// </list>
            /// </summary>
            internal bool IsOutsideTheMachine(string? pnpInstanceId, out string how)
            {
                how = "no-device-id";
                if (string.IsNullOrEmpty(pnpInstanceId)) return false;
                Guid? container = Ask(() => _system.DeviceContainer(pnpInstanceId!));
                // NULL_GUID means "in no container" (volumes and the like), not "built in": it decides nothing.
                if (container != null && container.Value != Guid.Empty)
                {
                    how = "container";
                    return container.Value != MachineContainer;
                }
                string? id = pnpInstanceId;
                for (int depth = 0; id != null && depth < MaxTreeDepth; depth++)
                {
                    string current = id;
                    uint? status = Ask(() => _system.DeviceStatus(current));
                    if (status == null)
                    {
                        how = depth == 0 ? "not-in-tree" : "fixed";
                        return false;
                    }
                    if ((status.Value & DnRemovable) != 0)
                    {
                        how = "removable";
                        return true;
                    }
                    id = Ask(() => _system.DeviceParent(current));
                }
                how = "fixed";
                return false;
            }

            // A device-tree call that throws (a missing export on an old system) answers "unknown".
            private static T? Ask<T>(Func<T?> call) where T : struct
            {
                try { return call(); }
                catch { return null; }
            }

            private static string? Ask(Func<string?> call)
            {
                try { return call(); }
                catch { return null; }
            }

            /// <summary>The processor's brand string and identifier from the registry, or null.</summary>
            public string? ReadCpu()
            {
                const string key = @"HARDWARE\DESCRIPTION\System\CentralProcessor\0";
                string? cpu = HardwareText.WindowsCpu(_system.ReadLocalMachineString(key, "ProcessorNameString"),
                    _system.ReadLocalMachineString(key, "Identifier"));
                _cpuSource = cpu == null ? "none" : "registry";
                return cpu;
            }

            /// <summary>
            /// The disk part, from the first source that answers (each prefixed, so two sources never collide):
            /// 1. The SMBIOS system UUID, the identity the firmware gives the machine. It survives what customers do
            ///    most — replacing or cloning the system disk, reinstalling Windows — and is read without admin rights
            ///    or a device handle; placeholders that boards ship unset are refused (<see cref="HardwareText.ParseSmbiosSystemUuid"/>).
            ///    It is what macOS's part already is (IOPlatformUUID/serial), and what a motherboard swap changes along
            ///    with the on-board NIC's MAC anyway.
            /// 2. The serial of the physical disk holding the Windows volume (IOCTL_STORAGE_QUERY_PROPERTY).
            /// 3. HKLM\SOFTWARE\Microsoft\Cryptography\MachineGuid (64-bit view), created at Windows set-up.
            /// Every step is decided by the machine; none has a time limit.
            /// </summary>
            public string? ReadDisk()
            {
                string? uuid = HardwareText.ParseSmbiosSystemUuid(_system.ReadFirmwareTable(RsmbProvider, 0));
                if (uuid != null)
                {
                    _diskSource = "smbios-uuid";
                    return "smbios-uuid:" + uuid;
                }
                string? serial = SystemDiskSerial();
                if (serial != null)
                {
                    _diskSource = "disk-serial";
                    return "disk-serial:" + serial;
                }
                string? machineGuid = _system.ReadLocalMachineString(@"SOFTWARE\Microsoft\Cryptography", "MachineGuid");
                if (machineGuid != null)
                {
                    _diskSource = "machine-guid";
                    return "machine-guid:" + machineGuid.ToLowerInvariant();
                }
                _diskSource = "none";
                return null;
            }

            /// <summary>The serial of the physical drive that holds the Windows volume, or null.</summary>
            internal string? SystemDiskSerial()
            {
                string? windows = _system.WindowsDirectory;
                if (windows == null || windows.Length < 2 || windows[1] != ':') return null;
                string volume = @"\\.\" + windows.Substring(0, 2);
                byte[]? extents = _system.DeviceIoControl(volume, IoctlVolumeGetVolumeDiskExtents, null, 256, out int extentBytes);
                int? disk = HardwareText.ParseFirstDiskNumber(extents, extentBytes);
                if (disk == null) return null;
                // STORAGE_PROPERTY_QUERY { StorageDeviceProperty = 0, PropertyStandardQuery = 0 }: all zero.
                byte[]? descriptor = _system.DeviceIoControl(@"\\.\PhysicalDrive" + disk.Value.ToString(CultureInfo.InvariantCulture),
                    IoctlStorageQueryProperty, new byte[12], 4096, out int descriptorBytes);
                return HardwareText.ParseStorageDeviceSerial(descriptor, descriptorBytes);
            }
        }

        /// <summary>The P/Invoke side of the Windows probe: advapi32, kernel32 and iphlpapi, declared here so the file needs no package.</summary>
        private sealed class WindowsNativeSystem : IWindowsSystem
        {
            public static readonly WindowsNativeSystem Instance = new WindowsNativeSystem();

            private static readonly IntPtr s_localMachine = new IntPtr(unchecked((int)0x80000002));
            private const int KeyQueryValue = 0x0001;
            private const int KeyWow64_64Key = 0x0100;   // the 64-bit view, also from a 32-bit process
            private const int RegSz = 1;
            private const uint FileShareReadWrite = 0x00000003;
            private const uint OpenExisting = 3;

            public string? WindowsDirectory => Environment.GetFolderPath(Environment.SpecialFolder.Windows);

            public string? ReadLocalMachineString(string subKey, string valueName)
            {
                if (NativeMethods.RegOpenKeyEx(s_localMachine, subKey, 0, KeyQueryValue | KeyWow64_64Key, out IntPtr key) != 0) return null;
                try
                {
                    int size = 0;
                    if (NativeMethods.RegQueryValueEx(key, valueName, IntPtr.Zero, out int type, null, ref size) != 0 || type != RegSz) return null;
                    if (size <= 0 || size > 64 * 1024) return null;
                    var data = new byte[size];
                    if (NativeMethods.RegQueryValueEx(key, valueName, IntPtr.Zero, out type, data, ref size) != 0 || type != RegSz) return null;
                    return HardwareText.DecodeRegistryString(data, size);
                }
                finally
                {
                    NativeMethods.RegCloseKey(key);
                }
            }

            public byte[]? ReadFirmwareTable(uint provider, uint tableId)
            {
                uint size = NativeMethods.GetSystemFirmwareTable(provider, tableId, null, 0);
                if (size == 0 || size > 1024 * 1024) return null;
                var buffer = new byte[size];
                uint written = NativeMethods.GetSystemFirmwareTable(provider, tableId, buffer, size);
                if (written == 0 || written > size) return null;
                if (written < size) Array.Resize(ref buffer, (int)written);
                return buffer;
            }

            public byte[]? DeviceIoControl(string devicePath, uint controlCode, byte[]? input, int outputSize, out int returned)
            {
                returned = 0;
                // Access 0: querying properties needs no read or write right, so no administrator either.
                using (Microsoft.Win32.SafeHandles.SafeFileHandle device = NativeMethods.CreateFile(devicePath, 0, FileShareReadWrite,
                    IntPtr.Zero, OpenExisting, 0, IntPtr.Zero))
                {
                    if (device.IsInvalid) return null;
                    var output = new byte[outputSize];
                    bool ok = NativeMethods.DeviceIoControl(device, controlCode, input, input?.Length ?? 0, output, output.Length, out returned, IntPtr.Zero);
                    return ok ? output : null;
                }
            }

            // DEVPKEY_Device_ContainerId (devpkey.h) and the property type it has.
            private static readonly Guid s_containerIdCategory = new Guid("8c7ed206-3f8a-4827-b3ab-ae9e1faefc6c");
            private const uint ContainerIdPropertyId = 2;
            private const uint DevPropTypeGuid = 0x0000000D;
            private const int MaxDeviceIdLength = 200;   // MAX_DEVICE_ID_LEN, in characters

            public Guid? DeviceContainer(string instanceId)
            {
                if (!TryLocate(instanceId, out uint node)) return null;
                var key = new DevPropKey { Category = s_containerIdCategory, PropertyId = ContainerIdPropertyId };
                var buffer = new byte[16];
                int size = buffer.Length;
                if (NativeMethods.CM_Get_DevNode_Property(node, ref key, out uint type, buffer, ref size, 0) != 0) return null;
                return type == DevPropTypeGuid && size == 16 ? new Guid(buffer) : (Guid?)null;
            }

            public uint? DeviceStatus(string instanceId)
            {
                if (!TryLocate(instanceId, out uint node)) return null;
                return NativeMethods.CM_Get_DevNode_Status(out uint status, out _, node, 0) == 0 ? status : (uint?)null;
            }

            public string? DeviceParent(string instanceId)
            {
                if (!TryLocate(instanceId, out uint node)) return null;
                if (NativeMethods.CM_Get_Parent(out uint parent, node, 0) != 0) return null;
                var buffer = new byte[2 * (MaxDeviceIdLength + 1)];
                if (NativeMethods.CM_Get_Device_ID(parent, buffer, MaxDeviceIdLength + 1, 0) != 0) return null;
                string id = Encoding.Unicode.GetString(buffer);
                int end = id.IndexOf('\0');
                id = end < 0 ? id : id.Substring(0, end);
                return id.Length == 0 ? null : id;
            }

            // CM_LOCATE_DEVNODE_NORMAL: only a device present now, which is the one whose adapter is listed.
            private static bool TryLocate(string instanceId, out uint node) =>
                NativeMethods.CM_Locate_DevNode(out node, instanceId, 0) == 0;

            public IReadOnlyList<byte[]> InterfaceRows()
            {
                var rows = new List<byte[]>();
                if (NativeMethods.GetIfTable2(out IntPtr table) != 0 || table == IntPtr.Zero) return rows;
                try
                {
                    // MIB_IF_TABLE2: ULONG NumEntries, then the rows at offset 8 (they hold 64-bit counters).
                    int count = Marshal.ReadInt32(table);
                    for (int i = 0; i < count && i < 1024; i++)
                    {
                        var row = new byte[HardwareText.IfRow2Size];
                        Marshal.Copy(IntPtr.Add(table, 8 + i * HardwareText.IfRow2Size), row, 0, row.Length);
                        rows.Add(row);
                    }
                }
                finally
                {
                    NativeMethods.FreeMibTable(table);
                }
                return rows;
            }

            private static class NativeMethods
            {
                [DllImport("advapi32.dll", EntryPoint = "RegOpenKeyExW", CharSet = CharSet.Unicode)]
                public static extern int RegOpenKeyEx(IntPtr key, string subKey, int options, int desired, out IntPtr result);

                [DllImport("advapi32.dll", EntryPoint = "RegQueryValueExW", CharSet = CharSet.Unicode)]
                public static extern int RegQueryValueEx(IntPtr key, string valueName, IntPtr reserved, out int type, byte[]? data, ref int size);

                [DllImport("advapi32.dll")]
                public static extern int RegCloseKey(IntPtr key);

                [DllImport("kernel32.dll", SetLastError = true)]
                public static extern uint GetSystemFirmwareTable(uint provider, uint tableId, byte[]? buffer, uint size);

                [DllImport("kernel32.dll", EntryPoint = "CreateFileW", CharSet = CharSet.Unicode, SetLastError = true)]
                public static extern Microsoft.Win32.SafeHandles.SafeFileHandle CreateFile(string name, uint access, uint share,
                    IntPtr security, uint creation, uint flags, IntPtr template);

                [DllImport("kernel32.dll", SetLastError = true)]
                public static extern bool DeviceIoControl(Microsoft.Win32.SafeHandles.SafeFileHandle device, uint code, byte[]? input,
                    int inputSize, byte[] output, int outputSize, out int returned, IntPtr overlapped);

                [DllImport("iphlpapi.dll")]
                public static extern int GetIfTable2(out IntPtr table);

                [DllImport("iphlpapi.dll")]
                public static extern void FreeMibTable(IntPtr memory);

                [DllImport("cfgmgr32.dll", EntryPoint = "CM_Locate_DevNodeW", CharSet = CharSet.Unicode)]
                public static extern uint CM_Locate_DevNode(out uint node, string deviceId, uint flags);

                [DllImport("cfgmgr32.dll")]
                public static extern uint CM_Get_DevNode_Status(out uint status, out uint problem, uint node, uint flags);

                [DllImport("cfgmgr32.dll")]
                public static extern uint CM_Get_Parent(out uint parent, uint node, uint flags);

                [DllImport("cfgmgr32.dll", EntryPoint = "CM_Get_Device_IDW")]
                public static extern uint CM_Get_Device_ID(uint node, byte[] buffer, int length, uint flags);

                [DllImport("cfgmgr32.dll", EntryPoint = "CM_Get_DevNode_PropertyW")]
                public static extern uint CM_Get_DevNode_Property(uint node, ref DevPropKey key, out uint type, byte[] buffer, ref int size, uint flags);
            }

            // DEVPROPKEY (devpropdef.h).
            [StructLayout(LayoutKind.Sequential)]
            private struct DevPropKey
            {
                public Guid Category;
                public uint PropertyId;
            }
        }

        /// <summary>
        /// macOS: the in-process interface list for the MAC (<see cref="HardwareText.RankMacOSInterface"/>), sysctl
        /// for the CPU and ioreg for the platform serial. A tool that overruns its limit makes the probe incomplete
        /// (<see cref="ProbeResult.Final"/> false): its id serves until the next login, which probes again.
        /// </summary>
        internal sealed class MacOSProbe
        {
            /// <summary>Runs a tool: its standard output or null, and whether its time limit cut it.</summary>
            internal delegate string? ToolRunner(string fileName, string arguments, out bool timedOut);

            private readonly ToolRunner _run;
            private readonly Func<IEnumerable<KeyValuePair<string, string>>> _interfaces;
            private int _lost;

            /// <summary>Probes this Mac: the real tools and interface list.</summary>
            public MacOSProbe()
                : this((string tool, string arguments, out bool timedOut) =>
                    ToolProbe.RunTool(tool, arguments, ToolProbe.ToolTimeoutMilliseconds, out timedOut), SystemInterfaces)
            {
            }

            /// <summary>Probes through <paramref name="run"/> and <paramref name="interfaces"/> (BSD name, address):
            /// recorded answers in tests.</summary>
            public MacOSProbe(ToolRunner run, Func<IEnumerable<KeyValuePair<string, string>>> interfaces)
            {
                _run = run;
                _interfaces = interfaces;
            }

            /// <summary>True when a tool was killed by its time limit during this probe.</summary>
            public bool LostToTimeLimit => Volatile.Read(ref _lost) != 0;

            /// <summary>Reads the three parts; the result is final only when no tool was cut by its time limit.</summary>
            public ProbeResult Probe()
            {
                string id = ComposeGuarded(ReadMac, ReadCpu, ReadPlatformSerial);
                // A tool killed by its time limit says nothing about the machine: the id is not kept for the process.
                return new ProbeResult(id, !LostToTimeLimit, LostToTimeLimit ? "macos (a tool overran its limit)" : "macos");
            }

            /// <summary>en0's MAC, else the best other en* port's.</summary>
            public string? ReadMac()
            {
                var candidates = new List<MacCandidate>();
                foreach (KeyValuePair<string, string> nic in _interfaces())
                {
                    string? mac = HardwareText.NormaliseMac(nic.Value);
                    if (mac == null) continue;
                    int rank = HardwareText.RankMacOSInterface(nic.Key, mac);
                    if (rank >= 0) candidates.Add(new MacCandidate(nic.Key, mac, rank));
                }
                return HardwareText.ChooseMac(candidates);
            }

            /// <summary>The brand string ("Apple M2", "Intel(R) Core(TM) …").</summary>
            public string? ReadCpu() => HardwareText.FirstLine(Run("/usr/sbin/sysctl", "-n machdep.cpu.brand_string"));

            /// <summary>
            /// The platform serial from the IOPlatformExpertDevice, else its UUID. Internal disks can't be swapped on
            /// current Macs, so the platform's identity is the steadier id.
            /// </summary>
            public string? ReadPlatformSerial()
            {
                string? ioreg = Run("/usr/sbin/ioreg", "-rd1 -c IOPlatformExpertDevice");
                return HardwareText.ParseIoregString(ioreg, "IOPlatformSerialNumber")
                    ?? HardwareText.ParseIoregString(ioreg, "IOPlatformUUID");
            }

            private static IEnumerable<KeyValuePair<string, string>> SystemInterfaces()
            {
                var list = new List<KeyValuePair<string, string>>();
                foreach (NetworkInterface nic in NetworkInterface.GetAllNetworkInterfaces())
                    list.Add(new KeyValuePair<string, string>(nic.Name, nic.GetPhysicalAddress().ToString()));
                return list;
            }

            private string? Run(string tool, string arguments)
            {
                string? output = _run(tool, arguments, out bool timedOut);
                if (timedOut) Interlocked.Exchange(ref _lost, 1);
                return output;
            }
        }

        /// <summary>
        /// Starting system tools, for macOS only. Tools are started by absolute path (a PATH entry can't stand in for
        /// them), without a shell or window, and each gets <see cref="ToolTimeoutMilliseconds"/> before it is killed.
        /// </summary>
        internal static class ToolProbe
        {
            /// <summary>How long one tool may run, output included, before it is killed and its part falls back.</summary>
            public const int ToolTimeoutMilliseconds = 2000;

            private static int s_runCount;

            /// <summary>How many tool processes this process has tried to start: the seam that shows Linux and Windows start none.</summary>
            public static int RunCount => Volatile.Read(ref s_runCount);

            /// <summary>Platforms without a probe of their own: the best MAC of the interface list, ranked alike.</summary>
            public static string? ReadNetworkInterfaceMac()
            {
                var candidates = new List<MacCandidate>();
                foreach (NetworkInterface nic in NetworkInterface.GetAllNetworkInterfaces())
                {
                    NetworkInterfaceType type = nic.NetworkInterfaceType;
                    if (type == NetworkInterfaceType.Loopback || type == NetworkInterfaceType.Tunnel || type == NetworkInterfaceType.Ppp) continue;
                    if (HardwareText.IsVirtualInterfaceName(nic.Name) || HardwareText.IsVirtualDescription(nic.Description)) continue;
                    string? mac = HardwareText.NormaliseMac(nic.GetPhysicalAddress().ToString());
                    // Operational status is ignored on purpose: Wi-Fi going up and down must not change the choice.
                    if (mac == null || HardwareText.IsLocallyAdministered(mac)) continue;
                    candidates.Add(new MacCandidate(nic.Id, mac, HardwareText.RankOf(builtIn: true, permanent: false)));
                }
                return HardwareText.ChooseMac(candidates);
            }

            /// <summary>As <see cref="RunTool(string, string, int, out bool)"/>, ignoring whether the limit was hit.</summary>
            internal static string? RunTool(string fileName, string arguments, int timeoutMilliseconds = ToolTimeoutMilliseconds)
                => RunTool(fileName, arguments, timeoutMilliseconds, out _);

            /// <summary>
            /// Runs a tool and returns its standard output, or null when it can't start, exits non-zero or overruns
            /// the time limit (then it is killed and <paramref name="timedOut"/> is true). Both output streams are
            /// drained asynchronously so a chatty tool can't block on a full pipe; standard input is closed at once.
            /// </summary>
            internal static string? RunTool(string fileName, string arguments, int timeoutMilliseconds, out bool timedOut)
            {
                timedOut = false;
                if (!File.Exists(fileName)) return null;
                Interlocked.Increment(ref s_runCount);
                try
                {
                    var start = new ProcessStartInfo(fileName, arguments)
                    {
                        UseShellExecute = false,
                        CreateNoWindow = true,
                        RedirectStandardInput = true,
                        RedirectStandardOutput = true,
                        RedirectStandardError = true,
                    };
                    var output = new StringBuilder();
                    using (var outputClosed = new ManualResetEventSlim(false))
                    using (var process = new Process { StartInfo = start })
                    {
                        process.OutputDataReceived += (_, e) =>
                        {
                            // Runs on a pool thread, possibly after we gave up and disposed the event: a throw here
                            // would take the whole process down.
                            try
                            {
                                if (e.Data == null) outputClosed.Set();
                                else lock (output) output.Append(e.Data).Append('\n');
                            }
                            catch (ObjectDisposedException)
                            {
                            }
                        };
                        process.ErrorDataReceived += (_, e) => { };

                        Stopwatch clock = Stopwatch.StartNew();
                        if (!process.Start()) return null;
                        process.BeginOutputReadLine();
                        process.BeginErrorReadLine();
                        try { process.StandardInput.Close(); }
                        catch { /* a tool that has already exited needs no input */ }

                        // WaitForExit(int) doesn't wait for the async readers, so wait for end of output separately,
                        // inside the same budget (a grandchild holding the pipe must not stall us either).
                        bool exited = process.WaitForExit(timeoutMilliseconds);
                        int left = timeoutMilliseconds - (int)clock.ElapsedMilliseconds;
                        if (!exited || !outputClosed.Wait(Math.Max(left, 0)))
                        {
                            timedOut = true;
                            Kill(process);
                            return null;
                        }
                        if (process.ExitCode != 0) return null;
                        lock (output) return output.ToString();
                    }
                }
                catch
                {
                    return null;
                }
            }

            private static void Kill(Process process)
            {
                try
                {
                    if (!process.HasExited) process.Kill();
                }
                catch
                {
                    // It exited between the check and the kill, or we may not kill it; either way we stop waiting.
                }
            }
        }
    }

    // =================================================================================================
    // 10. Ed25519
    //    RFC 8032 signature verification (5.1.7), strict and cofactorless.
    //    Owns: GF(2^255 - 19) field elements, edwards25519 points, scalars mod L, key decoding and Verify.
    //    Variable time on purpose: it only ever handles public data (keys, messages, signatures).
    // =================================================================================================

    /// <summary>A decoded, validated Ed25519 public key, ready to verify many signatures (thread-safe).</summary>
    internal sealed class Ed25519PublicKey
    {
        // The encoding is hashed as-is into k (RFC 8032 5.1.7 step 2); it is canonical, TryCreate checked that.
        private readonly byte[] _encoded;
        // A, decoded (affine, tight).
        private readonly Ed25519.ExtendedPoint _point;
        // [1, 3, .., 31]·A then [1, 3, .., 31]·(2^128·A), affine: the key's half of Verify's Straus tables. Built at the
        // second verification: the first is usually a process's first login, where building the tables (128
        // doublings, an inversion, in unoptimised code) costs more than the one-shot path they would save.
        private Ed25519.NielsPoint[]? _table;
        private int _verified;

        private Ed25519PublicKey(byte[] encoded, in Ed25519.ExtendedPoint point)
        {
            _encoded = encoded;
            _point = point;
        }

        /// <summary>False for a length other than 32, a non-canonical encoding, or a point not on the curve.</summary>
        public static bool TryCreate(byte[] encoded, out Ed25519PublicKey? key)
        {
            key = null;
            if (encoded == null || encoded.Length != 32) return false;
            if (!Ed25519.TryDecodePoint(encoded, 0, out Ed25519.ExtendedPoint a)) return false;
            key = new Ed25519PublicKey((byte[])encoded.Clone(), in a);
            return true;
        }

        /// <summary>RFC 8032 5.1.7 verification, cofactorless, strict: false for any signature length but 64 or S ≥ L.</summary>
        public bool Verify(byte[] message, byte[] signature)
        {
            if (message == null) throw new ArgumentNullException(nameof(message));
            if (signature == null) throw new ArgumentNullException(nameof(signature));
            Ed25519.NielsPoint[]? table = Volatile.Read(ref _table);
            if (table == null)
            {
                if (Interlocked.Exchange(ref _verified, 1) == 0) return Ed25519.VerifyWithPoint(_encoded, in _point, message, signature);
                // Two threads may both build it: the same table either way, and the first one stored is kept.
                Ed25519.NielsPoint[] built = Ed25519.SplitTable(in _point, Ed25519.KeyTableSize);
                table = Interlocked.CompareExchange(ref _table, built, null) ?? built;
            }
            return Ed25519.VerifyWithTable(_encoded, table, message, signature);
        }
    }

    /// <summary>Ed25519 (RFC 8032) verification and the arithmetic behind it.</summary>
    internal static class Ed25519
    {
        // Window widths of the signed sliding windows (wNAF). Base tables are static and shared, so they can be wide;
        // key tables are built per key, so they stay small enough that TryCreate stays cheap.
        internal const int BaseWidth = 8, BaseTableSize = 1 << (BaseWidth - 2);   // odd multiples 1..127
        internal const int KeyWidth = 6, KeyTableSize = 1 << (KeyWidth - 2);      // odd multiples 1..31
        // A one-shot key is used once: a smaller table (no inversion, no 2^128·A) costs less than it saves.
        internal const int OnceWidth = 5, OnceTableSize = 1 << (OnceWidth - 2);   // odd multiples 1..15

        // RFC 8032 5.1.7 with a cached key. Pre: signature, message != null; table = SplitTable(A), A = encodedKey.
        internal static bool VerifyWithTable(byte[] encodedKey, NielsPoint[] table, byte[] message, byte[] signature)
        {
            // Step 1: the signature is R (32 octets) || S (32 octets); S must be canonical, R must decode.
            if (signature.Length != 64 || !Scalar.IsCanonical(signature, 32)) return false;
            if (!TryDecodePoint(signature, 0, out ExtendedPoint r)) return false;

            // Step 2: k = SHA-512(R || A || M) mod L.
            Scratch scratch = Scratch.Current;
            HashToScalar(scratch, signature, encodedKey, message);

            // Step 3, cofactorless: [S]B = R + [k]A  <=>  [S]B - [k]A = R, the left side in one Straus pass.
            ToWnaf(signature, 32, BaseWidth, scratch.NafS);
            ToWnaf(scratch.K, 0, KeyWidth, scratch.NafK);
            StrausSplitVar(out ProjectivePoint check, scratch.NafS, scratch.NafK, table);
            return Matches(in check, in r);
        }

        // RFC 8032 5.1.7 with A decoded but no tables: small per-call tables of A and B, no inversion, no 2^128 multiples,
        // so a process's first verification computes little beyond the verification itself.
        // Pre: signature, message != null; a = the decoding of encodedKey.
        internal static bool VerifyWithPoint(byte[] encodedKey, in ExtendedPoint a, byte[] message, byte[] signature)
        {
            if (signature.Length != 64 || !Scalar.IsCanonical(signature, 32)) return false;
            if (!TryDecodePoint(signature, 0, out ExtendedPoint r)) return false;

            Scratch scratch = Scratch.Current;
            HashToScalar(scratch, signature, encodedKey, message);

            ToWnaf(signature, 32, OnceWidth, scratch.NafS);
            ToWnaf(scratch.K, 0, OnceWidth, scratch.NafK);
            OddMultiples(in a, scratch.OnceTable);
            StrausFullVar(out ProjectivePoint check, scratch.NafS, SmallBaseTable.Table, scratch.NafK, scratch.OnceTable);
            return Matches(in check, in r);
        }

        // scratch.K = SHA-512(R || A || M) mod L (RFC 8032 5.1.7 step 2; dom2 is empty and PH the identity here).
        private static void HashToScalar(Scratch scratch, byte[] signature, byte[] encodedKey, byte[] message)
        {
            byte[] digest = scratch.Hash(signature, encodedKey, message);
            Scalar.Unpack21(digest, 0, 64, scratch.Limbs, 24);
            Scalar.Reduce(scratch.Limbs, scratch.K, 0);
        }

        // check = r as points, r affine: X/Z = x and Y/Z = y, compared without inverting Z. Pre: both tight.
        private static bool Matches(in ProjectivePoint check, in ExtendedPoint r)
        {
            Fe.Mul(out Fe rx, in r.X, in check.Z);
            if (!Fe.AreEqual(in rx, in check.X)) return false;
            Fe.Mul(out Fe ry, in r.Y, in check.Z);
            return Fe.AreEqual(in ry, in check.Y);
        }

        /// <summary>Per-thread buffers: Verify allocates nothing.</summary>
        private sealed class Scratch
        {
            [ThreadStatic] private static Scratch? t_current;
            internal static Scratch Current => t_current ?? (t_current = new Scratch());

            // The platform's SHA-512. Every production request runs over TLS, which loads the platform's cryptography
            // anyway; an own SHA-512 measured no faster there (docs/PERFORMANCE.md). Not thread-safe: one per thread.
            private readonly SHA512 _sha = SHA512.Create();
            private readonly byte[] _digest = new byte[64];
            internal readonly long[] Limbs = new long[24];
            internal readonly CachedPoint[] OnceTable = new CachedPoint[OnceTableSize];
            internal readonly byte[] K = new byte[32];
            internal readonly sbyte[] NafS = new sbyte[256];
            internal readonly sbyte[] NafK = new sbyte[256];

            // SHA-512(R || A || M) without copying M. Pre: signature.Length >= 32, key.Length == 32.
            internal byte[] Hash(byte[] signature, byte[] key, byte[] message)
            {
                _sha.TransformBlock(signature, 0, 32, null, 0);
                _sha.TransformBlock(key, 0, 32, null, 0);
                _sha.TransformFinalBlock(message, 0, message.Length);
                // The final block resets the hash for the next use; Hash is a copy of the digest.
                Buffer.BlockCopy(_sha.Hash!, 0, _digest, 0, 64);
                return _digest;
            }
        }

        // ===== Field GF(p), p = 2^255 - 19 (RFC 8032 5.1) ============================================================

        /// <summary>
        /// An element of GF(2^255 - 19) in ten signed limbs, radix 2^25.5 (ref10 layout):
        /// value = L0 + L1·2^26 + L2·2^51 + L3·2^77 + L4·2^102 + L5·2^128 + L6·2^153 + L7·2^179 + L8·2^204 + L9·2^230.
        /// Bounds, used in every pre/postcondition below ("even" = limbs 0,2,..,8; "odd" = limbs 1,3,..,9):
        ///   tight:  |even| &lt;= 1.01·2^25, |odd| &lt;= 1.01·2^24   (what Mul, Sq, Carry return)
        ///   nT:     n times the tight bounds (the sum of n tight elements is nT).
        /// Mul and Sq accept up to 4T: their largest column, h0, then sums at most 124.5·(4.04·2^25)^2 &lt; 2^61.
        /// </summary>
        internal struct Fe
        {
            internal int L0, L1, L2, L3, L4, L5, L6, L7, L8, L9;

            // h = v for a small v. Post: tight when |v| <= 2^25.
            internal static void FromInt(out Fe h, int v)
            {
                h = default;
                h.L0 = v;
            }

            // h = f + g. Pre: f, g are mT and nT. Post: (m+n)T. No carry: the next Mul absorbs it.
            [MethodImpl(MethodImplOptions.AggressiveInlining)]
            internal static void Add(out Fe h, in Fe f, in Fe g)
            {
                h.L0 = f.L0 + g.L0; h.L1 = f.L1 + g.L1; h.L2 = f.L2 + g.L2; h.L3 = f.L3 + g.L3; h.L4 = f.L4 + g.L4;
                h.L5 = f.L5 + g.L5; h.L6 = f.L6 + g.L6; h.L7 = f.L7 + g.L7; h.L8 = f.L8 + g.L8; h.L9 = f.L9 + g.L9;
            }

            // h = f - g. Pre: f, g are mT and nT. Post: (m+n)T.
            [MethodImpl(MethodImplOptions.AggressiveInlining)]
            internal static void Sub(out Fe h, in Fe f, in Fe g)
            {
                h.L0 = f.L0 - g.L0; h.L1 = f.L1 - g.L1; h.L2 = f.L2 - g.L2; h.L3 = f.L3 - g.L3; h.L4 = f.L4 - g.L4;
                h.L5 = f.L5 - g.L5; h.L6 = f.L6 - g.L6; h.L7 = f.L7 - g.L7; h.L8 = f.L8 - g.L8; h.L9 = f.L9 - g.L9;
            }

            // h = -f. Post: same bound as f.
            internal static void Neg(out Fe h, in Fe f)
            {
                h.L0 = -f.L0; h.L1 = -f.L1; h.L2 = -f.L2; h.L3 = -f.L3; h.L4 = -f.L4;
                h.L5 = -f.L5; h.L6 = -f.L6; h.L7 = -f.L7; h.L8 = -f.L8; h.L9 = -f.L9;
            }

            // h = f, limbs brought back to tight. Pre: |limbs| < 2^31 (any int). Post: tight.
            internal static void Carry(out Fe h, in Fe f)
            {
                CarryOut(out h, f.L0, f.L1, f.L2, f.L3, f.L4, f.L5, f.L6, f.L7, f.L8, f.L9);
            }

            // h = f·g mod p. Pre: f, g at most 4T. Post: tight. h may alias f or g (h is written after the last read).
            // Column k sums f_i·g_j over i + j = k (mod 10). A product past limb 9 wraps with a factor 19
            // (2^255 = 19 mod p); two odd limbs carry a factor 2, since their weights 2^(25.5·i + 0.5) add up to one
            // bit more than the column's. Operands are read from memory, not cached in locals: with twenty-odd live
            // longs the JIT spills the running sum instead, which turns every column into a store/load chain.
            // Bounds: |h0| <= 124.5·(4.04·2^25)^2 < 2^61 (its ten terms at most 1 + 76 + 47.5 squares of a 4T even
            // limb); every other column is smaller.
            internal static void Mul(out Fe h, in Fe f, in Fe g)
            {
                long h0 = (long)f.L0 * g.L0
                    + f.L1 * (38L * g.L9)
                    + f.L2 * (19L * g.L8)
                    + f.L3 * (38L * g.L7)
                    + f.L4 * (19L * g.L6)
                    + f.L5 * (38L * g.L5)
                    + f.L6 * (19L * g.L4)
                    + f.L7 * (38L * g.L3)
                    + f.L8 * (19L * g.L2)
                    + f.L9 * (38L * g.L1);
                long h1 = (long)f.L0 * g.L1
                    + (long)f.L1 * g.L0
                    + f.L2 * (19L * g.L9)
                    + f.L3 * (19L * g.L8)
                    + f.L4 * (19L * g.L7)
                    + f.L5 * (19L * g.L6)
                    + f.L6 * (19L * g.L5)
                    + f.L7 * (19L * g.L4)
                    + f.L8 * (19L * g.L3)
                    + f.L9 * (19L * g.L2);
                long h2 = (long)f.L0 * g.L2
                    + f.L1 * (2L * g.L1)
                    + (long)f.L2 * g.L0
                    + f.L3 * (38L * g.L9)
                    + f.L4 * (19L * g.L8)
                    + f.L5 * (38L * g.L7)
                    + f.L6 * (19L * g.L6)
                    + f.L7 * (38L * g.L5)
                    + f.L8 * (19L * g.L4)
                    + f.L9 * (38L * g.L3);
                long h3 = (long)f.L0 * g.L3
                    + (long)f.L1 * g.L2
                    + (long)f.L2 * g.L1
                    + (long)f.L3 * g.L0
                    + f.L4 * (19L * g.L9)
                    + f.L5 * (19L * g.L8)
                    + f.L6 * (19L * g.L7)
                    + f.L7 * (19L * g.L6)
                    + f.L8 * (19L * g.L5)
                    + f.L9 * (19L * g.L4);
                long h4 = (long)f.L0 * g.L4
                    + f.L1 * (2L * g.L3)
                    + (long)f.L2 * g.L2
                    + f.L3 * (2L * g.L1)
                    + (long)f.L4 * g.L0
                    + f.L5 * (38L * g.L9)
                    + f.L6 * (19L * g.L8)
                    + f.L7 * (38L * g.L7)
                    + f.L8 * (19L * g.L6)
                    + f.L9 * (38L * g.L5);
                long h5 = (long)f.L0 * g.L5
                    + (long)f.L1 * g.L4
                    + (long)f.L2 * g.L3
                    + (long)f.L3 * g.L2
                    + (long)f.L4 * g.L1
                    + (long)f.L5 * g.L0
                    + f.L6 * (19L * g.L9)
                    + f.L7 * (19L * g.L8)
                    + f.L8 * (19L * g.L7)
                    + f.L9 * (19L * g.L6);
                long h6 = (long)f.L0 * g.L6
                    + f.L1 * (2L * g.L5)
                    + (long)f.L2 * g.L4
                    + f.L3 * (2L * g.L3)
                    + (long)f.L4 * g.L2
                    + f.L5 * (2L * g.L1)
                    + (long)f.L6 * g.L0
                    + f.L7 * (38L * g.L9)
                    + f.L8 * (19L * g.L8)
                    + f.L9 * (38L * g.L7);
                long h7 = (long)f.L0 * g.L7
                    + (long)f.L1 * g.L6
                    + (long)f.L2 * g.L5
                    + (long)f.L3 * g.L4
                    + (long)f.L4 * g.L3
                    + (long)f.L5 * g.L2
                    + (long)f.L6 * g.L1
                    + (long)f.L7 * g.L0
                    + f.L8 * (19L * g.L9)
                    + f.L9 * (19L * g.L8);
                long h8 = (long)f.L0 * g.L8
                    + f.L1 * (2L * g.L7)
                    + (long)f.L2 * g.L6
                    + f.L3 * (2L * g.L5)
                    + (long)f.L4 * g.L4
                    + f.L5 * (2L * g.L3)
                    + (long)f.L6 * g.L2
                    + f.L7 * (2L * g.L1)
                    + (long)f.L8 * g.L0
                    + f.L9 * (38L * g.L9);
                long h9 = (long)f.L0 * g.L9
                    + (long)f.L1 * g.L8
                    + (long)f.L2 * g.L7
                    + (long)f.L3 * g.L6
                    + (long)f.L4 * g.L5
                    + (long)f.L5 * g.L4
                    + (long)f.L6 * g.L3
                    + (long)f.L7 * g.L2
                    + (long)f.L8 * g.L1
                    + (long)f.L9 * g.L0;
                CarryOut(out h, h0, h1, h2, h3, h4, h5, h6, h7, h8, h9);
            }

            // h = f^2 mod p. Pre: f at most 4T. Post: tight. h may alias f.
            // Mul's columns with g = f, each cross product f_i·f_j (i < j) taken once with a factor 2. |h0| < 2^61.
            internal static void Sq(out Fe h, in Fe f)
            {
                long h0 = (long)f.L0 * f.L0 + f.L1 * (76L * f.L9) + f.L2 * (38L * f.L8) + f.L3 * (76L * f.L7) + f.L4 * (38L * f.L6) + f.L5 * (38L * f.L5);
                long h1 = f.L0 * (2L * f.L1) + f.L2 * (38L * f.L9) + f.L3 * (38L * f.L8) + f.L4 * (38L * f.L7) + f.L5 * (38L * f.L6);
                long h2 = f.L0 * (2L * f.L2) + f.L1 * (2L * f.L1) + f.L3 * (76L * f.L9) + f.L4 * (38L * f.L8) + f.L5 * (76L * f.L7) + f.L6 * (19L * f.L6);
                long h3 = f.L0 * (2L * f.L3) + f.L1 * (2L * f.L2) + f.L4 * (38L * f.L9) + f.L5 * (38L * f.L8) + f.L6 * (38L * f.L7);
                long h4 = f.L0 * (2L * f.L4) + f.L1 * (4L * f.L3) + (long)f.L2 * f.L2 + f.L5 * (76L * f.L9) + f.L6 * (38L * f.L8) + f.L7 * (38L * f.L7);
                long h5 = f.L0 * (2L * f.L5) + f.L1 * (2L * f.L4) + f.L2 * (2L * f.L3) + f.L6 * (38L * f.L9) + f.L7 * (38L * f.L8);
                long h6 = f.L0 * (2L * f.L6) + f.L1 * (4L * f.L5) + f.L2 * (2L * f.L4) + f.L3 * (2L * f.L3) + f.L7 * (76L * f.L9) + f.L8 * (19L * f.L8);
                long h7 = f.L0 * (2L * f.L7) + f.L1 * (2L * f.L6) + f.L2 * (2L * f.L5) + f.L3 * (2L * f.L4) + f.L8 * (38L * f.L9);
                long h8 = f.L0 * (2L * f.L8) + f.L1 * (4L * f.L7) + f.L2 * (2L * f.L6) + f.L3 * (4L * f.L5) + (long)f.L4 * f.L4 + f.L9 * (38L * f.L9);
                long h9 = f.L0 * (2L * f.L9) + f.L1 * (2L * f.L8) + f.L2 * (2L * f.L7) + f.L3 * (2L * f.L6) + f.L4 * (2L * f.L5);
                CarryOut(out h, h0, h1, h2, h3, h4, h5, h6, h7, h8, h9);
            }

            // h = f^(2^n). Pre: f at most 4T, n >= 1. Post: tight.
            internal static void SqTimes(out Fe h, in Fe f, int n)
            {
                Sq(out h, in f);
                for (int i = 1; i < n; i++) Sq(out h, in h);
            }

            // Rounded (signed) carries: each step leaves its limb in [-2^25, 2^25) or [-2^24, 2^24).
            // Pre: |h_i| < 2^62. Post: tight (|h1|, |h5| pick up at most 2^17 from the second carries; the rest exact).
            private static void CarryOut(out Fe r, long h0, long h1, long h2, long h3, long h4,
                long h5, long h6, long h7, long h8, long h9)
            {
                long c;
                // Two interleaved chains (0→1→2→3→4, 4→5→…→9) halve the dependency length.
                c = (h0 + (1L << 25)) >> 26; h1 += c; h0 -= c << 26;   // |h0| <= 2^25
                c = (h4 + (1L << 25)) >> 26; h5 += c; h4 -= c << 26;   // |h4| <= 2^25
                c = (h1 + (1L << 24)) >> 25; h2 += c; h1 -= c << 25;   // |h1| <= 2^24
                c = (h5 + (1L << 24)) >> 25; h6 += c; h5 -= c << 25;   // |h5| <= 2^24
                c = (h2 + (1L << 25)) >> 26; h3 += c; h2 -= c << 26;   // |h2| <= 2^25
                c = (h6 + (1L << 25)) >> 26; h7 += c; h6 -= c << 26;   // |h6| <= 2^25
                c = (h3 + (1L << 24)) >> 25; h4 += c; h3 -= c << 25;   // |h3| <= 2^24
                c = (h7 + (1L << 24)) >> 25; h8 += c; h7 -= c << 25;   // |h7| <= 2^24
                c = (h4 + (1L << 25)) >> 26; h5 += c; h4 -= c << 26;   // |h4| <= 2^25, |h5| <= 1.01·2^24
                c = (h8 + (1L << 25)) >> 26; h9 += c; h8 -= c << 26;   // |h8| <= 2^25
                c = (h9 + (1L << 24)) >> 25; h0 += c * 19; h9 -= c << 25; // |h9| <= 2^24, |19c| < 2^42
                c = (h0 + (1L << 25)) >> 26; h1 += c; h0 -= c << 26;   // |h0| <= 2^25, |h1| <= 1.01·2^24
                r.L0 = (int)h0; r.L1 = (int)h1; r.L2 = (int)h2; r.L3 = (int)h3; r.L4 = (int)h4;
                r.L5 = (int)h5; r.L6 = (int)h6; r.L7 = (int)h7; r.L8 = (int)h8; r.L9 = (int)h9;
            }

            // r = z^(2^250 - 1) and z11 = z^11: the shared prefix of Invert's and Pow22523's addition chains.
            // Pre: z at most 4T. Post: tight.
            private static void Pow2250Minus1(out Fe r, out Fe z11, in Fe z)
            {
                Fe t0, t1, t2, t3;
                Sq(out t0, in z);                                       // z^2
                SqTimes(out t1, in t0, 2);                              // z^8
                Mul(out t1, in z, in t1);                               // z^9
                Mul(out z11, in t0, in t1);                             // z^11
                Sq(out t2, in z11);                                     // z^22
                Mul(out t1, in t1, in t2);                              // z^31        = z^(2^5 - 1)
                SqTimes(out t2, in t1, 5); Mul(out t1, in t2, in t1);   // z^(2^10 - 1)
                SqTimes(out t2, in t1, 10); Mul(out t2, in t2, in t1);  // z^(2^20 - 1)
                SqTimes(out t3, in t2, 20); Mul(out t2, in t3, in t2);  // z^(2^40 - 1)
                SqTimes(out t2, in t2, 10); Mul(out t1, in t2, in t1);  // z^(2^50 - 1)
                SqTimes(out t2, in t1, 50); Mul(out t2, in t2, in t1);  // z^(2^100 - 1)
                SqTimes(out t3, in t2, 100); Mul(out t2, in t3, in t2); // z^(2^200 - 1)
                SqTimes(out t2, in t2, 50); Mul(out r, in t2, in t1);   // z^(2^250 - 1)
            }

            // h = 1/z = z^(p - 2) = z^(2^255 - 21) (Fermat; 0 maps to 0). Pre: z at most 4T. Post: tight.
            internal static void Invert(out Fe h, in Fe z)
            {
                Pow2250Minus1(out Fe t, out Fe z11, in z);
                SqTimes(out t, in t, 5);                                // z^(2^255 - 32)
                Mul(out h, in t, in z11);                               // z^(2^255 - 21)
            }

            // h = z^((p - 5) / 8) = z^(2^252 - 3), the exponent of RFC 8032 5.1.3 step 3. Pre: 4T. Post: tight.
            internal static void Pow22523(out Fe h, in Fe z)
            {
                Pow2250Minus1(out Fe t, out _, in z);
                SqTimes(out t, in t, 2);                                // z^(2^252 - 4)
                Mul(out h, in t, in z);                                 // z^(2^252 - 3)
            }

            // r = f with its limbs canonical: 0 <= r.L_i < 2^26 (even) / 2^25 (odd) and value < p.
            // Pre: |limbs| < 2^31. Post: the unique representation; equal elements give equal limbs.
            internal static void Reduce(out Fe r, in Fe f)
            {
                long h0 = f.L0, h1 = f.L1, h2 = f.L2, h3 = f.L3, h4 = f.L4, h5 = f.L5, h6 = f.L6, h7 = f.L7, h8 = f.L8, h9 = f.L9;
                long c;
                // Floor carries, folding bits >= 255 back in with 2^255 = 19: afterwards 0 <= value < 2^255.
                // The value only moves by multiples of p, and at most three passes are needed (the fold is tiny).
                do
                {
                    c = h0 >> 26; h1 += c; h0 -= c << 26;
                    c = h1 >> 25; h2 += c; h1 -= c << 25;
                    c = h2 >> 26; h3 += c; h2 -= c << 26;
                    c = h3 >> 25; h4 += c; h3 -= c << 25;
                    c = h4 >> 26; h5 += c; h4 -= c << 26;
                    c = h5 >> 25; h6 += c; h5 -= c << 25;
                    c = h6 >> 26; h7 += c; h6 -= c << 26;
                    c = h7 >> 25; h8 += c; h7 -= c << 25;
                    c = h8 >> 26; h9 += c; h8 -= c << 26;
                    c = h9 >> 25; h9 -= c << 25; h0 += 19 * c;
                } while (c != 0);
                // Now value < 2^255; it is >= p exactly when value + 19 reaches 2^255: q is that carry (0 or 1).
                long q = (h0 + 19) >> 26;
                q = (h1 + q) >> 25; q = (h2 + q) >> 26; q = (h3 + q) >> 25; q = (h4 + q) >> 26;
                q = (h5 + q) >> 25; q = (h6 + q) >> 26; q = (h7 + q) >> 25; q = (h8 + q) >> 26; q = (h9 + q) >> 25;
                // value - q·p = value + 19q - q·2^255: add 19q, carry, drop bit 255.
                h0 += 19 * q;
                c = h0 >> 26; h1 += c; h0 -= c << 26;
                c = h1 >> 25; h2 += c; h1 -= c << 25;
                c = h2 >> 26; h3 += c; h2 -= c << 26;
                c = h3 >> 25; h4 += c; h3 -= c << 25;
                c = h4 >> 26; h5 += c; h4 -= c << 26;
                c = h5 >> 25; h6 += c; h5 -= c << 25;
                c = h6 >> 26; h7 += c; h6 -= c << 26;
                c = h7 >> 25; h8 += c; h7 -= c << 25;
                c = h8 >> 26; h9 += c; h8 -= c << 26;
                h9 &= (1L << 25) - 1;
                r.L0 = (int)h0; r.L1 = (int)h1; r.L2 = (int)h2; r.L3 = (int)h3; r.L4 = (int)h4;
                r.L5 = (int)h5; r.L6 = (int)h6; r.L7 = (int)h7; r.L8 = (int)h8; r.L9 = (int)h9;
            }

            // f == g in GF(p). Pre: f, g at most 2T (their difference then fits Reduce).
            internal static bool AreEqual(in Fe f, in Fe g)
            {
                Sub(out Fe d, in f, in g);
                return IsZero(in d);
            }

            // f == 0 in GF(p). Pre: |limbs| < 2^31.
            internal static bool IsZero(in Fe f)
            {
                Reduce(out Fe r, in f);
                return (r.L0 | r.L1 | r.L2 | r.L3 | r.L4 | r.L5 | r.L6 | r.L7 | r.L8 | r.L9) == 0;
            }

            // RFC 8032 5.1.2: x is "negative" when its canonical value is odd. Pre: |limbs| < 2^31.
            internal static bool IsNegative(in Fe f)
            {
                Reduce(out Fe r, in f);
                return (r.L0 & 1) != 0;
            }

            // h = the low 255 bits of s[off..off+32] (little-endian; bit 255 ignored, canonicity not checked).
            // Post: 0 <= limbs < 2^26 (even) / 2^25 (odd), i.e. at most 2T.
            internal static void FromBytes(out Fe h, byte[] s, int off)
            {
                h.L0 = (int)(Load32(s, off) & 0x3ffffff);               // bits   0..25
                h.L1 = (int)((Load32(s, off + 3) >> 2) & 0x1ffffff);    // bits  26..50
                h.L2 = (int)((Load32(s, off + 6) >> 3) & 0x3ffffff);    // bits  51..76
                h.L3 = (int)((Load32(s, off + 9) >> 5) & 0x1ffffff);    // bits  77..101
                h.L4 = (int)((Load32(s, off + 12) >> 6) & 0x3ffffff);   // bits 102..127
                h.L5 = (int)(Load32(s, off + 16) & 0x1ffffff);          // bits 128..152
                h.L6 = (int)((Load32(s, off + 19) >> 1) & 0x3ffffff);   // bits 153..178
                h.L7 = (int)((Load32(s, off + 22) >> 3) & 0x1ffffff);   // bits 179..203
                h.L8 = (int)((Load32(s, off + 25) >> 4) & 0x3ffffff);   // bits 204..229
                h.L9 = (int)((Load32(s, off + 28) >> 6) & 0x1ffffff);   // bits 230..254
            }

            private static uint Load32(byte[] s, int i) =>
                s[i] | (uint)s[i + 1] << 8 | (uint)s[i + 2] << 16 | (uint)s[i + 3] << 24;
        }

        // ===== Curve constants (RFC 8032 5.1) ============================================================================
        // Precomputed, because deriving them takes field exponentiations that a process's first verification would run
        // in unoptimised code. Each one's derivation is kept below and a test (Ed25519ConstantsTests) checks the
        // constant against it, so each is still checkable by reading.

        internal static class Curve
        {
            internal static readonly Fe D = Limbs(-10913610, 13857413, -15372611, 6949391, 114729, -8787816, -6275908, -3247719, -18696448, -12055116);
            internal static readonly Fe D2 = Limbs(-21827239, -5839606, -30745221, 13898782, 229458, 15978800, -12551817, -6495438, 29715968, 9444199);
            internal static readonly Fe SqrtM1 = Limbs(-32595792, -7943725, 9377950, 3500415, 12389472, -272473, -25146209, -2005654, 326686, 11406482);
            // The base point B = (x, 4/5), x even.
            internal static readonly Fe BaseX = Limbs(-14297830, -7645148, 16144683, -16471763, 27570974, -2696100, -26142465, 8378389, 20764389, 8758491);
            internal static readonly Fe BaseY = Limbs(-26843541, -6710886, 13421773, -13421773, 26843546, 6710886, -13421773, 13421773, -26843546, -6710886);

            // B in extended coordinates. Post: tight.
            internal static ExtendedPoint Base()
            {
                var b = new ExtendedPoint { X = BaseX, Y = BaseY };
                Fe.FromInt(out b.Z, 1);
                Fe.Mul(out b.T, in b.X, in b.Y);
                return b;
            }

            private static Fe Limbs(int l0, int l1, int l2, int l3, int l4, int l5, int l6, int l7, int l8, int l9) =>
                new Fe { L0 = l0, L1 = l1, L2 = l2, L3 = l3, L4 = l4, L5 = l5, L6 = l6, L7 = l7, L8 = l8, L9 = l9 };
        }

        // ===== Points on edwards25519: -x^2 + y^2 = 1 + d·x^2·y^2 (RFC 8032 5.1) =====================================
        // Formulas: Hisil, Wong, Carter, Dawson, "Twisted Edwards Curves Revisited" (2008), a = -1. They are complete
        // here (d is not a square), so no input needs a special case, including the identity and small-order points.

        /// <summary>(X : Y : Z) with x = X/Z, y = Y/Z. Coordinates tight.</summary>
        internal struct ProjectivePoint { internal Fe X, Y, Z; }

        /// <summary>(X : Y : Z : T) with x = X/Z, y = Y/Z, x·y = T/Z (RFC 8032 5.1.4). Coordinates tight.</summary>
        internal struct ExtendedPoint { internal Fe X, Y, Z, T; }

        /// <summary>((X : Z), (Y : T)) with x = X/Z, y = Y/T: the output of Double and Add before normalising.
        /// X at most 3T, Y at most 2T, Z at most 3T, T at most 4T.</summary>
        internal struct CompletedPoint { internal Fe X, Y, Z, T; }

        /// <summary>An affine point (y + x, y - x, 2d·x·y) prepared for mixed addition. Coordinates tight.</summary>
        internal struct NielsPoint { internal Fe YPlusX, YMinusX, XY2D; }

        /// <summary>A projective point (Y + X, Y - X, Z, 2d·T) prepared for addition. Coordinates tight.</summary>
        internal struct CachedPoint { internal Fe YPlusX, YMinusX, Z, T2D; }

        // r = 2·(x : y : z), dedicated doubling (HWCD 3.3, a = -1). Pre: x, y, z tight (x + y is then 2T). Post: see
        // CompletedPoint.
        private static void Double(out CompletedPoint r, in Fe x, in Fe y, in Fe z)
        {
            Fe.Sq(out Fe xx, in x);
            Fe.Sq(out Fe yy, in y);
            Fe.Sq(out Fe zz2, in z);
            Fe.Add(out zz2, in zz2, in zz2);                  // 2·Z^2            2T
            Fe.Add(out Fe xy, in x, in y);                    //                  2T
            Fe.Sq(out Fe a, in xy);                           // (X + Y)^2
            Fe.Add(out r.Y, in yy, in xx);                    // Y^2 + X^2         2T
            Fe.Sub(out r.Z, in yy, in xx);                    // Y^2 - X^2         2T
            Fe.Sub(out r.X, in a, in r.Y);                    // 2·X·Y             3T
            Fe.Sub(out r.T, in zz2, in r.Z);                  // 2Z^2 - Y^2 + X^2  4T
        }

        // r = p + q (mixed addition, HWCD 3.1 with Z2 = 1). Pre: p coordinates tight, q tight. Post: X, Y 2T; Z, T 3T.
        private static void Add(out CompletedPoint r, in ExtendedPoint p, in NielsPoint q)
        {
            Fe.Add(out Fe ypx, in p.Y, in p.X);              // 2T
            Fe.Sub(out Fe ymx, in p.Y, in p.X);              // 2T
            Fe.Mul(out Fe a, in ypx, in q.YPlusX);           // (Y1 + X1)(y2 + x2)
            Fe.Mul(out Fe b, in ymx, in q.YMinusX);          // (Y1 - X1)(y2 - x2)
            Fe.Mul(out Fe c, in p.T, in q.XY2D);             // 2d·T1·x2·y2
            Fe.Add(out Fe z2, in p.Z, in p.Z);               // 2·Z1              2T
            Fe.Sub(out r.X, in a, in b);                      // 2(X1·y2 + Y1·x2)
            Fe.Add(out r.Y, in a, in b);                      // 2(Y1·y2 + X1·x2)
            Fe.Add(out r.Z, in z2, in c);
            Fe.Sub(out r.T, in z2, in c);
        }

        // r = p - q: adding -q = (-x, y) swaps y + x with y - x and negates 2d·x·y. Pre/post as Add.
        private static void Sub(out CompletedPoint r, in ExtendedPoint p, in NielsPoint q)
        {
            Fe.Add(out Fe ypx, in p.Y, in p.X);
            Fe.Sub(out Fe ymx, in p.Y, in p.X);
            Fe.Mul(out Fe a, in ypx, in q.YMinusX);
            Fe.Mul(out Fe b, in ymx, in q.YPlusX);
            Fe.Mul(out Fe c, in p.T, in q.XY2D);
            Fe.Add(out Fe z2, in p.Z, in p.Z);
            Fe.Sub(out r.X, in a, in b);
            Fe.Add(out r.Y, in a, in b);
            Fe.Sub(out r.Z, in z2, in c);
            Fe.Add(out r.T, in z2, in c);
        }

        // r = p + q (HWCD 3.1). Pre: p, q tight. Post: X, Y 2T; Z, T 3T.
        private static void Add(out CompletedPoint r, in ExtendedPoint p, in CachedPoint q)
        {
            Fe.Add(out Fe ypx, in p.Y, in p.X);
            Fe.Sub(out Fe ymx, in p.Y, in p.X);
            Fe.Mul(out Fe a, in ypx, in q.YPlusX);           // (Y1 + X1)(Y2 + X2)
            Fe.Mul(out Fe b, in ymx, in q.YMinusX);          // (Y1 - X1)(Y2 - X2)
            Fe.Mul(out Fe c, in p.T, in q.T2D);              // 2d·T1·T2
            Fe.Mul(out Fe zz, in p.Z, in q.Z);
            Fe.Add(out Fe z2, in zz, in zz);                 // 2·Z1·Z2          2T
            Fe.Sub(out r.X, in a, in b);
            Fe.Add(out r.Y, in a, in b);
            Fe.Add(out r.Z, in z2, in c);
            Fe.Sub(out r.T, in z2, in c);
        }

        // r = p - q, as Add with -q = (-X : Y : Z : -T). Pre/post as Add.
        private static void Sub(out CompletedPoint r, in ExtendedPoint p, in CachedPoint q)
        {
            Fe.Add(out Fe ypx, in p.Y, in p.X);
            Fe.Sub(out Fe ymx, in p.Y, in p.X);
            Fe.Mul(out Fe a, in ypx, in q.YMinusX);
            Fe.Mul(out Fe b, in ymx, in q.YPlusX);
            Fe.Mul(out Fe c, in p.T, in q.T2D);
            Fe.Mul(out Fe zz, in p.Z, in q.Z);
            Fe.Add(out Fe z2, in zz, in zz);
            Fe.Sub(out r.X, in a, in b);
            Fe.Add(out r.Y, in a, in b);
            Fe.Sub(out r.Z, in z2, in c);
            Fe.Add(out r.T, in z2, in c);
        }

        // Pre: p tight. Post: tight (the sums are carried so they can meet a 2T operand in Add).
        private static void ToCached(out CachedPoint r, in ExtendedPoint p)
        {
            Fe.Add(out Fe ypx, in p.Y, in p.X);
            Fe.Carry(out r.YPlusX, in ypx);
            Fe.Sub(out Fe ymx, in p.Y, in p.X);
            Fe.Carry(out r.YMinusX, in ymx);
            r.Z = p.Z;
            Fe.Mul(out r.T2D, in p.T, in Curve.D2);
        }

        // Three multiplications: enough for the next doubling, which never needs T. Post: tight.
        private static void ToProjective(out ProjectivePoint r, in CompletedPoint p)
        {
            Fe.Mul(out r.X, in p.X, in p.T);
            Fe.Mul(out r.Y, in p.Y, in p.Z);
            Fe.Mul(out r.Z, in p.Z, in p.T);
        }

        // Four multiplications: needed before an addition. Post: tight.
        private static void ToExtended(out ExtendedPoint r, in CompletedPoint p)
        {
            Fe.Mul(out r.X, in p.X, in p.T);
            Fe.Mul(out r.Y, in p.Y, in p.Z);
            Fe.Mul(out r.Z, in p.Z, in p.T);
            Fe.Mul(out r.T, in p.X, in p.Y);
        }

        // RFC 8032 5.1.3, strict. False for y >= p, for x^2 = (y^2 - 1)/(d·y^2 + 1) without a root, and for x = 0 with
        // the sign bit set (the three non-canonical or off-curve cases). Post on success: p affine (Z = 1), tight.
        internal static bool TryDecodePoint(byte[] s, int off, out ExtendedPoint p)
        {
            p = default;
            if (!IsCanonicalFieldEncoding(s, off)) return false;                        // step 1: y < p
            int sign = s[off + 31] >> 7;
            Fe.FromBytes(out Fe y0, s, off);
            Fe.Carry(out Fe y, in y0);

            // Step 2: u = y^2 - 1, v = d·y^2 + 1; candidate x = u·v^3·(u·v^7)^((p - 5)/8).
            Fe.FromInt(out Fe one, 1);
            Fe.Sq(out Fe yy, in y);
            Fe.Sub(out Fe u, in yy, in one);                                            // 2T
            Fe.Mul(out Fe dyy, in yy, in Curve.D);
            Fe.Add(out Fe v, in dyy, in one);                                           // 2T
            Fe.Sq(out Fe v2, in v);
            Fe.Mul(out Fe v3, in v2, in v);
            Fe.Sq(out Fe v6, in v3);
            Fe.Mul(out Fe v7, in v6, in v);
            Fe.Mul(out Fe uv7, in u, in v7);
            Fe.Pow22523(out Fe pw, in uv7);
            Fe.Mul(out Fe uv3, in u, in v3);
            Fe.Mul(out Fe x, in uv3, in pw);

            // Step 3: v·x^2 = u: x is a root; v·x^2 = -u: x·sqrt(-1) is; otherwise no square root exists.
            Fe.Sq(out Fe xx, in x);
            Fe.Mul(out Fe vxx, in v, in xx);
            if (!Fe.AreEqual(in vxx, in u))
            {
                Fe.Add(out Fe sum, in vxx, in u);
                if (!Fe.IsZero(in sum)) return false;
                Fe.Mul(out x, in x, in Curve.SqrtM1);
            }

            // Step 4: x = 0 has no negative twin, so a set sign bit there is a second encoding of the same point.
            if (Fe.IsZero(in x))
            {
                if (sign == 1) return false;
            }
            else if (Fe.IsNegative(in x) != (sign == 1))
            {
                Fe.Neg(out x, in x);
            }

            p.X = x;
            p.Y = y;
            Fe.FromInt(out p.Z, 1);
            Fe.Mul(out p.T, in x, in y);
            return true;
        }

        // The low 255 bits of s[off..off+32] encode an integer below p = 2^255 - 19. Rejecting y >= p is what makes
        // each point's encoding unique (RFC 8032 5.1.3 step 1).
        private static bool IsCanonicalFieldEncoding(byte[] s, int off)
        {
            // y >= p exactly when bits 8..254 are all ones and the low byte is >= 0xED (p's low byte).
            if ((s[off + 31] & 0x7f) != 0x7f) return true;
            for (int i = 30; i >= 1; i--)
            {
                if (s[off + i] != 0xff) return true;
            }
            return s[off] < 0xed;
        }

        // 2^128·p, by 128 doublings: the second half of the key's Straus tables. Post: tight.
        internal static ExtendedPoint TimesTwoPow128(in ExtendedPoint p)
        {
            CompletedPoint t;
            Double(out t, in p.X, in p.Y, in p.Z);
            for (int i = 1; i < 128; i++)
            {
                ToProjective(out ProjectivePoint q, in t);
                Double(out t, in q.X, in q.Y, in q.Z);
            }
            ToExtended(out ExtendedPoint r, in t);
            return r;
        }

        // table[0..count) = [1, 3, .., 2·count - 1]·p and table[count..2·count) = the same multiples of 2^128·p, affine,
        // for StrausSplitVar. One inversion for all of them (Montgomery's trick). Pre: p tight, count >= 2.
        internal static NielsPoint[] SplitTable(in ExtendedPoint p, int count)
        {
            var points = new ExtendedPoint[2 * count];
            OddMultiples(in p, points, 0, count);
            OddMultiples(TimesTwoPow128(in p), points, count, count);
            return ToNiels(points);
        }

        // dst[start + i] = (2i + 1)·p for i < count, projective. Pre: p tight, count >= 2. Post: tight.
        private static void OddMultiples(in ExtendedPoint p, ExtendedPoint[] dst, int start, int count)
        {
            Double(out CompletedPoint t, in p.X, in p.Y, in p.Z);
            ToExtended(out ExtendedPoint twice, in t);
            ToCached(out CachedPoint twiceCached, in twice);
            dst[start] = p;
            for (int i = 1; i < count; i++)
            {
                Add(out t, in dst[start + i - 1], in twiceCached);
                ToExtended(out dst[start + i], in t);
            }
        }

        // dst[i] = (2i + 1)·p in cached form, without any inversion (the one-shot path). Pre: p tight, dst.Length >= 2.
        private static void OddMultiples(in ExtendedPoint p, CachedPoint[] dst)
        {
            Double(out CompletedPoint t, in p.X, in p.Y, in p.Z);
            ToExtended(out ExtendedPoint twice, in t);
            ToCached(out CachedPoint twiceCached, in twice);
            ExtendedPoint current = p;
            ToCached(out dst[0], in current);
            for (int i = 1; i < dst.Length; i++)
            {
                Add(out t, in current, in twiceCached);
                ToExtended(out current, in t);
                ToCached(out dst[i], in current);
            }
        }

        // Affine Niels forms of points, with a single inversion for all their Z. Pre: coordinates tight, Z != 0.
        private static NielsPoint[] ToNiels(ExtendedPoint[] points)
        {
            int n = points.Length;
            var prefix = new Fe[n];                                   // prefix[i] = Z0·Z1·…·Zi
            prefix[0] = points[0].Z;
            for (int i = 1; i < n; i++) Fe.Mul(out prefix[i], in prefix[i - 1], in points[i].Z);
            Fe.Invert(out Fe inv, in prefix[n - 1]);                  // 1 / (Z0·…·Z(n-1))

            var result = new NielsPoint[n];
            for (int i = n - 1; i >= 0; i--)
            {
                Fe zInv;
                if (i > 0)
                {
                    Fe.Mul(out zInv, in inv, in prefix[i - 1]);       // 1 / Zi
                    Fe.Mul(out inv, in inv, in points[i].Z);          // 1 / (Z0·…·Z(i-1))
                }
                else
                {
                    zInv = inv;
                }
                Fe.Mul(out Fe x, in points[i].X, in zInv);
                Fe.Mul(out Fe y, in points[i].Y, in zInv);
                Fe.Add(out Fe ypx, in y, in x);
                Fe.Carry(out result[i].YPlusX, in ypx);
                Fe.Sub(out Fe ymx, in y, in x);
                Fe.Carry(out result[i].YMinusX, in ymx);
                Fe.Mul(out Fe xy, in x, in y);
                Fe.Mul(out result[i].XY2D, in xy, in Curve.D2);
            }
            return result;
        }

        // [1, 3, .., 127]·B, then the same multiples of 2^128·B at BaseTableSize, affine: the wide tables of the split
        // path, built at its first use (a key's second verification), by which time the code doing it runs optimised.
        private static NielsPoint[]? s_baseTable;

        internal static NielsPoint[] BaseTable => Volatile.Read(ref s_baseTable) ?? BuildBaseTable();

        private static NielsPoint[] BuildBaseTable()
        {
            // Two threads may both build it: the same table either way, and the first one stored is kept.
            NielsPoint[] table = SplitTable(Curve.Base(), BaseTableSize);
            return Interlocked.CompareExchange(ref s_baseTable, table, null) ?? table;
        }

        /// <summary>[1, 3, .., 15]·B in cached form (no inversion): B's half of the one-shot path, built on first use
        /// (the CLR runs a type initializer exactly once, thread-safely).</summary>
        private static class SmallBaseTable
        {
            internal static readonly CachedPoint[] Table = Build();

            private static CachedPoint[] Build()
            {
                var table = new CachedPoint[OnceTableSize];
                OddMultiples(Curve.Base(), table);
                return table;
            }
        }

        // r = [s]B - [k]A (variable time, Straus/Shamir with signed sliding windows). Each scalar's wNAF is split at
        // bit 128 so one pass of 128 doublings serves four half-length scalars: digits 0..127 use the tables of B and A,
        // digits 128..255 those of 2^128·B and 2^128·A.
        // Pre: nafS = ToWnaf(s, BaseWidth), nafK = ToWnaf(k, KeyWidth), keyTable = SplitTable(A, KeyTableSize);
        // keyTable == null means k = 0 (the signer's fixed-base multiplication). Post: r tight.
        internal static void StrausSplitVar(out ProjectivePoint r, sbyte[] nafS, sbyte[] nafK, NielsPoint[]? keyTable)
        {
            NielsPoint[] baseTable = BaseTable;
            int i = 127;
            while (i >= 0 && nafS[i] == 0 && nafS[i + 128] == 0
                && (keyTable == null || (nafK[i] == 0 && nafK[i + 128] == 0))) i--;

            Identity(out r);
            CompletedPoint t;
            ExtendedPoint u;
            for (; i >= 0; i--)
            {
                Double(out t, in r.X, in r.Y, in r.Z);
                int d = nafS[i];
                if (d != 0)
                {
                    ToExtended(out u, in t);
                    if (d > 0) Add(out t, in u, in baseTable[d >> 1]);
                    else Sub(out t, in u, in baseTable[-d >> 1]);
                }
                d = nafS[i + 128];
                if (d != 0)
                {
                    ToExtended(out u, in t);
                    if (d > 0) Add(out t, in u, in baseTable[BaseTableSize + (d >> 1)]);
                    else Sub(out t, in u, in baseTable[BaseTableSize + (-d >> 1)]);
                }
                if (keyTable != null)
                {
                    d = nafK[i];                                      // subtracted: this stream computes -[k]A
                    if (d != 0)
                    {
                        ToExtended(out u, in t);
                        if (d > 0) Sub(out t, in u, in keyTable[d >> 1]);
                        else Add(out t, in u, in keyTable[-d >> 1]);
                    }
                    d = nafK[i + 128];
                    if (d != 0)
                    {
                        ToExtended(out u, in t);
                        if (d > 0) Sub(out t, in u, in keyTable[KeyTableSize + (d >> 1)]);
                        else Add(out t, in u, in keyTable[KeyTableSize + (-d >> 1)]);
                    }
                }
                ToProjective(out r, in t);
            }
        }

        // r = [s]B - [k]A as StrausSplitVar, but unsplit (253 doublings) and with small per-call tables: no 2^128
        // multiples and no inversion to build. Pre: nafS = ToWnaf(s, OnceWidth), nafK = ToWnaf(k, OnceWidth),
        // baseTable = OddMultiples(B), keyTable = OddMultiples(A). Post: r tight.
        private static void StrausFullVar(out ProjectivePoint r, sbyte[] nafS, CachedPoint[] baseTable, sbyte[] nafK, CachedPoint[] keyTable)
        {
            int i = 255;
            while (i >= 0 && nafS[i] == 0 && nafK[i] == 0) i--;

            Identity(out r);
            CompletedPoint t;
            ExtendedPoint u;
            for (; i >= 0; i--)
            {
                Double(out t, in r.X, in r.Y, in r.Z);
                int d = nafS[i];
                if (d != 0)
                {
                    ToExtended(out u, in t);
                    if (d > 0) Add(out t, in u, in baseTable[d >> 1]);
                    else Sub(out t, in u, in baseTable[-d >> 1]);
                }
                d = nafK[i];
                if (d != 0)
                {
                    ToExtended(out u, in t);
                    if (d > 0) Sub(out t, in u, in keyTable[d >> 1]);
                    else Add(out t, in u, in keyTable[-d >> 1]);
                }
                ToProjective(out r, in t);
            }
        }

        // r = the neutral element (0 : 1 : 1).
        private static void Identity(out ProjectivePoint r)
        {
            r = default;
            Fe.FromInt(out r.Y, 1);
            Fe.FromInt(out r.Z, 1);
        }

        // naf = the width-w non-adjacent form of the 256-bit little-endian scalar s[off..off+32]:
        // s = Σ naf[i]·2^i, every nonzero digit odd with |digit| < 2^(w-1), any w consecutive digits hold at most one
        // nonzero. Pre: s < 2^253 (so the top digit lands at index <= 253), 2 <= w <= 8, naf.Length == 256.
        internal static void ToWnaf(byte[] s, int off, int width, sbyte[] naf)
        {
            Array.Clear(naf, 0, 256);
            int full = 1 << width, half = full >> 1, mask = full - 1;
            int carry = 0, pos = 0;
            while (pos < 256)
            {
                // The next w bits at pos (w <= 8: they span at most two bytes), plus the carry owed to this position.
                int b = pos >> 3, shift = pos & 7;
                int bits = s[off + b] >> shift;
                if (b + 1 < 32) bits |= s[off + b + 1] << (8 - shift);
                int window = carry + (bits & mask);
                if ((window & 1) == 0)
                {
                    pos++;                                            // zero digit; an owed carry moves up with us
                    continue;
                }
                if (window < half)
                {
                    naf[pos] = (sbyte)window;
                    carry = 0;
                }
                else
                {
                    naf[pos] = (sbyte)(window - full);                // negative digit, owe 2^w back
                    carry = 1;
                }
                pos += width;
            }
        }

        // ===== Scalars mod L = 2^252 + 27742317777372353535851937790883648493 (RFC 8032 5.1) ==========================

        internal static class Scalar
        {
            private static readonly byte[] LBytes =
            {
                0xed, 0xd3, 0xf5, 0x5c, 0x1a, 0x63, 0x12, 0x58, 0xd6, 0x9c, 0xf7, 0xa2, 0xde, 0xf9, 0xde, 0x14,
                0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x10,
            };
            private const long Mask21 = (1L << 21) - 1;
            // L in 21-bit limbs (limb 11 holds bits 231..252, i.e. exactly 2^21), and c = L - 2^252 < 2^125 in the
            // six limbs it needs: reducing uses 2^252 = -c (mod L).
            private static readonly long[] L21 = UnpackL();
            private static readonly long[] C21 = { L21[0], L21[1], L21[2], L21[3], L21[4], L21[5] };

            private static long[] UnpackL()
            {
                var limbs = new long[12];
                Unpack21(LBytes, 0, 32, limbs, 12);
                return limbs;
            }

            // s[off..off+32] < L (RFC 8032 5.1.7 step 1: reject S >= L, the malleable encodings).
            internal static bool IsCanonical(byte[] s, int off)
            {
                for (int i = 31; i >= 0; i--)
                {
                    if (s[off + i] != LBytes[i]) return s[off + i] < LBytes[i];
                }
                return false;                                         // S = L
            }

            // limbs[0..count) = 21-bit limbs of the little-endian bytes src[off..off+len), the last limb taking all
            // remaining high bits. Pre: those remaining bits, 8·len - 21·(count - 1), number at most 56.
            internal static void Unpack21(byte[] src, int off, int len, long[] limbs, int count)
            {
                ulong acc = 0;
                int bits = 0, limb = 0;
                for (int i = 0; i < len; i++)
                {
                    acc |= (ulong)src[off + i] << bits;
                    bits += 8;
                    if (bits >= 21 && limb < count - 1)
                    {
                        limbs[limb++] = (long)(acc & Mask21);
                        acc >>= 21;
                        bits -= 21;
                    }
                }
                limbs[limb++] = (long)acc;
                while (limb < count) limbs[limb++] = 0;
            }

            // dst[off..off+32] = (Σ a[i]·2^(21i)) mod L, canonical. Clobbers a.
            // Pre: a.Length == 24, 0 <= a[i] < 2^52, value < 2^512 (a SHA-512 digest, or r + k·s for the signer).
            internal static void Reduce(long[] a, byte[] dst, int off)
            {
                // Floor carries: a[0..22] in [0, 2^21), a[23] < 2^29 (bits 483..511).
                for (int i = 0; i < 23; i++)
                {
                    a[i + 1] += a[i] >> 21;
                    a[i] &= Mask21;
                }
                // Fold limbs 23..12 down: a[i]·2^(21i) = a[i]·2^(21(i-12))·2^252 = -a[i]·c·2^(21(i-12)) (mod L).
                for (int i = 23; i >= 12; i--)
                {
                    long t = a[i];                                    // |t| < 2^29 first, then < 2^22
                    a[i] = 0;
                    for (int j = 0; j < 6; j++) a[i - 12 + j] -= t * C21[j];   // |t·c_j| < 2^50
                    // Re-centre limbs i-12 .. i-2 into [-2^20, 2^20]; the excess climbs into a[i-1], folded next.
                    for (int k = i - 12; k < i - 1; k++)
                    {
                        long carry = (a[k] + (1L << 20)) >> 21;
                        a[k] -= carry << 21;
                        a[k + 1] += carry;
                    }
                }
                // Now |value| < 2^254 < 4L: normalise and add or subtract L until 0 <= value < L.
                Normalize12(a);
                while (a[11] < 0)
                {
                    for (int i = 0; i < 12; i++) a[i] += L21[i];
                    Normalize12(a);
                }
                while (AtLeastL(a))
                {
                    for (int i = 0; i < 12; i++) a[i] -= L21[i];
                    Normalize12(a);
                }
                // Pack 21-bit limbs (a[11] < 2^22) into 32 bytes.
                ulong acc = 0;
                int bits = 0, o = off;
                for (int i = 0; i < 12; i++)
                {
                    acc |= (ulong)a[i] << bits;
                    for (bits += 21; bits >= 8 && o < off + 32; bits -= 8)
                    {
                        dst[o++] = (byte)acc;
                        acc >>= 8;
                    }
                }
                while (o < off + 32)
                {
                    dst[o++] = (byte)acc;
                    acc >>= 8;
                }
            }

            // Floor carries over limbs 0..10: they land in [0, 2^21); limb 11 keeps the sign of the whole value.
            private static void Normalize12(long[] a)
            {
                for (int i = 0; i < 11; i++)
                {
                    a[i + 1] += a[i] >> 21;
                    a[i] &= Mask21;
                }
            }

            // Pre: normalised (limbs 0..10 in [0, 2^21), limb 11 >= 0).
            private static bool AtLeastL(long[] a)
            {
                for (int i = 11; i >= 0; i--)
                {
                    if (a[i] != L21[i]) return a[i] > L21[i];
                }
                return true;
            }
        }
    }

    // =================================================================================================
    // 11. Json
    //    The strict RFC 8259 reader (UTF-8 bytes or a string -> an immutable JsonValue tree) and the compact
    //    writer used for request bodies. Everything the reader sees (server responses, decoded payloads, session
    //    token bodies) is attacker-controlled, so it is strict where a lenient parser would let two parsers disagree
    //    (duplicate keys, invalid UTF-8, lone surrogates, trailing data), bounded in depth and in time (linear in
    //    the input, no recursion), and its errors name a rule and a byte position but never echo input text,
    //    because that text can hold secrets.
    // =================================================================================================

    /// <summary>The kind of a <see cref="JsonValue"/>.</summary>
    internal enum JsonKind : byte { Null, False, True, Number, String, Array, Object }

    /// <summary>Malformed or over-limit JSON. The message names the position and the rule, never the input text.</summary>
    internal sealed class JsonFormatException : Exception
    {
        /// <summary>Creates the exception; <paramref name="message"/> must not contain input text.</summary>
        public JsonFormatException(string message, int position) : base(message) { Position = position; }

        /// <summary>Byte offset of the offending input in its UTF-8 form (for a string input, of its UTF-8 encoding).</summary>
        public int Position { get; }
    }

    /// <summary>An immutable JSON value tree node.</summary>
    internal sealed class JsonValue
    {
        // Up to this many members a linear scan beats hashing; beyond it an ordinal dictionary keeps duplicate
        // detection and lookup linear overall for huge attacker-sent objects.
        internal const int IndexThreshold = 16;

        private static readonly JsonValue[] NoItems = new JsonValue[0];
        private static readonly KeyValuePair<string, JsonValue>[] NoMembers = new KeyValuePair<string, JsonValue>[0];

        /// <summary>The JSON <c>null</c> literal.</summary>
        public static readonly JsonValue Null = new JsonValue(JsonKind.Null, null);
        /// <summary>The JSON <c>true</c> literal.</summary>
        public static readonly JsonValue True = new JsonValue(JsonKind.True, null);
        /// <summary>The JSON <c>false</c> literal.</summary>
        public static readonly JsonValue False = new JsonValue(JsonKind.False, null);

        private readonly JsonKind _kind;
        // The decoded value of a string, or the raw literal of a number (kept raw so no precision is lost).
        private readonly string? _text;
        private readonly JsonValue[] _items;
        private readonly KeyValuePair<string, JsonValue>[] _members;
        // Member name -> index in _members; only for objects above IndexThreshold.
        private readonly Dictionary<string, int>? _index;

        private JsonValue(JsonKind kind, string? text)
        {
            _kind = kind;
            _text = text;
            _items = NoItems;
            _members = NoMembers;
        }

        private JsonValue(JsonValue[] items)
        {
            _kind = JsonKind.Array;
            _items = items;
            _members = NoMembers;
        }

        private JsonValue(KeyValuePair<string, JsonValue>[] members, Dictionary<string, int>? index)
        {
            _kind = JsonKind.Object;
            _items = NoItems;
            _members = members;
            _index = index;
        }

        /// <summary>What this value is.</summary>
        public JsonKind Kind => _kind;

        /// <summary>The string's value for <see cref="JsonKind.String"/>; otherwise null.</summary>
        public string? AsString() => _kind == JsonKind.String ? _text : null;

        /// <summary>The number's literal exactly as written (e.g. <c>1.7404332E9</c>) for <see cref="JsonKind.Number"/>; otherwise null.</summary>
        public string? AsNumberLiteral() => _kind == JsonKind.Number ? _text : null;

        /// <summary>A number literal with an integral value that fits in a long (e.g. 1740433200, 1.7404332E9); otherwise false.</summary>
        /// <remarks>Decided on the decimal digits, not through <see cref="double"/>, so large integers are exact.</remarks>
        public bool TryGetInt64(out long value)
        {
            value = 0;
            return _kind == JsonKind.Number && JsonNumber.TryGetInt64(_text!, out value);
        }

        /// <summary>Member of an object by exact (ordinal) name; null when absent or when this is not an object.</summary>
        /// <exception cref="ArgumentNullException"><paramref name="name"/> is null.</exception>
        public JsonValue? this[string name]
        {
            get
            {
                if (name == null) throw new ArgumentNullException(nameof(name));
                if (_kind != JsonKind.Object) return null;
                if (_index != null) return _index.TryGetValue(name, out int at) ? _members[at].Value : null;
                KeyValuePair<string, JsonValue>[] members = _members;
                for (int i = 0; i < members.Length; i++)
                {
                    if (string.Equals(members[i].Key, name, StringComparison.Ordinal)) return members[i].Value;
                }
                return null;
            }
        }

        // Direct access for the writer and the CLR copier, which only read. The client reads members by name and never
        // enumerates a tree, so there are no public views of these.
        internal JsonValue[] ItemArray => _items;
        internal KeyValuePair<string, JsonValue>[] MemberArray => _members;

        /// <summary>A fresh CLR copy: string, long or double, bool, null, List, Dictionary (ordinal keys).</summary>
        /// <remarks>
        /// Numbers become <see cref="long"/> when <see cref="TryGetInt64"/> succeeds, else <see cref="double"/>
        /// (infinity for a literal beyond the double range). Nothing in the copy is shared with this tree or with
        /// an earlier copy. Iterative, so an arbitrarily deep tree cannot exhaust the stack.
        /// </remarks>
        public object? ToClrObject()
        {
            if (_kind != JsonKind.Array && _kind != JsonKind.Object) return ScalarToClr(this);
            object root = NewClrContainer(this);
            // Each container is placed in its parent when first seen, so the order containers are filled in is free.
            var pending = new Stack<KeyValuePair<JsonValue, object>>();
            pending.Push(new KeyValuePair<JsonValue, object>(this, root));
            while (pending.Count > 0)
            {
                KeyValuePair<JsonValue, object> work = pending.Pop();
                JsonValue node = work.Key;
                if (node._kind == JsonKind.Array)
                {
                    var list = (List<object?>)work.Value;
                    foreach (JsonValue item in node._items)
                    {
                        list.Add(CopyChild(item, pending));
                    }
                }
                else
                {
                    var map = (Dictionary<string, object?>)work.Value;
                    foreach (KeyValuePair<string, JsonValue> member in node._members)
                    {
                        map.Add(member.Key, CopyChild(member.Value, pending));
                    }
                }
            }
            return root;
        }

        private static object? CopyChild(JsonValue child, Stack<KeyValuePair<JsonValue, object>> pending)
        {
            if (child._kind != JsonKind.Array && child._kind != JsonKind.Object) return ScalarToClr(child);
            object container = NewClrContainer(child);
            pending.Push(new KeyValuePair<JsonValue, object>(child, container));
            return container;
        }

        private static object NewClrContainer(JsonValue node) =>
            node._kind == JsonKind.Array
                ? new List<object?>(node._items.Length)
                : (object)new Dictionary<string, object?>(node._members.Length, StringComparer.Ordinal);

        private static object? ScalarToClr(JsonValue node)
        {
            switch (node._kind)
            {
                case JsonKind.String: return node._text;
                case JsonKind.True: return true;
                case JsonKind.False: return false;
                case JsonKind.Number:
                    if (node.TryGetInt64(out long integral)) return integral;
                    if (JsonNumber.TryParseDouble(node._text!, out double real) && !double.IsNaN(real)) return real;
                    // Only overflow makes a grammatical literal unparsable (on .NET Framework; .NET Core returns infinity).
                    return node._text![0] == '-' ? double.NegativeInfinity : double.PositiveInfinity;
                default: return null;
            }
        }

        // Parser-side constructors: the reader has already validated the text and rejected duplicate names.
        internal static JsonValue ParsedString(string value) => new JsonValue(JsonKind.String, value);
        internal static JsonValue ParsedNumber(string literal) => new JsonValue(JsonKind.Number, literal);
        // Only the reader builds trees, so every tree has passed its rules (no duplicate names, bounded depth).
        internal static JsonValue ParsedArray(JsonValue[] items) => new JsonValue(items.Length == 0 ? NoItems : items);
        internal static JsonValue ParsedObject(KeyValuePair<string, JsonValue>[] members, Dictionary<string, int>? index) =>
            new JsonValue(members.Length == 0 ? NoMembers : members, index);
    }

    /// <summary>Number literal grammar and exact conversions, shared by the reader and the value factories.</summary>
    internal static class JsonNumber
    {
        // Exponents are only compared against literal lengths (< 2^31), so clamping here loses nothing and stops overflow.
        private const long ExponentClamp = 1_000_000_000_000L;

        /// <summary>Length of the strict-grammar number at <paramref name="start"/>, or a negative value -(1 + error offset) with the rule in <paramref name="rule"/>.</summary>
        internal static int Scan(byte[] s, int start, out string? rule)
        {
            rule = null;
            int p = start;
            if (p < s.Length && s[p] == '-') p++;
            if (p >= s.Length || !IsDigit(s[p])) { rule = "number without digits"; return -1 - p; }
            if (s[p] == '0')
            {
                p++;
                if (p < s.Length && IsDigit(s[p])) { rule = "number with a leading zero"; return -1 - start; }
            }
            else
            {
                while (p < s.Length && IsDigit(s[p])) p++;
            }
            if (p < s.Length && s[p] == '.')
            {
                p++;
                if (p >= s.Length || !IsDigit(s[p])) { rule = "number without digits after the decimal point"; return -1 - p; }
                while (p < s.Length && IsDigit(s[p])) p++;
            }
            if (p < s.Length && (s[p] == 'e' || s[p] == 'E'))
            {
                p++;
                if (p < s.Length && (s[p] == '+' || s[p] == '-')) p++;
                if (p >= s.Length || !IsDigit(s[p])) { rule = "number without exponent digits"; return -1 - p; }
                while (p < s.Length && IsDigit(s[p])) p++;
            }
            return p - start;
        }

        /// <summary>Exact integral test on a grammatical literal: digits times a power of ten, without floating point.</summary>
        internal static bool TryGetInt64(string s, out long value)
        {
            value = 0;
            int n = s.Length;
            int i = 0;
            bool negative = s[0] == '-';
            if (negative) i++;

            // Plain integers of up to 18 digits cannot overflow: the common case (timestamps, counts) stays cheap.
            if (n - i <= 18)
            {
                long quick = 0;
                int k = i;
                while (k < n && IsDigit(s[k])) quick = quick * 10 + (s[k++] - '0');
                if (k == n)
                {
                    value = negative ? -quick : quick;
                    return true;
                }
            }

            int intStart = i;
            while (i < n && IsDigit(s[i])) i++;
            int intLength = i - intStart;
            int fracStart = i, fracLength = 0;
            if (i < n && s[i] == '.')
            {
                fracStart = ++i;
                while (i < n && IsDigit(s[i])) i++;
                fracLength = i - fracStart;
            }
            long exponent = 0;
            if (i < n)
            {
                i++; // 'e' or 'E'
                bool negativeExponent = s[i] == '-';
                if (s[i] == '-' || s[i] == '+') i++;
                for (; i < n; i++)
                {
                    if (exponent < ExponentClamp) exponent = exponent * 10 + (s[i] - '0');
                }
                if (negativeExponent) exponent = -exponent;
            }

            // The significant digits are the integer digits followed by the fraction digits.
            int total = intLength + fracLength;
            int first = 0;
            while (first < total && DigitAt(s, intStart, intLength, fracStart, first) == '0') first++;
            if (first == total) return true; // zero, however it is written (0.000, -0, 0e999)
            int last = total - 1;
            while (DigitAt(s, intStart, intLength, fracStart, last) == '0') last--;

            // value = digits[first..last] * 10^scale, with no trailing zeros left in the digits.
            long scale = exponent - fracLength + (total - 1 - last);
            if (scale < 0) return false; // a non-zero last digit below the units: not integral
            int significant = last - first + 1;
            if (significant + scale > 19) return false; // at least 10^19 > long.MaxValue

            ulong magnitude = 0;
            for (int k = first; k <= last; k++) magnitude = magnitude * 10 + (ulong)(DigitAt(s, intStart, intLength, fracStart, k) - '0');
            for (long k = 0; k < scale; k++) magnitude *= 10; // at most 19 digits: fits in ulong
            const ulong limit = 9_223_372_036_854_775_808UL; // |long.MinValue|
            if (negative)
            {
                if (magnitude > limit) return false;
                value = magnitude == limit ? long.MinValue : -(long)magnitude;
            }
            else
            {
                if (magnitude >= limit) return false;
                value = (long)magnitude;
            }
            return true;
        }

        /// <summary>Parses a grammatical literal; false on overflow where the runtime reports it that way (.NET Framework).</summary>
        internal static bool TryParseDouble(string literal, out double value) =>
            double.TryParse(
                literal,
                NumberStyles.AllowLeadingSign | NumberStyles.AllowDecimalPoint | NumberStyles.AllowExponent,
                CultureInfo.InvariantCulture,
                out value);

        private static char DigitAt(string s, int intStart, int intLength, int fracStart, int k) =>
            k < intLength ? s[intStart + k] : s[fracStart + k - intLength];

        private static bool IsDigit(int c) => c >= '0' && c <= '9';
    }

    /// <summary>Entry points of the strict reader.</summary>
    internal static class Json
    {
        /// <summary>Default nesting limit for arrays and objects.</summary>
        public const int DefaultMaxDepth = 32;

        /// <summary>
        /// Parses exactly one JSON value (RFC 8259, strict) from UTF-8 bytes. A leading byte order mark is rejected:
        /// RFC 8259 forbids senders to add one and no AuthForge producer does.
        /// </summary>
        /// <param name="utf8">The whole document.</param>
        /// <param name="maxDepth">Deepest allowed nesting of arrays and objects; 0 allows only a scalar.</param>
        /// <exception cref="JsonFormatException">Malformed, invalid UTF-8, duplicate member names, or deeper than <paramref name="maxDepth"/>.</exception>
        public static JsonValue Parse(byte[] utf8, int maxDepth = DefaultMaxDepth)
        {
            if (utf8 == null) throw new ArgumentNullException(nameof(utf8));
            if (maxDepth < 0) throw new ArgumentOutOfRangeException(nameof(maxDepth));
            return new Reader(utf8, maxDepth).ParseDocument();
        }

        /// <summary>
        /// Parses exactly one JSON value from text; the rules are those of <see cref="Parse(byte[], int)"/> applied to
        /// the text's UTF-8 encoding, so an unpaired UTF-16 surrogate is an error and positions are UTF-8 byte offsets.
        /// </summary>
        public static JsonValue Parse(string text, int maxDepth = DefaultMaxDepth)
        {
            if (text == null) throw new ArgumentNullException(nameof(text));
            if (maxDepth < 0) throw new ArgumentOutOfRangeException(nameof(maxDepth));
            // Encoding.UTF8 would silently turn a lone surrogate into U+FFFD; that is a different string, so refuse.
            int bytePosition = 0;
            for (int i = 0; i < text.Length; i++)
            {
                char c = text[i];
                if (c < 0x80) bytePosition += 1;
                else if (c < 0x800) bytePosition += 2;
                else if (!char.IsSurrogate(c)) bytePosition += 3;
                else if (char.IsHighSurrogate(c) && i + 1 < text.Length && char.IsLowSurrogate(text[i + 1]))
                {
                    bytePosition += 4;
                    i++;
                }
                else throw Reader.Error("unpaired UTF-16 surrogate", bytePosition);
            }
            return new Reader(Encoding.UTF8.GetBytes(text), maxDepth).ParseDocument();
        }

        // One instance per document: it owns the scratch buffers reused across all strings and containers in it.
        private sealed class Reader
        {
            private struct Frame
            {
                public bool IsObject;
                public int Start;          // first index of this container's entries in _items or _members
                public string? Name;       // the member whose value is being read
                public Dictionary<string, int>? Index;
            }

            private static readonly byte[] TrueBytes = { (byte)'t', (byte)'r', (byte)'u', (byte)'e' };
            private static readonly byte[] FalseBytes = { (byte)'f', (byte)'a', (byte)'l', (byte)'s', (byte)'e' };
            private static readonly byte[] NullBytes = { (byte)'n', (byte)'u', (byte)'l', (byte)'l' };

            private readonly byte[] _s;
            private readonly int _maxDepth;
            private int _pos;
            private char[] _chars = new char[64];
            // Entries of all open containers, innermost last; a closing container takes its tail. This keeps
            // allocation to one exact-size array per container instead of a growing list per container.
            private readonly List<JsonValue> _items = new List<JsonValue>();
            private readonly List<KeyValuePair<string, JsonValue>> _members = new List<KeyValuePair<string, JsonValue>>();
            private Frame[] _frames = new Frame[8];
            private int _depth;

            public Reader(byte[] utf8, int maxDepth)
            {
                _s = utf8;
                _maxDepth = maxDepth;
            }

            public static JsonFormatException Error(string rule, int position) =>
                new JsonFormatException(
                    "Invalid JSON: " + rule + " at byte " + position.ToString(CultureInfo.InvariantCulture) + ".",
                    position);

            public JsonValue ParseDocument()
            {
                if (_s.Length >= 3 && _s[0] == 0xEF && _s[1] == 0xBB && _s[2] == 0xBF) throw Error("byte order mark", 0);
                SkipWhitespace();
                while (true)
                {
                    JsonValue? value = ReadValueOrOpen();
                    if (value == null) continue; // a non-empty container was opened: its first entry is next

                    // Hand finished values to their container, closing containers until one expects another entry.
                    while (true)
                    {
                        if (_depth == 0)
                        {
                            SkipWhitespace();
                            if (_pos != _s.Length) throw Error("data after the value", _pos);
                            return value;
                        }
                        ref Frame frame = ref _frames[_depth - 1];
                        if (frame.IsObject) _members.Add(new KeyValuePair<string, JsonValue>(frame.Name!, value));
                        else _items.Add(value);
                        SkipWhitespace();
                        if (_pos >= _s.Length) throw Error("unexpected end of input", _pos);
                        byte b = _s[_pos];
                        if (b == ',')
                        {
                            _pos++;
                            SkipWhitespace();
                            if (frame.IsObject) ReadMemberName(ref frame);
                            break;
                        }
                        if (b == (frame.IsObject ? '}' : ']'))
                        {
                            _pos++;
                            value = Close();
                            continue;
                        }
                        throw Error(frame.IsObject ? "expected ',' or '}' after a member" : "expected ',' or ']' after an item", _pos);
                    }
                }
            }

            // Reads a scalar or an empty container; for a non-empty container, opens it and returns null.
            private JsonValue? ReadValueOrOpen()
            {
                if (_pos >= _s.Length) throw Error("unexpected end of input", _pos);
                byte b = _s[_pos];
                switch (b)
                {
                    case (byte)'{':
                        Open(true);
                        _pos++;
                        SkipWhitespace();
                        if (_pos < _s.Length && _s[_pos] == '}')
                        {
                            _pos++;
                            return Close();
                        }
                        ReadMemberName(ref _frames[_depth - 1]);
                        return null;
                    case (byte)'[':
                        Open(false);
                        _pos++;
                        SkipWhitespace();
                        if (_pos < _s.Length && _s[_pos] == ']')
                        {
                            _pos++;
                            return Close();
                        }
                        return null;
                    case (byte)'"':
                        return JsonValue.ParsedString(ReadString());
                    case (byte)'t':
                        ReadLiteral(TrueBytes);
                        return JsonValue.True;
                    case (byte)'f':
                        ReadLiteral(FalseBytes);
                        return JsonValue.False;
                    case (byte)'n':
                        ReadLiteral(NullBytes);
                        return JsonValue.Null;
                    default:
                        if (b == '-' || (b >= '0' && b <= '9')) return ReadNumber();
                        throw Error("unexpected character where a value was expected", _pos);
                }
            }

            private void Open(bool isObject)
            {
                if (_depth >= _maxDepth) throw Error("nesting deeper than the limit of " + _maxDepth.ToString(CultureInfo.InvariantCulture), _pos);
                if (_depth == _frames.Length) Array.Resize(ref _frames, _frames.Length * 2);
                _frames[_depth++] = new Frame { IsObject = isObject, Start = isObject ? _members.Count : _items.Count };
            }

            private JsonValue Close()
            {
                ref Frame frame = ref _frames[--_depth];
                JsonValue result;
                if (frame.IsObject)
                {
                    int count = _members.Count - frame.Start;
                    var members = new KeyValuePair<string, JsonValue>[count];
                    _members.CopyTo(frame.Start, members, 0, count);
                    _members.RemoveRange(frame.Start, count);
                    result = JsonValue.ParsedObject(members, frame.Index);
                }
                else
                {
                    int count = _items.Count - frame.Start;
                    var items = new JsonValue[count];
                    _items.CopyTo(frame.Start, items, 0, count);
                    _items.RemoveRange(frame.Start, count);
                    result = JsonValue.ParsedArray(items);
                }
                frame = default; // drop references to the name and index
                return result;
            }

            // Reads `"name"` and `:`, rejecting a name already in this object, and leaves _pos at the value.
            private void ReadMemberName(ref Frame frame)
            {
                if (_pos >= _s.Length || _s[_pos] != '"') throw Error("expected a member name string", _pos);
                int namePosition = _pos;
                string name = ReadString();
                int count = _members.Count - frame.Start;
                if (frame.Index != null)
                {
                    if (frame.Index.ContainsKey(name)) throw Error("duplicate member name", namePosition);
                    frame.Index.Add(name, count);
                }
                else
                {
                    for (int i = frame.Start; i < _members.Count; i++)
                    {
                        if (string.Equals(_members[i].Key, name, StringComparison.Ordinal)) throw Error("duplicate member name", namePosition);
                    }
                    if (count >= JsonValue.IndexThreshold)
                    {
                        var index = new Dictionary<string, int>(count * 2, StringComparer.Ordinal);
                        for (int i = 0; i < count; i++) index.Add(_members[frame.Start + i].Key, i);
                        index.Add(name, count);
                        frame.Index = index;
                    }
                }
                frame.Name = name;
                SkipWhitespace();
                if (_pos >= _s.Length || _s[_pos] != ':') throw Error("expected ':' after a member name", _pos);
                _pos++;
                SkipWhitespace();
            }

            private void ReadLiteral(byte[] literal)
            {
                if (_s.Length - _pos < literal.Length) throw Error("invalid literal", _pos);
                for (int i = 0; i < literal.Length; i++)
                {
                    if (_s[_pos + i] != literal[i]) throw Error("invalid literal", _pos);
                }
                _pos += literal.Length;
            }

            private JsonValue ReadNumber()
            {
                int length = JsonNumber.Scan(_s, _pos, out string? rule);
                if (length < 0) throw Error(rule!, -1 - length);
                EnsureChars(length);
                for (int i = 0; i < length; i++) _chars[i] = (char)_s[_pos + i];
                _pos += length;
                return JsonValue.ParsedNumber(new string(_chars, 0, length));
            }

            // Decodes the string at _pos (on its opening quote) in one pass, validating UTF-8 and escapes as it goes.
            private string ReadString()
            {
                byte[] s = _s;
                int start = _pos;
                int p = start + 1;
                int n = 0;
                char[] chars = _chars;
                while (true)
                {
                    if (p >= s.Length) throw Error("unterminated string", start);
                    // Two slots always suffice for one step (a surrogate pair at most).
                    if (n + 2 > chars.Length) chars = EnsureChars(n + 2);
                    byte b = s[p];
                    if (b == '"')
                    {
                        _pos = p + 1;
                        return n == 0 ? string.Empty : new string(chars, 0, n);
                    }
                    if (b == '\\')
                    {
                        p = ReadEscape(p, chars, ref n);
                    }
                    else if (b < 0x20)
                    {
                        throw Error("control character in a string", p);
                    }
                    else if (b < 0x80)
                    {
                        chars[n++] = (char)b;
                        p++;
                    }
                    else
                    {
                        p = ReadUtf8(p, chars, ref n);
                    }
                }
            }

            // Unicode Table 3-7 (well-formed UTF-8): excludes overlongs, UTF-8-encoded surrogates and code points above U+10FFFF.
            private int ReadUtf8(int p, char[] chars, ref int n)
            {
                byte[] s = _s;
                byte b = s[p];
                int trailing, codePoint, low = 0x80, high = 0xBF;
                if (b >= 0xC2 && b <= 0xDF)
                {
                    trailing = 1;
                    codePoint = b & 0x1F;
                }
                else if (b >= 0xE0 && b <= 0xEF)
                {
                    trailing = 2;
                    codePoint = b & 0x0F;
                    if (b == 0xE0) low = 0xA0;
                    else if (b == 0xED) high = 0x9F;
                }
                else if (b >= 0xF0 && b <= 0xF4)
                {
                    trailing = 3;
                    codePoint = b & 0x07;
                    if (b == 0xF0) low = 0x90;
                    else if (b == 0xF4) high = 0x8F;
                }
                else
                {
                    throw Error("invalid UTF-8", p);
                }
                for (int k = 1; k <= trailing; k++)
                {
                    if (p + k >= s.Length) throw Error("invalid UTF-8", p);
                    byte c = s[p + k];
                    if (c < low || c > high) throw Error("invalid UTF-8", p);
                    codePoint = (codePoint << 6) | (c & 0x3F);
                    low = 0x80;
                    high = 0xBF;
                }
                if (codePoint >= 0x10000)
                {
                    codePoint -= 0x10000;
                    chars[n++] = (char)(0xD800 + (codePoint >> 10));
                    chars[n++] = (char)(0xDC00 + (codePoint & 0x3FF));
                }
                else
                {
                    chars[n++] = (char)codePoint;
                }
                return p + trailing + 1;
            }

            private int ReadEscape(int p, char[] chars, ref int n)
            {
                byte[] s = _s;
                if (p + 1 >= s.Length) throw Error("unterminated string", p);
                char c;
                switch (s[p + 1])
                {
                    case (byte)'"': c = '"'; break;
                    case (byte)'\\': c = '\\'; break;
                    case (byte)'/': c = '/'; break;
                    case (byte)'b': c = '\b'; break;
                    case (byte)'f': c = '\f'; break;
                    case (byte)'n': c = '\n'; break;
                    case (byte)'r': c = '\r'; break;
                    case (byte)'t': c = '\t'; break;
                    case (byte)'u':
                        int unit = ReadHex4(p);
                        if (unit >= 0xDC00 && unit <= 0xDFFF) throw Error("unpaired surrogate escape", p);
                        if (unit >= 0xD800 && unit <= 0xDBFF)
                        {
                            // A high surrogate is only a character together with an escaped low surrogate right after it.
                            if (p + 7 >= s.Length || s[p + 6] != '\\' || s[p + 7] != 'u') throw Error("unpaired surrogate escape", p);
                            int second = ReadHex4(p + 6);
                            if (second < 0xDC00 || second > 0xDFFF) throw Error("unpaired surrogate escape", p);
                            chars[n++] = (char)unit;
                            chars[n++] = (char)second;
                            return p + 12;
                        }
                        chars[n++] = (char)unit;
                        return p + 6;
                    default:
                        throw Error("invalid escape", p);
                }
                chars[n++] = c;
                return p + 2;
            }

            // The four hex digits of the \u escape whose backslash is at p.
            private int ReadHex4(int p)
            {
                if (p + 6 > _s.Length) throw Error("invalid \\u escape", p);
                int value = 0;
                for (int i = p + 2; i < p + 6; i++)
                {
                    int b = _s[i];
                    int digit;
                    if (b >= '0' && b <= '9') digit = b - '0';
                    else if (b >= 'a' && b <= 'f') digit = b - 'a' + 10;
                    else if (b >= 'A' && b <= 'F') digit = b - 'A' + 10;
                    else throw Error("invalid \\u escape", p);
                    value = (value << 4) | digit;
                }
                return value;
            }

            private char[] EnsureChars(int needed)
            {
                if (_chars.Length < needed)
                {
                    int size = _chars.Length;
                    while (size < needed) size *= 2;
                    Array.Resize(ref _chars, size);
                }
                return _chars;
            }

            private void SkipWhitespace()
            {
                byte[] s = _s;
                int p = _pos;
                while (p < s.Length)
                {
                    byte b = s[p];
                    if (b != ' ' && b != '\t' && b != '\n' && b != '\r') break;
                    p++;
                }
                _pos = p;
            }
        }
    }

    /// <summary>Compact JSON text, built front to back: objects of string, integer and boolean properties, which is
    /// all a request body or a store record holds.</summary>
    /// <remarks>
    /// Misuse (a property outside an object, unbalanced ends, a second top-level value, reading an unfinished
    /// document) throws <see cref="InvalidOperationException"/>. Member names are not checked for duplicates: the
    /// caller writes fixed names.
    /// </remarks>
    internal sealed class JsonWriter
    {
        private readonly StringBuilder _text = new StringBuilder(256);
        // How many objects are open.
        private int _depth;
        private bool _needComma;
        private bool _complete;

        /// <summary>Starts the document's top-level object.</summary>
        public JsonWriter BeginObject()
        {
            if (_complete || _depth > 0) throw new InvalidOperationException("An object inside an object needs a property name.");
            return Open();
        }

        /// <summary>Starts an object as the value of a property of the current object.</summary>
        public JsonWriter BeginObject(string name)
        {
            BeforeProperty(name);
            return Open();
        }

        /// <summary>Ends the current object.</summary>
        public JsonWriter EndObject()
        {
            if (_depth == 0) throw new InvalidOperationException("No object is open.");
            _depth--;
            _text.Append('}');
            return AfterValue();
        }

        /// <summary>Writes a string property; <c>null</c> when <paramref name="value"/> is null.</summary>
        public JsonWriter Property(string name, string? value)
        {
            BeforeProperty(name);
            WriteStringOrNull(value);
            return AfterValue();
        }

        /// <summary>Writes an integer property.</summary>
        public JsonWriter Property(string name, long value)
        {
            BeforeProperty(name);
            _text.Append(value.ToString(CultureInfo.InvariantCulture));
            return AfterValue();
        }

        /// <summary>Writes a boolean property.</summary>
        public JsonWriter Property(string name, bool value)
        {
            BeforeProperty(name);
            _text.Append(value ? "true" : "false");
            return AfterValue();
        }

        /// <summary>The finished document; <see cref="InvalidOperationException"/> while it is empty or has open objects.</summary>
        public override string ToString()
        {
            // Handing out half a document would put malformed JSON on the wire without any error.
            if (!_complete) throw new InvalidOperationException("The JSON document is not complete.");
            return _text.ToString();
        }

        private JsonWriter Open()
        {
            _text.Append('{');
            _depth++;
            _needComma = false;
            return this;
        }

        private void BeforeProperty(string name)
        {
            if (name == null) throw new ArgumentNullException(nameof(name));
            if (_depth == 0) throw new InvalidOperationException("A property can only be written inside an object.");
            if (_needComma) _text.Append(',');
            WriteString(name);
            _text.Append(':');
        }

        private JsonWriter AfterValue()
        {
            _needComma = true;
            if (_depth == 0) _complete = true;
            return this;
        }

        private void WriteStringOrNull(string? value)
        {
            if (value == null) _text.Append("null");
            else WriteString(value);
        }

        // Escapes only what JSON requires; '/' and non-ASCII are written as they are.
        private void WriteString(string value)
        {
            StringBuilder text = _text;
            text.Append('"');
            int run = 0; // start of the pending run of characters that need no escaping
            for (int i = 0; i < value.Length; i++)
            {
                char c = value[i];
                if (c >= 0x20 && c != '"' && c != '\\' && !char.IsSurrogate(c)) continue;
                if (char.IsHighSurrogate(c) && i + 1 < value.Length && char.IsLowSurrogate(value[i + 1]))
                {
                    i++;
                    continue;
                }
                if (char.IsSurrogate(c))
                {
                    // UTF-8 on the wire cannot carry it; silently replacing it would send a different string.
                    throw new ArgumentException("The string contains an unpaired UTF-16 surrogate.", nameof(value));
                }
                text.Append(value, run, i - run);
                if (c == '"') text.Append("\\\"");
                else if (c == '\\') text.Append("\\\\");
                else text.Append("\\u00").Append(Hex.Digits[c >> 4]).Append(Hex.Digits[c & 0xF]);
                run = i + 1;
            }
            text.Append(value, run, value.Length - run);
            text.Append('"');
        }
    }
}
