using System.Buffers;
using System.Buffers.Text;
using System.Text;
using PowerSync.Core.Storage;

namespace PowerSync.Core.Protocol;

/// <summary>
/// Writes a <c>data</c> sync line straight from the ops' UTF-8, the bulk of every download: no
/// .NET strings, no general JSON writer. Its bytes are those of the official service, which writes
/// lines with <c>JSON.stringify</c>: strings escape only <c>"</c>, <c>\</c> and control characters
/// (<c>\b \f \n \r \t</c>, the rest as lowercase <c>\u00xx</c>); everything else, non-ASCII included,
/// is sent as it is. Row data is a JSON string (<c>raw_data</c>) or, for legacy clients, the stored JSON itself.
/// </summary>
internal static class DataLineWriter
{
    private static readonly SearchValues<byte> MustEscape = SearchValues.Create(
        [.. Enumerable.Range(0, 0x20).Select(b => (byte)b), (byte)'"', (byte)'\\']);

    private static readonly byte[][] WireNames = BuildWireNames();

    /// <summary>Bytes reserved beside a string for its escapes before more is asked for.</summary>
    private const int EscapeRoom = 256;

    /// <summary>
    /// Bytes a line's closing part takes at most: <c>],"has_more":false,"after":"…","next_after":"…"}}\n</c>
    /// (48 bytes) with two op ids of up to 20 characters.
    /// </summary>
    internal const int MaxTailBytes = 88;

    [ThreadStatic]
    private static ArrayBufferWriter<byte>? t_op;

    /// <summary>
    /// Writes the page as one <c>data</c> line, or as several when it would be longer than <paramref name="maxLineBytes"/>:
    /// each line then ends before the op that would take it past the limit (a line of one op may be longer), with
    /// <c>has_more: true</c> and <c>next_after</c> its last op, and the next line starts <c>after</c> it, as the official
    /// service splits a bucket's ops into chunks. The last line ends as the page does.
    /// </summary>
    public static void Write(BucketDataPage page, bool rawData, ArrayBufferWriter<byte> output, int maxLineBytes = int.MaxValue)
    {
        var bucket = Encoding.UTF8.GetBytes(page.Bucket);
        var after = page.After.Value;
        var next = 0;
        do
        {
            var lineStart = output.WrittenCount;
            Append(output, "{\"data\":{\"bucket\":"u8);
            String(output, bucket);
            Append(output, ",\"data\":["u8);
            var opsInLine = 0;
            for (; next < page.Ops.Count; next++)
            {
                var op = page.Ops[next];
                if (maxLineBytes == int.MaxValue)
                {
                    WriteOp(output, op, rawData, opsInLine++ == 0);
                    continue;
                }
                // Written aside first: the op joins this line only if the line still ends within the limit.
                var scratch = t_op ??= new ArrayBufferWriter<byte>(1024);
                scratch.ResetWrittenCount();
                WriteOp(scratch, op, rawData, opsInLine == 0);
                if (opsInLine > 0 && output.WrittenCount - lineStart + scratch.WrittenCount + MaxTailBytes > maxLineBytes) break;
                Append(output, scratch.WrittenSpan);
                opsInLine++;
            }
            if (t_op is { Capacity: > 1024 * 1024 }) t_op = null;

            var last = next == page.Ops.Count;
            var nextAfter = opsInLine == 0 ? after : page.Ops[next - 1].OpId.Value;
            Append(output, !last || page.HasMore ? "],\"has_more\":true,\"after\":\""u8 : "],\"has_more\":false,\"after\":\""u8);
            Number(output, after);
            Append(output, "\",\"next_after\":\""u8);
            Number(output, nextAfter);
            Append(output, "\"}}\n"u8);
            after = nextAfter;
        }
        while (next < page.Ops.Count);
    }

