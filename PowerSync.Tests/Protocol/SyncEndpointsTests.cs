using System.IO.Compression;
using System.Net;
using System.Text;
using NUnit.Framework;
using PowerSync.Core.Replication;
using PowerSync.Core;
using PowerSync.Core.Hosting;
using PowerSync.Core.Protocol;
using PowerSync.Core.Storage;
using PowerSync.Tests.Storage;
using static PowerSync.Tests.Protocol.FixedBucketResolver;
using static PowerSync.Tests.Storage.StorageScope;

namespace PowerSync.Tests.Protocol;

public sealed class SyncEndpointsTests
{
    internal sealed class FixedHead(Lsn lsn) : IReplicationHead
    {
        public Task<T> RecordAtHeadAsync<T>(Func<Lsn, Task<T>> record, CancellationToken ct) => record(lsn);
    }

    internal static async Task<(SessionHarness Harness, LoopbackHost Host)> StartAsync(IReplicationHead? head = null, int maxConnections = 100, int maxStreamsPerUser = 0)
    {
        var h = await SessionHarness.StartAsync();
        h.Resolver.Set(Bucket("mybucket[]"));
        await h.Scope.SaveAsync(Put("t1", """{"id":"t1","description":"Test 1"}""", "mybucket[]"));
        await h.Scope.CommitAsync("0/10");
        var host = await LoopbackHost.StartSyncEndpointsAsync(h.Scope.Storage, h.Resolver, head ?? new FixedHead(Lsn.Parse("0/10")), maxConnections, maxStreamsPerUser: maxStreamsPerUser);
        return (h, host);
    }

    [Test]
    public async Task A_client_streams_ndjson_lines_over_http()
    {
        var (h, host) = await StartAsync();
        await using var _ = h;
        await using var __ = host;

        using var response = await host.OpenAsync(host.StreamRequest("""{"raw_data":true}"""));
        Assert.That(response.StatusCode, Is.EqualTo(HttpStatusCode.OK));
        Assert.That(response.Content.Headers.ContentType!.MediaType, Is.EqualTo("application/x-ndjson"));
        Assert.That(response.Headers.GetValues("X-Accel-Buffering"), Is.EqualTo(new[] { "no" }));
        using var lines = new LineReader(await response.Content.ReadAsStreamAsync());
        Assert.That(await lines.NextAsync(), Does.StartWith("{\"checkpoint\":{\"last_op_id\":\"1\""));
        Assert.That(await lines.NextAsync(), Does.Contain("\"data\":\"{\\\"id\\\":\\\"t1\\\",\\\"description\\\":\\\"Test 1\\\"}\""));
        Assert.That(await lines.NextAsync(), Is.EqualTo("""{"checkpoint_complete":{"last_op_id":"1"}}"""));

        await h.Scope.SaveAsync(Put("t2", "{}", "mybucket[]"));
        await h.Scope.CommitAsync("0/20");
        Assert.That(await lines.NextAsync(), Does.StartWith("{\"checkpoint_diff\":{\"last_op_id\":\"2\""));
    }

    [Test]
    public async Task Legacy_clients_get_row_data_embedded_as_objects()
    {
        var (h, host) = await StartAsync();
        await using var _ = h;
        await using var __ = host;
        using var response = await host.OpenAsync(host.StreamRequest("{}"));
        using var lines = new LineReader(await response.Content.ReadAsStreamAsync());
        await lines.NextAsync();
        Assert.That(await lines.NextAsync(), Does.Contain("\"data\":{\"id\":\"t1\",\"description\":\"Test 1\"}"));
    }

    [Test]
    public async Task Gzip_is_used_when_the_client_asks_for_it()
    {
        var (h, host) = await StartAsync();
        await using var _ = h;
        await using var __ = host;
        using var response = await host.OpenAsync(host.StreamRequest("""{"raw_data":true}""", gzip: true));
        Assert.That(response.Content.Headers.ContentEncoding, Is.EqualTo(new[] { "gzip" }));
        using var lines = new LineReader(new GZipStream(await response.Content.ReadAsStreamAsync(), CompressionMode.Decompress));
        Assert.That(await lines.NextAsync(), Does.StartWith("{\"checkpoint\":"));
        Assert.That(await lines.NextAsync(), Does.StartWith("{\"data\":"));
        Assert.That(await lines.NextAsync(), Is.EqualTo("""{"checkpoint_complete":{"last_op_id":"1"}}"""));
    }

