using NUnit.Framework;
using PowerSync.Core;
using PowerSync.Core.Protocol;
using PowerSync.Core.Storage;
using static PowerSync.Tests.Protocol.FixedBucketResolver;
using static PowerSync.Tests.Storage.StorageScope;

namespace PowerSync.Tests.Protocol;

public sealed class SyncSessionTests
{
    private static string Subkey(string id) => SourceRowIdentity.Subkey("public.test", id);

    [Test]
    public async Task First_sync_sends_the_official_line_sequence()
    {
        await using var h = await SessionHarness.StartAsync();
        h.Resolver.Set(Bucket("mybucket[]"));
        await h.Scope.SaveAsync(Put("t1", """{"id":"t1","description":"Test 1"}""", "mybucket[]"));
        await h.Scope.SaveAsync(Put("t2", """{"id":"t2","description":"Test 2"}""", "mybucket[]"));
        await h.Scope.CommitAsync("0/10");
        h.Connect();

        // Same values as the official service's "sync global data" snapshot (subkeys are opaque and our own).
        Assert.That(await h.NextAsync(), Is.EqualTo(
            """{"checkpoint":{"last_op_id":"2","buckets":[{"bucket":"mybucket[]","checksum":-93886621,"count":2,"priority":3,"subscriptions":[{"default":0}]}],"streams":[{"name":"mybucket","is_default":true,"errors":[]}]}}"""));
        Assert.That(await h.NextAsync(), Is.EqualTo(
            "{\"data\":{\"bucket\":\"mybucket[]\",\"data\":[" +
            $$"""{"op_id":"1","op":"PUT","object_type":"test","object_id":"t1","data":"{\"id\":\"t1\",\"description\":\"Test 1\"}","checksum":920318466,"subkey":"{{Subkey("t1")}}"},""" +
            $$"""{"op_id":"2","op":"PUT","object_type":"test","object_id":"t2","data":"{\"id\":\"t2\",\"description\":\"Test 2\"}","checksum":3280762209,"subkey":"{{Subkey("t2")}}"}""" +
            "],\"has_more\":false,\"after\":\"0\",\"next_after\":\"2\"}}"));
        Assert.That(await h.NextAsync(), Is.EqualTo("""{"checkpoint_complete":{"last_op_id":"2"}}"""));
    }

    [Test]
    public async Task An_incremental_change_sends_a_diff_and_only_the_new_ops()
    {
        await using var h = await SessionHarness.StartAsync();
        h.Resolver.Set(Bucket("a[]"), Bucket("b[]"));
        await h.Scope.SaveAsync(Put("r1", "{}", "a[]"));
        await h.Scope.SaveAsync(Put("r2", "{}", "b[]"));
        await h.Scope.CommitAsync("0/10");
        h.Connect();
        for (var i = 0; i < 4; i++) await h.NextAsync(); // checkpoint, data a, data b, complete

        await h.Scope.SaveAsync(Put("r1", """{"v":2}""", "a[]"));
        await h.Scope.CommitAsync("0/20");

        var diff = await h.NextAsync();
        Assert.That(diff, Does.StartWith("""{"checkpoint_diff":{"last_op_id":"3","removed_buckets":[],"updated_buckets":[{"bucket":"a[]","""));
        Assert.That(diff, Does.Not.Contain("b[]"));
        var data = await h.NextAsync();
        Assert.That(data, Does.Contain("\"op_id\":\"3\"").And.Contain("\"after\":\"1\"").And.Contain("\"next_after\":\"3\"").And.Not.Contain("\"op_id\":\"1\""));
        Assert.That(await h.NextAsync(), Is.EqualTo("""{"checkpoint_complete":{"last_op_id":"3"}}"""));
    }

