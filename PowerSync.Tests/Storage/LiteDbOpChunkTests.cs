using System.Buffers.Binary;
using LiteDB;
using NUnit.Framework;
using PowerSync.Core;
using PowerSync.Core.Storage;
using PowerSync.Core.Storage.LiteDb;
using PowerSync.Tests.Infrastructure;
using static PowerSync.Tests.Storage.StorageScope;

namespace PowerSync.Tests.Storage;

/// <summary>
/// The LiteDB store keeps a bucket's ops in chunks (<see cref="LiteDbOpChunks"/>): reads that start or end
/// inside a chunk, flushes that fill several chunks, and stores written one op per document before chunks.
/// </summary>
public sealed class LiteDbOpChunkTests
{
    private TempFolder _temp = null!;

    [SetUp]
    public void CreateFolder() => _temp = new TempFolder("powersync-litedb-chunks-");

    [TearDown]
    public void DeleteFolder() => _temp.Dispose();

    private string StorePath => Path.Combine(_temp.Path, "store.db");

    private LiteDbBucketStorage Open() => LiteDbBucketStorage.Open(new LiteDbBucketStorageOptions(StorePath, FullSync: false));

    [Test]
    public async Task A_flush_larger_than_a_chunk_reads_back_page_by_page_from_any_position()
    {
        await using var s = await StartAsync(Open());
        const int Rows = LiteDbOpChunks.MaxOps * 2 + 50;
        for (var i = 0; i < Rows; i++) await s.SaveAsync(Put($"r{i}", $"{{\"i\":{i}}}", "b[]"));
        var checkpoint = await s.CommitAsync("0/10");
        var chunks = ((LiteDbBucketStorage)s.Storage).Database.GetCollection(LiteDbKeys.Ops).Count() - 1;
        Assert.That(chunks, Is.EqualTo(3), "one flush of a bucket's ops fills chunks of at most MaxOps");

        var all = await s.ReadAllAsync(checkpoint, "b[]");
        Assert.That(all.Select(o => o.DataText), Is.EqualTo(Enumerable.Range(0, Rows).Select(i => $"{{\"i\":{i}}}")));
        Assert.That(all.Select(o => o.OpId.Value), Is.Ordered.Ascending);

        // Pages of 7 from positions inside and at the edges of chunks: each continues exactly after its position.
        foreach (var start in new[] { 0, 1, LiteDbOpChunks.MaxOps - 1, LiteDbOpChunks.MaxOps, Rows - 3 })
        {
            var after = start == 0 ? OpId.Zero : all[start - 1].OpId;
            var page = await s.Storage.Reader.ReadBucketPageAsync(checkpoint, new BucketPosition("b[]", after), 7, 1 << 20, default);
            Assert.That(page.Ops.Select(o => o.OpId), Is.EqualTo(all.Skip(start).Take(7).Select(o => o.OpId)), $"page after op {start}");
            Assert.That(page.HasMore, Is.EqualTo(start + 7 < Rows), $"more after op {start}");
        }
    }

    [Test]
    public async Task Large_ops_end_a_chunk_early_and_a_checkpoint_inside_a_chunk_reads_only_up_to_it()
    {
        await using var s = await StartAsync(Open());
        var large = new string('x', LiteDbOpChunks.MaxBytes / 3);
        for (var i = 0; i < 7; i++) await s.SaveAsync(Put($"r{i}", $"{{\"x\":\"{large}\"}}", "b[]"));
        var first = await s.CommitAsync("0/10");
        await s.SaveAsync(Put("r7", "{}", "b[]"));
        var second = await s.CommitAsync("0/20");
        Assert.That(((LiteDbBucketStorage)s.Storage).Database.GetCollection(LiteDbKeys.Ops).Count() - 1, Is.EqualTo(4),
            "three chunks of at most MaxBytes for the first commit, one for the second");

        Assert.That((await s.ReadAllAsync(first, "b[]")).Count, Is.EqualTo(7));
        Assert.That((await s.ReadAllAsync(second, "b[]")).Count, Is.EqualTo(8));
        var checksum = await s.ChecksumAsync(first, "b[]");
        Assert.That(checksum.Count, Is.EqualTo(7));
        Assert.That(checksum.Checksum, Is.EqualTo(BucketReducer.Reduce(await s.ReadAllAsync(first, "b[]")).Checksum));
    }