    [TestCase(false)]
    [TestCase(true)]
    public async Task A_bucket_page_longer_than_the_line_limit_reaches_an_ndjson_client_as_lines_within_the_limit(bool gzip)
    {
        var (h, host) = await StartAsync();
        await using var _ = h;
        await using var __ = host;
        for (var i = 2; i <= 300; i++) await h.Scope.SaveAsync(Put($"t{i}", "{\"note\":\"" + new string('n', 1000) + "\"}", "mybucket[]"));
        await h.Scope.CommitAsync("0/20");

        using var response = await host.OpenAsync(host.StreamRequest("""{"raw_data":true}""", gzip: gzip));
        var body = await response.Content.ReadAsStreamAsync();
        using var lines = new LineReader(gzip ? new GZipStream(body, CompressionMode.Decompress) : body);
        Assert.That(await lines.NextAsync(), Does.StartWith("{\"checkpoint\":{\"last_op_id\":\"300\""));
        var data = new List<string>();
        while (await lines.NextAsync() is { } line && !line.StartsWith("{\"checkpoint_complete\"", StringComparison.Ordinal)) data.Add(line);

        Assert.That(data, Has.Count.GreaterThan(3), "one page of 300 ops, several lines");
        Assert.That(data.Select(l => Encoding.UTF8.GetByteCount(l) + 1), Has.All.LessThanOrEqualTo(SyncLineWriter.MaxDataLineBytes));
        var ops = data.SelectMany(l => System.Text.Json.JsonDocument.Parse(l).RootElement.GetProperty("data").GetProperty("data").EnumerateArray()).ToList();
        Assert.That(ops.Select(op => op.GetProperty("object_id").GetString()), Is.EqualTo(new[] { "t1" }.Concat(Enumerable.Range(2, 299).Select(i => $"t{i}"))));
    }

    [TestCase(false)]
    [TestCase(true)]
    public async Task A_client_that_prefers_bson_gets_one_bson_document_per_line_with_row_data_as_a_string(bool gzip)
    {
        var (h, host) = await StartAsync();
        await using var _ = h;
        await using var __ = host;
        // raw_data false: BSON lines carry the row data as a string all the same, as the official service sends them.
        var request = host.StreamRequest("{}", gzip: gzip);
        request.Headers.TryAddWithoutValidation("Accept", "application/vnd.powersync.bson-stream;q=0.9,application/x-ndjson;q=0.8");
        using var response = await host.OpenAsync(request);

        // Exactly this type: the SDKs compare the whole header.
        Assert.That(response.Content.Headers.ContentType!.ToString(), Is.EqualTo("application/vnd.powersync.bson-stream"));
        Assert.That(response.Content.Headers.ContentEncoding, Is.EqualTo(gzip ? new[] { "gzip" } : Array.Empty<string>()));
        var body = await response.Content.ReadAsStreamAsync();
        using var documents = new BsonDocumentReader(gzip ? new GZipStream(body, CompressionMode.Decompress) : body);
        Assert.That((await documents.NextAsync())["checkpoint"]["last_op_id"].AsString, Is.EqualTo("1"));
        var data = (await documents.NextAsync())["data"];
        Assert.That(data["data"][0]["data"].AsString, Is.EqualTo("""{"id":"t1","description":"Test 1"}"""));
        Assert.That((await documents.NextAsync())["checkpoint_complete"]["last_op_id"].AsString, Is.EqualTo("1"));

        await h.Scope.SaveAsync(Put("t2", "{}", "mybucket[]"));
        await h.Scope.CommitAsync("0/20");
        Assert.That((await documents.NextAsync())["checkpoint_diff"]["last_op_id"].AsString, Is.EqualTo("2"));
    }

