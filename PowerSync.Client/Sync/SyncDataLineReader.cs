using System.Buffers;
using System.Buffers.Text;
using System.Globalization;
using System.Runtime.CompilerServices;
using System.Text;
using System.Text.Json;

namespace PowerSync.Client.Sync;

/// <summary>
/// Reads a <c>{"data":{"bucket","data":[ops],"has_more"}}</c> line straight from UTF-8 in one forward
/// pass. The ops' ids, subkeys and data are copied, unescaped, into one buffer rented from the shared pool
/// (the line's <see cref="DataLine.Rented"/>, returned once the line is stored), so a line costs the
/// collector its op array and object types, not three arrays per op. Any other line shape returns null (the caller
/// parses it as a document); a malformed data line throws.
/// </summary>
internal static class SyncDataLineReader
{
    // Hot for the whole download: optimized from the first call (no tier-0 pass over a large initial sync).
    [MethodImpl(JitHints.Optimized)]
    public static DataLine? TryRead(ReadOnlySpan<byte> utf8)
    {
        var reader = new Utf8JsonReader(utf8);
        if (!reader.Read() || reader.TokenType != JsonTokenType.StartObject) return null;
        if (!reader.Read() || reader.TokenType != JsonTokenType.PropertyName || !reader.ValueTextEquals("data"u8)) return null;
        if (!reader.Read() || reader.TokenType != JsonTokenType.StartObject) return null;
        string? bucket = null;
        var hasMore = false;
        List<OplogEntry>? ops = null;
        TypeNames? types = null;
        try
        {
            while (reader.Read() && reader.TokenType == JsonTokenType.PropertyName)
            {
                if (reader.ValueTextEquals("bucket"u8))
                {
                    reader.Read();
                    bucket = reader.GetString();
                }
                else if (reader.ValueTextEquals("has_more"u8))
                {
                    reader.Read();
                    hasMore = reader.TokenType == JsonTokenType.True;
                }
                else if (reader.ValueTextEquals("data"u8))
                {
                    reader.Read();
                    if (reader.TokenType != JsonTokenType.StartArray) throw new FormatException("'data' is not an array");
                    ops = [];
                    // The ops' text is copied (unescaped) into one buffer, never longer than the line it comes from.
                    types?.Dispose();
                    types = new TypeNames(utf8.Length);
                    while (reader.Read() && reader.TokenType == JsonTokenType.StartObject) ops.Add(ReadOp(ref reader, utf8, types));
                    if (reader.TokenType != JsonTokenType.EndArray) throw new FormatException("an op is not an object");
                }
                else
                {
                    reader.Read();
                    reader.Skip();
                }
            }

            // Anything after the data object (another top-level key) goes the document way.
            if (!reader.Read() || reader.TokenType != JsonTokenType.EndObject) return null;
            if (bucket is null) throw new FormatException("'bucket' is missing");
            if (ops is null || types is null) throw new FormatException("'data' is missing");
            var line = new DataLine(bucket, ops, hasMore, utf8.Length) { Rented = types.Text };
            types = null;
            return line;
        }
        finally
        {
            types?.Dispose();
        }
    }

    [MethodImpl(JitHints.Optimized)]
    private static OplogEntry ReadOp(ref Utf8JsonReader reader, ReadOnlySpan<byte> utf8, TypeNames types)
    {
        long? opId = null;
        OpKind? kind = null;
        string? type = null;
        (int, int) id = Null, subkey = Null, data = Null;
        uint? checksum = null;
        while (reader.Read() && reader.TokenType == JsonTokenType.PropertyName)
        {
            if (reader.ValueTextEquals("op_id"u8))
            {
                reader.Read();
                opId = OpId(ref reader);
            }
            else if (reader.ValueTextEquals("op"u8))
            {
                reader.Read();
                kind = reader.ValueTextEquals("PUT"u8) ? OpKind.Put
                    : reader.ValueTextEquals("REMOVE"u8) ? OpKind.Remove
                    : reader.ValueTextEquals("MOVE"u8) ? OpKind.Move
                    : reader.ValueTextEquals("CLEAR"u8) ? OpKind.Clear
                    : throw new FormatException($"unknown op '{(reader.TokenType == JsonTokenType.String ? reader.GetString() : "(not a string)")}'");
            }
            else if (reader.ValueTextEquals("object_type"u8)) type = types.Read(ref reader, utf8);
            else if (reader.ValueTextEquals("object_id"u8)) id = types.ReadUtf8(ref reader, utf8);
            else if (reader.ValueTextEquals("subkey"u8)) subkey = types.ReadUtf8(ref reader, utf8);
            else if (reader.ValueTextEquals("data"u8)) data = types.ReadUtf8(ref reader, utf8);
            else if (reader.ValueTextEquals("checksum"u8))
            {
                reader.Read();
                checksum = unchecked((uint)(reader.TokenType == JsonTokenType.String
                    ? long.Parse(reader.GetString()!, CultureInfo.InvariantCulture)
                    : reader.GetInt64()));
            }
            else
            {
                reader.Read();
                reader.Skip();
            }
        }

        return new OplogEntry(
            opId ?? throw new FormatException("'op_id' is missing"),
            kind ?? throw new FormatException("'op' is missing"),
            type, types.Text, id, subkey, data,
            checksum ?? throw new FormatException("'checksum' is missing"));
    }

