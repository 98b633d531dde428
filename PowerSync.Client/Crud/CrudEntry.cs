using System.Text.Json;

namespace PowerSync.Client.Crud;

/// <summary>One queued local write, as stored in <c>ps_crud</c>.</summary>
/// <param name="ClientId">The queue id (<c>ps_crud.id</c>); entries are uploaded in this order.</param>
/// <param name="TransactionId">The local transaction that made the write (<c>ps_crud.tx_id</c>).</param>
/// <param name="Op">PUT, PATCH or DELETE.</param>
/// <param name="Table">The table name (<c>type</c>).</param>
/// <param name="Id">The row id.</param>
/// <param name="Data">The written columns (null for DELETE).</param>
/// <param name="PreviousValues">The previous values (<c>old</c>) when the table tracks them.</param>
/// <param name="Metadata">The <c>_metadata</c> written with the change when the table tracks metadata.</param>
/// <param name="RawJson">The exact JSON stored in the queue.</param>
public sealed record CrudEntry(
    long ClientId,
    long? TransactionId,
    UpdateType Op,
    string Table,
    string Id,
    IReadOnlyDictionary<string, JsonElement>? Data,
    IReadOnlyDictionary<string, JsonElement>? PreviousValues,
    string? Metadata,
    string RawJson)
{
    internal static CrudEntry Parse(long clientId, long? txId, string json)
    {
        using var doc = JsonDocument.Parse(json);
        var root = doc.RootElement;
        var op = root.GetProperty("op").GetString() switch
        {
            "PUT" => UpdateType.Put,
            "PATCH" => UpdateType.Patch,
            "DELETE" => UpdateType.Delete,
            var other => throw new PowerSyncClientException(ClientErrorCodes.ProtocolError, $"Upload queue entry {clientId} has unknown op '{other}'."),
        };
        return new CrudEntry(clientId, txId, op, root.GetProperty("type").GetString()!, root.GetProperty("id").GetString()!,
            Object(root, "data"), Object(root, "old"),
            root.TryGetProperty("metadata", out var m) && m.ValueKind == JsonValueKind.String ? m.GetString() : null, json);
    }

    private static Dictionary<string, JsonElement>? Object(JsonElement root, string name) =>
        root.TryGetProperty(name, out var value) && value.ValueKind == JsonValueKind.Object
            ? value.EnumerateObject().ToDictionary(p => p.Name, p => p.Value.Clone(), StringComparer.Ordinal)
            : null;
}
