using System.Buffers.Binary;
using PowerSync.Core.Storage;
using System.Text;

namespace PowerSync.Core.Replication;

/// <summary>
/// The stored form of a source row, kept so that a later update whose unchanged TOAST values
/// Postgres did not resend can be completed: column names and typed SQLite values, length-prefixed.
/// </summary>
internal static class RawRowCodec
{
    /// <summary>Encodes a row (a concrete dictionary: enumerated twice per row without boxing an enumerator).</summary>
    public static byte[] Encode(Dictionary<string, SqliteValue> row)
    {
        // 7-bit count; per column: name, type byte, value (8 bytes little-endian for numbers, length-prefixed otherwise).
        var size = CompactBinary.VarIntSize(row.Count);
        foreach (var (name, value) in row)
        {
            size += CompactBinary.StringSize(name) + 1 + value.Type switch
            {
                SqliteType.Integer or SqliteType.Real => 8,
                SqliteType.Text => CompactBinary.StringSize(value.AsText),
                SqliteType.Blob => CompactBinary.VarIntSize(value.AsBlob.Length) + value.AsBlob.Length,
                _ => 0,
            };
        }
        var bytes = new byte[size];
        var span = bytes.AsSpan();
        CompactBinary.WriteVarInt(ref span, row.Count);
        foreach (var (name, value) in row)
        {
            CompactBinary.WriteString(ref span, name);
            span[0] = (byte)value.Type;
            span = span[1..];
            switch (value.Type)
            {
                case SqliteType.Integer:
                    BinaryPrimitives.WriteInt64LittleEndian(span, value.AsInteger);
                    span = span[8..];
                    break;
                case SqliteType.Real:
                    BinaryPrimitives.WriteDoubleLittleEndian(span, value.AsReal);
                    span = span[8..];
                    break;
                case SqliteType.Text:
                    CompactBinary.WriteString(ref span, value.AsText);
                    break;
                case SqliteType.Blob:
                    CompactBinary.WriteVarInt(ref span, value.AsBlob.Length);
                    value.AsBlob.CopyTo(span);
                    span = span[value.AsBlob.Length..];
                    break;
            }
        }
        return bytes;
    }

    public static Dictionary<string, SqliteValue> Decode(byte[] bytes)
    {
        ReadOnlySpan<byte> span = bytes;
        var count = CompactBinary.ReadVarInt(ref span);
        var row = new Dictionary<string, SqliteValue>(count, StringComparer.Ordinal);
        for (var i = 0; i < count; i++)
        {
            var name = CompactBinary.ReadString(ref span);
            if (span.IsEmpty) throw new InvalidDataException("A stored row is corrupt (a value runs past its end).");
            var type = (SqliteType)span[0];
            span = span[1..];
            if (type is SqliteType.Integer or SqliteType.Real && span.Length < 8)
                throw new InvalidDataException("A stored row is corrupt (a value runs past its end).");
            switch (type)
            {
                case SqliteType.Integer:
                    row[name] = SqliteValue.FromInteger(BinaryPrimitives.ReadInt64LittleEndian(span));
                    span = span[8..];
                    break;
                case SqliteType.Real:
                    row[name] = SqliteValue.FromReal(BinaryPrimitives.ReadDoubleLittleEndian(span));
                    span = span[8..];
                    break;
                case SqliteType.Text:
                    row[name] = SqliteValue.FromText(CompactBinary.ReadString(ref span));
                    break;
                case SqliteType.Blob:
                    var length = CompactBinary.ReadVarInt(ref span);
                    if (length > span.Length) throw new InvalidDataException("A stored row is corrupt (a value runs past its end).");
                    row[name] = SqliteValue.FromBlob(span[..length].ToArray());
                    span = span[length..];
                    break;
                default:
                    row[name] = SqliteValue.Null;
                    break;
            }
        }
        return row;
    }

    [ThreadStatic]
    private static StringBuilder? t_replicaIdBuilder;

    /// <summary>
    /// The text that identifies a row within its table: its replica identity values, typed, in column
    /// order. Equal keys give equal text; an INTEGER 1 and a TEXT '1' differ.
    /// </summary>
    public static string ReplicaId(ReplicatedRow row)
    {
        // Once per replicated row: one builder per thread, reused.
        var sb = (t_replicaIdBuilder ??= new StringBuilder(64)).Clear();
        var columns = row.Relation.Columns;
        for (var i = 0; i < columns.Length; i++)
        {
            if (columns[i].IsKey) AppendKeyValue(sb, row.Values[i].Value);
        }
        var id = sb.ToString();
        if (sb.Capacity > 4096) t_replicaIdBuilder = null;
        return id;
    }

    private static void AppendKeyValue(StringBuilder sb, SqliteValue value)
    {
        if (sb.Length > 0) sb.Append('|');
        Span<char> number = stackalloc char[24];
        int length;
        switch (value.Type)
        {
            case SqliteType.Null: sb.Append('n'); break;
            case SqliteType.Integer:
                value.AsInteger.TryFormat(number, out length, default, System.Globalization.CultureInfo.InvariantCulture);
                sb.Append('i').Append(number[..length]);
                break;
            case SqliteType.Real:
                BitConverter.DoubleToInt64Bits(value.AsReal).TryFormat(number, out length, default, System.Globalization.CultureInfo.InvariantCulture);
                sb.Append('r').Append(number[..length]);
                break;
            case SqliteType.Text: sb.Append('t').Append(value.AsText.Replace("\\", "\\\\", StringComparison.Ordinal).Replace("|", "\\|", StringComparison.Ordinal)); break;
            case SqliteType.Blob: sb.Append('b').Append(Convert.ToHexString(value.AsBlob)); break;
        }
    }
}
