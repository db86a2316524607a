using System;
using System.Collections.Generic;
using System.IO;
using System.Net;
using System.Net.Security;
using System.Net.Sockets;
using System.Security.Cryptography.X509Certificates;
using System.Text;
using System.Threading;
using System.Threading.Tasks;

namespace AuthForge.Tests.Support
{
    /// <summary>
    /// A deliberately misbehaving HTTP/1.1 server on 127.0.0.1, a few dozen lines over a raw socket, for what Kestrel
    /// will not do on request: send headers and then stall, drip a body byte by byte, answer with arbitrary bytes.
    /// One request per connection; the test's responder writes the whole answer, status line included.
    /// </summary>
    internal sealed class RawHttpServer : IAsyncDisposable
    {
        private const int MaxRequestBytes = 64 * 1024;

        private readonly TcpListener _listener = new TcpListener(IPAddress.Loopback, 0);
        private readonly Func<RawRequest, CancellationToken, Task> _respond;
        private readonly X509Certificate2? _certificate;
        private readonly CancellationTokenSource _stopping = new CancellationTokenSource();
        private readonly List<Task> _connections = new List<Task>();
        private readonly Task _accepting;
        private int _connectionCount;
        private int _requestCount;

        /// <param name="respond">Writes the answer to one request; it may stall until the token is cancelled at dispose.</param>
        /// <param name="certificate">When given, the server speaks TLS with it (for certificate-validation tests).</param>
        public RawHttpServer(Func<RawRequest, CancellationToken, Task> respond, X509Certificate2? certificate = null)
        {
            _respond = respond;
            _certificate = certificate;
            _listener.Start();
            _accepting = AcceptAsync();
        }

        public int Port => ((IPEndPoint)_listener.LocalEndpoint).Port;

        public string BaseUrl => (_certificate is null ? "http" : "https") + "://127.0.0.1:" + Port.ToString(System.Globalization.CultureInfo.InvariantCulture);

        /// <summary>TCP connections accepted so far.</summary>
        public int Connections => Volatile.Read(ref _connectionCount);

        /// <summary>Complete HTTP requests received so far.</summary>
        public int Requests => Volatile.Read(ref _requestCount);

        public async ValueTask DisposeAsync()
        {
            _stopping.Cancel();
            _listener.Stop();
            Task[] connections;
            lock (_connections) connections = _connections.ToArray();
            try
            {
                await Task.WhenAll(connections).WaitAsync(TimeSpan.FromSeconds(5)).ConfigureAwait(false);
            }
            catch (TimeoutException)
            {
                throw new InvalidOperationException("A raw server connection did not end within 5 s of the server stopping.");
            }
            await _accepting.ConfigureAwait(false);
            _stopping.Dispose();
        }

        private async Task AcceptAsync()
        {
            while (true)
            {
                TcpClient client;
                try
                {
                    client = await _listener.AcceptTcpClientAsync(_stopping.Token).ConfigureAwait(false);
                }
                // Stop() between two accepts makes the next one throw "Not listening": that is the stop, too.
                catch (Exception e) when (e is OperationCanceledException || e is SocketException || e is ObjectDisposedException
                    || (e is InvalidOperationException && _stopping.IsCancellationRequested))
                {
                    return;
                }
                Interlocked.Increment(ref _connectionCount);
                lock (_connections) _connections.Add(ServeAsync(client));
            }
        }

        private async Task ServeAsync(TcpClient client)
        {
            using (client)
            {
                try
                {
                    Stream stream = client.GetStream();
                    if (_certificate != null)
                    {
                        var tls = new SslStream(stream, leaveInnerStreamOpen: false);
                        stream = tls;
                        await tls.AuthenticateAsServerAsync(new SslServerAuthenticationOptions { ServerCertificate = _certificate }, _stopping.Token).ConfigureAwait(false);
                    }
                    await using (stream.ConfigureAwait(false))
                    {
                        RawRequest? request = await ReadRequestAsync(stream, _stopping.Token).ConfigureAwait(false);
                        if (request is null) return;
                        Interlocked.Increment(ref _requestCount);
                        await _respond(request, _stopping.Token).ConfigureAwait(false);
                    }
                }
                catch (Exception e) when (e is IOException || e is OperationCanceledException || e is SocketException
                    || e is ObjectDisposedException || e is System.Security.Authentication.AuthenticationException)
                {
                    // The client went away, refused the certificate, or the server is stopping: all expected here.
                }
            }
        }

