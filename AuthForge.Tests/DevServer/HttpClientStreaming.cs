using System.Net.Http;
using System.Threading.Tasks;

namespace AuthForge.Tests.DevServer
{
    internal static class HttpClientStreaming
    {
        /// <summary>POSTs and returns as soon as the headers arrive, leaving the body to be read as a stream.</summary>
        public static Task<HttpResponseMessage> PostForHeadersAsync(this HttpClient http, string path, HttpContent content)
        {
            var request = new HttpRequestMessage(HttpMethod.Post, path) { Content = content };
            return http.SendAsync(request, HttpCompletionOption.ResponseHeadersRead);
        }
    }
}
