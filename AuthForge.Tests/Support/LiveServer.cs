using System;
using System.Threading.Tasks;
using AuthForge.DevServer;

namespace AuthForge.Tests.Support
{
    /// <summary>Starts a real DevServer on 127.0.0.1 with an ephemeral port, and builds clients pointed at it.</summary>
    internal static class LiveServer
    {
        public const string LicenseKey = "TEST-KEY";

        public static Task<DevServerHost> StartAsync(SigningMode mode, params DevLicense[] licenses) =>
            StartAsync(mode, null, licenses);

        /// <summary>As <see cref="StartAsync(SigningMode, DevLicense[])"/>, letting the test adjust the options first
        /// (app variables, a known signing seed, a server clock).</summary>
        public static Task<DevServerHost> StartAsync(SigningMode mode, Action<DevServerOptions>? configure, params DevLicense[] licenses)
        {
            var options = new DevServerOptions { Mode = mode, AppId = "test-app", AppSecret = "test-secret-value" };
            configure?.Invoke(options);
            if (licenses.Length == 0) options.Licenses.Add(new DevLicense(LicenseKey));
            foreach (DevLicense license in licenses) options.Licenses.Add(license);
            return DevServerHost.StartAsync(options);
        }

        /// <summary>
        /// Options for a client of <paramref name="server"/>: its app id, secret and (v3) public key; retries without
        /// waiting; a private scheduler; and an exit seam that throws instead of ending the test host.
        /// </summary>
        public static AuthForgeClientOptions ClientOptions(DevServerHost server, FailureRecorder? failures = null,
            HeartbeatMode mode = HeartbeatMode.Server, TimeSpan? interval = null)
        {
            var options = new AuthForgeClientOptions
            {
                AppId = server.AppId,
                AppSecret = server.AppSecret,
                ApiBaseUrl = server.BaseUrl,
                HeartbeatMode = mode,
                HeartbeatInterval = interval ?? TimeSpan.FromHours(1),
                RequestTimeout = TimeSpan.FromSeconds(5),
                OnFailure = failures?.Callback,
                // xUnit's AsyncTestSyncContext is current when a test starts, and posting there would make every callback
                // run asynchronously on the pool, after assertions that expect it. Which thread runs the callback under
                // the default is FailureContextTests' subject; everywhere else, the thread that found the failure.
                UseSynchronizationContext = false,
                HwidOverride = "test-hwid",
                Retry = new RetryPolicy(new[] { TimeSpan.Zero, TimeSpan.Zero }, TimeSpan.Zero),
                Scheduler = new HeartbeatScheduler(),
                Exit = code => throw new InvalidOperationException("The client tried to end the process with exit code " + code + "."),
            };
            if (server.Mode == SigningMode.Ed25519) options.PublicKeys.Add(server.PublicKeyBase64);
            return options;
        }
    }
}
