using System;
using System.IO;
using System.Threading.Tasks;
using AuthForge.DevServer;
using AuthForge.Tests.Support;
using Xunit;

namespace AuthForge.Tests.Unattended
{
    /// <summary>
    /// Offline starts are bounded by the server's signed time, not by anything local. A
    /// licensee who controls the disk and the clock copies old store files back, sets the clock back and re-seals the
    /// record (every input of the seal ships with the app): the session still never runs while the clock reads past
    /// its signed end (plus the slack), and with an honest clock never past the offline tolerance after the last signed
    /// answer. The seal and the high-water mark catch accidents (a damaged file, a clock set back by mistake).
    /// </summary>
    public sealed class SignedTimeBoundTests : IDisposable
    {
        private const string Key = "SIGNED-TIME-KEY";
        private const int SixHours = 6 * 3600;
        private static readonly TimeSpan s_slack = AuthForgeClientOptions.SessionLengthSlack;
        private readonly string _folder = Path.Combine(Path.GetTempPath(), "authforge-signed-" + Guid.NewGuid().ToString("N"));

        private string StorePath => Path.Combine(_folder, "session.json");

        public void Dispose()
        {
            if (Directory.Exists(_folder)) Directory.Delete(_folder, recursive: true);
        }

        private static Task<Simulation> StartAsync() => Simulation.StartAsync(SigningMode.Ed25519, new DevLicense(Key));

        private AuthForgeClientOptions Options(Simulation sim, TimeSpan? tolerance = null)
        {
            AuthForgeClientOptions options = sim.ClientOptions(StorePath);
            options.TtlSeconds = SixHours;
            options.OfflineTolerance = tolerance;
            return options;
        }

        /// <summary>Revoked, and the server unreachable: from now on only the stored session can start the app.</summary>
        private static void RevokeAndCutOff(Simulation sim)
        {
            sim.Server.RevokeLicense(Key);
            sim.Server.AddFault(DevFaultKind.Drop, count: -1, licenseKey: Key);
        }

        private static DateTimeOffset SignedAt(StoreRecord record) =>
            DateTimeOffset.Parse((string)StoreRecord.Payload(record.Newest)["timestamp"]!, System.Globalization.CultureInfo.InvariantCulture);

        [Fact]
        public async Task AFileCopiedBackRunsOfflineOnlyUntilItsSignedEnd()
        {
            await using Simulation sim = await StartAsync();
            AuthForgeClientOptions options = Options(sim);
            DateTimeOffset signedEnd;
            string copy;
            using (var client = new AuthForgeClient(options))
            {
                Assert.True(await client.LoginAsync(Key));
                signedEnd = client.GetSession()!.ExpiresAt;
                copy = File.ReadAllText(StorePath); // the licensee keeps the file of the first hour
                await sim.RunForAsync(TimeSpan.FromHours(2));
            }
            RevokeAndCutOff(sim);
            sim.Time.Advance(TimeSpan.FromHours(1));
            File.WriteAllText(StorePath, copy);

            using var restarted = new AuthForgeClient(options);
            Assert.True(await restarted.LoginAsync(Key));
            Assert.True(restarted.GetSession()!.IsOffline);

            await sim.RunUntilAsync(signedEnd - TimeSpan.FromMinutes(1));
            Assert.True(restarted.IsAuthenticated());
            await sim.RunUntilAsync(signedEnd + s_slack + TimeSpan.FromSeconds(1));
            Assert.False(restarted.IsAuthenticated());
            Assert.Equal(AuthForgeErrorCodes.NetworkError, Assert.Single(sim.Failures.All).Code);
        }

        [Fact]
        public async Task ARestoredSessionEndsAtItsSignedEndNotAFullLifetimeAfterTheRestart()
        {
            // The newest stored answer is a heartbeat's, four hours before the end. Restarted three hours later, the
            // session has one hour left by the signed end; counted from the restart it would have four.
            await using Simulation sim = await StartAsync();
            AuthForgeClientOptions options = Options(sim);
            DateTimeOffset signedEnd;
            using (var client = new AuthForgeClient(options))
            {
                Assert.True(await client.LoginAsync(Key));
                signedEnd = client.GetSession()!.ExpiresAt;
                await sim.RunForAsync(TimeSpan.FromHours(2));
            }
            Assert.True(SignedAt(StoreRecord.Read(StorePath)) > signedEnd - TimeSpan.FromHours(4.5), "no heartbeat answer was stored");
            RevokeAndCutOff(sim);
            sim.Time.Advance(TimeSpan.FromHours(3));

            using var restarted = new AuthForgeClient(options);
            Assert.True(await restarted.LoginAsync(Key));
            Assert.True(restarted.GetSession()!.IsOffline);

            await sim.RunUntilAsync(signedEnd + s_slack + TimeSpan.FromSeconds(1));
            Assert.False(restarted.IsAuthenticated());
            Assert.Single(sim.Failures.All);
        }

