using NUnit.Framework;
using PowerSync.Core;
using PowerSync.Core.Storage;

namespace PowerSync.Tests.Storage;

/// <summary>Write checkpoints: structured keys, bounded rows per key, counters that refuse to overflow, old rows still read.</summary>
public abstract partial class BucketStorageConformanceTests
{
    /// <summary>Writes a row as a store of the previous version did: under the single string <c>user/client</c>.</summary>
    private protected abstract void WriteLegacyWriteCheckpoint(IBucketStorage storage, string key, long id, Lsn lsn);

    [Test]
    public async Task Write_checkpoint_keys_keep_the_user_and_the_client_apart()
    {
        await using var s = await StartAsync();
        var store = s.Storage.WriteCheckpoints;
        // Concatenated, both were "alice/x/y" and shared one counter.
        Assert.That(await store.CreateAsync(new WriteCheckpointKey("alice/x", "y"), Lsn.Parse("0/10"), default), Is.EqualTo(1));
        Assert.That(await store.CreateAsync(new WriteCheckpointKey("alice", "x/y"), Lsn.Parse("0/10"), default), Is.EqualTo(1));
        Assert.That(await store.CreateAsync(new WriteCheckpointKey("alice/x/y", ""), Lsn.Parse("0/10"), default), Is.EqualTo(1));
        Assert.That(await store.RequestAsync(new WriteCheckpointKey("alice", "x/y"), 9, Lsn.Parse("0/20"), default), Is.EqualTo(9));
        Assert.That(await store.GetAsync(new WriteCheckpointKey("alice/x", "y"), Lsn.Parse("0/20"), default), Is.EqualTo(1));
        Assert.That(await store.GetAsync(new WriteCheckpointKey("alice", "x/y"), Lsn.Parse("0/20"), default), Is.EqualTo(9));
    }

    [Test]
    public async Task A_generated_write_checkpoint_id_refuses_to_pass_the_largest_id_instead_of_wrapping()
    {
        await using var s = await StartAsync();
        var store = s.Storage.WriteCheckpoints;
        var key = new WriteCheckpointKey("u1", "c1");
        Assert.That(await store.RequestAsync(key, long.MaxValue, Lsn.Parse("0/10"), default), Is.EqualTo(long.MaxValue));

        var ex = Assert.ThrowsAsync<PowerSyncException>(async () => await store.CreateAsync(key, Lsn.Parse("0/20"), default));
        Assert.That(ex!.Code, Is.EqualTo(StorageErrorCodes.WriteCheckpointExhausted));
        Assert.That(await store.GetAsync(key, Lsn.Parse("0/20"), default), Is.EqualTo(long.MaxValue));
        Assert.That(await store.RequestAsync(key, 5, Lsn.Parse("0/30"), default), Is.EqualTo(long.MaxValue));
    }

    [Test]
    public async Task A_write_checkpoint_key_keeps_only_its_two_newest_ids()
    {
        await using var s = await StartAsync();
        var store = s.Storage.WriteCheckpoints;
        var key = new WriteCheckpointKey("u1", "c1");
        for (var i = 1; i <= 5; i++) await store.CreateAsync(key, Lsn.Parse($"0/{i * 10:X}"), default);

        // Ids 1-3 are superseded by 4 for every checkpoint from its LSN on, which is every checkpoint to come.
        Assert.That(await store.GetAsync(key, Lsn.Parse("0/A"), default), Is.Null);
        Assert.That(await store.GetAsync(key, Lsn.Parse("0/28"), default), Is.EqualTo(4));
        Assert.That(await store.GetAsync(key, Lsn.Parse("0/32"), default), Is.EqualTo(5));
        Assert.That(await store.CreateAsync(key, Lsn.Parse("0/40"), default), Is.EqualTo(6));
    }

    [Test]
    public async Task Write_checkpoints_stored_under_the_old_single_string_key_are_still_read_and_continued()
    {
        var name = TestContext.CurrentContext.Test.ID;
        var key = new WriteCheckpointKey("u1", "c1");
        await using (var s = await StorageScope.StartAsync(OpenStorage(name)))
        {
            WriteLegacyWriteCheckpoint(s.Storage, "u1/c1", 40, Lsn.Parse("0/10"));
            WriteLegacyWriteCheckpoint(s.Storage, "u1/c1", 41, Lsn.Parse("0/20"));
            WriteLegacyWriteCheckpoint(s.Storage, "u2", 7, Lsn.Parse("0/20"));
        }

        await using (var s = await StorageScope.StartAsync(OpenStorage(name)))
        {
            var store = s.Storage.WriteCheckpoints;
            // A client waiting for 41 when the new version started still sees it; its next id continues after it.
            Assert.That(await store.GetAsync(key, Lsn.Parse("0/20"), default), Is.EqualTo(41));
            Assert.That(await store.GetAsync(new WriteCheckpointKey("u2", ""), Lsn.Parse("0/20"), default), Is.EqualTo(7));
            Assert.That(await store.CreateAsync(key, Lsn.Parse("0/30"), default), Is.EqualTo(42));
            Assert.That(await store.RequestAsync(new WriteCheckpointKey("u2", ""), 3, Lsn.Parse("0/30"), default), Is.EqualTo(7));
        }

        await using (var s = await StorageScope.StartAsync(OpenStorage(name)))
        {
            var store = s.Storage.WriteCheckpoints;
            Assert.That(await store.GetAsync(key, Lsn.Parse("0/25"), default), Is.EqualTo(41), "the old newest id stays the key's history");
            Assert.That(await store.GetAsync(key, Lsn.Parse("0/30"), default), Is.EqualTo(42));
        }
    }
}
