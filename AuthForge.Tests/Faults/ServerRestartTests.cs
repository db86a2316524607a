using System;
using System.Collections.Generic;
using System.Diagnostics;
using System.Linq;
using System.Net.Http;
using System.Text.Json;
using System.Threading.Tasks;
using AuthForge.DevServer;
using AuthForge.Tests.Support;
using Xunit;

namespace AuthForge.Tests.Faults
{
    /// <summary>
    /// The server goes away under a client and comes back (<see cref="DevServerHost.StopAsync"/>,
    /// <see cref="DevServerHost.RestartAsync"/>: same port, state kept). A stopped server refuses connections, so
    /// what the client sent is counted by its own <see cref="RecordingHandler"/> rather than the server's log.
    /// </summary>
    [Collection(HostileNetworkCollection.Name)]
    public sealed class ServerRestartTests
    {
        private static readonly TimeSpan s_signalTimeout = TimeSpan.FromSeconds(10);
        // A refused connection fails at once; a client that waited out its time-out instead would take 10 s or more.
        private static readonly TimeSpan s_refusedBound = FaultExpectation.Slack;
        private static readonly string s_refusedText = "< " + s_refusedBound.TotalSeconds.ToString("0.#", System.Globalization.CultureInfo.InvariantCulture) + " s";

        /// <summary>The rows these tests add to docs/FAULT-MATRIX.md, in its columns.</summary>
        public static IReadOnlyList<string[]> MatrixRows { get; } = new[]
        {
            new[]
            {
                "server stopped (connection refused)", "network_error / `network_error`", "—", "—", "no answer",
                "client sent 2 (server down), all nonces distinct", s_refusedText + " (time-out " + FaultMatrix.Duration(FaultExpectation.PatientRequestTimeout) + ")",
                FaultMatrix.DescribeLeftovers(true),
            },
            new[]
            {
                "server stopped mid-session, restarted later", "succeeds again after the restart",
                "heartbeat_failed / `network_error`, reported once; heartbeats resume after the new login",
                "ridden out, no failure: `outage_started` [`network_error`], retried while the server is down, `outage_ended` after the restart; no new login",
                "no answer", "client sent 2 while down (tolerance zero), all nonces distinct", s_refusedText + " after the stop (tolerance zero)",
                FaultMatrix.DescribeLeftovers(true),
            },
            new[]
            {
                "server restarted while a heartbeat's retry waits", "—", "continues, no failure: the retry reaches the restarted server and its answer is the session's",
                "the same", "—", "1 refused + 1 served, nonces distinct", "—", FaultMatrix.DescribeLeftovers(false),
            },
        };

        [Fact]
        public async Task LoginToAStoppedServer_ReportsNetworkErrorAfterOneRetry()
        {
            await using DevServerHost server = await FaultServers.StartAsync(SigningMode.Ed25519);
            await server.StopAsync();
            var leaks = new LeakCheck(server.BaseUrl);
            using var run = new RestartRun(server, TimeSpan.FromHours(1), FaultExpectation.PatientRequestTimeout, toleranceZero: true);

            var watch = Stopwatch.StartNew();
            bool loggedIn = await run.Client.LoginAsync(FaultServers.LicenseKey);

            Assert.False(loggedIn);
            Assert.True(watch.Elapsed < s_refusedBound, $"took {watch.Elapsed.TotalMilliseconds:0} ms");
            Failure failure = Assert.Single(run.Failures.All);
            Assert.Equal((AuthForgeFailureReason.NetworkError, AuthForgeErrorCodes.NetworkError), (failure.Reason, failure.Code));
            Assert.Equal(2, run.Handler.Attempts);
            AssertFreshNonces(run.Handler.RequestBodies);
            Assert.Equal(0, run.Options.Scheduler.ScheduledCount);
            await leaks.AssertConnectionsAtMostAsync(0, "after the refused login");

            run.Dispose();
            await leaks.AssertNothingLeftAsync(run.Options.Scheduler);
        }

