using System.Net;
using System.Text;
using NUnit.Framework;
using PowerSync.Core.Hosting.RSocket;
using PowerSync.Core.Protocol;
using static PowerSync.Tests.Storage.StorageScope;

namespace PowerSync.Tests.Protocol;

/// <summary>
/// The sync stream over RSocket on a WebSocket (<c>GET /sync/stream</c>), as the official JavaScript SDKs use it: the
/// token in the SETUP metadata, request-stream, request-n, BSON lines as payloads, keepalives, the official errors.
/// </summary>
public sealed class RSocketSyncTests
{
    private const string Request = """{"raw_data":true,"client_id":"c1"}""";

    [TestCase(false)]
    [TestCase(true, TestName = "The sync stream over RSocket with permessage-deflate")]
    public async Task The_sync_stream_over_rsocket_sends_each_line_as_a_bson_payload_then_live_changes(bool compression)
    {
        var (h, host) = await SyncEndpointsTests.StartAsync();
        await using var _ = h;
        await using var __ = host;
        await using var client = await RSocketTestClient.ConnectAsync(host.Address, "Token " + host.Token(), compression);

        await client.RequestStreamAsync(1, Request, initialN: 10);

        Assert.That((await client.NextLineAsync())["checkpoint"]["last_op_id"].AsString, Is.EqualTo("1"));
        Assert.That((await client.NextLineAsync())["data"]["data"][0]["data"].AsString, Is.EqualTo("""{"id":"t1","description":"Test 1"}"""));
        Assert.That((await client.NextLineAsync())["checkpoint_complete"]["last_op_id"].AsString, Is.EqualTo("1"));
        await h.Scope.SaveAsync(Put("t2", "{}", "mybucket[]"));
        await h.Scope.CommitAsync("0/20");
        Assert.That((await client.NextLineAsync())["checkpoint_diff"]["last_op_id"].AsString, Is.EqualTo("2"));
    }

    [Test]
    public async Task When_the_token_expires_the_stream_sends_token_expires_in_0_and_completes()
    {
        var (h, host) = await SyncEndpointsTests.StartAsync();
        await using var _ = h;
        await using var __ = host;
        var claims = PowerSync.Tests.Auth.TestKey.Claims(DateTimeOffset.UtcNow);
        claims["exp"] = DateTimeOffset.UtcNow.AddSeconds(2).ToUnixTimeSeconds();
        await using var client = await RSocketTestClient.ConnectAsync(host.Address, "Token " + host.Key.Token(claims));
        await client.RequestStreamAsync(1, Request, initialN: 100);

        var lines = new List<MongoDB.Bson.BsonDocument>();
        RSocketFrame? frame;
        while ((frame = await client.NextAsync()) is { Type: RSocketFrameType.Payload } && frame.Has(RSocketFlags.Next))
            lines.Add(BsonDocumentReader.Parse(frame.Data.Span));

        // The expiry warning is due at once (the token has less than 20 s left): before or after the sync.
        Assert.That(lines.Select(l => l.Names.First()), Is.EquivalentTo(new[] { "checkpoint", "data", "checkpoint_complete", "token_expires_in", "token_expires_in" }),
            "the sync, the expiry warning, the expiry, and no other keepalive line");
        Assert.That(lines[^1]["token_expires_in"].AsInt32, Is.Zero);
        Assert.That((frame!.Type, frame.StreamId, frame.Has(RSocketFlags.Complete)), Is.EqualTo((RSocketFrameType.Payload, 1, true)));
    }

    [TestCase("Token not.a.jwt", "[PSYNC_S2101]")]
    [TestCase(null, "[PSYNC_S2106]")]
    [TestCase("Basic abc", "[PSYNC_S2106]")]
    public async Task A_connection_without_a_valid_token_is_refused_at_setup_with_the_official_code_and_closed(string? token, string code)
    {
        var (h, host) = await SyncEndpointsTests.StartAsync();
        await using var _ = h;
        await using var __ = host;
        await using var client = await RSocketTestClient.ConnectAsync(host.Address, token);
        await client.RequestStreamAsync(1, Request, initialN: 10);

        var error = await client.NextAsync();
        Assert.That(error!.Type, Is.EqualTo(RSocketFrameType.Error));
        Assert.That(error.StreamId, Is.Zero);
        Assert.That(error.ErrorCode, Is.EqualTo(RSocketErrorCodes.RejectedSetup));
        Assert.That(Encoding.UTF8.GetString(error.Data.Span), Does.StartWith(code), "the SDKs look for PSYNC_S21 to fetch a new token");
        Assert.That(await client.NextAsync(), Is.Null, "the server closes the connection");
    }

