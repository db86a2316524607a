using System;

namespace AuthForge.Tests.Fuzz
{
    /// <summary>Where in a response a mutator works; a combination applies its mutators in this order.</summary>
    internal enum MutationLayer
    {
        /// <summary>The decoded payload's JSON members (then re-encoded and signed by a <see cref="SignPolicy"/>).</summary>
        Payload,
        /// <summary>The decoded payload's bytes, or how they are base64-encoded.</summary>
        PayloadBytes,
        /// <summary>The envelope's members: status, payload text, signature, keyId, anything else.</summary>
        Envelope,
        /// <summary>The response body as raw bytes.</summary>
        Body,
        /// <summary>What the response is checked against: HTTP status, expected nonce, verifier.</summary>
        Context,
    }

    /// <summary>A named, deterministic mutation: all randomness comes from the <see cref="Random"/> it is given.</summary>
    internal sealed class FuzzMutator
    {
        public FuzzMutator(string name, MutationLayer layer, int weight, Action<FuzzDraft, Random> apply)
        {
            Name = name;
            Layer = layer;
            Weight = weight;
            Apply = apply;
        }

        public string Name { get; }
        public MutationLayer Layer { get; }

        /// <summary>Relative frequency in random combinations; the costly huge and deep mutators are rare.</summary>
        public int Weight { get; }

        public Action<FuzzDraft, Random> Apply { get; }

        public override string ToString() => Name;
    }
}
