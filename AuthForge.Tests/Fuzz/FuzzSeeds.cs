using System;
using System.Collections.Generic;
using System.Linq;
using System.Text;
using System.Text.Json;
using AuthForge.Tests.Support;

namespace AuthForge.Tests.Fuzz
{
    /// <summary>One valid response the mutators start from: HTTP 200, its body, and the request it answers.</summary>
    internal sealed class FuzzSeed
    {
        public FuzzSeed(string name, string nonce, string payloadText, string signatureText, FuzzVerifier verifier,
            GenuineSignature genuine, FuzzSigner? signer, IReadOnlyList<FuzzSigner> wrongSigners, string? keyIdField = null)
        {
            Name = name;
            Nonce = nonce;
            PayloadText = payloadText;
            SignatureText = signatureText;
            Verifier = verifier;
            Genuine = genuine;
            Signer = signer;
            WrongSigners = wrongSigners;
            KeyIdField = keyIdField;
            PayloadJson = Encoding.UTF8.GetString(FuzzBase64.DecodeLenient(payloadText)!);
            Style = payloadText.EndsWith('=') ? Base64Style.Standard
                : payloadText.IndexOfAny(new[] { '-', '_' }) >= 0 ? Base64Style.UrlSafeUnpadded : Base64Style.Standard;
            Body = Encoding.UTF8.GetBytes(FuzzJson.Object(EnvelopeMembers()));
        }

        public string Name { get; }
        public string Nonce { get; }
        public string LicenseKey => FuzzSeedSet.LicenseKey;

        /// <summary>The base64 text exactly as the server sent it (what the signature covers).</summary>
        public string PayloadText { get; }

        /// <summary>The decoded payload JSON.</summary>
        public string PayloadJson { get; }

        public string SignatureText { get; }
        public Base64Style Style { get; }
        public FuzzVerifier Verifier { get; }
        public SignatureKind Kind => Verifier.Kind;
        public GenuineSignature Genuine { get; }

        /// <summary>A key the client trusts, to re-sign mutated payloads; null when only the public key is known (vectors).</summary>
        public FuzzSigner? Signer { get; }

        /// <summary>Keys the client must not trust: another secret, the other HMAC generation's key, another key pair.</summary>
        public IReadOnlyList<FuzzSigner> WrongSigners { get; }

        /// <summary>The envelope's optional <c>keyId</c> (v3), or null.</summary>
        public string? KeyIdField { get; }

        public byte[] Body { get; }

        public List<JsonMember> EnvelopeMembers()
        {
            var members = new List<JsonMember>
            {
                new JsonMember("\"status\"", "\"ok\""),
                new JsonMember("\"payload\"", FuzzJson.Quote(PayloadText)),
                new JsonMember("\"signature\"", FuzzJson.Quote(SignatureText)),
            };
            if (KeyIdField != null) members.Add(new JsonMember("\"keyId\"", FuzzJson.Quote(KeyIdField)));
            return members;
        }

        public override string ToString() => Name;
    }

    /// <summary>
    /// The seeds (v1, v2 and v3 responses: the shared vectors plus responses signed here with payload variants), the
    /// keys behind them, and the registry of every genuine (payload, signature) pair, which is what decides whether
    /// an accepted input was a forgery.
    /// </summary>
    internal sealed class FuzzSeedSet
    {
        public const string LicenseKey = "FUZZ-AAAA-BBBB-CCCC";
        public const string Hwid = "3f1d0c6b9a8e7d6c5b4a39281706f5e4d3c2b1a09f8e7d6c5b4a392817060504";
        private const string AppSecret = "af_test_secret_2026_reference";
        private const string SigKey = "af_test_sig_key_2026_reference_0123456789abcdef";
        private const string OwnSigKey = "sk_fuzz_5f1c2d3e4a5b6c7d8e9f0a1b2c3d4e5f";

        private static readonly Lazy<FuzzSeedSet> s_instance = new Lazy<FuzzSeedSet>(() => new FuzzSeedSet());

