using System;

namespace AuthForge.DevServer
{
    /// <summary>RFC 8032 Ed25519 signing for the DevServer (STUB: filled in by the Ed25519 work).</summary>
    public sealed class Ed25519Signer
    {
        public static Ed25519Signer FromSeed(byte[] seed) => throw new NotImplementedException();
        public static Ed25519Signer Generate() => throw new NotImplementedException();
        public byte[] PublicKey => throw new NotImplementedException();
        public string PublicKeyBase64 => Convert.ToBase64String(PublicKey);
        public byte[] Sign(byte[] message) => throw new NotImplementedException();
    }
}
