using System;
using System.Collections.Generic;
using System.Linq;
using System.Reflection;
using System.Text.RegularExpressions;
using AuthForge.DevServer;
using AuthForge.Tests.Async;
using AuthForge.Tests.Crypto;
using AuthForge.Tests.Faults;
using AuthForge.Tests.Fuzz;
using AuthForge.Tests.Stress;
using AuthForge.Tests.Support;
using AuthForge.Tests.Unattended;
using Xunit;
using static AuthForge.Tests.Support.DocText;

namespace AuthForge.Tests.Hygiene
{
    /// <summary>
    /// The figures the documents in docs/ quote from the tests and the code — counts, time limits, sizes — read from
    /// where they are decided and looked for in the document's text (line breaks count as spaces). A figure changed in
    /// the code and not in the document fails here, naming both. What cannot be read from the code (measurements, a
    /// test count that changes with every test) the documents do not quote as fact: they say where it comes from.
    /// </summary>
    public sealed class DocumentFigureTests
    {
        private sealed record Figure(string Document, string Name, string Source, Func<string> Quote);

        /// <summary>The long fuzz run FUZZING.md reports, with its command.</summary>
        private const long LongFuzzIterations = 1_000_000;

        private static readonly Figure[] s_figures =
        {
            // FUZZING.md
            new("docs/FUZZING.md", "body size of the huge values", "FuzzValues.MaxBodyBytes",
                () => "strings and numbers that fill a body up to " + Size(FuzzValues.MaxBodyBytes)),
            new("docs/FUZZING.md", "deepest nesting", "EnvelopeMutators.MaxNesting",
                () => "nesting to " + Count(EnvelopeMutators.MaxNesting) + " levels"),
            new("docs/FUZZING.md", "time limit per input", "FuzzLimits.MaxPerInput",
                () => "each input finishes within " + Duration(FuzzLimits.Default.MaxPerInput) + " of wall time"),
            new("docs/FUZZING.md", "hang limit", "FuzzLimits.HangAfter",
                () => "a hang is reported after " + Duration(FuzzLimits.Default.HangAfter)),
            new("docs/FUZZING.md", "allocation limit per input", "FuzzLimits.AllocationFactor, AllocationSlack",
                () => "allocates at most " + FuzzLimits.Default.AllocationFactor + "× its size + " + Size(FuzzLimits.Default.AllocationSlack)),
            new("docs/FUZZING.md", "inputs of the quick pass", "ProtocolFuzzTests.Inputs() and DefaultSeed",
                () => "CI quick pass (seed " + ProtocolFuzzTests.DefaultSeed + ", in `dotnet test`) | " + Count(ProtocolFuzzTests.Inputs()) + " |"),
            new("docs/FUZZING.md", "inputs of the long run", "ProtocolFuzzTests.Inputs(iterations)",
                () => "long run (seed 42, " + Count(LongFuzzIterations) + " iterations) | " + Count(ProtocolFuzzTests.Inputs(LongFuzzIterations)) + " |"),
            new("docs/FUZZING.md", "the long run's command", "the long run's iterations",
                () => "AUTHFORGE_FUZZ_ITERATIONS=" + LongFuzzIterations + " AUTHFORGE_FUZZ_SEED=42"),

            // RUNNING-UNATTENDED.md: limits the product decides
            new("docs/RUNNING-UNATTENDED.md", "the server's code length", "Protocol.MaxServerCodeLength",
                () => "a code: 1 to " + Protocol.MaxServerCodeLength + " characters of `a-z`"),
            new("docs/RUNNING-UNATTENDED.md", "the store's read limit", "AuthForgeFileSessionStore.MaxRecordBytes",
                () => "reads at most " + Size(AuthForgeFileSessionStore.MaxRecordBytes) + " and one byte"),
            new("docs/RUNNING-UNATTENDED.md", "the first back-off", "OutagePolicy.FirstBackoff",
                () => "exponential back-off: " + Duration(OutagePolicy.FirstBackoff) + ", doubling each time"),

            // TESTING.md
            new("docs/TESTING.md", "Wycheproof cases", "TestData/wycheproof-ed25519.json",
                () => "all " + WycheproofCases() + " Wycheproof cases"),
            new("docs/TESTING.md", "differential cases", "Ed25519DifferentialTests.Cases",
                () => "BouncyCastle (" + Count(Ed25519DifferentialTests.Cases) + " random cases"),
            new("docs/TESTING.md", "differential cases, in the tiers", "Ed25519DifferentialTests.Cases",
                () => "(its " + Count(Ed25519DifferentialTests.Cases) + " cases"),
            new("docs/TESTING.md", "sessions", "ManySessionsTests.Sessions",
                () => Count(ManySessionsTests.Sessions) + " logged-in sessions"),
            new("docs/TESTING.md", "stress threads", "ConcurrencyStressTests.ThreadCount, Interval",
                () => ConcurrencyStressTests.ThreadCount + " threads calling every member and `Dispose` on shared clients while "
                    + Duration(ConcurrencyStressTests.Interval) + " heartbeats run"),
            new("docs/TESTING.md", "fuzz inputs", "ProtocolFuzzTests.Inputs()",
                () => Count(ProtocolFuzzTests.Inputs()) + " mutated v1/v2/v3 responses"),
            new("docs/TESTING.md", "prompt bound", "TimeBounds.Prompt",
                () => "`TimeBounds.Prompt` (" + Duration(TimeBounds.Prompt) + ")"),
            new("docs/TESTING.md", "patient request time-out", "FaultExpectation.PatientRequestTimeout",
                () => "a request time-out of " + Duration(FaultExpectation.PatientRequestTimeout) + " wherever a time-out is not what the test is about"),
            new("docs/TESTING.md", "soak runs", "scripts/soak.sh",
                () => "N times (default " + ShellDefault("scripts/soak.sh", "runs", "1") + ")"),
            new("docs/TESTING.md", "soak busy loops", "scripts/soak.sh",
                () => "starts " + ShellDefault("scripts/soak.sh", "busy", "SOAK_BUSY_LOOPS") + " busy loops"),

            // HOW-IT-WORKS.md
            new("docs/HOW-IT-WORKS.md", "nonce", "Nonce.Create()",
                () => "a nonce: " + Nonce.Create().Length / 2 + " random bytes from the OS's cryptographic generator, as "
                    + Nonce.Create().Length + " lowercase hex characters"),
            new("docs/HOW-IT-WORKS.md", "response size", "AuthForgeClientOptions.MaxResponseBytes",
                () => "read up to " + Size(new AuthForgeClientOptions().MaxResponseBytes) + " (`MaxResponseBytes`)"),
            new("docs/HOW-IT-WORKS.md", "JSON depth", "Protocol.MaxJsonDepth",
                () => "depth limit of " + AuthForge.Internal.Protocol.MaxJsonDepth),
            new("docs/HOW-IT-WORKS.md", "slack", "AuthForgeClientOptions.SessionLengthSlack",
                () => "shortened to the TTL asked for (plus " + Duration(AuthForgeClientOptions.SessionLengthSlack) + ")"),
            new("docs/HOW-IT-WORKS.md", "network retry", "RetryPolicy.Default",
                () => "sent once more after " + Duration(RetryPolicy.Default.NetworkRetryDelay) + " (at most 2 × `requestTimeout` + "
                    + Duration(RetryPolicy.Default.NetworkRetryDelay) + " when the server can't be reached"),
            new("docs/HOW-IT-WORKS.md", "worst case with rate limiting", "RetryPolicy.Default",
                () => (2 + RetryPolicy.Default.RateLimitDelays.Count) + " × `requestTimeout` + "
                    + Duration(RetryPolicy.Default.NetworkRetryDelay + RetryPolicy.Default.RateLimitDelays.Aggregate(TimeSpan.Zero, (a, b) => a + b))
                    + " with rate limiting's waits of " + string.Join(" and ", RetryPolicy.Default.RateLimitDelays.Select(Duration))),

            // ERROR-CODES.md
            new("docs/ERROR-CODES.md", "rate-limit retries", "RetryPolicy.Default",
                () => "still limited after the " + string.Join(" and ", RetryPolicy.Default.RateLimitDelays.Select(Duration)) + " retries"),
            new("docs/ERROR-CODES.md", "response size", "AuthForgeClientOptions.MaxResponseBytes",
                () => "the body passed `MaxResponseBytes` (" + Size(new AuthForgeClientOptions().MaxResponseBytes) + " by default)"),

            // THREAT-MODEL.md
            new("docs/THREAT-MODEL.md", "TTL range", "SessionBinding's TTL constants",
                () => "`ttlSeconds` clamped to [" + SessionBinding.MinTtlSeconds + ", " + SessionBinding.MaxTtlSeconds
                    + "], or the service default of " + SessionBinding.DefaultTtlSeconds + " when none was sent"),
            new("docs/THREAT-MODEL.md", "slack", "AuthForgeClientOptions.SessionLengthSlack",
                () => "plus " + Duration(AuthForgeClientOptions.SessionLengthSlack) + " of slack (`AuthForgeClientOptions.SessionLengthSlack`)"),
            new("docs/THREAT-MODEL.md", "slack of an offline start", "AuthForgeClientOptions.SessionLengthSlack",
                () => "(plus `SessionLengthSlack`, " + Duration(AuthForgeClientOptions.SessionLengthSlack) + ")"),
            new("docs/THREAT-MODEL.md", "clock skew", "StoredSession.MaxSkew",
                () => "more than " + StoredSession.MaxSkew.TotalMinutes + " minutes earlier"),

            // RUNNING-UNATTENDED.md
            new("docs/RUNNING-UNATTENDED.md", "wake check", "HeartbeatScheduler.WakeCheckPeriod",
                () => "never arms its timer for more than " + HeartbeatScheduler.WakeCheckPeriod.TotalSeconds + " seconds"),
            new("docs/RUNNING-UNATTENDED.md", "sleep threshold", "HeartbeatScheduler.WakeThreshold",
                () => "running more than " + HeartbeatScheduler.WakeThreshold.TotalSeconds + " seconds ahead means the machine slept"),
            new("docs/RUNNING-UNATTENDED.md", "clock skew", "StoredSession.MaxSkew",
                () => "more than " + StoredSession.MaxSkew.TotalMinutes + " minutes earlier than the last signed answer"),
            new("docs/RUNNING-UNATTENDED.md", "slack", "AuthForgeClientOptions.SessionLengthSlack",
                () => "plus `SessionLengthSlack` (" + Duration(AuthForgeClientOptions.SessionLengthSlack) + ")"),
            new("docs/RUNNING-UNATTENDED.md", "the month's settings", "ThirtyDaySimulationTests.Interval, Days",
                () => "(" + ThirtyDaySimulationTests.Interval.TotalMinutes + "-minute heartbeats, one-day sessions) for "
                    + ThirtyDaySimulationTests.Days + " simulated days"),
            new("docs/RUNNING-UNATTENDED.md", "the month's default interval", "AuthForgeClientOptions.HeartbeatInterval",
                () => ThirtyDaySimulationTests.Interval == new AuthForgeClientOptions().HeartbeatInterval
                    ? "runs a SERVER-mode v3 app with the default settings"
                    : "the month's interval is not the default: the document must not say the month runs with the default settings"),
            new("docs/RUNNING-UNATTENDED.md", "the month's events", "ThirtyDaySimulationTests",
                () => "(" + ThirtyDaySimulationTests.Days * 2 + " restarts), a " + ThirtyDaySimulationTests.OutageHours + "-hour outage, an "
                    + ThirtyDaySimulationTests.SleepHours + "-hour sleep, an outage across a restart, and a revocation on day "
                    + ThirtyDaySimulationTests.RevocationDay),
            new("docs/RUNNING-UNATTENDED.md", "the month's validates", "ThirtyDaySimulationTests.ValidatesWithStore, ValidatesWithoutStore",
                () => "holds the validates to " + ThirtyDaySimulationTests.ValidatesWithStore.Min + "–" + ThirtyDaySimulationTests.ValidatesWithStore.Max
                    + " with the store and " + ThirtyDaySimulationTests.ValidatesWithoutStore.Min + "–" + ThirtyDaySimulationTests.ValidatesWithoutStore.Max
                    + " without"),
            new("docs/RUNNING-UNATTENDED.md", "heartbeats a day", "ThirtyDaySimulationTests.Interval, LicenseState.HeartbeatsPerCredit",
                () => "(" + (int)(TimeSpan.FromDays(1) / ThirtyDaySimulationTests.Interval) + " a day, one credit per "
                    + LicenseState.HeartbeatsPerCredit + ")"),

            // TELEGRAM-BOT.md
            new("docs/TELEGRAM-BOT.md", "heartbeat cost", "LicenseState.HeartbeatsPerCredit (as PROTOCOL.md)",
                () => "one credit per " + LicenseState.HeartbeatsPerCredit + " heartbeats"),

            // DEVSERVER.md
            new("docs/DEVSERVER.md", "--license defaults", "DevLicense's defaults",
                () => "a licence: " + new DevLicense("K").Credits + " credits, " + new DevLicense("K").MaxHwidSlots + " HWID slot"),
            new("docs/DEVSERVER.md", "huge body", "FaultResponder.HugeBodyBytes",
                () => "`endless` and `huge` (" + Size(FaultResponder.HugeBodyBytes) + ") bodies"),

            // HARDWARE-ID.md
            new("docs/HARDWARE-ID.md", "macOS tool limit", "ToolProbe.ToolTimeoutMilliseconds",
                () => "(`sysctl`, `ioreg`, " + Duration(TimeSpan.FromMilliseconds(HardwareFingerprint.ToolProbe.ToolTimeoutMilliseconds)) + " limit each)"),

            // FAULT-MATRIX.md (its tables are rendered by FaultMatrixDocumentTests; these are the prose's figures)
            new("docs/FAULT-MATRIX.md", "thread tolerance", "LeakCheck.ThreadTolerance",
                () => "threads stay within +" + LeakCheck.ThreadTolerance),
            new("docs/FAULT-MATRIX.md", "thread tolerance, in detail", "LeakCheck.ThreadTolerance",
                () => "the process has at most " + LeakCheck.ThreadTolerance + " more threads than before (and at most "
                    + LeakCheck.ThreadTolerance + " more after the whole matrix"),
            new("docs/FAULT-MATRIX.md", "rate-limit waits", "RetryPolicy.Default",
                () => "retried twice (after " + string.Join(", then ", RetryPolicy.Default.RateLimitDelays.Select(Duration)) + ", in production)"),
            new("docs/FAULT-MATRIX.md", "huge body", "FaultResponder.HugeBodyBytes",
                () => "an endless or " + Size(FaultResponder.HugeBodyBytes) + " body"),
            new("docs/FAULT-MATRIX.md", "envelope nesting", "TransportLimitTests.EnvelopeNesting",
                () => "an envelope nested " + Count(TransportLimitTests.EnvelopeNesting) + " levels deep"),
            new("docs/FAULT-MATRIX.md", "payload nesting", "TransportLimitTests.PayloadNesting",
                () => "a correctly signed payload nested " + Count(TransportLimitTests.PayloadNesting) + " levels deep"),
        };

