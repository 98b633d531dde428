using System.Buffers.Binary;
using MongoDB.Bson;
using MongoDB.Bson.Serialization;

namespace PowerSync.Tests.Infrastructure;

/// <summary>Reads a stream of concatenated BSON documents (BSON sync lines), each with a timeout, with MongoDB's reader.</summary>
internal sealed class BsonDocumentReader(Stream stream) : IDisposable
{
    public async Task<BsonDocument> NextAsync(int timeoutSeconds = 30)
    {
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(timeoutSeconds));
        var length = new byte[4];
        await stream.ReadExactlyAsync(length, timeout.Token);
        var document = new byte[BinaryPrimitives.ReadInt32LittleEndian(length)];
        length.CopyTo(document, 0);
        await stream.ReadExactlyAsync(document.AsMemory(4), timeout.Token);
        return BsonSerializer.Deserialize<BsonDocument>(document);
    }

    /// <summary>Parses one document (an RSocket payload's data).</summary>
    public static BsonDocument Parse(ReadOnlySpan<byte> document) => BsonSerializer.Deserialize<BsonDocument>(document.ToArray());

    public void Dispose() => stream.Dispose();
}
