using System.Net;
using Microsoft.AspNetCore.Builder;
using Microsoft.Extensions.DependencyInjection;
using NUnit.Framework;
using PowerSync.Core.Hosting;
using PowerSync.Tests.Auth;
using PowerSync.Tests.Docs;
using PowerSync.Tests.Infrastructure;
using PowerSync.Tests.Infrastructure.Postgres;

namespace PowerSync.Tests.Hosting;

/// <summary>
/// <c>MapPowerSync()</c> returns the sync routes' conventions: the app's CORS and rate-limiting policies (docs/operations.md's
/// example, as written) apply to the three routes, and to no other route of the app.
/// </summary>
public sealed class SyncRouteConventionTests
{
    private const string Rules = "bucket_definitions:\n  all:\n    data:\n      - SELECT * FROM items\n";
    private const string Origin = "https://app.example.com";

    private sealed class App(WebApplication app, TestKey key, TestDatabase db, TempFolder folder) : IAsyncDisposable
    {
        public HttpClient Http { get; } = new() { BaseAddress = new Uri(app.Urls.First()) };

        public string Token(string user) => key.Token(TestKey.Claims(DateTimeOffset.UtcNow, user));

        public async ValueTask DisposeAsync()
        {
            Http.Dispose();
            await app.StopAsync(CancellationToken.None);
            await app.DisposeAsync();
            await db.DisposeAsync();
            folder.Dispose();
        }
    }

    private static async Task<App> StartAsync(CancellationToken ct)
    {
        var db = await TestPostgres.CreateDatabaseAsync();
        await db.ExecuteAsync("CREATE TABLE items (id text PRIMARY KEY); CREATE PUBLICATION powersync FOR TABLE items;", ct);
        var folder = new TempFolder("powersync-routes-");
        var key = TestKey.Hmac(null);
        var builder = LoopbackHost.CreateBuilder(folder.Path);
        builder.Services.AddPowerSync(options =>
        {
            options.SourceConnectionString = db.ConnectionString;
            options.SyncRules = Rules;
            options.Auth.Jwks = TestKey.Set(key);
            options.Auth.Audiences.Add("powersync");
        });
        var app = OperationsExamples.MapWithPolicies(builder);
        app.MapHealthChecks("/health");
        await app.StartAsync(ct);
        var service = app.Services.GetRequiredService<PowerSyncService>();
        await Eventually.HoldsAsync(() => Task.FromResult(service.HasCheckpoint), has => has, TimeSpan.FromSeconds(30), "replication reaches a checkpoint");
        return new App(app, key, db, folder);
    }

    private static HttpRequestMessage Preflight(string path, string origin)
    {
        var request = new HttpRequestMessage(HttpMethod.Options, path);
        request.Headers.Add("Origin", origin);
        request.Headers.Add("Access-Control-Request-Method", "POST");
        request.Headers.Add("Access-Control-Request-Headers", "authorization,content-type");
        return request;
    }

    private static string? AllowedOrigin(HttpResponseMessage response) =>
        response.Headers.TryGetValues("Access-Control-Allow-Origin", out var values) ? string.Join(",", values) : null;

    [Test]
    public async Task A_cors_policy_on_the_sync_routes_answers_preflights_from_its_origin_and_only_on_those_routes()
    {
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(60));
        var ct = timeout.Token;
        await using var app = await StartAsync(ct);

        foreach (var route in new[] { "/sync/stream", "/sync/checkpoint-request" })
        {
            using var allowed = await app.Http.SendAsync(Preflight(route, Origin), ct);
            Assert.That(allowed.StatusCode, Is.EqualTo(HttpStatusCode.NoContent), route);
            Assert.That(AllowedOrigin(allowed), Is.EqualTo(Origin), route);
            Assert.That(allowed.Headers.GetValues("Access-Control-Allow-Methods").Single(), Does.Contain("POST"), route);
            Assert.That(allowed.Headers.GetValues("Access-Control-Allow-Headers").Single().ToLowerInvariant(), Does.Contain("authorization"), route);

            using var stranger = await app.Http.SendAsync(Preflight(route, "https://elsewhere.example"), ct);
            Assert.That(AllowedOrigin(stranger), Is.Null, $"{route}: another origin is not allowed");
        }

        // An actual request from the origin carries the header too.
        using var get = new HttpRequestMessage(HttpMethod.Get, "/write-checkpoint2.json?client_id=c1");
        get.Headers.Add("Origin", Origin);
        get.Headers.TryAddWithoutValidation("Authorization", "Bearer " + app.Token("alice"));
        using var answer = await app.Http.SendAsync(get, ct);
        Assert.That(answer.StatusCode, Is.EqualTo(HttpStatusCode.OK));
        Assert.That(AllowedOrigin(answer), Is.EqualTo(Origin));

        // The app's other routes keep their own conventions.
        using var health = new HttpRequestMessage(HttpMethod.Get, "/health");
        health.Headers.Add("Origin", Origin);
        using var healthAnswer = await app.Http.SendAsync(health, ct);
        Assert.That(AllowedOrigin(healthAnswer), Is.Null, "the policy is on the sync routes only");
    }

    [Test]
    public async Task A_rate_limit_on_the_sync_routes_refuses_requests_beyond_it_and_leaves_other_routes_alone()
    {
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(60));
        var ct = timeout.Token;
        await using var app = await StartAsync(ct);

        async Task<HttpStatusCode> WriteCheckpointAsync()
        {
            using var request = new HttpRequestMessage(HttpMethod.Get, "/write-checkpoint2.json?client_id=c1");
            request.Headers.TryAddWithoutValidation("Authorization", "Bearer " + app.Token("alice"));
            using var response = await app.Http.SendAsync(request, ct);
            return response.StatusCode;
        }

        var answered = new List<HttpStatusCode>();
        for (var i = 0; i < 60; i++) answered.Add(await WriteCheckpointAsync());
        Assert.That(answered, Is.All.EqualTo(HttpStatusCode.OK), "the example's 60 requests a minute are served");

        Assert.That(await WriteCheckpointAsync(), Is.EqualTo(HttpStatusCode.TooManyRequests));
        using (var stream = await app.Http.PostAsync("/sync/stream", new StringContent("{}"), ct))
            Assert.That(stream.StatusCode, Is.EqualTo(HttpStatusCode.TooManyRequests), "the limit covers every sync route");
        using (var health = await app.Http.GetAsync("/health", ct))
            Assert.That(health.StatusCode, Is.Not.EqualTo(HttpStatusCode.TooManyRequests), "other routes are not limited");
    }
}
