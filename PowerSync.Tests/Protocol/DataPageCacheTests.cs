using NUnit.Framework;
using PowerSync.Core.Protocol;
using PowerSync.Core.Storage;
using PowerSync.Core.Storage.Sqlite;
using PowerSync.Tests.Storage;

namespace PowerSync.Tests.Protocol;

/// <summary>The shared page cache over a real SQLite bucket store.</summary>
[TestFixture]
public sealed class DataPageCacheTests
{
    private TempFolder _folder = null!;
    private StorageScope _scope = null!;
    private Checkpoint _checkpoint;

    [SetUp]
    public async Task SetUp()
    {
        _folder = new TempFolder("powersync-pages-");
        var storage = SqliteBucketStorage.Open(new SqliteBucketStorageOptions(Path.Combine(_folder.Path, "store.db"), FullSync: false));
        _scope = await StorageScope.StartAsync(storage);
        var data = "{\"description\":\"" + new string('x', 1000) + "\"}";
        for (var n = 0; n < 200; n++) await _scope.SaveAsync(StorageScope.Put($"r{n}", data, "b"));
        _checkpoint = await _scope.CommitAsync("0/1");
    }

    [TearDown]
    public async Task TearDown()
    {
        await _scope.DisposeAsync();
        _folder.Dispose();
    }

    [Test]
    public async Task Readers_of_one_page_share_one_load()
    {
        var cache = new DataPageCache(_scope.Storage.Reader);
        var position = new BucketPosition("b", OpId.Zero);

        var first = await cache.ReadAsync(_checkpoint, position, 50, 1 << 20, CancellationToken.None);
        var second = await cache.ReadAsync(_checkpoint, position, 50, 1 << 20, CancellationToken.None);

        Assert.That(second, Is.SameAs(first));
        Assert.That(first.Ops, Has.Count.EqualTo(50));
        Assert.That(cache.Count, Is.EqualTo(1));
    }

    [Test]
    public async Task A_download_larger_than_the_byte_budget_keeps_at_most_about_that_much_cached()
    {
        // Pages of 10 ops of about 1 KB of text each: about 22 KB counted per page against a 64 KB budget.
        var cache = new DataPageCache(_scope.Storage.Reader, maxEntries: 10_000, maxBytes: 64 * 1024);
        var position = new BucketPosition("b", OpId.Zero);
        var read = 0;
        var peak = 0L;
        while (true)
        {
            var page = await cache.ReadAsync(_checkpoint, position, 10, 1 << 20, CancellationToken.None);
            read += page.Ops.Count;
            peak = Math.Max(peak, cache.Bytes);
            Assert.That(cache.Count, Is.LessThanOrEqualTo(4), "the cache started over once past its budget");
            if (!page.HasMore) break;
            position = position with { After = page.NextAfter };
        }

        Assert.That(read, Is.EqualTo(200), "every op was read once");
        Assert.That(peak, Is.GreaterThanOrEqualTo(64 * 1024).And.LessThan(64 * 1024 + 25 * 1024));
    }
}
