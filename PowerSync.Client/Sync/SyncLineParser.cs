using System.Globalization;
using System.Text;
using System.Text.Json;

namespace PowerSync.Client.Sync;

/// <summary>
/// Parses NDJSON sync lines into <see cref="SyncLine"/>s (JSON shapes of the official service). Data
/// lines, nearly all of the bytes, are read straight from UTF-8 with <see cref="Utf8JsonReader"/>; the
/// rare control lines go through <see cref="JsonDocument"/>.
/// </summary>
internal static class SyncLineParser
{
    public static SyncLine Parse(string json) => Parse(Encoding.UTF8.GetBytes(json));

    public static SyncLine Parse(ReadOnlySpan<byte> utf8)
    {
        try
        {
            if (SyncDataLineReader.TryRead(utf8) is { } data) return data;
            return ParseDocument(utf8);
        }
        catch (Exception e) when (e is JsonException or KeyNotFoundException or InvalidOperationException or FormatException or OverflowException)
        {
            throw new PowerSyncClientException(ClientErrorCodes.ProtocolError, $"The sync service sent a malformed line ({e.Message}): {Truncate(utf8)}", e);
        }
    }

    private static SyncLine ParseDocument(ReadOnlySpan<byte> utf8)
    {
        using var doc = JsonDocument.Parse(utf8.ToArray());
        var root = doc.RootElement;
        var json = Encoding.UTF8.GetString(utf8);
        if (root.ValueKind != JsonValueKind.Object) return new UnknownLine(json);
        if (root.TryGetProperty("token_expires_in", out var t)) return new TokenExpiresInLine(t.GetInt64());
        if (root.TryGetProperty("data", out var d)) return ParseData(d, utf8.Length);
        if (root.TryGetProperty("checkpoint", out var c))
            return new CheckpointLine(OpId(c, "last_op_id"), OptionalOpId(c, "write_checkpoint"), Buckets(c, "buckets"), Streams(c));
        if (root.TryGetProperty("checkpoint_diff", out var diff))
        {
            var removed = diff.TryGetProperty("removed_buckets", out var r) && r.ValueKind == JsonValueKind.Array
                ? r.EnumerateArray().Select(x => x.GetString()!).ToList() : [];
            return new CheckpointDiffLine(OpId(diff, "last_op_id"), OptionalOpId(diff, "write_checkpoint"), Buckets(diff, "updated_buckets"), removed);
        }

        if (root.TryGetProperty("checkpoint_complete", out var cc)) return new CheckpointCompleteLine(OpId(cc, "last_op_id"));
        if (root.TryGetProperty("partial_checkpoint_complete", out var pc))
            return new PartialCheckpointCompleteLine(OpId(pc, "last_op_id"), pc.GetProperty("priority").GetInt32());
        return new UnknownLine(json);
    }

    private static DataLine ParseData(JsonElement d, long size)
    {
        var ops = new List<OplogEntry>();
        foreach (var op in d.GetProperty("data").EnumerateArray())
        {
            var kind = op.GetProperty("op").GetString() switch
            {
                "PUT" => OpKind.Put,
                "REMOVE" => OpKind.Remove,
                "MOVE" => OpKind.Move,
                "CLEAR" => OpKind.Clear,
                var other => throw new FormatException($"unknown op '{other}'"),
            };
            byte[]? data = null;
            if (op.TryGetProperty("data", out var v))
                data = v.ValueKind switch { JsonValueKind.String => Encoding.UTF8.GetBytes(v.GetString()!), JsonValueKind.Null => null, _ => Encoding.UTF8.GetBytes(v.GetRawText()) };
            ops.Add(new OplogEntry(OpId(op, "op_id"), kind, Text(op, "object_type"), Utf8(Text(op, "object_id")), Utf8(Text(op, "subkey")), data, Checksum(op.GetProperty("checksum"))));
        }

        return new DataLine(d.GetProperty("bucket").GetString()!, ops, d.TryGetProperty("has_more", out var h) && h.ValueKind == JsonValueKind.True, size);
    }

    private static List<BucketChecksum> Buckets(JsonElement parent, string name)
    {
        var list = new List<BucketChecksum>();
        if (!parent.TryGetProperty(name, out var buckets) || buckets.ValueKind != JsonValueKind.Array) return list;
        foreach (var b in buckets.EnumerateArray())
        {
            var priority = b.TryGetProperty("priority", out var p) && p.ValueKind == JsonValueKind.Number ? p.GetInt32() : 3;
            long? count = b.TryGetProperty("count", out var c) && c.ValueKind == JsonValueKind.Number ? c.GetInt64() : null;
            list.Add(new BucketChecksum(b.GetProperty("bucket").GetString()!, Checksum(b.GetProperty("checksum")), priority, count) { Subscriptions = Reasons(b) });
        }

        return list;
    }

    private static List<BucketReason>? Reasons(JsonElement bucket)
    {
        if (!bucket.TryGetProperty("subscriptions", out var subs) || subs.ValueKind != JsonValueKind.Array) return null;
        var reasons = new List<BucketReason>();
        foreach (var reason in subs.EnumerateArray())
        {
            if (reason.TryGetProperty("default", out var d)) reasons.Add(new BucketReason(true, d.GetInt32()));
            else if (reason.TryGetProperty("sub", out var s)) reasons.Add(new BucketReason(false, s.GetInt32()));
        }

        return reasons;
    }

    private static List<CheckpointStream>? Streams(JsonElement checkpoint)
    {
        if (!checkpoint.TryGetProperty("streams", out var streams) || streams.ValueKind != JsonValueKind.Array) return null;
        var list = new List<CheckpointStream>();
        foreach (var stream in streams.EnumerateArray())
        {
            var errors = new List<(int?, string)>();
            if (stream.TryGetProperty("errors", out var e) && e.ValueKind == JsonValueKind.Array)
            {
                foreach (var error in e.EnumerateArray())
                {
                    var sub = error.GetProperty("subscription");
                    errors.Add((sub.ValueKind == JsonValueKind.Number ? sub.GetInt32() : null, Text(error, "message") ?? ""));
                }
            }

            list.Add(new CheckpointStream(stream.GetProperty("name").GetString()!, stream.TryGetProperty("is_default", out var d) && d.ValueKind == JsonValueKind.True, errors));
        }

        return list;
    }

    private static uint Checksum(JsonElement e) => unchecked((uint)(e.ValueKind == JsonValueKind.String
        ? long.Parse(e.GetString()!, CultureInfo.InvariantCulture)
        : e.GetInt64()));

    private static long OpId(JsonElement parent, string name) => OptionalOpId(parent, name) ?? throw new FormatException($"'{name}' is missing");

    private static long? OptionalOpId(JsonElement parent, string name)
    {
        if (!parent.TryGetProperty(name, out var v) || v.ValueKind == JsonValueKind.Null) return null;
        return v.ValueKind == JsonValueKind.String ? long.Parse(v.GetString()!, NumberStyles.None, CultureInfo.InvariantCulture) : v.GetInt64();
    }

    private static byte[]? Utf8(string? text) => text is null ? null : Encoding.UTF8.GetBytes(text);

    private static string? Text(JsonElement parent, string name) =>
        parent.TryGetProperty(name, out var v) ? v.ValueKind switch { JsonValueKind.String => v.GetString(), JsonValueKind.Null => null, _ => v.GetRawText() } : null;

    private static string Truncate(ReadOnlySpan<byte> utf8) => utf8.Length <= 200 ? Encoding.UTF8.GetString(utf8) : Encoding.UTF8.GetString(utf8[..200]) + "...";
}
