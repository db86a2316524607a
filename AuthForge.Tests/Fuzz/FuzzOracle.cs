using System;
using System.Linq;
using System.Text.Json;

namespace AuthForge.Tests.Fuzz
{
    internal enum AcceptKind
    {
        /// <summary>The input carries a seed's own payload text and signature bytes: a valid response, fine to accept.</summary>
        SeedEquivalent,
        /// <summary>A payload the fuzzer signed with a key this client trusts, answering this request: genuine, fine.</summary>
        GenuineResigned,
        /// <summary>Anything else the product accepted.</summary>
        Forged,
    }

    /// <summary>
    /// Decides, independently of the product, whether an accepted input was one the client may accept. It reads the
    /// body with System.Text.Json (duplicates refused), decodes the signature canonically with <see cref="Convert"/>,
    /// and requires a signature some trusted key really made over exactly that payload text (for HMAC, for this
    /// nonce), with a payload whose nonce is this request's. The product's own view (the VerifiedResponse) must agree.
    /// </summary>
    internal static class FuzzOracle
    {
        private static readonly JsonDocumentOptions s_strict = new JsonDocumentOptions { AllowDuplicateProperties = false, MaxDepth = 64 };

        public static AcceptKind Judge(FuzzInput input, VerifiedResponse response, out string reason)
        {
            reason = "";
            if (input.Status < 200 || input.Status > 299) return Forged(out reason, "accepted HTTP status " + input.Status);

            string? payload, signature;
            try
            {
                using JsonDocument document = JsonDocument.Parse(input.Body, s_strict);
                JsonElement root = document.RootElement;
                if (root.ValueKind != JsonValueKind.Object) return Forged(out reason, "accepted a body that is not a JSON object");
                if (!root.TryGetProperty("status", out JsonElement status) || !IsSuccessStatus(status))
                    return Forged(out reason, "accepted a body whose status is not a success");
                payload = StringMember(root, "payload");
                signature = StringMember(root, "signature");
            }
            catch (Exception e) when (e is JsonException || e is InvalidOperationException || e is ArgumentException)
            {
                return Forged(out reason, "accepted a body System.Text.Json refuses (" + e.Message + ")");
            }
            if (payload is null || signature is null) return Forged(out reason, "accepted a body without string payload and signature");
            if (!string.Equals(payload, response.PayloadText, StringComparison.Ordinal))
                return Forged(out reason, "the verified payload text is not the body's payload");
            if (!string.Equals(signature, response.Signature, StringComparison.Ordinal))
                return Forged(out reason, "the verified signature is not the body's signature");

            byte[]? signatureBytes = input.Verifier.Kind == SignatureKind.Hmac ? FuzzBase64.DecodeHex(signature) : FuzzBase64.DecodeCanonical(signature);
            if (signatureBytes is null) return Forged(out reason, "accepted a signature that is not the canonical encoding of a signature: " + signature);

            GenuineSignature? genuine = input.Signed.FirstOrDefault(g => g.Covers(payload, signatureBytes, input.Nonce, input.Verifier))
                ?? FuzzSeedSet.Instance.FindGenuine(payload, signatureBytes, input.Nonce, input.Verifier);
            if (genuine is null) return Forged(out reason, "FORGERY: no key this client trusts signed this payload text with this signature for this request");

            string? nonce = PayloadNonce(payload);
            if (!string.Equals(nonce, input.Nonce, StringComparison.Ordinal))
                return Forged(out reason, "accepted a genuine payload that answers another request (its nonce: " + (nonce ?? "none") + ")");

            return genuine.IsSeed ? AcceptKind.SeedEquivalent : AcceptKind.GenuineResigned;
        }

        private static AcceptKind Forged(out string reason, string why)
        {
            reason = why;
            return AcceptKind.Forged;
        }

        private static string? StringMember(JsonElement root, string name) =>
            root.TryGetProperty(name, out JsonElement value) && value.ValueKind == JsonValueKind.String ? value.GetString() : null;

        // PROTOCOL.md: boolean true, or one of ok/success/valid/true/1 in any case.
        private static bool IsSuccessStatus(JsonElement status)
        {
            if (status.ValueKind == JsonValueKind.True) return true;
            if (status.ValueKind != JsonValueKind.String) return false;
            string text = status.GetString()!;
            return new[] { "ok", "success", "valid", "true", "1" }.Any(word => string.Equals(text, word, StringComparison.OrdinalIgnoreCase));
        }

        private static string? PayloadNonce(string payloadText)
        {
            byte[]? json = FuzzBase64.DecodeLenient(payloadText);
            if (json is null) return null;
            try
            {
                using JsonDocument document = JsonDocument.Parse(json, s_strict);
                return document.RootElement.ValueKind == JsonValueKind.Object ? StringMember(document.RootElement, "nonce") : null;
            }
            catch (Exception e) when (e is JsonException || e is InvalidOperationException || e is ArgumentException)
            {
                return null;
            }
        }
    }
}
