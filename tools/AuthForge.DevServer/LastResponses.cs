using System.Collections.Concurrent;

namespace AuthForge.DevServer
{
    /// <summary>The last genuine successful response body per endpoint path, kept for the <c>replay</c> fault.</summary>
    internal sealed class LastResponses
    {
        private readonly ConcurrentDictionary<string, byte[]> _bodies = new(System.StringComparer.Ordinal);

        public void Set(string path, byte[] body) => _bodies[path] = body;

        public byte[]? Get(string path) => _bodies.TryGetValue(path, out byte[]? body) ? body : null;
    }
}