        public static IEnumerable<object[]> Figures() => s_figures.Select(f => new object[] { f.Document, f.Name });

        [Theory]
        [MemberData(nameof(Figures))]
        public void TheDocumentQuotesTheFigureTheCodeHolds(string document, string name)
        {
            Figure figure = s_figures.Single(f => f.Document == document && f.Name == name);
            string quote = figure.Quote();
            Assert.True(Flat(RepositoryFiles.Read(document)).Contains(Flat(quote), StringComparison.Ordinal),
                document + " should say \"" + quote + "\" (from " + figure.Source + "). Change the document, or the code, so the two agree.");
        }

        [Fact]
        public void EveryFigureHasItsOwnName()
        {
            Assert.Equal(s_figures.Length, s_figures.Select(f => f.Document + ": " + f.Name).Distinct().Count());
        }

        [Fact]
        public void TheQuotesAreFoundWhereTheyAreAndNotWhereTheyAreNot()
        {
            // The matcher itself: a quote wrapped across lines is found; a changed figure is not.
            Assert.Contains(Flat("within 10 s of wall"), Flat("finishes within 10 s\n  of wall time"), StringComparison.Ordinal);
            Assert.DoesNotContain(Flat("within 10 s of wall"), Flat("finishes within 2 s\n  of wall time"), StringComparison.Ordinal);
            Assert.Equal("57,250", Count(57_250));
            Assert.Equal(("60 s", "15 min", "50 ms", "1 MiB", "64 KiB"),
                (Duration(TimeSpan.FromSeconds(60)), Duration(TimeSpan.FromMinutes(15)), Duration(TimeSpan.FromMilliseconds(50)), Size(1 << 20), Size(64 * 1024)));
        }

