using System;
using System.Collections.Generic;
using System.Diagnostics.CodeAnalysis;

namespace AuthForge.DevServer
{
    /// <summary>A licence the development server knows at start, or that is added while it runs.</summary>
    /// <remarks>The server copies a licence when it is registered; changing this object later has no effect.</remarks>
    public sealed class DevLicense
    {
        /// <summary>Creates a licence; set <see cref="Key"/> in the initializer.</summary>
        public DevLicense()
        {
        }

        /// <summary>Creates a licence with the given key and default settings.</summary>
        /// <param name="key">The licence key the client sends.</param>
        [SetsRequiredMembers]
        public DevLicense(string key)
        {
            Key = key;
        }

        /// <summary>The licence key the client sends as <c>licenseKey</c>. Compared ordinally.</summary>
        public required string Key { get; set; }

        /// <summary>Credits left. A validate costs one; every tenth successful heartbeat costs one. Default 1000.</summary>
        public long Credits { get; set; } = 1000;

        /// <summary>How many distinct hardware ids may use the licence. A new hwid takes a free slot. Default 1.</summary>
        public int MaxHwidSlots { get; set; } = 1;

        /// <summary>When the licence stops working (<c>expired</c>); null for never.</summary>
        public DateTimeOffset? ExpiresAt { get; set; }

        /// <summary>A display label, returned as <c>licenseLabel</c> in v3 payloads.</summary>
        public string? Label { get; set; }

        /// <summary>Returned as <c>licenseVariables</c>. Values must be serializable with System.Text.Json.</summary>
        public IDictionary<string, object?> Variables { get; set; } = new Dictionary<string, object?>(StringComparer.Ordinal);
    }
}
