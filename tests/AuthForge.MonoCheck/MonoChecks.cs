using System;
using System.Diagnostics;
using System.Text.RegularExpressions;
using System.Threading.Tasks;

namespace AuthForge.MonoCheck
{
    /// <summary>
    /// The checks: logins in v1, v2 and v3 with SERVER heartbeats, LOCAL mode, async calls, a revocation,
    /// ValidateLicense, a tampered answer, a huge body and a time-out. Each uses its own licence key.
    /// </summary>
    internal sealed class MonoChecks
    {
        // Generous for a loaded 2-core machine: heartbeats are 1 s apart, so two of them take about 2 s.
        private static readonly TimeSpan s_wait = TimeSpan.FromSeconds(30);
        private static readonly TimeSpan s_fast = TimeSpan.FromSeconds(1);

        private readonly DevServerAdmin _v1;
        private readonly DevServerAdmin _v2;
        private readonly DevServerAdmin _v3;
        private readonly string _publicKey;
        private readonly CheckRunner _runner;

        public MonoChecks(string v1, string v2, string v3, string publicKey, CheckRunner runner)
        {
            _v1 = new DevServerAdmin(v1);
            _v2 = new DevServerAdmin(v2);
            _v3 = new DevServerAdmin(v3);
            _publicKey = publicKey;
            _runner = runner;
        }

        public void RunAll(bool requireMono)
        {
            Type mono = Type.GetType("Mono.Runtime");
            string runtime = mono == null
                ? ".NET Framework " + Environment.Version
                : "Mono " + mono.GetMethod("GetDisplayName", System.Reflection.BindingFlags.NonPublic | System.Reflection.BindingFlags.Static)?.Invoke(null, null);
            Console.WriteLine("monocheck: runtime " + runtime + ", " + Environment.OSVersion);
            _runner.Run("runtime-is-mono", () => CheckRunner.Expect(mono != null || !requireMono, "not running on Mono"));

            // First: the process's first client and login, the figure a cold-started app sees.
            _runner.Run("cold-start-login-v3", ColdStartLogin);
            _runner.Run("hardware-id", HardwareId);
            _runner.Run("login-heartbeats-v1", () => LoginWithHeartbeats(_v1, false, "MONO-V1"));
            _runner.Run("login-heartbeats-v2", () => LoginWithHeartbeats(_v2, false, "MONO-V2"));
            _runner.Run("login-heartbeats-v3", () => LoginWithHeartbeats(_v3, true, "MONO-V3"));
            _runner.Run("local-mode-v3", LocalMode);
            _runner.Run("session-store-fifo-v3", SessionStoreWithAFifo);
            _runner.Run("async-v3", () => AsyncCalls().GetAwaiter().GetResult());
            _runner.Run("revocation-v3", Revocation);
            _runner.Run("validate-license-v3", ValidateLicense);
            _runner.Run("tampered-answer-v3", () => RefusedLogin(_v3, true, "tamper_signature", AuthForgeFailureReason.LoginFailed, AuthForgeErrorCodes.SignatureMismatch));
            _runner.Run("tampered-answer-v1", () => RefusedLogin(_v1, false, "tamper_payload", AuthForgeFailureReason.LoginFailed, AuthForgeErrorCodes.SignatureMismatch));
            _runner.Run("wrong-nonce-v3", () => RefusedLogin(_v3, true, "wrong_nonce", AuthForgeFailureReason.LoginFailed, AuthForgeErrorCodes.NonceMismatch));
            _runner.Run("huge-body-v3", () => RefusedLogin(_v3, true, "huge", AuthForgeFailureReason.LoginFailed, AuthForgeErrorCodes.ResponseTooLarge));
            _runner.Run("time-out-v3", TimeOut);
            _runner.Run("unknown-key-v3", () => RefusedLogin(_v3, true, null, AuthForgeFailureReason.LoginFailed, AuthForgeErrorCodes.InvalidKey));
            if (PinnedTls.Enabled)
            {
                _runner.Run("untrusted-certificate-v3", UntrustedCertificate);
            }
        }