        public static IEnumerable<object[]> ListedConstants() => new[]
        {
            new object[] { nameof(AuthForgeErrorCodes), "docs/ERROR-CODES.md", "code" },
            new object[] { nameof(AuthForgeDiagnosticEvents), "docs/RUNNING-UNATTENDED.md", "event" },
        };

        /// <summary>
        /// Every error code and every diagnostics event the client has has a row in its document's table (the one
        /// whose first column is headed <paramref name="column"/>), and no row names one the client does not have.
        /// </summary>
        [Theory]
        [MemberData(nameof(ListedConstants))]
        public void EveryConstantHasARowInItsTable(string type, string document, string column)
        {
            string[] values = typeof(AuthForgeClient).Assembly.GetType("AuthForge." + type, throwOnError: true)!
                .GetFields(BindingFlags.Public | BindingFlags.Static)
                .Where(f => f.IsLiteral && f.FieldType == typeof(string))
                .Select(f => (string)f.GetRawConstantValue()!)
                .ToArray();
            Assert.NotEmpty(values);
            string[] lines = RepositoryFiles.Read(document).Split('\n');
            int header = Array.FindIndex(lines, l => Regex.IsMatch(l, @"^\|\s*" + column + @"\s*\|"));
            Assert.True(header >= 0, document + " has no table whose first column is \"" + column + "\"");
            string[] listed = lines.Skip(header + 2).TakeWhile(l => l.StartsWith('|'))
                .SelectMany(line => Regex.Matches(line.Split('|')[1], "`([^`]+)`").Select(m => m.Groups[1].Value))
                .ToArray();
            string[] missing = values.Except(listed).ToArray();
            string[] unknown = listed.Except(values).ToArray();
            Assert.True(missing.Length == 0 && unknown.Length == 0,
                document + ": no row for " + type + " " + string.Join(", ", missing) + "; rows for what " + type + " does not have: " + string.Join(", ", unknown));
        }

