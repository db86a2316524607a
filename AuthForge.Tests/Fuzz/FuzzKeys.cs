using System;
using System.Collections.Generic;
using System.Linq;
using System.Security.Cryptography;
using System.Text;
using AuthForge.DevServer;

namespace AuthForge.Tests.Fuzz
{
    internal enum SignatureKind
    {
        Hmac,
        Ed25519,
    }

    /// <summary>
    /// A signing key the fuzzer holds, written against the BCL and the DevServer signer rather than the product's
    /// own HMAC helpers, so a bug in the product's key derivation cannot hide behind an identical bug here.
    /// </summary>
    internal abstract class FuzzSigner
    {
        protected FuzzSigner(string keyId, SignatureKind kind)
        {
            KeyId = keyId;
            Kind = kind;
        }

        /// <summary>Names the key; a <see cref="FuzzVerifier"/> trusts a set of these.</summary>
        public string KeyId { get; }

        public SignatureKind Kind { get; }

        /// <summary>HMAC signatures depend on the request's nonce (the key is derived from it); Ed25519 ones do not.</summary>
        public bool BindsNonce => Kind == SignatureKind.Hmac;

        public abstract byte[] Sign(string payloadText, string nonce);

        /// <summary>The wire form: lowercase hex for HMAC, standard base64 for Ed25519.</summary>
        public string Encode(byte[] signature) =>
            Kind == SignatureKind.Hmac ? Convert.ToHexString(signature).ToLowerInvariant() : Convert.ToBase64String(signature);

        public GenuineSignature Genuine(string payloadText, string nonce, bool isSeed) =>
            new GenuineSignature(KeyId, BindsNonce ? nonce : null, payloadText, Sign(payloadText, nonce), isSeed);
    }

    internal sealed class HmacFuzzSigner : FuzzSigner
    {
        private readonly byte[] _secret;

        public HmacFuzzSigner(string secret)
            : base(KeyIdOf(secret), SignatureKind.Hmac) => _secret = Encoding.UTF8.GetBytes(secret);

        public static string KeyIdOf(string secret) => "hmac:" + secret;

        public override byte[] Sign(string payloadText, string nonce)
        {
            // PROTOCOL.md: key = SHA256(secret ‖ nonce), signature = HMAC-SHA256(key, payload text as sent).
            byte[] key = SHA256.HashData(_secret.Concat(Encoding.UTF8.GetBytes(nonce)).ToArray());
            return HMACSHA256.HashData(key, Encoding.UTF8.GetBytes(payloadText));
        }
    }

    internal sealed class Ed25519FuzzSigner : FuzzSigner
    {
        private readonly Ed25519Signer _signer;

        private Ed25519FuzzSigner(Ed25519Signer signer)
            : base(KeyIdOf(signer.PublicKeyBase64), SignatureKind.Ed25519) => _signer = signer;

        /// <summary>A key pair from a fixed label, so every run signs with the same keys.</summary>
        public static Ed25519FuzzSigner FromLabel(string label) =>
            new Ed25519FuzzSigner(Ed25519Signer.FromSeed(SHA256.HashData(Encoding.UTF8.GetBytes(label))));

        public static string KeyIdOf(string publicKeyBase64) => "ed25519:" + publicKeyBase64;

        public string PublicKeyBase64 => _signer.PublicKeyBase64;

        public override byte[] Sign(string payloadText, string nonce) => _signer.Sign(Encoding.UTF8.GetBytes(payloadText));
    }

    /// <summary>The product's verifier for one client configuration, with the key ids it is meant to trust.</summary>
    internal sealed class FuzzVerifier
    {
        private readonly HashSet<string> _trusted;

        public FuzzVerifier(string name, SignatureKind kind, SignatureVerifier product, params string[] trustedKeyIds)
        {
            Name = name;
            Kind = kind;
            Product = product;
            _trusted = new HashSet<string>(trustedKeyIds, StringComparer.Ordinal);
        }

        public string Name { get; }
        public SignatureKind Kind { get; }
        public SignatureVerifier Product { get; }

        public bool Trusts(string keyId) => _trusted.Contains(keyId);

        /// <summary>The same trust, checked by another implementation: how the self-tests plant a broken verifier.</summary>
        public FuzzVerifier WithProduct(string name, SignatureVerifier product) => new FuzzVerifier(name, Kind, product, _trusted.ToArray());

        public static FuzzVerifier Hmac(string name, string secret) =>
            new FuzzVerifier(name, SignatureKind.Hmac, new HmacSignatureVerifier(Encoding.UTF8.GetBytes(secret)), HmacFuzzSigner.KeyIdOf(secret));

        public static FuzzVerifier Ed25519(string name, params string[] publicKeysBase64) =>
            new FuzzVerifier(name, SignatureKind.Ed25519, Ed25519SignatureVerifier.Parse(publicKeysBase64, "publicKeys"),
                publicKeysBase64.Select(Ed25519FuzzSigner.KeyIdOf).ToArray());

        public override string ToString() => Name;
    }

    /// <summary>
    /// A payload text and signature bytes that a trusted key really produced (for HMAC: for one nonce). Accepting
    /// a response is only ever right when it carries one of these for the client's key and nonce.
    /// </summary>
    internal sealed class GenuineSignature
    {
        public GenuineSignature(string keyId, string? signedNonce, string payloadText, byte[] signature, bool isSeed)
        {
            KeyId = keyId;
            SignedNonce = signedNonce;
            PayloadText = payloadText;
            Signature = signature;
            IsSeed = isSeed;
        }

        public string KeyId { get; }

        /// <summary>The nonce the HMAC key was derived from; null for Ed25519, whose signature binds no nonce.</summary>
        public string? SignedNonce { get; }

        public string PayloadText { get; }
        public byte[] Signature { get; }

        /// <summary>True for a seed's own response; false for a payload the fuzzer re-signed with a trusted key.</summary>
        public bool IsSeed { get; }

        public bool Covers(string payloadText, byte[] signature, string nonce, FuzzVerifier verifier) =>
            string.Equals(PayloadText, payloadText, StringComparison.Ordinal)
            && Signature.AsSpan().SequenceEqual(signature)
            && (SignedNonce is null || string.Equals(SignedNonce, nonce, StringComparison.Ordinal))
            && verifier.Trusts(KeyId);
    }
}