    [Test]
    public async Task Setup_with_a_mime_type_other_than_json_is_refused_as_unsupported()
    {
        var (h, host) = await SyncEndpointsTests.StartAsync();
        await using var _ = h;
        await using var __ = host;
        await using var bson = await RSocketTestClient.ConnectAsync(host.Address, "Token " + host.Token(), mime: "application/octet-stream");
        var error = await bson.NextAsync();
        Assert.That((error!.Type, error.ErrorCode), Is.EqualTo((RSocketFrameType.Error, RSocketErrorCodes.UnsupportedSetup)));
        Assert.That(Encoding.UTF8.GetString(error.Data.Span), Does.Contain("application/json"));
    }

    [Test]
    public async Task A_bad_request_gets_an_application_error_on_its_stream_and_the_connection_stays_usable()
    {
        var (h, host) = await SyncEndpointsTests.StartAsync();
        await using var _ = h;
        await using var __ = host;
        await using var client = await RSocketTestClient.ConnectAsync(host.Address, "Token " + host.Token());

        await client.RequestStreamAsync(1, "{not json", initialN: 10);
        var invalid = await client.NextAsync();
        await client.RequestStreamAsync(3, Request, initialN: 10, path: "/other");
        var unknown = await client.NextAsync();
        await client.RequestStreamAsync(5, Request, initialN: 10);

        Assert.That((invalid!.StreamId, invalid.ErrorCode), Is.EqualTo((1, RSocketErrorCodes.ApplicationError)));
        Assert.That(Encoding.UTF8.GetString(invalid.Data.Span), Does.StartWith("[PSYNC_N2401]"));
        Assert.That((unknown!.StreamId, unknown.ErrorCode), Is.EqualTo((3, RSocketErrorCodes.ApplicationError)));
        Assert.That(Encoding.UTF8.GetString(unknown.Data.Span), Does.Contain("/other"));
        Assert.That((await client.NextLineAsync())["checkpoint"], Is.Not.Null);
    }

    [Test]
    public async Task Keepalives_are_answered_with_their_data()
    {
        var (h, host) = await SyncEndpointsTests.StartAsync();
        await using var _ = h;
        await using var __ = host;
        await using var client = await RSocketTestClient.ConnectAsync(host.Address, "Token " + host.Token());

        await client.KeepaliveAsync([1, 2, 3]);
        var answer = await client.NextAsync();

        Assert.That((answer!.Type, answer.StreamId, answer.Has(RSocketFlags.Respond)), Is.EqualTo((RSocketFrameType.Keepalive, 0, false)));
        Assert.That(answer.Data.ToArray(), Is.EqualTo(new byte[] { 1, 2, 3 }));
    }

    [Test]
    public async Task A_cancelled_stream_frees_its_place_under_the_connection_limit()
    {
        var (h, host) = await SyncEndpointsTests.StartAsync(maxConnections: 1);
        await using var _ = h;
        await using var __ = host;
        await using var client = await RSocketTestClient.ConnectAsync(host.Address, "Token " + host.Token());
        await client.RequestStreamAsync(1, Request, initialN: 1);
        await client.NextLineAsync();

        await client.RequestStreamAsync(3, Request, initialN: 3);
        var refused = await client.NextAsync();
        Assert.That((refused!.StreamId, refused.ErrorCode), Is.EqualTo((3, RSocketErrorCodes.ApplicationError)));
        Assert.That(Encoding.UTF8.GetString(refused.Data.Span), Does.StartWith("[PSYNC_S2304]"));

        await client.CancelAsync(1);
        await Eventually.HoldsAsync(() => Task.FromResult(host.Endpoints.OpenStreams), n => n == 0, TimeSpan.FromSeconds(15), "the cancelled stream closes");
        await client.RequestStreamAsync(5, Request, initialN: 3);
        var line = await client.NextAsync();
        Assert.That((line!.Type, line.StreamId), Is.EqualTo((RSocketFrameType.Payload, 5)), "nothing more came on the cancelled stream " + RSocketTestClient.ErrorText(line));
    }

    [Test]
    public async Task A_plain_get_of_the_sync_route_is_a_400_that_says_what_the_route_is_for()
    {
        var (h, host) = await SyncEndpointsTests.StartAsync();
        await using var _ = h;
        await using var __ = host;

        using var response = await host.Client.GetAsync("/sync/stream");

        Assert.That(response.StatusCode, Is.EqualTo(HttpStatusCode.BadRequest));
        Assert.That(await response.Content.ReadAsStringAsync(), Does.Contain("PSYNC_N2401").And.Contain("WebSocket"));
    }

