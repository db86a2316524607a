using System;
using System.Collections.Generic;

namespace AuthForge.DevServer
{
    /// <summary>How a <see cref="DevServerHost"/> starts. Read once by <see cref="DevServerHost.StartAsync"/>.</summary>
    public sealed class DevServerOptions
    {
        /// <summary>
        /// Kestrel listen address(es), separated by <c>;</c>. Port 0 picks a free ephemeral port; the bound address is
        /// reported by <see cref="DevServerHost.BaseUrl"/>. Default <c>http://127.0.0.1:0</c>.
        /// </summary>
        public string Urls { get; set; } = "http://127.0.0.1:0";

        /// <summary>The only application id the server accepts. Default <c>demo-app</c>.</summary>
        public string AppId { get; set; } = "demo-app";

        /// <summary>The application secret the server expects on validate. Default <c>demo-secret</c>.</summary>
        public string AppSecret { get; set; } = "demo-secret";

        /// <summary>The protocol generation to sign with. Default <see cref="SigningMode.Ed25519"/> (v3).</summary>
        public SigningMode Mode { get; set; } = SigningMode.Ed25519;

        /// <summary>Licences known at start.</summary>
        public IList<DevLicense> Licenses { get; set; } = new List<DevLicense>();

        /// <summary>Returned as <c>appVariables</c>. Values must be serializable with System.Text.Json.</summary>
        public IDictionary<string, object?> AppVariables { get; set; } = new Dictionary<string, object?>(StringComparer.Ordinal);

        /// <summary>
        /// The 32-byte RFC 8032 seed of the first Ed25519 signing key (v3), so its public key is known in advance;
        /// null for a random key.
        /// </summary>
        public byte[]? SigningKeySeed { get; set; }

        /// <summary>
        /// The TLS certificate (with its private key) for the <c>https://</c> addresses in <see cref="Urls"/>; null makes a
        /// self-signed one at start (<see cref="DevCertificate.CreateSelfSigned"/>). Clients trust it by pinning
        /// <see cref="DevServerHost.CertificateSha256"/>. Unused when every address is <c>http://</c>.
        /// </summary>
        public System.Security.Cryptography.X509Certificates.X509Certificate2? Certificate { get; set; }

        /// <summary>When true (the default) nothing is logged; when false each request is logged in one line.</summary>
        public bool Quiet { get; set; } = true;

        /// <summary>
        /// The server's clock: timestamps, session expiry and licence expiry. Tests substitute a controllable clock.
        /// Fault delays always use real time.
        /// </summary>
        public TimeProvider Time { get; set; } = TimeProvider.System;
    }
}
