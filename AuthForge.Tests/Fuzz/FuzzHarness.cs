using System;
using System.Collections.Concurrent;
using System.Collections.Generic;
using System.Diagnostics;
using System.Globalization;
using System.Threading;
using System.Threading.Tasks;

namespace AuthForge.Tests.Fuzz
{
    /// <summary>The bounds every input must respect. Generous on purpose: they catch hangs and blow-ups, not jitter.</summary>
    internal sealed class FuzzLimits
    {
        public static readonly FuzzLimits Default = new FuzzLimits();

        /// <summary>
        /// One input, Verify plus Session.FromAnswer plus the accessors, must finish within this: wall time, so generous
        /// for a loaded 2-core machine (the slowest input takes a few hundred milliseconds on a quiet one and was seen
        /// at 2.6 s under load); a super-linear blow-up on a megabyte body takes minutes.
        /// </summary>
        public TimeSpan MaxPerInput { get; init; } = TimeSpan.FromSeconds(10);

        /// <summary>An input still running after this is a hang: the run stops and reports it.</summary>
        public TimeSpan HangAfter { get; init; } = TimeSpan.FromSeconds(30);

        /// <summary>Allocation allowed per input: this many times the body's size...</summary>
        public long AllocationFactor { get; init; } = 64;

        /// <summary>...plus this much.</summary>
        public long AllocationSlack { get; init; } = 1 << 20;

        public int MaxReportedFailures { get; init; } = 12;
    }

    /// <summary>
    /// Runs inputs through the product's response pipeline on every core and checks the invariants on each:
    /// (1) an accepted input is one the oracle says may be accepted, never a forgery; (2) nothing but
    /// AuthForgeException escapes; (3) time and allocation per input stay bounded, and nothing hangs.
    /// </summary>
    internal static class FuzzHarness
    {
        public static FuzzReport Run(string name, int runSeed, long count, Func<long, FuzzInput> make, FuzzLimits? limits = null)
        {
            limits ??= FuzzLimits.Default;
            int workers = Math.Max(1, Environment.ProcessorCount);
            var states = new WorkerState[workers];
            for (int w = 0; w < workers; w++) states[w] = new WorkerState();
            var failures = new ConcurrentQueue<string>();
            var stop = new CancellationTokenSource();
            var wall = Stopwatch.StartNew();
            TimeSpan cpuBefore = Process.GetCurrentProcess().TotalProcessorTime;

            // Inputs are dealt round-robin so the rare costly ones (huge, deep) spread over the workers.
            // Dedicated threads, not the pool: the tests running beside the fuzzer need the pool for their servers.
            Task run = Support.DedicatedThreads.Start(workers, w =>
            {
                WorkerState state = states[w];
                for (long index = w; index < count && !stop.IsCancellationRequested; index += workers)
                {
                    FuzzInput input;
                    long generating = Stopwatch.GetTimestamp();
                    try
                    {
                        input = make(index);
                        state.Generating += Stopwatch.GetElapsedTime(generating);
                    }
                    catch (Exception e)
                    {
                        failures.Enqueue("HARNESS BUG: generating input " + index + " (run seed " + runSeed + ") threw " + e);
                        stop.Cancel();
                        return;
                    }
                    string? failure = Check(input, index, state, limits);
                    if (failure != null)
                    {
                        failures.Enqueue(failure + "\n" + FuzzFormat.Describe(input, index, runSeed));
                        if (failures.Count >= limits.MaxReportedFailures) stop.Cancel();
                    }
                }
            });

            // The watchdog: a product hang never returns, so it is found from outside and reported with its input.
            bool hung = false;
            while (!run.Wait(TimeSpan.FromMilliseconds(100)))
            {
                foreach (WorkerState state in states)
                {
                    (FuzzInput? current, long index, long started) = state.Current;
                    if (current != null && Stopwatch.GetElapsedTime(started) > limits.HangAfter)
                    {
                        failures.Enqueue("HANG: still running after " + limits.HangAfter.TotalSeconds + " s\n" + FuzzFormat.Describe(current, index, runSeed));
                        hung = true;
                    }
                }
                if (hung)
                {
                    stop.Cancel();
                    break; // the stuck worker cannot be stopped; the test fails now and leaves it behind
                }
            }
            wall.Stop();
            TimeSpan cpu = Process.GetCurrentProcess().TotalProcessorTime - cpuBefore;
            return FuzzReport.Merge(name, runSeed, states, failures.ToArray(), wall.Elapsed, cpu, hung);
        }