    [Test]
    public void Frames_are_parsed_as_rsocket_lays_them_out_and_truncated_ones_are_refused()
    {
        var setup = RSocket(RSocketTestClient.Setup("application/json", """{"token":"Token x"}""", lifetimeMs: 45_000));
        Assert.That((setup.Type, setup.Version, setup.Keepalive), Is.EqualTo((RSocketFrameType.Setup, (1, 0), (20_000, 45_000))));
        Assert.That((setup.MetadataMimeType, setup.DataMimeType), Is.EqualTo(("application/json", "application/json")));
        Assert.That(Encoding.UTF8.GetString(setup.Metadata!.Value.Span), Is.EqualTo("""{"token":"Token x"}"""));

        // REQUEST_STREAM, stream 5, metadata flag, n = 10, 2 bytes of metadata, then data.
        var request = RSocket([0, 0, 0, 5, 0x06 << 2 | 0x01, 0x00, 0, 0, 0, 10, 0, 0, 2, (byte)'{', (byte)'}', (byte)'[', (byte)']']);
        Assert.That((request.StreamId, request.Type, request.RequestN), Is.EqualTo((5, RSocketFrameType.RequestStream, 10)));
        Assert.That((Encoding.ASCII.GetString(request.Metadata!.Value.Span), Encoding.ASCII.GetString(request.Data.Span)), Is.EqualTo(("{}", "[]")));

        Assert.That(RSocketFrame.Error(3, RSocketErrorCodes.ApplicationError, "[X] y"), Is.EqualTo(new byte[] { 0, 0, 0, 3, 0x0B << 2, 0, 0, 0, 0x02, 0x01, (byte)'[', (byte)'X', (byte)']', (byte)' ', (byte)'y' }));
        Assert.That(RSocketFrame.Complete(7), Is.EqualTo(new byte[] { 0, 0, 0, 7, 0x0A << 2, 0x40 }));

        Assert.Throws<RSocketProtocolException>(() => RSocketFrame.Parse(new byte[] { 0, 0, 0, 1, 0x18 }));
        Assert.Throws<RSocketProtocolException>(() => RSocketFrame.Parse(new byte[] { 0, 0, 0, 5, 0x19, 0x00, 0, 0, 0, 1, 0, 0, 9, 1 }), "metadata longer than the frame");
        Assert.Throws<RSocketProtocolException>(() => RSocketFrame.Parse(new byte[] { 0, 0, 0, 0, 0x04, 0x00, 0, 1 }), "a SETUP frame cut short");
    }

    private static RSocketFrame RSocket(byte[] bytes) => RSocketFrame.Parse(bytes);
}

/// <summary>
/// Request-n back-pressure: a client that asks for one line at a time gets exactly one line per request, while the
/// server has far more to send, and the server's memory does not grow with what it still has to send.
/// </summary>
[NonParallelizable]
public sealed class RSocketBackPressureTests
{
    [Test]
    public async Task A_client_requesting_one_line_at_a_time_receives_no_more_than_it_asked_for_and_server_memory_stays_flat()
    {
        var h = await SessionHarness.StartAsync();
        await using var _ = h;
        h.Resolver.Set(FixedBucketResolver.Bucket("mybucket[]"));
        var row = new string('x', 2000);
        for (var i = 0; i < 3000; i++) await h.Scope.SaveAsync(Put($"t{i}", $$"""{"id":"t{{i}}","v":"{{row}}"}""", "mybucket[]"));
        await h.Scope.CommitAsync("0/10");
        // Ten ops per line: 300 data lines (6 MB) are ready to go.
        await using var host = await LoopbackHost.StartSyncEndpointsAsync(h.Scope.Storage, h.Resolver, new SyncEndpointsTests.FixedHead(PowerSync.Core.Lsn.Parse("0/10")),
            sessionOptions: new SyncSessionOptions(MaxOpsPerPage: 10));
        await using var client = await RSocketTestClient.ConnectAsync(host.Address, "Token " + host.Token());

        await client.RequestStreamAsync(1, """{"raw_data":true}""", initialN: 1);
        Assert.That((await client.NextLineAsync()).Contains("checkpoint"), Is.True);
        long memoryAtStart = 0;
        for (var line = 1; line <= 60; line++)
        {
            // Frames arrive in the order they were sent: had the server sent a line it was not asked for, that line
            // would come before the answer to this keepalive.
            await client.KeepaliveAsync(BitConverter.GetBytes(line));
            var next = await client.NextAsync();
            Assert.That(next!.Type, Is.EqualTo(RSocketFrameType.Keepalive), $"after {line} lines, only the keepalive answer arrives, not {next.Type}");
            Assert.That(BitConverter.ToInt32(next.Data.Span), Is.EqualTo(line));

            await client.RequestNAsync(1, 1);
            Assert.That((await client.NextLineAsync())["data"]["data"].AsBsonArray, Has.Count.EqualTo(10));
            if (line == 10) memoryAtStart = GC.GetTotalMemory(forceFullCollection: true);
        }
        var growth = GC.GetTotalMemory(forceFullCollection: true) - memoryAtStart;
        Assert.That(growth, Is.LessThan(3_000_000), "50 more lines sent, 240 still to send: nothing accumulates");
    }
}
