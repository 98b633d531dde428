using System.Buffers.Text;
using System.Globalization;
using System.Runtime.CompilerServices;
using System.Text;
using System.Text.Json;

namespace PowerSync.Client.Sync;

/// <summary>
/// Reads a <c>{"data":{"bucket","data":[ops],"has_more"}}</c> line straight from UTF-8 in one forward
/// pass, allocating only the strings an op keeps. Any other line shape returns null (the caller
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
                var types = new TypeNames();
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
        if (ops is null) throw new FormatException("'data' is missing");
        return new DataLine(bucket, ops, hasMore, utf8.Length);
    }

    [MethodImpl(JitHints.Optimized)]
    private static OplogEntry ReadOp(ref Utf8JsonReader reader, ReadOnlySpan<byte> utf8, TypeNames types)
    {
        long? opId = null;
        OpKind? kind = null;
        string? type = null;
        byte[]? id = null, subkey = null, data = null;
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
            type, id, subkey, data,
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

    /// <summary>Per-line reading state: object types (ops of a line share a handful, so each is allocated once) and an unescaping buffer.</summary>
    private sealed class TypeNames
    {
        private byte[] _lastUtf8 = [];
        private byte[] _scratch = new byte[1024];
        private string? _last;

        public string? Read(ref Utf8JsonReader reader, ReadOnlySpan<byte> utf8)
        {
            reader.Read();
            if (reader.TokenType == JsonTokenType.String && !reader.ValueIsEscaped && _last is not null && reader.ValueSpan.SequenceEqual(_lastUtf8)) return _last;
            if (reader.TokenType != JsonTokenType.String || reader.ValueIsEscaped) return TextAt(ref reader, utf8);
            _lastUtf8 = reader.ValueSpan.ToArray();
            return _last = reader.GetString();
        }

        /// <summary>A string value as its unescaped UTF-8, null as null, anything else as its JSON text's UTF-8.</summary>
        public byte[]? ReadUtf8(ref Utf8JsonReader reader, ReadOnlySpan<byte> utf8)
        {
            reader.Read();
            switch (reader.TokenType)
            {
                case JsonTokenType.String when !reader.ValueIsEscaped:
                    return reader.ValueSpan.ToArray();
                case JsonTokenType.String:
                    if (_scratch.Length < reader.ValueSpan.Length) _scratch = new byte[Math.Max(reader.ValueSpan.Length, _scratch.Length * 2)];
                    return _scratch.AsSpan(0, reader.CopyString(_scratch)).ToArray();
                case JsonTokenType.Null:
                    return null;
                default:
                    var start = (int)reader.TokenStartIndex;
                    reader.Skip();
                    return utf8[start..(int)reader.BytesConsumed].ToArray();
            }
        }
    }
}
