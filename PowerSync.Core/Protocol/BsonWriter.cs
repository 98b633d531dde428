using System.Buffers;
using System.Buffers.Binary;
using System.Runtime.InteropServices;
using System.Text;

namespace PowerSync.Core.Protocol;

/// <summary>
/// The few BSON elements sync lines are made of, appended to a buffer: documents and arrays (their length
/// written when they end), UTF-8 strings, 32-bit integers, doubles, booleans and null. Numbers follow the
/// official service's serializer (the <c>bson</c> npm package): an integer that fits 32 bits is an int32,
/// any other number a double. Keys are the protocol's own ASCII names, or array indexes.
/// </summary>
internal readonly struct BsonWriter(ArrayBufferWriter<byte> output)
{
    private const byte Double = 0x01;
    private const byte Text = 0x02;
    private const byte Document = 0x03;
    private const byte Array = 0x04;
    private const byte Boolean = 0x08;
    private const byte Null = 0x0A;
    private const byte Int32 = 0x10;

    private static readonly byte[][] IndexKeys = [.. Enumerable.Range(0, 1024).Select(i => Encoding.ASCII.GetBytes(i.ToString(System.Globalization.CultureInfo.InvariantCulture)))];

    /// <summary>Starts the top-level document; returns where it starts, for <see cref="End"/>.</summary>
    public int StartDocument()
    {
        var start = output.WrittenCount;
        output.GetSpan(4);
        output.Advance(4);
        return start;
    }

    /// <summary>Starts an embedded document named <paramref name="key"/>.</summary>
    public int StartDocument(ReadOnlySpan<byte> key)
    {
        Element(Document, key, 0);
        return StartDocument();
    }

    /// <summary>Starts an array named <paramref name="key"/>; its elements are named by <see cref="Index"/>.</summary>
    public int StartArray(ReadOnlySpan<byte> key)
    {
        Element(Array, key, 0);
        return StartDocument();
    }

    /// <summary>Ends the document or array started at <paramref name="start"/>: its terminator, then its length.</summary>
    public void End(int start)
    {
        output.GetSpan(1)[0] = 0;
        output.Advance(1);
        var written = MemoryMarshal.AsMemory(output.WrittenMemory).Span;
        BinaryPrimitives.WriteInt32LittleEndian(written[start..], output.WrittenCount - start);
    }

    /// <summary>The key of array element <paramref name="i"/>.</summary>
    public static ReadOnlySpan<byte> Index(int i) =>
        i < IndexKeys.Length ? IndexKeys[i] : Encoding.ASCII.GetBytes(i.ToString(System.Globalization.CultureInfo.InvariantCulture));

    /// <summary>A string of UTF-8 bytes; null writes a BSON null.</summary>
    public void String(ReadOnlySpan<byte> key, byte[]? utf8)
    {
        if (utf8 is null)
        {
            Element(Null, key, 0);
            return;
        }
        String(key, (ReadOnlySpan<byte>)utf8);
    }

    public void String(ReadOnlySpan<byte> key, ReadOnlySpan<byte> utf8)
    {
        var dest = Element(Text, key, 4 + utf8.Length + 1);
        BinaryPrimitives.WriteInt32LittleEndian(dest, utf8.Length + 1);
        utf8.CopyTo(dest[4..]);
        dest[4 + utf8.Length] = 0;
    }

    public void String(ReadOnlySpan<byte> key, string text)
    {
        var length = Encoding.UTF8.GetByteCount(text);
        var dest = Element(Text, key, 4 + length + 1);
        BinaryPrimitives.WriteInt32LittleEndian(dest, length + 1);
        Encoding.UTF8.GetBytes(text, dest[4..]);
        dest[4 + length] = 0;
    }

    /// <summary>A decimal number as the string the protocol uses for op ids (<c>"123"</c>).</summary>
    public void DecimalString(ReadOnlySpan<byte> key, long value)
    {
        Span<byte> digits = stackalloc byte[20];
        System.Buffers.Text.Utf8Formatter.TryFormat(value, digits, out var length);
        String(key, digits[..length]);
    }

    /// <summary>An integer: int32 when it fits, else a double (as JavaScript numbers are serialized).</summary>
    public void Number(ReadOnlySpan<byte> key, long value)
    {
        if (value is >= int.MinValue and <= int.MaxValue)
        {
            BinaryPrimitives.WriteInt32LittleEndian(Element(Int32, key, 4), (int)value);
        }
        else
        {
            BinaryPrimitives.WriteDoubleLittleEndian(Element(Double, key, 8), value);
        }
    }

    public void Bool(ReadOnlySpan<byte> key, bool value) => Element(Boolean, key, 1)[0] = value ? (byte)1 : (byte)0;

    /// <summary>Writes the element's type and name and returns room for a value of <paramref name="valueBytes"/>.</summary>
    private Span<byte> Element(byte type, ReadOnlySpan<byte> key, int valueBytes)
    {
        var size = 1 + key.Length + 1 + valueBytes;
        var dest = output.GetSpan(size);
        dest[0] = type;
        key.CopyTo(dest[1..]);
        dest[1 + key.Length] = 0;
        output.Advance(size);
        // The value's bytes follow the name; the caller fills them (Advance is done: the span stays valid until the next GetSpan).
        return dest.Slice(2 + key.Length, valueBytes);
    }
}
