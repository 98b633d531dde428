using System.IO.Compression;
using System.Text;
using Microsoft.Extensions.Primitives;
using NUnit.Framework;
using PowerSync.Core.Hosting;

namespace PowerSync.Tests.Hosting;

/// <summary>How <c>/sync/stream</c> chooses its line format and compression, and how it packages compressed lines.</summary>
[TestFixture]
public sealed class SyncStreamPackagingTests
{
    [TestCase(null, false)]
    [TestCase("", false)]
    [TestCase("application/vnd.powersync.bson-stream;q=0.9,application/x-ndjson;q=0.8", true, TestName = "The JavaScript SDKs' Accept gets BSON")]
    [TestCase("application/vnd.powersync.bson-stream", true)]
    [TestCase("application/x-ndjson", false)]
    [TestCase("*/*", false, TestName = "A tie gives NDJSON")]
    [TestCase("application/x-ndjson, application/vnd.powersync.bson-stream", false)]
    [TestCase("application/*;q=0.5, application/vnd.powersync.bson-stream;q=0.4", false, TestName = "The most specific range decides each type's quality")]
    [TestCase("*/*;q=0.1, application/vnd.powersync.bson-stream", true)]
    [TestCase("application/vnd.powersync.bson-stream;q=0", false)]
    [TestCase("text/html", false, TestName = "Nothing acceptable gives NDJSON, not a 406")]
    [TestCase("APPLICATION/VND.POWERSYNC.BSON-STREAM", true)]
    public void Bson_is_chosen_only_when_the_accept_header_prefers_it(string? accept, bool bson) =>
        Assert.That(SyncStreamNegotiation.PrefersBson(new StringValues(accept)), Is.EqualTo(bson));

    [TestCase(null, false)]
    [TestCase("gzip, deflate", true, TestName = "The Node SDK's Accept-Encoding gets gzip")]
    [TestCase("gzip, deflate, br, zstd", true)]
    [TestCase("GZIP", true)]
    [TestCase("x-gzip", true)]
    [TestCase("*", true)]
    [TestCase("gzip;q=0", false, TestName = "gzip refused with q=0 is not sent")]
    [TestCase("identity", false)]
    [TestCase("br", false)]
    [TestCase("gzip;q=0.5, identity", false)]
    [TestCase("*;q=0, identity", false)]
    public void Gzip_is_chosen_when_accept_encoding_allows_it_at_least_as_much_as_identity(string? acceptEncoding, bool gzip) =>
        Assert.That(SyncStreamNegotiation.AcceptsGzip(new StringValues(acceptEncoding)), Is.EqualTo(gzip));

    [Test]
    public async Task Each_compressed_line_goes_out_in_one_write_that_decodes_to_every_line_so_far()
    {
        var response = new RecordingStream();
        var lines = new[] { "{\"checkpoint\":{}}\n", new string('x', 300_000) + "\n", "{\"checkpoint_complete\":{}}\n" };
        var compressor = new CompressedLineWriter(response);
        var sent = new StringBuilder();
        foreach (var line in lines)
        {
            var bytes = Encoding.UTF8.GetBytes(line);
            // A large line arrives in pieces, as data lines come from the page cache.
            for (var i = 0; i < bytes.Length; i += 65536)
                await compressor.WriteAsync(bytes.AsMemory(i, Math.Min(65536, bytes.Length - i)), CancellationToken.None);
            var writesBefore = response.Writes;
            await compressor.EndLineAsync(CancellationToken.None);
            sent.Append(line);

            Assert.That(response.Writes, Is.EqualTo(writesBefore + 1), "one write per line");
            Assert.That(Decompress(response.ToArray()), Is.EqualTo(sent.ToString()), "a sync flush ends every line");
        }
        await compressor.DisposeAsync();
        Assert.That(Decompress(response.ToArray(), complete: true), Is.EqualTo(sent.ToString()));
        Assert.That(response.Length, Is.LessThan(Encoding.UTF8.GetByteCount(sent.ToString()) / 50));
    }

    private static string Decompress(byte[] gzip, bool complete = false)
    {
        using var input = new GZipStream(new MemoryStream(gzip), CompressionMode.Decompress);
        var output = new MemoryStream();
        var buffer = new byte[65536];
        try
        {
            int read;
            while ((read = input.Read(buffer)) > 0) output.Write(buffer, 0, read);
        }
        catch (Exception e) when (!complete && e is InvalidDataException or EndOfStreamException)
        {
            // The stream has not ended yet: everything up to the last flush has been read.
        }
        return Encoding.UTF8.GetString(output.ToArray());
    }

    private sealed class RecordingStream : MemoryStream
    {
        public int Writes { get; private set; }

        public override ValueTask WriteAsync(ReadOnlyMemory<byte> buffer, CancellationToken cancellationToken = default)
        {
            Writes++;
            return base.WriteAsync(buffer, cancellationToken);
        }
    }
}
