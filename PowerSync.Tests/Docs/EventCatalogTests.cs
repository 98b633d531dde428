using System.Collections.Concurrent;
using System.Reflection;
using Microsoft.Extensions.Logging;
using NUnit.Framework;
using PowerSync.Client;
using PowerSync.Core;
using PowerSync.Core.Hosting;
using PowerSync.Tests.Auth;
using PowerSync.Tests.Infrastructure;

namespace PowerSync.Tests.Docs;

/// <summary>
/// One list of log events: every [LoggerMessage] of the libraries is in their catalog with its level (ids unique,
/// the client's apart from the service's), the docs' event tables equal the catalogs, and the service writes
/// each area's events to that area's category.
/// </summary>
public sealed class EventCatalogTests
{
    private static List<(int Id, LogLevel Level)> LoggedEvents(Assembly assembly) =>
        [.. assembly.GetTypes()
            .SelectMany(t => t.GetMethods(BindingFlags.Public | BindingFlags.NonPublic | BindingFlags.Static))
            .Select(m => m.GetCustomAttribute<LoggerMessageAttribute>())
            .OfType<LoggerMessageAttribute>()
            .Select(a => (a.EventId, a.Level))
            .OrderBy(e => e.EventId)];

    [Test]
    public void Every_event_the_service_logs_is_in_its_catalog_with_its_level_and_the_catalog_has_no_other()
    {
        Assert.That(LoggedEvents(typeof(PowerSyncEvents).Assembly), Is.EqualTo(PowerSyncEvents.All.Select(e => (e.Id, e.Level))));
        Assert.That(PowerSyncEvents.All.Select(e => e.Id), Is.Unique.And.All.LessThan(9000));
    }

    [Test]
    public void Every_event_the_client_logs_is_in_its_catalog_in_a_range_of_its_own()
    {
        Assert.That(LoggedEvents(typeof(PowerSyncClientEvents).Assembly), Is.EqualTo(PowerSyncClientEvents.All.Select(e => (e.Id, e.Level))));
        Assert.That(PowerSyncClientEvents.All.Select(e => e.Id), Is.Unique.And.All.InRange(9000, 9999));
    }

    [Test]
    public void The_docs_event_tables_equal_the_catalogs()
    {
        var core = GeneratedSection.Table(["Id", "Category", "Level", "Event"], PowerSyncEvents.All.Select(e => new[] { e.Id.ToString(System.Globalization.CultureInfo.InvariantCulture), $"`{e.Category}`", e.Level.ToString(), e.Meaning }));
        var client = GeneratedSection.Table(["Id", "Level", "Event"], PowerSyncClientEvents.All.Select(e => new[] { e.Id.ToString(System.Globalization.CultureInfo.InvariantCulture), e.Level.ToString(), e.Meaning }));
        Assert.Multiple(() =>
        {
            Assert.That(GeneratedSection.Read(Path.Combine("docs", "operations.md"), "events:core"), Is.EqualTo(core), "docs/operations.md's event table must be:\n" + core);
            Assert.That(GeneratedSection.Read(Path.Combine("docs", "client.md"), "events:client"), Is.EqualTo(client), "docs/client.md's event table must be:\n" + client);
        });
    }

    [Test]
    public async Task The_service_writes_each_areas_events_to_that_areas_category()
    {
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(60));
        var ct = timeout.Token;
        await using var db = await TestPostgres.CreateDatabaseAsync();
        await db.ExecuteAsync("CREATE TABLE todos (id text PRIMARY KEY, title text); CREATE PUBLICATION powersync FOR ALL TABLES;", ct);
        using var temp = new TempFolder("powersync-categories-");
        var options = TestServiceOptions.For(db.ConnectionString, temp.Path);
        using var categories = new CategoryRecorder();
        await using var service = new PowerSyncService(options, categories);

        await service.StartAsync(ct);
        await Eventually.HoldsAsync(() => Task.FromResult(categories.CategoryOf(3009)), c => c is not null, TimeSpan.FromSeconds(30), "the first checkpoint was served");
        await service.StopAsync();

        var expected = PowerSyncEvents.All.ToDictionary(e => e.Id, e => e.Category);
        Assert.That(categories.Seen.Select(s => s.Key).Order(), Is.SupersetOf(new[] { 1001, 3001, 3009, 4003 }));
        Assert.That(categories.Seen.Where(s => expected.ContainsKey(s.Key)).Select(s => (s.Key, s.Value)),
            Is.EquivalentTo(categories.Seen.Where(s => expected.ContainsKey(s.Key)).Select(s => (s.Key, expected[s.Key]))));
    }

    /// <summary>Records the category each event id was written to.</summary>
    private sealed class CategoryRecorder : ILoggerFactory
    {
        public ConcurrentDictionary<int, string> Seen { get; } = new();

        public string? CategoryOf(int id) => Seen.GetValueOrDefault(id);

        public ILogger CreateLogger(string categoryName) => new Logger(this, categoryName);

        public void AddProvider(ILoggerProvider provider)
        {
        }

        public void Dispose()
        {
        }

        private sealed class Logger(CategoryRecorder recorder, string category) : ILogger
        {
            public IDisposable? BeginScope<TState>(TState state) where TState : notnull => null;

            public bool IsEnabled(LogLevel logLevel) => true;

            public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter) =>
                recorder.Seen[eventId.Id] = category;
        }
    }
}
