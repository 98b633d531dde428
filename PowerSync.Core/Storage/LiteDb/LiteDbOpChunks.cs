using System.Buffers.Binary;
using System.Text;
using LiteDB;

namespace PowerSync.Core.Storage.LiteDb;

/// <summary>
/// A bucket's ops are stored in chunks: one document holds a run of consecutive ops of one bucket that
/// one flush wrote, keyed (version, bucket, the chunk's last op id). A bucket's ops stay one range of
/// the <c>_id</c> index, in op order, and the chunk holding op n is the first whose key is n or more.
/// LiteDB pays per document (a data block, an index node and its skip-list links), so ten ops in one
/// document cost about what one op alone would.
/// <para>
/// A chunk's ops are packed in one binary field <c>p</c>, each as: op id (8 bytes), type (1),
/// checksum (4), which optional parts follow (1), then each part present: object type, object id,
/// subkey and data (a 7-bit encoded length, then UTF-8) and target op (8 bytes).
/// </para>
/// <para>
/// Stores written before chunks (schema version 1) hold one op per document under the op's own key,
/// its parts as fields (<c>o</c>, <c>ot</c>, <c>oi</c>, <c>sk</c>, <c>d</c>, <c>cs</c>, <c>t</c>): such a
/// document reads as a chunk of one op, and compaction rewrites it packed.
/// </para>
/// </summary>
internal static class LiteDbOpChunks
{
    /// <summary>A chunk ends after this many ops...</summary>
    public const int MaxOps = 256;

    /// <summary>...or once its packed ops reach this size, so that a page read decodes little beyond its page.</summary>
    public const int MaxBytes = 128 * 1024;

    private const int HeaderSize = 8 + 1 + 4 + 1;

    [Flags]
    private enum Parts : byte
    {
        ObjectType = 1,
        ObjectId = 2,
        Subkey = 4,
        Data = 8,
        Target = 16,
    }

    public static BsonDocument Document(BsonValue key, byte[] packed) => new() { ["_id"] = key, ["p"] = packed };

    /// <summary>Appends the ops of a chunk with ids in <c>(after, upTo]</c> to <paramref name="into"/>, in op order; returns whether the chunk has ops after <paramref name="upTo"/>.</summary>
    public static bool Read(BsonDocument chunk, long after, long upTo, List<OplogEntry> into)
    {
        var packed = chunk["p"];
        if (packed.IsNull)
        {
            var single = ReadSingle(chunk);
            if (single.OpId.Value > after && single.OpId.Value <= upTo) into.Add(single);
            return single.OpId.Value > upTo;
        }
        var span = new ReadOnlySpan<byte>(packed.AsBinary);
        while (!span.IsEmpty)
        {
            var opId = BinaryPrimitives.ReadInt64LittleEndian(span);
            if (opId > upTo) return true;
            if (opId <= after) Skip(ref span);
            else into.Add(ReadOp(ref span));
        }
        return false;
    }

    /// <summary>Every op of a chunk, in op order.</summary>
    public static List<OplogEntry> ReadAll(BsonDocument chunk)
    {
        var ops = new List<OplogEntry>();
        Read(chunk, 0, long.MaxValue, ops);
        return ops;
    }

    /// <summary>The sum of the checksums and the number of the ops of a chunk after <paramref name="after"/>.</summary>
    public static (uint Checksum, long Count) SumAfter(BsonDocument chunk, long after)
    {
        var ops = new List<OplogEntry>();
        Read(chunk, after, long.MaxValue, ops);
        uint sum = 0;
        foreach (var op in ops) sum = OpChecksum.Add(sum, op.Checksum);
        return (sum, ops.Count);
    }

    private static OplogEntry ReadSingle(BsonDocument doc) => OplogEntry.FromText(
        new OpId(LiteDbKeys.LastNumber(doc["_id"])),
        (OpType)doc["o"].AsInt32,
        doc["ot"].IsNull ? null : doc["ot"].AsString,
        doc["oi"].IsNull ? null : doc["oi"].AsString,
        doc["sk"].IsNull ? null : doc["sk"].AsString,
        doc["d"].IsNull ? null : doc["d"].AsString,
        (uint)doc["cs"].AsInt64,
        doc["t"].IsNull ? null : new OpId(doc["t"].AsInt64));

    private static OplogEntry ReadOp(ref ReadOnlySpan<byte> span)
    {
        if (span.Length < HeaderSize) throw Corrupt();
        var opId = BinaryPrimitives.ReadInt64LittleEndian(span);
        var op = (OpType)span[8];
        var checksum = BinaryPrimitives.ReadUInt32LittleEndian(span[9..]);
        var parts = (Parts)span[13];
        span = span[HeaderSize..];
        var objectType = parts.HasFlag(Parts.ObjectType) ? ReadBytes(ref span) : null;
        var objectId = parts.HasFlag(Parts.ObjectId) ? ReadBytes(ref span) : null;
        var subkey = parts.HasFlag(Parts.Subkey) ? ReadBytes(ref span) : null;
        var data = parts.HasFlag(Parts.Data) ? ReadBytes(ref span) : null;
        OpId? target = null;
        if (parts.HasFlag(Parts.Target))
        {
            if (span.Length < 8) throw Corrupt();
            target = new OpId(BinaryPrimitives.ReadInt64LittleEndian(span));
            span = span[8..];
        }
        return new OplogEntry(new OpId(opId), op, objectType, objectId, subkey, data, checksum, target);
    }

