namespace AuthForge.DevServer
{
    /// <summary>An error answer of the protocol: the HTTP status and the <c>error</c> code in the body.</summary>
    internal sealed class AuthError
    {
        public static readonly AuthError BadRequest = new("bad_request", 400);
        public static readonly AuthError InvalidApp = new("invalid_app", 401);
        public static readonly AuthError InvalidKey = new("invalid_key", 404);
        public static readonly AuthError Revoked = new("revoked", 403);
        public static readonly AuthError Expired = new("expired", 403);
        public static readonly AuthError HwidMismatch = new("hwid_mismatch", 403);
        public static readonly AuthError NoCredits = new("no_credits", 402);
        public static readonly AuthError SessionExpired = new("session_expired", 401);
        public static readonly AuthError ReplayDetected = new("replay_detected", 409);
        public static readonly AuthError Blocked = new("blocked", 403);
        public static readonly AuthError AppDisabled = new("app_disabled", 403);
        public static readonly AuthError RevokeRequiresSession = new("revoke_requires_session", 400);
        public static readonly AuthError RateLimited = new("rate_limited", 429);

        private AuthError(string code, int statusCode)
        {
            Code = code;
            StatusCode = statusCode;
            // Every error answer is the same few bytes: build them once.
            Body = ErrorBody.Create(code);
        }

        /// <summary>The protocol's error code.</summary>
        public string Code { get; }

        /// <summary>The HTTP status answered with it.</summary>
        public int StatusCode { get; }

        /// <summary>The UTF-8 JSON body <c>{"status":"error","error":code}</c>.</summary>
        public byte[] Body { get; }
    }
}
