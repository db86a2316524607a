using Fe = AuthForge.Internal.Ed25519.Fe;

namespace AuthForge.Tests.Crypto
{
    /// <summary>
    /// A field element's RFC 8032 encoding, for the tests (the client decodes keys and signatures but never encodes a
    /// field element): the product's canonical <see cref="Fe.Reduce"/>, then the limbs packed little-endian.
    /// </summary>
    internal static class FeEncoding
    {
        // s[off..off+32] = the canonical little-endian encoding of f (bit 255 clear). Pre: |limbs| < 2^31.
        public static void ToBytes(byte[] s, int off, in Fe f)
        {
            Fe.Reduce(out Fe r, in f);
            ulong acc = 0;
            int bits = 0, o = off;
            Emit(s, ref o, ref acc, ref bits, r.L0, 26); Emit(s, ref o, ref acc, ref bits, r.L1, 25);
            Emit(s, ref o, ref acc, ref bits, r.L2, 26); Emit(s, ref o, ref acc, ref bits, r.L3, 25);
            Emit(s, ref o, ref acc, ref bits, r.L4, 26); Emit(s, ref o, ref acc, ref bits, r.L5, 25);
            Emit(s, ref o, ref acc, ref bits, r.L6, 26); Emit(s, ref o, ref acc, ref bits, r.L7, 25);
            Emit(s, ref o, ref acc, ref bits, r.L8, 26); Emit(s, ref o, ref acc, ref bits, r.L9, 25);
            s[o] = (byte)acc;                                       // the last 7 bits (255 = 31·8 + 7)
        }

        private static void Emit(byte[] s, ref int o, ref ulong acc, ref int bits, int limb, int width)
        {
            acc |= (ulong)(uint)limb << bits;
            for (bits += width; bits >= 8; bits -= 8)
            {
                s[o++] = (byte)acc;
                acc >>= 8;
            }
        }
    }
}