    private static void Skip(ref ReadOnlySpan<byte> span)
    {
        if (span.Length < HeaderSize) throw Corrupt();
        var parts = (Parts)span[13];
        span = span[HeaderSize..];
        for (var part = Parts.ObjectType; part <= Parts.Data; part = (Parts)((byte)part << 1))
        {
            if (!parts.HasFlag(part)) continue;
            var length = CompactBinary.ReadVarInt(ref span);
            if (length > span.Length) throw Corrupt();
            span = span[length..];
        }
        if (parts.HasFlag(Parts.Target)) span = span.Length >= 8 ? span[8..] : throw Corrupt();
    }

    private static byte[] ReadBytes(ref ReadOnlySpan<byte> span)
    {
        var length = CompactBinary.ReadVarInt(ref span);
        if (length > span.Length) throw Corrupt();
        var value = span[..length].ToArray();
        span = span[length..];
        return value;
    }

    private static InvalidDataException Corrupt() => new("A stored op chunk is corrupt (it ends inside an op).");

    /// <summary>Packs ops into one chunk; reused from chunk to chunk.</summary>
    internal sealed class Builder
    {
        private byte[] _buffer = new byte[1024];
        private int _length;

        public int Count { get; private set; }

        public long LastOpId { get; private set; }

        public bool IsFull => Count >= MaxOps || _length >= MaxBytes;

        public void Add(long opId, in PendingOp op) =>
            Add(opId, op.Op, op.Checksum, op.ObjectType, op.ObjectId, op.Subkey, op.Data, target: null);

        public void Add(OplogEntry op)
        {
            var parts = Header(op.OpId.Value, op.Op, op.Checksum,
                Flag(op.ObjectType, Parts.ObjectType) | Flag(op.ObjectId, Parts.ObjectId) | Flag(op.Subkey, Parts.Subkey) | Flag(op.Data, Parts.Data)
                | (op.TargetOp is null ? 0 : Parts.Target));
            WriteBytes(op.ObjectType);
            WriteBytes(op.ObjectId);
            WriteBytes(op.Subkey);
            WriteBytes(op.Data);
            if (parts.HasFlag(Parts.Target)) WriteTarget(op.TargetOp!.Value.Value);
        }

        public void Add(long opId, OpType op, uint checksum, string? objectType, string? objectId, string? subkey, string? data, long? target)
        {
            var parts = Header(opId, op, checksum,
                Flag(objectType, Parts.ObjectType) | Flag(objectId, Parts.ObjectId) | Flag(subkey, Parts.Subkey) | Flag(data, Parts.Data)
                | (target is null ? 0 : Parts.Target));
            WriteText(objectType);
            WriteText(objectId);
            WriteText(subkey);
            WriteText(data);
            if (parts.HasFlag(Parts.Target)) WriteTarget(target!.Value);
        }

        /// <summary>The packed ops; the builder starts a new chunk.</summary>
        public byte[] Take()
        {
            var packed = _buffer.AsSpan(0, _length).ToArray();
            _length = 0;
            Count = 0;
            return packed;
        }

        private static Parts Flag(object? value, Parts part) => value is null ? 0 : part;

        private Parts Header(long opId, OpType op, uint checksum, Parts parts)
        {
            Reserve(HeaderSize);
            var span = _buffer.AsSpan(_length);
            BinaryPrimitives.WriteInt64LittleEndian(span, opId);
            span[8] = (byte)op;
            BinaryPrimitives.WriteUInt32LittleEndian(span[9..], checksum);
            span[13] = (byte)parts;
            _length += HeaderSize;
            Count++;
            LastOpId = opId;
            return parts;
        }

        private void WriteText(string? value)
        {
            if (value is null) return;
            var length = Encoding.UTF8.GetByteCount(value);
            Reserve(5 + length);
            var span = _buffer.AsSpan(_length);
            var start = span.Length;
            CompactBinary.WriteVarInt(ref span, length);
            Encoding.UTF8.GetBytes(value, span);
            _length += start - span.Length + length;
        }

        private void WriteBytes(byte[]? value)
        {
            if (value is null) return;
            Reserve(5 + value.Length);
            var span = _buffer.AsSpan(_length);
            var start = span.Length;
            CompactBinary.WriteVarInt(ref span, value.Length);
            value.CopyTo(span);
            _length += start - span.Length + value.Length;
        }

        private void WriteTarget(long target)
        {
            Reserve(8);
            BinaryPrimitives.WriteInt64LittleEndian(_buffer.AsSpan(_length), target);
            _length += 8;
        }

        private void Reserve(int bytes)
        {
            if (_length + bytes <= _buffer.Length) return;
            Array.Resize(ref _buffer, Math.Max(_buffer.Length * 2, _length + bytes));
        }
    }
}