        /// <summary>Mono's own certificate validation (no pin): the self-signed DevServer is no answer, named.</summary>
        private void UntrustedCertificate()
        {
            _v3.AddLicense("MONO-UNTRUSTED");
            var failures = new FailureLog();
            var options = new AuthForgeClientOptions
            {
                AppId = "demo-app",
                AppSecret = "demo-secret",
                ApiBaseUrl = _v3.BaseUrl,
                RequestTimeout = TimeSpan.FromSeconds(60),
                OnFailure = failures.Record,
            };
            options.PublicKeys.Add(_publicKey);
            using (var client = new AuthForgeClient(options))
            {
                Stopwatch watch = Stopwatch.StartNew();
                CheckRunner.Expect(!client.Login("MONO-UNTRUSTED"), "login succeeded against an untrusted certificate");
                CheckRunner.Expect(failures.IsOnly(AuthForgeFailureReason.NetworkError, AuthForgeErrorCodes.TlsError),
                    "expected network_error / tls_error, got " + failures);
                string hostPort = new Uri(_v3.BaseUrl).Authority;
                CheckRunner.Expect(failures.Messages.Contains(hostPort), "the failure does not name " + hostPort + ": " + failures.Messages);
                // Not the 60 s time-out: a refused certificate is an answer from the TLS stack, not a wait.
                CheckRunner.Expect(watch.Elapsed < TimeSpan.FromSeconds(30), "took " + watch.Elapsed.TotalSeconds.ToString("0.0") + " s");
            }
        }

        private AuthForgeClient NewClient(DevServerAdmin server, bool v3, FailureLog failures, HeartbeatMode mode = HeartbeatMode.Server,
            TimeSpan? interval = null, TimeSpan? requestTimeout = null, string storePath = null)
        {
            var options = new AuthForgeClientOptions
            {
                AppId = "demo-app",
                AppSecret = "demo-secret",
                ApiBaseUrl = server.BaseUrl,
                HeartbeatMode = mode,
                HeartbeatInterval = interval ?? TimeSpan.FromMinutes(15),
                RequestTimeout = requestTimeout ?? TimeSpan.FromSeconds(15),
                OnFailure = failures.Record,
                SessionStore = storePath is null ? null : new AuthForgeFileSessionStore(storePath),
                HttpClient = PinnedTls.Client,
            };
            if (v3)
            {
                options.PublicKeys.Add(_publicKey);
            }

            return new AuthForgeClient(options);
        }

        private void ColdStartLogin()
        {
            _v3.AddLicense("MONO-COLD");
            var failures = new FailureLog();
            Stopwatch watch = Stopwatch.StartNew();
            // The README's Quick start form: positional mode string, named optional parameters.
            using (var client = new AuthForgeClient("demo-app", "demo-secret", "SERVER", apiBaseUrl: _v3.BaseUrl,
                       publicKey: _publicKey, onFailure: failures.Record, httpClient: PinnedTls.Client))
            {
                bool ok = client.Login("MONO-COLD");
                long elapsed = watch.ElapsedMilliseconds;
                CheckRunner.Expect(ok && client.IsAuthenticated(), "first login failed: " + failures);
                Console.WriteLine("monocheck: cold start: first client and Login in the process took " + elapsed + " ms");
            }
        }

        private void HardwareId()
        {
            using (var client = new AuthForgeClient("demo-app", "demo-secret", "LOCAL", apiBaseUrl: _v3.BaseUrl, onFailure: (r, e) => { }))
            {
                CheckRunner.Expect(Regex.IsMatch(client.GetHardwareId(), "^[0-9a-f]{64}$"), "the hardware id is not 64 lowercase hex characters");
            }
        }