    [Test]
    public async Task A_store_written_one_op_per_document_reads_compacts_and_takes_new_writes_the_same()
    {
        Checkpoint checkpoint;
        List<OplogEntry> before;
        BucketChecksum checksumBefore;
        await using (var s = await StartAsync(Open()))
        {
            foreach (var i in new[] { 1, 2, 3, 1, 2 }) await s.SaveAsync(Put($"r{i}", $"{{\"v\":{i}}}", "b[]"));
            await s.SaveAsync(Delete("r3"));
            checkpoint = await s.CommitAsync("0/10");
            before = await s.ReadAllAsync(checkpoint, "b[]");
            checksumBefore = await s.ChecksumAsync(checkpoint, "b[]");
        }
        RewriteAsSchemaVersion1(StorePath);

        await using (var s = await StartAsync(Open()))
        {
            var meta = ((LiteDbBucketStorage)s.Storage).Database.GetCollection(LiteDbKeys.Meta).FindById("schema_version");
            Assert.That(meta["v"].AsInt32, Is.EqualTo(LiteDbSchema.Version), "opening marks the store with the current schema version");
            var after = await s.ReadAllAsync(checkpoint, "b[]");
            Assert.That(after.Select(Describe), Is.EqualTo(before.Select(Describe)), "ops read as they were written");
            Assert.That(await s.ChecksumAsync(checkpoint, "b[]"), Is.EqualTo(checksumBefore));

            await s.SaveAsync(Put("r4", "{\"v\":4}", "b[]"));
            var next = await s.CommitAsync("0/20");
            var expected = BucketReducer.Reduce(before.Concat(await s.ReadAllAsync(next, "b[]", checkpoint.OpId)));
            var result = await s.Storage.Compactor.CompactAsync(new CompactionOptions(), default);
            Assert.That(result.OpsMoved, Is.GreaterThan(0), "superseded ops of the old documents became MOVEs");
            Assert.That(result.OpsCleared, Is.GreaterThan(0), "the leading run of MOVEs and REMOVEs became one CLEAR");

            var compacted = await s.ReadAllAsync(next, "b[]");
            Assert.That(BucketReducer.Reduce(compacted).SameAs(expected), $"{BucketReducer.Reduce(compacted)} vs {expected}");
            var stored = await s.ChecksumAsync(next, "b[]");
            Assert.That(stored.Checksum, Is.EqualTo(expected.Checksum));
            Assert.That(stored.Count, Is.EqualTo(compacted.Count));
        }
    }

    private static string Describe(OplogEntry op) =>
        $"{op.OpId} {op.Op} {op.ObjectTypeText}/{op.ObjectIdText}/{op.SubkeyText} {op.DataText} {op.Checksum} {op.TargetOp}";

    /// <summary>Rewrites every chunk as one document per op with the op's parts as fields, and marks the store schema version 1: a store as written before chunks.</summary>
    private static void RewriteAsSchemaVersion1(string path)
    {
        using var database = new LiteDatabase(new ConnectionString { Filename = path, Connection = ConnectionType.Direct });
        var ops = database.GetCollection(LiteDbKeys.Ops);
        foreach (var chunk in ops.FindAll().Where(d => !d["p"].IsNull).ToList())
        {
            var key = chunk["_id"].AsBinary;
            ops.Delete(chunk["_id"]);
            foreach (var op in LiteDbOpChunks.ReadAll(chunk))
            {
                var opKey = (byte[])key.Clone();
                BinaryPrimitives.WriteInt64BigEndian(opKey.AsSpan(key.Length - 8), op.OpId.Value);
                var doc = new BsonDocument { ["_id"] = opKey, ["o"] = (int)op.Op, ["cs"] = (long)op.Checksum };
                if (op.ObjectType is not null) doc["ot"] = op.ObjectTypeText;
                if (op.ObjectId is not null) doc["oi"] = op.ObjectIdText;
                if (op.Subkey is not null) doc["sk"] = op.SubkeyText;
                if (op.Data is not null) doc["d"] = op.DataText;
                if (op.TargetOp is { } target) doc["t"] = target.Value;
                ops.Insert(doc);
            }
        }
        database.GetCollection(LiteDbKeys.Meta).Update(new BsonDocument { ["_id"] = "schema_version", ["v"] = 1 });
    }
}
