// AuthForge.cs — the AuthForge licence client for .NET in one drop-in file.
//
// Copy this file into any project (netstandard2.0 or later, C# 9 or later; no package needed) and call
// `new AuthForgeClient(...).Login(key)`. The wire protocol is PROTOCOL.md of the AuthForge SDKs: generations
// v1 and v2 (HMAC-SHA256) and v3 (Ed25519). MIT licence; see the repository's LICENSE.
//
// The file reads top to bottom like a short book; each section opens with a banner saying what it owns:
//   1. Public surface      what users touch: the client, options, results, the exception and its codes
//   2. Session             the immutable verified session the client swaps atomically
//   3. Protocol            request bodies and the one pure function that decides whether a response is trusted
//   4. Signatures          HMAC (v1/v2) and Ed25519 (v3) verifiers behind one small type
//   5. Transport           one bounded, timed POST; the retry policy
//   6. Scheduler           one timer for every client's heartbeats in the process
//   7. Primitives          clock, nonces, hex, strict base64, constant-time comparison
//   8. Fingerprint         the hardware id, computed once per process
//   9. Ed25519             RFC 8032 verification, written from the RFC
//  10. Json                a strict, bounded reader and a compact writer

using System;
using System.Collections.Generic;
using System.Diagnostics;
using System.Globalization;
using System.IO;
using System.Net.Http;
using System.Runtime.CompilerServices;
using System.Security.Cryptography;
using System.Text;
using System.Threading;
using System.Threading.Tasks;

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

        /// <summary><see cref="AuthForgeClient.Login"/> could not reach the server (after its retry).</summary>
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
        /// <summary>The session has ended (server-side, or locally in <see cref="HeartbeatMode.Local"/>).</summary>
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
        /// <summary>The server answered with an error code this client does not know.</summary>
        public const string UnknownError = "unknown_error";

        /// <summary>The response's signature did not verify: it was forged, altered, or signed with another key.</summary>
        public const string SignatureMismatch = "signature_mismatch";
        /// <summary>The signed payload answers another request (a replay).</summary>
        public const string NonceMismatch = "nonce_mismatch";
        /// <summary>The signed payload carries no session token.</summary>
        public const string MissingSessionToken = "missing_sessionToken";
        /// <summary>Neither the session token nor the payload says when the session expires.</summary>
        public const string MissingExpiresIn = "missing_expiresIn";
        /// <summary>A success response whose body is not a JSON object.</summary>
        public const string InvalidJsonResponse = "invalid_json_response";
        /// <summary>A success response without a payload.</summary>
        public const string MissingPayload = "missing_payload";
        /// <summary>A success response without a signature.</summary>
        public const string MissingSignature = "missing_signature";
        /// <summary>The signed payload is not base64 of a JSON object, or a field has an impossible value.</summary>
        public const string InvalidPayload = "invalid_payload";
        /// <summary>The response body exceeded the configured size limit.</summary>
        public const string ResponseTooLarge = "response_too_large";
        /// <summary>The server could not be reached, or the connection failed mid-response.</summary>
        public const string NetworkError = "network_error";
        /// <summary>The server did not answer within the request time-out.</summary>
        public const string Timeout = "timeout";

        /// <summary>The prefix of <c>http_error_&lt;status&gt;</c>: a non-success HTTP status without a JSON error body.</summary>
        public const string HttpErrorPrefix = "http_error_";

        /// <summary>The code for an HTTP status that came without a readable error body, e.g. <c>http_error_502</c>.</summary>
        public static string HttpError(int statusCode) => HttpErrorPrefix + statusCode.ToString(CultureInfo.InvariantCulture);

        private static readonly Dictionary<string, string> s_serverCodes = new Dictionary<string, string>(StringComparer.Ordinal)
        {
            [InvalidApp] = "The app id or app secret is not known to the server.",
            [InvalidKey] = "The licence key does not exist.",
            [Expired] = "The licence has expired.",
            [Revoked] = "The licence has been revoked.",
            [HwidMismatch] = "The licence is bound to other hardware.",
            [NoCredits] = "The licence has no credits left.",
            [Blocked] = "This hardware id or IP address is blocked.",
            [RateLimited] = "The server is rate limiting requests.",
            [ReplayDetected] = "The server saw this request's nonce before.",
            [AppDisabled] = "The app is disabled.",
            [SessionExpired] = "The session has expired.",
            [RevokeRequiresSession] = "Revoking a licence needs a session.",
            [BadRequest] = "The server could not read the request.",
            [ServerError] = "The server failed internally.",
            [ChecksumRequired] = "The app requires a checksum.",
            [ChecksumMismatch] = "The app checksum did not match.",
        };

        /// <summary>True for the error codes an AuthForge server sends (PROTOCOL.md), false for client-side codes.</summary>
        public static bool IsServerCode(string code) => code != null && s_serverCodes.ContainsKey(code);

        internal static string DescribeServerCode(string code) =>
            s_serverCodes.TryGetValue(code, out string? text) ? text : "The server answered with an unknown error.";
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
            : base(message, innerException)
        {
            Code = string.IsNullOrEmpty(code) ? AuthForgeErrorCodes.UnknownError : code;
            HttpStatusCode = httpStatusCode;
        }

        /// <summary>The machine-readable code: one of <see cref="AuthForgeErrorCodes"/> or <c>http_error_&lt;status&gt;</c>.</summary>
        public string Code { get; }

        /// <summary>The HTTP status of the response that failed, when there was one.</summary>
        public int? HttpStatusCode { get; }

        /// <summary>True when the server refused the request with one of its error codes.</summary>
        public bool IsServerError => AuthForgeErrorCodes.IsServerCode(Code);

        /// <summary>The code, then the usual exception text.</summary>
        public override string ToString() => "[" + Code + "] " + base.ToString();
    }

    /// <summary>
    /// Every setting of an <see cref="AuthForgeClient"/>. The properties are checked when a client is constructed
    /// from them; the options object is copied then, so changing it afterwards does not affect the client.
    /// </summary>
    public sealed class AuthForgeClientOptions
    {
        /// <summary>The address of the hosted AuthForge API.</summary>
        public const string DefaultApiBaseUrl = "https://auth.authforge.cc";

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

        /// <summary>The API's base address. Default <see cref="DefaultApiBaseUrl"/>; <c>http://</c> only for loopback
        /// hosts unless <see cref="AllowInsecureHttp"/> is set.</summary>
        public string ApiBaseUrl { get; set; } = DefaultApiBaseUrl;

        /// <summary>Called with a reason (<see cref="AuthForgeFailureReason"/>) and the exception when a login or a
        /// heartbeat fails. When null, or when it throws, the process is ended with exit code 1.</summary>
        public Action<string, Exception?>? OnFailure { get; set; }

        /// <summary>The limit on one request, from sending to the last byte of the body. Default 15 seconds.</summary>
        public TimeSpan RequestTimeout { get; set; } = TimeSpan.FromSeconds(15);

        /// <summary>The app's Ed25519 public keys (standard base64 of 32 bytes). With any key configured the client
        /// speaks protocol v3 and accepts only Ed25519 signatures; a response verifying under any one key is accepted,
        /// which is how keys are rotated. Empty: HMAC generations v1/v2.</summary>
        public IList<string> PublicKeys { get; } = new List<string>();

        /// <summary>Requested session length in seconds, sent on validate; the server clamps it to [3600, 604800].</summary>
        public int? TtlSeconds { get; set; }

        /// <summary>Used as the hardware id instead of this machine's fingerprint when not empty, e.g. <c>tg:12345</c>
        /// to bind a licence to a chat user in a bot.</summary>
        public string? HwidOverride { get; set; }

        /// <summary>An <see cref="System.Net.Http.HttpClient"/> to send requests with (proxies, corporate networks).
        /// The client never disposes it or changes its settings. Null: one shared, pooled client per process.</summary>
        public HttpClient? HttpClient { get; set; }

        /// <summary>Allows an <c>http://</c> <see cref="ApiBaseUrl"/> on a host that is not loopback. Responses are still
        /// signed, but the app secret then travels in clear text: only for networks you control.</summary>
        public bool AllowInsecureHttp { get; set; }

        /// <summary>The most bytes read of one response body; a longer body fails with
        /// <see cref="AuthForgeErrorCodes.ResponseTooLarge"/>. Default 1 MiB.</summary>
        public int MaxResponseBytes { get; set; } = DefaultMaxResponseBytes;

        // Seams for tests and benchmarks (visible to them through InternalsVisibleTo), never for users.
        internal AuthForgeClock Clock { get; set; } = AuthForgeClock.System;
        internal RetryPolicy Retry { get; set; } = RetryPolicy.Default;
        internal HeartbeatScheduler Scheduler { get; set; } = HeartbeatScheduler.Shared;
        internal Action<int> Exit { get; set; } = Environment.Exit;

        /// <summary>Describes the options without the app secret.</summary>
        public override string ToString() =>
            "AuthForgeClientOptions(AppId=" + AppId + ", HeartbeatMode=" + HeartbeatMode + ", ApiBaseUrl=" + ApiBaseUrl +
            ", PublicKeys=" + PublicKeys.Count.ToString(CultureInfo.InvariantCulture) + ")";
    }

    /// <summary>
    /// The outcome of <see cref="AuthForgeClient.ValidateLicense"/>: either a verified session's details or the code
    /// of the failure. Never contains the app secret.
    /// </summary>
    public sealed class AuthForgeValidationResult
    {
        private static readonly IReadOnlyDictionary<string, object?> s_empty = new Dictionary<string, object?>();

        private AuthForgeValidationResult() { }

        /// <summary>True when the server accepted the licence and its response verified.</summary>
        public bool IsValid { get; private set; }

        /// <summary>The failure's code (<see cref="AuthForgeErrorCodes"/>); null when valid.</summary>
        public string? Code { get; private set; }

        /// <summary>A sentence describing the failure; null when valid.</summary>
        public string? Message { get; private set; }

        /// <summary>The failure itself; null when valid.</summary>
        public AuthForgeException? Exception { get; private set; }

        /// <summary>The session token the server issued. Treat it as a credential.</summary>
        public string? SessionToken { get; private set; }

        /// <summary>When the session ends (unix seconds of <c>expiresIn</c>).</summary>
        public DateTimeOffset? ExpiresAt { get; private set; }

        /// <summary>The app's variables (a copy; empty when none).</summary>
        public IReadOnlyDictionary<string, object?> AppVariables { get; private set; } = s_empty;

        /// <summary>The licence's variables (a copy; empty when none).</summary>
        public IReadOnlyDictionary<string, object?> LicenseVariables { get; private set; } = s_empty;

        /// <summary>The id of the key that signed the response, when the server names it (v3).</summary>
        public string? KeyId { get; private set; }

        /// <summary>The session's end as the server states it (v3), when present.</summary>
        public DateTimeOffset? SessionExpiresAt { get; private set; }

        /// <summary>The licence's own expiry (v3), when it has one.</summary>
        public DateTimeOffset? LicenseExpiresAt { get; private set; }

        /// <summary>How many hardware ids the licence may bind (v3), when stated.</summary>
        public int? MaxHwidSlots { get; private set; }

        /// <summary>How many hardware ids the licence has bound (v3), when stated.</summary>
        public int? HwidCount { get; private set; }

        /// <summary>The licence's label (v3), when it has one.</summary>
        public string? LicenseLabel { get; private set; }

        /// <summary>The server's request id (v3), for support tickets.</summary>
        public string? RequestId { get; private set; }

        internal static AuthForgeValidationResult Valid(Session session) => new AuthForgeValidationResult
        {
            IsValid = true,
            SessionToken = session.SessionToken,
            ExpiresAt = session.ExpiresAt,
            AppVariables = session.CopyAppVariables(),
            LicenseVariables = session.CopyLicenseVariables(),
            KeyId = session.KeyId,
            SessionExpiresAt = Payloads.ReadInstant(session.Payload["sessionExpiresAt"]),
            LicenseExpiresAt = Payloads.ReadInstant(session.Payload["licenseExpiresAt"]),
            MaxHwidSlots = Payloads.ReadInt32(session.Payload["maxHwidSlots"]),
            HwidCount = Payloads.ReadInt32(session.Payload["hwidCount"]),
            LicenseLabel = session.Payload["licenseLabel"]?.AsString(),
            RequestId = session.Payload["requestId"]?.AsString(),
        };

        internal static AuthForgeValidationResult Invalid(AuthForgeException error) => new AuthForgeValidationResult
        {
            Code = error.Code,
            Message = error.Message,
            Exception = error,
        };

        /// <summary>A one-line summary without the session token.</summary>
        public override string ToString() => IsValid
            ? "Valid licence, session until " + ExpiresAt?.ToString("u", CultureInfo.InvariantCulture)
            : "Invalid licence: " + Code;
    }

    /// <summary>
    /// An AuthForge licence client: logs in with a licence key, verifies every response, and keeps the session
    /// alive with background heartbeats until <see cref="Logout"/> or <see cref="Dispose"/>. When the licence is
    /// revoked or expires, the failure callback is told — or, without one, the process ends with exit code 1.
    /// </summary>
    /// <remarks>
    /// All members are thread-safe. Heartbeats of every client in the process share one timer; no thread is
    /// spent per client. The failure callback runs on a thread-pool thread for heartbeats.
    /// </remarks>
    public sealed class AuthForgeClient : IDisposable