        private void LoginWithHeartbeats(DevServerAdmin server, bool v3, string key)
        {
            server.AddLicense(key);
            server.ClearRequests();
            var failures = new FailureLog();
            using (AuthForgeClient client = NewClient(server, v3, failures, interval: s_fast))
            {
                CheckRunner.Expect(client.Login(key), "login failed: " + failures);
                CheckRunner.Expect(client.GetSessionData() != null && client.GetLicenseVariables() != null, "no session data after login");
                CheckRunner.Expect(DevServerAdmin.WaitUntil(() => server.SuccessfulHeartbeats() >= 2, s_wait),
                    "fewer than two successful heartbeats in " + s_wait.TotalSeconds + " s: " + failures);
                CheckRunner.Expect(client.IsAuthenticated() && failures.Count == 0, "the session did not survive its heartbeats: " + failures);
                client.Logout();
                CheckRunner.Expect(!client.IsAuthenticated(), "still authenticated after Logout");
            }
        }

        private void LocalMode()
        {
            _v3.AddLicense("MONO-LOCAL");
            _v3.ClearRequests();
            var failures = new FailureLog();
            using (AuthForgeClient client = NewClient(_v3, true, failures, HeartbeatMode.Local, s_fast))
            {
                CheckRunner.Expect(client.Login("MONO-LOCAL"), "login failed: " + failures);
                System.Threading.Thread.Sleep(2500); // two or three local checks of the stored signature
                CheckRunner.Expect(client.IsAuthenticated() && failures.Count == 0, "LOCAL checks ended the session: " + failures);
                CheckRunner.Expect(_v3.CountRequests("/auth/heartbeat", 200) == 0, "LOCAL mode sent heartbeats");
            }
        }

        // The file store checks what sits at its path before opening it: on Mono, as on .NET, a FIFO there (whose open
        // would wait for a writer forever) is refused at once, and the session then stored is resumed by the next start.
        private void SessionStoreWithAFifo()
        {
            _v3.AddLicense("MONO-STORE");
            string folder = System.IO.Path.Combine(System.IO.Path.GetTempPath(), "authforge-mono-" + Guid.NewGuid().ToString("N"));
            System.IO.Directory.CreateDirectory(folder);
            string path = System.IO.Path.Combine(folder, "session.json");
            try
            {
                using (Process mkfifo = Process.Start(new ProcessStartInfo("mkfifo", path) { UseShellExecute = false }))
                    mkfifo.WaitForExit();
                var failures = new FailureLog();
                using (AuthForgeClient client = NewClient(_v3, true, failures, storePath: path))
                {
                    Task<bool> login = Task.Run(() => client.Login("MONO-STORE"));
                    CheckRunner.Expect(login.Wait(TimeSpan.FromSeconds(60)), "a FIFO at the store path blocked the login");
                    CheckRunner.Expect(login.Result, "login failed: " + failures);
                }
                using (AuthForgeClient again = NewClient(_v3, true, failures, storePath: path))
                {
                    CheckRunner.Expect(again.Login("MONO-STORE") && again.GetSession().IsResumed, "the stored session was not resumed: " + failures);
                }
            }
            finally
            {
                System.IO.Directory.Delete(folder, true);
            }
        }

        private async Task AsyncCalls()
        {
            _v3.AddLicense("MONO-ASYNC");
            var failures = new FailureLog();
            using (AuthForgeClient client = NewClient(_v3, true, failures))
            {
                CheckRunner.Expect(await client.LoginAsync("MONO-ASYNC").ConfigureAwait(false), "LoginAsync failed: " + failures);
                AuthForgeValidationResult result = await client.ValidateLicenseAsync("MONO-ASYNC").ConfigureAwait(false);
                CheckRunner.Expect(result.IsValid, "ValidateLicenseAsync: " + result.Code);
                await client.LogoutAsync().ConfigureAwait(false);
                CheckRunner.Expect(!client.IsAuthenticated(), "still authenticated after LogoutAsync");
            }
        }

