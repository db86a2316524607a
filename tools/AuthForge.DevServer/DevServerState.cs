using System;
using System.Net;
using System.Security.Cryptography;
using System.Text;
using System.Threading;

namespace AuthForge.DevServer
{
    /// <summary>
    /// Everything the server knows, independent of the HTTP listener, so that a restart keeps licences, sessions,
    /// keys and the request log, as a real service's database would.
    /// </summary>
    internal sealed class DevServerState
    {
        private readonly byte[] _appSecretUtf8;
        private readonly SigningKeyRing? _keys;
        private int _appDisabled;
        private long _nextSid;
        private long _firstValidSid;

        public DevServerState(DevServerOptions options, int replayGenerationCapacity = ReplayGuard.DefaultGenerationCapacity)
        {
            ArgumentNullException.ThrowIfNull(options);
            ArgumentException.ThrowIfNullOrEmpty(options.AppId, nameof(options));
            ArgumentException.ThrowIfNullOrEmpty(options.AppSecret, nameof(options));
            ArgumentNullException.ThrowIfNull(options.Time, nameof(options));
            if (!Enum.IsDefined(options.Mode))
            {
                throw new ArgumentOutOfRangeException(nameof(options), options.Mode, "Unknown signing mode.");
            }

            AppId = options.AppId;
            AppSecret = options.AppSecret;
            _appSecretUtf8 = Encoding.UTF8.GetBytes(options.AppSecret);
            Mode = options.Mode;
            Time = options.Time;
            AppVariablesJson = JsonText.SerializeVariables(options.AppVariables, nameof(options));
            // v3 tokens state the session end as `exp`, as the hosted service's do; v1/v2 tokens as `expiresIn`.
            Tokens = new SessionTokenCodec(RandomNumberGenerator.GetBytes(32), expiryAsExp: options.Mode == SigningMode.Ed25519);
            Replays = new ReplayGuard(replayGenerationCapacity);
            foreach (DevLicense license in options.Licenses ?? [])
            {
                Licenses.AddOrReplace(license);
            }

            // Only v3 needs a key; creating one in HMAC modes would only cost time.
            if (Mode == SigningMode.Ed25519)
            {
                _keys = new SigningKeyRing(options.SigningKeySeed);
            }
        }

        public string AppId { get; }

        public string AppSecret { get; }

        public SigningMode Mode { get; }

        public TimeProvider Time { get; }

        /// <summary><c>appVariables</c> as compact JSON, serialized once.</summary>
        public string AppVariablesJson { get; }

        public LicenseStore Licenses { get; } = new();

        public SessionTokenCodec Tokens { get; }

        public ReplayGuard Replays { get; }

        public Blacklist Blacklist { get; } = new();

        public RequestLog Requests { get; } = new();

        public FaultQueue Faults { get; } = new();

        /// <summary>The v3 keys; null in HMAC modes.</summary>
        public SigningKeyRing? Keys => _keys;

        /// <summary>The last genuine successful response body of each endpoint, for the <c>replay</c> fault.</summary>
        public LastResponses LastResponses { get; } = new();

        public bool AppEnabled
        {
            get => Volatile.Read(ref _appDisabled) == 0;
            set => Volatile.Write(ref _appDisabled, value ? 0 : 1);
        }

        /// <summary>Whether the app id and secret are this server's. The secret is compared in constant time.</summary>
        public bool IsApp(string appId, string appSecret)
        {
            bool idMatches = string.Equals(appId, AppId, StringComparison.Ordinal);
            bool secretMatches = CryptographicOperations.FixedTimeEquals(Encoding.UTF8.GetBytes(appSecret), _appSecretUtf8);
            return idMatches & secretMatches;
        }

        /// <summary>A new session serial number.</summary>
        public long NextSid() => Interlocked.Increment(ref _nextSid);

        /// <summary>Whether a session was issued before the last <see cref="ExpireAllSessions"/>.</summary>
        public bool IsSessionCancelled(long sid) => sid < Volatile.Read(ref _firstValidSid);

        /// <summary>
        /// Ends every session issued so far: their heartbeats get <c>session_expired</c>. Sessions are numbered in
        /// order, so this is one number, not a list of sessions to keep.
        /// </summary>
        public void ExpireAllSessions()
        {
            long first = Volatile.Read(ref _nextSid) + 1;
            long seen;
            do
            {
                seen = Volatile.Read(ref _firstValidSid);
            }
            while (seen < first && Interlocked.CompareExchange(ref _firstValidSid, first, seen) != seen);
        }

        /// <summary>The client's address, with IPv4-mapped IPv6 addresses unmapped so bans and checks agree.</summary>
        public static IPAddress? Normalize(IPAddress? address) =>
            address is { IsIPv4MappedToIPv6: true } ? address.MapToIPv4() : address;
    }
}
