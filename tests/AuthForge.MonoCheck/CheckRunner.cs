using System;
using System.Collections.Generic;
using System.Diagnostics;

namespace AuthForge.MonoCheck
{
    /// <summary>Runs named checks, one line each: PASS or FAIL with the elapsed time and what was wrong.</summary>
    internal sealed class CheckRunner
    {
        private readonly HashSet<string> _only;
        private readonly List<string> _failed = new List<string>();
        private int _passed;

        public CheckRunner(HashSet<string> only)
        {
            _only = only;
        }

        public void Run(string name, Action check)
        {
            if (_only != null && !_only.Contains(name))
            {
                return;
            }

            Stopwatch watch = Stopwatch.StartNew();
            try
            {
                check();
                _passed++;
                Console.WriteLine("monocheck: PASS " + name + " (" + watch.ElapsedMilliseconds + " ms)");
            }
            catch (Exception e)
            {
                _failed.Add(name);
                string why = e is CheckFailedException ? e.Message : e.GetType().Name + ": " + e.Message;
                Console.WriteLine("monocheck: FAIL " + name + " (" + watch.ElapsedMilliseconds + " ms): " + why);
            }
        }

        /// <summary>Prints the summary; true when nothing failed and something ran.</summary>
        public bool Finish()
        {
            Console.WriteLine("monocheck: " + _passed + " passed, " + _failed.Count + " failed" +
                              (_failed.Count > 0 ? ": " + string.Join(", ", _failed) : ""));
            return _failed.Count == 0 && _passed > 0;
        }

        public static void Expect(bool condition, string what)
        {
            if (!condition)
            {
                throw new CheckFailedException(what);
            }
        }
    }

    /// <summary>A check's expectation did not hold.</summary>
    internal sealed class CheckFailedException : Exception
    {
        public CheckFailedException(string message)
            : base(message)
        {
        }
    }
}
