using System;
using System.Net.Http;
using System.Net.Security;
using System.Security.Cryptography.X509Certificates;
using AuthForge.DevServer;

namespace AuthForge.Tests.Support
{
    /// <summary>
    /// Trusts a DevServer's self-signed certificate the way a test or benchmark should: an <see cref="HttpClient"/>
    /// whose handler accepts exactly the certificate whose SHA-256 fingerprint the server printed, and nothing else.
    /// The drop-in file has no such knob; its caller supplies the handler (<see cref="AuthForgeClientOptions.HttpClient"/>).
    /// </summary>
    internal sealed class TlsTrust
    {
        private volatile string _pinned;

        public TlsTrust(string sha256Fingerprint) => _pinned = sha256Fingerprint;

        /// <summary>Pins another fingerprint from now on: the next new connection sees the server as a stranger.</summary>
        public string Pinned
        {
            get => _pinned;
            set => _pinned = value;
        }

        /// <summary>How many certificates the handler was shown (one per TLS handshake).</summary>
        public int Handshakes { get; private set; }

        /// <summary>
        /// A client that follows no redirect and accepts only the pinned certificate. With <paramref name="fresh"/> its
        /// connections are not pooled past the request, so a change of <see cref="Pinned"/> takes effect at the next one.
        /// </summary>
        public HttpClient CreateClient(bool fresh = false)
        {
            var handler = new SocketsHttpHandler
            {
                AllowAutoRedirect = false,
                PooledConnectionLifetime = fresh ? TimeSpan.Zero : TimeSpan.FromMinutes(5),
                SslOptions = new SslClientAuthenticationOptions { RemoteCertificateValidationCallback = Accept },
            };
            return new HttpClient(handler) { Timeout = System.Threading.Timeout.InfiniteTimeSpan };
        }

        public static TlsTrust For(DevServerHost server) => new TlsTrust(server.CertificateSha256);

        private bool Accept(object sender, X509Certificate? certificate, X509Chain? chain, SslPolicyErrors errors)
        {
            Handshakes++;
            // Only the chain may be unknown (self-signed); a certificate naming another host is still refused.
            return certificate != null && (errors & ~SslPolicyErrors.RemoteCertificateChainErrors) == SslPolicyErrors.None
                && string.Equals(DevCertificate.Sha256Fingerprint(certificate), _pinned, StringComparison.Ordinal);
        }
    }
}
