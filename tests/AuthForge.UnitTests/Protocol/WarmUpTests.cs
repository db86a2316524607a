using Xunit;

namespace AuthForge.Tests.Protocol
{
    /// <summary>
    /// The first client's warm-up runs the answer's whole path (JSON, base64, signature, binding, session) on a fixed
    /// signed answer. If that answer stopped verifying (a constant edited, the protocol changed), the warm-up would
    /// fail silently and compile only part of the path: so it must verify, under Ed25519 and under HMAC.
    /// </summary>
    public sealed class WarmUpTests
    {
        [Theory]
        [InlineData(true)]
        [InlineData(false)]
        public void TheFixedAnswerVerifies_AndBecomesASession(bool ed25519)
        {
            Assert.True(WarmUp.Run(ed25519));
        }
    }
}
