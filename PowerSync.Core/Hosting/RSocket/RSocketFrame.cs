using System.Buffers.Binary;
using System.Text;

namespace PowerSync.Core.Hosting.RSocket;

/// <summary>RSocket 1.0 frame types (the 6 high bits of the type-and-flags field).</summary>
internal enum RSocketFrameType
{
    Setup = 0x01,
    Lease = 0x02,
    Keepalive = 0x03,
    RequestResponse = 0x04,
    RequestFireAndForget = 0x05,
    RequestStream = 0x06,
    RequestChannel = 0x07,
    RequestN = 0x08,
    Cancel = 0x09,
    Payload = 0x0A,
    Error = 0x0B,
    MetadataPush = 0x0C,
    Resume = 0x0D,
    ResumeOk = 0x0E,
    Extension = 0x3F,
}

/// <summary>RSocket flags (the 10 low bits); the meaning of 0x80 and 0x40 depends on the frame type.</summary>
internal static class RSocketFlags
{
    public const int Ignore = 0x200;
    public const int Metadata = 0x100;
    public const int Follows = 0x80;
    public const int Complete = 0x40;
    public const int Next = 0x20;

    /// <summary>KEEPALIVE: the peer must answer.</summary>
    public const int Respond = 0x80;

    /// <summary>SETUP: the client wants resumption.</summary>
    public const int Resume = 0x80;

    /// <summary>SETUP: the client wants leases.</summary>
    public const int Lease = 0x40;
}

/// <summary>RSocket error codes (ERROR frames).</summary>
internal static class RSocketErrorCodes
{
    public const uint InvalidSetup = 0x001;
    public const uint UnsupportedSetup = 0x002;
    public const uint RejectedSetup = 0x003;
    public const uint ConnectionError = 0x101;
    public const uint ConnectionClose = 0x102;
    public const uint ApplicationError = 0x201;
    public const uint Rejected = 0x202;
    public const uint Canceled = 0x203;
    public const uint Invalid = 0x204;
}

/// <summary>A frame that breaks the RSocket protocol: the connection ends with an ERROR frame of <see cref="Code"/>.</summary>
internal sealed class RSocketProtocolException(uint code, string message) : Exception(message)
{
    public uint Code { get; } = code;
}

/// <summary>
/// One RSocket frame as received over a WebSocket (one frame per binary message, no length prefix), with the fields
/// of the frames a sync client sends. Metadata and data are slices of the received message.
/// </summary>
internal sealed record RSocketFrame(int StreamId, RSocketFrameType Type, int Flags)
{
    public ReadOnlyMemory<byte>? Metadata { get; init; }

    public ReadOnlyMemory<byte> Data { get; init; }

    /// <summary>REQUEST_STREAM's initial request n, or REQUEST_N's n.</summary>
    public int RequestN { get; init; }

    /// <summary>ERROR's code.</summary>
    public uint ErrorCode { get; init; }

    /// <summary>SETUP's protocol version.</summary>
    public (int Major, int Minor) Version { get; init; }

    /// <summary>SETUP's keepalive interval and maximum lifetime, in milliseconds.</summary>
    public (int KeepaliveMs, int LifetimeMs) Keepalive { get; init; }

    public string MetadataMimeType { get; init; } = "";

    public string DataMimeType { get; init; } = "";

    public bool Has(int flag) => (Flags & flag) != 0;

    /// <summary>The length of a frame header: stream id, then type and flags.</summary>
    public const int HeaderLength = 6;

    /// <summary>Parses one frame; throws <see cref="RSocketProtocolException"/> when it is malformed.</summary>
    public static RSocketFrame Parse(ReadOnlyMemory<byte> message)
    {
        var span = message.Span;
        if (span.Length < HeaderLength) throw Malformed($"a frame of {span.Length} bytes is shorter than a frame header");
        var streamId = BinaryPrimitives.ReadInt32BigEndian(span) & 0x7FFFFFFF;
        var typeAndFlags = BinaryPrimitives.ReadUInt16BigEndian(span[4..]);
        var frame = new RSocketFrame(streamId, (RSocketFrameType)(typeAndFlags >> 10), typeAndFlags & 0x3FF);
        var body = message[HeaderLength..];
        return frame.Type switch
        {
            RSocketFrameType.Setup => ParseSetup(frame, body),
            RSocketFrameType.Keepalive => frame with { Data = Slice(body, 8, "KEEPALIVE") },
            RSocketFrameType.RequestStream => WithPayload(frame with { RequestN = ReadN(body.Span, "REQUEST_STREAM") }, Slice(body, 4, "REQUEST_STREAM")),
            RSocketFrameType.RequestN => frame with { RequestN = ReadN(body.Span, "REQUEST_N") },
            RSocketFrameType.Payload or RSocketFrameType.RequestResponse or RSocketFrameType.RequestFireAndForget => WithPayload(frame, body),
            RSocketFrameType.Error => frame with
            {
                ErrorCode = body.Length >= 4 ? BinaryPrimitives.ReadUInt32BigEndian(body.Span) : throw Malformed("an ERROR frame without its code"),
                Data = body[4..],
            },
            _ => frame with { Data = body },
        };
    }

