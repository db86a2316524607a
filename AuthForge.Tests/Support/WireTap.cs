using System;
using System.Collections.Generic;
using System.Net.Http;
using System.Text.Json;
using System.Threading;
using System.Threading.Tasks;

namespace AuthForge.Tests.Support
{
    /// <summary>
    /// A pass-through handler that records each request body the client sends, then forwards the request unchanged
    /// over real HTTP. It decides nothing: the server still answers every request. Use it to see what went on the
    /// wire (which form of self-ban, which fields), which the server's request log does not keep.
    /// </summary>
    internal sealed class WireTap : DelegatingHandler
    {
        private readonly object _lock = new object();
        private readonly List<SentRequest> _sent = new List<SentRequest>();

        public WireTap()
            : base(new SocketsHttpHandler { AllowAutoRedirect = false })
        {
        }

        /// <summary>When true, every request is sent twice and the client gets the second answer: a replaying
        /// middlebox (a retrying proxy, an attacker re-sending captured traffic). The server really sees each nonce twice.</summary>
        public bool SendEachRequestTwice { get; set; }

        public IReadOnlyList<SentRequest> Sent
        {
            get { lock (_lock) return _sent.ToArray(); }
        }

        public int Count
        {
            get { lock (_lock) return _sent.Count; }
        }

        /// <summary>An <see cref="HttpClient"/> sending through this tap; the test disposes it.</summary>
        public HttpClient CreateClient() => new HttpClient(this, disposeHandler: false) { Timeout = System.Threading.Timeout.InfiniteTimeSpan };

        protected override async Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken)
        {
            string body = request.Content is null ? "" : await request.Content.ReadAsStringAsync(cancellationToken).ConfigureAwait(false);
            lock (_lock) _sent.Add(new SentRequest(request.RequestUri!.AbsolutePath, body));
            if (SendEachRequestTwice)
            {
                using var first = new HttpRequestMessage(request.Method, request.RequestUri) { Content = new StringContent(body, System.Text.Encoding.UTF8, "application/json") };
                using HttpResponseMessage ignored = await base.SendAsync(first, cancellationToken).ConfigureAwait(false);
                await ignored.Content.ReadAsByteArrayAsync(cancellationToken).ConfigureAwait(false);
            }
            return await base.SendAsync(request, cancellationToken).ConfigureAwait(false);
        }
    }

    /// <summary>One request as the client sent it.</summary>
    internal sealed class SentRequest
    {
        public SentRequest(string path, string body)
        {
            Path = path;
            Body = body;
        }

        public string Path { get; }
        public string Body { get; }

        /// <summary>The body's members; the client always sends one flat JSON object.</summary>
        public JsonElement Json
        {
            get
            {
                using JsonDocument document = JsonDocument.Parse(Body);
                return document.RootElement.Clone();
            }
        }

        public bool Has(string member) => Json.TryGetProperty(member, out _);
    }
}