        /// <summary>The docs say what the code does, not which issue changed it: no "issue 16" in docs/.</summary>
        [Fact]
        public void TheDocsNameNoIssues()
        {
            string[] found = System.IO.Directory.GetFiles(RepositoryFiles.PathOf("docs"), "*.md")
                .SelectMany(path => Regex.Matches(RepositoryFiles.Read("docs/" + System.IO.Path.GetFileName(path)), @"(?i)\bissues? #?\d+")
                    .Select(m => System.IO.Path.GetFileName(path) + ": \"" + m.Value + "\""))
                .ToArray();
            Assert.True(found.Length == 0, "docs/ names issues (say what the code does instead): " + string.Join(", ", found));
        }

        /// <summary>
        /// TESTING.md's stage table lists what .ci/run runs, in its order: each row's script cell names the command of
        /// the stage at the same place in the script.
        /// </summary>
        [Fact]
        public void TheStageTableListsWhatCiRunsInItsOrder()
        {
            string[] stages = CiStages(RepositoryFiles.Read(".ci/run"));
            Assert.Contains("dotnet test", stages);

            string[] cells = StageTableScripts(RepositoryFiles.Read("docs/TESTING.md"));
            var report = new List<string>();
            for (int i = 0; i < Math.Max(stages.Length, cells.Length); i++)
            {
                string stage = i < stages.Length ? stages[i] : "(none)";
                string cell = i < cells.Length ? cells[i] : "(none)";
                if (!cell.Contains(stage, StringComparison.Ordinal)) report.Add("row " + (i + 1) + ": .ci/run runs `" + stage + "`, the table says `" + cell + "`");
            }
            Assert.True(report.Count == 0, "docs/TESTING.md's stage table is not what .ci/run runs:\n" + string.Join("\n", report));
        }

