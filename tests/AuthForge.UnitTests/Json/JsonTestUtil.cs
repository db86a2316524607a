using System;
using System.Text;
using AuthForge;
using Xunit;

namespace AuthForge.Tests.JsonSection
{
    internal static class JsonTestUtil
    {
        public static byte[] Hex(string hex)
        {
            hex = hex.Replace(" ", "", StringComparison.Ordinal);
            var bytes = new byte[hex.Length / 2];
            for (int i = 0; i < bytes.Length; i++) bytes[i] = Convert.ToByte(hex.Substring(i * 2, 2), 16);
            return bytes;
        }

        /// <summary>A JSON string literal whose body is the given raw bytes.</summary>
        public static byte[] Quoted(byte[] body)
        {
            var bytes = new byte[body.Length + 2];
            bytes[0] = (byte)'"';
            body.CopyTo(bytes, 1);
            bytes[^1] = (byte)'"';
            return bytes;
        }

        public static byte[] Concat(params byte[][] parts)
        {
            var all = new System.Collections.Generic.List<byte>();
            foreach (byte[] part in parts) all.AddRange(part);
            return all.ToArray();
        }

        /// <summary>Parses through both entry points and checks they agree on the failure.</summary>
        public static JsonFormatException AssertRejected(string json, int maxDepth = Json.DefaultMaxDepth)
        {
            var fromString = Assert.Throws<JsonFormatException>(() => Json.Parse(json, maxDepth));
            var fromBytes = Assert.Throws<JsonFormatException>(() => Json.Parse(Encoding.UTF8.GetBytes(json), maxDepth));
            Assert.Equal(fromString.Position, fromBytes.Position);
            Assert.Equal(fromString.Message, fromBytes.Message);
            return fromBytes;
        }
    }
}