    [TestCase(null, "PSYNC_S2106")]
    [TestCase("Token not.a.jwt", "PSYNC_S2101")]
    [TestCase("Bearer", "PSYNC_S2106")]
    public async Task An_unauthenticated_request_gets_401_with_its_code_and_nothing_streamed(string? header, string code)
    {
        var (h, host) = await StartAsync();
        await using var _ = h;
        await using var __ = host;
        var request = new HttpRequestMessage(HttpMethod.Post, "/sync/stream") { Content = new StringContent("{}") };
        if (header is not null) request.Headers.TryAddWithoutValidation("Authorization", header);

        using var response = await host.Client.SendAsync(request);
        Assert.That(response.StatusCode, Is.EqualTo(HttpStatusCode.Unauthorized));
        var body = await response.Content.ReadAsStringAsync();
        Assert.That(body, Does.StartWith($"{{\"error\":{{\"code\":\"{code}\",\"status\":401,\"description\":"));
    }

    [Test]
    public async Task Bad_bodies_get_400_or_413_and_other_streams_keep_going()
    {
        var (h, host) = await StartAsync();
        await using var _ = h;
        await using var __ = host;
        using var open = await host.OpenAsync(host.StreamRequest("""{"raw_data":true}"""));
        using var lines = new LineReader(await open.Content.ReadAsStreamAsync());
        Assert.That(await lines.NextAsync(), Does.StartWith("{\"checkpoint\":"));

        using (var malformed = await host.Client.SendAsync(host.StreamRequest("{\"buckets\":")))
        {
            Assert.That(malformed.StatusCode, Is.EqualTo(HttpStatusCode.BadRequest));
            Assert.That(await malformed.Content.ReadAsStringAsync(), Does.Contain("PSYNC_N2401").And.Contain("not valid JSON"));
        }
        using (var absurd = await host.Client.SendAsync(host.StreamRequest("""{"buckets":[{"name":"a","after":"-5"}]}""")))
            Assert.That(await absurd.Content.ReadAsStringAsync(), Does.Contain("buckets[0].after must be an op id"));
        using (var huge = await host.Client.SendAsync(host.StreamRequest("{\"parameters\":{\"x\":\"" + new string('x', 100_000) + "\"}}")))
            Assert.That(huge.StatusCode, Is.EqualTo(HttpStatusCode.RequestEntityTooLarge));

        Assert.That(await lines.NextAsync(), Does.StartWith("{\"data\":"), "the open stream was not disturbed");
    }

    [Test]
    public async Task A_client_that_disconnects_frees_its_session()
    {
        var (h, host) = await StartAsync();
        await using var _ = h;
        await using var __ = host;
        var response = await host.OpenAsync(host.StreamRequest("""{"raw_data":true}"""));
        var lines = new LineReader(await response.Content.ReadAsStreamAsync());
        await lines.NextAsync();
        Assert.That(host.Endpoints.OpenStreams, Is.EqualTo(1));

        lines.Dispose();
        response.Dispose();

        var freed = await Eventually.HoldsAsync(() => Task.FromResult(host.Endpoints.OpenStreams), open => open == 0, TimeSpan.FromSeconds(30),
            "the dropped stream's session is freed");
        TestContext.Out.WriteLine($"session freed after {freed.TotalMilliseconds:0} ms");
    }

    [Test]
    public async Task Streams_over_the_connection_limit_get_429()
    {
        var (h, host) = await StartAsync(maxConnections: 1);
        await using var _ = h;
        await using var __ = host;
        using var first = await host.OpenAsync(host.StreamRequest("""{"raw_data":true}"""));
        using var lines = new LineReader(await first.Content.ReadAsStreamAsync());
        await lines.NextAsync();

        using var second = await host.Client.SendAsync(host.StreamRequest("""{"raw_data":true}"""));
        Assert.That(second.StatusCode, Is.EqualTo(HttpStatusCode.TooManyRequests));
        Assert.That(await second.Content.ReadAsStringAsync(), Does.Contain("PSYNC_S2304"));
    }

