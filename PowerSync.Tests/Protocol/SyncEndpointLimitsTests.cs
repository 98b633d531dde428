using System.Net;
using System.Text;
using NUnit.Framework;
using PowerSync.Core.Protocol;
using PowerSync.Core.Storage;
using PowerSync.Tests.Infrastructure;

namespace PowerSync.Tests.Protocol;

/// <summary>Limits no signed-in client can get past, and malformed input answered with a specific 4xx.</summary>
public sealed class SyncEndpointLimitsTests
{
    private static async Task<(HttpStatusCode Status, string Body)> SendAsync(LoopbackHost host, HttpRequestMessage message, string user = "user-1")
    {
        message.Headers.TryAddWithoutValidation("Authorization", "Token " + host.Token(user));
        using var response = await host.Client.SendAsync(message);
        return (response.StatusCode, await response.Content.ReadAsStringAsync());
    }

    private static HttpRequestMessage CheckpointRequest(byte[] body) =>
        new(HttpMethod.Post, "/sync/checkpoint-request") { Content = new ByteArrayContent(body) };

    private static HttpRequestMessage WriteCheckpoint(string query) => new(HttpMethod.Get, "/write-checkpoint2.json?" + query);

    [Test]
    public async Task A_client_id_longer_than_256_characters_is_refused_on_every_route()
    {
        var (h, host) = await SyncEndpointsTests.StartAsync();
        await using var _ = h;
        await using var __ = host;
        var id = new string('x', 8000);

        var legacy = await SendAsync(host, WriteCheckpoint("client_id=" + id));
        var request = await SendAsync(host, CheckpointRequest(Encoding.UTF8.GetBytes($"{{\"client_id\":\"{id}\",\"checkpoint_request_id\":\"1\"}}")));
        using var stream = await host.Client.SendAsync(host.StreamRequest($"{{\"client_id\":\"{id}\"}}"));

        foreach (var (status, body) in new[] { legacy, request, (stream.StatusCode, await stream.Content.ReadAsStringAsync()) })
        {
            Assert.That(status, Is.EqualTo(HttpStatusCode.BadRequest));
            Assert.That(body, Does.Contain(ProtocolErrorCodes.InvalidRequest).And.Contain("at most 256"));
        }
        Assert.That(await SendAsync(host, WriteCheckpoint("client_id=" + new string('x', 256))), Is.EqualTo((HttpStatusCode.OK, """{"data":{"write_checkpoint":"1"}}""")));
        Assert.That(await SendAsync(host, WriteCheckpoint("client_id=%F0%9F%98%80+%C3%A9")), Is.EqualTo((HttpStatusCode.OK, """{"data":{"write_checkpoint":"1"}}""")), "UTF-8 text is fine");
    }

    [Test]
    public async Task Invalid_text_in_a_client_id_or_bucket_name_is_a_400_on_every_route_not_a_500()
    {
        var (h, host) = await SyncEndpointsTests.StartAsync();
        await using var _ = h;
        await using var __ = host;
        byte[] Json(string before, byte[] text, string after) => [.. Encoding.UTF8.GetBytes(before), .. text, .. Encoding.UTF8.GetBytes(after)];

        foreach (var text in new[] { new byte[] { 0xC3, 0x28 }, "\\ud800"u8.ToArray() })
        {
            var checkpoint = await SendAsync(host, CheckpointRequest(Json("{\"client_id\":\"", text, "\",\"checkpoint_request_id\":\"1\"}")));
            Assert.That(checkpoint.Status, Is.EqualTo(HttpStatusCode.BadRequest), checkpoint.Body);
            Assert.That(checkpoint.Body, Does.Contain(ProtocolErrorCodes.InvalidRequest).And.Contain("client_id"));

            foreach (var body in new[] { Json("{\"client_id\":\"", text, "\"}"), Json("{\"buckets\":[{\"name\":\"", text, "\",\"after\":\"0\"}]}") })
            {
                var stream = host.StreamRequest("{}");
                stream.Content = new ByteArrayContent(body);
                using var response = await host.Client.SendAsync(stream);
                Assert.That(response.StatusCode, Is.EqualTo(HttpStatusCode.BadRequest));
                Assert.That(await response.Content.ReadAsStringAsync(), Does.Contain(ProtocolErrorCodes.InvalidRequest).And.Contain("not valid text"));
            }
        }
        foreach (var query in new[] { "client_id=%ED%A0%80", "client_id=a%FFb", "client_id=%F0%9F%98" })
        {
            var (status, body) = await SendAsync(host, WriteCheckpoint(query));
            Assert.That(status, Is.EqualTo(HttpStatusCode.BadRequest), query + ": " + body);
            Assert.That(body, Does.Contain(ProtocolErrorCodes.InvalidRequest).And.Contain("not valid UTF-8"), query);
        }
    }

