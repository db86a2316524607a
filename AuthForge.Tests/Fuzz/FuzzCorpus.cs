using System;
using System.Collections.Generic;
using System.Linq;

namespace AuthForge.Tests.Fuzz
{
    /// <summary>
    /// The deterministic part of the quick pass: mutations enumerated exhaustively rather than sampled (every
    /// truncation, every bit, every field with every type, every encoding variant, status, nonce and verifier).
    /// </summary>
    internal static class FuzzCorpus
    {
        private static readonly SignPolicy[] s_policies = { SignPolicy.KeepOld, SignPolicy.WrongKey, SignPolicy.RightKey };

        public static IReadOnlyList<FuzzInput> Truncations()
        {
            var inputs = new List<FuzzInput>();
            foreach (FuzzSeed seed in FuzzSeedSet.Instance.Seeds)
            {
                for (int length = 0; length < seed.Body.Length; length++)
                {
                    int cut = length;
                    inputs.Add(Make(seed, cut, d =>
                    {
                        d.SetBody(d.Body().AsSpan(0, cut).ToArray());
                        d.Step("body.truncate(" + cut + ")");
                    }));
                }
            }
            return inputs;
        }

        public static IReadOnlyList<FuzzInput> BitFlips(params string[] seedNames)
        {
            var inputs = new List<FuzzInput>();
            foreach (FuzzSeed seed in FuzzSeedSet.Instance.Seeds.Where(s => seedNames.Contains(s.Name)))
            {
                for (int bit = 0; bit < seed.Body.Length * 8; bit++)
                {
                    int at = bit / 8, mask = 1 << (bit % 8);
                    inputs.Add(Make(seed, bit, d =>
                    {
                        byte[] body = (byte[])d.Body().Clone();
                        body[at] ^= (byte)mask;
                        d.SetBody(body);
                        d.Step("body.bitFlip(" + at + ":" + (bit % 8) + ")");
                    }));
                }
            }
            return inputs;
        }

        /// <summary>Every envelope and payload field: removed, duplicated, and swapped to every other type.</summary>
        public static IReadOnlyList<FuzzInput> FieldMutations()
        {
            var inputs = new List<FuzzInput>();
            foreach (FuzzSeed seed in FuzzSeedSet.Instance.Seeds)
            {
                List<JsonMember> envelope = seed.EnvelopeMembers();
                for (int field = 0; field < envelope.Count; field++)
                {
                    int f = field;
                    string name = envelope[f].Name;
                    inputs.Add(Make(seed, f, d => { d.Envelope().RemoveAt(f); d.Step("envelope.remove(" + name + ")"); }));
                    inputs.Add(Make(seed, f, d => { d.Envelope().Add(d.Envelope()[f]); d.Step("envelope.duplicate-same(" + name + ")"); }));
                    inputs.Add(Make(seed, f, d =>
                    {
                        d.Envelope().Insert(0, new JsonMember(FuzzJson.QuoteFullyEscaped(FuzzJson.TryUnquote(name)!), "\"x\""));
                        d.Step("envelope.duplicate-escaped-name-first(" + name + ")");
                    }));
                    foreach (KeyValuePair<string, string> swap in FuzzValues.TypeSwaps(envelope[f].Value))
                    {
                        inputs.Add(Make(seed, f, d =>
                        {
                            d.Envelope()[f] = d.Envelope()[f].WithValue(swap.Value);
                            d.Step("envelope.typeSwap(" + name + "->" + swap.Key + ")");
                        }));
                    }
                }

                List<JsonMember> payload = FuzzJson.Members(seed.PayloadJson);
                foreach (SignPolicy policy in s_policies)
                {
                    for (int field = 0; field < payload.Count; field++)
                    {
                        int f = field;
                        string name = payload[f].Name;
                        inputs.Add(Make(seed, f, d => { d.Policy = policy; d.PayloadMembers().RemoveAt(f); d.Step("payload.remove(" + name + ")"); }));
                        inputs.Add(Make(seed, f, d => { d.Policy = policy; d.PayloadMembers().Add(d.PayloadMembers()[f]); d.Step("payload.duplicate-same(" + name + ")"); }));
                        inputs.Add(Make(seed, f, d =>
                        {
                            d.Policy = policy;
                            d.PayloadMembers().Insert(0, new JsonMember(FuzzJson.QuoteFullyEscaped(FuzzJson.TryUnquote(name)!), FuzzJson.Quote(seed.Nonce)));
                            d.Step("payload.duplicate-escaped-name-first(" + name + ")");
                        }));
                        foreach (KeyValuePair<string, string> swap in FuzzValues.TypeSwaps(payload[f].Value))
                        {
                            inputs.Add(Make(seed, f, d =>
                            {
                                d.Policy = policy;
                                d.PayloadMembers()[f] = d.PayloadMembers()[f].WithValue(swap.Value);
                                d.Step("payload.typeSwap(" + name + "->" + swap.Key + ")");
                            }));
                        }
                    }
                    // The same payload, re-encoded in each style: with the old signature only the original text passes.
                    foreach (Base64Style style in Enum.GetValues<Base64Style>())
                    {
                        inputs.Add(Make(seed, (int)style, d =>
                        {
                            d.Policy = policy;
                            d.PayloadBytes();
                            d.PayloadStyle = style;
                            d.Step("payload.restyle(" + style + ")");
                        }));
                    }
                }
            }
            return inputs;
        }

