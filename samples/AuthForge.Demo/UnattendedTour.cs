using System;
using System.Collections.Generic;
using System.Diagnostics;
using System.Linq;
using System.Threading;
using System.Threading.Tasks;
using AuthForge.DevServer;

namespace AuthForge.Demo
{
    /// <summary>
    /// What the demo does when nobody is at the keyboard (CI runs it with <c>&lt;/dev/null</c>): the life of one licence
    /// against the embedded server, from login through heartbeats to revocation, each step bounded in time.
    /// </summary>
    internal sealed class UnattendedTour
    {
        /// <summary>A heartbeat a second keeps the whole tour within a few seconds.</summary>
        public static readonly TimeSpan DefaultHeartbeatInterval = TimeSpan.FromSeconds(1);

        private const int HeartbeatsToShow = 3;

        private static readonly TimeSpan s_pollInterval = TimeSpan.FromMilliseconds(20);

        private readonly EmbeddedServer _server;
        private readonly DemoTarget _target;
        private readonly FailureInbox _failures = new();
        private readonly Stopwatch _elapsed = Stopwatch.StartNew();
        private readonly TimeSpan _heartbeatsDeadline;
        private readonly TimeSpan _failureDeadline;

        private UnattendedTour(EmbeddedServer server, TimeSpan heartbeatInterval)
        {
            _server = server;
            _target = DemoTarget.ForEmbedded(server, heartbeatInterval);
            // The first heartbeat comes at a random point of the first interval (the client spreads sessions out),
            // then one an interval; the slack absorbs a slow, shared CI machine.
            _heartbeatsDeadline = heartbeatInterval * (HeartbeatsToShow + 3);
            _failureDeadline = heartbeatInterval * 3 + TimeSpan.FromSeconds(2);
        }

        /// <returns>0 when every step behaved as expected, else 1 (the reason is printed).</returns>
        public static Task<int> RunAsync(EmbeddedServer server, TimeSpan heartbeatInterval, CancellationToken cancellationToken) =>
            new UnattendedTour(server, heartbeatInterval).RunAsync(cancellationToken);

        private async Task<int> RunAsync(CancellationToken cancellationToken)
        {
            ConsoleLog.Plain("AuthForge demo: unattended tour (standard input is not a terminal; run it in one for the menu)");
            ConsoleLog.Plain();
            ConsoleLog.Event("server", $"embedded DevServer at {_server.BaseUrl}, protocol {_target.Protocol}");
            ConsoleLog.Detail($"public key {_server.PublicKey} (key id {_server.KeyId})");
            long creditsBefore = _server.Credits;

            using AuthForgeClient client = _target.CreateClient(_failures);
            ConsoleLog.Event("client", $"{client}");
            ConsoleLog.Detail($"heartbeat every {_target.HeartbeatInterval.TotalSeconds:0.#} s, hardware id {ConsoleLog.Short(client.GetHardwareId())}");

            if (!await LogInAsync(client, cancellationToken).ConfigureAwait(false)) return 1;
            ShowVariables(client);
            if (!await ShowHeartbeatsAsync(client, cancellationToken).ConfigureAwait(false)) return 1;
            if (!await ValidateAsync(client, expectValid: true, cancellationToken).ConfigureAwait(false)) return 1;
            ConsoleLog.Event("credits", $"{creditsBefore} -> {_server.Credits} (login and validate cost one each; ten heartbeats cost one)");

            AdminAnswer revoked = await _server.RevokeAsync(cancellationToken).ConfigureAwait(false);
            ConsoleLog.Event("admin", $"{revoked.Request} -> HTTP {revoked.StatusCode}, revoked={ConsoleLog.Flag(revoked.Revoked)}");
            if (revoked.Revoked != true)
            {
                Fail("the admin route did not revoke the licence.");
                return 1;
            }

            if (!await AwaitRevocationAsync(client, cancellationToken).ConfigureAwait(false)) return 1;
            if (!await ValidateAsync(client, expectValid: false, cancellationToken).ConfigureAwait(false)) return 1;

            ConsoleLog.Plain();
            ConsoleLog.Event("done", $"in {_elapsed.Elapsed.TotalSeconds:0.0} s; the app secret was never printed");
            return 0;
        }

        private async Task<bool> LogInAsync(AuthForgeClient client, CancellationToken cancellationToken)
        {
            bool ok = await client.LoginAsync(EmbeddedServer.LicenseKey, cancellationToken).ConfigureAwait(false);
            if (!ok)
            {
                // A refused login has already been reported to onFailure, on this thread, before LoginAsync returned.
                string why = _failures.TryTake(out Failure failure) ? $"{failure.Reason} ({failure.Code}): {failure.Message}" : "no reason given";
                return Fail("the login was refused: " + why);
            }

            AuthForgeSession? session = client.GetSession();
            ConsoleLog.Event("login", $"{EmbeddedServer.LicenseKey} accepted, signature verified");
            ConsoleLog.Detail($"session until {ConsoleLog.Time(session?.ExpiresAt)}, request {ConsoleLog.Short(session?.RequestId)}");
            return true;
        }