        [Fact]
        public async Task ServerStoppedMidSession_ReportsOneHeartbeatFailure_AndTheClientLogsInAgainAfterRestart()
        {
            await using DevServerHost server = await FaultServers.StartAsync(SigningMode.Ed25519);
            var leaks = new LeakCheck(server.BaseUrl);
            // The held attempt counts against the request time-out, so it is longer than a stop on a loaded machine.
            using var run = new RestartRun(server, FaultMatrix.HeartbeatInterval, TimeSpan.FromSeconds(5), toleranceZero: true);
            // 1 login, 2 a clean heartbeat, 3 the heartbeat held until the server is down (4 is its retry),
            // 5 the login after the restart, 6 its first heartbeat, 7 held so the log is final when read.
            var stopped = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
            var never = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
            run.Handler.BeforeSend = (attempt, cancellationToken) =>
                attempt == 3 ? stopped.Task.WaitAsync(cancellationToken)
                : attempt == 7 ? never.Task.WaitAsync(cancellationToken)
                : Task.CompletedTask;

            Assert.True(await run.Client.LoginAsync(FaultServers.LicenseKey));
            await run.Handler.WaitForAttemptAsync(3, s_signalTimeout);
            await server.StopAsync();
            var watch = Stopwatch.StartNew();
            stopped.SetResult();

            Failure failure = await run.Failures.NextAsync(s_signalTimeout);
            Assert.True(watch.Elapsed < s_refusedBound, $"took {watch.Elapsed.TotalMilliseconds:0} ms");
            Assert.Equal((AuthForgeFailureReason.HeartbeatFailed, AuthForgeErrorCodes.NetworkError), (failure.Reason, failure.Code));
            Assert.False(run.Client.IsAuthenticated());
            Assert.Equal(0, run.Options.Scheduler.ScheduledCount);
            Assert.Equal(4, run.Handler.Attempts);
            AssertFreshNonces(run.Handler.RequestBodies.Skip(2));
            await leaks.AssertConnectionsAtMostAsync(0, "while the server is stopped");

            await server.RestartAsync();
            Assert.True(await run.Client.LoginAsync(FaultServers.LicenseKey));
            await run.Handler.WaitForAttemptAsync(7, s_signalTimeout);

            DevRequestRecord last = server.Requests[^1];
            Assert.Equal(("/auth/heartbeat", 200), (last.Path, last.StatusCode));
            Assert.True(run.Client.IsAuthenticated());
            Assert.Equal(1, run.Failures.Count);

            run.Dispose();
            await leaks.AssertNothingLeftAsync(run.Options.Scheduler);
        }

        [Fact]
        public async Task ServerStoppedMidSession_WithTheDefaultTolerance_IsRiddenOut_AndHeartbeatsResumeAfterRestart()
        {
            await using DevServerHost server = await FaultServers.StartAsync(SigningMode.Ed25519);
            var leaks = new LeakCheck(server.BaseUrl);
            using var run = new RestartRun(server, FaultMatrix.HeartbeatInterval, TimeSpan.FromSeconds(5), toleranceZero: false);
            // 1 login, 2 a clean heartbeat, 3 the heartbeat held until the server is down; then retries, each refused,
            // until the restart.
            var stopped = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
            run.Handler.BeforeSend = (attempt, cancellationToken) => attempt == 3 ? stopped.Task.WaitAsync(cancellationToken) : Task.CompletedTask;

            Assert.True(await run.Client.LoginAsync(FaultServers.LicenseKey));
            await run.Handler.WaitForAttemptAsync(3, s_signalTimeout);
            await server.StopAsync();
            stopped.SetResult();

            // Down: no answer, ridden out on the signed session.
            AuthForgeDiagnostic outage = await run.Diagnostics.WaitForAsync(AuthForgeDiagnosticEvents.OutageStarted, s_signalTimeout);
            Assert.Equal(AuthForgeErrorCodes.NetworkError, outage.Code);
            int whileDown = run.Handler.Attempts;
            await run.Handler.WaitForAttemptAsync(whileDown + 2, s_signalTimeout); // it keeps trying
            Assert.True(run.Client.IsAuthenticated());
            Assert.True(run.Client.GetSession()!.IsOffline);
            Assert.Equal(0, run.Failures.Count);
            await leaks.AssertConnectionsAtMostAsync(0, "while the server is stopped");

            // Back: the next retry is answered, the outage ends, and no new login was needed.
            int logMark = server.Requests.Count;
            await server.RestartAsync();
            await run.Diagnostics.WaitForAsync(AuthForgeDiagnosticEvents.OutageEnded, s_signalTimeout);
            int answered = run.Handler.Attempts;
            await run.Handler.WaitForAttemptAsync(answered + 1, s_signalTimeout); // the heartbeat after it: the log is final

            Assert.Equal(0, run.Failures.Count);
            Assert.True(run.Client.IsAuthenticated());
            Assert.False(run.Client.GetSession()!.IsOffline);
            // One login, the first; the session never ended.
            Assert.Equal(new (string, string?)[] { (AuthForgeDiagnosticEvents.LoginSucceeded, null) },
                run.Diagnostics.Of(AuthForgeDiagnosticEvents.LoginSucceeded, AuthForgeDiagnosticEvents.SessionEnded));
            // What reached the restarted server: heartbeats only (outage_ended says one was answered and verified).
            DevRequestRecord[] afterRestart = server.Requests.Skip(logMark).ToArray();
            Assert.NotEmpty(afterRestart);
            Assert.All(afterRestart, r => Assert.Equal("/auth/heartbeat", r.Path));
            AssertFreshNonces(run.Handler.RequestBodies.Skip(1));

            run.Dispose();
            await leaks.AssertNothingLeftAsync(run.Options.Scheduler);
        }

