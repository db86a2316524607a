using System;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;

namespace AuthForge.DevServer
{
    /// <summary>
    /// Builds the signed success answer <c>{"status":"ok","payload":...,"signature":...[,"keyId":...]}</c>, and bends
    /// it for the faults that alter a real answer (tampering, wrong nonce or key, missing fields).
    /// </summary>
    internal sealed class ResponseComposer
    {
        /// <summary>How far <c>tamper_payload</c> moves <c>expiresIn</c>: a year, the kind of edit an attacker wants.</summary>
        private const long TamperShiftSeconds = 365L * 24 * 3600;

        private static readonly byte[] s_okBody = Encoding.UTF8.GetBytes("{\"status\":\"ok\"}");

        private readonly DevServerState _state;

        public ResponseComposer(DevServerState state)
        {
            _state = state;
        }

        /// <summary>The unsigned <c>{"status":"ok"}</c> of selfban.</summary>
        public static byte[] PlainOk => s_okBody;

        /// <summary>The signed answer to the request with <paramref name="nonce"/>, bent by <paramref name="fault"/> if given.</summary>
        public byte[] Compose(SessionGrant grant, string nonce, DevFaultKind? fault)
        {
            DateTimeOffset now = grant.Now;
            string token = grant.Token;
            bool omitExpiry = fault == DevFaultKind.MissingExpires;
            if (omitExpiry)
            {
                // The client takes expiry from the token body first, so a token with it would hide the fault.
                token = _state.Tokens.Issue(grant.Claims with { ExpiresIn = null });
            }

            var shape = new PayloadShape(
                Token: fault == DevFaultKind.MissingSessionToken ? null : token,
                Nonce: fault == DevFaultKind.WrongNonce ? Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(16)) : nonce,
                ExpiresIn: omitExpiry ? null : grant.Claims.ExpiresIn);
            string payload = Convert.ToBase64String(WritePayload(grant, shape, now));

            // Signed with the key the client derives from its own nonce: only the payload's nonce is wrong.
            (string signature, string? keyId) = Sign(grant, nonce, payload, wrongKey: fault == DevFaultKind.WrongKey);

            if (fault == DevFaultKind.TamperPayload)
            {
                payload = Convert.ToBase64String(WritePayload(grant, shape with { ExpiresIn = shape.ExpiresIn + TamperShiftSeconds }, now));
            }
            else if (fault == DevFaultKind.TamperSignature)
            {
                signature = ChangeOneCharacter(signature);
            }

            string? sentPayload = fault == DevFaultKind.MissingPayload ? null : payload;
            return JsonText.Write((sentPayload, signature, keyId), static (writer, r) =>
            {
                writer.WriteStartObject();
                writer.WriteString("status", "ok");
                if (r.sentPayload is not null)
                {
                    writer.WriteString("payload", r.sentPayload);
                }

                writer.WriteString("signature", r.signature);
                if (r.keyId is not null)
                {
                    writer.WriteString("keyId", r.keyId);
                }

                writer.WriteEndObject();
            });
        }

        private (string Signature, string? KeyId) Sign(SessionGrant grant, string nonce, string payload, bool wrongKey)
        {
            if (_state.Keys is { } keys)
            {
                // A throwaway key no client was told about; the keyId still names the real current key, as a forger
                // copying a genuine answer would.
                SigningKey key = keys.Current;
                byte[] message = Encoding.ASCII.GetBytes(payload);
                string signature = wrongKey
                    ? Convert.ToBase64String(Ed25519Signer.Generate().Sign(message))
                    : key.SignBase64(message);
                return (signature, key.KeyId);
            }

            string secret = _state.Mode == SigningMode.HmacV2 && grant.IsHeartbeat && grant.Claims.SigKey is { } sigKey
                ? sigKey
                : _state.AppSecret;
            if (wrongKey)
            {
                secret = "wrong-" + Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(16));
            }

            return (HmacSigning.Sign(secret, nonce, payload), null);
        }

        private byte[] WritePayload(SessionGrant grant, PayloadShape shape, DateTimeOffset now)
        {
            return JsonText.Write((this, grant, shape, now), static (writer, s) => s.Item1.WritePayload(writer, s.grant, s.shape, s.now));
        }

        /// <summary>Members in the order of the reference vectors, then the v3 additions.</summary>
        private void WritePayload(Utf8JsonWriter writer, SessionGrant grant, PayloadShape shape, DateTimeOffset now)
        {
            bool v3 = _state.Mode == SigningMode.Ed25519;
            writer.WriteStartObject();
            if (shape.Token is not null)
            {
                writer.WriteString("sessionToken", shape.Token);
            }

            if (v3)
            {
                writer.WriteString("timestamp", JsonText.IsoTime(now));
            }
            else
            {
                writer.WriteNumber("timestamp", now.ToUnixTimeSeconds());
            }

            if (shape.ExpiresIn is { } expiresIn)
            {
                writer.WriteNumber("expiresIn", expiresIn);
            }

            writer.WriteString("nonce", shape.Nonce);
            writer.WritePropertyName("appVariables");
            writer.WriteRawValue(_state.AppVariablesJson, skipInputValidation: true);
            writer.WritePropertyName("licenseVariables");
            writer.WriteRawValue(grant.License.VariablesJson, skipInputValidation: true);
            if (v3)
            {
                writer.WriteString("requestId", Guid.NewGuid().ToString("N"));
                if (shape.ExpiresIn is { } sessionEnd)
                {
                    writer.WriteString("sessionExpiresAt", JsonText.IsoTime(DateTimeOffset.FromUnixTimeSeconds(sessionEnd)));
                }

                if (grant.License.ExpiresAt is { } licenseEnd)
                {
                    writer.WriteString("licenseExpiresAt", JsonText.IsoTime(licenseEnd));
                }
                else
                {
                    writer.WriteNull("licenseExpiresAt");
                }

                writer.WriteNumber("maxHwidSlots", grant.License.MaxHwidSlots);
                writer.WriteNumber("hwidCount", grant.License.HwidCount);
                if (grant.License.Label is { } label)
                {
                    writer.WriteString("licenseLabel", label);
                }
                else
                {
                    writer.WriteNull("licenseLabel");
                }
            }

            writer.WriteEndObject();
        }

        /// <summary>
        /// Changes the signature's first character to another of the same alphabet, so it still looks well formed
        /// (hex stays hex, base64 stays base64 of the same length) but cannot verify.
        /// </summary>
        internal static string ChangeOneCharacter(string signature)
        {
            char first = signature[0];
            char replacement = first == 'a' ? 'b' : 'a';
            return string.Concat(replacement.ToString(), signature.AsSpan(1));
        }

        private readonly record struct PayloadShape(string? Token, string Nonce, long? ExpiresIn);
    }
}