    [Test]
    public async Task A_checkpoint_request_at_the_largest_id_makes_the_next_write_checkpoint_a_409_never_a_negative_id()
    {
        var (h, host) = await SyncEndpointsTests.StartAsync();
        await using var _ = h;
        await using var __ = host;

        var request = await SendAsync(host, CheckpointRequest("""{"client_id":"c1","checkpoint_request_id":"9223372036854775807"}"""u8.ToArray()));
        Assert.That(request, Is.EqualTo((HttpStatusCode.OK, """{"data":{"checkpoint_request_id":"9223372036854775807"}}""")));

        for (var i = 0; i < 2; i++)
        {
            var (status, body) = await SendAsync(host, WriteCheckpoint("client_id=c1"));
            Assert.That(status, Is.EqualTo(HttpStatusCode.Conflict), body);
            Assert.That(body, Does.Contain(StorageErrorCodes.WriteCheckpointExhausted).And.Contain("new client id"));
        }
        Assert.That(await SendAsync(host, WriteCheckpoint("client_id=c2")), Is.EqualTo((HttpStatusCode.OK, """{"data":{"write_checkpoint":"1"}}""")));
    }

    [Test]
    public async Task A_user_over_the_per_user_stream_limit_gets_429_while_other_users_connect()
    {
        var (h, host) = await SyncEndpointsTests.StartAsync(maxStreamsPerUser: 2);
        await using var _ = h;
        await using var __ = host;
        var open = new List<(HttpResponseMessage, LineReader)>();
        for (var i = 0; i < 2; i++)
        {
            var response = await host.OpenAsync(host.StreamRequest("""{"raw_data":true}""", host.Token("alice")));
            var lines = new LineReader(await response.Content.ReadAsStreamAsync());
            Assert.That(await lines.NextAsync(), Does.StartWith("{\"checkpoint\":"));
            open.Add((response, lines));
        }

        using (var third = await host.Client.SendAsync(host.StreamRequest("""{"raw_data":true}""", host.Token("alice"))))
        {
            Assert.That(third.StatusCode, Is.EqualTo(HttpStatusCode.TooManyRequests));
            Assert.That(await third.Content.ReadAsStringAsync(), Does.Contain(ProtocolErrorCodes.TooManyUserStreams));
        }
        using (var bob = await host.OpenAsync(host.StreamRequest("""{"raw_data":true}""", host.Token("bob"))))
            Assert.That(bob.StatusCode, Is.EqualTo(HttpStatusCode.OK));

        // Once one of alice's streams ends, she may open another.
        open[0].Item2.Dispose();
        open[0].Item1.Dispose();
        await OpenStreamsAsync(host, 1);
        using (var again = await host.OpenAsync(host.StreamRequest("""{"raw_data":true}""", host.Token("alice"))))
            Assert.That(again.StatusCode, Is.EqualTo(HttpStatusCode.OK));
        open[1].Item2.Dispose();
        open[1].Item1.Dispose();
    }

    /// <summary>Awaits the server noticing closed streams until <paramref name="count"/> remain.</summary>
    private static Task<TimeSpan> OpenStreamsAsync(LoopbackHost host, int count) =>
        Eventually.HoldsAsync(() => Task.FromResult(host.Endpoints.OpenStreams), open => open == count, TimeSpan.FromSeconds(30), $"{count} streams are open");

    [Test]
    public async Task A_source_that_cannot_be_reached_makes_write_checkpoints_a_503_not_a_500()
    {
        // A port that takes connections but never answers: Postgres down or a frozen network path.
        using var silent = new System.Net.Sockets.TcpListener(IPAddress.Loopback, 0);
        silent.Start();
        var port = ((IPEndPoint)silent.LocalEndpoint).Port;
        await using var source = Npgsql.NpgsqlDataSource.Create($"Host=127.0.0.1;Port={port};Username=x;Password=y;Timeout=1;Pooling=false");
        var (h, host) = await SyncEndpointsTests.StartAsync(new PowerSync.Core.Replication.PostgresReplicationHead(source));
        await using var _ = h;
        await using var __ = host;

        var legacy = await SendAsync(host, WriteCheckpoint("client_id=c1"));
        var request = await SendAsync(host, CheckpointRequest("""{"client_id":"c1","checkpoint_request_id":"1"}"""u8.ToArray()));

        foreach (var (status, body) in new[] { legacy, request })
        {
            Assert.That(status, Is.EqualTo(HttpStatusCode.ServiceUnavailable), body);
            Assert.That(body, Does.Contain(PowerSync.Core.Replication.ReplicationErrorCodes.SourceQueryFailed).And.Contain("retry shortly"));
        }
    }

    [Test]
    public void Keys_that_cannot_be_fetched_are_answered_401_as_the_official_service_does()
    {
        Assert.That(PowerSync.Core.Hosting.SyncEndpoints.StatusFor(PowerSync.Core.Auth.AuthErrorCodes.JwksFetchFailed), Is.EqualTo(401));
    }
}
