using System;
using System.IO;
using System.Linq;
using System.Net.Http;
using System.Threading.Tasks;
using AuthForge.DevServer;
using AuthForge.Tests.Support;
using Xunit;

namespace AuthForge.Tests.Unattended
{
    /// <summary>
    /// A session read back from the store is held to every rule a live answer is, over real HTTP
    /// through the public API: the length the client asked for, counted from the session's first signed time; the
    /// machine the payload names; and the licence key compared as the live check compares it.
    /// </summary>
    public sealed class RestoredSessionBindingTests : IDisposable
    {
        private const string Key = "BIND-KEY-1";
        private static readonly byte[] s_seed = Convert.FromHexString(AuthForge.Tests.DevServer.Ed25519Fixture.SeedHex);
        private readonly string _folder = Path.Combine(Path.GetTempPath(), "authforge-bind-" + Guid.NewGuid().ToString("N"));

        private string StorePath => Path.Combine(_folder, "session.json");

        public void Dispose()
        {
            if (Directory.Exists(_folder)) Directory.Delete(_folder, recursive: true);
        }

        [Fact]
        public async Task ASessionARelayStretchedIsRestoredNoLongerThanItRanLiveAndNotAtAllOnceThatEnded()
        {
            await using Simulation sim = await Simulation.StartAsync(SigningMode.Ed25519, new DevLicense(Key));
            // The relay talks the server into a week; the client asked for the default day.
            using var relay = new Relay { RewriteRequest = (path, body) => { if (path == ServerLog.Validate) body["ttlSeconds"] = 604800; } };
            using HttpClient http = relay.CreateClient();
            AuthForgeClientOptions options = sim.ClientOptions(StorePath);
            options.HttpClient = http;
            DateTimeOffset liveEnd;
            using (var live = new AuthForgeClient(options))
            {
                Assert.True(await live.LoginAsync(Key));
                liveEnd = live.GetSession()!.ExpiresAt;
                Assert.InRange(liveEnd, sim.Time.UtcNow.AddDays(1), sim.Time.UtcNow.AddDays(1).AddMinutes(1));
                await sim.RunForAsync(TimeSpan.FromHours(1));
            }

            // Revoked, and the server is cut off: only the stored session can start the app now.
            sim.Server.RevokeLicense(Key);
            sim.Server.AddFault(DevFaultKind.Drop, count: -1, licenseKey: Key);
            await sim.RunForAsync(TimeSpan.FromHours(2));
            using (var restarted = new AuthForgeClient(options))
            {
                Assert.True(await restarted.LoginAsync(Key));
                Assert.True(restarted.GetSession()!.IsOffline);
                // Restored exactly as long as the live session, not the week the server signed.
                Assert.Equal(liveEnd, restarted.GetSession()!.ExpiresAt);
            }

            // Three days later the day it was held to is long over: an offline start is refused.
            sim.Time.Advance(TimeSpan.FromDays(3));
            var failures = new FailureRecorder();
            options.OnFailure = failures.Callback;
            using var late = new AuthForgeClient(options);
            Assert.False(await late.LoginAsync(Key));
            Assert.Equal(AuthForgeErrorCodes.NetworkError, (await failures.NextAsync()).Code);
            Assert.False(late.IsAuthenticated());
            Assert.Single(sim.Events(AuthForgeDiagnosticEvents.SessionResumedOffline));
        }

        [Fact]
        public async Task AStoredAnswerWhosePayloadNamesAnotherMachineIsNeverStarted()
        {
            await using Simulation sim = await Simulation.StartAsync(SigningMode.Ed25519, o => o.SigningKeySeed = s_seed, new DevLicense(Key));
            AuthForgeClientOptions options = sim.ClientOptions(StorePath);
            using (var first = new AuthForgeClient(options))
            {
                Assert.True(await first.LoginAsync(Key));
            }

            // A genuine signed answer (the server's own key) whose payload names machine B, its token naming no
            // machine at all: the live check refuses it (session_mismatch), so the store must too.
            StoreRecord record = StoreRecord.Read(StorePath);
            var payload = StoreRecord.Payload(record.Origin);
            var tokenBody = Answer.TokenBody((string)payload["sessionToken"]!);
            tokenBody.Remove("hwid");
            payload["sessionToken"] = Answer.WithTokenBody((string)payload["sessionToken"]!, tokenBody);
            payload["hwid"] = "machine-B";
            StoreRecord.Resign(record.Origin, payload, Ed25519Signer.FromSeed(s_seed));
            record.WriteSealed(StorePath, sim.Server, Key, "test-hwid");

            sim.Server.AddFault(DevFaultKind.Drop, count: -1, licenseKey: Key);
            var failures = new FailureRecorder();
            options.OnFailure = failures.Callback;
            using var client = new AuthForgeClient(options);

            Assert.False(await client.LoginAsync(Key));

            Assert.Empty(sim.Events(AuthForgeDiagnosticEvents.SessionResumedOffline));
            Assert.Contains("another app, licence or machine", Assert.Single(sim.Events(AuthForgeDiagnosticEvents.StoreIgnored)).Message);
            Assert.False(File.Exists(StorePath));
        }

        [Fact]
        public async Task ASessionWhoseTokenNamesTheKeyInOtherCaseIsResumedAsItWasAcceptedLive()
        {
            // The server echoes the key as it holds it ("BIND-KEY-1"); the user typed it in lower case. The live check
            // accepts that (trimmed, case-insensitive), so the stored session must resume too, for any spelling.
            await using Simulation sim = await Simulation.StartAsync(SigningMode.Ed25519, new DevLicense(Key));
            using var relay = new Relay { RewriteRequest = (path, body) => { if (path == ServerLog.Validate) body["licenseKey"] = Key; } };
            using HttpClient http = relay.CreateClient();
            AuthForgeClientOptions options = sim.ClientOptions(StorePath);
            options.HttpClient = http;
            using (var first = new AuthForgeClient(options))
            {
                Assert.True(await first.LoginAsync(Key.ToLowerInvariant()));
            }

            foreach (string typed in new[] { Key.ToLowerInvariant(), " Bind-Key-1 " })
            {
                using var again = new AuthForgeClient(options);
                Assert.True(await again.LoginAsync(typed));
                Assert.True(again.GetSession()!.IsResumed, typed);
            }
            Assert.Equal(1, sim.Server.GetLicense(Key)!.ValidateCount);
            Assert.Empty(sim.Events(AuthForgeDiagnosticEvents.StoreIgnored));
        }
    }
}
