using System;
using System.Net.Http;
using System.Threading.Tasks;
using AuthForge.DevServer;
using Xunit;

namespace AuthForge.Tests.DevServer
{
    /// <summary>Starting, stopping and restarting the in-process host.</summary>
    public sealed class HostLifecycleTests
    {
        [Fact]
        public async Task Start_BindsAnEphemeralLoopbackPort()
        {
            await using DevServerHost host = await DevServerHost.StartAsync(new DevServerOptions { Mode = SigningMode.HmacV1 });

            var uri = new Uri(host.BaseUrl);
            Assert.Equal("127.0.0.1", uri.Host);
            Assert.NotEqual(0, uri.Port);
            Assert.True(host.IsRunning);
        }

        [Fact]
        public async Task Restart_ComesBackOnTheSamePort_AndSessionsSurvive()
        {
            await using DevServerHost host = await DevServerHost.StartAsync(new DevServerOptions
            {
                Mode = SigningMode.HmacV2,
                Licenses = { new DevLicense("RESTART") },
            });
            string baseUrl = host.BaseUrl;
            using var http = new HttpClient { BaseAddress = new Uri(baseUrl), Timeout = TimeSpan.FromSeconds(10) };
            var api = new AuthApi(http, host);
            ApiResponse login = await api.LoginAsync("RESTART", "h");

            await host.StopAsync();
            Assert.False(host.IsRunning);
            await Assert.ThrowsAsync<HttpRequestException>(() => api.HeartbeatAsync(login.SessionToken, "h"));

            await host.RestartAsync();

            Assert.Equal(baseUrl, host.BaseUrl);
            (await api.HeartbeatAsync(login.SessionToken, "h")).AssertOk();
        }

        [Fact]
        public async Task Restart_WhileRunning_StopsAndStartsAgain()
        {
            await using DevServerHost host = await DevServerHost.StartAsync(new DevServerOptions { Mode = SigningMode.HmacV1, Licenses = { new DevLicense("R2") } });
            string baseUrl = host.BaseUrl;

            await host.RestartAsync();

            using var http = new HttpClient { BaseAddress = new Uri(baseUrl), Timeout = TimeSpan.FromSeconds(10) };
            (await new AuthApi(http, host).ValidateAsync("R2", "h")).AssertOk();
        }

        [Fact]
        public async Task Stop_EndsAnEndlessResponsePromptly()
        {
            await using DevServerHost host = await DevServerHost.StartAsync(new DevServerOptions { Mode = SigningMode.HmacV1, Licenses = { new DevLicense("E") } });
            host.AddFault(new DevFault(DevFaultKind.Endless));
            // Patient guards, not measurements: the headers of the endless answer only have to arrive, and the stop
            // only has to end (without the cancellation it waits for a body that never ends; Kestrel's abort after
            // the grace period is the backstop). On a loaded 2-core machine either may take seconds.
            using var http = new HttpClient { BaseAddress = new Uri(host.BaseUrl), Timeout = TimeSpan.FromSeconds(30) };
            using var content = new StringContent("{}");
            using HttpResponseMessage response = await http.PostForHeadersAsync("/auth/validate", content);

            await host.StopAsync().WaitAsync(TimeSpan.FromSeconds(15));
        }

        [Fact]
        public async Task Dispose_IsIdempotent()
        {
            DevServerHost host = await DevServerHost.StartAsync(new DevServerOptions { Mode = SigningMode.HmacV1 });
            await host.DisposeAsync();
            await host.DisposeAsync();
            await host.StopAsync();
            await Assert.ThrowsAsync<ObjectDisposedException>(() => host.RestartAsync());
        }

        [Fact]
        public async Task Start_RefusesInvalidOptions()
        {
            await Assert.ThrowsAsync<ArgumentException>(() => DevServerHost.StartAsync(new DevServerOptions { AppId = "" }));
            await Assert.ThrowsAsync<ArgumentOutOfRangeException>(() => DevServerHost.StartAsync(new DevServerOptions
            {
                Mode = SigningMode.HmacV1,
                Licenses = { new DevLicense("X") { MaxHwidSlots = 0 } },
            }));
        }
    }
}
