using System.Text;

namespace PowerSync.Core.Storage;

/// <summary>
/// The compact layout of stored row memberships and raw rows: counts and lengths as 7-bit encoded
/// integers (as <see cref="BinaryWriter"/> writes them), strings as UTF-8. Written and read over spans.
/// </summary>
internal static class CompactBinary
{
    public static int StringSize(string value)
    {
        var length = Encoding.UTF8.GetByteCount(value);
        return VarIntSize(length) + length;
    }

    public static int VarIntSize(int value)
    {
        var size = 1;
        for (var v = (uint)value; v >= 0x80; v >>= 7) size++;
        return size;
    }

    public static void WriteVarInt(ref Span<byte> span, int value)
    {
        var v = (uint)value;
        var i = 0;
        for (; v >= 0x80; v >>= 7) span[i++] = (byte)(v | 0x80);
        span[i++] = (byte)v;
        span = span[i..];
    }

    public static void WriteString(ref Span<byte> span, string value)
    {
        WriteVarInt(ref span, Encoding.UTF8.GetByteCount(value));
        span = span[Encoding.UTF8.GetBytes(value, span)..];
    }

    public static int ReadVarInt(ref ReadOnlySpan<byte> span)
    {
        uint result = 0;
        for (var shift = 0; ; shift += 7)
        {
            if (shift > 28 || span.IsEmpty) throw new InvalidDataException("A stored row is corrupt (bad length).");
            var b = span[0];
            span = span[1..];
            result |= (uint)(b & 0x7F) << shift;
            if (b < 0x80) return checked((int)result);
        }
    }

    public static string ReadString(ref ReadOnlySpan<byte> span)
    {
        var length = ReadVarInt(ref span);
        if (length > span.Length) throw new InvalidDataException("A stored row is corrupt (a value runs past its end).");
        var value = Encoding.UTF8.GetString(span[..length]);
        span = span[length..];
        return value;
    }
}
