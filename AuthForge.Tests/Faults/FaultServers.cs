using System;
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
                $"Over the whole matrix the process went from {_threadsAtStart} to {threads} threads.");
            if (_v3 != null) await _v3.DisposeAsync();
            if (_v1 != null) await _v1.DisposeAsync();
        }

        /// <summary>A server whose licence can take every test of the run: ample credits, and a slot per hwid used.</summary>
        public static Task<DevServerHost> StartAsync(SigningMode mode, string appSecret = "fault-secret", string licenseKey = LicenseKey)
        {
            var options = new DevServerOptions { Mode = mode, AppId = "fault-app", AppSecret = appSecret };
            options.Licenses.Add(new DevLicense(licenseKey) { Credits = 1_000_000, MaxHwidSlots = 64 });
            options.AppVariables["tier"] = "gold";
            return DevServerHost.StartAsync(options);
        }
    }
}
