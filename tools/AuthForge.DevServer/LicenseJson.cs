using System;
using System.Collections.Generic;
using System.Globalization;
using System.Text.Json;

namespace AuthForge.DevServer
{
    /// <summary>
    /// Reads and writes licences as JSON, for <c>POST /admin/licenses</c>, <c>GET /admin/licenses</c> and
    /// <c>--licenses-file</c>: <c>{"key":"K","credits":1000,"maxHwidSlots":1,"expiresAt":"2030-01-01T00:00:00Z",
    /// "label":"Pro","variables":{...}}</c>, every member but <c>key</c> optional.
    /// </summary>
    internal static class LicenseJson
    {
        /// <summary>Reads one licence object.</summary>
        /// <exception cref="FormatException">A member is missing or of the wrong type; the message names it.</exception>
        public static DevLicense Read(JsonElement element)
        {
            if (element.ValueKind != JsonValueKind.Object)
            {
                throw new FormatException("A licence must be a JSON object.");
            }

            if (!element.TryGetProperty("key", out JsonElement key) || key.ValueKind != JsonValueKind.String || key.GetString()!.Length == 0)
            {
                throw new FormatException("A licence needs a non-empty string \"key\".");
            }

            var license = new DevLicense(key.GetString()!);
            foreach (JsonProperty member in element.EnumerateObject())
            {
                JsonElement value = member.Value;
                switch (member.Name)
                {
                    case "key":
                        break;
                    case "credits":
                        license.Credits = value.ValueKind == JsonValueKind.Number && value.TryGetInt64(out long credits) && credits >= 0
                            ? credits : throw Invalid(license.Key, "credits", "a non-negative integer");
                        break;
                    case "maxHwidSlots":
                        license.MaxHwidSlots = value.ValueKind == JsonValueKind.Number && value.TryGetInt32(out int slots) && slots >= 1
                            ? slots : throw Invalid(license.Key, "maxHwidSlots", "an integer of at least 1");
                        break;
                    case "expiresAt":
                        license.ExpiresAt = value.ValueKind == JsonValueKind.Null ? null
                            : value.ValueKind == JsonValueKind.String
                              && DateTimeOffset.TryParse(value.GetString(), CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal, out DateTimeOffset at)
                                ? at : throw Invalid(license.Key, "expiresAt", "an ISO-8601 date and time, or null");
                        break;
                    case "label":
                        license.Label = value.ValueKind switch
                        {
                            JsonValueKind.Null => null,
                            JsonValueKind.String => value.GetString(),
                            _ => throw Invalid(license.Key, "label", "a string"),
                        };
                        break;
                    case "variables":
                        license.Variables = value.ValueKind == JsonValueKind.Object
                            ? ReadVariables(value) : throw Invalid(license.Key, "variables", "a JSON object");
                        break;
                    default:
                        throw new FormatException($"Licence \"{license.Key}\": unknown member \"{member.Name}\".");
                }
            }

            return license;
        }

        /// <summary>A JSON object's members as variables; the values stay JSON (cloned, so they outlive the document).</summary>
        public static Dictionary<string, object?> ReadVariables(JsonElement obj)
        {
            var variables = new Dictionary<string, object?>(StringComparer.Ordinal);
            foreach (JsonProperty member in obj.EnumerateObject())
            {
                variables[member.Name] = member.Value.Clone();
            }

            return variables;
        }

        public static void Write(Utf8JsonWriter writer, DevLicenseStatus license)
        {
            writer.WriteStartObject();
            writer.WriteString("key", license.Key);
            if (license.Label is null)
            {
                writer.WriteNull("label");
            }
            else
            {
                writer.WriteString("label", license.Label);
            }

            writer.WriteNumber("credits", license.Credits);
            writer.WriteNumber("maxHwidSlots", license.MaxHwidSlots);
            if (license.ExpiresAt is { } expiresAt)
            {
                writer.WriteString("expiresAt", JsonText.IsoTime(expiresAt));
            }
            else
            {
                writer.WriteNull("expiresAt");
            }

            writer.WriteBoolean("revoked", license.Revoked);
            writer.WriteStartArray("hwids");
            foreach (string hwid in license.BoundHwids)
            {
                writer.WriteStringValue(hwid);
            }

            writer.WriteEndArray();
            writer.WriteNumber("validateCount", license.ValidateCount);
            writer.WriteNumber("heartbeatCount", license.HeartbeatCount);
            writer.WriteEndObject();
        }

        private static FormatException Invalid(string key, string member, string expected) =>
            new($"Licence \"{key}\": \"{member}\" must be {expected}.");
    }
}
