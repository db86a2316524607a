using System;
using System.Linq;
using System.Threading.Tasks;
using AuthForge.DevServer;
using AuthForge.Tests.Support;
using Xunit;

namespace AuthForge.Tests.Client
{
    /// <summary>
    /// Responses the client must not trust, produced by the DevServer's faults on a real validate: each makes the login
    /// fail with the code naming what was wrong, leaves no session, and is not retried. (Answers that are not the
    /// server's at all — non-JSON, HTML, a portal's page — are <c>foreign_answer</c>: ForeignAnswerTests.)
    /// </summary>
    public sealed class UntrustedResponseTests : IClassFixture<ServerTrio>
    {
        private readonly ServerTrio _servers;

        public UntrustedResponseTests(ServerTrio servers) => _servers = servers;

        public static TheoryData<SigningMode, DevFaultKind, string> Cases()
        {
            var cases = new TheoryData<SigningMode, DevFaultKind, string>();
            foreach (SigningMode mode in new[] { SigningMode.HmacV1, SigningMode.HmacV2, SigningMode.Ed25519 })
            {
                cases.Add(mode, DevFaultKind.TamperSignature, AuthForgeErrorCodes.SignatureMismatch);
                cases.Add(mode, DevFaultKind.TamperPayload, AuthForgeErrorCodes.SignatureMismatch);
                cases.Add(mode, DevFaultKind.WrongKey, AuthForgeErrorCodes.SignatureMismatch);
                // The DevServer signs the wrong-nonce payload correctly, with the HMAC key derived from the nonce the
                // client sent; so in every generation the signature verifies and the nonce check is what catches it.
                cases.Add(mode, DevFaultKind.WrongNonce, AuthForgeErrorCodes.NonceMismatch);
                cases.Add(mode, DevFaultKind.MissingPayload, AuthForgeErrorCodes.MissingPayload);
                cases.Add(mode, DevFaultKind.ErrorIn200, AuthForgeErrorCodes.InvalidKey);
                cases.Add(mode, DevFaultKind.MissingSessionToken, AuthForgeErrorCodes.MissingSessionToken);
                cases.Add(mode, DevFaultKind.MissingExpires, AuthForgeErrorCodes.MissingExpiresIn);
            }

            // A genuine earlier answer replayed: in v1/v2 its HMAC key was derived from the earlier request's nonce, so
            // it no longer verifies; in v3 the Ed25519 signature is still the server's, and only the nonce betrays it.
            cases.Add(SigningMode.HmacV1, DevFaultKind.Replay, AuthForgeErrorCodes.SignatureMismatch);
            cases.Add(SigningMode.HmacV2, DevFaultKind.Replay, AuthForgeErrorCodes.SignatureMismatch);
            cases.Add(SigningMode.Ed25519, DevFaultKind.Replay, AuthForgeErrorCodes.NonceMismatch);
            return cases;
        }

        [Theory]
        [MemberData(nameof(Cases))]
        public async Task UntrustedValidateAnswerFailsTheLogin(SigningMode mode, DevFaultKind fault, string code)
        {
            DevServerHost server = _servers[mode];
            server.ClearFaults();
            if (fault == DevFaultKind.Replay)
            {
                // The replay fault re-sends the server's last genuine validate answer: make sure there is one.
                using var earlier = new AuthForgeClient(LiveServer.ClientOptions(server, new FailureRecorder()));
                Assert.True(await earlier.LoginAsync(ServerTrio.NewLicense(server)));
            }

            string key = ServerTrio.NewLicense(server);
            server.AddFault(fault, 1, ServerLog.Validate, licenseKey: key);
            var failures = new FailureRecorder();
            using var client = new AuthForgeClient(LiveServer.ClientOptions(server, failures));

            Assert.False(await client.LoginAsync(key));

            Failure failure = Assert.Single(failures.All);
            Assert.Equal(AuthForgeFailureReason.LoginFailed, failure.Reason);
            Assert.Equal(code, failure.Code);
            LoginTests.AssertLoggedOut(client);
            // Distrust is final: one request, no retry that the next (honest) answer would have let through.
            DevRequestRecord request = Assert.Single(ServerLog.For(server, ServerLog.Validate, key));
            Assert.Equal(DevFaultKindNames(fault), request.Fault);
        }

        [Theory]
        [InlineData(SigningMode.HmacV1, DevFaultKind.TamperSignature, AuthForgeErrorCodes.SignatureMismatch)]
        [InlineData(SigningMode.HmacV2, DevFaultKind.WrongKey, AuthForgeErrorCodes.SignatureMismatch)]
        [InlineData(SigningMode.Ed25519, DevFaultKind.TamperPayload, AuthForgeErrorCodes.SignatureMismatch)]
        [InlineData(SigningMode.Ed25519, DevFaultKind.WrongNonce, AuthForgeErrorCodes.NonceMismatch)]
        [InlineData(SigningMode.HmacV2, DevFaultKind.Replay, AuthForgeErrorCodes.SignatureMismatch)]
        public async Task UntrustedHeartbeatAnswerEndsTheSession(SigningMode mode, DevFaultKind fault, string code)
        {
            DevServerHost server = _servers[mode];
            server.ClearFaults();
            string key = ServerTrio.NewLicense(server);
            var failures = new FailureRecorder();
            AuthForgeClientOptions options = LiveServer.ClientOptions(server, failures, interval: TimeSpan.FromMilliseconds(25));
            using var client = new AuthForgeClient(options);
            Assert.True(await client.LoginAsync(key));
            // Two honest heartbeats first, so a replay has a genuine heartbeat answer of this session to resend.
            await ServerLog.WaitForAsync(server, ServerLog.Heartbeat, key, 2);
            server.AddFault(fault, 1, ServerLog.Heartbeat, licenseKey: key);

            Failure failure = await failures.NextAsync();

            Assert.Equal(AuthForgeFailureReason.HeartbeatFailed, failure.Reason);
            Assert.Equal(code, failure.Code);
            LoginTests.AssertLoggedOut(client);
            Assert.Equal(0, options.Scheduler.ScheduledCount);
            Assert.Equal(DevFaultKindNames(fault), ServerLog.For(server, ServerLog.Heartbeat, key).Last().Fault);
        }

        private static string DevFaultKindNames(DevFaultKind kind) => kind switch
        {
            DevFaultKind.TamperSignature => "tamper_signature",
            DevFaultKind.TamperPayload => "tamper_payload",
            DevFaultKind.WrongKey => "wrong_key",
            DevFaultKind.WrongNonce => "wrong_nonce",
            DevFaultKind.NonJson => "non_json",
            DevFaultKind.JsonArray => "json_array",
            DevFaultKind.MissingPayload => "missing_payload",
            DevFaultKind.ErrorIn200 => "error_in_200",
            DevFaultKind.Html500 => "html500",
            DevFaultKind.MissingSessionToken => "missing_session_token",
            DevFaultKind.MissingExpires => "missing_expires",
            DevFaultKind.Replay => "replay",
            _ => kind.ToString(),
        };
    }
}