        private void Revocation()
        {
            _v3.AddLicense("MONO-REVOKE");
            var failures = new FailureLog();
            using (AuthForgeClient client = NewClient(_v3, true, failures, interval: s_fast))
            {
                CheckRunner.Expect(client.Login("MONO-REVOKE"), "login failed: " + failures);
                _v3.Revoke("MONO-REVOKE");
                CheckRunner.Expect(DevServerAdmin.WaitUntil(() => failures.Count > 0, s_wait), "no failure reported after the revocation");
                CheckRunner.Expect(failures.IsOnly(AuthForgeFailureReason.HeartbeatFailed, AuthForgeErrorCodes.Revoked),
                    "expected heartbeat_failed / revoked once, got " + failures);
                CheckRunner.Expect(!client.IsAuthenticated(), "still authenticated after the revocation");
            }
        }

        private void ValidateLicense()
        {
            _v3.AddLicense("MONO-VALIDATE");
            var failures = new FailureLog();
            using (AuthForgeClient client = NewClient(_v3, true, failures))
            {
                AuthForgeValidationResult valid = client.ValidateLicense("MONO-VALIDATE");
                CheckRunner.Expect(valid.IsValid && valid.Code == null && !string.IsNullOrEmpty(valid.SessionToken) && valid.Session != null,
                    "a valid key: " + valid);
                CheckRunner.Expect(!client.IsAuthenticated(), "ValidateLicense logged in");
                AuthForgeValidationResult unknown = client.ValidateLicense("MONO-NO-SUCH-KEY");
                CheckRunner.Expect(!unknown.IsValid && unknown.Code == AuthForgeErrorCodes.InvalidKey, "an unknown key: " + unknown);
                CheckRunner.Expect(failures.Count == 0, "ValidateLicense called onFailure: " + failures);
            }
        }

        private void RefusedLogin(DevServerAdmin server, bool v3, string fault, string reason, string code)
        {
            string key = "MONO-" + (fault ?? "unknown").ToUpperInvariant();
            if (fault != null)
            {
                server.AddLicense(key);
                server.AddValidateFault(fault);
            }

            var failures = new FailureLog();
            try
            {
                using (AuthForgeClient client = NewClient(server, v3, failures))
                {
                    CheckRunner.Expect(!client.Login(key), "login succeeded");
                    CheckRunner.Expect(failures.IsOnly(reason, code), "expected " + reason + " / " + code + ", got " + failures);
                    CheckRunner.Expect(!client.IsAuthenticated(), "authenticated after a refused login");
                }
            }
            finally
            {
                server.ClearFaults();
            }
        }

        private void TimeOut()
        {
            _v3.AddLicense("MONO-TIMEOUT");
            _v3.AddValidateFault("delay", count: 2, delayMs: 20000);
            var failures = new FailureLog();
            try
            {
                using (AuthForgeClient client = NewClient(_v3, true, failures, requestTimeout: s_fast))
                {
                    Stopwatch watch = Stopwatch.StartNew();
                    CheckRunner.Expect(!client.Login("MONO-TIMEOUT"), "login succeeded");
                    TimeSpan elapsed = watch.Elapsed;
                    CheckRunner.Expect(failures.IsOnly(AuthForgeFailureReason.NetworkError, AuthForgeErrorCodes.Timeout),
                        "expected network_error / timeout, got " + failures);
                    // Two 1 s attempts and the 2 s wait before the retry; far below the server's 20 s delay.
                    CheckRunner.Expect(elapsed >= TimeSpan.FromSeconds(3.5) && elapsed < TimeSpan.FromSeconds(15),
                        "took " + elapsed.TotalSeconds.ToString("0.0") + " s");
                }
            }
            finally
            {
                _v3.ClearFaults();
            }
        }
    }
}
