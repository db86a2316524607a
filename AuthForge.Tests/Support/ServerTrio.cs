using System;
using System.Threading.Tasks;
using AuthForge.DevServer;
using Xunit;

namespace AuthForge.Tests.Support
{
    /// <summary>
    /// One DevServer per protocol generation, shared by a test class. Tests that share it each add their own licence
    /// (<see cref="NewLicense"/>), so licence state never leaks between tests, and scope every fault they queue to that
    /// licence: a heartbeat of an earlier test's client still on the wire then cannot take it.
    /// </summary>
    public sealed class ServerTrio : IAsyncLifetime
    {
        private DevServerHost? _v1, _v2, _v3;

        public DevServerHost this[SigningMode mode] => mode switch
        {
            SigningMode.HmacV1 => _v1!,
            SigningMode.HmacV2 => _v2!,
            _ => _v3!,
        };

        public async Task InitializeAsync()
        {
            Task<DevServerHost> v1 = LiveServer.StartAsync(SigningMode.HmacV1, Configure, Array.Empty<DevLicense>());
            Task<DevServerHost> v2 = LiveServer.StartAsync(SigningMode.HmacV2, Configure, Array.Empty<DevLicense>());
            Task<DevServerHost> v3 = LiveServer.StartAsync(SigningMode.Ed25519, Configure, Array.Empty<DevLicense>());
            _v1 = await v1;
            _v2 = await v2;
            _v3 = await v3;
        }

        public async Task DisposeAsync()
        {
            foreach (DevServerHost? server in new[] { _v1, _v2, _v3 })
            {
                if (server != null) await server.DisposeAsync();
            }
        }

        /// <summary>Adds a licence with a fresh key to <paramref name="server"/>, with the variables the tests expect.</summary>
        public static string NewLicense(DevServerHost server, long credits = 1000, int slots = 1, DateTimeOffset? expiresAt = null,
            string? label = null)
        {
            string key = "K-" + Guid.NewGuid().ToString("N").Substring(0, 12);
            var license = new DevLicense(key) { Credits = credits, MaxHwidSlots = slots, ExpiresAt = expiresAt, Label = label };
            license.Variables["plan"] = "pro";
            license.Variables["seats"] = 5;
            license.Variables["features"] = new[] { "export", "sync" };
            server.AddLicense(license);
            return key;
        }

        /// <summary>The app variables every trio server returns.</summary>
        public static void Configure(DevServerOptions options)
        {
            options.AppVariables["tier"] = "gold";
            options.AppVariables["motd"] = "hello";
        }
    }
}