        [Fact]
        public async Task AFileCopiedBackWithTheClockSetBackRunsOnlyWhileTheClockReadsBeforeTheSignedEnd()
        {
            await using Simulation sim = await StartAsync();
            AuthForgeClientOptions options = Options(sim);
            DateTimeOffset signedEnd;
            DateTimeOffset loggedInAt = sim.Time.UtcNow;
            string copy;
            using (var client = new AuthForgeClient(options))
            {
                Assert.True(await client.LoginAsync(Key));
                signedEnd = client.GetSession()!.ExpiresAt;
                copy = File.ReadAllText(StorePath);
            }
            RevokeAndCutOff(sim);
            // Ten hours later the session is long over; the licensee puts the old file back and the clock back to an
            // hour after that file was written (past its high-water mark, so no accident is suspected).
            sim.Time.Advance(TimeSpan.FromHours(10));
            File.WriteAllText(StorePath, copy);
            sim.Time.SetWallClock(loggedInAt + TimeSpan.FromHours(1));

            using var restarted = new AuthForgeClient(options);
            Assert.True(await restarted.LoginAsync(Key));

            // The session runs while the machine's clock reads before the signed end, never past it (plus the slack).
            await sim.RunUntilAsync(signedEnd - TimeSpan.FromMinutes(1));
            Assert.True(restarted.IsAuthenticated());
            await sim.RunUntilAsync(signedEnd + s_slack + TimeSpan.FromSeconds(1));
            Assert.False(restarted.IsAuthenticated());
            Assert.Single(sim.Failures.All);
        }

        [Fact]
        public async Task AClockSetBackBeforeTheLastSignedAnswerIsNotAnOfflineStart()
        {
            await using Simulation sim = await StartAsync();
            AuthForgeClientOptions options = Options(sim);
            DateTimeOffset loggedInAt = sim.Time.UtcNow;
            using (var client = new AuthForgeClient(options))
            {
                Assert.True(await client.LoginAsync(Key));
            }
            // Re-sealed with its high-water mark lowered, so only the signed time can tell the clock was set back.
            StoreRecord record = StoreRecord.Read(StorePath);
            record.Record["highWater"] = (loggedInAt - TimeSpan.FromHours(2)).ToUnixTimeMilliseconds();
            record.WriteSealed(StorePath, sim.Server, Key, "test-hwid");
            RevokeAndCutOff(sim);
            sim.Time.Advance(TimeSpan.FromHours(10));
            sim.Time.SetWallClock(loggedInAt - TimeSpan.FromHours(1));

            using var restarted = new AuthForgeClient(options);
            Assert.False(await restarted.LoginAsync(Key));
            Assert.Empty(sim.Events(AuthForgeDiagnosticEvents.SessionResumedOffline));
            Assert.Single(sim.Events(AuthForgeDiagnosticEvents.ResumeRefused));
        }

        [Fact]
        public async Task AResealedFileDoesNotStretchTheOfflineTolerance()
        {
            // With an honest clock the tolerance counts from the last signed answer: no local time in the file, however
            // re-sealed, moves it.
            await using Simulation sim = await StartAsync();
            AuthForgeClientOptions options = Options(sim, tolerance: TimeSpan.FromHours(1));
            using (var client = new AuthForgeClient(options))
            {
                Assert.True(await client.LoginAsync(Key));
                await sim.RunForAsync(TimeSpan.FromMinutes(30));
            }
            RevokeAndCutOff(sim);
            sim.Time.Advance(TimeSpan.FromHours(2));
            StoreRecord record = StoreRecord.Read(StorePath);
            record.Record["highWater"] = sim.Time.UtcNow.ToUnixTimeMilliseconds();
            record.WriteSealed(StorePath, sim.Server, Key, "test-hwid");

            using var restarted = new AuthForgeClient(options);
            Assert.False(await restarted.LoginAsync(Key));
            Assert.Empty(sim.Events(AuthForgeDiagnosticEvents.SessionResumedOffline));
        }

