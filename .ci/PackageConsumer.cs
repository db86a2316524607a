// The program CI's package consumers run (.ci/packages.sh): what a user writes after installing either package.
// Arguments: <DevServer URL> <public key> <licence key> <"package"|"source">. C# 8, any target framework.
#nullable enable
using System;
using AuthForge;

internal static class Program
{
    private static int Main(string[] args)
    {
        string url = args[0], publicKey = args[1], licenseKey = args[2], origin = args[3];

        bool compiledIn = typeof(AuthForgeClient).Assembly == typeof(Program).Assembly;
        if (compiledIn != (origin == "source"))
        {
            return Fail("AuthForgeClient came from " + typeof(AuthForgeClient).Assembly.GetName().Name + ", expected the " + origin);
        }

        string? failure = null;
        using (var client = new AuthForgeClient(
            appId: "demo-app",
            appSecret: "demo-secret",
            heartbeatMode: "SERVER",
            apiBaseUrl: url,
            publicKey: publicKey,
            onFailure: (reason, exception) => failure = reason + " / " + (exception as AuthForgeException)?.Code))
        {
            if (!client.Login(licenseKey) || !client.IsAuthenticated())
            {
                return Fail("login failed: " + failure);
            }

            AuthForgeValidationResult unknown = client.ValidateLicense("NO-SUCH-KEY");
            if (unknown.IsValid || unknown.Code != AuthForgeErrorCodes.InvalidKey)
            {
                return Fail("ValidateLicense of an unknown key gave " + unknown.Code);
            }
        }

        Console.WriteLine("consumer: logged in through " + (compiledIn ? "the source package" : "the compiled package") +
                          " on " + Environment.Version + "; an unknown key is invalid_key");
        return 0;
    }

    private static int Fail(string message)
    {
        Console.Error.WriteLine("consumer: " + message);
        return 1;
    }
}
