using System;
using System.Collections.Generic;
using System.Net.Http;
using System.Net.Security;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using System.Text;

namespace AuthForge.MonoCheck
{
    /// <summary>
    /// Trusts the DevServers' self-signed certificates the way an app trusts a private server: an HttpClient whose
    /// handler accepts exactly the certificates whose SHA-256 fingerprints the servers printed. On Mono this runs
    /// through HttpClientHandler's ServerCertificateCustomValidationCallback over Mono's own TLS stack.
    /// </summary>
    internal static class PinnedTls
    {
        private static HashSet<string> s_pins = new HashSet<string>(StringComparer.Ordinal);
        private static HttpClient s_client;

        /// <summary>True once fingerprints were given: the servers are https:// and every client uses <see cref="Client"/>.</summary>
        public static bool Enabled => s_client != null;

        /// <summary>The pinned client; null without TLS (the drop-in file's shared client is used then).</summary>
        public static HttpClient Client => s_client;

        public static void Pin(IEnumerable<string> fingerprints)
        {
            s_pins = new HashSet<string>(fingerprints, StringComparer.Ordinal);
            var handler = new HttpClientHandler
            {
                AllowAutoRedirect = false,
                ServerCertificateCustomValidationCallback = Accept,
            };
            s_client = new HttpClient(handler) { Timeout = System.Threading.Timeout.InfiniteTimeSpan };
        }

        private static bool Accept(HttpRequestMessage request, X509Certificate2 certificate, X509Chain chain, SslPolicyErrors errors)
        {
            // Only the chain may be unknown (self-signed): a certificate for another name is still refused.
            return certificate != null && (errors & ~SslPolicyErrors.RemoteCertificateChainErrors) == SslPolicyErrors.None
                && s_pins.Contains(Fingerprint(certificate));
        }

        private static string Fingerprint(X509Certificate2 certificate)
        {
            byte[] hash;
            using (SHA256 sha = SHA256.Create())
            {
                hash = sha.ComputeHash(certificate.RawData);
            }

            var text = new StringBuilder(95);
            foreach (byte b in hash)
            {
                if (text.Length > 0) text.Append(':');
                text.Append(b.ToString("X2"));
            }

            return text.ToString();
        }
    }
}