        private static void ShowVariables(AuthForgeClient client)
        {
            ConsoleLog.Event("variables", "app:     " + ConsoleLog.Describe(client.GetAppVariables()));
            ConsoleLog.Detail("licence: " + ConsoleLog.Describe(client.GetLicenseVariables()));
        }

        // A heartbeat replaces the session with the newly verified one: a new GetSession() snapshot with a later
        // LastContactAt is a heartbeat that landed, seen through the public API only.
        private async Task<bool> ShowHeartbeatsAsync(AuthForgeClient client, CancellationToken cancellationToken)
        {
            DateTimeOffset? last = client.GetSession()?.LastContactAt;
            var deadline = Stopwatch.StartNew();
            int seen = 0;
            while (seen < HeartbeatsToShow)
            {
                if (_failures.TryTake(out Failure failure))
                {
                    return Fail($"a heartbeat failed before the licence was revoked: {failure.Reason} ({failure.Code}).");
                }

                if (deadline.Elapsed > _heartbeatsDeadline)
                {
                    return Fail($"only {seen} of {HeartbeatsToShow} heartbeats arrived within {_heartbeatsDeadline.TotalSeconds:0} s.");
                }

                await Task.Delay(s_pollInterval, cancellationToken).ConfigureAwait(false);
                AuthForgeSession? session = client.GetSession();
                if (session is null || session.LastContactAt == last) continue;

                last = session.LastContactAt;
                seen++;
                // The server's log of the latest heartbeat: the client's view and the server's agree it was answered.
                DevRequestRecord? request = _server.Requests.LastOrDefault(r => r.Path == "/auth/heartbeat");
                string server = request is null ? "" : $", server logged {request.Path} -> {request.StatusCode}";
                ConsoleLog.Event("heartbeat", $"#{seen} verified, request {ConsoleLog.Short(session.RequestId)}{server}");
            }

            return true;
        }

        private async Task<bool> ValidateAsync(AuthForgeClient client, bool expectValid, CancellationToken cancellationToken)
        {
            AuthForgeValidationResult result = await client.ValidateLicenseAsync(EmbeddedServer.LicenseKey, cancellationToken).ConfigureAwait(false);
            if (result.Session is AuthForgeSession session)
            {
                ConsoleLog.Event("validate", $"valid: \"{session.LicenseLabel}\", {session.HwidCount} of {session.MaxHwidSlots} hardware slots used");
                ConsoleLog.Detail($"licence expires {ConsoleLog.Time(session.LicenseExpiresAt)}, signed by key {session.KeyId}");
            }
            else
            {
                ConsoleLog.Event("validate", $"invalid, code {result.Code}");
                ConsoleLog.Detail(result.Message ?? "");
            }

            if (result.IsValid != expectValid)
            {
                return Fail($"ValidateLicense said {(result.IsValid ? "valid" : "invalid")}, expected {(expectValid ? "valid" : "invalid")}.");
            }

            return true;
        }

        private async Task<bool> AwaitRevocationAsync(AuthForgeClient client, CancellationToken cancellationToken)
        {
            Failure? arrived = await _failures.NextAsync(_failureDeadline, cancellationToken).ConfigureAwait(false);
            if (arrived is not { } failure)
            {
                return Fail($"no failure reached onFailure within {_failureDeadline.TotalSeconds:0} s of the revocation.");
            }

            ConsoleLog.Event("onFailure", $"reason {failure.Reason}, code {failure.Code}{(failure.OnThreadPool ? ", on a thread-pool thread" : "")}");
            ConsoleLog.Detail(failure.Message);
            ConsoleLog.Event("state", $"IsAuthenticated() = {ConsoleLog.Flag(client.IsAuthenticated())}, session data {(client.GetSessionData() is null ? "cleared" : "still present")}");

            if (failure.Reason != AuthForgeFailureReason.HeartbeatFailed || failure.Code != AuthForgeErrorCodes.Revoked)
            {
                return Fail($"expected reason {AuthForgeFailureReason.HeartbeatFailed} with code {AuthForgeErrorCodes.Revoked}.");
            }

            return true;
        }

        /// <summary>Prints why the tour failed; returns false so a step can end with <c>return Fail(...)</c>.</summary>
        private static bool Fail(string why)
        {
            ConsoleLog.Error("demo failed: " + why);
            return false;
        }
    }
}
