using System.Buffers;
using System.Buffers.Binary;
using System.Security.Cryptography;
using System.Text;

namespace PowerSync.Core.Storage;

/// <summary>
/// Op checksums exactly as PowerSync computes them: the first four bytes, little-endian, of the
/// SHA-256 of <c>put.{object_type}.{object_id}.{data}</c> (PUT) or <c>delete.{subkey}</c> (REMOVE).
/// A bucket's checksum is the sum of its ops' checksums mod 2^32.
/// </summary>
internal static class OpChecksum
{
    public static uint ForPut(string objectType, string objectId, string data) =>
        Hash("put.", objectType, ".", objectId, ".", data);

    public static uint ForRemove(string subkey) => Hash("delete.", subkey, "", "", "", "");

    /// <summary>Adds checksums mod 2^32.</summary>
    public static uint Add(uint a, uint b) => unchecked(a + b);

    private static uint Hash(string a, string b, string c, string d, string e, string f)
    {
        var length = Encoding.UTF8.GetMaxByteCount(a.Length + b.Length + c.Length + d.Length + e.Length + f.Length);
        byte[]? rented = null;
        var buffer = length <= 1024 ? stackalloc byte[length] : (rented = ArrayPool<byte>.Shared.Rent(length));
        try
        {
            var n = 0;
            foreach (var part in (ReadOnlySpan<string>)[a, b, c, d, e, f])
                n += Encoding.UTF8.GetBytes(part, buffer[n..]);
            Span<byte> hash = stackalloc byte[SHA256.HashSizeInBytes];
            SHA256.HashData(buffer[..n], hash);
            return BinaryPrimitives.ReadUInt32LittleEndian(hash);
        }
        finally
        {
            if (rented is not null) ArrayPool<byte>.Shared.Return(rented);
        }
    }
}
