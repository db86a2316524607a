using System;
using System.Collections.Generic;
using System.Text;

namespace AuthForge.Tests.Fuzz
{
    /// <summary>One input to the pipeline: the response, the request it is checked against, and how it was made.</summary>
    internal sealed class FuzzInput
    {
        public FuzzInput(string seedName, int status, byte[] body, string nonce, FuzzVerifier verifier, IReadOnlyList<GenuineSignature> signed, string steps)
        {
            SeedName = seedName;
            Status = status;
            Body = body;
            Nonce = nonce;
            Verifier = verifier;
            Signed = signed;
            Steps = steps;
        }

        public string SeedName { get; }
        public int Status { get; }
        public byte[] Body { get; }
        public string Nonce { get; }
        public FuzzVerifier Verifier { get; }

        /// <summary>Signatures the fuzzer made for this input (beyond the seeds'), each with the key that made it.</summary>
        public IReadOnlyList<GenuineSignature> Signed { get; }

        public FuzzInput WithVerifier(FuzzVerifier verifier) => new FuzzInput(SeedName, Status, Body, Nonce, verifier, Signed, Steps);

        public string Steps { get; }
    }

    /// <summary>How a re-encoded payload gets its signature.</summary>
    internal enum SignPolicy
    {
        /// <summary>Keep the seed's signature: the server never signed this text.</summary>
        KeepOld,
        /// <summary>Sign with a key the client must not trust (another secret or key pair, or the right secret for another nonce).</summary>
        WrongKey,
        /// <summary>Sign with a trusted key: a genuine but odd response, which exercises everything after the signature check.</summary>
        RightKey,
    }

    /// <summary>
    /// A response being mutated, held at the level each mutator works on. Mutations run layer by layer (decoded
    /// payload, payload bytes, envelope members, body bytes, request context); each layer is materialized from the
    /// one before only when a mutator first asks for it, so an unmutated layer keeps the seed's exact text.
    /// </summary>
    internal sealed class FuzzDraft
    {
        private readonly List<string> _steps = new List<string>();
        private readonly List<GenuineSignature> _signed = new List<GenuineSignature>();
        private List<JsonMember>? _payloadMembers;
        private byte[]? _payloadBytes;
        private List<JsonMember>? _envelope;
        private byte[]? _body;
        private bool _sealed;
        private string _payloadText;
        private string _signatureText;

        public FuzzDraft(FuzzSeed seed, Random random)
        {
            Seed = seed;
            Random = random;
            Nonce = seed.Nonce;
            Verifier = seed.Verifier;
            _payloadText = seed.PayloadText;
            _signatureText = seed.SignatureText;
            PayloadStyle = seed.Style;
        }

        public FuzzSeed Seed { get; }

        /// <summary>The input's only source of randomness (for the sign policy and wrong keys).</summary>
        public Random Random { get; }

        public int Status { get; set; } = 200;
        public string Nonce { get; set; }
        public FuzzVerifier Verifier { get; set; }
        public Base64Style PayloadStyle { get; set; }
        public SignPolicy? Policy { get; set; }

        /// <summary>Applied to the payload text after encoding (whitespace, trailing bits): the text is then signed as is.</summary>
        public Func<string, string>? PayloadTextEdit { get; set; }

        /// <summary>The payload text the envelope carries (sealing an edited payload first).</summary>
        public string PayloadText
        {
            get
            {
                SealPayload();
                return _payloadText;
            }
        }

        /// <summary>The signature text the envelope carries (sealing an edited payload first).</summary>
        public string SignatureText
        {
            get
            {
                SealPayload();
                return _signatureText;
            }
        }

        /// <summary>Signatures this draft made over its payload text, with the keys that made them.</summary>
        public IReadOnlyList<GenuineSignature> Signed => _signed;

        public void Step(string description) => _steps.Add(description);

        /// <summary>The decoded payload's members, for editing.</summary>
        public List<JsonMember> PayloadMembers()
        {
            if (_payloadBytes != null || _sealed) throw new InvalidOperationException("payload bytes were already materialized");
            return _payloadMembers ??= FuzzJson.Members(Seed.PayloadJson);
        }

        /// <summary>The decoded payload's bytes (from the edited members, or the seed's), for editing.</summary>
        public byte[] PayloadBytes()
        {
            if (_sealed) throw new InvalidOperationException("the payload was already sealed");
            return _payloadBytes ??= Encoding.UTF8.GetBytes(_payloadMembers is null ? Seed.PayloadJson : FuzzJson.Object(_payloadMembers));
        }

