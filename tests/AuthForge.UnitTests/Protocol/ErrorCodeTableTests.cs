using System;
using System.IO;
using System.Linq;
using System.Reflection;
using System.Text.RegularExpressions;
using AuthForge.Tests.Support;
using Xunit;

namespace AuthForge.Tests.Protocol
{
    /// <summary>
    /// The error codes live in one table (<see cref="ErrorCodeTable"/>): every public code has a row, so none falls
    /// through to a verdict by being forgotten, and the table says what docs/ERROR-CODES.md says about each.
    /// </summary>
    public sealed class ErrorCodeTableTests
    {
        private static string[] PublicCodes() => typeof(AuthForgeErrorCodes)
            .GetFields(BindingFlags.Public | BindingFlags.Static)
            .Where(f => f.IsLiteral && f.FieldType == typeof(string))
            .Select(f => (string)f.GetRawConstantValue()!)
            .ToArray();

        [Fact]
        public void EveryPublicCodeHasARow()
        {
            string[] codes = PublicCodes();
            Assert.True(codes.Length >= 30, "the reflection found the constants");
            Assert.Equal(Array.Empty<string>(), codes.Where(code => ErrorCodeTable.Find(code) is null).ToArray());
            Assert.Equal(codes.Length, codes.Distinct(StringComparer.Ordinal).Count());
        }

        [Fact]
        public void ACodeWithoutARowIsAVerdictAndNotTheServers()
        {
            Assert.Null(ErrorCodeTable.Find("code_nobody_defined"));
            Assert.False(ErrorCodeTable.IsNoAnswer("code_nobody_defined", 503));
            Assert.False(AuthForgeErrorCodes.IsServerCode("code_nobody_defined"));
        }

        [Fact]
        public void NoAnswerCodesAreTheOnesErrorCodesMdLists()
        {
            // ERROR-CODES.md's "No answer" bullet names every code that is no answer; unknown_error only "at 5xx".
            string doc = RepositoryFiles.Read("docs/ERROR-CODES.md");
            Match bullet = Regex.Match(doc, @"- \*\*No answer\*\* is everything else:(.*?)(?:\n\n|\n\|)", RegexOptions.Singleline);
            Assert.True(bullet.Success, "ERROR-CODES.md has its No answer bullet");
            string text = bullet.Groups[1].Value;
            string[] listed = Regex.Matches(text, "`([a-z_]+)`").Cast<Match>().Select(m => m.Groups[1].Value)
                .Where(c => PublicCodes().Contains(c)).Distinct().OrderBy(c => c, StringComparer.Ordinal).ToArray();

            string[] noAnswerAt200 = PublicCodes().Where(c => ErrorCodeTable.IsNoAnswer(c, 200)).OrderBy(c => c, StringComparer.Ordinal).ToArray();
            string[] noAnswerAt500 = PublicCodes().Where(c => ErrorCodeTable.IsNoAnswer(c, 500)).OrderBy(c => c, StringComparer.Ordinal).ToArray();
            Assert.Equal(listed, noAnswerAt500);
            Assert.Equal(new[] { AuthForgeErrorCodes.UnknownError }, noAnswerAt500.Except(noAnswerAt200).ToArray());
            Assert.Contains("`unknown_error` at 5xx", text);
        }

        [Fact]
        public void ServerCodesAreTheOnesWithASentence()
        {
            foreach (string code in PublicCodes())
            {
                ErrorCodeTable.Row row = ErrorCodeTable.Find(code)!;
                Assert.Equal(row.ServerSentence != null, AuthForgeErrorCodes.IsServerCode(code));
                Assert.Equal(row.ServerSentence ?? "The server answered with an unknown error.", ErrorCodeTable.DescribeServerCode(code));
            }
            Assert.False(AuthForgeErrorCodes.IsServerCode(AuthForgeErrorCodes.UnknownError));
            Assert.True(AuthForgeErrorCodes.IsServerCode(AuthForgeErrorCodes.AppBurnCapReached));
        }
    }
}
