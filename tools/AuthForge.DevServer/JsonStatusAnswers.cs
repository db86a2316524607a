using System.Threading.Tasks;
using Microsoft.AspNetCore.Http;

namespace AuthForge.DevServer
{
    /// <summary>
    /// Gives an error answer that would otherwise have no body a JSON one, in the shape of every other error:
    /// <c>{"status":"error","error":"not_found"}</c> for 404, <c>method_not_allowed</c> for 405.
    /// </summary>
    internal static class JsonStatusAnswers
    {
        public static async Task WriteWhenEmptyAsync(HttpContext context, RequestDelegate next)
        {
            await next(context).ConfigureAwait(false);
            HttpResponse response = context.Response;
            if (response.HasStarted || response.ContentLength is not null || response.ContentType is not null
                || context.RequestAborted.IsCancellationRequested)
            {
                return;
            }

            string? code = response.StatusCode switch
            {
                StatusCodes.Status404NotFound => "not_found",
                StatusCodes.Status405MethodNotAllowed => "method_not_allowed",
                _ => null,
            };
            if (code is null)
            {
                return;
            }

            byte[] body = JsonText.Write(code, static (writer, c) =>
            {
                writer.WriteStartObject();
                writer.WriteString("status", "error");
                writer.WriteString("error", c);
                writer.WriteEndObject();
            });
            response.ContentType = "application/json";
            response.ContentLength = body.Length;
            await response.Body.WriteAsync(body, context.RequestAborted).ConfigureAwait(false);
        }
    }
}
