using System.Text;
using NUnit.Framework;
using PowerSync.Core;
using PowerSync.Core.Storage;
using PowerSync.Core.Storage.LiteDb;
using PowerSync.Tests.Infrastructure;
using static PowerSync.Tests.Storage.StorageScope;

namespace PowerSync.Tests.Storage;

/// <summary>
/// The LiteDB writer looks up only rows its key filter says may be stored (<see cref="LiteDbRowKeyFilter"/>):
/// the filter must never say "no" for a stored key, whether the key was there when the writer opened or written since.
/// </summary>
public sealed class LiteDbRowKeyFilterTests
{
    private static byte[] Key(string name) => Encoding.UTF8.GetBytes(name);

    [Test]
    public void Until_its_scan_finishes_every_key_may_be_stored()
    {
        var filter = new LiteDbRowKeyFilter();
        filter.Add(Key("added"));

        Assert.That(filter.IsComplete, Is.False);
        Assert.That(filter.MayContain(Key("never added")), Is.True);
    }

    [Test]
    public void After_its_scan_every_scanned_or_added_key_may_be_stored_and_few_others()
    {
        var filter = new LiteDbRowKeyFilter();
        // Enough keys to fill the first segment and go on in a larger one.
        const int Stored = 300_000;
        filter.Add(Key("written while scanning"));
        filter.Scan(() => Enumerable.Range(0, Stored).Select(i => Key($"stored {i}")), default);
        for (var i = 0; i < 1000; i++) filter.Add(Key($"written {i}"));

        Assert.That(filter.IsComplete, Is.True);
        Assert.That(Enumerable.Range(0, Stored).All(i => filter.MayContain(Key($"stored {i}"))), "every scanned key");
        Assert.That(Enumerable.Range(0, 1000).All(i => filter.MayContain(Key($"written {i}"))), "every key added after the scan");
        Assert.That(filter.MayContain(Key("written while scanning")), "a key added before the scan ended");
        var falseMaybes = Enumerable.Range(0, 100_000).Count(i => filter.MayContain(Key($"missing {i}")));
        Assert.That(falseMaybes, Is.LessThan(3000), "keys never added are mostly known missing");
    }

    [Test]
    public void A_scan_that_fails_or_is_cancelled_leaves_every_key_possibly_stored()
    {
        var failed = new LiteDbRowKeyFilter();
        failed.Scan(() => Enumerable.Range(0, 10).Select(i => i < 5 ? Key($"k{i}") : throw new LiteDB.LiteException(0, "closed")), default);
        var cancelled = new LiteDbRowKeyFilter();
        using var cts = new CancellationTokenSource();
        cancelled.Scan(() => Enumerable.Range(0, 10).Select(i =>
        {
            if (i == 5) cts.Cancel();
            return Key($"k{i}");
        }), cts.Token);

        foreach (var filter in new[] { failed, cancelled })
        {
            Assert.That(filter.IsComplete, Is.False);
            Assert.That(filter.MayContain(Key("k9")), Is.True);
        }
    }

    [Test]
    public async Task A_writer_opened_on_stored_rows_finds_them_once_its_scan_is_done()
    {
        using var temp = new TempFolder("powersync-litedb-filter-");
        await using var s = await StartAsync(LiteDbBucketStorage.Open(new LiteDbBucketStorageOptions(Path.Combine(temp.Path, "store.db"), FullSync: false)));
        for (var i = 0; i < 50; i++) await s.SaveAsync(Put($"r{i}", $"{{\"i\":{i}}}", "a[]"));
        var before = await s.CommitAsync("0/10");

        await s.ReopenWriterAsync();
        var writer = (LiteDbStorageWriter)s.Writer;
        await Eventually.WithTimeout(writer.RowKeysScanned, "the scan of the stored row keys");
        Assert.That(writer.RowKeys.IsComplete, Is.True);

        // Stored rows move, go and change; a new row comes: each stored one is found, so its old bucket gets a REMOVE.
        await s.SaveAsync(Put("r1", "{\"i\":1}", "b[]"));
        await s.SaveAsync(Delete("r2"));
        await s.SaveAsync(Put("r3", "{\"i\":33}", "a[]"));
        await s.SaveAsync(Put("new", "{}", "a[]"));
        var after = await s.CommitAsync("0/20");

        var changes = await s.ReadAllAsync(after, "a[]", before.OpId);
        Assert.That(changes.Select(o => (o.Op, o.ObjectIdText)), Is.EquivalentTo(new[]
        {
            (OpType.Remove, "r1"), (OpType.Remove, "r2"), (OpType.Put, "r3"), (OpType.Put, "new"),
        }));
        var rows = BucketReducer.Reduce(await s.ReadAllAsync(after, "a[]")).Rows;
        Assert.That(rows.Keys.Select(k => k.Item2), Is.EquivalentTo(Enumerable.Range(0, 50).Where(i => i is not (1 or 2)).Select(i => $"r{i}").Append("new")));
        Assert.That((await s.ReadAllAsync(after, "b[]")).Select(o => o.ObjectIdText), Is.EqualTo(new[] { "r1" }));
    }
}
