using System.Net;
using System.Threading.Tasks;
using Microsoft.AspNetCore.Http;

namespace AuthForge.DevServer
{
    /// <summary>
    /// Who may use <c>/admin/*</c>: only clients on this machine. Others get the 404 of a route that does not exist,
    /// so a dev server bound to a public address neither hands out licence control nor shows that it could.
    /// </summary>
    internal static class AdminAccess
    {
        /// <summary>Whether <paramref name="remote"/> is a loopback address (IPv4-mapped IPv6 included).</summary>
        public static bool IsAllowed(IPAddress? remote)
        {
            // No address means no socket peer (an in-memory test host); that is not proof of being local.
            return DevServerState.Normalize(remote) is { } address && IPAddress.IsLoopback(address);
        }

        /// <summary>Wraps an admin handler with the loopback check.</summary>
        public static RequestDelegate LocalOnly(RequestDelegate handler)
        {
            return context =>
            {
                if (!IsAllowed(context.Connection.RemoteIpAddress))
                {
                    context.Response.StatusCode = StatusCodes.Status404NotFound;
                    return Task.CompletedTask;
                }

                return handler(context);
            };
        }
    }
}