#if NETSTANDARD2_1_OR_GREATER || NETCOREAPP3_0_OR_GREATER
        , IAsyncDisposable
#endif
    {
        private const string ValidatePath = "/auth/validate";
        private const string HeartbeatPath = "/auth/heartbeat";
        private const string SelfBanPath = "/auth/selfban";

        private readonly string _appId;
        private readonly string _appSecret;
        private readonly byte[] _appSecretBytes;
        private readonly HmacSignatureVerifier _appSecretVerifier;
        private readonly HeartbeatMode _mode;
        private readonly TimeSpan _interval;
        private readonly Action<string, Exception?>? _onFailure;
        private readonly int? _ttlSeconds;
        private readonly string? _hwidOverride;
        private readonly Ed25519SignatureVerifier? _ed25519;
        private readonly HttpTransport _transport;
        private readonly AuthForgeClock _clock;
        private readonly RetryPolicy _retry;
        private readonly HeartbeatScheduler _scheduler;
        private readonly Action<int> _exit;

        // Guards transitions of _active and _disposed. Never held across I/O or a user callback.
        private readonly object _gate = new object();
        private ActiveSession? _active;
        private string? _licenseKey;
        private bool _disposed;

        /// <summary>Creates a client with the parameters of the other AuthForge SDKs.</summary>
        /// <param name="appId">Your application id. Required.</param>
        /// <param name="appSecret">Your application secret. Required.</param>
        /// <param name="heartbeatMode"><c>"SERVER"</c> or <c>"LOCAL"</c>, case-insensitive.</param>
        /// <param name="heartbeatInterval">Seconds between heartbeats (default 900).</param>
        /// <param name="apiBaseUrl">The API's base address.</param>
        /// <param name="onFailure">Called with a reason and the exception on failure; null ends the process instead.</param>
        /// <param name="requestTimeout">Seconds one request may take (default 15).</param>
        /// <param name="publicKey">The app's Ed25519 public key in base64, or several separated by commas (v3).</param>
        /// <param name="ttlSeconds">Requested session length in seconds.</param>
        /// <param name="hwidOverride">A hardware id to use instead of this machine's fingerprint.</param>
        /// <param name="httpClient">An <see cref="HttpClient"/> to send requests with; null for the shared one.</param>
        /// <param name="allowInsecureHttp">Allows <c>http://</c> to a host that is not loopback.</param>
        /// <exception cref="ArgumentException">A parameter is missing or malformed; the exception names it.</exception>
        public AuthForgeClient(string appId, string appSecret, string heartbeatMode, int heartbeatInterval = 900,
            string apiBaseUrl = AuthForgeClientOptions.DefaultApiBaseUrl, Action<string, Exception?>? onFailure = null,
            int requestTimeout = 15, string? publicKey = null, int? ttlSeconds = null, string? hwidOverride = null,
            HttpClient? httpClient = null, bool allowInsecureHttp = false)
            : this(ToOptions(appId, appSecret, ParseMode(heartbeatMode), heartbeatInterval, apiBaseUrl, onFailure,
                requestTimeout, publicKey, ttlSeconds, hwidOverride, httpClient, allowInsecureHttp))
        {
        }

        /// <summary>Creates a client; as the overload taking the mode as a string, with the mode as an enum.</summary>
        public AuthForgeClient(string appId, string appSecret, HeartbeatMode heartbeatMode, int heartbeatInterval = 900,
            string apiBaseUrl = AuthForgeClientOptions.DefaultApiBaseUrl, Action<string, Exception?>? onFailure = null,
            int requestTimeout = 15, string? publicKey = null, int? ttlSeconds = null, string? hwidOverride = null,
            HttpClient? httpClient = null, bool allowInsecureHttp = false)
            : this(ToOptions(appId, appSecret, heartbeatMode, heartbeatInterval, apiBaseUrl, onFailure,
                requestTimeout, publicKey, ttlSeconds, hwidOverride, httpClient, allowInsecureHttp))
        {
        }

        /// <summary>Creates a client from an options object (copied; later changes to it have no effect).</summary>
        /// <exception cref="ArgumentException">A setting is missing or malformed; the exception names it.</exception>
        public AuthForgeClient(AuthForgeClientOptions options)
        {
            if (options is null) throw new ArgumentNullException(nameof(options));

            _appId = RequireText(options.AppId, "appId");
            _appSecret = RequireText(options.AppSecret, "appSecret");
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

            Uri baseUri = ParseBaseUrl(options.ApiBaseUrl, options.AllowInsecureHttp);
            _ed25519 = options.PublicKeys.Count == 0 ? null : Ed25519SignatureVerifier.Parse(options.PublicKeys, "publicKey");

            _appSecretBytes = Encoding.UTF8.GetBytes(_appSecret);
            _appSecretVerifier = new HmacSignatureVerifier(_appSecretBytes);
            _mode = options.HeartbeatMode;
            _interval = options.HeartbeatInterval;
            _onFailure = options.OnFailure;
            _ttlSeconds = options.TtlSeconds;
            _hwidOverride = string.IsNullOrEmpty(options.HwidOverride) ? null : options.HwidOverride;
            _clock = options.Clock ?? AuthForgeClock.System;
            _retry = options.Retry ?? RetryPolicy.Default;
            _scheduler = options.Scheduler ?? HeartbeatScheduler.Shared;
            _exit = options.Exit ?? Environment.Exit;
            _transport = new HttpTransport(options.HttpClient ?? HttpTransport.SharedClient, baseUri,
                options.RequestTimeout, options.MaxResponseBytes);
        }

        /// <summary>The hardware id sent with requests: the override when set, else this machine's fingerprint
        /// (computed once per process, on first use).</summary>
        public string HardwareId => _hwidOverride ?? HardwareFingerprint.Current;

        /// <summary>The protocol generation this client verifies: <c>"v3"</c> with public keys, else <c>"v1/v2"</c>.</summary>
        internal bool UsesEd25519 => _ed25519 != null;

        /// <summary>
        /// Validates <paramref name="licenseKey"/>, verifies the signed response, stores the session and starts the
        /// heartbeat. On failure calls the failure callback (or ends the process) and returns false.
        /// </summary>
        /// <exception cref="ArgumentException"><paramref name="licenseKey"/> is null or empty.</exception>
        /// <exception cref="ObjectDisposedException">The client was disposed.</exception>
        public bool Login(string licenseKey)
        {
            RequireText(licenseKey, nameof(licenseKey));
            ThrowIfDisposed();
            // The network part runs on the thread pool, so a UI or ASP.NET synchronisation context can't deadlock
            // it; the failure callback then runs here, on the caller's thread, as it would have without async.
            AuthForgeException? failure = RunSync(() => LoginCoreAsync(licenseKey, CancellationToken.None));
            if (failure is null) return true;
            ReportFailure(LoginReason(failure), failure);
            return false;
        }

        /// <summary>As <see cref="Login"/>, asynchronously.</summary>
        /// <exception cref="OperationCanceledException"><paramref name="cancellationToken"/> was cancelled.</exception>
        public async Task<bool> LoginAsync(string licenseKey, CancellationToken cancellationToken = default)
        {
            RequireText(licenseKey, nameof(licenseKey));
            ThrowIfDisposed();
            AuthForgeException? failure = await LoginCoreAsync(licenseKey, cancellationToken).ConfigureAwait(false);
            if (failure is null) return true;
            ReportFailure(LoginReason(failure), failure);
            return false;
        }

        /// <summary>Stops the heartbeat at once and clears the session, the licence key and the variables.
        /// No failure is reported for the ended session afterwards.</summary>
        public void Logout()
        {
            ActiveSession? ended;
            lock (_gate)
            {
                ended = _active;
                _active = null;
                _licenseKey = null;
            }
            ended?.Heartbeat.Dispose();
        }

        /// <summary>As <see cref="Logout"/>, and completes once a heartbeat that was already running has ended.</summary>
        public Task LogoutAsync()
        {
            ActiveSession? ended;
            lock (_gate)
            {
                ended = _active;
                _active = null;
                _licenseKey = null;
            }
            if (ended is null) return Task.CompletedTask;
            ended.Heartbeat.Dispose();
            return ended.Heartbeat.WhenIdle;
        }

        /// <summary>True while a verified, unexpired session is stored.</summary>
        public bool IsAuthenticated()
        {
            ActiveSession? active = Volatile.Read(ref _active);
            return active != null && !active.Session.IsExpired(_clock);
        }

        /// <summary>A copy of the verified payload of the current session; null when not logged in.</summary>
        public IReadOnlyDictionary<string, object?>? GetSessionData() => Volatile.Read(ref _active)?.Session.CopyPayload();

        /// <summary>A copy of the app's variables; null when not logged in, empty when the app has none.</summary>
        public IReadOnlyDictionary<string, object?>? GetAppVariables() => Volatile.Read(ref _active)?.Session.CopyAppVariables();

        /// <summary>A copy of the licence's variables; null when not logged in, empty when the licence has none.</summary>
        public IReadOnlyDictionary<string, object?>? GetLicenseVariables() => Volatile.Read(ref _active)?.Session.CopyLicenseVariables();

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
                Session session = await ValidateCoreAsync(licenseKey, cancellationToken).ConfigureAwait(false);
                return AuthForgeValidationResult.Valid(session);
            }
            catch (AuthForgeException ex)
            {
                return AuthForgeValidationResult.Invalid(ex);
            }
        }

        /// <summary>
        /// Reports this installation to the server for banning (e.g. on detecting tampering). With a session (the
        /// current one, or <paramref name="sessionToken"/>) the session form is sent; without one the pre-session form,
        /// which cannot revoke, so <paramref name="revokeLicense"/> is forced off. After a successful self-ban of the
        /// current session, the client logs out.
        /// </summary>
        /// <param name="licenseKey">The licence for the pre-session form; defaults to the last one logged in with.</param>
        /// <param name="sessionToken">A session to ban instead of the current one.</param>
        /// <param name="revokeLicense">Revoke the licence (session form only).</param>
        /// <param name="blacklistHwid">Blacklist this hardware id.</param>
        /// <param name="blacklistIp">Blacklist this IP address.</param>
        /// <exception cref="ArgumentException">There is no session and no licence key to send.</exception>
        /// <exception cref="AuthForgeException">The server refused, or could not be reached.</exception>
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
            ActiveSession? active = Volatile.Read(ref _active);
            string? token = string.IsNullOrEmpty(sessionToken) ? active?.Session.SessionToken : sessionToken;
            string hwid = HardwareId;
            Func<string, string> body;
            if (token != null)
            {
                body = nonce => Requests.SelfBanWithSession(_appId, token, hwid, revokeLicense, blacklistHwid, blacklistIp);
            }
            else
            {
                string key = string.IsNullOrEmpty(licenseKey) ? Volatile.Read(ref _licenseKey) ?? "" : licenseKey!;
                if (key.Length == 0)
                    throw new ArgumentException("Without a session, self-ban needs the licence key.", nameof(licenseKey));
                body = nonce => Requests.SelfBanWithoutSession(_appId, _appSecret, key, hwid, nonce, blacklistHwid, blacklistIp);
            }

            await ExchangeAsync(SelfBanPath, body, Protocol.VerifyAcknowledgement, cancellationToken).ConfigureAwait(false);

            if (active != null && ReferenceEquals(token, active.Session.SessionToken))
            {
                lock (_gate)
                {
                    if (!ReferenceEquals(_active, active)) return;
                    _active = null;
                }
                active.Heartbeat.Dispose();
            }
        }

        /// <summary>Stops the heartbeat and clears the session. Idempotent.</summary>
        public void Dispose()
        {
            lock (_gate) _disposed = true;
            Logout();
        }