        [Fact]
        public async Task AnOfflineStartEndsOnceTheToleranceAfterTheLastSignedAnswerIsSpent()
        {
            await using Simulation sim = await StartAsync();
            AuthForgeClientOptions options = Options(sim, tolerance: TimeSpan.FromHours(1));
            using (var client = new AuthForgeClient(options))
            {
                Assert.True(await client.LoginAsync(Key));
                await sim.RunForAsync(TimeSpan.FromMinutes(30));
            }
            DateTimeOffset lastSigned = SignedAt(StoreRecord.Read(StorePath));
            RevokeAndCutOff(sim);
            sim.Time.Advance(TimeSpan.FromMinutes(40));

            using var restarted = new AuthForgeClient(options);
            Assert.True(await restarted.LoginAsync(Key));
            Assert.True(restarted.GetSession()!.IsOffline);

            // An hour after the last signed answer, not an hour after the restart.
            await sim.RunUntilAsync(lastSigned + TimeSpan.FromHours(1) + TimeSpan.FromSeconds(1));
            Assert.False(restarted.IsAuthenticated());
            Assert.Equal(AuthForgeErrorCodes.NetworkError, Assert.Single(sim.Failures.All).Code);
        }

        [Fact]
        public async Task AV3StoreRefusesARecordSignedWithTheAppSecret()
        {
            // Whoever holds the app holds its secret, so an HMAC under it proves nothing under v3: a record claiming
            // an HMAC-verified answer, correctly HMAC-signed and sealed, is never trusted.
            await using Simulation sim = await StartAsync();
            AuthForgeClientOptions options = Options(sim);
            using (var client = new AuthForgeClient(options))
            {
                Assert.True(await client.LoginAsync(Key));
            }
            StoreRecord record = StoreRecord.Read(StorePath);
            var payload = StoreRecord.Payload(record.Origin);
            payload["expiresIn"] = sim.Time.UtcNow.AddYears(1).ToUnixTimeSeconds();
            string text = Answer.PayloadText(payload);
            record.Origin["payload"] = text;
            record.Origin["verifier"] = "app";
            record.Origin["signature"] = Signed.HmacHex(sim.Server.AppSecret, (string)record.Origin["nonce"]!, text);
            record.WriteSealed(StorePath, sim.Server, Key, "test-hwid");
            RevokeAndCutOff(sim);

            using var restarted = new AuthForgeClient(options);
            Assert.False(await restarted.LoginAsync(Key));
            Assert.Empty(sim.Events(AuthForgeDiagnosticEvents.SessionResumedOffline));
            Assert.Contains("does not verify", Assert.Single(sim.Events(AuthForgeDiagnosticEvents.StoreIgnored)).Message);
        }

        [Fact]
        public async Task AClockSetBackBelowTheHighWaterMarkIsTakenForAnAccident()
        {
            // The client ran on through an outage until 3 a.m., writing the store as it went; the clock is then set
            // back to 1 a.m., after the last signed answer: only the high-water mark shows it was set back.
            await using Simulation sim = await StartAsync();
            AuthForgeClientOptions options = Options(sim);
            DateTimeOffset loggedInAt = sim.Time.UtcNow;
            using (var client = new AuthForgeClient(options))
            {
                Assert.True(await client.LoginAsync(Key));
                await sim.RunForAsync(TimeSpan.FromMinutes(10));
                sim.Server.AddFault(DevFaultKind.Drop, count: -1, licenseKey: Key);
                await sim.RunForAsync(TimeSpan.FromHours(3));
                Assert.True(client.GetSession()!.IsOffline);
            }
            Assert.True(SignedAt(StoreRecord.Read(StorePath)) < loggedInAt + TimeSpan.FromHours(1));
            sim.Time.SetWallClock(loggedInAt + TimeSpan.FromHours(1));

            using var restarted = new AuthForgeClient(options);
            Assert.False(await restarted.LoginAsync(Key));
            Assert.Empty(sim.Events(AuthForgeDiagnosticEvents.SessionResumedOffline));
            Assert.Contains("clock", Assert.Single(sim.Events(AuthForgeDiagnosticEvents.StoreIgnored)).Message);
        }

        [Fact]
        public async Task ASleepCountsTowardsTheOfflineTolerance()
        {
            // Twenty minutes into an outage the machine sleeps three hours: Stopwatch (Linux, macOS) saw twenty
            // minutes, the world three hours and twenty. A tolerance of an hour is spent; the session ends on waking.
            await using Simulation sim = await StartAsync();
            AuthForgeClientOptions options = Options(sim, tolerance: TimeSpan.FromHours(1));
            options.SessionStore = null;
            using var client = new AuthForgeClient(options);
            Assert.True(await client.LoginAsync(Key));
            await sim.RunForAsync(TimeSpan.FromMinutes(5));
            sim.Server.AddFault(DevFaultKind.Drop, count: -1, licenseKey: Key);
            await sim.RunForAsync(TimeSpan.FromMinutes(20));
            Assert.True(client.IsAuthenticated());

            await sim.SleepAsync(TimeSpan.FromHours(3));
            await sim.RunForAsync(TimeSpan.FromMinutes(1));

            Assert.False(client.IsAuthenticated());
            Assert.Equal(AuthForgeErrorCodes.NetworkError, Assert.Single(sim.Failures.All).Code);
        }
    }
}
