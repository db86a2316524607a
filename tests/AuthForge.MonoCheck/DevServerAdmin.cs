using System;
using System.Net.Http;
using System.Text;
using System.Text.RegularExpressions;
using System.Threading;

namespace AuthForge.MonoCheck
{
    /// <summary>The DevServer's loopback admin routes, as far as the checks need them (no JSON library on 4.7.2).</summary>
    internal sealed class DevServerAdmin
    {
        private static readonly TimeSpan s_timeout = TimeSpan.FromSeconds(30);
        private static readonly HttpClient s_plain = new HttpClient { Timeout = s_timeout };
        private static readonly Regex s_entry = new Regex("\\{[^{}]*\\}", RegexOptions.CultureInvariant);

        public DevServerAdmin(string baseUrl)
        {
            BaseUrl = baseUrl;
        }

        public string BaseUrl { get; }

        public void AddLicense(string key) => Send(HttpMethod.Post, "/admin/licenses", "{\"key\":\"" + key + "\",\"maxHwidSlots\":5}");

        public void Revoke(string key) => Send(HttpMethod.Post, "/admin/licenses/" + key + "/revoke", null);

        /// <summary>Queues one fault on <c>/auth/validate</c> (see the DevServer's fault kinds).</summary>
        public void AddValidateFault(string kind, int count = 1, int delayMs = 0) =>
            Send(HttpMethod.Post, "/admin/faults",
                "{\"kind\":\"" + kind + "\",\"count\":" + count + ",\"path\":\"/auth/validate\",\"delayMs\":" + delayMs + "}");

        public void ClearFaults() => Send(HttpMethod.Delete, "/admin/faults", null);

        public void ClearRequests() => Send(HttpMethod.Delete, "/admin/requests", null);

        /// <summary>How many <c>/auth/heartbeat</c> requests the server answered with 200 since the log was cleared.</summary>
        public int SuccessfulHeartbeats() => CountRequests("/auth/heartbeat", 200);

        public int CountRequests(string path, int status)
        {
            string body = Send(HttpMethod.Get, "/admin/requests", null);
            int count = 0;
            foreach (Match entry in s_entry.Matches(body))
            {
                if (entry.Value.Contains("\"path\":\"" + path + "\"") && entry.Value.Contains("\"status\":" + status + ","))
                {
                    count++;
                }
            }

            return count;
        }

        /// <summary>Polls until <paramref name="condition"/> holds or the time is up (generous: a loaded 2-core machine).</summary>
        public static bool WaitUntil(Func<bool> condition, TimeSpan limit)
        {
            DateTime end = DateTime.UtcNow + limit;
            while (!condition())
            {
                if (DateTime.UtcNow > end)
                {
                    return false;
                }

                Thread.Sleep(50);
            }

            return true;
        }

        private string Send(HttpMethod method, string path, string json)
        {
            using (var request = new HttpRequestMessage(method, BaseUrl + path))
            {
                if (json != null)
                {
                    request.Content = new StringContent(json, Encoding.UTF8, "application/json");
                }

                HttpClient http = PinnedTls.Client ?? s_plain;
                using (var deadline = new CancellationTokenSource(s_timeout))
                using (HttpResponseMessage response = http.SendAsync(request, deadline.Token).GetAwaiter().GetResult())
                {
                    string body = response.Content.ReadAsStringAsync().GetAwaiter().GetResult();
                    if (!response.IsSuccessStatusCode)
                    {
                        throw new CheckFailedException(method + " " + path + " answered " + (int)response.StatusCode + ": " + body);
                    }

                    return body;
                }
            }
        }
    }
}