    private static long OpId(ref Utf8JsonReader reader)
    {
        if (reader.TokenType != JsonTokenType.String) return reader.GetInt64();
        if (!reader.ValueIsEscaped && reader.ValueSpan is [>= (byte)'0' and <= (byte)'9', ..] digits
            && Utf8Parser.TryParse(digits, out long value, out var consumed) && consumed == digits.Length) return value;
        return long.Parse(reader.GetString()!, NumberStyles.None, CultureInfo.InvariantCulture);
    }

    /// <summary>A string value as is, null as null, anything else as its JSON text.</summary>
    private static string? TextAt(ref Utf8JsonReader reader, ReadOnlySpan<byte> utf8)
    {
        switch (reader.TokenType)
        {
            case JsonTokenType.String:
                return reader.GetString();
            case JsonTokenType.Null:
                return null;
            default:
                var start = (int)reader.TokenStartIndex;
                reader.Skip();
                return Encoding.UTF8.GetString(utf8[start..(int)reader.BytesConsumed]);
        }
    }

    /// <summary>The range of a null value.</summary>
    private static readonly (int, int) Null = (0, -1);

    /// <summary>
    /// Per-line reading state: object types (ops of a line share a handful, so each is allocated once) and the
    /// buffer, rented from the shared pool, that holds the ops' ids, subkeys and data one after another.
    /// </summary>
    private sealed class TypeNames(int capacity) : IDisposable
    {
        private byte[] _lastUtf8 = [];
        private string? _last;
        private int _used;

        public byte[]? Text { get; private set; } = ArrayPool<byte>.Shared.Rent(Math.Max(capacity, 16));

        public string? Read(ref Utf8JsonReader reader, ReadOnlySpan<byte> utf8)
        {
            reader.Read();
            if (reader.TokenType == JsonTokenType.String && !reader.ValueIsEscaped && _last is not null && reader.ValueSpan.SequenceEqual(_lastUtf8)) return _last;
            if (reader.TokenType != JsonTokenType.String || reader.ValueIsEscaped) return TextAt(ref reader, utf8);
            _lastUtf8 = reader.ValueSpan.ToArray();
            return _last = reader.GetString();
        }

        /// <summary>
        /// A string value as its unescaped UTF-8, null as null, anything else as its JSON text's UTF-8, copied
        /// into the line's buffer; its range there. Each value takes at most the bytes of its token in the
        /// line, so the buffer (as long as the line) always has room.
        /// </summary>
        [MethodImpl(JitHints.Optimized)]
        public (int Start, int Length) ReadUtf8(ref Utf8JsonReader reader, ReadOnlySpan<byte> utf8)
        {
            reader.Read();
            var text = Text!;
            int length;
            switch (reader.TokenType)
            {
                case JsonTokenType.String when !reader.ValueIsEscaped:
                    reader.ValueSpan.CopyTo(text.AsSpan(_used));
                    length = reader.ValueSpan.Length;
                    break;
                case JsonTokenType.String:
                    length = reader.CopyString(text.AsSpan(_used));
                    break;
                case JsonTokenType.Null:
                    return Null;
                default:
                    var start = (int)reader.TokenStartIndex;
                    reader.Skip();
                    var json = utf8[start..(int)reader.BytesConsumed];
                    json.CopyTo(text.AsSpan(_used));
                    length = json.Length;
                    break;
            }

            _used += length;
            return (_used - length, length);
        }

        /// <summary>Returns the buffer to the pool (a line that was not built, or failed).</summary>
        public void Dispose()
        {
            if (Text is { } text) ArrayPool<byte>.Shared.Return(text);
            Text = null;
        }
    }
}