    [Test]
    public async Task A_checkpoint_that_changes_nothing_for_this_client_is_not_sent()
    {
        await using var h = await SessionHarness.StartAsync();
        h.Resolver.Set(Bucket("mine[]"));
        await h.Scope.SaveAsync(Put("r1", "{}", "mine[]"));
        await h.Scope.CommitAsync("0/10");
        h.Connect();
        for (var i = 0; i < 3; i++) await h.NextAsync();

        var next = h.NextAsync(); // the session runs while its next line is awaited
        await h.Scope.SaveAsync(Put("other", "{}", "theirs[]"));
        var unrelated = await h.Scope.CommitAsync("0/20");
        await h.Resolver.EvaluatedAsync(unrelated.OpId);
        await h.Scope.SaveAsync(Put("r1", """{"v":2}""", "mine[]"));
        var related = await h.Scope.CommitAsync("0/30");

        Assert.That(await next, Does.StartWith($"{{\"checkpoint_diff\":{{\"last_op_id\":\"{related.OpId}\""));
    }

    [Test]
    public async Task A_bucket_the_client_no_longer_has_is_listed_as_removed()
    {
        await using var h = await SessionHarness.StartAsync();
        h.Resolver.Set(Bucket("list[\"a\"]"), Bucket("list[\"b\"]"));
        await h.Scope.SaveAsync(Put("r1", "{}", "list[\"a\"]"));
        await h.Scope.SaveAsync(Put("r2", "{}", "list[\"b\"]"));
        await h.Scope.CommitAsync("0/10");
        h.Connect();
        for (var i = 0; i < 4; i++) await h.NextAsync();

        h.Resolver.Set(Bucket("list[\"a\"]"));
        await h.Scope.Writer.KeepaliveAsync(Lsn.Parse("0/20"), default);

        Assert.That(await h.NextAsync(), Is.EqualTo("""{"checkpoint_diff":{"last_op_id":"2","removed_buckets":["list[\"b\"]"],"updated_buckets":[]}}"""));
        Assert.That(await h.NextAsync(), Is.EqualTo("""{"checkpoint_complete":{"last_op_id":"2"}}"""));
    }

    [Test]
    public async Task Higher_priority_buckets_come_first_with_a_partial_checkpoint_complete()
    {
        await using var h = await SessionHarness.StartAsync();
        h.Resolver.Set(Bucket("low[]", 3), Bucket("urgent[]", 0), Bucket("mid[]", 1));
        await h.Scope.SaveAsync(Put("r1", "{}", "low[]"));
        await h.Scope.SaveAsync(Put("r2", "{}", "urgent[]"));
        await h.Scope.SaveAsync(Put("r3", "{}", "mid[]"));
        await h.Scope.CommitAsync("0/10");
        h.Connect();

        Assert.That(await h.NextAsync(), Does.StartWith("{\"checkpoint\":"));
        Assert.That(await h.NextAsync(), Does.StartWith("{\"data\":{\"bucket\":\"urgent[]\""));
        Assert.That(await h.NextAsync(), Is.EqualTo("""{"partial_checkpoint_complete":{"last_op_id":"3","priority":0}}"""));
        Assert.That(await h.NextAsync(), Does.StartWith("{\"data\":{\"bucket\":\"mid[]\""));
        Assert.That(await h.NextAsync(), Is.EqualTo("""{"partial_checkpoint_complete":{"last_op_id":"3","priority":1}}"""));
        Assert.That(await h.NextAsync(), Does.StartWith("{\"data\":{\"bucket\":\"low[]\""));
        Assert.That(await h.NextAsync(), Is.EqualTo("""{"checkpoint_complete":{"last_op_id":"3"}}"""));
    }

