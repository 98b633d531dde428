using System.Buffers;
using PowerSync.Core.Storage;

namespace PowerSync.Core.Protocol;

/// <summary>
/// Sync lines as BSON documents, one per line, as the official service sends them to clients that prefer
/// <c>application/vnd.powersync.bson-stream</c> and over RSocket: the same fields as the JSON lines, op ids and
/// <c>write_checkpoint</c> as strings, each op's row data as a string of JSON (BSON lines always carry it raw,
/// whatever <c>raw_data</c> says), numbers as int32 when they fit and doubles otherwise (an op checksum of 2^31 or
/// more is a double, as the service's serializer writes it). Absent fields (<c>write_checkpoint</c>) are left out.
/// A line is built whole: a BSON document starts with its length.
/// </summary>
internal static class BsonLineWriter
{
    public static void Write(SyncLine line, ArrayBufferWriter<byte> output)
    {
        var bson = new BsonWriter(output);
        var root = bson.StartDocument();
        switch (line)
        {
            case DataLine data:
                WriteData(bson, data.Page);
                break;
            case CheckpointLine c:
            {
                var body = bson.StartDocument("checkpoint"u8);
                bson.DecimalString("last_op_id"u8, c.LastOpId.Value);
                WriteCheckpointId(bson, c.WriteCheckpoint);
                WriteBuckets(bson, "buckets"u8, c.Buckets);
                var streams = bson.StartArray("streams"u8);
                for (var i = 0; i < c.Streams.Count; i++) WriteStream(bson, BsonWriter.Index(i), c.Streams[i]);
                bson.End(streams);
                bson.End(body);
                break;
            }
            case CheckpointDiffLine d:
            {
                var body = bson.StartDocument("checkpoint_diff"u8);
                bson.DecimalString("last_op_id"u8, d.LastOpId.Value);
                WriteCheckpointId(bson, d.WriteCheckpoint);
                var removed = bson.StartArray("removed_buckets"u8);
                for (var i = 0; i < d.RemovedBuckets.Count; i++) bson.String(BsonWriter.Index(i), d.RemovedBuckets[i]);
                bson.End(removed);
                WriteBuckets(bson, "updated_buckets"u8, d.UpdatedBuckets);
                bson.End(body);
                break;
            }
            case CheckpointCompleteLine done:
            {
                var body = bson.StartDocument("checkpoint_complete"u8);
                bson.DecimalString("last_op_id"u8, done.LastOpId.Value);
                bson.End(body);
                break;
            }
            case PartialCheckpointCompleteLine partial:
            {
                var body = bson.StartDocument("partial_checkpoint_complete"u8);
                bson.DecimalString("last_op_id"u8, partial.LastOpId.Value);
                bson.Number("priority"u8, partial.Priority);
                bson.End(body);
                break;
            }
            case KeepaliveLine keepalive:
                bson.Number("token_expires_in"u8, keepalive.TokenExpiresInSeconds);
                break;
            default:
                throw new ArgumentOutOfRangeException(nameof(line), line.GetType().Name, "Unknown sync line type.");
        }
        bson.End(root);
    }

    /// <summary>The bulk of every download: straight from the ops' UTF-8, no .NET strings.</summary>
    private static void WriteData(BsonWriter bson, BucketDataPage page)
    {
        var body = bson.StartDocument("data"u8);
        bson.String("bucket"u8, page.Bucket);
        var ops = bson.StartArray("data"u8);
        for (var i = 0; i < page.Ops.Count; i++)
        {
            var op = page.Ops[i];
            var entry = bson.StartDocument(BsonWriter.Index(i));
            bson.DecimalString("op_id"u8, op.OpId.Value);
            bson.String("op"u8, DataLineWriter.WireName(op.Op));
            var identified = op.Op is OpType.Put or OpType.Remove;
            if (identified)
            {
                bson.String("object_type"u8, op.ObjectType);
                bson.String("object_id"u8, op.ObjectId);
                bson.String("data"u8, op.Data);
            }
            bson.Number("checksum"u8, op.Checksum);
            if (identified) bson.String("subkey"u8, op.Subkey);
            bson.End(entry);
        }
        bson.End(ops);
        bson.Bool("has_more"u8, page.HasMore);
        bson.DecimalString("after"u8, page.After.Value);
        bson.DecimalString("next_after"u8, page.NextAfter.Value);
        bson.End(body);
    }

    private static void WriteCheckpointId(BsonWriter bson, long? writeCheckpoint)
    {
        if (writeCheckpoint is { } id) bson.DecimalString("write_checkpoint"u8, id);
    }

    private static void WriteBuckets(BsonWriter bson, ReadOnlySpan<byte> key, IReadOnlyList<CheckpointBucket> buckets)
    {
        var array = bson.StartArray(key);
        for (var i = 0; i < buckets.Count; i++)
        {
            var b = buckets[i];
            var bucket = bson.StartDocument(BsonWriter.Index(i));
            bson.String("bucket"u8, b.Bucket);
            bson.Number("checksum"u8, b.Checksum);
            bson.Number("count"u8, b.Count);
            bson.Number("priority"u8, b.Priority);
            var subscriptions = bson.StartArray("subscriptions"u8);
            for (var j = 0; j < b.Subscriptions.Count; j++)
            {
                var s = b.Subscriptions[j];
                var reason = bson.StartDocument(BsonWriter.Index(j));
                bson.Number(s.IsDefault ? "default"u8 : "sub"u8, s.Index);
                bson.End(reason);
            }
            bson.End(subscriptions);
            bson.End(bucket);
        }
        bson.End(array);
    }

    private static void WriteStream(BsonWriter bson, ReadOnlySpan<byte> key, StreamDescription s)
    {
        var stream = bson.StartDocument(key);
        bson.String("name"u8, s.Name);
        bson.Bool("is_default"u8, s.IsDefault);
        var errors = bson.StartArray("errors"u8);
        for (var i = 0; i < s.Errors.Count; i++)
        {
            var e = s.Errors[i];
            var error = bson.StartDocument(BsonWriter.Index(i));
            if (int.TryParse(e.Subscription, System.Globalization.NumberStyles.None, System.Globalization.CultureInfo.InvariantCulture, out var index))
                bson.Number("subscription"u8, index);
            else
                bson.String("subscription"u8, e.Subscription);
            bson.String("message"u8, e.Message);
            bson.End(error);
        }
        bson.End(errors);
        bson.End(stream);
    }
}
