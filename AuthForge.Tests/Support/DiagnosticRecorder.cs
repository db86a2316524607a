using System;
using System.Collections.Generic;
using System.Linq;
using System.Threading.Tasks;

namespace AuthForge.Tests.Support
{
    /// <summary>Collects a client's diagnostics (<see cref="AuthForgeClientOptions.OnDiagnostic"/>) and lets a test await one.</summary>
    internal sealed class DiagnosticRecorder
    {
        private readonly object _lock = new object();
        private readonly List<AuthForgeDiagnostic> _all = new List<AuthForgeDiagnostic>();
        private readonly List<(string Event, TaskCompletionSource<AuthForgeDiagnostic> Seen)> _waiters = new();

        public Action<AuthForgeDiagnostic> Callback => Record;

        public IReadOnlyList<AuthForgeDiagnostic> All
        {
            get { lock (_lock) return _all.ToArray(); }
        }

        /// <summary>The events named, in the order they came, each with its code.</summary>
        public IReadOnlyList<(string Event, string? Code)> Of(params string[] events)
        {
            lock (_lock) return _all.Where(d => events.Contains(d.Event)).Select(d => (d.Event, d.Code)).ToArray();
        }

        /// <summary>The first diagnostic named <paramref name="eventName"/>, recorded already or awaited up to <paramref name="timeout"/>.</summary>
        public Task<AuthForgeDiagnostic> WaitForAsync(string eventName, TimeSpan timeout)
        {
            var seen = new TaskCompletionSource<AuthForgeDiagnostic>(TaskCreationOptions.RunContinuationsAsynchronously);
            lock (_lock)
            {
                AuthForgeDiagnostic? earlier = _all.FirstOrDefault(d => d.Event == eventName);
                if (earlier != null) return Task.FromResult(earlier);
                _waiters.Add((eventName, seen));
            }
            return seen.Task.WaitAsync(timeout);
        }

        private void Record(AuthForgeDiagnostic diagnostic)
        {
            List<TaskCompletionSource<AuthForgeDiagnostic>> reached = new();
            lock (_lock)
            {
                _all.Add(diagnostic);
                for (int i = _waiters.Count - 1; i >= 0; i--)
                {
                    if (_waiters[i].Event != diagnostic.Event) continue;
                    reached.Add(_waiters[i].Seen);
                    _waiters.RemoveAt(i);
                }
            }
            foreach (TaskCompletionSource<AuthForgeDiagnostic> waiter in reached) waiter.TrySetResult(diagnostic);
        }
    }
}
