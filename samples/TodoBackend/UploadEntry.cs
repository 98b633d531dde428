using System.Text.Json;

namespace TodoBackend;

/// <summary>
/// One entry of an upload batch, checked before it goes near the database: every shape a client can
/// send that is not a usable entry (not an object, an op or table that is not a string, text with a NUL
/// or an unpaired surrogate, a <c>completed</c> that is not 0/1) gets a reason instead of an exception.
/// </summary>
public sealed record UploadEntry(string Op, string Table, string Id, JsonElement Data)
{
    /// <summary>The entry, or why it is rejected (then <paramref name="id"/> is its id as far as it is known, else "").</summary>
    public static UploadEntry? Parse(JsonElement element, out string id, out string? reason)
    {
        id = "";
        if (element.ValueKind != JsonValueKind.Object)
        {
            reason = "An entry must be a JSON object {\"op\", \"table\", \"id\", \"data\"}.";
            return null;
        }
        var idProblem = Text(element, "id", out var idText);
        var opProblem = Text(element, "op", out var op);
        var tableProblem = Text(element, "table", out var table);
        id = idText ?? "";
        var data = element.TryGetProperty("data", out var d) ? d : default;
        reason = idProblem ?? (id.Length == 0 ? "Missing id." : null)
            ?? opProblem ?? (op is "PUT" or "PATCH" or "DELETE" ? null : "The op must be \"PUT\", \"PATCH\" or \"DELETE\".")
            ?? tableProblem ?? (table is null ? "Missing table." : null)
            ?? (data.ValueKind is JsonValueKind.Undefined or JsonValueKind.Null or JsonValueKind.Object ? null : "The data must be a JSON object.");
        if (reason is null && data.ValueKind == JsonValueKind.Object)
            reason = Text(data, "name", out _) ?? Text(data, "list_id", out _) ?? Text(data, "description", out _) ?? Flag(data, "completed", out _);
        return reason is null ? new UploadEntry(op!, table!, id, data) : null;
    }

    /// <summary>A text column of <see cref="Data"/>: null when absent or null (validated by <see cref="Parse"/>).</summary>
    public string? Text(string name) => Data.ValueKind == JsonValueKind.Object && Text(Data, name, out var value) is null ? value : null;

    /// <summary>The 0/1 column <c>completed</c> of <see cref="Data"/>: null when absent or null.</summary>
    public int? Completed() => Data.ValueKind == JsonValueKind.Object && Flag(Data, "completed", out var value) is null ? value : null;

    /// <summary>Reads a string member; returns why it is unusable, or null (then <paramref name="value"/> is it, or null if absent).</summary>
    private static string? Text(JsonElement obj, string name, out string? value)
    {
        value = null;
        if (!obj.TryGetProperty(name, out var element) || element.ValueKind == JsonValueKind.Null) return null;
        if (element.ValueKind != JsonValueKind.String) return $"'{name}' must be a string.";
        try
        {
            value = element.GetString()!;
        }
        catch (InvalidOperationException)
        {
            return $"'{name}' is not valid Unicode text (an unpaired surrogate).";
        }
        if (value.Contains('\0', StringComparison.Ordinal))
        {
            value = null;
            return $"'{name}' contains a NUL character, which Postgres text cannot hold.";
        }
        return null;
    }

    /// <summary>A boolean stored as 0/1: 0, 1, false or true.</summary>
    private static string? Flag(JsonElement obj, string name, out int? value)
    {
        value = null;
        if (!obj.TryGetProperty(name, out var element) || element.ValueKind == JsonValueKind.Null) return null;
        value = element.ValueKind switch
        {
            JsonValueKind.True => 1,
            JsonValueKind.False => 0,
            JsonValueKind.Number when element.TryGetInt32(out var n) && n is 0 or 1 => n,
            _ => null,
        };
        return value is null ? $"'{name}' must be 0 or 1 (or false/true)." : null;
    }
}
