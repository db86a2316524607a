namespace AuthForge.DevServer
{
    /// <summary>The result of an <c>/auth/*</c> request: an error, a session grant, or a plain ok (selfban).</summary>
    internal readonly struct AuthOutcome
    {
        private AuthOutcome(AuthError? error, SessionGrant? grant)
        {
            Error = error;
            Grant = grant;
        }

        /// <summary>A plain <c>{"status":"ok"}</c>.</summary>
        public static AuthOutcome Ok => default;

        public AuthError? Error { get; }

        public SessionGrant? Grant { get; }

        public static implicit operator AuthOutcome(AuthError error) => new(error, null);

        public static implicit operator AuthOutcome(SessionGrant grant) => new(null, grant);
    }
}