    private static void WriteOp(ArrayBufferWriter<byte> output, OplogEntry op, bool rawData, bool first)
    {
        Append(output, first ? "{\"op_id\":\""u8 : ",{\"op_id\":\""u8);
        Number(output, op.OpId.Value);
        Append(output, "\",\"op\":\""u8);
        Append(output, WireName(op.Op));
        Append(output, "\""u8);
        var identified = op.Op is OpType.Put or OpType.Remove;
        if (identified)
        {
            Append(output, ",\"object_type\":"u8);
            String(output, op.ObjectType);
            Append(output, ",\"object_id\":"u8);
            String(output, op.ObjectId);
            Append(output, ",\"data\":"u8);
            if (op.Data is null) Append(output, "null"u8);
            else if (rawData) String(output, op.Data);
            else Append(output, op.Data);
        }
        Append(output, ",\"checksum\":"u8);
        Number(output, op.Checksum);
        if (identified)
        {
            Append(output, ",\"subkey\":"u8);
            String(output, op.Subkey);
        }
        Append(output, "}"u8);
    }

    /// <summary>A JSON string of UTF-8 text (valid UTF-8, as stored from .NET strings), or <c>null</c>.</summary>
    private static void String(ArrayBufferWriter<byte> output, byte[]? text)
    {
        if (text is null)
        {
            Append(output, "null"u8);
            return;
        }

        ReadOnlySpan<byte> utf8 = text;
        // Room for the text, the quotes and some escapes; more is asked for only when escapes use it up, so a
        // large value never reserves the worst case of 6 bytes (\u00xx) per byte.
        var dest = output.GetSpan(utf8.Length + 2 + EscapeRoom);
        var n = 0;
        dest[n++] = (byte)'"';
        while (true)
        {
            var i = utf8.IndexOfAny(MustEscape);
            var run = i < 0 ? utf8.Length : i;
            if (dest.Length - n < run + 7)
            {
                output.Advance(n);
                dest = output.GetSpan(utf8.Length + 7 + EscapeRoom);
                n = 0;
            }

            utf8[..run].CopyTo(dest[n..]);
            n += run;
            if (i < 0) break;
            n += Escape(utf8[i], dest[n..]);
            utf8 = utf8[(i + 1)..];
        }
        dest[n++] = (byte)'"';
        output.Advance(n);
    }

    private static int Escape(byte b, Span<byte> dest)
    {
        dest[0] = (byte)'\\';
        if (JsonStringifyEncoder.ShortEscape(b) is var letter and not 0)
        {
            dest[1] = letter;
            return 2;
        }

        dest[1] = (byte)'u';
        dest[2] = (byte)'0';
        dest[3] = (byte)'0';
        dest[4] = JsonStringifyEncoder.HexDigit(b >> 4);
        dest[5] = JsonStringifyEncoder.HexDigit(b & 0xF);
        return 6;
    }

    private static void Number(ArrayBufferWriter<byte> output, long value)
    {
        var dest = output.GetSpan(20);
        Utf8Formatter.TryFormat(value, dest, out var written);
        output.Advance(written);
    }

    private static void Append(ArrayBufferWriter<byte> output, ReadOnlySpan<byte> bytes)
    {
        bytes.CopyTo(output.GetSpan(bytes.Length));
        output.Advance(bytes.Length);
    }

    /// <summary>The op kind as the protocol names it (<c>PUT</c>, ...), as UTF-8.</summary>
    internal static byte[] WireName(OpType op) =>
        (int)op < WireNames.Length && WireNames[(int)op] is { } name
            ? name
            : throw new InvalidOperationException($"The store returned op kind {(int)op}, which is not PUT, REMOVE, MOVE or CLEAR.");

    private static byte[][] BuildWireNames()
    {
        var kinds = Enum.GetValues<OpType>();
        var names = new byte[kinds.Max(k => (int)k) + 1][];
        foreach (var kind in kinds) names[(int)kind] = Encoding.UTF8.GetBytes(kind.WireName());
        return names;
    }
}
