using System;
using System.IO;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json.Nodes;
using AuthForge.DevServer;
using AuthForge.Tests.Support;

namespace AuthForge.Tests.Unattended
{
    /// <summary>
    /// A stored session file taken apart and put back together, as a licensee who controls the disk can: every input of
    /// the seal (app id, app secret, licence key, hardware id, public keys) ships with the app, so a test, like a
    /// cracker, can re-seal whatever it edits. Only the server's signatures inside it cannot be redone.
    /// </summary>
    internal sealed class StoreRecord
    {
        private StoreRecord(JsonObject record) => Record = record;

        /// <summary>The sealed record: <c>protocol</c>, <c>origin</c> and <c>latest</c> answers, <c>highWater</c>.</summary>
        public JsonObject Record { get; }

        public JsonObject Origin => Record["origin"]!.AsObject();

        /// <summary>The newest answer (a heartbeat's), or the origin when the session has had none since.</summary>
        public JsonObject Newest => Record["latest"] is JsonObject latest ? latest : Origin;

        public static StoreRecord Read(string path)
        {
            JsonObject outer = JsonNode.Parse(File.ReadAllText(path))!.AsObject();
            return new StoreRecord(JsonNode.Parse(outer["record"]!.GetValue<string>())!.AsObject());
        }

        /// <summary>Writes the record sealed as the client seals it for this app, licence and machine.</summary>
        public void WriteSealed(string path, DevServerHost server, string licenseKey, string hwid)
        {
            byte[] key = StoredSession.DeriveKey(server.AppId, server.AppSecret, licenseKey, hwid, server.PublicKeyBase64);
            string text = Record.ToJsonString();
            var outer = new JsonObject
            {
                ["format"] = StoredSession.Format,
                ["identity"] = StoredSession.Identity(key),
                ["record"] = text,
                ["mac"] = Convert.ToHexStringLower(HMACSHA256.HashData(key, Encoding.UTF8.GetBytes(text))),
            };
            File.WriteAllText(path, outer.ToJsonString());
        }

        /// <summary>An answer's signed payload, decoded.</summary>
        public static JsonObject Payload(JsonObject answer) =>
            JsonNode.Parse(Convert.FromBase64String(answer["payload"]!.GetValue<string>()))!.AsObject();

        /// <summary>Replaces an answer's payload and signs it again with the server's own Ed25519 key (which only a test
        /// that chose the server's seed holds).</summary>
        public static void Resign(JsonObject answer, JsonObject payload, Ed25519Signer signer)
        {
            string text = Answer.PayloadText(payload);
            answer["payload"] = text;
            answer["signature"] = Convert.ToBase64String(signer.Sign(Encoding.ASCII.GetBytes(text)));
        }
    }
}
