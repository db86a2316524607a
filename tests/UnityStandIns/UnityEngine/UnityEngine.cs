using System;
using System.Collections.Generic;
using System.Threading;

namespace UnityEngine
{
    /// <summary>Unity's exception for a main-thread-only member called from another thread.</summary>
    public class UnityException : SystemException
    {
        public UnityException(string message) : base(message)
        {
        }
    }

    /// <summary>The stand-in of Unity's <c>Debug</c>: <c>LogError</c> may be called from any thread, as in Unity.</summary>
    public static class Debug
    {
        public static void LogError(object message) => UnityCalls.Record("Debug.LogError", message?.ToString());
    }

    /// <summary>The stand-in of Unity's <c>Application</c>: <c>Quit</c> belongs to the main thread.</summary>
    public static class Application
    {
        public static void Quit(int exitCode)
        {
            UnityCalls.RequireMainThread("Quit");
            UnityCalls.Record("Application.Quit", exitCode.ToString(System.Globalization.CultureInfo.InvariantCulture));
        }
    }

    /// <summary>One recorded call: the member, its argument as text, and the managed thread it came from.</summary>
    public sealed class UnityCall
    {
        public UnityCall(string member, string? argument, int threadId)
        {
            Member = member;
            Argument = argument;
            ThreadId = threadId;
        }

        public string Member { get; }
        public string? Argument { get; }
        public int ThreadId { get; }

        public override string ToString() => Member + "(" + Argument + ") on thread " + ThreadId;
    }

    /// <summary>The record of every call the stand-ins received (not part of Unity). Tests set <see cref="MainThreadId"/>.</summary>
    public static class UnityCalls
    {
        private static readonly object Gate = new object();
        private static readonly List<UnityCall> Calls = new List<UnityCall>();
        private static readonly SemaphoreSlim Arrived = new SemaphoreSlim(0);

        /// <summary>The thread main-thread-only members accept; null accepts any (no main thread configured).</summary>
        public static int? MainThreadId { get; set; }

        public static IReadOnlyList<UnityCall> All
        {
            get { lock (Gate) return Calls.ToArray(); }
        }

        public static void Reset()
        {
            lock (Gate) Calls.Clear();
            while (Arrived.CurrentCount > 0) Arrived.Wait(0);
            MainThreadId = null;
        }

        /// <summary>Waits until a call to <paramref name="member"/> has been recorded, up to <paramref name="limit"/>.</summary>
        public static UnityCall? WaitFor(string member, TimeSpan limit)
        {
            DateTime end = DateTime.UtcNow + limit;
            while (true)
            {
                lock (Gate)
                {
                    foreach (UnityCall call in Calls)
                        if (call.Member == member) return call;
                }
                TimeSpan left = end - DateTime.UtcNow;
                if (left <= TimeSpan.Zero || !Arrived.Wait(left)) return null;
            }
        }

        public static void Record(string member, string? argument)
        {
            lock (Gate) Calls.Add(new UnityCall(member, argument, Environment.CurrentManagedThreadId));
            Arrived.Release();
        }

        public static void RequireMainThread(string member)
        {
            int? main = MainThreadId;
            if (main != null && main.Value != Environment.CurrentManagedThreadId)
            {
                Record("refused:" + member, null);
                throw new UnityException(member + " can only be called from the main thread.");
            }
        }
    }
}
