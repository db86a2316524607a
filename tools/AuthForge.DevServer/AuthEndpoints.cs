using System;
using System.Net;
using System.Threading;
using System.Threading.Tasks;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;
using Microsoft.Extensions.Logging;

namespace AuthForge.DevServer
{
    /// <summary>
    /// The HTTP side of <c>/auth/validate</c>, <c>/auth/heartbeat</c> and <c>/auth/selfban</c>: read the body, record
    /// the request, apply a queued fault, ask <see cref="AuthService"/>, and write the answer.
    /// </summary>
    internal sealed class AuthEndpoints
    {
        public const string ValidatePath = "/auth/validate";
        public const string HeartbeatPath = "/auth/heartbeat";
        public const string SelfBanPath = "/auth/selfban";

        private static readonly byte[] s_serverError = ErrorBody.Create("server_error");

        private readonly DevServerState _state;
        private readonly AuthService _service;
        private readonly ResponseComposer _composer;
        private readonly ILogger? _logger;
        private readonly CancellationToken _stopping;

        /// <param name="state">The server's state.</param>
        /// <param name="logger">Logs one line per request; null when quiet.</param>
        /// <param name="stopping">Cancelled when the listener stops, so endless and delayed answers end promptly.</param>
        public AuthEndpoints(DevServerState state, ILogger? logger, CancellationToken stopping)
        {
            _state = state;
            _service = new AuthService(state);
            _composer = new ResponseComposer(state);
            _logger = logger;
            _stopping = stopping;
        }

        public void Map(IEndpointRouteBuilder endpoints)
        {
            endpoints.MapPost(ValidatePath, context => HandleAsync(context, ValidatePath));
            endpoints.MapPost(HeartbeatPath, context => HandleAsync(context, HeartbeatPath));
            endpoints.MapPost(SelfBanPath, context => HandleAsync(context, SelfBanPath));
        }

        private async Task HandleAsync(HttpContext context, string path)
        {
            using var linked = CancellationTokenSource.CreateLinkedTokenSource(context.RequestAborted, _stopping);
            CancellationToken cancellationToken = linked.Token;
            IPAddress? remote = DevServerState.Normalize(context.Connection.RemoteIpAddress);

            byte[]? body = await RequestBody.ReadAsync(context.Request, cancellationToken).ConfigureAwait(false);
            AuthRequest request = body is null ? AuthRequest.Malformed : AuthRequest.Parse(body);
            string? licenseKey = request.LicenseKey
                ?? (request.SessionToken is { } token ? SessionTokenCodec.PeekLicenseKey(token) : null);
            var entry = new RequestLogEntry(_state.Time.GetUtcNow(), path, request.Nonce, licenseKey, request.Hwid, remote?.ToString());
            _state.Requests.Add(entry);

            try
            {
                (int status, string? error, string? faultName) = await AnswerAsync(context, path, request, licenseKey, remote, entry, cancellationToken).ConfigureAwait(false);
                entry.Complete(status, error, faultName);
                _logger?.LogInformation(
                    "{Path} {Status} error={Error} fault={Fault} key={Key} hwid={Hwid}",
                    path, status, error ?? "-", faultName ?? "-", licenseKey ?? "-", request.Hwid ?? "-");
            }
            catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
            {
                // The client left (e.g. its time-out cut a delay) or the server is stopping: nothing to answer.
                entry.Complete(0, null, entry.ToRecord().Fault);
            }
            catch (Exception e) when (e is not OperationCanceledException)
            {
                // A bug in the server, not a protocol answer. Said even when quiet: a dev server must not hide its
                // own faults behind a bare 500.
                Console.Error.WriteLine($"AuthForge DevServer: {path} failed: {e}");
                entry.Complete(500, "server_error", entry.ToRecord().Fault);
                if (!context.Response.HasStarted)
                {
                    await FaultResponder.WriteAsync(context, 500, "application/json", s_serverError, CancellationToken.None).ConfigureAwait(false);
                }
                else
                {
                    context.Abort();
                }
            }
        }

        private async Task<(int Status, string? Error, string? Fault)> AnswerAsync(
            HttpContext context, string path, AuthRequest request, string? licenseKey, IPAddress? remote, RequestLogEntry entry,
            CancellationToken cancellationToken)
        {
            DevFault? fault = _state.Faults.TryTake(path, licenseKey, request.Hwid);
            string? faultName = fault is null ? null : DevFaultKindNames.ToWireName(fault.Kind);
            if (fault is not null)
            {
                entry.MarkFault(faultName!);
                if (DevFaultKindNames.ReplacesAnswer(fault.Kind))
                {
                    (int sent, string? code) = await FaultResponder.RespondAsync(context, fault, cancellationToken).ConfigureAwait(false);
                    return (sent, code, faultName);
                }

                if (fault.Kind == DevFaultKind.Replay && _state.LastResponses.Get(path) is { } previous)
                {
                    entry.Complete(200, null, faultName);
                    await FaultResponder.WriteAsync(context, 200, "application/json", previous, cancellationToken).ConfigureAwait(false);
                    return (200, null, faultName);
                }

                if (fault.Kind == DevFaultKind.Delay)
                {
                    // Real time, not the server's clock: a test's frozen clock must not freeze the answer.
                    await Task.Delay(fault.DelayMs, cancellationToken).ConfigureAwait(false);
                }
            }

            AuthOutcome outcome = path switch
            {
                ValidatePath => _service.Validate(request, remote),
                HeartbeatPath => _service.Heartbeat(request, remote),
                _ => _service.SelfBan(request, remote),
            };

            int status;
            byte[] body;
            if (outcome.Error is { } error)
            {
                status = error.StatusCode;
                body = error.Body;
            }
            else
            {
                status = 200;
                DevFaultKind? bend = fault?.Kind;
                body = outcome.Grant is { } grant ? _composer.Compose(grant, request.Nonce!, bend) : ResponseComposer.PlainOk;
                if (fault is null)
                {
                    _state.LastResponses.Set(path, body);
                }
            }

            if (fault?.Kind == DevFaultKind.Truncate)
            {
                await FaultResponder.TruncateAsync(context, status, body, cancellationToken).ConfigureAwait(false);
                return (status, outcome.Error?.Code, faultName);
            }

            // Logged before the answer goes out: a client can read the whole answer before this method resumes, and a
            // test that then reads the log must see the status it was sent. A failed write is logged again as 0.
            entry.Complete(status, outcome.Error?.Code, faultName);
            await FaultResponder.WriteAsync(context, status, "application/json", body, cancellationToken).ConfigureAwait(false);
            return (status, outcome.Error?.Code, faultName);
        }
    }
}
