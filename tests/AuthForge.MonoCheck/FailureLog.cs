using System;
using System.Collections.Generic;

namespace AuthForge.MonoCheck
{
    /// <summary>Collects what a client's onFailure callback was told, for checks to wait on.</summary>
    internal sealed class FailureLog
    {
        private readonly object _gate = new object();
        private readonly List<string> _entries = new List<string>();
        private readonly List<string> _messages = new List<string>();

        /// <summary>The callback to give the client: records "reason / code".</summary>
        public void Record(string reason, Exception exception)
        {
            string code = exception is AuthForgeException e ? e.Code : "(no AuthForgeException)";
            lock (_gate)
            {
                _entries.Add(reason + " / " + code);
                _messages.Add(exception?.Message ?? "");
            }
        }

        public int Count
        {
            get
            {
                lock (_gate)
                {
                    return _entries.Count;
                }
            }
        }

        /// <summary>The exceptions' messages, in order, one per line.</summary>
        public string Messages
        {
            get
            {
                lock (_gate)
                {
                    return string.Join("\n", _messages);
                }
            }
        }

        public override string ToString()
        {
            lock (_gate)
            {
                return _entries.Count == 0 ? "(no failure reported)" : string.Join("; ", _entries);
            }
        }

        /// <summary>True when exactly one failure was reported and it was this one.</summary>
        public bool IsOnly(string reason, string code)
        {
            lock (_gate)
            {
                return _entries.Count == 1 && _entries[0] == reason + " / " + code;
            }
        }
    }
}
