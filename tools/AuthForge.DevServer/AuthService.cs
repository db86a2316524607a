using System;
using System.Net;
using System.Security.Cryptography;

namespace AuthForge.DevServer
{
    /// <summary>
    /// The protocol's decisions for <c>/auth/validate</c>, <c>/auth/heartbeat</c> and <c>/auth/selfban</c>, free of HTTP:
    /// a parsed request and the client's address in, an <see cref="AuthOutcome"/> out.
    /// </summary>
    /// <remarks>
    /// Checks run cheapest and least revealing first: shape, then app credentials, then the nonce (so nonces are only
    /// remembered for authenticated requests), then bans, then the licence.
    /// </remarks>
    internal sealed class AuthService
    {
        /// <summary>Shortest session a validate may ask for (one hour).</summary>
        public const long MinTtlSeconds = 3600;

        /// <summary>Longest session a validate may ask for (seven days).</summary>
        public const long MaxTtlSeconds = 604_800;

        /// <summary>The session length when the request names none (one day).</summary>
        public const long DefaultTtlSeconds = 86_400;

        private readonly DevServerState _state;

        public AuthService(DevServerState state)
        {
            _state = state;
        }

        /// <summary><c>/auth/validate</c>: checks the app and the licence, spends a credit, and opens a session.</summary>
        public AuthOutcome Validate(AuthRequest request, IPAddress? remote)
        {
            if (!request.IsWellFormed || request.AppId is not { } appId || request.AppSecret is not { } appSecret
                || request.LicenseKey is not { } licenseKey || request.Hwid is not { } hwid || request.Nonce is not { } nonce)
            {
                return AuthError.BadRequest;
            }

            if (!_state.IsApp(appId, appSecret))
            {
                return AuthError.InvalidApp;
            }

            if (!_state.AppEnabled)
            {
                return AuthError.AppDisabled;
            }

            if (!_state.Replays.TryRemember(nonce))
            {
                return AuthError.ReplayDetected;
            }

            if (_state.Blacklist.IsBlocked(hwid, remote))
            {
                return AuthError.Blocked;
            }

            if (!_state.Licenses.TryGet(licenseKey, out LicenseState license))
            {
                return AuthError.InvalidKey;
            }

            DateTimeOffset now = _state.Time.GetUtcNow();
            if (license.TryValidate(hwid, now) is { } refused)
            {
                return refused;
            }

            long ttl = Math.Clamp(request.TtlSeconds ?? DefaultTtlSeconds, MinTtlSeconds, MaxTtlSeconds);
            // v2 heartbeats are signed with a per-session secret the client reads from the token. v3 tokens carry
            // one too, as the hosted service's do (PROTOCOL.md: "sigKey (v2+)"); v3 clients ignore it.
            string? sigKey = _state.Mode == SigningMode.HmacV1 ? null : Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(32));
            var claims = new SessionClaims(appId, licenseKey, hwid, sigKey, now.ToUnixTimeSeconds() + ttl, _state.NextSid());
            return new SessionGrant(claims, _state.Tokens.Issue(claims), license, IsHeartbeat: false, now);
        }

        /// <summary>
        /// <c>/auth/heartbeat</c>: checks the session (MAC, app, hwid, expiry) and the licence. It does not extend the
        /// session: the answer carries the same token and expiry.
        /// </summary>
        public AuthOutcome Heartbeat(AuthRequest request, IPAddress? remote)
        {
            if (!request.IsWellFormed || request.AppId is not { } appId || request.SessionToken is not { } token
                || request.Hwid is not { } hwid || request.Nonce is not { } nonce)
            {
                return AuthError.BadRequest;
            }

            if (!string.Equals(appId, _state.AppId, StringComparison.Ordinal))
            {
                return AuthError.InvalidApp;
            }

            if (!_state.AppEnabled)
            {
                return AuthError.AppDisabled;
            }

            if (!_state.Replays.TryRemember(nonce))
            {
                return AuthError.ReplayDetected;
            }

            if (CheckSession(token, appId, hwid, out SessionClaims claims) is { } invalid)
            {
                return invalid;
            }

            if (_state.Blacklist.IsBlocked(hwid, remote))
            {
                return AuthError.Blocked;
            }

            if (!_state.Licenses.TryGet(claims.LicenseKey, out LicenseState license))
            {
                return AuthError.InvalidKey;
            }

            DateTimeOffset now = _state.Time.GetUtcNow();
            if (license.TryHeartbeat(now) is { } refused)
            {
                return refused;
            }

            return new SessionGrant(claims, token, license, IsHeartbeat: true, now);
        }