        private readonly Dictionary<string, List<GenuineSignature>> _genuine = new Dictionary<string, List<GenuineSignature>>(StringComparer.Ordinal);

        public static FuzzSeedSet Instance => s_instance.Value;

        public IReadOnlyList<FuzzSeed> Seeds { get; }
        public IReadOnlyList<FuzzVerifier> Verifiers { get; }

        /// <summary>The nonces of every seed's request and a few near misses: "nonces of other requests".</summary>
        public IReadOnlyList<string> Nonces { get; }

        private FuzzSeedSet()
        {
            var appSecret = new HmacFuzzSigner(AppSecret);
            var sigKey = new HmacFuzzSigner(SigKey);
            var ownSigKey = new HmacFuzzSigner(OwnSigKey);
            var wrongSecret = new HmacFuzzSigner("af_wrong_secret");
            var current = Ed25519FuzzSigner.FromLabel("authforge-fuzz-current");
            var retired = Ed25519FuzzSigner.FromLabel("authforge-fuzz-retired");
            var attacker = Ed25519FuzzSigner.FromLabel("authforge-fuzz-attacker");

            FuzzVerifier v1 = FuzzVerifier.Hmac("hmac(appSecret)", AppSecret);
            FuzzVerifier v2Heartbeat = FuzzVerifier.Hmac("hmac(sigKey)", SigKey);
            FuzzVerifier v2OwnHeartbeat = FuzzVerifier.Hmac("hmac(ownSigKey)", OwnSigKey);
            JsonElement vector = TestFiles.ReadJson("ed25519-authforge.json");
            string vectorKey = vector.GetProperty("publicKey").GetString()!;
            FuzzVerifier v3Vector = FuzzVerifier.Ed25519("ed25519(vector)", vectorKey);
            // A rotating client trusts the retired key too; one shared instance also exercises its last-match cache
            // from several threads at once.
            FuzzVerifier v3Rotation = FuzzVerifier.Ed25519("ed25519(retired,current)", retired.PublicKeyBase64, current.PublicKeyBase64);
            FuzzVerifier v3Single = FuzzVerifier.Ed25519("ed25519(current)", current.PublicKeyBase64);

            FuzzSigner[] wrongForAppSecret = { wrongSecret, sigKey, attacker };
            FuzzSigner[] wrongForSigKey = { wrongSecret, appSecret, attacker };
            FuzzSigner[] wrongForEd25519 = { attacker, appSecret };

            var seeds = new List<FuzzSeed>();

            // v1: the seed SDK's vector, then responses of our own with variables, an opaque token, url-safe text.
            JsonElement v1Vector = TestFiles.ReadJson("test_vectors.json").GetProperty("inputs");
            seeds.Add(FromVector("v1-vector-validate", v1Vector, v1, appSecret, wrongForAppSecret));
            seeds.Add(Signed("v1-validate-variables", "a1b2c3d4e5f60718293a4b5c6d7e8f90", v1, appSecret, wrongForAppSecret,
                ValidatePayload("a1b2c3d4e5f60718293a4b5c6d7e8f90", TokenOf(TokenBody(null)), variables: true, isoTimestamp: false),
                Base64Style.Standard));
            seeds.Add(Signed("v1-validate-opaque-urlsafe", "0f1e2d3c4b5a69788796a5b4c3d2e1f0", v1, appSecret, wrongForAppSecret,
                UrlSafePadded(filler => ValidatePayload("0f1e2d3c4b5a69788796a5b4c3d2e1f0", "opaque-session-token-0001", variables: false,
                    isoTimestamp: false, extra: ",\"motd\":\"\u00ff\u00fe??>>" + filler + "\"")),
                Base64Style.UrlSafeUnpadded));

            // v2: the shared vectors (validate under the app secret, heartbeat under the token's sigKey), then our own
            // heartbeat whose token body carries a sigKey.
            JsonElement v2Vectors = TestFiles.ReadJson("hmac-v2.json");
            seeds.Add(FromVector("v2-vector-validate", v2Vectors.GetProperty("validate").GetProperty("inputs"), v1, appSecret, wrongForAppSecret));
            seeds.Add(FromVector("v2-vector-heartbeat", v2Vectors.GetProperty("heartbeat").GetProperty("inputs"), v2Heartbeat, sigKey, wrongForSigKey));
            seeds.Add(Signed("v2-heartbeat-sigkey", "5a5b5c5d5e5f60616263646566676869", v2OwnHeartbeat, ownSigKey,
                new FuzzSigner[] { wrongSecret, appSecret, attacker },
                ValidatePayload("5a5b5c5d5e5f60616263646566676869", TokenOf(TokenBody(OwnSigKey)), variables: true, isoTimestamp: false),
                Base64Style.Standard));

            // v3: the two vector responses we only hold the public key for, then our own under a rotating verifier
            // (one signed by the current key, one by the retired key) and a single-key one.
            foreach (JsonElement testCase in vector.GetProperty("cases").EnumerateArray())
            {
                string id = testCase.GetProperty("id").GetString()!;
                if (!testCase.GetProperty("shouldVerify").GetBoolean()) continue;
                string nonce = id.StartsWith("validate", StringComparison.Ordinal) ? "nonce-validate-001" : "nonce-heartbeat-001";
                string payload = testCase.GetProperty("payload").GetString()!;
                string signature = testCase.GetProperty("signature").GetString()!;
                var genuine = new GenuineSignature(Ed25519FuzzSigner.KeyIdOf(vectorKey), null, payload, Convert.FromBase64String(signature), isSeed: true);
                seeds.Add(new FuzzSeed("v3-vector-" + id, nonce, payload, signature, v3Vector, genuine, null, wrongForEd25519));
            }
            seeds.Add(Signed("v3-validate-rotation", "nonce-v3-validate-0001", v3Rotation, current, wrongForEd25519,
                ValidatePayload("nonce-v3-validate-0001", TokenOf(TokenBody(null)), variables: true, isoTimestamp: true),
                Base64Style.Standard, keyIdField: "k-2026-04"));
            seeds.Add(Signed("v3-heartbeat-retired-key-urlsafe", "nonce-v3-heartbeat-0002", v3Rotation, retired, wrongForEd25519,
                UrlSafePadded(filler => ValidatePayload("nonce-v3-heartbeat-0002", "session.heartbeat.token", variables: false,
                    isoTimestamp: true, extra: ",\"heartbeatRef\":\"hb-" + filler + "?>~\"")),
                Base64Style.UrlSafeUnpadded));
            seeds.Add(Signed("v3-validate-single-key", "nonce-v3-validate-0003", v3Single, current, wrongForEd25519,
                ValidatePayload("nonce-v3-validate-0003", TokenOf(TokenBody(null)), variables: false, isoTimestamp: true),
                Base64Style.Standard));

            Seeds = seeds;
            Verifiers = seeds.Select(s => s.Verifier).Distinct().ToList();
            var nonces = seeds.Select(s => s.Nonce).Distinct().ToList();
            nonces.AddRange(new[] { "", "0123456789ABCDEFFEDCBA9876543210", "0123456789abcdeffedcba987654321", "nonce-validate-001 " });
            Nonces = nonces;
            foreach (FuzzSeed seed in seeds) Register(seed.Genuine);
        }