#if NETSTANDARD2_1_OR_GREATER || NETCOREAPP3_0_OR_GREATER
        /// <summary>As <see cref="Dispose"/>, and completes once a heartbeat that was already running has ended.</summary>
        public ValueTask DisposeAsync()
        {
            lock (_gate) _disposed = true;
            return new ValueTask(LogoutAsync());
        }
#endif

        /// <summary>Describes the client without secrets.</summary>
        public override string ToString() =>
            "AuthForgeClient(AppId=" + _appId + ", Mode=" + _mode + ", Protocol=" + (UsesEd25519 ? "v3" : "v1/v2") +
            ", Authenticated=" + (IsAuthenticated() ? "true" : "false") + ")";

        // ---- login, validate and heartbeats ------------------------------------------------------------

        private async Task<AuthForgeException?> LoginCoreAsync(string licenseKey, CancellationToken cancellationToken)
        {
            Session session;
            try
            {
                session = await ValidateCoreAsync(licenseKey, cancellationToken).ConfigureAwait(false);
            }
            catch (AuthForgeException ex)
            {
                return ex;
            }

            ActiveSession? replaced;
            lock (_gate)
            {
                if (_disposed) throw new ObjectDisposedException(nameof(AuthForgeClient));
                replaced = _active;
                HeartbeatRegistration heartbeat = _scheduler.Schedule(_interval, FirstHeartbeatDelay(), HeartbeatAsync);
                _active = new ActiveSession(session, heartbeat);
                _licenseKey = licenseKey;
            }
            replaced?.Heartbeat.Dispose();
            return null;
        }

        private Task<Session> ValidateCoreAsync(string licenseKey, CancellationToken cancellationToken)
        {
            string hwid = HardwareId;
            SignatureVerifier verifier = (SignatureVerifier?)_ed25519 ?? _appSecretVerifier;
            return ExchangeAsync(ValidatePath,
                nonce => Requests.Validate(_appId, _appSecret, licenseKey, hwid, nonce, _ttlSeconds),
                (response, nonce) => Session.Create(Protocol.Verify(response.StatusCode, response.Body, nonce, verifier),
                    licenseKey, verifier, nonce, _clock),
                cancellationToken);
        }

        private async Task HeartbeatAsync(HeartbeatRegistration registration, CancellationToken cancellationToken)
        {
            ActiveSession? active = Volatile.Read(ref _active);
            if (active is null || !ReferenceEquals(active.Heartbeat, registration)) return;

            Session renewed;
            try
            {
                renewed = _mode == HeartbeatMode.Server
                    ? await ServerHeartbeatAsync(active.Session, cancellationToken).ConfigureAwait(false)
                    : await LocalHeartbeatAsync(active.Session, cancellationToken).ConfigureAwait(false);
            }
            catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
            {
                return; // logged out or disposed while the heartbeat ran: not a failure
            }
            catch (Exception ex)
            {
                AuthForgeException failure = ex as AuthForgeException
                    ?? new AuthForgeException(AuthForgeErrorCodes.UnknownError, "The heartbeat failed unexpectedly.", ex);
                bool ended;
                lock (_gate)
                {
                    ended = ReferenceEquals(_active?.Heartbeat, registration);
                    if (ended) _active = null;
                }
                registration.Dispose();
                // Only the heartbeat that ended the session reports, so one failure is reported once.
                if (ended) ReportFailure(AuthForgeFailureReason.HeartbeatFailed, failure);
                return;
            }

            if (ReferenceEquals(renewed, active.Session)) return;
            lock (_gate)
            {
                if (ReferenceEquals(_active?.Heartbeat, registration)) _active = new ActiveSession(renewed, registration);
            }
        }

        private Task<Session> ServerHeartbeatAsync(Session session, CancellationToken cancellationToken)
        {
            // v2 servers sign heartbeats with the session's sigKey; v1 servers with the app secret; v3 with Ed25519.
            SignatureVerifier verifier = (SignatureVerifier?)_ed25519
                ?? (session.SigKeyBytes is null ? _appSecretVerifier : new HmacSignatureVerifier(session.SigKeyBytes));
            string hwid = HardwareId;
            return ExchangeAsync(HeartbeatPath,
                nonce => Requests.Heartbeat(_appId, session.SessionToken, nonce, hwid),
                (response, nonce) => Session.Create(Protocol.Verify(response.StatusCode, response.Body, nonce, verifier),
                    session.LicenseKey, verifier, nonce, _clock),
                cancellationToken);
        }

        private Task<Session> LocalHeartbeatAsync(Session session, CancellationToken cancellationToken)
        {
            if (!session.VerifyStoredSignature())
                throw new AuthForgeException(AuthForgeErrorCodes.SignatureMismatch, "The stored session's signature no longer verifies.");
            if (!session.IsExpired(_clock)) return Task.FromResult(session);
            // The seed SDK's behaviour: when the prepaid session runs out, one network call renews it.
            return ValidateCoreAsync(session.LicenseKey, cancellationToken);
        }

        // ---- one request with the retry policy ---------------------------------------------------------

        // Sends a request built for a fresh nonce and interprets the response against that same nonce; on
        // rate limiting or a network failure, waits and tries again with a new nonce (PROTOCOL.md, "Retries").
        private async Task<T> ExchangeAsync<T>(string path, Func<string, string> buildBody,
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

        // ---- helpers ------------------------------------------------------------------------------------

        private TimeSpan FirstHeartbeatDelay()
        {
            // Spread over the whole interval, so a thousand sessions started together don't heartbeat together.
            double fraction = (Nonce.NextUInt32() + 1.0) / (uint.MaxValue + 1.0);
            return TimeSpan.FromTicks(Math.Max(1, (long)(_interval.Ticks * fraction)));
        }

        private void ReportFailure(string reason, AuthForgeException failure)
        {
            Action<string, Exception?>? callback = _onFailure;
            if (callback != null)
            {
                try
                {
                    callback(reason, failure);
                    return;
                }
                catch
                {
                    // A callback that throws is treated as no callback (PROTOCOL.md): the licence check must not be
                    // defeated by an exception escaping it.
                }
            }
            _exit(1);
        }

        private static string LoginReason(AuthForgeException failure) =>
            failure.Code == AuthForgeErrorCodes.NetworkError || failure.Code == AuthForgeErrorCodes.Timeout
                ? AuthForgeFailureReason.NetworkError
                : AuthForgeFailureReason.LoginFailed;

        private void ThrowIfDisposed()
        {
            if (Volatile.Read(ref _disposed)) throw new ObjectDisposedException(nameof(AuthForgeClient));
        }

        private static T RunSync<T>(Func<Task<T>> operation) => Task.Run(operation).GetAwaiter().GetResult();

        private static string RequireText(string? value, string paramName)
        {
            if (value is null) throw new ArgumentNullException(paramName);
            if (value.Trim().Length == 0) throw new ArgumentException("The value must not be empty.", paramName);
            return value;
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
            if (apiBaseUrl is null) throw new ArgumentNullException(param);
            if (!Uri.TryCreate(apiBaseUrl, UriKind.Absolute, out Uri? uri)
                || (uri.Scheme != Uri.UriSchemeHttps && uri.Scheme != Uri.UriSchemeHttp)
                || uri.Host.Length == 0 || uri.Query.Length > 0 || uri.Fragment.Length > 0 || uri.UserInfo.Length > 0)
                throw new ArgumentException("The API base URL must be an absolute http(s) URL without query, fragment or credentials.", param);
            if (uri.Scheme == Uri.UriSchemeHttp && !uri.IsLoopback && !allowInsecureHttp)
                throw new ArgumentException("Plain http:// is only allowed to a loopback host; use https:// or set allowInsecureHttp.", param);
            return uri;
        }

        private static AuthForgeClientOptions ToOptions(string appId, string appSecret, HeartbeatMode heartbeatMode,
            int heartbeatInterval, string apiBaseUrl, Action<string, Exception?>? onFailure, int requestTimeout,
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

        // The client's one mutable reference: a verified session and the heartbeat that renews it, swapped whole.
        private sealed class ActiveSession
        {
            public ActiveSession(Session session, HeartbeatRegistration heartbeat)
            {
                Session = session;
                Heartbeat = heartbeat;
            }

            public Session Session { get; }
            public HeartbeatRegistration Heartbeat { get; }
        }
    }

    // =================================================================================================
    // 2. Session
    //    A verified response turned into an immutable value. Nothing in it is read before Protocol.Verify
    //    has checked the signature and the nonce; the client replaces it whole, never field by field.
    // =================================================================================================

    internal sealed class Session
    {
        private readonly TimeSpan _expiresAtMonotonic;

        private Session(VerifiedResponse response, string licenseKey, SignatureVerifier verifier, string nonce, AuthForgeClock clock)
        {
            Response = response;
            LicenseKey = licenseKey;
            Verifier = verifier;
            Nonce = nonce;
            string? sigKey = response.TokenBody?["sigKey"]?.AsString();
            SigKeyBytes = string.IsNullOrEmpty(sigKey) ? null : Encoding.UTF8.GetBytes(sigKey);

            // Expiry is judged by elapsed monotonic time from receipt, measured against the server's own clock
            // when it states one, so moving the local wall clock back never lengthens a session.
            long serverNow = response.ServerTimeUnix ?? clock.UtcNow.ToUnixTimeSeconds();
            long remaining = response.ExpiresInUnix - serverNow;
            _expiresAtMonotonic = clock.Monotonic + TimeSpan.FromSeconds(Math.Max(0, Math.Min(remaining, 100L * 365 * 86400)));
        }

        public static Session Create(VerifiedResponse response, string licenseKey, SignatureVerifier verifier, string nonce, AuthForgeClock clock) =>
            new Session(response, licenseKey, verifier, nonce, clock);

        public VerifiedResponse Response { get; }
        public string LicenseKey { get; }
        public SignatureVerifier Verifier { get; }
        public string Nonce { get; }
        public byte[]? SigKeyBytes { get; }
        public string SessionToken => Response.SessionToken;
        public JsonValue Payload => Response.Payload;
        public string? KeyId => Response.KeyId;
        public DateTimeOffset ExpiresAt => DateTimeOffset.FromUnixTimeSeconds(Response.ExpiresInUnix);

        public bool IsExpired(AuthForgeClock clock) => clock.Monotonic >= _expiresAtMonotonic;

        public bool VerifyStoredSignature() => Verifier.Verify(Response.PayloadBytes, Response.Signature, Nonce);

        public IReadOnlyDictionary<string, object?> CopyPayload() => Payloads.CopyObject(Payload);
        public IReadOnlyDictionary<string, object?> CopyAppVariables() => Payloads.CopyObject(Payload["appVariables"]);
        public IReadOnlyDictionary<string, object?> CopyLicenseVariables() => Payloads.CopyObject(Payload["licenseVariables"]);

        public override string ToString() => "Session(expires " + ExpiresAt.ToString("u", CultureInfo.InvariantCulture) + ")";
    }

    // =================================================================================================
    // 3. Protocol
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
            JsonValue? tokenBody, long expiresInUnix, long? serverTimeUnix, string? keyId)
        {
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
        public string? KeyId { get; }
    }

    internal static class Protocol
    {
        // Responses are small; deep nesting only ever comes from an attacker.
        public const int MaxJsonDepth = 16;

        // The latest unix second DateTimeOffset can represent: a larger expiry is not a date.
        private const long MaxUnixSeconds = 253402300799;

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
            if (!verifier.Verify(payloadBytes, signature, expectedNonce))
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

            long expiresIn = ReadExpiresIn(tokenBody) ?? ReadExpiresIn(payload)
                ?? throw Fail(AuthForgeErrorCodes.MissingExpiresIn, "The signed payload does not say when the session expires.");

            foreach (string name in new[] { "appVariables", "licenseVariables" })
            {
                JsonValue? variables = payload[name];
                if (variables != null && variables.Kind != JsonKind.Object && variables.Kind != JsonKind.Null)
                    throw Fail(AuthForgeErrorCodes.InvalidPayload, "The signed payload's variables are not an object.");
            }

            long? serverTime = Payloads.ReadInstant(payload["timestamp"])?.ToUnixTimeSeconds();
            return new VerifiedResponse(payloadText, payloadBytes, signature, payload, token!, tokenBody, expiresIn,
                serverTime, envelope["keyId"]?.AsString());
        }

        /// <summary>Accepts an unsigned acknowledgement (self-ban): a success status, or the failure it carries.</summary>
        public static bool VerifyAcknowledgement(TransportResponse response, string nonce)
        {
            ReadEnvelope(response.StatusCode, response.Body);
            return true;
        }

        /// <summary>The JSON object of a success response, or the failure the status and body describe.</summary>
        public static JsonValue ReadEnvelope(int statusCode, byte[] body)
        {
            bool httpSuccess = statusCode >= 200 && statusCode <= 299;
            if (statusCode == 429)
                throw new AuthForgeException(AuthForgeErrorCodes.RateLimited, AuthForgeErrorCodes.DescribeServerCode(AuthForgeErrorCodes.RateLimited), null, statusCode);

            JsonValue? envelope = null;
            try
            {
                envelope = Json.Parse(body, MaxJsonDepth);
            }
            catch (JsonFormatException)
            {
            }

            if (envelope is null || envelope.Kind != JsonKind.Object)
            {
                throw httpSuccess
                    ? new AuthForgeException(AuthForgeErrorCodes.InvalidJsonResponse, "The response is not a JSON object.", null, statusCode)
                    : HttpFailure(statusCode);
            }

            string? error = envelope["error"]?.AsString();
            if (httpSuccess && IsSuccessStatus(envelope["status"])) return envelope;
            if (error != null)
            {
                string code = AuthForgeErrorCodes.IsServerCode(error) ? error : AuthForgeErrorCodes.UnknownError;
                throw new AuthForgeException(code, AuthForgeErrorCodes.DescribeServerCode(code) + " (" + code + ")", null, statusCode);
            }
            throw httpSuccess
                ? new AuthForgeException(AuthForgeErrorCodes.UnknownError, "The server answered with a failure status and no error code.", null, statusCode)
                : HttpFailure(statusCode);
        }

        /// <summary>PROTOCOL.md: boolean true, or one of ok/success/valid/true/1 in any case.</summary>
        public static bool IsSuccessStatus(JsonValue? status)
        {
            if (status is null) return false;
            if (status.Kind == JsonKind.True) return true;
            string? text = status.AsString();
            if (text is null) return false;
            foreach (string word in new[] { "ok", "success", "valid", "true", "1" })
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

        private static long? ReadExpiresIn(JsonValue? source)
        {
            JsonValue? value = source?["expiresIn"];
            if (value is null || value.Kind == JsonKind.Null) return null;
            if (!value.TryGetInt64(out long seconds) || seconds < 0 || seconds > MaxUnixSeconds)
                throw Fail(AuthForgeErrorCodes.InvalidPayload, "The session's expiry is not a unix time.");
            return seconds;
        }

        private static AuthForgeException HttpFailure(int statusCode) =>
            new AuthForgeException(AuthForgeErrorCodes.HttpError(statusCode),
                "The server answered HTTP " + statusCode.ToString(CultureInfo.InvariantCulture) + " without an error code.", null, statusCode);

        private static AuthForgeException Fail(string code, string message) => new AuthForgeException(code, message);
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
                return seconds >= 0 && seconds <= 253402300799 ? DateTimeOffset.FromUnixTimeSeconds(seconds) : (DateTimeOffset?)null;
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
    // 4. Signatures
    //    One small type, two implementations. HMAC derives its key per request from a secret and the nonce
    //    (v1: the app secret; v2 heartbeats: the session's sigKey); Ed25519 accepts any trusted key (rotation).
    // =================================================================================================

    internal abstract class SignatureVerifier
    {
        /// <summary>True when <paramref name="signature"/> signs exactly <paramref name="payload"/> for this request.</summary>
        public abstract bool Verify(byte[] payload, string signature, string nonce);
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
            using SHA256 sha = SHA256.Create();
            return sha.ComputeHash(material);
        }

        public static byte[] Sign(byte[] derivedKey, byte[] payload)
        {
            using var hmac = new HMACSHA256(derivedKey);
            return hmac.ComputeHash(payload);
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

        private Ed25519SignatureVerifier(Ed25519PublicKey[] keys) => _keys = keys;

        public int KeyCount => _keys.Length;

        /// <exception cref="ArgumentException">A key is not standard base64 of a valid 32-byte Ed25519 point.</exception>
        public static Ed25519SignatureVerifier Parse(IEnumerable<string> keys, string paramName)
        {
            var decoded = new List<Ed25519PublicKey>();
            foreach (string? text in keys)
            {
                byte[]? bytes = text is null ? null : Base64.Decode(text.Trim());
                if (bytes is null || bytes.Length != 32 || !Ed25519PublicKey.TryCreate(bytes, out Ed25519PublicKey? key))
                    throw new ArgumentException("Each public key must be base64 of a valid 32-byte Ed25519 key.", paramName);
                decoded.Add(key!);
            }
            if (decoded.Count == 0) throw new ArgumentException("At least one public key is required.", paramName);
            return new Ed25519SignatureVerifier(decoded.ToArray());
        }

        public override bool Verify(byte[] payload, string signature, string nonce)
        {
            byte[]? bytes = Base64.Decode(signature);
            if (bytes is null || bytes.Length != 64) return false;
            int first = Volatile.Read(ref _lastMatch);
            for (int i = 0; i < _keys.Length; i++)
            {
                int index = (first + i) % _keys.Length;
                if (_keys[index].Verify(payload, bytes))
                {
                    if (index != first) Volatile.Write(ref _lastMatch, index);
                    return true;
                }
            }
            return false;
        }
    }

    // =================================================================================================
    // 5. Transport
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

        private readonly HttpClient _http;
        private readonly string _baseUrl;
        private readonly TimeSpan _timeout;
        private readonly int _maxResponseBytes;

        public HttpTransport(HttpClient http, Uri baseUri, TimeSpan timeout, int maxResponseBytes)
        {
            _http = http;
            _baseUrl = baseUri.AbsoluteUri.TrimEnd('/');
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
            using var request = new HttpRequestMessage(HttpMethod.Post, _baseUrl + path)
            {
                Content = new StringContent(jsonBody, Encoding.UTF8, "application/json"),
            };
            HttpResponseMessage? response = null;
            try
            {
                response = await _http.SendAsync(request, HttpCompletionOption.ResponseHeadersRead, deadline.Token).ConfigureAwait(false);
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
                // Whatever aborting the exchange surfaced as (an IOException from a disposed stream, say), the
                // caller asked for it: report cancellation, not a network failure.
                if (ex is OperationCanceledException) throw;
                throw new OperationCanceledException("The request was cancelled.", ex, cancellationToken);
            }
            catch (Exception ex) when (deadline.IsCancellationRequested)
            {
                throw new AuthForgeException(AuthForgeErrorCodes.Timeout,
                    "The server did not answer within " + _timeout.TotalSeconds.ToString("0.###", CultureInfo.InvariantCulture) + " s.", ex);
            }
            catch (Exception ex) when (ex is HttpRequestException || ex is IOException || ex is ObjectDisposedException || ex is OperationCanceledException)
            {
                throw new AuthForgeException(AuthForgeErrorCodes.NetworkError, "The AuthForge server could not be reached.", ex);
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
            client.DefaultRequestHeaders.UserAgent.ParseAdd("AuthForge.cs/1.0");
            return client;
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
    // 6. Scheduler
    //    One timer for every heartbeat in the process. Registrations sit in a min-heap by due time; the
    //    timer is armed for the earliest. Due heartbeats run on the thread pool and are awaited, never
    //    blocked on, so a slow server delays only its own session. Disposing a registration removes it
    //    at once and cancels a heartbeat in flight.
    // =================================================================================================

    internal sealed class HeartbeatScheduler
    {
        public static readonly HeartbeatScheduler Shared = new HeartbeatScheduler();

        private readonly object _lock = new object();
        private readonly Timer _timer;
        private HeartbeatRegistration[] _heap = new HeartbeatRegistration[16];
        private int _count;
        private long _armedFor = long.MaxValue;

        public HeartbeatScheduler()
        {
            _timer = new Timer(_ => OnTimer(), null, Timeout.Infinite, Timeout.Infinite);
        }

        /// <summary>Heartbeats waiting for their time (not counting ones running now).</summary>
        public int ScheduledCount
        {
            get { lock (_lock) return _count; }
        }

        /// <summary>Called with how late each heartbeat started behind its due time (benchmarks measure it).</summary>
        public Action<TimeSpan>? LatenessObserver { get; set; }

        public HeartbeatRegistration Schedule(TimeSpan interval, TimeSpan firstDelay, Func<HeartbeatRegistration, CancellationToken, Task> tick)
        {
            var registration = new HeartbeatRegistration(this, interval.Ticks, tick);
            lock (_lock)
            {
                registration.DueTicks = MonotonicTicks() + firstDelay.Ticks;
                Insert(registration);
                ArmLocked();
            }
            return registration;
        }

        internal static long MonotonicTicks() => (long)(Stopwatch.GetTimestamp() * s_ticksPerTimestamp);

        private static readonly double s_ticksPerTimestamp = (double)TimeSpan.TicksPerSecond / Stopwatch.Frequency;

        private void OnTimer()
        {
            List<HeartbeatRegistration>? due = null;
            lock (_lock)
            {
                _armedFor = long.MaxValue;
                long now = MonotonicTicks();
                while (_count > 0 && _heap[0].DueTicks <= now)
                {
                    HeartbeatRegistration next = _heap[0];
                    RemoveAt(0);
                    (due ??= new List<HeartbeatRegistration>()).Add(next);
                }
                ArmLocked();
            }
            if (due is null) return;
            foreach (HeartbeatRegistration registration in due)
            {
                ThreadPool.UnsafeQueueUserWorkItem(state => ((HeartbeatRegistration)state!).Run(), registration);
            }
        }

        internal void Reschedule(HeartbeatRegistration registration)
        {
            lock (_lock)
            {
                if (registration.IsDisposed) return;
                // Fixed rate keeps sessions spread as they started; a heartbeat that overran its slot goes next.
                long now = MonotonicTicks();
                registration.DueTicks = Math.Max(registration.DueTicks + registration.IntervalTicks, now);
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

        // Caller holds _lock. Re-arms only when the earliest due time moved earlier than what the timer waits for.
        private void ArmLocked()
        {
            if (_count == 0) return;
            long due = _heap[0].DueTicks;
            if (due >= _armedFor) return;
            _armedFor = due;
            long waitTicks = Math.Max(0, due - MonotonicTicks());
            // Round up, so the timer never fires just before the due time and spins.
            long waitMs = Math.Min((waitTicks + TimeSpan.TicksPerMillisecond - 1) / TimeSpan.TicksPerMillisecond, int.MaxValue - 1);
            _timer.Change(waitMs, Timeout.Infinite);
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

        internal void Run()
        {
            if (IsDisposed) return;
            _scheduler.ReportLateness(TimeSpan.FromTicks(Math.Max(0, HeartbeatScheduler.MonotonicTicks() - DueTicks)));
            Task running = RunAsync();
            Volatile.Write(ref _running, running);
        }

        private async Task RunAsync()
        {
            try
            {
                await _tick(this, _cancellation.Token).ConfigureAwait(false);
            }
            catch
            {
                // The client reports its own failures; nothing may escape onto the thread pool.
            }
            _scheduler.Reschedule(this);
        }

        public void Dispose()
        {
            if (Interlocked.Exchange(ref _disposed, 1) != 0) return;
            _scheduler.Remove(this);
            _cancellation.Cancel();
        }
    }

    // =================================================================================================
    // 7. Primitives
    //    Time (injectable), nonces, hex, base64 as PROTOCOL.md allows it, and constant-time comparison.
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
        public static string Encode(byte[] bytes)
        {
            const string digits = "0123456789abcdef";
            char[] chars = new char[bytes.Length * 2];
            for (int i = 0; i < bytes.Length; i++)
            {
                chars[2 * i] = digits[bytes[i] >> 4];
                chars[2 * i + 1] = digits[bytes[i] & 0xF];
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
}