        [Fact]
        public void TheStageReaders_FindEachCommand()
        {
            string[] stages = CiStages("set -e\necho \"== x\"\ndotnet --version\nbash ../shared/tools/check-dropin.sh AuthForge.cs\n"
                + "dotnet test 2>&1 | tee \"$log\"\n# bash .ci/commented.sh\ntimeout 180 dotnet run --project Some.Demo </dev/null\nbash .ci/mono.sh\n");
            Assert.Equal(new[] { "../shared/tools/check-dropin.sh", "dotnet test", "dotnet run --project Some.Demo", ".ci/mono.sh" }, stages);

            string[] cells = StageTableScripts("## Beyond\n\n| stage | script | proves |\n|---|---|---|\n| a | [`.ci/wine.sh`](../.ci/wine.sh) | x |\n| b | `dotnet test` | y |\n\nafter\n");
            Assert.Equal(new[] { ".ci/wine.sh", "dotnet test" }, cells);
        }

        // What .ci/run runs, in order: the scripts it calls with bash, `dotnet test`, and `dotnet run --project X`.
        private static string[] CiStages(string script)
        {
            var stages = new List<string>();
            foreach (string raw in script.Split('\n'))
            {
                string line = raw.Trim();
                if (line.StartsWith('#') || line.StartsWith("echo", StringComparison.Ordinal)) continue;
                Match bash = Regex.Match(line, @"^bash\s+(\S+)");
                Match run = Regex.Match(line, @"\bdotnet run (--project \S+)");
                if (bash.Success) stages.Add(bash.Groups[1].Value);
                else if (Regex.IsMatch(line, @"\bdotnet test\b")) stages.Add("dotnet test");
                else if (run.Success) stages.Add("dotnet run " + run.Groups[1].Value);
            }
            return stages.ToArray();
        }

