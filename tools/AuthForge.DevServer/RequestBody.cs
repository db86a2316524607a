using System.Buffers;
using System.IO.Pipelines;
using System.Threading;
using System.Threading.Tasks;
using Microsoft.AspNetCore.Http;

namespace AuthForge.DevServer
{
    /// <summary>Reads a request body in full, up to a limit.</summary>
    internal static class RequestBody
    {
        /// <summary>Largest body read; protocol requests are a few hundred bytes.</summary>
        public const int MaxBytes = 64 * 1024;

        /// <summary>The body's bytes; null when it is longer than <see cref="MaxBytes"/> (the caller answers <c>bad_request</c>).</summary>
        public static async Task<byte[]?> ReadAsync(HttpRequest request, CancellationToken cancellationToken)
        {
            if (request.ContentLength > MaxBytes)
            {
                return null;
            }

            PipeReader reader = request.BodyReader;
            while (true)
            {
                ReadResult result;
                try
                {
                    result = await reader.ReadAsync(cancellationToken).ConfigureAwait(false);
                }
                catch (BadHttpRequestException)
                {
                    // Kestrel's own limit (a chunked body past MaxRequestBodySize): the same answer as ours.
                    return null;
                }

                ReadOnlySequence<byte> buffer = result.Buffer;
                if (buffer.Length > MaxBytes)
                {
                    reader.AdvanceTo(buffer.Start, buffer.End);
                    return null;
                }

                if (result.IsCompleted || result.IsCanceled)
                {
                    byte[] body = buffer.ToArray();
                    reader.AdvanceTo(buffer.End);
                    return body;
                }

                // Nothing consumed, everything examined: wait for more.
                reader.AdvanceTo(buffer.Start, buffer.End);
            }
        }
    }
}
