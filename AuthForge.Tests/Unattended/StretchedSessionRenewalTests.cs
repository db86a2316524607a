using System;
using System.Linq;
using System.Net.Http;
using System.Threading.Tasks;
using AuthForge.DevServer;
using AuthForge.Tests.Support;
using Xunit;

namespace AuthForge.Tests.Unattended
{
    /// <summary>
    /// A session a relay stretched renews as an honest one does: every heartbeat answer's length
    /// cap counts from the session's first signed time, so the week the server signed never moves the day the client
    /// asked for, and the renewal comes on time.
    /// </summary>
    public sealed class StretchedSessionRenewalTests
    {
        private const string Key = "STRETCH-KEY";

        [Fact]
        public async Task ARelayStretchedSessionIsRenewedAtTheEndOfTheDayItWasHeldTo()
        {
            await using Simulation sim = await Simulation.StartAsync(SigningMode.Ed25519, new DevLicense(Key));
            using var relay = new Relay { RewriteRequest = (path, body) => { if (path == ServerLog.Validate) body["ttlSeconds"] = 604800; } };
            using HttpClient http = relay.CreateClient();
            AuthForgeClientOptions options = sim.ClientOptions();
            options.HttpClient = http;
            using var client = new AuthForgeClient(options);
            Assert.True(await client.LoginAsync(Key));
            DateTimeOffset heldTo = client.GetSession()!.ExpiresAt;
            Assert.InRange(heldTo - sim.Time.UtcNow, TimeSpan.FromDays(1), TimeSpan.FromDays(1) + AuthForgeClientOptions.SessionLengthSlack);

            await sim.RunForAsync(TimeSpan.FromHours(12));
            // A day of heartbeats answered with the week's end leaves the client's end where it was.
            Assert.Equal(heldTo, client.GetSession()!.ExpiresAt);
            await sim.RunUntilAsync(heldTo + TimeSpan.FromHours(1));

            DevRequestRecord[] validates = sim.RequestsFor(Key).Where(r => r.Path == ServerLog.Validate).ToArray();
            Assert.Equal(2, validates.Length);
            // Renewed within the renewal lead (one 15-minute interval) before the end, as an honest day's session is.
            Assert.InRange(validates[1].Time, heldTo - TimeSpan.FromMinutes(31), heldTo);
            Assert.True(sim.RequestsFor(Key).Count(r => r.Path == ServerLog.Heartbeat) > 80);
            Assert.True(client.IsAuthenticated());
            Assert.Equal(0, sim.Failures.Count);
            Assert.Single(sim.Events(AuthForgeDiagnosticEvents.RenewalSucceeded));
        }
    }
}