        private static async Task<RawRequest?> ReadRequestAsync(Stream stream, CancellationToken cancellationToken)
        {
            var received = new MemoryStream();
            byte[] buffer = new byte[4096];
            int headerEnd;
            while ((headerEnd = IndexOfHeaderEnd(received)) < 0)
            {
                int read = await stream.ReadAsync(buffer, cancellationToken).ConfigureAwait(false);
                if (read == 0 || received.Length + read > MaxRequestBytes) return null;
                received.Write(buffer, 0, read);
            }

            string head = Encoding.ASCII.GetString(received.GetBuffer(), 0, headerEnd);
            int contentLength = 0;
            foreach (string line in head.Split("\r\n"))
            {
                if (line.StartsWith("Content-Length:", StringComparison.OrdinalIgnoreCase))
                    contentLength = int.Parse(line.AsSpan("Content-Length:".Length).Trim(), System.Globalization.CultureInfo.InvariantCulture);
            }
            int bodyStart = headerEnd + 4;
            while (received.Length < bodyStart + contentLength)
            {
                int read = await stream.ReadAsync(buffer, cancellationToken).ConfigureAwait(false);
                if (read == 0 || received.Length + read > MaxRequestBytes) return null;
                received.Write(buffer, 0, read);
            }

            string path = head.Split(' ')[1];
            string body = Encoding.UTF8.GetString(received.GetBuffer(), bodyStart, contentLength);
            return new RawRequest(stream, path, body);
        }

        private static int IndexOfHeaderEnd(MemoryStream received)
        {
            byte[] bytes = received.GetBuffer();
            for (int i = 0; i + 3 < received.Length; i++)
            {
                if (bytes[i] == '\r' && bytes[i + 1] == '\n' && bytes[i + 2] == '\r' && bytes[i + 3] == '\n') return i;
            }
            return -1;
        }
    }

    /// <summary>One request to a <see cref="RawHttpServer"/>, and the stream to answer it on.</summary>
    internal sealed class RawRequest
    {
        public RawRequest(Stream stream, string path, string body)
        {
            Stream = stream;
            Path = path;
            Body = body;
        }

        public Stream Stream { get; }
        public string Path { get; }
        public string Body { get; }

        /// <summary>The request's <c>nonce</c> member, for answers that must be signed for it.</summary>
        public string Nonce
        {
            get
            {
                using var document = System.Text.Json.JsonDocument.Parse(Body);
                return document.RootElement.GetProperty("nonce").GetString()!;
            }
        }

        public async Task WriteAsync(string text, CancellationToken cancellationToken)
        {
            await WriteAsync(Encoding.UTF8.GetBytes(text), cancellationToken).ConfigureAwait(false);
        }

        public async Task WriteAsync(byte[] bytes, CancellationToken cancellationToken)
        {
            await Stream.WriteAsync(bytes, cancellationToken).ConfigureAwait(false);
            await Stream.FlushAsync(cancellationToken).ConfigureAwait(false);
        }

        /// <summary>A complete answer with a Content-Length, closing the connection after it.</summary>
        public Task WriteResponseAsync(int status, byte[] body, CancellationToken cancellationToken) =>
            WriteAsync(Concat(Head(status, body.Length), body), cancellationToken);

        /// <summary>The status line and headers; <paramref name="contentLength"/> null for a chunked body.</summary>
        public static byte[] Head(int status, long? contentLength)
        {
            string head = "HTTP/1.1 " + status.ToString(System.Globalization.CultureInfo.InvariantCulture) + " X\r\nContent-Type: application/json\r\nConnection: close\r\n"
                + (contentLength is long length ? "Content-Length: " + length.ToString(System.Globalization.CultureInfo.InvariantCulture) : "Transfer-Encoding: chunked")
                + "\r\n\r\n";
            return Encoding.ASCII.GetBytes(head);
        }

        /// <summary>Stalls until the client closes its side (a read returns 0) or the server stops.</summary>
        public async Task WaitForClientToLeaveAsync(CancellationToken cancellationToken)
        {
            byte[] one = new byte[1];
            while (await Stream.ReadAsync(one, cancellationToken).ConfigureAwait(false) > 0)
            {
            }
        }

        private static byte[] Concat(byte[] first, byte[] second)
        {
            byte[] all = new byte[first.Length + second.Length];
            first.CopyTo(all, 0);
            second.CopyTo(all, first.Length);
            return all;
        }
    }
}
