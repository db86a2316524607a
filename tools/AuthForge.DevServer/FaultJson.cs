using System;
using System.Text.Json;

namespace AuthForge.DevServer
{
    /// <summary>Reads the body of <c>POST /admin/faults</c>.</summary>
    internal static class FaultJson
    {
        /// <exception cref="FormatException">Not an object, an unknown kind, or a member of the wrong type.</exception>
        public static DevFault Read(JsonElement element)
        {
            if (element.ValueKind != JsonValueKind.Object)
            {
                throw new FormatException("A fault must be a JSON object.");
            }

            if (!element.TryGetProperty("kind", out JsonElement kindElement) || kindElement.ValueKind != JsonValueKind.String
                || !DevFaultKindNames.TryParse(kindElement.GetString()!, out DevFaultKind kind))
            {
                throw new FormatException("\"kind\" must be one of: " + string.Join(", ", DevFaultKindNames.All) + ".");
            }

            var fault = new DevFault(kind);
            foreach (JsonProperty member in element.EnumerateObject())
            {
                JsonElement value = member.Value;
                switch (member.Name)
                {
                    case "kind":
                        break;
                    case "count":
                        fault.Count = value.ValueKind == JsonValueKind.Number && value.TryGetInt32(out int count) ? count : throw Invalid("count", "an integer");
                        break;
                    case "path":
                        fault.Path = value.ValueKind == JsonValueKind.Null ? null
                            : value.ValueKind == JsonValueKind.String ? value.GetString() : throw Invalid("path", "a string");
                        break;
                    case "hwid":
                        fault.Hwid = value.ValueKind == JsonValueKind.Null ? null
                            : value.ValueKind == JsonValueKind.String ? value.GetString() : throw Invalid("hwid", "a string");
                        break;
                    case "licenseKey":
                        fault.LicenseKey = value.ValueKind == JsonValueKind.Null ? null
                            : value.ValueKind == JsonValueKind.String ? value.GetString() : throw Invalid("licenseKey", "a string");
                        break;
                    case "delayMs":
                        fault.DelayMs = value.ValueKind == JsonValueKind.Number && value.TryGetInt32(out int delay) ? delay : throw Invalid("delayMs", "an integer");
                        break;
                    case "status":
                        fault.Status = value.ValueKind == JsonValueKind.Number && value.TryGetInt32(out int status) ? status : throw Invalid("status", "an integer");
                        break;
                    case "body":
                        fault.Body = value.ValueKind == JsonValueKind.String && DevForeignBodies.TryParse(value.GetString()!, out DevForeignBody body)
                            ? body : throw Invalid("body", "one of " + string.Join(", ", DevForeignBodies.All));
                        break;
                    case "error":
                        fault.Error = value.ValueKind == JsonValueKind.Null ? null
                            : value.ValueKind == JsonValueKind.String ? value.GetString() : throw Invalid("error", "a string");
                        break;
                    default:
                        throw new FormatException($"Unknown fault member \"{member.Name}\".");
                }
            }

            return fault;
        }

        private static FormatException Invalid(string member, string expected) => new($"\"{member}\" must be {expected}.");
    }
}
