using System.Globalization;

namespace AuthForge.Demo
{
    /// <summary>Prints every field of an <see cref="AuthForgeValidationResult"/> the server filled in.</summary>
    internal static class ValidationReport
    {
        public static void Print(AuthForgeValidationResult result)
        {
            if (!result.IsValid)
            {
                ConsoleLog.Event("validate", $"invalid, code {result.Code}");
                ConsoleLog.Detail(result.Message ?? "");
                return;
            }

            // The session token is a credential, so it is not shown; everything else in the result is.
            AuthForgeSession session = result.Session!;
            ConsoleLog.Event("validate", "valid (signature and nonce verified)");
            ConsoleLog.Detail($"session until   {ConsoleLog.Time(session.ExpiresAt)}");
            ConsoleLog.Detail($"licence label   {session.LicenseLabel ?? "(none)"}");
            ConsoleLog.Detail($"licence expiry  {ConsoleLog.Time(session.LicenseExpiresAt)}");
            ConsoleLog.Detail($"hardware slots  {Number(session.HwidCount)} of {Number(session.MaxHwidSlots)} used");
            ConsoleLog.Detail($"signing key id  {session.KeyId ?? "(not stated)"}");
            ConsoleLog.Detail($"request id      {session.RequestId ?? "(not stated)"}");
            ConsoleLog.Detail($"app variables   {ConsoleLog.Describe(session.AppVariables)}");
            ConsoleLog.Detail($"licence vars    {ConsoleLog.Describe(session.LicenseVariables)}");
        }

        private static string Number(int? value) => value?.ToString(CultureInfo.InvariantCulture) ?? "?";
    }
}
