using System.Globalization;
using System.Text.Json;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Diagnostics.HealthChecks;

namespace PowerSync.Core.Hosting;

/// <summary>
/// Health output that says why: pass <see cref="WriteResponseAsync"/> as the response writer of the health
/// endpoint, <c>app.MapHealthChecks("/health", new() { ResponseWriter = PowerSyncHealth.WriteResponseAsync })</c>,
/// and it answers JSON with the overall status and, per check, its status, description and data (for the
/// <c>powersync</c> check: replication lag, retained WAL, the last error code, whether replication is connected).
/// </summary>
public static class PowerSyncHealth
{
    /// <summary>
    /// Writes <paramref name="report"/> as JSON: <c>{"status":"Healthy","total_duration_ms":1.2,"checks":{"powersync":
    /// {"status":"Healthy","description":"…","duration_ms":1.1,"data":{…}}}}</c>. Exceptions are not written (no stack
    /// traces leave the process); their message is in the description.
    /// </summary>
    public static async Task WriteResponseAsync(HttpContext context, HealthReport report)
    {
        ArgumentNullException.ThrowIfNull(context);
        ArgumentNullException.ThrowIfNull(report);
        context.Response.ContentType = "application/json; charset=utf-8";
        using var buffer = new MemoryStream();
        using (var json = new Utf8JsonWriter(buffer, new JsonWriterOptions { Indented = true }))
        {
            json.WriteStartObject();
            json.WriteString("status", report.Status.ToString());
            json.WriteNumber("total_duration_ms", Math.Round(report.TotalDuration.TotalMilliseconds, 3));
            json.WriteStartObject("checks");
            foreach (var (name, entry) in report.Entries)
            {
                json.WriteStartObject(name);
                json.WriteString("status", entry.Status.ToString());
                if (entry.Description is { } description) json.WriteString("description", description);
                json.WriteNumber("duration_ms", Math.Round(entry.Duration.TotalMilliseconds, 3));
                json.WriteStartObject("data");
                foreach (var (key, value) in entry.Data) WriteValue(json, key, value);
                json.WriteEndObject();
                json.WriteEndObject();
            }
            json.WriteEndObject();
            json.WriteEndObject();
        }
        context.Response.ContentLength = buffer.Length;
        await context.Response.Body.WriteAsync(buffer.GetBuffer().AsMemory(0, (int)buffer.Length), context.RequestAborted).ConfigureAwait(false);
    }

    private static void WriteValue(Utf8JsonWriter json, string key, object? value)
    {
        switch (value)
        {
            case null:
                json.WriteNull(key);
                break;
            case bool b:
                json.WriteBoolean(key, b);
                break;
            case int or long or short or byte or uint or ushort or sbyte:
                json.WriteNumber(key, Convert.ToInt64(value, CultureInfo.InvariantCulture));
                break;
            case ulong u:
                json.WriteNumber(key, u);
                break;
            case double d when double.IsFinite(d):
                json.WriteNumber(key, d);
                break;
            case float f when float.IsFinite(f):
                json.WriteNumber(key, f);
                break;
            case decimal m:
                json.WriteNumber(key, m);
                break;
            case TimeSpan t:
                json.WriteNumber(key, t.TotalSeconds);
                break;
            case DateTimeOffset at:
                json.WriteString(key, at.ToString("O", CultureInfo.InvariantCulture));
                break;
            case DateTime at:
                json.WriteString(key, at.ToString("O", CultureInfo.InvariantCulture));
                break;
            case IEnumerable<string> items:
                json.WriteStartArray(key);
                foreach (var item in items) json.WriteStringValue(item);
                json.WriteEndArray();
                break;
            default:
                json.WriteString(key, Convert.ToString(value, CultureInfo.InvariantCulture));
                break;
        }
    }
}
