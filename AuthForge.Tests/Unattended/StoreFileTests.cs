using System;
using System.IO;
using System.Runtime.InteropServices;
using System.Threading;
using System.Threading.Tasks;
using AuthForge.DevServer;
using AuthForge.Tests.Support;
using Xunit;

namespace AuthForge.Tests.Unattended
{
    /// <summary>
    /// Whatever sits at the store's path, a login completes: anything but a regular file is
    /// refused without being opened (opening a FIFO waits for a writer forever), reads are bounded, and a file that
    /// can't be decoded is removed, then replaced by the new session.
    /// </summary>
    public sealed class StoreFileTests : IDisposable
    {
        private const string Key = "FILE-KEY";
        // Generous: a blocked open never completes at all, so any bound tells the two apart on a loaded machine.
        private static readonly TimeSpan s_completes = TimeSpan.FromSeconds(60);
        private readonly string _folder = Path.Combine(Path.GetTempPath(), "authforge-file-" + Guid.NewGuid().ToString("N"));

        public StoreFileTests() => Directory.CreateDirectory(_folder);

        private string StorePath => Path.Combine(_folder, "session.json");

        public void Dispose()
        {
            if (Directory.Exists(_folder)) Directory.Delete(_folder, recursive: true);
        }

        [DllImport("libc", SetLastError = true, EntryPoint = "mkfifo")]
        private static extern int MakeFifo(string path, uint mode);

        [Fact]
        public async Task AFifoAtTheStorePathIsNotOpenedAndTheLoginCompletes()
        {
            if (OperatingSystem.IsWindows()) return; // no FIFOs in the file system
            Assert.Equal(0, MakeFifo(StorePath, Convert.ToUInt32("600", 8)));
            await using Simulation sim = await Simulation.StartAsync(SigningMode.Ed25519, new DevLicense(Key));

            using var client = new AuthForgeClient(sim.ClientOptions(StorePath));
            // On a thread of its own: a blocking open would hold the caller before LoginAsync returned a task.
            Assert.True(await Task.Run(() => client.LoginAsync(Key)).WaitAsync(s_completes));

            Assert.Single(sim.Events(AuthForgeDiagnosticEvents.StoreIgnored));
            Assert.Equal(1, sim.Server.GetLicense(Key)!.ValidateCount);
            AssertHoldsTheNewSession(sim);
        }

        public static TheoryData<string> Garbage => new TheoryData<string> { "not-utf8", "text", "oversized" };

        [Theory]
        [MemberData(nameof(Garbage))]
        public async Task GarbageAtTheStorePathIsRemovedAndReplaced(string kind)
        {
            byte[] bytes = kind switch
            {
                "not-utf8" => new byte[] { 0xff, 0xfe, 0x80, 0x81, 0xc3, 0x28, 0x00, 0x7b },
                "text" => System.Text.Encoding.UTF8.GetBytes("{\"format\":\"something else\"}"),
                _ => new byte[300 * 1024],
            };
            File.WriteAllBytes(StorePath, bytes);
            await using Simulation sim = await Simulation.StartAsync(SigningMode.Ed25519, new DevLicense(Key));
            var store = new CountingStore(new AuthForgeFileSessionStore(StorePath));
            AuthForgeClientOptions options = sim.ClientOptions();
            options.SessionStore = store;

            using var client = new AuthForgeClient(options);
            Assert.True(await Task.Run(() => client.LoginAsync(Key)).WaitAsync(s_completes));

            Assert.Equal(1, store.Deletes);
            Assert.Single(sim.Events(AuthForgeDiagnosticEvents.StoreIgnored));
            AssertHoldsTheNewSession(sim);
        }

        [Fact]
        public void TheFileStoreReadsWhatIsNotAUsableRecordAsEmpty()
        {
            var store = new AuthForgeFileSessionStore(StorePath);
            Assert.Null(Load(store));
            Directory.CreateDirectory(StorePath);
            Assert.Equal("", Load(store));
            Directory.Delete(StorePath);
            File.WriteAllBytes(StorePath, new byte[] { 0xc3, 0x28 });
            Assert.Equal("", Load(store));
            File.WriteAllText(StorePath, new string('a', 256 * 1024 + 1));
            Assert.Equal("", Load(store));
            File.WriteAllText(StorePath, "{}");
            Assert.Equal("{}", Load(store));
        }

        [Fact]
        public async Task TheFileStoresFailuresAndCancellationsAreItsTasksNotThrownByTheCall()
        {
            // A folder that can't be created: the store's parent is a regular file.
            string blocker = Path.Combine(_folder, "a-file");
            File.WriteAllText(blocker, "");
            var store = new AuthForgeFileSessionStore(Path.Combine(blocker, "session.json"));

            Task save = store.SaveAsync("{}", CancellationToken.None);
            await Assert.ThrowsAnyAsync<IOException>(() => save);

            var cancelled = new CancellationToken(canceled: true);
            Assert.True(store.LoadAsync(cancelled).IsCanceled);
            Assert.True(store.SaveAsync("{}", cancelled).IsCanceled);
            Assert.True(store.DeleteAsync(cancelled).IsCanceled);
            // A null record is the caller's mistake, thrown at once.
            Exception? thrown = Record.Exception(() => { store.SaveAsync(null!, CancellationToken.None); });
            Assert.Equal("record", Assert.IsType<ArgumentNullException>(thrown).ParamName);
        }

        private static string? Load(AuthForgeSessionStore store) => store.LoadAsync(CancellationToken.None).GetAwaiter().GetResult();

        // The file now holds the session just validated, which the next start resumes with one heartbeat.
        private void AssertHoldsTheNewSession(Simulation sim)
        {
            Assert.True((File.GetAttributes(StorePath) & FileAttributes.Directory) == 0);
            Assert.Equal(StoredSession.Format, System.Text.Json.Nodes.JsonNode.Parse(File.ReadAllText(StorePath))!["format"]!.GetValue<string>());
            using var next = new AuthForgeClient(sim.ClientOptions(StorePath));
            Assert.True(next.Login(Key));
            Assert.True(next.GetSession()!.IsResumed);
        }
    }
}
