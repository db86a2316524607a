using System;
using System.Text;
using System.Threading;
using System.Threading.Tasks;
using Microsoft.AspNetCore.Http;

namespace AuthForge.DevServer
{
    /// <summary>Writes the answers of the faults that replace a real answer, and the truncated answer.</summary>
    internal static class FaultResponder
    {
        /// <summary>The size of the <c>huge</c> body: 100 MiB.</summary>
        public const long HugeBodyBytes = 100L * 1024 * 1024;

        private const int ChunkBytes = 64 * 1024;

        private static readonly byte[] s_html = Encoding.UTF8.GetBytes(
            "<!DOCTYPE html><html><head><title>500 Internal Server Error</title></head>"
            + "<body><h1>Internal Server Error</h1><p>The server encountered an error.</p></body></html>");

        private static readonly byte[] s_bodyStart = Encoding.ASCII.GetBytes("{\"status\":\"ok\",\"payload\":\"");
        private static readonly byte[] s_bodyEnd = Encoding.ASCII.GetBytes("\",\"signature\":\"00\"}");
        private static readonly byte[] s_filler = CreateFiller();
        private static readonly byte[] s_rateLimited = ErrorBody.Create("rate_limited");
        private static readonly byte[] s_invalidKey = ErrorBody.Create("invalid_key");
        private static readonly byte[] s_hello = Encoding.ASCII.GetBytes("hello");
        private static readonly byte[] s_array = Encoding.ASCII.GetBytes("[1,2,3]");

        /// <summary>
        /// Answers with <paramref name="fault"/> instead of a real answer; returns the status sent (0 for none) and the
        /// error code the body carries, for the request log.
        /// </summary>
        public static async Task<(int Status, string? Error)> RespondAsync(HttpContext context, DevFault fault, CancellationToken cancellationToken)
        {
            switch (fault.Kind)
            {
                case DevFaultKind.Drop:
                    context.Abort();
                    return (0, null);
                case DevFaultKind.Html500:
                    await WriteAsync(context, 500, "text/html; charset=utf-8", s_html, cancellationToken).ConfigureAwait(false);
                    return (500, null);
                case DevFaultKind.Status:
                    await WriteAsync(context, fault.Status, "application/json", ErrorBody.Create(fault.Error), cancellationToken).ConfigureAwait(false);
                    return (fault.Status, fault.Error);
                case DevFaultKind.RateLimit:
                    await WriteAsync(context, 429, "application/json", s_rateLimited, cancellationToken).ConfigureAwait(false);
                    return (429, "rate_limited");
                case DevFaultKind.RateLimit200:
                    await WriteAsync(context, 200, "application/json", s_rateLimited, cancellationToken).ConfigureAwait(false);
                    return (200, "rate_limited");
                case DevFaultKind.ErrorIn200:
                    await WriteAsync(context, 200, "application/json", s_invalidKey, cancellationToken).ConfigureAwait(false);
                    return (200, "invalid_key");
                case DevFaultKind.NonJson:
                    await WriteAsync(context, 200, "text/plain", s_hello, cancellationToken).ConfigureAwait(false);
                    return (200, null);
                case DevFaultKind.JsonArray:
                    await WriteAsync(context, 200, "application/json", s_array, cancellationToken).ConfigureAwait(false);
                    return (200, null);
                case DevFaultKind.Endless:
                    await StreamAsync(context, long.MaxValue, cancellationToken).ConfigureAwait(false);
                    return (200, null);
                case DevFaultKind.Huge:
                    await StreamAsync(context, HugeBodyBytes, cancellationToken).ConfigureAwait(false);
                    return (200, null);
                case DevFaultKind.Foreign:
                    await ForeignAsync(context, fault, cancellationToken).ConfigureAwait(false);
                    return (fault.Status, null);
                default:
                    throw new ArgumentOutOfRangeException(nameof(fault), fault.Kind, "This fault does not replace the answer.");
            }
        }