        /// <summary>Every payload-text and signature-text variant, status field, HTTP status, other nonce and other verifier.</summary>
        public static IReadOnlyList<FuzzInput> Variants()
        {
            var inputs = new List<FuzzInput>();
            foreach (FuzzSeed seed in FuzzSeedSet.Instance.Seeds)
            {
                foreach (KeyValuePair<string, string> variant in EnvelopeMutators.PayloadTextVariants(seed.PayloadText, seed))
                    inputs.Add(Make(seed, 0, d => { PayloadMutators.Set(d.Envelope(), "payload", variant.Value); d.Step("envelope.payloadText(" + variant.Key + ")"); }));
                foreach (KeyValuePair<string, string> variant in EnvelopeMutators.SignatureTextVariants(seed.SignatureText, seed))
                    inputs.Add(Make(seed, 0, d => { PayloadMutators.Set(d.Envelope(), "signature", variant.Value); d.Step("envelope.signatureText(" + variant.Key + ")"); }));
                foreach (string status in EnvelopeMutators.StatusValues)
                    inputs.Add(Make(seed, 0, d => { PayloadMutators.Set(d.Envelope(), "status", status); d.Step("envelope.status(" + status + ")"); }));
                foreach (string error in EnvelopeMutators.ErrorValues)
                    inputs.Add(Make(seed, 0, d => { PayloadMutators.Set(d.Envelope(), "error", error); d.Step("envelope.error(" + error + ")"); }));
                foreach (int status in BodyMutators.Statuses.Concat(new[] { 0, 199, 299, 300, 600 }))
                    inputs.Add(Make(seed, 0, d => { d.Status = status; d.Step("context.status(" + status + ")"); }));
                foreach (string nonce in FuzzSeedSet.Instance.Nonces.Where(n => n != seed.Nonce))
                    inputs.Add(Make(seed, 0, d => { d.Nonce = nonce; d.Step("context.nonce(" + nonce + ")"); }));
                foreach (FuzzVerifier verifier in FuzzSeedSet.Instance.Verifiers)
                    inputs.Add(Make(seed, 0, d => { d.Verifier = verifier; d.Step("context.verifier(" + verifier.Name + ")"); }));
                foreach (FuzzSeed other in FuzzSeedSet.Instance.Seeds.Where(s => s != seed))
                {
                    inputs.Add(Make(seed, 0, d =>
                    {
                        PayloadMutators.Set(d.Envelope(), "payload", FuzzJson.Quote(other.PayloadText));
                        PayloadMutators.Set(d.Envelope(), "signature", FuzzJson.Quote(other.SignatureText));
                        d.Step("envelope.replay(both of " + other.Name + ")");
                    }));
                }
            }
            return inputs;
        }

        private static FuzzInput Make(FuzzSeed seed, int salt, Action<FuzzDraft> edit)
        {
            var draft = new FuzzDraft(seed, new Random(salt));
            edit(draft);
            return draft.ToInput();
        }
    }
}
