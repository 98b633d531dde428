using System.Buffers;
using System.Globalization;
using System.Text.Encodings.Web;
using System.Text.Json;
using Microsoft.Data.Sqlite;

namespace PowerSync.Client.LocalDatabase;

/// <summary>
/// SQL functions the views and triggers use, registered on every connection:
/// <c>powersync_diff(old, new)</c> (the changed keys of two JSON objects, nulls dropped, keys sorted,
/// a column set to NULL as <c>null</c>), and <c>uuid()</c> / <c>gen_random_uuid()</c>.
/// </summary>
internal static class SqlFunctions
{
    private static readonly JsonWriterOptions WriterOptions = new() { Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping };

    public static void Register(SqliteConnection connection)
    {
        connection.CreateFunction<string?, string?, string>("powersync_diff", Diff, isDeterministic: true);
        connection.CreateFunction("uuid", () => Guid.NewGuid().ToString());
        connection.CreateFunction("gen_random_uuid", () => Guid.NewGuid().ToString());
    }

    internal static string Diff(string? oldJson, string? newJson)
    {
        using var oldDoc = JsonDocument.Parse(oldJson ?? "{}");
        using var newDoc = JsonDocument.Parse(newJson ?? "{}");
        if (oldDoc.RootElement.ValueKind != JsonValueKind.Object || newDoc.RootElement.ValueKind != JsonValueKind.Object)
            throw new ArgumentException("powersync_diff expects two JSON objects.");
        var old = NonNull(oldDoc.RootElement);
        var result = new SortedDictionary<string, JsonElement?>(StringComparer.Ordinal);
        foreach (var (key, value) in NonNull(newDoc.RootElement))
        {
            if (!old.TryGetValue(key, out var before) || !JsonEquals(before, value)) result[key] = value;
        }

        foreach (var key in old.Keys.Where(k => !result.ContainsKey(k) && !NonNullContains(newDoc.RootElement, k))) result[key] = null;

        var buffer = new ArrayBufferWriter<byte>();
        using (var writer = new Utf8JsonWriter(buffer, WriterOptions))
        {
            writer.WriteStartObject();
            foreach (var (key, value) in result)
            {
                writer.WritePropertyName(key);
                if (value is { } v) writer.WriteRawValue(v.GetRawText(), skipInputValidation: true);
                else writer.WriteNullValue();
            }

            writer.WriteEndObject();
        }

        return System.Text.Encoding.UTF8.GetString(buffer.WrittenSpan);
    }

    private static Dictionary<string, JsonElement> NonNull(JsonElement obj)
    {
        var d = new Dictionary<string, JsonElement>(StringComparer.Ordinal);
        foreach (var p in obj.EnumerateObject())
        {
            if (p.Value.ValueKind != JsonValueKind.Null) d[p.Name] = p.Value;
        }

        return d;
    }

    private static bool NonNullContains(JsonElement obj, string key) =>
        obj.TryGetProperty(key, out var v) && v.ValueKind != JsonValueKind.Null;

    private static bool JsonEquals(JsonElement a, JsonElement b)
    {
        if (a.ValueKind != b.ValueKind) return false;
        switch (a.ValueKind)
        {
            case JsonValueKind.String:
                return a.GetString() == b.GetString();
            case JsonValueKind.Number:
            {
                var ra = a.GetRawText();
                var rb = b.GetRawText();
                var fa = IsFloat(ra);
                if (fa != IsFloat(rb)) return false;
                return fa
                    ? double.Parse(ra, CultureInfo.InvariantCulture) == double.Parse(rb, CultureInfo.InvariantCulture)
                    : decimal.Parse(ra, CultureInfo.InvariantCulture) == decimal.Parse(rb, CultureInfo.InvariantCulture);
            }

            default:
                return a.GetRawText() == b.GetRawText();
        }
    }

    private static bool IsFloat(string raw) => raw.AsSpan().IndexOfAny('.', 'e', 'E') >= 0;
}
