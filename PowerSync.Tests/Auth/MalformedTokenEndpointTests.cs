using System.Net;
using System.Text;
using Microsoft.Extensions.Logging;
using Microsoft.IdentityModel.Tokens;
using NUnit.Framework;
using PowerSync.Core;
using PowerSync.Tests.Protocol;
using static PowerSync.Tests.Protocol.FixedBucketResolver;
using static PowerSync.Tests.Storage.StorageScope;

namespace PowerSync.Tests.Auth;

/// <summary>Malformed tokens through the real HTTP endpoints: refusals, not server errors, and quiet logs.</summary>
public sealed class MalformedTokenEndpointTests
{
    private sealed class FixedHead(Lsn lsn) : PowerSync.Core.Replication.IReplicationHead
    {
        public Task<T> RecordAtHeadAsync<T>(Func<Lsn, Task<T>> record, CancellationToken ct) => record(lsn);
    }

    private static readonly string[] Tokens =
    [
        "e30.a.b.c.d",
        "e30.!!!.c2ln",
        Base64UrlEncoder.Encode("not json") + ".e30.c2ln",
        Base64UrlEncoder.Encode([0x7b, 0x22, 0xff, 0xfe, 0x22, 0x3a, 0x31, 0x7d]) + ".e30.c2ln",
        Base64UrlEncoder.Encode("{\"alg\":\"HS256\",\"x\":" + new string('[', 1000) + new string(']', 1000) + "}") + ".e30.c2ln",
        Base64UrlEncoder.Encode("{\"alg\":\"HS256\",\"kid\":\"" + new string('k', 20_000) + "\"}") + ".e30.c2ln",
    ];

    [Test]
    public async Task Malformed_tokens_get_401_on_every_route_and_leave_no_error_or_token_in_the_log()
    {
        await using var h = await SessionHarness.StartAsync();
        h.Resolver.Set(Bucket("mybucket[]"));
        await h.Scope.SaveAsync(Put("t1", """{"id":"t1"}""", "mybucket[]"));
        await h.Scope.CommitAsync("0/10");
        var log = new ListLogger();
        await using var host = await LoopbackHost.StartSyncEndpointsAsync(h.Scope.Storage, h.Resolver, new FixedHead(Lsn.Parse("0/10")), logs: new ListLoggerProvider(log));

        foreach (var token in Tokens)
        {
            HttpRequestMessage[] requests =
            [
                new(HttpMethod.Post, "/sync/stream") { Content = new StringContent("{}", Encoding.UTF8, "application/json") },
                new(HttpMethod.Get, "/write-checkpoint2.json?client_id=c1"),
                new(HttpMethod.Post, "/sync/checkpoint-request") { Content = new StringContent("""{"client_id":"c1","checkpoint_request_id":"1"}""", Encoding.UTF8, "application/json") },
            ];
            foreach (var request in requests)
            {
                request.Headers.TryAddWithoutValidation("Authorization", "Token " + token);
                using var response = await host.Client.SendAsync(request);
                var body = await response.Content.ReadAsStringAsync();
                Assert.That(response.StatusCode, Is.EqualTo(HttpStatusCode.Unauthorized), $"{request.RequestUri} with {token[..Math.Min(token.Length, 40)]}: {body}");
                Assert.That(body, Does.Match("""^\{"error":\{"code":"PSYNC_S210[12]","status":401,"description":"""));
            }
        }

        Assert.That(log.Entries.Where(e => e.Level >= LogLevel.Warning).Select(e => e.Message), Is.Empty, "a refused token is not a warning or an error");
        Assert.That(log.Exceptions, Is.Empty, "no stack trace");
        Assert.That(log.Entries.Where(e => Tokens.Any(t => e.Message.Contains(t, StringComparison.Ordinal))).Select(e => e.Message), Is.Empty);
        Assert.That(log.Entries.Count(e => e.EventId == 2001), Is.EqualTo(Tokens.Length * 3), "each refusal is logged once, as information");
    }
}