    [Test]
    public async Task A_write_checkpoint_from_the_source_head_reaches_the_stream_once_replication_passes_it()
    {
        await using var db = await TestPostgres.CreateDatabaseAsync();
        await using var source = Npgsql.NpgsqlDataSource.Create(db.ConnectionString);
        var (h, host) = await StartAsync(new PostgresReplicationHead(source));
        await using var _ = h;
        await using var __ = host;
        using var stream = await host.OpenAsync(host.StreamRequest("""{"raw_data":true,"client_id":"c1"}"""));
        using var lines = new LineReader(await stream.Content.ReadAsStreamAsync());
        for (var i = 0; i < 3; i++) await lines.NextAsync();

        var get = new HttpRequestMessage(HttpMethod.Get, "/write-checkpoint2.json?client_id=c1");
        get.Headers.TryAddWithoutValidation("Authorization", "Token " + host.Token());
        using var response = await host.Client.SendAsync(get);
        Assert.That(await response.Content.ReadAsStringAsync(), Is.EqualTo("""{"data":{"write_checkpoint":"1"}}"""));

        // Replication reaches the source head (the ping message the endpoint emitted lies past it).
        var headLsn = Lsn.Parse(await db.ScalarAsync<string>("SELECT pg_current_wal_lsn()::text"));
        await h.Scope.Writer.KeepaliveAsync(headLsn, default);
        Assert.That(await lines.NextAsync(), Is.EqualTo("""{"checkpoint_diff":{"last_op_id":"1","write_checkpoint":"1","removed_buckets":[],"updated_buckets":[]}}"""));
        Assert.That(await lines.NextAsync(), Is.EqualTo("""{"checkpoint_complete":{"last_op_id":"1"}}"""));
    }

    [Test]
    public async Task Checkpoint_requests_are_monotonic_and_validated()
    {
        var (h, host) = await StartAsync();
        await using var _ = h;
        await using var __ = host;
        async Task<(HttpStatusCode, string)> Request(string body)
        {
            var post = new HttpRequestMessage(HttpMethod.Post, "/sync/checkpoint-request") { Content = new StringContent(body, Encoding.UTF8, "application/json") };
            post.Headers.TryAddWithoutValidation("Authorization", "Token " + host.Token());
            using var response = await host.Client.SendAsync(post);
            return (response.StatusCode, await response.Content.ReadAsStringAsync());
        }

        Assert.That(await Request("""{"client_id":"c1","checkpoint_request_id":"10"}"""), Is.EqualTo((HttpStatusCode.OK, """{"data":{"checkpoint_request_id":"10"}}""")));
        Assert.That(await Request("""{"client_id":"c1","checkpoint_request_id":4}"""), Is.EqualTo((HttpStatusCode.OK, """{"data":{"checkpoint_request_id":"10"}}""")));
        Assert.That(await Request("""{"client_id":"c2","checkpoint_request_id":"3"}"""), Is.EqualTo((HttpStatusCode.OK, """{"data":{"checkpoint_request_id":"3"}}""")), "counted per client");

        foreach (var (bad, names) in new[]
        {
            ("""{"client_id":"c1","checkpoint_request_id":"0"}""", "checkpoint_request_id"),
            ("""{"client_id":"c1","checkpoint_request_id":"9223372036854775808"}""", "checkpoint_request_id"),
            ("""{"client_id":"c1","checkpoint_request_id":"-1"}""", "checkpoint_request_id"),
            ("""{"client_id":"c1"}""", "checkpoint_request_id"),
            ("""{"checkpoint_request_id":"11"}""", "client_id"),
            ("""{"client_id":"","checkpoint_request_id":"11"}""", "client_id"),
            ("""{"client_id":7,"checkpoint_request_id":"11"}""", "client_id"),
            ("""[1]""", "JSON object"),
            ("""not json""", "not valid JSON"),
        })
        {
            var (status, body) = await Request(bad);
            Assert.That(status, Is.EqualTo(HttpStatusCode.BadRequest), bad);
            Assert.That(body, Does.Contain("PSYNC_N2401").And.Contain(names), bad);
        }
        Assert.That(await Request("""{"client_id":"c1","checkpoint_request_id":"10"}"""), Is.EqualTo((HttpStatusCode.OK, """{"data":{"checkpoint_request_id":"10"}}""")), "refusals stored nothing");
    }