        public void SetPayloadBytes(byte[] bytes)
        {
            if (_sealed) throw new InvalidOperationException("the payload was already sealed");
            _payloadBytes = bytes;
        }

        public bool PayloadEdited => _payloadMembers != null || _payloadBytes != null;

        /// <summary>
        /// Re-encodes an edited payload and signs it as <see cref="Policy"/> says (chosen at random when unset). Runs
        /// once, when the envelope is first asked for.
        /// </summary>
        private void SealPayload()
        {
            if (_sealed) return;
            _sealed = true;
            if (!PayloadEdited) return;
            Random random = Random;
            byte[] bytes = _payloadBytes ?? Encoding.UTF8.GetBytes(_payloadMembers is null ? Seed.PayloadJson : FuzzJson.Object(_payloadMembers));
            string text = FuzzBase64.Encode(bytes, PayloadStyle);
            if (PayloadTextEdit != null) text = PayloadTextEdit(text);
            _payloadText = text;

            SignPolicy policy = Policy ?? (SignPolicy)random.Next(3);
            if (policy == SignPolicy.RightKey && Seed.Signer is null) policy = SignPolicy.WrongKey;
            switch (policy)
            {
                case SignPolicy.KeepOld:
                    Step("sign=keep-old");
                    break;
                case SignPolicy.WrongKey:
                    SignWrong();
                    break;
                case SignPolicy.RightKey:
                    _signatureText = Sign(Seed.Signer!, Seed.Nonce);
                    Step("sign=right(" + Seed.Signer!.KeyId + ")");
                    break;
            }
        }

        private void SignWrong()
        {
            Random random = Random;
            // The right HMAC secret with another request's nonce is a wrong key too (a replay across requests).
            if (Seed.Signer is HmacFuzzSigner right && random.Next(4) == 0)
            {
                string other = FuzzPick.OtherThan(random, FuzzSeedSet.Instance.Nonces, Seed.Nonce);
                _signatureText = Sign(right, other);
                Step("sign=right-secret-other-nonce(" + other + ")");
                return;
            }
            FuzzSigner wrong = FuzzPick.One(random, Seed.WrongSigners);
            _signatureText = Sign(wrong, Seed.Nonce);
            Step("sign=wrong(" + wrong.KeyId + ")");
        }

        // Every signature made is recorded with its key: a "wrong" key is still the right one for a client that
        // trusts it (after a verifier swap), and the oracle must not call that a forgery.
        private string Sign(FuzzSigner signer, string nonce)
        {
            GenuineSignature genuine = signer.Genuine(_payloadText, nonce, isSeed: false);
            _signed.Add(genuine);
            return signer.Encode(genuine.Signature);
        }

        /// <summary>The envelope's members (status, payload, signature, optional keyId), for editing.</summary>
        public List<JsonMember> Envelope()
        {
            if (_body != null) throw new InvalidOperationException("the body was already materialized");
            if (_envelope is null)
            {
                SealPayload();
                _envelope = Seed.EnvelopeMembers();
                for (int i = 0; i < _envelope.Count; i++)
                {
                    if (_envelope[i].Is("payload")) _envelope[i] = _envelope[i].WithValue(FuzzJson.Quote(_payloadText));
                    if (_envelope[i].Is("signature")) _envelope[i] = _envelope[i].WithValue(FuzzJson.Quote(_signatureText));
                }
            }
            return _envelope;
        }

        /// <summary>The raw response body, for editing.</summary>
        public byte[] Body() => _body ??= Encoding.UTF8.GetBytes(FuzzJson.Object(Envelope()));

        public void SetBody(byte[] body) => _body = body;

        public FuzzInput ToInput() =>
            new FuzzInput(Seed.Name, Status, Body(), Nonce, Verifier, _signed, _steps.Count == 0 ? "(none)" : string.Join(" | ", _steps));
    }

    internal static class FuzzPick
    {
        public static T One<T>(Random random, IReadOnlyList<T> items) => items[random.Next(items.Count)];

        public static string OtherThan(Random random, IReadOnlyList<string> items, string current)
        {
            for (int attempt = 0; attempt < 16; attempt++)
            {
                string pick = One(random, items);
                if (!string.Equals(pick, current, StringComparison.Ordinal)) return pick;
            }
            return current + "-other";
        }

        /// <summary>Log-uniform in [min, max]: sizes from a few bytes to a megabyte are all common enough.</summary>
        public static int LogUniform(Random random, int min, int max) =>
            (int)Math.Min(max, Math.Round(min * Math.Pow((double)max / min, random.NextDouble())));
    }
}
