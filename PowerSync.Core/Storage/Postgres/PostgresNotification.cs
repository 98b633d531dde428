using System.Text.Json;

namespace PowerSync.Core.Storage.Postgres;

/// <summary>
/// What instances tell each other on the store's channel (JSON, under Postgres's 8000-byte payload limit):
/// a new checkpoint with the buckets its commit changed (or none listed, when too many: then every cached checksum
/// goes), a compaction, a reset, a write checkpoint recorded.
/// </summary>
internal static class PostgresNotification
{
    /// <summary>Payload bytes left for bucket names; beyond it a checkpoint lists none.</summary>
    private const int MaxPayload = 7000;

    public static string Checkpoint(Checkpoint checkpoint, IReadOnlyCollection<string>? changedBuckets)
    {
        var head = new Dictionary<string, object?>
        {
            ["t"] = "cp",
            ["v"] = checkpoint.RulesVersion,
            ["op"] = checkpoint.OpId.Value,
            ["lsn"] = StoredLsn.ToStored(checkpoint.Lsn),
            ["b"] = changedBuckets ?? (IReadOnlyCollection<string>)[],
        };
        var payload = JsonSerializer.Serialize(head);
        if (System.Text.Encoding.UTF8.GetByteCount(payload) <= MaxPayload) return payload;
        head.Remove("b"); // too many to list: receivers forget every cached checksum
        return JsonSerializer.Serialize(head);
    }

    public static string Compacted(long version) => JsonSerializer.Serialize(new Dictionary<string, object> { ["t"] = "compacted", ["v"] = version });

    public static string Reset() => """{"t":"reset"}""";

    public static string WriteCheckpoint(WriteCheckpointKey key) =>
        JsonSerializer.Serialize(new Dictionary<string, object> { ["t"] = "wc", ["u"] = key.UserId, ["c"] = key.ClientId });

    /// <summary>Applies a payload to this instance's caches and checkpoint broadcast (unknown payloads: forget every cache, to be safe).</summary>
    public static void Apply(PostgresBucketStorage storage, string payload)
    {
        using var doc = JsonDocument.Parse(payload);
        var root = doc.RootElement;
        switch (root.TryGetProperty("t", out var t) ? t.GetString() : null)
        {
            case "cp":
                var checkpoint = new Checkpoint(root.GetProperty("v").GetInt64(), new OpId(root.GetProperty("op").GetInt64()),
                    StoredLsn.FromStored(root.GetProperty("lsn").GetInt64()));
                if (root.TryGetProperty("b", out var buckets))
                    storage.Checksums.BucketsChanged(checkpoint.RulesVersion, buckets.EnumerateArray().Select(b => b.GetString()!).ToList(), checkpoint.OpId.Value);
                else
                    storage.Checksums.InvalidateAll();
                PostgresCheckpointListener.Publish(storage, checkpoint);
                break;
            case "compacted":
                storage.Checksums.InvalidateAll();
                break;
            case "reset":
                storage.OnReset();
                break;
            case "wc":
                storage.OnWriteCheckpointChanged(new WriteCheckpointKey(root.GetProperty("u").GetString()!, root.GetProperty("c").GetString()!));
                break;
            default:
                storage.Checksums.InvalidateAll();
                break;
        }
    }
}