    [Test]
    public async Task An_accepted_checkpoint_request_is_the_streams_write_checkpoint_and_shares_its_sequence_with_legacy_ones()
    {
        await using var db = await TestPostgres.CreateDatabaseAsync();
        await using var source = Npgsql.NpgsqlDataSource.Create(db.ConnectionString);
        var (h, host) = await StartAsync(new PostgresReplicationHead(source));
        await using var _ = h;
        await using var __ = host;
        async Task<string> Send(HttpRequestMessage message)
        {
            message.Headers.TryAddWithoutValidation("Authorization", "Token " + host.Token());
            using var response = await host.Client.SendAsync(message);
            Assert.That(response.StatusCode, Is.EqualTo(HttpStatusCode.OK));
            return await response.Content.ReadAsStringAsync();
        }
        async Task ReplicationPassesHeadAsync() =>
            await h.Scope.Writer.KeepaliveAsync(Lsn.Parse(await db.ScalarAsync<string>("SELECT pg_current_wal_insert_lsn()::text")), default);

        // The body a current client sends: no checkpoint mode on the wire (it only tells the client's core how to gate).
        using var stream = await host.OpenAsync(host.StreamRequest("""{"raw_data":true,"client_id":"c1","buckets":[]}"""));
        using var lines = new LineReader(await stream.Content.ReadAsStreamAsync());
        for (var i = 0; i < 3; i++) await lines.NextAsync();

        var posted = new HttpRequestMessage(HttpMethod.Post, "/sync/checkpoint-request") { Content = new StringContent("""{"client_id":"c1","checkpoint_request_id":"5"}""", Encoding.UTF8, "application/json") };
        Assert.That(await Send(posted), Is.EqualTo("""{"data":{"checkpoint_request_id":"5"}}"""));
        await ReplicationPassesHeadAsync();
        Assert.That(await lines.NextAsync(), Is.EqualTo("""{"checkpoint_diff":{"last_op_id":"1","write_checkpoint":"5","removed_buckets":[],"updated_buckets":[]}}"""));
        Assert.That(await lines.NextAsync(), Is.EqualTo("""{"checkpoint_complete":{"last_op_id":"1"}}"""));

        // A legacy write checkpoint continues the same sequence, so a client switching modes never goes backwards.
        Assert.That(await Send(new HttpRequestMessage(HttpMethod.Get, "/write-checkpoint2.json?client_id=c1")), Is.EqualTo("""{"data":{"write_checkpoint":"6"}}"""));
        await ReplicationPassesHeadAsync();
        Assert.That(await lines.NextAsync(), Does.Contain("\"write_checkpoint\":\"6\""));
    }

    [Test]
    public async Task The_source_marker_is_emitted_only_after_the_write_checkpoint_is_recorded()
    {
        // Were it emitted first, replication could checkpoint past it before the record exists, and an idle
        // source would never produce the checkpoint that shows it.
        await using var db = await TestPostgres.CreateDatabaseAsync();
        await db.ExecuteAsync("SELECT pg_create_logical_replication_slot('marker_probe', 'test_decoding')");
        await using var source = Npgsql.NpgsqlDataSource.Create(db.ConnectionString);
        async Task<long> MarkersAsync() => await db.ScalarAsync<long>(
            "SELECT count(*) FROM pg_logical_slot_peek_changes('marker_probe', NULL, NULL) WHERE data LIKE 'message:%prefix: powersync%'");

        var head = new PostgresReplicationHead(source);
        var markersDuringRecord = await head.RecordAtHeadAsync(async lsn => await MarkersAsync(), default);

        Assert.That(markersDuringRecord, Is.Zero);
        // A non-transactional message sits in the WAL buffers until something flushes them; a synchronous
        // commit flushes everything before it, so decoding sees the marker now.
        await db.ExecuteAsync("SET synchronous_commit = on; CREATE TEMP TABLE flush_probe(x int); INSERT INTO flush_probe VALUES (1)");
        Assert.That(await MarkersAsync(), Is.EqualTo(1));
        await db.ExecuteAsync("SELECT pg_drop_replication_slot('marker_probe')");
    }

    [Test]
    public async Task A_checkpoint_mode_field_in_the_stream_request_is_ignored_like_any_unknown_field()
    {
        var (h, host) = await StartAsync();
        await using var _ = h;
        await using var __ = host;
        foreach (var mode in new[] { "\"requests\"", "\"legacy\"", "\"bogus\"", "42" })
        {
            using var response = await host.OpenAsync(host.StreamRequest("{\"raw_data\":true,\"client_id\":\"c1\",\"checkpoint_mode\":" + mode + "}"));
            Assert.That(response.StatusCode, Is.EqualTo(HttpStatusCode.OK), mode);
            using var lines = new LineReader(await response.Content.ReadAsStreamAsync());
            Assert.That(await lines.NextAsync(), Does.StartWith("{\"checkpoint\":{\"last_op_id\":\"1\""), mode);
        }
    }
}
