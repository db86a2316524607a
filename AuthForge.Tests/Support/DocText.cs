using System;
using System.Globalization;

namespace AuthForge.Tests.Support
{
    /// <summary>Figures written as the documents write them, so a test can find a code's value in a document's text.</summary>
    internal static class DocText
    {
        /// <summary>A count with thousands separators: 57,250.</summary>
        public static string Count(long value) => value.ToString("N0", CultureInfo.InvariantCulture);

        /// <summary>A duration: 50 ms, 1 s, 2.5 s, 60 s, 15 min (whole minutes from two minutes on).</summary>
        public static string Duration(TimeSpan value) =>
            value.TotalSeconds < 1 ? value.TotalMilliseconds.ToString("0", CultureInfo.InvariantCulture) + " ms"
            : value.TotalSeconds < 120 || value.TotalSeconds % 60 != 0 ? value.TotalSeconds.ToString("0.#", CultureInfo.InvariantCulture) + " s"
            : value.TotalMinutes.ToString("0", CultureInfo.InvariantCulture) + " min";

        /// <summary>A size in binary units: 1 MiB, 64 KiB, 512 bytes.</summary>
        public static string Size(long bytes) =>
            bytes >= 1024 * 1024 && bytes % (1024 * 1024) == 0 ? (bytes / (1024 * 1024)).ToString(CultureInfo.InvariantCulture) + " MiB"
            : bytes >= 1024 && bytes % 1024 == 0 ? (bytes / 1024).ToString(CultureInfo.InvariantCulture) + " KiB"
            : bytes.ToString(CultureInfo.InvariantCulture) + " bytes";
    }
}