        [Theory]
        [InlineData(true)]
        [InlineData(false)]
        public async Task ServerRestartedWhileAHeartbeatRetryWaits_TheSessionContinuesWithoutAFailure(bool toleranceZero)
        {
            await using DevServerHost server = await FaultServers.StartAsync(SigningMode.Ed25519);
            var leaks = new LeakCheck(server.BaseUrl);
            // The held attempts count against the request time-out, so it is longer than a stop and a restart.
            using var run = new RestartRun(server, FaultMatrix.HeartbeatInterval, TimeSpan.FromSeconds(5), toleranceZero);
            // 1 login, 2 a clean heartbeat, 3 held until the server is down, 4 its retry, held until the server is
            // back, 5 the next heartbeat, held so the log is final when read.
            var stopped = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
            var restarted = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
            var never = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
            run.Handler.BeforeSend = (attempt, cancellationToken) => attempt switch
            {
                3 => stopped.Task.WaitAsync(cancellationToken),
                4 => restarted.Task.WaitAsync(cancellationToken),
                5 => never.Task.WaitAsync(cancellationToken),
                _ => Task.CompletedTask,
            };

            Assert.True(await run.Client.LoginAsync(FaultServers.LicenseKey));
            await run.Handler.WaitForAttemptAsync(3, s_signalTimeout);
            await server.StopAsync();
            stopped.SetResult();
            await run.Handler.WaitForAttemptAsync(4, s_signalTimeout);
            await server.RestartAsync();
            int logMark = server.Requests.Count;
            restarted.SetResult();
            await run.Handler.WaitForAttemptAsync(5, s_signalTimeout);

            Assert.Equal(0, run.Failures.Count);
            Assert.True(run.Client.IsAuthenticated());
            // Retried within the exchange: no outage began, whatever the tolerance.
            Assert.Empty(run.Diagnostics.Of(AuthForgeDiagnosticEvents.OutageStarted, AuthForgeDiagnosticEvents.SessionEnded));
            IReadOnlyList<string> bodies = run.Handler.RequestBodies;
            // The stored session is the one the retry brought back: its signed payload answers the retry's nonce.
            Assert.Equal(NonceOf(bodies[3]), (string)run.Client.GetSessionData()!["nonce"]!);
            AssertFreshNonces(bodies.Skip(2));
            // The refused attempt never reached the server; the retry did, and was answered.
            DevRequestRecord served = Assert.Single(server.Requests.Skip(logMark));
            Assert.Equal(("/auth/heartbeat", 200, NonceOf(bodies[3])), (served.Path, served.StatusCode, served.Nonce));
            Assert.DoesNotContain(server.Requests, r => r.Nonce == NonceOf(bodies[2]));
            await leaks.AssertConnectionsAtMostAsync(1, "after the retry was served");

            run.Dispose();
            await leaks.AssertNothingLeftAsync(run.Options.Scheduler);
        }

        private static string NonceOf(string body)
        {
            using JsonDocument document = JsonDocument.Parse(body);
            return document.RootElement.GetProperty("nonce").GetString()!;
        }

        private static void AssertFreshNonces(IEnumerable<string> bodies)
        {
            List<string> nonces = bodies.Select(NonceOf).ToList();
            Assert.All(nonces, n => Assert.Matches("^[0-9a-f]{32}$", n));
            Assert.Equal(nonces.Count, nonces.Distinct(StringComparer.Ordinal).Count());
        }

        /// <summary>A client of the server with its own recorded HttpClient; disposing it disposes all three.</summary>
        private sealed class RestartRun : IDisposable
        {
            private readonly HttpClient _http;

            public RestartRun(DevServerHost server, TimeSpan interval, TimeSpan requestTimeout, bool toleranceZero)
            {
                Options = LiveServer.ClientOptions(server, Failures, interval: interval);
                // Zero: one unanswered heartbeat ends the session; else the default, which rides it out.
                if (toleranceZero) Options.OfflineTolerance = TimeSpan.Zero;
                Options.OnDiagnostic = Diagnostics.Callback;
                _http = Handler.CreateClient();
                Options.HttpClient = _http;
                Options.RequestTimeout = requestTimeout;
                Client = new AuthForgeClient(Options);
            }

            public FailureRecorder Failures { get; } = new FailureRecorder();
            public DiagnosticRecorder Diagnostics { get; } = new DiagnosticRecorder();
            public RecordingHandler Handler { get; } = new RecordingHandler();
            public AuthForgeClientOptions Options { get; }
            public AuthForgeClient Client { get; }

            public void Dispose()
            {
                Client.Dispose();
                _http.Dispose();
                Handler.Dispose();
            }
        }
    }
}