    private static RSocketFrame ParseSetup(RSocketFrame frame, ReadOnlyMemory<byte> body)
    {
        var span = body.Span;
        if (span.Length < 12) throw new RSocketProtocolException(RSocketErrorCodes.InvalidSetup, "The SETUP frame is too short.");
        var offset = 12;
        if (frame.Has(RSocketFlags.Resume))
        {
            if (span.Length < offset + 2) throw new RSocketProtocolException(RSocketErrorCodes.InvalidSetup, "The SETUP frame's resume token is cut off.");
            offset += 2 + BinaryPrimitives.ReadUInt16BigEndian(span[offset..]);
        }
        var metadataMime = ReadMime(span, ref offset);
        var dataMime = ReadMime(span, ref offset);
        var setup = frame with
        {
            Version = (BinaryPrimitives.ReadUInt16BigEndian(span), BinaryPrimitives.ReadUInt16BigEndian(span[2..])),
            Keepalive = (BinaryPrimitives.ReadInt32BigEndian(span[4..]) & 0x7FFFFFFF, BinaryPrimitives.ReadInt32BigEndian(span[8..]) & 0x7FFFFFFF),
            MetadataMimeType = metadataMime,
            DataMimeType = dataMime,
        };
        return WithPayload(setup, body[offset..]);
    }

    private static string ReadMime(ReadOnlySpan<byte> span, ref int offset)
    {
        if (offset >= span.Length || offset + 1 + span[offset] > span.Length)
            throw new RSocketProtocolException(RSocketErrorCodes.InvalidSetup, "The SETUP frame's MIME types are cut off.");
        var mime = Encoding.ASCII.GetString(span.Slice(offset + 1, span[offset]));
        offset += 1 + span[offset];
        return mime;
    }

    /// <summary>Metadata (24-bit length first) when the frame has the metadata flag, then the data: the rest of the frame.</summary>
    private static RSocketFrame WithPayload(RSocketFrame frame, ReadOnlyMemory<byte> body)
    {
        if (!frame.Has(RSocketFlags.Metadata)) return frame with { Data = body };
        var span = body.Span;
        if (span.Length < 3) throw Malformed("the metadata length is cut off");
        var length = (span[0] << 16) | (span[1] << 8) | span[2];
        if (span.Length < 3 + length) throw Malformed($"the metadata ({length} bytes) is longer than the frame");
        return frame with { Metadata = body.Slice(3, length), Data = body[(3 + length)..] };
    }

    private static int ReadN(ReadOnlySpan<byte> body, string frame) =>
        body.Length >= 4 ? BinaryPrimitives.ReadInt32BigEndian(body) & 0x7FFFFFFF : throw Malformed($"a {frame} frame without its request n");

    private static ReadOnlyMemory<byte> Slice(ReadOnlyMemory<byte> body, int fixedLength, string frame) =>
        body.Length >= fixedLength ? body[fixedLength..] : throw Malformed($"a {frame} frame is too short");

    private static RSocketProtocolException Malformed(string what) =>
        new(RSocketErrorCodes.ConnectionError, $"Malformed RSocket frame: {what}.");

    /// <summary>Writes a frame header into the first <see cref="HeaderLength"/> bytes of <paramref name="destination"/>.</summary>
    public static void WriteHeader(Span<byte> destination, int streamId, RSocketFrameType type, int flags)
    {
        BinaryPrimitives.WriteInt32BigEndian(destination, streamId);
        BinaryPrimitives.WriteUInt16BigEndian(destination[4..], (ushort)(((int)type << 10) | (flags & 0x3FF)));
    }

    /// <summary>An ERROR frame: its code, then the message as UTF-8.</summary>
    public static byte[] Error(int streamId, uint code, string message)
    {
        var frame = new byte[HeaderLength + 4 + Encoding.UTF8.GetByteCount(message)];
        WriteHeader(frame, streamId, RSocketFrameType.Error, 0);
        BinaryPrimitives.WriteUInt32BigEndian(frame.AsSpan(HeaderLength), code);
        Encoding.UTF8.GetBytes(message, frame.AsSpan(HeaderLength + 4));
        return frame;
    }

    /// <summary>A KEEPALIVE frame (stream 0) answering one, or asking for an answer: position 0 (no resumption), then <paramref name="data"/>.</summary>
    public static byte[] KeepaliveFrame(bool respond, ReadOnlySpan<byte> data)
    {
        var frame = new byte[HeaderLength + 8 + data.Length];
        WriteHeader(frame, 0, RSocketFrameType.Keepalive, respond ? RSocketFlags.Respond : 0);
        data.CopyTo(frame.AsSpan(HeaderLength + 8));
        return frame;
    }

    /// <summary>A PAYLOAD frame with the COMPLETE flag and nothing in it: the stream has ended.</summary>
    public static byte[] Complete(int streamId)
    {
        var frame = new byte[HeaderLength];
        WriteHeader(frame, streamId, RSocketFrameType.Payload, RSocketFlags.Complete);
        return frame;
    }
}
