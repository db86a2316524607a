using System;
using System.Collections.Generic;
using System.Linq;
using System.Threading.Tasks;
using AuthForge.DevServer;
using AuthForge.Tests.Support;
using Xunit;

namespace AuthForge.Tests.Unattended
{
    /// <summary>The typed session snapshot, the diagnostics hook, and the stderr line before a heartbeat ends the process.</summary>
    public sealed class SnapshotAndDiagnosticsTests
    {
        private const string Key = "VIEW-KEY";

        [Fact]
        public async Task TheSnapshotShowsTheVerifiedSessionTyped()
        {
            DateTimeOffset licenceEnd = Simulation.Midnight.AddDays(90);
            var license = new DevLicense(Key) { Label = "Acme seat", MaxHwidSlots = 3, ExpiresAt = licenceEnd };
            license.Variables["seats"] = 5;
            await using Simulation sim = await Simulation.StartAsync(SigningMode.Ed25519, license);
            using var client = new AuthForgeClient(sim.ClientOptions());
            Assert.Null(client.GetSession());
            Assert.True(await client.LoginAsync(Key));

            AuthForgeSession session = client.GetSession()!;
            IReadOnlyDictionary<string, object?> payload = client.GetSessionData()!;
            Assert.Equal(DateTimeOffset.FromUnixTimeSeconds((long)payload["expiresIn"]!), session.ExpiresAt);
            Assert.Equal(sim.Time.UtcNow.AddDays(1), session.ExpiresAt, TimeSpan.FromSeconds(2));
            Assert.Equal(licenceEnd, session.LicenseExpiresAt);
            Assert.Equal("Acme seat", session.LicenseLabel);
            Assert.Equal(3, session.MaxHwidSlots);
            Assert.Equal(1, session.HwidCount);
            Assert.Equal(5L, session.LicenseVariables["seats"]);
            Assert.Empty(session.AppVariables);
            Assert.Equal((string)payload["requestId"]!, session.RequestId);
            Assert.Equal(sim.Server.KeyId, session.KeyId);
            Assert.False(session.IsResumed);
            Assert.False(session.IsOffline);
            Assert.Equal(sim.Time.UtcNow, session.LastContactAt);
            Assert.DoesNotContain((string)payload["sessionToken"]!, session.ToString());

            // Immutable: a heartbeat swaps a new snapshot in and leaves the one already read as it was.
            await sim.RunForAsync(TimeSpan.FromMinutes(16));
            AuthForgeSession later = client.GetSession()!;
            Assert.NotEqual(session.RequestId, later.RequestId);
            Assert.Equal((string)payload["requestId"]!, session.RequestId);
            Assert.True(later.LastContactAt > session.LastContactAt);
        }

        [Fact]
        public async Task AV1SnapshotLeavesTheV3FieldsEmpty()
        {
            await using Simulation sim = await Simulation.StartAsync(SigningMode.HmacV1, new DevLicense(Key) { Label = "x" });
            using var client = new AuthForgeClient(sim.ClientOptions());
            Assert.True(await client.LoginAsync(Key));

            AuthForgeSession session = client.GetSession()!;
            Assert.Null(session.LicenseLabel);
            Assert.Null(session.MaxHwidSlots);
            Assert.Null(session.RequestId);
            client.Logout();
            Assert.Null(client.GetSession());
        }

        [Fact]
        public async Task DiagnosticsNameEachStepAndNeverASecret()
        {
            await using Simulation sim = await Simulation.StartAsync(SigningMode.Ed25519, new DevLicense(Key));
            AuthForgeClientOptions options = sim.ClientOptions();
            options.TtlSeconds = 3600;
            var tokens = new HashSet<string>();
            using var client = new AuthForgeClient(options);
            Assert.True(await client.LoginAsync(Key));
            tokens.Add((string)client.GetSessionData()!["sessionToken"]!);
            await sim.RunForAsync(TimeSpan.FromMinutes(20));
            // Longer than the interval, so a heartbeat certainly falls in it; the renewal is due at 45 minutes.
            sim.Server.AddFault(DevFaultKind.Drop, count: -1);
            await sim.RunForAsync(TimeSpan.FromMinutes(20));
            sim.Server.ClearFaults();
            await sim.RunForAsync(TimeSpan.FromMinutes(40));
            tokens.Add((string)client.GetSessionData()!["sessionToken"]!);
            sim.Server.RevokeLicense(Key);
            await sim.RunForAsync(TimeSpan.FromMinutes(20));

            string[] events = sim.Diagnostics.Select(d => d.Event).Distinct().ToArray();
            Assert.Equal(new[]
            {
                AuthForgeDiagnosticEvents.LoginSucceeded, AuthForgeDiagnosticEvents.HeartbeatSucceeded,
                AuthForgeDiagnosticEvents.OutageStarted, AuthForgeDiagnosticEvents.RetryScheduled, AuthForgeDiagnosticEvents.OutageEnded,
                AuthForgeDiagnosticEvents.RenewalSucceeded, AuthForgeDiagnosticEvents.SessionEnded,
            }, events);
            AuthForgeDiagnostic ended = sim.Events(AuthForgeDiagnosticEvents.SessionEnded).Single();
            Assert.Equal(AuthForgeDiagnosticLevel.Error, ended.Level);
            Assert.Equal(AuthForgeErrorCodes.Revoked, ended.Code);
            Assert.All(sim.Events(AuthForgeDiagnosticEvents.RetryScheduled), d => Assert.Equal(AuthForgeErrorCodes.NetworkError, d.Code));
            Assert.Equal(2, tokens.Count);
            foreach (AuthForgeDiagnostic d in sim.Diagnostics)
            {
                Assert.DoesNotContain(sim.Server.AppSecret, d.ToString());
                Assert.DoesNotContain(Key, d.ToString());
                foreach (string token in tokens) Assert.DoesNotContain(token, d.ToString());
            }
        }

        [Fact]
        public async Task ADiagnosticsCallbackThatThrowsChangesNothing()
        {
            await using Simulation sim = await Simulation.StartAsync(SigningMode.Ed25519, new DevLicense(Key));
            AuthForgeClientOptions options = sim.ClientOptions();
            options.OnDiagnostic = d => throw new InvalidOperationException("broken logger");
            using var client = new AuthForgeClient(options);
            Assert.True(await client.LoginAsync(Key));
            await sim.RunForAsync(TimeSpan.FromMinutes(16));
            Assert.True(client.IsAuthenticated());
        }

        [Fact]
        public async Task AHeartbeatFailureWithoutACallbackWritesOneLineBeforeTheExit()
        {
            await using Simulation sim = await Simulation.StartAsync(SigningMode.Ed25519, new DevLicense(Key));
            AuthForgeClientOptions options = sim.ClientOptions();
            var lines = new List<string>();
            int exitCode = -1;
            options.OnFailure = null;
            options.ErrorOutput = lines.Add;
            options.Exit = code => exitCode = code;
            using var client = new AuthForgeClient(options);
            Assert.True(await client.LoginAsync(Key));
            string token = (string)client.GetSessionData()!["sessionToken"]!;
            sim.Server.RevokeLicense(Key);

            await sim.RunForAsync(TimeSpan.FromMinutes(16));

            Assert.Equal(1, exitCode);
            string line = Assert.Single(lines);
            Assert.StartsWith("AuthForge: heartbeat_failed [revoked]: The licence has been revoked.", line);
            Assert.DoesNotContain(token, line);
            Assert.DoesNotContain(Key, line);
            Assert.DoesNotContain(options.AppSecret, line);
        }
    }
}
