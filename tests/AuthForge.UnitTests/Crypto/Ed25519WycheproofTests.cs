using System.Collections.Generic;
using System.Text.Json;
using Xunit;

namespace AuthForge.Tests.Crypto
{
    /// <summary>Every case of Wycheproof's Ed25519 verification file, with its exact expected result.</summary>
    public sealed class Ed25519WycheproofTests
    {
        private sealed record Case(int Id, string Comment, byte[] PublicKey, byte[] Message, byte[] Signature, bool Valid);

        private static readonly Dictionary<int, Case> Cases = LoadCases();

        private static Dictionary<int, Case> LoadCases()
        {
            var cases = new Dictionary<int, Case>();
            using JsonDocument doc = Ed25519TestData.Load("wycheproof-ed25519.json");
            foreach (JsonElement group in doc.RootElement.GetProperty("testGroups").EnumerateArray())
            {
                byte[] pk = Ed25519TestData.Hex(group.GetProperty("publicKey").GetProperty("pk").GetString()!);
                foreach (JsonElement t in group.GetProperty("tests").EnumerateArray())
                {
                    string result = t.GetProperty("result").GetString()!;
                    Assert.True(result is "valid" or "invalid", result);   // no "acceptable" cases in this file
                    var c = new Case(t.GetProperty("tcId").GetInt32(), t.GetProperty("comment").GetString()!, pk,
                        Ed25519TestData.Hex(t.GetProperty("msg").GetString()!),
                        Ed25519TestData.Hex(t.GetProperty("sig").GetString()!), result == "valid");
                    cases.Add(c.Id, c);
                }
            }
            return cases;
        }

        public static IEnumerable<object[]> CaseIds()
        {
            foreach (int id in Cases.Keys) yield return new object[] { id };
        }

        [Fact]
        public void File_has_all_151_cases()
        {
            Assert.Equal(151, Cases.Count);
        }

        [Theory]
        [MemberData(nameof(CaseIds))]
        public void Verify_gives_the_expected_result(int tcId)
        {
            Case c = Cases[tcId];
            Assert.True(c.Valid == Ed25519OneShot.Verify(c.PublicKey, c.Message, c.Signature), $"tcId {tcId}: {c.Comment}");
            bool cached = Ed25519PublicKey.TryCreate(c.PublicKey, out Ed25519PublicKey? key) && key!.Verify(c.Message, c.Signature);
            Assert.Equal(c.Valid, cached);
        }
    }
}