        /// <summary>
        /// <c>truncate</c>: announces the whole body's length, sends its first half, and ends the response there.
        /// Kestrel then closes the connection (it cannot be reused with broken framing): gracefully, so the client
        /// receives the half body and then the end of the stream, as from a server that died mid-answer. An abort
        /// (RST) instead would make the client's kernel discard the half body before the client read it.
        /// </summary>
        public static async Task TruncateAsync(HttpContext context, int statusCode, byte[] body, CancellationToken cancellationToken)
        {
            HttpResponse response = context.Response;
            response.StatusCode = statusCode;
            response.ContentType = "application/json";
            response.ContentLength = body.Length;
            await response.Body.WriteAsync(body.AsMemory(0, body.Length / 2), cancellationToken).ConfigureAwait(false);
            await response.Body.FlushAsync(cancellationToken).ConfigureAwait(false);
        }

        /// <summary>
        /// <c>foreign</c>: what a captive portal, a proxy or a web firewall answers in the server's place. The headers a
        /// real one sends with the status come along (a redirect's Location, a proxy's Proxy-Authenticate), so a client
        /// that follows or answers them can be caught doing so.
        /// </summary>
        private static Task ForeignAsync(HttpContext context, DevFault fault, CancellationToken cancellationToken)
        {
            if (fault.Status is >= 300 and <= 399)
            {
                context.Response.Headers.Location = ForeignLocation;
            }
            else if (fault.Status == 407)
            {
                context.Response.Headers.ProxyAuthenticate = "Basic realm=\"proxy\"";
            }

            (string contentType, byte[] body) = DevForeignBodies.Content(fault.Body);
            return WriteAsync(context, fault.Status, contentType, body, cancellationToken);
        }

        /// <summary>Where a <c>foreign</c> redirect points: a name that never resolves (RFC 2606).</summary>
        public const string ForeignLocation = "http://portal.invalid/login";

        /// <summary>Writes a complete answer with its Content-Length.</summary>
        public static async Task WriteAsync(HttpContext context, int statusCode, string contentType, byte[] body, CancellationToken cancellationToken)
        {
            HttpResponse response = context.Response;
            response.StatusCode = statusCode;
            response.ContentType = contentType;
            response.ContentLength = body.Length;
            await response.Body.WriteAsync(body, cancellationToken).ConfigureAwait(false);
        }

        /// <summary>
        /// Streams <c>{"status":"ok","payload":"AAAA…","signature":"00"}</c> of <paramref name="totalBytes"/> bytes, chunked,
        /// until done or until the client goes away (<paramref name="cancellationToken"/>, or a failed write).
        /// </summary>
        private static async Task StreamAsync(HttpContext context, long totalBytes, CancellationToken cancellationToken)
        {
            HttpResponse response = context.Response;
            response.StatusCode = 200;
            response.ContentType = "application/json";
            try
            {
                await response.Body.WriteAsync(s_bodyStart, cancellationToken).ConfigureAwait(false);
                long remaining = totalBytes - s_bodyStart.Length - s_bodyEnd.Length;
                while (remaining > 0)
                {
                    int chunk = (int)Math.Min(remaining, s_filler.Length);
                    await response.Body.WriteAsync(s_filler.AsMemory(0, chunk), cancellationToken).ConfigureAwait(false);
                    remaining -= chunk;
                }

                await response.Body.WriteAsync(s_bodyEnd, cancellationToken).ConfigureAwait(false);
            }
            catch (Exception e) when (e is OperationCanceledException or System.IO.IOException)
            {
                // The client stopped reading or the server is stopping: the point of the fault, not an error.
                context.Abort();
            }
        }

        private static byte[] CreateFiller()
        {
            byte[] filler = new byte[ChunkBytes];
            Array.Fill(filler, (byte)'A');
            return filler;
        }
    }
}