        // The script column of the first table whose header is "| stage | script | proves |", code marks and links removed.
        private static string[] StageTableScripts(string markdown)
        {
            string[] lines = markdown.Split('\n');
            int header = Array.FindIndex(lines, l => Regex.IsMatch(l, @"^\|\s*stage\s*\|\s*script\s*\|"));
            Assert.True(header >= 0, "docs/TESTING.md has no table with the columns | stage | script | proves |");
            return lines.Skip(header + 2).TakeWhile(l => l.StartsWith('|'))
                .Select(l => l.Split('|')[2])
                .Select(cell => Regex.Replace(cell, @"\[([^\]]*)\]\([^)]*\)", "$1").Replace("`", "").Trim())
                .ToArray();
        }

        // A shell script's default for a variable set as name="${SOURCE:-default}" (SOURCE a variable or a positional).
        private static string ShellDefault(string script, string variable, string source)
        {
            Match match = Regex.Match(RepositoryFiles.Read(script), "(?m)^" + Regex.Escape(variable) + "=\"\\$\\{" + Regex.Escape(source) + ":-([^}]*)\\}\"");
            Assert.True(match.Success, script + " no longer sets " + variable + " from ${" + source + ":-...}");
            return match.Groups[1].Value;
        }

        // The cases of Wycheproof's Ed25519 file, every group's tests (the unit tier runs each of them).
        private static int WycheproofCases()
        {
            using System.Text.Json.JsonDocument file = Ed25519TestData.Load("wycheproof-ed25519.json");
            return file.RootElement.GetProperty("testGroups").EnumerateArray().Sum(group => group.GetProperty("tests").GetArrayLength());
        }

        private static string Flat(string text) => Regex.Replace(text, @"\s+", " ");
    }
}
