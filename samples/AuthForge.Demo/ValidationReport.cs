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
            ConsoleLog.Event("validate", "valid (signature and nonce verified)");
            ConsoleLog.Detail($"session until   {ConsoleLog.Time(result.ExpiresAt)}");
            ConsoleLog.Detail($"licence label   {result.LicenseLabel ?? "(none)"}");
            ConsoleLog.Detail($"licence expiry  {ConsoleLog.Time(result.LicenseExpiresAt)}");
            ConsoleLog.Detail($"hardware slots  {Number(result.HwidCount)} of {Number(result.MaxHwidSlots)} used");
            ConsoleLog.Detail($"signing key id  {result.KeyId ?? "(not stated)"}");
            ConsoleLog.Detail($"request id      {result.RequestId ?? "(not stated)"}");
            ConsoleLog.Detail($"app variables   {ConsoleLog.Describe(result.AppVariables)}");
            ConsoleLog.Detail($"licence vars    {ConsoleLog.Describe(result.LicenseVariables)}");
        }

        private static string Number(int? value) => value?.ToString(CultureInfo.InvariantCulture) ?? "?";
    }
}