        /// <summary>Runs one input and returns what it broke, or null.</summary>
        private static string? Check(FuzzInput input, long index, WorkerState state, FuzzLimits limits)
        {
            VerifiedResponse? response = null;
            Exception? escaped = null;
            string outcome;
            string? accessorProblem = null;

            state.Current = (input, index, Stopwatch.GetTimestamp());
            long allocatedBefore = GC.GetAllocatedBytesForCurrentThread();
            long started = Stopwatch.GetTimestamp();
            try
            {
                response = AuthForge.Internal.Protocol.Verify(input.Status, input.Body, input.Nonce, input.Verifier.Product);
                // The session the client would build: the same verify, then the binding to what the seeds asked for,
                // with the longest TTL and the answer's own time as receipt. A binding verdict (another machine, an
                // ended session) is the product refusing a fuzzed field, not a fuzz failure: the accessors then rest.
                Session? session = null;
                try
                {
                    session = Session.FromAnswer(input.Status, input.Body, input.Nonce, input.Verifier.Product,
                        new SessionBinding("fuzz-app", FuzzSeedSet.LicenseKey, FuzzSeedSet.Hwid, (int)SessionBinding.MaxTtlSeconds,
                            response.ServerTimeUnix ?? 0), AuthForgeClock.System);
                }
                catch (AuthForgeException e) when (e.Code == AuthForgeErrorCodes.SessionMismatch || e.Code == AuthForgeErrorCodes.SessionExpired)
                {
                }
                if (session != null)
                {
                    // What the client then does with a session (local heartbeats re-verify; users copy variables): none may throw.
                    if (!session.VerifyStoredSignature()) accessorProblem = "the accepted session's stored signature does not verify";
                    session.CopyPayload();
                    session.CopyAppVariables();
                    session.CopyLicenseVariables();
                    session.IsExpired(AuthForgeClock.System);
                    _ = session.ToString();
                }
                outcome = "accepted";
            }
            catch (AuthForgeException e)
            {
                outcome = e.Code;
            }
            catch (Exception e)
            {
                escaped = e;
                outcome = "ESCAPED " + e.GetType().Name;
            }
            TimeSpan elapsed = Stopwatch.GetElapsedTime(started);
            long allocated = GC.GetAllocatedBytesForCurrentThread() - allocatedBefore;
            state.Current = (null, 0, 0);

            state.Running += elapsed;
            state.Record(outcome, elapsed, allocated, input, index);
            if (escaped != null)
            {
                state.Escapes++;
                return "ESCAPE: " + escaped.GetType().FullName + " escaped the pipeline (only AuthForgeException may)\n" + escaped;
            }
            if (response != null)
            {
                if (accessorProblem != null)
                {
                    state.Forged++;
                    return "ACCEPTED BUT BROKEN: " + accessorProblem;
                }
                AcceptKind kind = FuzzOracle.Judge(input, response, out string reason);
                if (kind == AcceptKind.Forged)
                {
                    state.Forged++;
                    return "FORGED ACCEPT: " + reason;
                }
                if (kind == AcceptKind.SeedEquivalent) state.AcceptedEquivalent++;
                else state.AcceptedResigned++;
            }
            if (elapsed > limits.MaxPerInput)
            {
                state.Slow++;
                return "SLOW: " + elapsed.TotalMilliseconds.ToString("F0", CultureInfo.InvariantCulture) + " ms for one input (limit " +
                    limits.MaxPerInput.TotalMilliseconds.ToString(CultureInfo.InvariantCulture) + " ms)";
            }
            long allowed = limits.AllocationFactor * input.Body.Length + limits.AllocationSlack;
            if (allocated > allowed)
            {
                state.Slow++;
                return "ALLOCATION: " + allocated + " bytes for a " + input.Body.Length + "-byte body (limit " + allowed + ")";
            }
            return null;
        }

        internal sealed class WorkerState
        {
            private (FuzzInput? Input, long Index, long Started) _current;
            private readonly object _gate = new object();

            /// <summary>The input in flight, read by the watchdog from another thread.</summary>
            public (FuzzInput? Input, long Index, long Started) Current
            {
                get { lock (_gate) return _current; }
                set { lock (_gate) _current = value; }
            }

            public long Inputs;
            public TimeSpan Generating;
            public TimeSpan Running;
            public long AcceptedEquivalent;
            public long AcceptedResigned;
            public long Forged;
            public long Escapes;
            public long Slow;
            public TimeSpan Slowest;
            public string SlowestInput = "";
            public long MostAllocated;
            public long MostAllocatedBody;
            public long BodyBytes;
            public readonly Dictionary<string, long> Codes = new Dictionary<string, long>(StringComparer.Ordinal);

            public void Record(string outcome, TimeSpan elapsed, long allocated, FuzzInput input, long index)
            {
                Inputs++;
                BodyBytes += input.Body.Length;
                Codes[outcome] = Codes.TryGetValue(outcome, out long n) ? n + 1 : 1;
                if (elapsed > Slowest)
                {
                    Slowest = elapsed;
                    SlowestInput = "#" + index + " " + input.SeedName + " [" + PayloadMutators.Clip(input.Steps) + "] " + input.Body.Length + " bytes -> " + outcome;
                }
                if (allocated > MostAllocated)
                {
                    MostAllocated = allocated;
                    MostAllocatedBody = input.Body.Length;
                }
            }
        }
    }
}
