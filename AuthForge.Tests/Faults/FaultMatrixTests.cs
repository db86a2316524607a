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
    /// Every row of <see cref="FaultMatrix"/>, met at login and at a SERVER-mode heartbeat (with <c>OfflineTolerance</c>
    /// zero and with the default), over real HTTP to a DevServer whose faults are queued through
    /// <c>POST /admin/faults</c>. Each case checks the outcome the callback reports, the attempts the server saw and
    /// their nonces, the time taken, and what was left behind. docs/FAULT-MATRIX.md is rendered from the same rows.
    /// </summary>
    [Collection(HostileNetworkCollection.Name)]
    public sealed class FaultMatrixTests : IClassFixture<FaultServers>
    {
        private const string ValidatePath = "/auth/validate";
        private const string HeartbeatPath = "/auth/heartbeat";
        private static readonly TimeSpan s_signalTimeout = TimeSpan.FromSeconds(10);

        private readonly FaultServers _servers;

        public FaultMatrixTests(FaultServers servers)
        {
            _servers = servers;
        }

        [Theory]
        [MemberData(nameof(FaultMatrix.Cases), MemberType = typeof(FaultMatrix))]
        public async Task ClientReachesTheDocumentedOutcome(string id, Target target)
        {
            FaultExpectation row = FaultMatrix.Get(id);
            DevServerHost server = _servers.For(row.Mode);
            await DevAdmin.ResetAsync(server);
            var leaks = new LeakCheck(server.BaseUrl);

            var failures = new FailureRecorder();
            var diagnostics = new DiagnosticRecorder();
            var handler = new RecordingHandler();
            HttpClient http = handler.CreateClient();
            AuthForgeClientOptions options = LiveServer.ClientOptions(server, failures,
                interval: target == Target.Login ? TimeSpan.FromHours(1) : FaultMatrix.HeartbeatInterval);
            // With a tolerance of zero one heartbeat without an answer ends the session, so the case shows the failure
            // the heartbeat met; the default tolerance rides it out until the signed session ends.
            if (target == Target.HeartbeatToleranceZero) options.OfflineTolerance = TimeSpan.Zero;
            Assert.True(target != Target.HeartbeatDefaultTolerance || options.OfflineTolerance is null, "the default tolerance is null");
            options.OnDiagnostic = diagnostics.Callback;
            options.HttpClient = http;
            options.RequestTimeout = row.RequestTimeout;
            // The case's own machine: the fault is scoped to it, so no other request to the shared server can take it.
            options.HwidOverride = "matrix:" + id + ":" + target;
            if (row.MaxResponseBytes is int limit) options.MaxResponseBytes = limit;
            var client = new AuthForgeClient(options);
            try
            {
                if (target == Target.Login)
                    await MeetAtLoginAsync(row, server, client, handler, failures, leaks, options);
                else
                    await MeetAtHeartbeatAsync(row, server, client, handler, failures, diagnostics, leaks, options);
            }
            finally
            {
                client.Dispose();
                http.Dispose();
                handler.Dispose();
            }

            await leaks.AssertNothingLeftAsync(options.Scheduler);
        }

        private static async Task MeetAtLoginAsync(FaultExpectation row, DevServerHost server, AuthForgeClient client,
            RecordingHandler handler, FailureRecorder failures, LeakCheck leaks, AuthForgeClientOptions options)
        {
            // A clean exchange first: the faulted request then goes over a reused keep-alive connection, as in real
            // life, and `replay` has a genuine earlier answer to resend. It is made by a second client on the same
            // HttpClient under another hwid, with a patient time-out: should one of its attempts be cut and retried on
            // a loaded machine, the cut request may still reach the server later, and it must not take the fault.
            AuthForgeClientOptions cleanOptions = LiveServer.ClientOptions(server);
            cleanOptions.HttpClient = options.HttpClient;
            cleanOptions.HwidOverride = options.HwidOverride + ":clean";
            cleanOptions.RequestTimeout = FaultExpectation.PatientRequestTimeout;
            using (var clean = new AuthForgeClient(cleanOptions))
                Assert.True((await clean.ValidateLicenseAsync(FaultServers.LicenseKey)).IsValid);
            int logMark = server.Requests.Count;
            int attemptMark = handler.Attempts;
            long readMark = handler.BytesRead;
            await QueueAsync(server, row, ValidatePath, options.HwidOverride!);

            var watch = Stopwatch.StartNew();
            // Bounded, so a client that hangs fails the case instead of the whole run.
            bool loggedIn = await client.LoginAsync(FaultServers.LicenseKey).WaitAsync(s_signalTimeout);
            TimeSpan elapsed = watch.Elapsed;

            Assert.Equal(row.Recovers, loggedIn);
            if (row.Recovers)
            {
                Assert.Equal(0, failures.Count);
                Assert.True(client.IsAuthenticated());
                Assert.Equal(1, options.Scheduler.ScheduledCount);
            }
            else
            {
                Failure failure = Assert.Single(failures.All);
                Assert.Equal((row.LoginReason, row.Code), (failure.Reason, failure.Code));
                Assert.Equal(row.NoAnswer, failure.Error!.IsNoAnswer);
                Assert.False(client.IsAuthenticated());
                Assert.Null(client.GetSessionData());
                Assert.Equal(0, options.Scheduler.ScheduledCount);
            }

            Assert.Equal(row.Attempts, handler.Attempts - attemptMark);
            AssertServerSaw(server.Requests.Skip(logMark).Where(r => r.Hwid == options.HwidOverride).ToArray(), ValidatePath, row);
            AssertTime(row, elapsed, row.MaxElapsed);
            AssertRead(row, handler.BytesRead - readMark, options.MaxResponseBytes);
            await leaks.AssertConnectionsAtMostAsync(row.AbortsConnection && !row.Recovers ? 0 : 1, "after the faulted login");
        }

        private static async Task MeetAtHeartbeatAsync(FaultExpectation row, DevServerHost server, AuthForgeClient client,
            RecordingHandler handler, FailureRecorder failures, DiagnosticRecorder diagnostics, LeakCheck leaks, AuthForgeClientOptions options)
        {
            // Ridden out: with the default tolerance a heartbeat without an answer is retried (after a back-off capped at
            // the interval), and the retry finds the fault spent.
            bool riddenOut = !row.Recovers && row.NoAnswer && options.OfflineTolerance is null;
            // The fault is queued for /auth/heartbeat before the login, so the session's first heartbeat meets it.
            // (Holding a heartbeat in the handler while queueing would spend its request time-out on a loaded
            // machine.) `replay` needs an earlier clean heartbeat answer to resend: a throwaway client makes one.
            if (row.Fault == "replay") await FaultServers.PrimeHeartbeatAsync(server);
            int logMark = server.Requests.Count;
            await QueueAsync(server, row, HeartbeatPath, options.HwidOverride!);

            // Attempt 1 is the login; 2 .. 1 + Attempts the faulted heartbeat and its retries; the next attempt, the
            // following heartbeat, starts only once the faulted one has come to its outcome.
            const int FirstHeartbeat = 2;
            int next = FirstHeartbeat + row.Attempts;

            var watch = Stopwatch.StartNew();
            Assert.True(await client.LoginAsync(FaultServers.LicenseKey).WaitAsync(s_signalTimeout));
            TimeSpan elapsed;
            TimeSpan bound = row.MaxElapsed + options.HeartbeatInterval;
            if (row.Recovers)
            {
                await handler.WaitForAttemptAsync(next, s_signalTimeout);
                elapsed = watch.Elapsed;
                Assert.Equal(0, failures.Count);
                Assert.True(client.IsAuthenticated());
                Assert.Empty(diagnostics.Of(AuthForgeDiagnosticEvents.OutageStarted));
            }
            else if (riddenOut)
            {
                // Attempt `next` is the outage's retry; the one after it starts only once the retry was answered.
                await handler.WaitForAttemptAsync(next + 1, s_signalTimeout);
                elapsed = watch.Elapsed;
                // The back-off and the heartbeat after the retry each take up to an interval more.
                bound += options.HeartbeatInterval + options.HeartbeatInterval;
                Assert.Equal(0, failures.Count);
                Assert.True(client.IsAuthenticated());
                Assert.NotNull(client.GetSessionData());
                Assert.Equal(new (string, string?)[]
                    {
                        (AuthForgeDiagnosticEvents.OutageStarted, row.Code),
                        (AuthForgeDiagnosticEvents.RetryScheduled, row.Code),
                        (AuthForgeDiagnosticEvents.OutageEnded, null),
                    },
                    diagnostics.Of(AuthForgeDiagnosticEvents.OutageStarted, AuthForgeDiagnosticEvents.RetryScheduled,
                        AuthForgeDiagnosticEvents.OutageEnded, AuthForgeDiagnosticEvents.SessionEnded));
            }
            else
            {
                Failure failure = await failures.NextAsync(s_signalTimeout);
                elapsed = watch.Elapsed;
                Assert.Equal((AuthForgeFailureReason.HeartbeatFailed, row.Code), (failure.Reason, failure.Code));
                Assert.Equal(row.NoAnswer, failure.Error!.IsNoAnswer);
                Assert.False(client.IsAuthenticated());
                Assert.Null(client.GetSessionData());
                // The heartbeat stopped: nothing is scheduled and no request followed the failure.
                Assert.Equal(0, options.Scheduler.ScheduledCount);
                Assert.Equal(next - 1, handler.Attempts);
                Assert.Equal(1, failures.Count);
            }

            DevRequestRecord[] own = server.Requests.Skip(logMark).Where(r => r.Hwid == options.HwidOverride).ToArray();
            DevRequestRecord login = Assert.Single(own, r => r.Path == ValidatePath);
            Assert.Null(login.Fault);
            DevRequestRecord[] heartbeats = own.Where(r => r.Path == HeartbeatPath).ToArray();
            // After a recovery, or an outage ridden out, heartbeats go on; the faulted one and its retries are the first
            // ones, and the server saw exactly the nonces the client sent in them.
            DevRequestRecord[] faulted = row.Recovers || riddenOut ? heartbeats.Take(row.Attempts).ToArray() : heartbeats;
            AssertServerSaw(faulted, HeartbeatPath, row);
            Assert.Equal(handler.RequestBodies.Skip(1).Take(row.Attempts).Select(NonceOf), faulted.Select(r => r.Nonce));
            if (riddenOut)
            {
                // The outage's retry: a fresh nonce, and the fault spent.
                DevRequestRecord retry = heartbeats[row.Attempts];
                Assert.Null(retry.Fault);
                Assert.Equal(NonceOf(handler.RequestBodies[next - 1]), retry.Nonce);
                Assert.DoesNotContain(retry.Nonce, faulted.Select(r => r.Nonce));
            }
            // Measured from the login, so the bound also allows the login and the wait for the first heartbeat.
            AssertTime(row, elapsed, bound);
            AssertRead(row, handler.BytesReadIn(FirstHeartbeat, row.Attempts), options.MaxResponseBytes);
            bool connectionGone = row.AbortsConnection && !row.Recovers && !riddenOut;
            await leaks.AssertConnectionsAtMostAsync(connectionGone ? 0 : 1, "after the faulted heartbeat");
        }

        private static Task QueueAsync(DevServerHost server, FaultExpectation row, string path, string hwid) =>
            DevAdmin.AddFaultAsync(server, hwid, row.Fault, row.Count, path, row.DelayMs, row.Status, row.Error, row.Body);

        /// <summary>The requests the server logged for the faulted operation: as many as expected, faulted as queued, each with a fresh nonce.</summary>
        private static void AssertServerSaw(DevRequestRecord[] seen, string path, FaultExpectation row)
        {
            Assert.All(seen, r => Assert.Equal(path, r.Path));
            Assert.Equal(row.Attempts, seen.Length);
            int faulted = Math.Min(row.Count, row.Attempts);
            Assert.All(seen.Take(faulted), r => Assert.Equal(row.Fault, r.Fault));
            Assert.All(seen.Skip(faulted), r => Assert.Null(r.Fault));

            List<string> nonces = seen.Select(r => r.Nonce ?? "").ToList();
            Assert.All(nonces, n => Assert.Matches("^[0-9a-f]{32}$", n));
            Assert.Equal(nonces.Count, nonces.Distinct(StringComparer.Ordinal).Count());
        }

        private static string NonceOf(string body)
        {
            using JsonDocument document = JsonDocument.Parse(body);
            return document.RootElement.GetProperty("nonce").GetString()!;
        }

        private static void AssertTime(FaultExpectation row, TimeSpan elapsed, TimeSpan bound)
        {
            Assert.True(elapsed <= bound, $"{row.Id} took {elapsed.TotalMilliseconds:0} ms; the bound is {bound.TotalMilliseconds:0} ms.");
            Assert.True(elapsed >= row.MinElapsed, $"{row.Id} took {elapsed.TotalMilliseconds:0} ms, less than the {row.MinElapsed.TotalMilliseconds:0} ms of time-outs it must wait out.");
        }

        private static void AssertRead(FaultExpectation row, long read, int limit)
        {
            // The client reads one byte past the limit to notice an over-long body, and never more.
            Assert.True(read <= limit + 1L, $"{row.Id}: the client read {read} bytes of responses; the limit is {limit}.");
            if (row.Time == TimeBound.SizeLimit)
                Assert.True(read >= limit, $"{row.Id}: the client read only {read} bytes before giving up; it should read up to the limit ({limit}).");
        }
    }
}