    [Test]
    public async Task A_long_download_is_abandoned_for_a_newer_checkpoint_that_affects_the_client()
    {
        await using var h = await SessionHarness.StartAsync();
        h.Resolver.Set(Bucket("big[]"));
        for (var i = 0; i < 2500; i++) await h.Scope.SaveAsync(Put($"r{i}", "{}", "big[]"));
        await h.Scope.CommitAsync("0/10");
        h.Connect();
        Assert.That(await h.NextAsync(), Does.StartWith("{\"checkpoint\":{\"last_op_id\":\"2500\""));
        Assert.That(await h.NextAsync(), Does.Contain("\"has_more\":true").And.Contain("\"next_after\":\"1000\""));

        await h.Scope.SaveAsync(Put("r0", """{"v":2}""", "big[]"));
        await h.Scope.CommitAsync("0/20");

        Assert.That(await h.NextAsync(), Does.StartWith("{\"checkpoint_diff\":{\"last_op_id\":\"2501\""), "no checkpoint_complete for the abandoned checkpoint");
        Assert.That(await h.NextAsync(), Does.Contain("\"after\":\"1000\""), "the download resumes where it stopped");
        Assert.That(await h.NextAsync(), Does.Contain("\"after\":\"2000\""));
        Assert.That(await h.NextAsync(), Is.EqualTo("""{"checkpoint_complete":{"last_op_id":"2501"}}"""));
    }

    [Test]
    public async Task A_write_checkpoint_is_announced_once_the_checkpoint_covers_its_lsn_and_again_after_a_reconnect()
    {
        await using var h = await SessionHarness.StartAsync();
        h.Resolver.Set(Bucket("a[]"));
        await h.Scope.SaveAsync(Put("r1", "{}", "a[]"));
        await h.Scope.CommitAsync("0/10");
        h.Connect(request: SessionHarness.Request("""{"raw_data":true,"client_id":"c1"}"""));
        for (var i = 0; i < 3; i++) await h.NextAsync();

        await h.Scope.Storage.WriteCheckpoints.RequestAsync(new WriteCheckpointKey("user-1", "c1"), 7, Lsn.Parse("0/30"), default);
        var next = h.NextAsync();
        await h.Scope.Writer.KeepaliveAsync(Lsn.Parse("0/20"), default);
        await h.Resolver.EvaluatedCountAsync(2);
        await h.Scope.Writer.KeepaliveAsync(Lsn.Parse("0/30"), default);

        Assert.That(await next, Is.EqualTo("""{"checkpoint_diff":{"last_op_id":"1","write_checkpoint":"7","removed_buckets":[],"updated_buckets":[]}}"""));
        Assert.That(await h.NextAsync(), Is.EqualTo("""{"checkpoint_complete":{"last_op_id":"1"}}"""));

        h.Connect(request: SessionHarness.Request("""{"raw_data":true,"client_id":"c1","buckets":[{"name":"a[]","after":"1"}]}"""));
        Assert.That(await h.NextAsync(), Does.StartWith("""{"checkpoint":{"last_op_id":"1","write_checkpoint":"7","""));
        Assert.That(await h.NextAsync(), Is.EqualTo("""{"checkpoint_complete":{"last_op_id":"1"}}"""), "the client already has op 1");
    }

    [Test]
    public async Task An_expired_token_gets_only_the_expiry_line()
    {
        await using var h = await SessionHarness.StartAsync();
        h.Connect(user: SessionHarness.User(TimeSpan.FromSeconds(-1)));
        Assert.That(await h.NextAsync(), Is.EqualTo("""{"token_expires_in":0}"""));
        Assert.That(await h.NextAsync(), Is.Null);
    }

    [Test]
    public async Task Keepalives_count_down_and_the_stream_ends_when_the_token_expires()
    {
        await using var h = await SessionHarness.StartAsync();
        // The session's clock moves only here, so a slow machine cannot skip keepalives: each time the
        // session arms its wait, the clock moves past the longest jittered interval (330 ms).
        var clock = new ManualTimeProvider();
        h.Connect(user: SessionHarness.User(TimeSpan.FromSeconds(2), now: clock.GetUtcNow()),
            options: new SyncSessionOptions(KeepaliveInterval: TimeSpan.FromMilliseconds(300)), time: clock);

        var keepalives = new List<string>();
        var timers = 0;
        while (true)
        {
            var next = h.NextAsync();
            while (await Task.WhenAny(next, clock.WhenTimersCreated(timers + 1)) != next)
            {
                timers++;
                clock.Advance(TimeSpan.FromMilliseconds(330));
            }

            if (await next is not { } line) break;
            keepalives.Add(line);
        }

        Assert.That(keepalives, Has.Count.GreaterThanOrEqualTo(3));
        Assert.That(keepalives[^1], Is.EqualTo("""{"token_expires_in":0}"""));
        Assert.That(keepalives.SkipLast(1), Has.All.Match("""^\{"token_expires_in":[12]\}$"""));
    }

