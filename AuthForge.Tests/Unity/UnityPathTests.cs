extern alias unityeditor;
extern alias unityplayer;

using System;
using System.Collections.Concurrent;
using System.Threading;
using System.Threading.Tasks;
using AuthForge.DevServer;
using AuthForge.Tests.Async;
using AuthForge.Tests.Support;
using UnityEngine;
using Xunit;
using EditorClient = unityeditor::AuthForge.AuthForgeClient;
using EditorOptions = unityeditor::AuthForge.AuthForgeClientOptions;
using PlayerClient = unityplayer::AuthForge.AuthForgeClient;
using PlayerOptions = unityplayer::AuthForge.AuthForgeClientOptions;

namespace AuthForge.Tests.Unity
{
    /// <summary>
    /// AuthForge.cs as Unity compiles it (tests/AuthForge.UnityEditorBuild and tests/AuthForge.UnityPlayerBuild, against
    /// the stand-ins in tests/UnityStandIns): with no failure callback, the Editor logs and stops play mode on the main
    /// thread and never ends the process; a player logs and quits through <c>Application.Quit</c> on the main thread.
    /// The main thread is a <see cref="SingleThreadContext"/>, as Unity's is a UnitySynchronizationContext; the stand-ins
    /// refuse main-thread members elsewhere, as Unity does. One class: the stand-ins' record is static, so these run
    /// one after another.
    /// </summary>
    public sealed class UnityPathTests : IAsyncLifetime, IDisposable
    {
        private static readonly TimeSpan Deadline = TimeSpan.FromSeconds(30);

        private readonly SingleThreadContext _main = new SingleThreadContext();
        private readonly ConcurrentQueue<string> _stderr = new ConcurrentQueue<string>();
        private int _exits;
        private DevServerHost? _server;

        public async Task InitializeAsync()
        {
            UnityCalls.Reset();
            UnityCalls.MainThreadId = _main.ManagedThreadId;
            _server = await LiveServer.StartAsync(SigningMode.HmacV1);
        }

        public async Task DisposeAsync()
        {
            if (_server != null) await _server.DisposeAsync();
        }

        public void Dispose()
        {
            _main.Dispose();
            UnityCalls.Reset();
        }

        [Fact]
        public async Task InTheEditorTheDefaultLogsAndStopsPlayModeOnTheMainThreadAndNeverExits()
        {
            EditorOptions options = EditorOptionsFor("unity-editor");
            EditorClient? client = null;
            _main.Send(_ => client = new EditorClient(options), null);
            using (client)
            {
                // Awaited off the main thread: the failure is found on the thread pool.
                Assert.False(await client!.LoginAsync("UNITY-REFUSED").WaitAsync(Deadline));
            }

            UnityCall? stop = UnityCalls.WaitFor("EditorApplication.isPlaying", Deadline);
            Assert.NotNull(stop);
            Assert.Equal("false", stop!.Argument);
            Assert.Equal(_main.ManagedThreadId, stop.ThreadId);
            string logged = AssertLoggedOnce("play mode stops");
            Assert.Equal(logged, Assert.Single(_stderr));
            // The Editor is never ended, and nothing was refused for running off the main thread.
            Assert.Equal(0, Volatile.Read(ref _exits));
            Assert.DoesNotContain(UnityCalls.All, c => c.Member.StartsWith("refused:", StringComparison.Ordinal));
            AssertTheServerRefused("unity-editor");
        }

        [Fact]
        public async Task InTheEditorWithoutTheMainThreadsContextTheLoginStillJustFails()
        {
            // Constructed on a pool thread (no context): Unity refuses isPlaying there. The error is logged, the caller
            // gets false (not Unity's exception), and the Editor is still not ended.
            EditorOptions options = EditorOptionsFor("unity-editor-worker");
            using EditorClient client = await Task.Run(() => new EditorClient(options));

            Assert.False(await client.LoginAsync("UNITY-REFUSED").WaitAsync(Deadline));

            Assert.Contains(UnityCalls.All, c => c.Member == "refused:set_isPlaying");
            AssertLoggedOnce("play mode stops");
            Assert.Equal(0, Volatile.Read(ref _exits));
        }

        [Fact]
        public async Task InAPlayerTheDefaultLogsAndQuitsTheUnityWayOnTheMainThread()
        {
            PlayerOptions options = PlayerOptionsFor("unity-player");
            PlayerClient? client = null;
            _main.Send(_ => client = new PlayerClient(options), null);
            using (client)
            {
                Assert.False(await client!.LoginAsync("UNITY-REFUSED").WaitAsync(Deadline));
            }

            UnityCall? quit = UnityCalls.WaitFor("Application.Quit", Deadline);
            Assert.NotNull(quit);
            Assert.Equal("1", quit!.Argument);
            Assert.Equal(_main.ManagedThreadId, quit.ThreadId);
            string logged = AssertLoggedOnce("the player quits with exit code 1");
            Assert.Equal(logged, Assert.Single(_stderr));
            Assert.Equal(0, Volatile.Read(ref _exits));
            AssertTheServerRefused("unity-player");
        }

        [Fact]
        public async Task InAPlayerWithoutTheMainThreadsContextTheProcessStillEnds()
        {
            // Constructed on a pool thread (no context): Application.Quit is refused off the main thread, so the
            // process ends the .NET way instead of the licence check doing nothing.
            PlayerOptions options = PlayerOptionsFor("unity-player-worker");
            using PlayerClient client = await Task.Run(() => new PlayerClient(options));

            Assert.False(await client.LoginAsync("UNITY-REFUSED").WaitAsync(Deadline));

            Assert.Equal(1, Volatile.Read(ref _exits));
            Assert.Contains(UnityCalls.All, c => c.Member == "refused:Quit");
            AssertLoggedOnce("the player quits with exit code 1");
        }

        private EditorOptions EditorOptionsFor(string hwid) => new EditorOptions
        {
            AppId = _server!.AppId, AppSecret = _server.AppSecret, ApiBaseUrl = _server.BaseUrl, HwidOverride = hwid,
            RequestTimeout = TimeSpan.FromSeconds(10), Exit = code => Interlocked.Increment(ref _exits), ErrorOutput = _stderr.Enqueue,
        };

        private PlayerOptions PlayerOptionsFor(string hwid) => new PlayerOptions
        {
            AppId = _server!.AppId, AppSecret = _server.AppSecret, ApiBaseUrl = _server.BaseUrl, HwidOverride = hwid,
            RequestTimeout = TimeSpan.FromSeconds(10), Exit = code => Interlocked.Increment(ref _exits), ErrorOutput = _stderr.Enqueue,
        };

        // Unity's Console gets the same one line as stderr: what failed, the code, the consequence, no secret.
        private string AssertLoggedOnce(string consequence)
        {
            string line = Assert.Single(UnityCalls.All, c => c.Member == "Debug.LogError").Argument!;
            Assert.StartsWith("AuthForge: login_failed [invalid_key]: ", line);
            Assert.Contains("No onFailure callback is set, so " + consequence + ".", line);
            Assert.DoesNotContain(_server!.AppSecret, line);
            Assert.DoesNotContain("UNITY-REFUSED", line);
            return line;
        }

        private void AssertTheServerRefused(string hwid) =>
            Assert.Contains(_server!.Requests, r => r.Hwid == hwid && r.Error == AuthForgeErrorCodes.InvalidKey);
    }
}
