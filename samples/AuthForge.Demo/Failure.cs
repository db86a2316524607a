namespace AuthForge.Demo
{
    /// <summary>One call of the client's failure callback.</summary>
    /// <param name="Reason">An <see cref="AuthForgeFailureReason"/> value.</param>
    /// <param name="Code">The exception's <see cref="AuthForgeException.Code"/>.</param>
    /// <param name="Message">The exception's message (never contains the app secret or a token).</param>
    /// <param name="OnThreadPool">Whether the callback ran on a thread-pool thread (heartbeats) rather than the caller's (login).</param>
    internal readonly record struct Failure(string Reason, string Code, string Message, bool OnThreadPool);
}
