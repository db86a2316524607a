using System;
using System.IO;
using System.Linq;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using System.Threading.Tasks;
using AuthForge.DevServer;
using AuthForge.Tests.Support;
using Xunit;

namespace AuthForge.Tests.Unattended
{
    /// <summary>
    /// The opt-in session store: a restart resumes with one heartbeat; an outage at start is ridden out by a v3 client
    /// only; and a stored file that is corrupt, truncated, altered, another machine's or licence's, ended, or written
    /// by a later clock is ignored and removed, never trusted and never a crash.
    /// </summary>
    public sealed class SessionStoreTests : IDisposable
    {
        private const string Key = "STORE-KEY";
        private const string OtherKey = "OTHER-KEY";
        private readonly string _folder = Path.Combine(Path.GetTempPath(), "authforge-store-" + Guid.NewGuid().ToString("N"));

        private string StorePath => Path.Combine(_folder, "app", "session.json");

        public void Dispose()
        {
            if (Directory.Exists(_folder)) Directory.Delete(_folder, recursive: true);
        }

        private static Task<Simulation> StartAsync(SigningMode mode = SigningMode.Ed25519) =>
            Simulation.StartAsync(mode, new DevLicense(Key) { MaxHwidSlots = 2 }, new DevLicense(OtherKey) { MaxHwidSlots = 2 });

        /// <summary>Logs in once (one validate) and ends the process, leaving the stored session behind.</summary>
        private async Task StoreASessionAsync(Simulation sim, string key = Key, string hwid = "test-hwid")
        {
            using var client = new AuthForgeClient(sim.ClientOptions(StorePath, hwid));
            Assert.True(await client.LoginAsync(key));
            Assert.True(File.Exists(StorePath));
        }

        [Fact]
        public async Task ARestartResumesWithOneHeartbeatInsteadOfAValidate()
        {
            await using Simulation sim = await StartAsync();
            await StoreASessionAsync(sim);
            await sim.RunForAsync(TimeSpan.FromHours(3));

            using var client = new AuthForgeClient(sim.ClientOptions(StorePath));
            Assert.True(await client.LoginAsync(Key));

            DevLicenseStatus status = sim.Server.GetLicense(Key)!;
            Assert.Equal(1, status.ValidateCount);
            Assert.Equal(1, status.HeartbeatCount);
            Assert.True(client.GetSession()!.IsResumed);
            Assert.False(client.GetSession()!.IsOffline);
            Assert.Single(sim.Events(AuthForgeDiagnosticEvents.SessionResumed));
        }

        [Fact]
        public async Task TheStoredFileIsReadableByTheUserOnly()
        {
            if (OperatingSystem.IsWindows()) return; // Windows: the folder's ACL under the user profile decides
            await using Simulation sim = await StartAsync();
            await StoreASessionAsync(sim);

            Assert.Equal(UnixFileMode.UserRead | UnixFileMode.UserWrite, File.GetUnixFileMode(StorePath));
            Assert.Equal(UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute,
                File.GetUnixFileMode(Path.GetDirectoryName(StorePath)!));
            // Written by rename: no temporary file is left beside it.
            Assert.Single(Directory.GetFiles(Path.GetDirectoryName(StorePath)!));
            string text = File.ReadAllText(StorePath);
            Assert.DoesNotContain(sim.Server.AppSecret, text);
            // The licence key is not in plain text, but the session token inside the signed payload names it (as the
            // docs say): the file is the user's to protect.
            Assert.DoesNotContain(Key, text);
            string token = (string)StoreRecord.Payload(StoreRecord.Read(StorePath).Origin)["sessionToken"]!;
            Assert.Equal(Key, (string)Answer.TokenBody(token)["licenseKey"]!);
        }

        [Fact]
        public async Task LogoutDeletesTheStoredSessionAndDisposeKeepsIt()
        {
            await using Simulation sim = await StartAsync();
            var client = new AuthForgeClient(sim.ClientOptions(StorePath));
            Assert.True(await client.LoginAsync(Key));
            client.Dispose();
            Assert.True(File.Exists(StorePath));

            using var second = new AuthForgeClient(sim.ClientOptions(StorePath));
            Assert.True(await second.LoginAsync(Key));
            second.Logout();
            Assert.False(File.Exists(StorePath));
        }

        [Fact]
        public async Task AV3ClientStartsOfflineOnItsStoredSessionAndReconnects()
        {
            await using Simulation sim = await StartAsync();
            await StoreASessionAsync(sim);
            await sim.RunForAsync(TimeSpan.FromHours(2));
            sim.Server.AddFault(DevFaultKind.Drop, count: -1);

            using var client = new AuthForgeClient(sim.ClientOptions(StorePath));
            Assert.True(await client.LoginAsync(Key));
            Assert.True(client.IsAuthenticated());
            Assert.True(client.GetSession()!.IsOffline);
            Assert.Single(sim.Events(AuthForgeDiagnosticEvents.SessionResumedOffline));

            await sim.RunForAsync(TimeSpan.FromHours(1));
            sim.Server.ClearFaults();
            await sim.RunForAsync(TimeSpan.FromMinutes(16));
            Assert.False(client.GetSession()!.IsOffline);
            Assert.Single(sim.Events(AuthForgeDiagnosticEvents.OutageEnded));
            Assert.Equal(0, sim.Failures.Count);
            Assert.Equal(1, sim.Server.GetLicense(Key)!.ValidateCount);
        }

