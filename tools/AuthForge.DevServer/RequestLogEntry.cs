using System;
using System.Threading;

namespace AuthForge.DevServer
{
    /// <summary>
    /// A request in the log. It is added when the request arrives, before any fault applies, and completed with the
    /// answer once that is known, so a test can see a request that is still being delayed or was dropped.
    /// </summary>
    internal sealed class RequestLogEntry
    {
        private CompletedAnswer? _answer;

        public RequestLogEntry(DateTimeOffset time, string path, string? nonce, string? licenseKey, string? hwid, string? remoteAddress)
        {
            Time = time;
            Path = path;
            Nonce = nonce;
            LicenseKey = licenseKey;
            Hwid = hwid;
            RemoteAddress = remoteAddress;
        }

        public DateTimeOffset Time { get; }

        public string Path { get; }

        public string? Nonce { get; }

        public string? LicenseKey { get; }

        public string? Hwid { get; }

        public string? RemoteAddress { get; }

        /// <summary>Records the answer: the status sent (0 for none), the error code and the fault applied.</summary>
        public void Complete(int statusCode, string? error, string? fault)
        {
            // One reference write, so a concurrent reader sees all three fields or none.
            Volatile.Write(ref _answer, new CompletedAnswer(statusCode, error, fault));
        }

        /// <summary>Records that a fault is applying before its answer is known.</summary>
        public void MarkFault(string fault)
        {
            Volatile.Write(ref _answer, new CompletedAnswer(0, null, fault));
        }

        public DevRequestRecord ToRecord()
        {
            CompletedAnswer? answer = Volatile.Read(ref _answer);
            return new DevRequestRecord(Time, Path, Nonce, LicenseKey, Hwid, RemoteAddress, answer?.StatusCode ?? 0, answer?.Error, answer?.Fault);
        }

        private sealed record CompletedAnswer(int StatusCode, string? Error, string? Fault);
    }
}
