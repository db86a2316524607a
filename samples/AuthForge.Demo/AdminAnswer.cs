namespace AuthForge.Demo
{
    /// <summary>What an admin route answered: the request line, the HTTP status and, for licence routes, <c>revoked</c>.</summary>
    internal readonly record struct AdminAnswer(string Request, int StatusCode, bool? Revoked);
}
