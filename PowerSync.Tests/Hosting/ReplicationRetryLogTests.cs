using Microsoft.Extensions.Logging;
using NUnit.Framework;
using PowerSync.Core.Hosting;
using PowerSync.Core.Replication;
using PowerSync.Tests.Auth;
using PowerSync.Tests.Infrastructure;

namespace PowerSync.Tests.Hosting;

/// <summary>
/// What an operator's log shows while replication keeps failing and retrying: one Warning line per attempt with
/// its code and that it is retried, and the stack trace once, at Debug.
/// </summary>
public sealed class ReplicationRetryLogTests
{
    [Test]
    public async Task A_source_that_is_not_ready_logs_one_warning_per_attempt_with_its_code_and_the_stack_trace_once_at_debug()
    {
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(60));
        var ct = timeout.Token;
        await using var db = await TestPostgres.CreateDatabaseAsync();
        using var temp = new TempFolder("powersync-retry-log-");
        // No publication: the source check fails on every attempt.
        await db.ExecuteAsync("CREATE TABLE todos (id text PRIMARY KEY, title text)", ct);
        var options = TestServiceOptions.For(db.ConnectionString, temp.Path);
        var logger = new ListLogger();
        await using var service = new PowerSyncService(options, new SingleLoggerFactory(logger));

        await service.StartAsync(ct);
        await Eventually.HoldsAsync(() => Task.FromResult(logger.Entries.Count(e => e.EventId == 3007)), n => n >= 3,
            TimeSpan.FromSeconds(30), "three attempts failed");
        await service.StopAsync();

        var retries = logger.Entries.Where(e => e.EventId == 3007).Take(3).ToList();
        Assert.That(retries.Select(e => e.Level), Is.All.EqualTo(LogLevel.Warning));
        Assert.That(retries.Select(e => e.Message), Is.All.StartsWith($"Replication of sync rules version 1 cannot go on ({ReplicationErrorCodes.SourceNotReady}: The source database is not ready"));
        Assert.That(retries.Select(e => e.Message), Is.All.Contains("no restart of the app is needed"));
        for (var attempt = 1; attempt <= 3; attempt++)
            Assert.That(retries[attempt - 1].Message, Does.Match($@"; retrying in [0-9:.]+ \(attempt {attempt}\)$"));
        Assert.That(logger.Exceptions.Select(e => (e.Level, e.EventId)), Is.EqualTo(new[] { (LogLevel.Debug, 3008) }),
            "the same failure again adds no stack trace");
        Assert.That(logger.Entries.Where(e => e.Level >= LogLevel.Error), Is.Empty);
    }
}
