using System.Security.Cryptography;
using System.Text;

namespace PowerSync.Core.Storage;

/// <summary>A bucket a source row is in, as the row's client-side identity there.</summary>
internal readonly record struct BucketMembership(string Bucket, string ObjectType, string ObjectId);

/// <summary>
/// What a source row is in now: its buckets and parameter lookups. Stored per row so that a change
/// can emit REMOVEs for the buckets it left and retract the lookups it no longer produces.
/// Encoded compactly: counts and length-prefixed UTF-8 strings.
/// </summary>
internal sealed record RowMembership(IReadOnlyList<BucketMembership> Buckets, IReadOnlyList<string> Lookups)
{
    public static readonly RowMembership Empty = new([], []);

    public byte[] Encode()
    {
        using var stream = new MemoryStream();
        using (var writer = new BinaryWriter(stream, Encoding.UTF8, leaveOpen: true))
        {
            writer.Write7BitEncodedInt(Buckets.Count);
            foreach (var b in Buckets)
            {
                writer.Write(b.Bucket);
                writer.Write(b.ObjectType);
                writer.Write(b.ObjectId);
            }
            writer.Write7BitEncodedInt(Lookups.Count);
            foreach (var l in Lookups) writer.Write(l);
        }
        return stream.ToArray();
    }

    public static RowMembership Decode(byte[] bytes)
    {
        using var reader = new BinaryReader(new MemoryStream(bytes), Encoding.UTF8);
        var buckets = new BucketMembership[reader.Read7BitEncodedInt()];
        for (var i = 0; i < buckets.Length; i++)
            buckets[i] = new BucketMembership(reader.ReadString(), reader.ReadString(), reader.ReadString());
        var lookups = new string[reader.Read7BitEncodedInt()];
        for (var i = 0; i < lookups.Length; i++) lookups[i] = reader.ReadString();
        return new RowMembership(buckets, lookups);
    }
}

/// <summary>How a source row is keyed in storage and identified to clients.</summary>
internal static class SourceRowIdentity
{
    /// <summary>
    /// The stored key of a row within its table: the replica id's UTF-8 bytes. Kept as they are (not
    /// hashed) so rows arriving in primary-key order land on neighbouring pages.
    /// </summary>
    public static byte[] Key(string replicaId) => Encoding.UTF8.GetBytes(replicaId);

    /// <summary>
    /// The op subkey: opaque to clients, stable per source row, distinct across tables. Shaped as a
    /// UUID (version 5 bits) derived from a hash of table and replica id.
    /// </summary>
    public static string Subkey(string table, string replicaId)
    {
        Span<byte> uuid = stackalloc byte[SHA256.HashSizeInBytes];
        SHA256.HashData(Encoding.UTF8.GetBytes(table + "\0" + replicaId), uuid);
        uuid[6] = (byte)((uuid[6] & 0x0F) | 0x50);
        uuid[8] = (byte)((uuid[8] & 0x3F) | 0x80);
        var hex = Convert.ToHexStringLower(uuid[..16]);
        return string.Create(36, hex, static (span, h) =>
        {
            h.AsSpan(0, 8).CopyTo(span);
            span[8] = '-';
            h.AsSpan(8, 4).CopyTo(span[9..]);
            span[13] = '-';
            h.AsSpan(12, 4).CopyTo(span[14..]);
            span[18] = '-';
            h.AsSpan(16, 4).CopyTo(span[19..]);
            span[23] = '-';
            h.AsSpan(20, 12).CopyTo(span[24..]);
        });
    }
}