        [Fact]
        public async Task AV3StoredSessionIsNotStartedOfflineBeyondTheOfflineTolerance()
        {
            await using Simulation sim = await StartAsync();
            await StoreASessionAsync(sim);
            await sim.RunForAsync(TimeSpan.FromHours(2));
            sim.Server.AddFault(DevFaultKind.Drop, count: -1);

            AuthForgeClientOptions options = sim.ClientOptions(StorePath);
            options.OfflineTolerance = TimeSpan.FromHours(1);
            using var client = new AuthForgeClient(options);
            Assert.False(await client.LoginAsync(Key));
            Assert.Equal(AuthForgeErrorCodes.NetworkError, (await sim.Failures.NextAsync()).Code);
        }

        // v1/v2 signatures are HMACs under the app secret, which every copy of the app holds: a stored v1/v2 session
        // could be forged, so it is only ever resumed with the server's word.
        [Theory]
        [InlineData(SigningMode.HmacV1)]
        [InlineData(SigningMode.HmacV2)]
        public async Task AV1OrV2ClientNeverStartsOfflineButResumesOnceTheServerIsBack(SigningMode mode)
        {
            await using Simulation sim = await StartAsync(mode);
            await StoreASessionAsync(sim);
            sim.Server.AddFault(DevFaultKind.Drop, count: -1);

            using (var offline = new AuthForgeClient(sim.ClientOptions(StorePath)))
            {
                Assert.False(await offline.LoginAsync(Key));
                Failure failure = await sim.Failures.NextAsync();
                Assert.Equal(AuthForgeFailureReason.NetworkError, failure.Reason);
                Assert.Single(sim.Events(AuthForgeDiagnosticEvents.ResumeRefused));
            }

            sim.Server.ClearFaults();
            using var online = new AuthForgeClient(sim.ClientOptions(StorePath));
            Assert.True(await online.LoginAsync(Key));
            Assert.True(online.GetSession()!.IsResumed);
            Assert.Equal(1, sim.Server.GetLicense(Key)!.ValidateCount);
        }

        [Fact]
        public async Task ASessionTheServerEndedFallsBackToValidate()
        {
            await using Simulation sim = await StartAsync();
            await StoreASessionAsync(sim);
            sim.Server.ExpireAllSessions();

            using var client = new AuthForgeClient(sim.ClientOptions(StorePath));
            Assert.True(await client.LoginAsync(Key));
            Assert.Equal(2, sim.Server.GetLicense(Key)!.ValidateCount);
            Assert.False(client.GetSession()!.IsResumed);
        }

        public static TheoryData<string> BadFiles => new TheoryData<string>
        {
            "corrupt", "truncated", "empty", "altered", "resigned", "foreign-machine", "foreign-licence", "clock-rolled-back", "ended",
        };

