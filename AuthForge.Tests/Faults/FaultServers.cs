using System;
using System.Net.Http;
using System.Threading.Tasks;
using AuthForge.DevServer;
using AuthForge.Tests.Support;
using Xunit;

namespace AuthForge.Tests.Faults
{
    /// <summary>
    /// One DevServer per protocol generation, shared by the matrix: v3 (Ed25519, the hosted service today) and v1
    /// (HMAC), where a replayed answer fails differently. Each test resets faults and the request log first.
    /// </summary>
    public sealed class FaultServers : IAsyncLifetime
    {
        public const string LicenseKey = "FAULT-KEY";

        private DevServerHost? _v3;
        private DevServerHost? _v1;
        private int _threadsAtStart;

        public DevServerHost V3 => _v3 ?? throw new InvalidOperationException("Not started.");

        public DevServerHost V1 => _v1 ?? throw new InvalidOperationException("Not started.");

        public DevServerHost For(SigningMode mode) => mode == SigningMode.Ed25519 ? V3 : V1;

        public async Task InitializeAsync()
        {
            _v3 = await StartAsync(SigningMode.Ed25519);
            _v1 = await StartAsync(SigningMode.HmacV1);
            _threadsAtStart = LeakCheck.CurrentThreads();
        }

        public async Task DisposeAsync()
        {
            // Each case checks its own growth against a tolerance; a thread leaked per case would slip under that
            // but not under the same tolerance over every case of the class. A failure here fails the class.
            int threads = LeakCheck.CurrentThreads();
            Assert.True(threads <= _threadsAtStart + LeakCheck.ThreadTolerance,
                $"Over the whole matrix the process went from {_threadsAtStart} to {threads} threads outside the thread pool.");
            if (_v3 != null) await _v3.DisposeAsync();
            if (_v1 != null) await _v1.DisposeAsync();
        }

        /// <summary>
        /// Makes one clean heartbeat on <paramref name="server"/> with a throwaway client, so the <c>replay</c> fault has
        /// a genuine earlier heartbeat answer to resend (the server keeps only answers no fault touched).
        /// </summary>
        public static async Task PrimeHeartbeatAsync(DevServerHost server, string licenseKey = LicenseKey)
        {
            using var handler = new RecordingHandler();
            // The second heartbeat never leaves: sent as the client is disposed, it could still reach the server
            // after this returns and take the fault a test has just queued.
            var never = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
            handler.BeforeSend = (attempt, cancellationToken) => attempt == 3 ? never.Task.WaitAsync(cancellationToken) : Task.CompletedTask;
            using HttpClient http = handler.CreateClient();
            var failures = new FailureRecorder();
            AuthForgeClientOptions options = LiveServer.ClientOptions(server, failures, interval: TimeSpan.FromMilliseconds(20));
            options.HttpClient = http;
            using var client = new AuthForgeClient(options);
            Assert.True(await client.LoginAsync(licenseKey));
            // Attempt 3 starts only once the first heartbeat (attempt 2) has ended; with no failure, it was answered.
            await handler.WaitForAttemptAsync(3, TimeSpan.FromSeconds(10));
            Assert.Equal(0, failures.Count);
        }

        /// <summary>A server whose licence can take every test of the run: ample credits, and a slot per hwid used.</summary>
        public static Task<DevServerHost> StartAsync(SigningMode mode, string appSecret = "fault-secret", string licenseKey = LicenseKey)
        {
            var options = new DevServerOptions { Mode = mode, AppId = "fault-app", AppSecret = appSecret };
            options.Licenses.Add(new DevLicense(licenseKey) { Credits = 1_000_000, MaxHwidSlots = 1024 });
            options.AppVariables["tier"] = "gold";
            return DevServerHost.StartAsync(options);
        }
    }
}
