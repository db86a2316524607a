using System;
using System.Collections;
using System.Collections.Generic;
using System.IO;
using System.Linq;
using Xunit;

namespace AuthForge.Tests.Hygiene
{
    /// <summary>
    /// Everything a failure path shows to people or logs — exception texts and codes, results, ToString() of the
    /// public types, and the console — collected while a test runs, then searched for the app secret and the licence
    /// key. Redirects the process's console: use only in the non-parallel collection.
    /// </summary>
    internal sealed class SecretExposure : IDisposable
    {
        /// <summary>Distinctive, so that a hit is a leak and not a coincidence.</summary>
        public const string Secret = "SECRET-7f3a9c1e5b2d4f60a8e7";

        public const string LicenseKey = "KEY-91c2d4e6f8a0b1c3";

        // Also searched for on their own: a leak that lost the prefix, or was cut, is still a leak.
        private static readonly string[] s_needles = { Secret, LicenseKey, "7f3a9c1e5b2d4f60a8e7", "91c2d4e6f8a0b1c3" };

        private readonly List<(string Where, string Text)> _seen = new List<(string, string)>();
        private readonly TextWriter _originalOut = Console.Out;
        private readonly TextWriter _originalError = Console.Error;
        private readonly StringWriter _out = new StringWriter();
        private readonly StringWriter _error = new StringWriter();
        private int _exceptions;

        public SecretExposure()
        {
            Console.SetOut(TextWriter.Synchronized(_out));
            Console.SetError(TextWriter.Synchronized(_error));
        }

        /// <summary>Failures looked at so far: a test asserts a floor, so a path that stopped failing is noticed.</summary>
        public int ExceptionCount => _exceptions;

        public void Add(string where, string? text)
        {
            if (text != null) _seen.Add((where, text));
        }

        public void Add(string where, Exception? exception)
        {
            if (exception is null) return;
            _exceptions++;
            // ToString() covers the type, message and stack of the whole inner chain; messages and data are added
            // separately because a custom ToString() could leave them out.
            Add(where + " ToString()", exception.ToString());
            for (Exception? e = exception; e != null; e = e.InnerException)
            {
                Add(where + " Message (" + e.GetType().Name + ")", e.Message);
                foreach (DictionaryEntry entry in e.Data) Add(where + " Data", entry.Key + "=" + entry.Value);
                if (e is ArgumentException argument) Add(where + " ParamName", argument.ParamName);
            }
            if (exception is AuthForgeException forge) Add(where + " Code", forge.Code);
        }

        public void Add(string where, AuthForgeValidationResult result)
        {
            Add(where + " result ToString()", result.ToString());
            Add(where + " result Code", result.Code);
            Add(where + " result Message", result.Message);
            Add(where + " result", result.Exception);
        }

        public void Add(string where, AuthForgeClient client, AuthForgeClientOptions options)
        {
            Add(where + " client ToString()", client.ToString());
            Add(where + " options ToString()", options.ToString());
        }

        /// <summary>Restores the console, then asserts no collected text and no console output holds a secret.</summary>
        public void AssertClean()
        {
            Dispose();
            Add("Console.Out", _out.ToString());
            Add("Console.Error", _error.ToString());
            string[] leaks = _seen
                .Where(s => s_needles.Any(n => s.Text.Contains(n, StringComparison.OrdinalIgnoreCase)))
                .Select(s => s.Where + ": " + s.Text)
                .ToArray();
            Assert.True(leaks.Length == 0, "The app secret or licence key was exposed:\n" + string.Join("\n", leaks));
        }

        public void Dispose()
        {
            Console.SetOut(_originalOut);
            Console.SetError(_originalError);
        }
    }
}