        /// <summary>The genuine pair the accepted text and signature match for this client and request, if any.</summary>
        public GenuineSignature? FindGenuine(string payloadText, byte[] signature, string nonce, FuzzVerifier verifier)
        {
            if (!_genuine.TryGetValue(payloadText, out List<GenuineSignature>? candidates)) return null;
            return candidates.FirstOrDefault(g => g.Covers(payloadText, signature, nonce, verifier));
        }

        private void Register(GenuineSignature genuine)
        {
            if (!_genuine.TryGetValue(genuine.PayloadText, out List<GenuineSignature>? list))
                _genuine[genuine.PayloadText] = list = new List<GenuineSignature>();
            list.Add(genuine);
        }

        private static FuzzSeed FromVector(string name, JsonElement inputs, FuzzVerifier verifier, FuzzSigner signer, FuzzSigner[] wrong)
        {
            string nonce = inputs.GetProperty("nonce").GetString()!;
            string payload = inputs.GetProperty("payload").GetString()!;
            GenuineSignature genuine = signer.Genuine(payload, nonce, isSeed: true);
            return new FuzzSeed(name, nonce, payload, signer.Encode(genuine.Signature), verifier, genuine, signer, wrong);
        }

        private static FuzzSeed Signed(string name, string nonce, FuzzVerifier verifier, FuzzSigner signer, FuzzSigner[] wrong,
            string payloadJson, Base64Style style, string? keyIdField = null)
        {
            string payload = FuzzBase64.Encode(Encoding.UTF8.GetBytes(payloadJson), style);
            GenuineSignature genuine = signer.Genuine(payload, nonce, isSeed: true);
            return new FuzzSeed(name, nonce, payload, signer.Encode(genuine.Signature), verifier, genuine, signer, wrong, keyIdField);
        }

