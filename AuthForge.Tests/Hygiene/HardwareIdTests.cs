using System;
using System.Collections.Generic;
using System.Linq;
using System.Net.Http;
using System.Threading.Tasks;
using AuthForge.DevServer;
using AuthForge.Tests.Faults;
using AuthForge.Tests.Support;
using Xunit;

namespace AuthForge.Tests.Hygiene
{
    /// <summary>
    /// What identifies the machine on the wire: without an override only the SHA-256 fingerprint, never the hardware
    /// text it was made from; with one, exactly the override. Read from the server's request log and from the
    /// request bodies the client sent.
    /// </summary>
    [Collection(HostileNetworkCollection.Name)]
    public sealed class HardwareIdTests
    {
        [Fact]
        public async Task WithoutOverride_TheServerSeesOnlyTheHashedFingerprint()
        {
            (IReadOnlyList<DevRequestRecord> log, IReadOnlyList<string> bodies, string hardwareId) = await LoginAndHeartbeatAsync(hwidOverride: null);

            Assert.Matches("^[0-9a-f]{64}$", hardwareId);
            Assert.Equal(new[] { "/auth/validate", "/auth/heartbeat" }, log.Select(r => r.Path).Distinct());
            Assert.All(log, r => Assert.Equal(hardwareId, r.Hwid));
            Assert.All(bodies, b => Assert.Contains("\"hwid\":\"" + hardwareId + "\"", b, StringComparison.Ordinal));

            if (OperatingSystem.IsLinux())
            {
                // The raw parts this machine yields: none may travel, and the id must be their hash.
                var probe = new HardwareFingerprint.LinuxProbe("/", HardwareFingerprint.LinuxProbe.EthtoolPermanentAddress);
                string?[] raw = { probe.ReadMac(), probe.ReadCpu(), probe.ReadDisk() };
                Assert.Equal(HardwareFingerprint.Compose(raw[0], raw[1], raw[2]), hardwareId);
                foreach (string? part in raw)
                {
                    // Too short a part (or none: a container may have no readable disk) could match by chance.
                    string text = part?.Trim() ?? "";
                    if (text.Length < 6) continue;
                    Assert.All(bodies, body => Assert.DoesNotContain(text, body, StringComparison.OrdinalIgnoreCase));
                }
            }
        }

        [Fact]
        public async Task WithOverride_TheServerSeesExactlyTheOverride()
        {
            const string Override = "tg:12345";

            (IReadOnlyList<DevRequestRecord> log, IReadOnlyList<string> bodies, string hardwareId) = await LoginAndHeartbeatAsync(Override);

            Assert.Equal(Override, hardwareId);
            Assert.Equal(new[] { "/auth/validate", "/auth/heartbeat" }, log.Select(r => r.Path).Distinct());
            Assert.All(log, r => Assert.Equal(Override, r.Hwid));
            Assert.All(bodies, b => Assert.Contains("\"hwid\":\"tg:12345\"", b, StringComparison.Ordinal));
            Assert.DoesNotContain(bodies, b => b.Contains(HardwareFingerprint.Current, StringComparison.Ordinal));
        }

        /// <summary>A login and one heartbeat; the next heartbeat is held so the log is complete when read.</summary>
        private static async Task<(IReadOnlyList<DevRequestRecord> Log, IReadOnlyList<string> Bodies, string HardwareId)> LoginAndHeartbeatAsync(string? hwidOverride)
        {
            await using DevServerHost server = await FaultServers.StartAsync(SigningMode.Ed25519);
            using var handler = new RecordingHandler();
            using HttpClient http = handler.CreateClient();
            var never = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
            handler.BeforeSend = (attempt, cancellationToken) => attempt == 3 ? never.Task.WaitAsync(cancellationToken) : Task.CompletedTask;
            AuthForgeClientOptions options = LiveServer.ClientOptions(server, new FailureRecorder(), interval: TimeSpan.FromMilliseconds(20));
            options.HwidOverride = hwidOverride;
            options.HttpClient = http;
            using var client = new AuthForgeClient(options);

            Assert.True(await client.LoginAsync(FaultServers.LicenseKey));
            await handler.WaitForAttemptAsync(3, TimeSpan.FromSeconds(10));

            return (server.Requests, handler.RequestBodies.Take(2).ToArray(), client.GetHardwareId());
        }
    }
}
