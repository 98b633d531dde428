using System.Buffers.Binary;
using System.Security.Cryptography;
using System.Text;
using LiteDB;

namespace PowerSync.Core.Storage.LiteDb;

/// <summary>
/// The store's document ids: binary keys that LiteDB orders byte by byte, so a version's rows, a bucket's
/// ops or a lookup's entries are one contiguous range of the <c>_id</c> index. Numbers are 8 bytes
/// big-endian (op ids sort numerically); names are their UTF-8 bytes followed by a 0 byte. A name that is
/// long (LiteDB caps index keys at 1023 bytes) or holds a 0 character is stored as 0xFF and its SHA-256
/// instead: 0xFF never occurs in UTF-8, so such a part never equals or prefixes a plain one.
/// </summary>
internal static class LiteDbKeys
{
    private const int MaxPlainPart = 200;

    public const string Meta = "meta";
    public const string Rules = "rules";
    public const string Progress = "progress";
    public const string Buckets = "buckets";
    public const string Ops = "ops";
    public const string Rows = "rows";
    public const string Parameters = "parameters";
    public const string Relations = "relations";
    public const string WriteCheckpoints = "write_checkpoints";
    public const string WriteCheckpointIds = "write_checkpoint_ids";

    /// <summary>A key of parts; each part is a number (8 bytes) or a name (string or raw bytes, then a 0 byte).</summary>
    public static BsonValue Of(params object[] parts)
    {
        var buffer = new List<byte>(64);
        var number = new byte[8];
        foreach (var part in parts)
        {
            switch (part)
            {
                case long n:
                    BinaryPrimitives.WriteInt64BigEndian(number, n);
                    buffer.AddRange(number);
                    break;
                case uint n:
                    BinaryPrimitives.WriteUInt32BigEndian(number, n);
                    buffer.AddRange(number.AsSpan(0, 4));
                    break;
                case string s:
                    AddName(buffer, Encoding.UTF8.GetBytes(s));
                    break;
                case byte[] b:
                    AddName(buffer, b);
                    break;
                default:
                    throw new ArgumentException($"A key part cannot be a {part?.GetType().Name ?? "null"}.", nameof(parts));
            }
        }
        return new BsonValue(buffer.ToArray());
    }

    /// <summary>The key (number, name, number), as <see cref="Of(object[])"/> makes it without its general path: an op's, written by the thousand.</summary>
    public static BsonValue Of(long first, string name, long last)
    {
        if (name.Length > MaxPlainPart || name.Contains('\0', StringComparison.Ordinal)) return Of([first, name, last]);
        var length = Encoding.UTF8.GetByteCount(name);
        if (length > MaxPlainPart) return Of([first, name, last]);
        var key = new byte[8 + length + 1 + 8];
        BinaryPrimitives.WriteInt64BigEndian(key, first);
        Encoding.UTF8.GetBytes(name, key.AsSpan(8));
        BinaryPrimitives.WriteInt64BigEndian(key.AsSpan(8 + length + 1), last);
        return new BsonValue(key);
    }

    /// <summary>The key (number, name, bytes), as <see cref="Of(object[])"/> makes it without its general path: a row's, written by the thousand.</summary>
    public static BsonValue Of(long first, string name, byte[] last)
    {
        if (name.Length > MaxPlainPart || name.Contains('\0', StringComparison.Ordinal) || last.Length > MaxPlainPart || Array.IndexOf(last, (byte)0) >= 0)
            return Of([first, name, last]);
        var length = Encoding.UTF8.GetByteCount(name);
        if (length > MaxPlainPart) return Of([first, name, last]);
        var key = new byte[8 + length + 1 + last.Length + 1];
        BinaryPrimitives.WriteInt64BigEndian(key, first);
        Encoding.UTF8.GetBytes(name, key.AsSpan(8));
        last.CopyTo(key, 8 + length + 1);
        return new BsonValue(key);
    }

    /// <summary>Keys (their bytes) compared by content, to find a key a query returned among the ones asked for.</summary>
    public static IEqualityComparer<byte[]> Comparer => ByteContent.Comparer;

    /// <summary>The range of every key that starts with <paramref name="prefix"/> (a key made by <see cref="Of(object[])"/>).</summary>
    public static (BsonValue Low, BsonValue High) Range(BsonValue prefix)
    {
        // Whatever follows a prefix starts below 0xFF, or is a hashed name (0xFF and 32 bytes of hash):
        // 41 bytes of 0xFF stay above all of them.
        var low = prefix.AsBinary;
        var high = new byte[low.Length + 41];
        low.CopyTo(high, 0);
        high.AsSpan(low.Length).Fill(0xFF);
        return (prefix, new BsonValue(high));
    }

    /// <summary>The number stored in the last 8 bytes of a key (an op id or write-checkpoint id).</summary>
    public static long LastNumber(BsonValue key) => BinaryPrimitives.ReadInt64BigEndian(key.AsBinary.AsSpan(key.AsBinary.Length - 8));

    /// <summary>A key without its last 8 bytes (an op id): what groups a row's entries.</summary>
    public static string WithoutLastNumber(BsonValue key) => Convert.ToBase64String(key.AsBinary, 0, key.AsBinary.Length - 8);

    private static void AddName(List<byte> buffer, byte[] name)
    {
        if (name.Length <= MaxPlainPart && Array.IndexOf(name, (byte)0) < 0)
        {
            buffer.AddRange(name);
        }
        else
        {
            buffer.Add(0xFF);
            buffer.AddRange(SHA256.HashData(name));
        }
        buffer.Add(0);
    }
}
