using System.Text;

namespace PowerSync.Core.Replication;

/// <summary>
/// The stored form of a source row, kept so that a later update whose unchanged TOAST values
/// Postgres did not resend can be completed: column names and typed SQLite values, length-prefixed.
/// </summary>
internal static class RawRowCodec
{
    public static byte[] Encode(IReadOnlyDictionary<string, SqliteValue> row)
    {
        using var stream = new MemoryStream();
        using (var writer = new BinaryWriter(stream, Encoding.UTF8, leaveOpen: true))
        {
            writer.Write7BitEncodedInt(row.Count);
            foreach (var (name, value) in row)
            {
                writer.Write(name);
                writer.Write((byte)value.Type);
                switch (value.Type)
                {
                    case SqliteType.Integer: writer.Write(value.AsInteger); break;
                    case SqliteType.Real: writer.Write(value.AsReal); break;
                    case SqliteType.Text: writer.Write(value.AsText); break;
                    case SqliteType.Blob:
                        writer.Write7BitEncodedInt(value.AsBlob.Length);
                        writer.Write(value.AsBlob);
                        break;
                }
            }
        }
        return stream.ToArray();
    }

    public static Dictionary<string, SqliteValue> Decode(byte[] bytes)
    {
        using var reader = new BinaryReader(new MemoryStream(bytes), Encoding.UTF8);
        var count = reader.Read7BitEncodedInt();
        var row = new Dictionary<string, SqliteValue>(count, StringComparer.Ordinal);
        for (var i = 0; i < count; i++)
        {
            var name = reader.ReadString();
            row[name] = (SqliteType)reader.ReadByte() switch
            {
                SqliteType.Integer => SqliteValue.FromInteger(reader.ReadInt64()),
                SqliteType.Real => SqliteValue.FromReal(reader.ReadDouble()),
                SqliteType.Text => SqliteValue.FromText(reader.ReadString()),
                SqliteType.Blob => SqliteValue.FromBlob(reader.ReadBytes(reader.Read7BitEncodedInt())),
                _ => SqliteValue.Null,
            };
        }
        return row;
    }

    /// <summary>
    /// The text that identifies a row within its table: its replica identity values, typed, in column
    /// order. Equal keys give equal text; an INTEGER 1 and a TEXT '1' differ.
    /// </summary>
    public static string ReplicaId(IEnumerable<KeyValuePair<string, SqliteValue>> keyValues)
    {
        var sb = new StringBuilder();
        foreach (var (_, value) in keyValues)
        {
            if (sb.Length > 0) sb.Append('|');
            switch (value.Type)
            {
                case SqliteType.Null: sb.Append('n'); break;
                case SqliteType.Integer: sb.Append('i').Append(value.AsInteger.ToString(System.Globalization.CultureInfo.InvariantCulture)); break;
                case SqliteType.Real: sb.Append('r').Append(BitConverter.DoubleToInt64Bits(value.AsReal).ToString(System.Globalization.CultureInfo.InvariantCulture)); break;
                case SqliteType.Text: sb.Append('t').Append(value.AsText.Replace("\\", "\\\\", StringComparison.Ordinal).Replace("|", "\\|", StringComparison.Ordinal)); break;
                case SqliteType.Blob: sb.Append('b').Append(Convert.ToHexString(value.AsBlob)); break;
            }
        }
        return sb.ToString();
    }
}