    [Test]
    public async Task Too_many_buckets_fail_the_stream_with_PSYNC_S2305()
    {
        await using var h = await SessionHarness.StartAsync();
        h.Resolver.Set([.. Enumerable.Range(0, 5).Select(i => Bucket($"b[{i}]"))]);
        await h.Scope.SaveAsync(Put("r1", "{}", "b[0]"));
        await h.Scope.CommitAsync("0/10");
        h.Connect(options: new SyncSessionOptions(MaxBucketsPerConnection: 4));

        var ex = Assert.ThrowsAsync<PowerSyncException>(async () => await h.NextAsync());
        Assert.That(ex!.Code, Is.EqualTo(ProtocolErrorCodes.TooManyBuckets));
        Assert.That(ex.Message, Does.Contain("5 buckets").And.Contain("limit is 4"));
    }

    /// <summary>
    /// Hands out one checkpoint, then waits; once cancelled it holds its pending read open until released, as a
    /// read does whose cancellation continuation has not run yet (the window of the disconnect race).
    /// </summary>
    private sealed class SlowToCancelWatcher(Checkpoint first) : ICheckpointWatcher
    {
        public TaskCompletionSource Cancelled { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);
        public TaskCompletionSource Release { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);

        public async IAsyncEnumerable<Checkpoint> WatchAsync([System.Runtime.CompilerServices.EnumeratorCancellation] CancellationToken ct)
        {
            yield return first;
            try
            {
                await Task.Delay(Timeout.Infinite, ct);
            }
            catch (OperationCanceledException)
            {
                Cancelled.TrySetResult();
                await Release.Task;
                throw;
            }
        }
    }

    [Test]
    public async Task A_session_disposed_while_its_checkpoint_read_is_pending_waits_for_that_read_instead_of_failing()
    {
        await using var h = await SessionHarness.StartAsync();
        h.Resolver.Set(Bucket("a[]"));
        await h.Scope.SaveAsync(Put("r1", "{}", "a[]"));
        var checkpoint = await h.Scope.CommitAsync("0/10");
        var watcher = new SlowToCancelWatcher(checkpoint);
        var services = new SyncSessionServices(h.Scope.Storage.Reader, watcher, h.Scope.Storage.WriteCheckpoints, h.Resolver, TimeProvider.System);
        using var disconnect = new CancellationTokenSource();
        var lines = new SyncSession(services, SessionHarness.User(), SessionHarness.Request(), new SyncSessionOptions()).RunAsync(disconnect.Token).GetAsyncEnumerator();
        do Assert.That(await lines.MoveNextAsync(), Is.True);
        while (lines.Current is not CheckpointCompleteLine);

        // The client goes away while the session waits for the next checkpoint: the wait wakes with a
        // keepalive, and the consumer (whose write fails) disposes the session with the read still pending.
        var waiting = lines.MoveNextAsync();
        await disconnect.CancelAsync();
        Assert.That(await waiting, Is.True);
        Assert.That(lines.Current, Is.InstanceOf<KeepaliveLine>());
        await watcher.Cancelled.Task.WaitAsync(TimeSpan.FromSeconds(30));
        var disposed = lines.DisposeAsync().AsTask();
        watcher.Release.SetResult();

        Assert.That(async () => await disposed.WaitAsync(TimeSpan.FromSeconds(30)), Throws.Nothing,
            "disposing the watcher's enumerator while its read was pending threw NotSupportedException");
    }
}