        // A url-safe unpadded seed only tests something when its text has '-' or '_' and its length needs padding.
        // In ASCII only '?', '>', '~' and DEL make them, and only at some offsets: the filler moves those offsets.
        private static string UrlSafePadded(Func<string, string> payloadWithFiller)
        {
            for (string filler = ""; filler.Length < 64; filler += "x")
            {
                string json = payloadWithFiller(filler);
                string standard = Convert.ToBase64String(Encoding.UTF8.GetBytes(json));
                if (standard.EndsWith('=') && standard.IndexOfAny(new[] { '+', '/' }) >= 0) return json;
            }
            throw new InvalidOperationException("no filler gives a url-safe, padded payload text");
        }

        private static string TokenBody(string? sigKey) =>
            "{\"appId\":\"fuzz-app\",\"licenseKey\":\"" + LicenseKey + "\",\"hwid\":\"3f1d0c6b9a8e7d6c5b4a39281706f5e4d3c2b1a09f8e7d6c5b4a392817060504\"" +
            (sigKey is null ? "" : ",\"sigKey\":\"" + sigKey + "\"") + ",\"expiresIn\":1900000000}";

        public static string TokenOf(string bodyJson) => FuzzBase64.Encode(Encoding.UTF8.GetBytes(bodyJson), Base64Style.UrlSafeUnpadded) + ".c2VydmVyLW1hYw";

        private static string ValidatePayload(string nonce, string token, bool variables, bool isoTimestamp, string extra = "")
        {
            string timestamp = isoTimestamp ? "\"2026-04-20T00:00:00.000Z\"" : "1800000000";
            string vars = variables
                ? ",\"appVariables\":{\"tier\":\"pro\",\"seats\":5,\"beta\":true,\"ratio\":0.75,\"motd\":\"h\\u00e9llo \u2713 \\\"quoted\\\"\"," +
                  "\"limits\":{\"max\":10.5,\"list\":[1,2,3],\"none\":null}},\"licenseVariables\":{\"region\":\"eu-west-1\",\"note\":null}," +
                  "\"licenseLabel\":\"Fuzz licence\",\"maxHwidSlots\":3,\"hwidCount\":1,\"licenseExpiresAt\":\"2030-01-01T00:00:00Z\"," +
                  "\"sessionExpiresAt\":1900000000"
                : "";
            return "{\"sessionToken\":" + FuzzJson.Quote(token) + ",\"timestamp\":" + timestamp + ",\"expiresIn\":1850000000,\"nonce\":" +
                FuzzJson.Quote(nonce) + ",\"requestId\":\"req-fuzz-0001\"" + vars + extra + "}";
        }
    }
}