        /// <summary>
        /// <c>/auth/selfban</c>: with a session, may revoke its licence and ban its hwid and the caller's address
        /// (each default true); without one, app credentials and a nonce are required and revoking is refused
        /// (<c>revoke_requires_session</c>). The licence key of the session-less form need not exist: a tampered
        /// copy should still be able to ban itself.
        /// </summary>
        public AuthOutcome SelfBan(AuthRequest request, IPAddress? remote)
        {
            if (!request.IsWellFormed || request.AppId is not { } appId || request.Hwid is not { } hwid)
            {
                return AuthError.BadRequest;
            }

            return request.SessionToken is { } token
                ? SelfBanWithSession(request, appId, token, hwid, remote)
                : SelfBanWithoutSession(request, appId, hwid, remote);
        }

        private AuthOutcome SelfBanWithSession(AuthRequest request, string appId, string token, string hwid, IPAddress? remote)
        {
            if (!string.Equals(appId, _state.AppId, StringComparison.Ordinal))
            {
                return AuthError.InvalidApp;
            }

            if (!_state.AppEnabled)
            {
                return AuthError.AppDisabled;
            }

            // The documented form has no nonce; one that is sent is still held to the replay rule.
            if (request.Nonce is { } nonce && !_state.Replays.TryRemember(nonce))
            {
                return AuthError.ReplayDetected;
            }

            if (CheckSession(token, appId, hwid, out SessionClaims claims) is { } invalid)
            {
                return invalid;
            }

            if (request.RevokeLicense ?? true)
            {
                if (_state.Licenses.TryGet(claims.LicenseKey, out LicenseState license))
                {
                    license.SetRevoked(true);
                }
            }

            Ban(request, claims.Hwid, remote);
            return AuthOutcome.Ok;
        }

        private AuthOutcome SelfBanWithoutSession(AuthRequest request, string appId, string hwid, IPAddress? remote)
        {
            if (request.AppSecret is not { } appSecret || request.LicenseKey is null || request.Nonce is not { } nonce)
            {
                return AuthError.BadRequest;
            }

            if (!_state.IsApp(appId, appSecret))
            {
                return AuthError.InvalidApp;
            }

            if (!_state.AppEnabled)
            {
                return AuthError.AppDisabled;
            }

            // Only a session proves which licence is being used, so only a session can revoke one.
            if (request.RevokeLicense == true)
            {
                return AuthError.RevokeRequiresSession;
            }

            if (!_state.Replays.TryRemember(nonce))
            {
                return AuthError.ReplayDetected;
            }

            Ban(request, hwid, remote);
            return AuthOutcome.Ok;
        }

        private void Ban(AuthRequest request, string hwid, IPAddress? remote)
        {
            if (request.BlacklistHwid ?? true)
            {
                _state.Blacklist.AddHwid(hwid);
            }

            if (request.BlacklistIp ?? true)
            {
                _state.Blacklist.AddAddress(remote);
            }
        }

        /// <summary>The session checks shared by heartbeat and selfban; null when the session is good.</summary>
        private AuthError? CheckSession(string token, string appId, string hwid, out SessionClaims claims)
        {
            // A token this server did not issue (or issued before a restart of another instance) is, to the client,
            // a session that no longer exists.
            if (!_state.Tokens.TryRead(token, out claims))
            {
                return AuthError.SessionExpired;
            }

            if (!string.Equals(claims.AppId, appId, StringComparison.Ordinal))
            {
                return AuthError.InvalidApp;
            }

            if (!string.Equals(claims.Hwid, hwid, StringComparison.Ordinal))
            {
                return AuthError.HwidMismatch;
            }

            if (claims.ExpiresIn is not { } expiresIn || _state.Time.GetUtcNow().ToUnixTimeSeconds() >= expiresIn
                || _state.IsSessionCancelled(claims.Sid))
            {
                return AuthError.SessionExpired;
            }

            return null;
        }
    }
}
