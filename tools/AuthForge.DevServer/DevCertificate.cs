using System;
using System.Collections.Generic;
using System.Net;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;

namespace AuthForge.DevServer
{
    /// <summary>
    /// The DevServer's TLS certificate: a self-signed one made at start, or one read from a PKCS#12 file; and the
    /// SHA-256 fingerprint a client pins to trust it (nothing is added to any trust store).
    /// </summary>
    public static class DevCertificate
    {
        /// <summary>How long a certificate made at start is valid: the DevServer is a development tool, restarted often.</summary>
        private static readonly TimeSpan s_lifetime = TimeSpan.FromDays(30);

        /// <summary>
        /// Makes a self-signed certificate for <c>localhost</c>, <c>127.0.0.1</c>, <c>::1</c> and each of
        /// <paramref name="extraHosts"/> (names or IP addresses), valid from an hour ago for 30 days. RSA 2048 with
        /// SHA-256, which every TLS stack the client runs on accepts (Mono's included).
        /// </summary>
        public static X509Certificate2 CreateSelfSigned(IEnumerable<string>? extraHosts = null)
        {
            using var key = RSA.Create(2048);
            var request = new CertificateRequest("CN=AuthForge DevServer", key, HashAlgorithmName.SHA256, RSASignaturePadding.Pkcs1);
            var names = new SubjectAlternativeNameBuilder();
            names.AddDnsName("localhost");
            names.AddIpAddress(IPAddress.Loopback);
            names.AddIpAddress(IPAddress.IPv6Loopback);
            var added = new HashSet<string>(StringComparer.OrdinalIgnoreCase) { "localhost", "127.0.0.1", "::1" };
            foreach (string host in extraHosts ?? [])
            {
                string bare = host.Trim('[', ']');
                if (bare.Length == 0 || !added.Add(bare))
                {
                    continue;
                }

                if (IPAddress.TryParse(bare, out IPAddress? address))
                {
                    names.AddIpAddress(address);
                }
                else
                {
                    names.AddDnsName(bare);
                }
            }

            request.CertificateExtensions.Add(names.Build());
            request.CertificateExtensions.Add(new X509BasicConstraintsExtension(false, false, 0, true));
            request.CertificateExtensions.Add(new X509KeyUsageExtension(X509KeyUsageFlags.DigitalSignature | X509KeyUsageFlags.KeyEncipherment, true));
            request.CertificateExtensions.Add(new X509EnhancedKeyUsageExtension([new Oid("1.3.6.1.5.5.7.3.1", "Server Authentication")], false));
            DateTimeOffset now = DateTimeOffset.UtcNow;
            using X509Certificate2 created = request.CreateSelfSigned(now.AddHours(-1), now.Add(s_lifetime));
            // Round-tripped through PKCS#12: on Linux an ephemeral key is not usable by the TLS stack otherwise.
            return X509CertificateLoader.LoadPkcs12(created.Export(X509ContentType.Pkcs12), null);
        }

        /// <summary>Reads a certificate with its private key from a PKCS#12 (.pfx/.p12) file.</summary>
        /// <exception cref="FormatException">The file is missing or unreadable, the password is wrong, or it has no private key;
        /// the message names the file, never the password.</exception>
        public static X509Certificate2 Load(string path, string? password)
        {
            if (!System.IO.File.Exists(path))
            {
                throw new FormatException($"--cert '{path}': no such file.");
            }

            X509Certificate2 certificate;
            try
            {
                certificate = X509CertificateLoader.LoadPkcs12FromFile(path, password);
            }
            catch (Exception e) when (e is System.IO.IOException or UnauthorizedAccessException)
            {
                throw new FormatException($"--cert '{path}': {e.Message}", e);
            }
            catch (CryptographicException e)
            {
                throw new FormatException($"--cert '{path}': not a PKCS#12 (.pfx) file, or --cert-password is wrong.", e);
            }

            if (!certificate.HasPrivateKey)
            {
                certificate.Dispose();
                throw new FormatException($"--cert '{path}': the file has no private key.");
            }

            return certificate;
        }

        /// <summary>The SHA-256 of the certificate's DER bytes as uppercase hex pairs joined by colons, the way
        /// <c>openssl x509 -fingerprint -sha256</c> prints it.</summary>
        public static string Sha256Fingerprint(X509Certificate certificate)
        {
            ArgumentNullException.ThrowIfNull(certificate);
            byte[] hash = SHA256.HashData(certificate.GetRawCertData());
            return string.Join(':', Array.ConvertAll(hash, b => b.ToString("X2", System.Globalization.CultureInfo.InvariantCulture)));
        }
    }
}
