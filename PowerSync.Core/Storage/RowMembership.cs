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
        var bytes = new byte[EncodedSize()];
        Encode(bytes);
        return bytes;
    }

    /// <summary>The size of the encoding, for <see cref="Encode(Span{byte})"/>.</summary>
    public int EncodedSize()
    {
        var size = CompactBinary.VarIntSize(Buckets.Count) + CompactBinary.VarIntSize(Lookups.Count);
        foreach (var b in Buckets) size += CompactBinary.StringSize(b.Bucket) + CompactBinary.StringSize(b.ObjectType) + CompactBinary.StringSize(b.ObjectId);
        foreach (var l in Lookups) size += CompactBinary.StringSize(l);
        return size;
    }

    /// <summary>Encodes into the start of <paramref name="span"/>, which holds at least <see cref="EncodedSize"/> bytes.</summary>
    public void Encode(Span<byte> span)
    {
        // Same layout BinaryWriter produces (7-bit counts and lengths, UTF-8), written without streams.
        CompactBinary.WriteVarInt(ref span, Buckets.Count);
        foreach (var b in Buckets)
        {
            CompactBinary.WriteString(ref span, b.Bucket);
            CompactBinary.WriteString(ref span, b.ObjectType);
            CompactBinary.WriteString(ref span, b.ObjectId);
        }
        CompactBinary.WriteVarInt(ref span, Lookups.Count);
        foreach (var l in Lookups) CompactBinary.WriteString(ref span, l);
    }

    public static RowMembership Decode(ReadOnlySpan<byte> span)
    {
        var buckets = new BucketMembership[CompactBinary.ReadVarInt(ref span)];
        for (var i = 0; i < buckets.Length; i++)
            buckets[i] = new BucketMembership(CompactBinary.ReadString(ref span), CompactBinary.ReadString(ref span), CompactBinary.ReadString(ref span));
        var lookups = new string[CompactBinary.ReadVarInt(ref span)];
        for (var i = 0; i < lookups.Length; i++) lookups[i] = CompactBinary.ReadString(ref span);
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
        // SHA-256 of UTF-8 "table\0replicaId"; the first 16 bytes, as a version-5-shaped UUID.
        var length = Encoding.UTF8.GetMaxByteCount(table.Length + replicaId.Length + 1);
        byte[]? rented = null;
        var input = length <= 512 ? stackalloc byte[length] : (rented = System.Buffers.ArrayPool<byte>.Shared.Rent(length));
        var n = Encoding.UTF8.GetBytes(table, input);
        input[n++] = 0;
        n += Encoding.UTF8.GetBytes(replicaId, input[n..]);
        Span<byte> hash = stackalloc byte[SHA256.HashSizeInBytes];
        SHA256.HashData(input[..n], hash);
        if (rented is not null) System.Buffers.ArrayPool<byte>.Shared.Return(rented);
        hash[6] = (byte)((hash[6] & 0x0F) | 0x50);
        hash[8] = (byte)((hash[8] & 0x3F) | 0x80);
        UInt128 uuid = System.Buffers.Binary.BinaryPrimitives.ReadUInt128BigEndian(hash);
        return string.Create(36, uuid, static (span, value) =>
        {
            const string Hex = "0123456789abcdef";
            var digit = 31;
            for (var i = 35; i >= 0; i--)
            {
                if (i is 8 or 13 or 18 or 23)
                {
                    span[i] = '-';
                    continue;
                }
                span[i] = Hex[(int)((value >> ((31 - digit) * 4)) & 0xF)];
                digit--;
            }
        });
    }
}
