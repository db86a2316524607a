using System;
using System.Diagnostics;
using System.Linq;
using System.Threading;
using System.Threading.Tasks;
using AuthForge.DevServer;
using AuthForge.Tests.Support;
using Xunit;

namespace AuthForge.Tests.Async
{
    /// <summary>A caller's cancellation token ends a request in flight promptly, and is not a licence failure.</summary>
    public sealed class CancellationTests
    {
        [Theory]
        [InlineData(SigningMode.HmacV2)]
        [InlineData(SigningMode.Ed25519)]
        public async Task LoginAsyncCancelledMidRequestThrowsPromptlyAndReportsNoFailure(SigningMode mode)
        {
            await using DevServerHost server = await LiveServer.StartAsync(mode);
            server.AddFault(new DevFault(DevFaultKind.Delay) { DelayMs = 20_000, Path = "/auth/validate" });
            var failures = new FailureRecorder();
            AuthForgeClientOptions options = LiveServer.ClientOptions(server, failures);
            options.RequestTimeout = TimeSpan.FromSeconds(30); // the time-out must not be what ends it
            using var client = new AuthForgeClient(options);
            using var cancellation = new CancellationTokenSource();

            Task<bool> login = client.LoginAsync(LiveServer.LicenseKey, cancellation.Token);
            // Mid-request: the server has the request and is holding its answer.
            await ManySessionsTests.WaitUntilAsync(() => server.Requests.Any(r => r.Path == "/auth/validate" && r.Fault == "delay"),
                "the server to hold the validate");
            Assert.False(login.IsCompleted);
            var stopwatch = Stopwatch.StartNew();
            cancellation.Cancel();

            OperationCanceledException cancelled = await Assert.ThrowsAnyAsync<OperationCanceledException>(() => login);
            stopwatch.Stop();

            Assert.Equal(cancellation.Token, cancelled.CancellationToken);
            // Far under the server's 20 s hold: the request was abandoned, not waited for.
            Assert.True(stopwatch.Elapsed < TimeBounds.Prompt, $"Cancellation took {stopwatch.ElapsedMilliseconds} ms.");
            Assert.Equal(0, failures.Count);
            Assert.False(client.IsAuthenticated());
            Assert.Equal(0, options.Scheduler.ScheduledCount);
            // Not retried as a network failure: one validate reached the server.
            Assert.Single(server.Requests, r => r.Path == "/auth/validate");
        }

        [Fact]
        public async Task ValidateLicenseAsyncCancelledMidRequestThrows()
        {
            await using DevServerHost server = await LiveServer.StartAsync(SigningMode.HmacV2);
            server.AddFault(new DevFault(DevFaultKind.Delay) { DelayMs = 20_000, Path = "/auth/validate" });
            AuthForgeClientOptions options = LiveServer.ClientOptions(server, new FailureRecorder());
            options.RequestTimeout = TimeSpan.FromSeconds(30);
            using var client = new AuthForgeClient(options);
            using var cancellation = new CancellationTokenSource();

            Task<AuthForgeValidationResult> validate = client.ValidateLicenseAsync(LiveServer.LicenseKey, cancellation.Token);
            await ManySessionsTests.WaitUntilAsync(() => server.Requests.Any(r => r.Fault == "delay"), "the server to hold the validate");
            cancellation.Cancel();

            await Assert.ThrowsAnyAsync<OperationCanceledException>(() => validate);
        }
    }
}
