using System;
using System.Net.Http;
using System.Threading.Tasks;
using AuthForge.DevServer;
using AuthForge.Tests.Support;
using Xunit;

namespace AuthForge.Tests.DevServer
{
    /// <summary>One in-process DevServer per test class, on an ephemeral port, with a clock the tests control.</summary>
    public abstract class DevServerFixture : IAsyncLifetime
    {
        private DevServerHost? _host;
        private HttpClient? _http;

        /// <summary>The server's clock: starts at the real time, moves only forward and only when a test says.</summary>
        internal ManualClock Clock { get; } = new(DateTimeOffset.UtcNow);

        public DevServerHost Host => _host ?? throw new InvalidOperationException("Not started.");

        public HttpClient Http => _http ?? throw new InvalidOperationException("Not started.");

        public AuthApi Api => new(Http, Host);

        protected abstract SigningMode Mode { get; }

        public async Task InitializeAsync()
        {
            var options = new DevServerOptions { Mode = Mode, Time = Clock.TimeProvider, AppSecret = "fixture-secret" };
            options.AppVariables["tier"] = "test";
            Configure(options);
            _host = await DevServerHost.StartAsync(options);
            _http = new HttpClient { BaseAddress = new Uri(_host.BaseUrl), Timeout = TimeSpan.FromSeconds(10) };
        }

        public async Task DisposeAsync()
        {
            _http?.Dispose();
            if (_host is not null)
            {
                await _host.DisposeAsync();
            }
        }

        /// <summary>Adds a licence with a fresh key, so each test owns its licence whatever ran before it.</summary>
        public string NewLicense(long credits = 1000, int slots = 1, DateTimeOffset? expiresAt = null, string? label = null)
        {
            string key = "K-" + Guid.NewGuid().ToString("N")[..12];
            var license = new DevLicense(key) { Credits = credits, MaxHwidSlots = slots, ExpiresAt = expiresAt, Label = label };
            license.Variables["seats"] = 5;
            Host.AddLicense(license);
            return key;
        }

        protected virtual void Configure(DevServerOptions options)
        {
        }
    }

    public sealed class HmacV1Fixture : DevServerFixture
    {
        protected override SigningMode Mode => SigningMode.HmacV1;
    }

    public sealed class HmacV2Fixture : DevServerFixture
    {
        protected override SigningMode Mode => SigningMode.HmacV2;
    }

    public sealed class Ed25519Fixture : DevServerFixture
    {
        /// <summary>RFC 8032 section 7.1, test 1: the seed and its public key.</summary>
        public const string SeedHex = "9d61b19deffd5a60ba844af492ec2cc44449c5697b326919703bac031cae7f60";
        public const string PublicKeyHex = "d75a980182b10ab7d54bfed3c964073a0ee172f3daa62325af021a68f707511a";

        protected override SigningMode Mode => SigningMode.Ed25519;

        protected override void Configure(DevServerOptions options) => options.SigningKeySeed = Convert.FromHexString(SeedHex);
    }
}
