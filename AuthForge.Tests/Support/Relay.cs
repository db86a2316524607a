using System;
using System.Net.Http;
using System.Net.Http.Headers;
using System.Text;
using System.Text.Json.Nodes;
using System.Threading;
using System.Threading.Tasks;

namespace AuthForge.Tests.Support
{
    /// <summary>
    /// A man in the middle, as a TLS-intercepting proxy on the licensee's own machine would be: forwards every request
    /// over real HTTP to the server, after letting the test rewrite its JSON body, and lets the test rewrite the answer
    /// before the client reads it. With neither rewrite set it is a plain pass-through.
    /// </summary>
    internal sealed class Relay : DelegatingHandler
    {
        private Action<string, JsonObject>? _rewriteRequest;
        private Func<RelayedAnswer, byte[]>? _rewriteAnswer;

        public Relay()
            : base(new SocketsHttpHandler { UseProxy = false, AllowAutoRedirect = false })
        {
        }

        /// <summary>Edits a request body (path, members) before it is forwarded. May be set between requests.</summary>
        public Action<string, JsonObject>? RewriteRequest
        {
            get => Volatile.Read(ref _rewriteRequest);
            set => Volatile.Write(ref _rewriteRequest, value);
        }

        /// <summary>Replaces the server's answer body. May be set between requests.</summary>
        public Func<RelayedAnswer, byte[]>? RewriteAnswer
        {
            get => Volatile.Read(ref _rewriteAnswer);
            set => Volatile.Write(ref _rewriteAnswer, value);
        }

        /// <summary>An <see cref="HttpClient"/> sending through this relay; the test disposes it.</summary>
        public HttpClient CreateClient() => new HttpClient(this, disposeHandler: false) { Timeout = Timeout.InfiniteTimeSpan };

        protected override async Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken)
        {
            string path = request.RequestUri!.AbsolutePath;
            string sent = request.Content is null ? "{}" : await request.Content.ReadAsStringAsync(cancellationToken).ConfigureAwait(false);
            JsonObject body = JsonNode.Parse(sent)!.AsObject();
            RewriteRequest?.Invoke(path, body);
            request.Content = new StringContent(body.ToJsonString(), Encoding.UTF8, "application/json");

            HttpResponseMessage response = await base.SendAsync(request, cancellationToken).ConfigureAwait(false);
            Func<RelayedAnswer, byte[]>? rewrite = RewriteAnswer;
            if (rewrite is null) return response;

            byte[] answer = await response.Content.ReadAsByteArrayAsync(cancellationToken).ConfigureAwait(false);
            byte[] replaced = rewrite(new RelayedAnswer(path, body, (int)response.StatusCode, answer));
            var content = new ByteArrayContent(replaced);
            content.Headers.ContentType = new MediaTypeHeaderValue("application/json");
            response.Content = content;
            return response;
        }
    }

    /// <summary>An answer passing through a <see cref="Relay"/>: the request as forwarded, and the server's body.</summary>
    internal sealed record RelayedAnswer(string Path, JsonObject Forwarded, int StatusCode, byte[] Body)
    {
        public string Nonce => (string)Forwarded["nonce"]!;
    }

    /// <summary>Takes a signed answer apart and puts it back together, for relays that edit and re-sign it.</summary>
    internal static class Answer
    {
        public static JsonObject Envelope(byte[] body) => JsonNode.Parse(body)!.AsObject();

        public static JsonObject Payload(JsonObject envelope) =>
            JsonNode.Parse(Convert.FromBase64String((string)envelope["payload"]!))!.AsObject();

        public static string PayloadText(JsonObject payload) => Convert.ToBase64String(Encoding.UTF8.GetBytes(payload.ToJsonString()));

        /// <summary>The body of a <c>base64url(JSON).mac</c> token.</summary>
        public static JsonObject TokenBody(string token)
        {
            string part = token.Substring(0, token.IndexOf('.')).Replace('-', '+').Replace('_', '/');
            part = part.PadRight(part.Length + (4 - part.Length % 4) % 4, '=');
            return JsonNode.Parse(Convert.FromBase64String(part))!.AsObject();
        }

        /// <summary>The token with its body replaced and the server's MAC kept (the client cannot check the MAC).</summary>
        public static string WithTokenBody(string token, JsonObject body) =>
            Signed.Base64UrlJson(body.ToJsonString()) + token.Substring(token.IndexOf('.'));

        public static byte[] Write(string payloadText, string signature, string? keyId = null)
        {
            var envelope = new JsonObject { ["status"] = "ok", ["payload"] = payloadText, ["signature"] = signature };
            if (keyId != null) envelope["keyId"] = keyId;
            return Encoding.UTF8.GetBytes(envelope.ToJsonString());
        }
    }
}