        [Theory]
        [MemberData(nameof(BadFiles))]
        public async Task ABadStoredFileIsIgnoredAndRemoved(string kind)
        {
            await using Simulation sim = await StartAsync();
            string loginKey = Key;
            string hwid = "test-hwid";
            DateTimeOffset? wallClock = null;
            await StoreASessionAsync(sim);
            string good = File.ReadAllText(StorePath);
            switch (kind)
            {
                case "corrupt": File.WriteAllText(StorePath, "{\"format\":\"authforge-session/1\",\"record\":"); break;
                case "truncated": File.WriteAllText(StorePath, good.Substring(0, good.Length / 2)); break;
                case "empty": File.WriteAllText(StorePath, ""); break;
                // The high-water mark lowered by hand, to let the clock be set back: only the seal tells.
                case "altered": File.WriteAllText(StorePath, EditRecord(good, r => r["highWater"] = r["highWater"]!.GetValue<long>() - 3_600_000, null)); break;
                case "resigned":
                    // Someone with the app secret re-seals a record whose signed payload was edited: the signature stops it.
                    byte[] storeKey = StoredSession.DeriveKey(sim.Server.AppId, sim.Server.AppSecret, Key, hwid, sim.Server.PublicKeyBase64);
                    File.WriteAllText(StorePath, EditRecord(good, r => r["origin"]!["payload"] = EditPayload(r["origin"]!["payload"]!.GetValue<string>()), storeKey));
                    break;
                case "foreign-machine": hwid = "another-machine"; break;
                case "foreign-licence": loginKey = OtherKey; break;
                case "clock-rolled-back": wallClock = sim.Time.UtcNow.AddHours(-2); break;
                case "ended": await sim.RunForAsync(TimeSpan.FromDays(2)); sim.Server.AddFault(DevFaultKind.Drop, count: -1); break;
            }
            if (wallClock is DateTimeOffset back) sim.Time.SetWallClock(back);
            long validatesBefore = sim.Server.GetLicense(loginKey)!.ValidateCount;
            var store = new CountingStore(new AuthForgeFileSessionStore(StorePath));
            AuthForgeClientOptions options = sim.ClientOptions(null, hwid);
            options.SessionStore = store;

            using var client = new AuthForgeClient(options);
            bool ok = await client.LoginAsync(loginKey);

            Assert.True(store.Deletes >= 1, "the bad file was not removed");
            AuthForgeDiagnostic ignored = Assert.Single(sim.Events(AuthForgeDiagnosticEvents.StoreIgnored));
            Assert.Equal(AuthForgeDiagnosticLevel.Warning, ignored.Level);
            Assert.Empty(sim.Events(AuthForgeDiagnosticEvents.SessionResumed));
            Assert.Empty(sim.Events(AuthForgeDiagnosticEvents.SessionResumedOffline));
            if (kind == "ended")
            {
                // Nothing to resume and no server: the login fails for want of an answer, not because of the file.
                Assert.False(ok);
                Assert.False(File.Exists(StorePath));
                return;
            }
            Assert.True(ok);
            Assert.False(client.GetSession()!.IsResumed);
            Assert.Equal(validatesBefore + 1, sim.Server.GetLicense(loginKey)!.ValidateCount);
            // The file now holds the new session, which the next start resumes.
            client.Dispose();
            using var next = new AuthForgeClient(options);
            Assert.True(await next.LoginAsync(loginKey));
            Assert.True(next.GetSession()!.IsResumed);
        }

        [Fact]
        public async Task AStoreThatThrowsIsLoggedAndTheLoginGoesOn()
        {
            await using Simulation sim = await StartAsync();
            AuthForgeClientOptions options = sim.ClientOptions();
            options.SessionStore = new ThrowingStore();
            using var client = new AuthForgeClient(options);
            Assert.True(await client.LoginAsync(Key));
            Assert.NotEmpty(sim.Events(AuthForgeDiagnosticEvents.StoreFailed));
        }

        [Theory]
        [InlineData(false)]
        [InlineData(true)]
        public async Task AStoreThatAnswersLaterResumesAndLogoutWaitsForItsDelete(bool synchronousLogout)
        {
            await using Simulation sim = await StartAsync();
            var store = new MemoryStore();
            AuthForgeClientOptions options = sim.ClientOptions();
            options.SessionStore = store;
            using (var first = new AuthForgeClient(options))
                Assert.True(await first.LoginAsync(Key));
            Assert.NotNull(store.Record);

            using var client = new AuthForgeClient(options);
            Assert.True(await client.LoginAsync(Key));
            Assert.True(client.GetSession()!.IsResumed);

            store.DeleteTime = TimeSpan.FromMilliseconds(200);
            if (synchronousLogout) client.Logout();
            else await client.LogoutAsync();
            Assert.Null(store.Record);
            Assert.Equal(0, sim.Failures.Count);
        }

        [Fact]
        public void AFileStoreWithoutAUsablePathIsRefused()
        {
            Assert.Equal("path", Assert.Throws<ArgumentException>(() => new AuthForgeFileSessionStore(" ")).ParamName);
            Assert.Equal("path", Assert.Throws<ArgumentNullException>(() => new AuthForgeFileSessionStore(null!)).ParamName);
            Assert.Equal("path", Assert.Throws<ArgumentException>(() => new AuthForgeFileSessionStore("a\0b")).ParamName);
        }

        private static string EditRecord(string file, Action<JsonObject> edit, byte[]? reseal)
        {
            JsonObject outer = JsonNode.Parse(file)!.AsObject();
            JsonObject record = JsonNode.Parse(outer["record"]!.GetValue<string>())!.AsObject();
            edit(record);
            string text = record.ToJsonString();
            outer["record"] = text;
            if (reseal != null) outer["mac"] = Convert.ToHexStringLower(System.Security.Cryptography.HMACSHA256.HashData(reseal, Encoding.UTF8.GetBytes(text)));
            return outer.ToJsonString();
        }

        // The payload with its session moved a year on, re-encoded: what a cracker wants, and what the signature forbids.
        private static string EditPayload(string payload)
        {
            JsonObject body = JsonNode.Parse(Convert.FromBase64String(payload))!.AsObject();
            body["expiresIn"] = body["expiresIn"]!.GetValue<long>() + 365L * 86400;
            return Convert.ToBase64String(Encoding.UTF8.GetBytes(body.ToJsonString()));
        }
    }
}
