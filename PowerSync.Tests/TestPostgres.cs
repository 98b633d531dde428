using NUnit.Framework;
using PowerSync.Tests.Infrastructure.Postgres;

[assembly: Parallelizable(ParallelScope.Fixtures)]
[assembly: LevelOfParallelism(4)]

namespace PowerSync.Tests;

/// <summary>
/// The one Postgres server of a test run, started on first use and stopped when the run ends.
/// Each test asks for its own database: <c>await using var db = await TestPostgres.CreateDatabaseAsync();</c>
/// </summary>
[SetUpFixture]
public sealed class TestPostgres
{
    private static readonly SemaphoreSlim StartGate = new(1, 1);
    private static PostgresServer? _server;

    /// <summary>The shared server (private cluster or <c>POWERSYNC_TEST_PG</c>).</summary>
    public static async Task<PostgresServer> ServerAsync()
    {
        if (Volatile.Read(ref _server) is { } started) return started;
        await StartGate.WaitAsync();
        try
        {
            return _server ??= await PostgresServer.StartAsync();
        }
        finally
        {
            StartGate.Release();
        }
    }

    /// <summary>A new database named after the current test.</summary>
    public static async Task<TestDatabase> CreateDatabaseAsync()
    {
        var server = await ServerAsync();
        return await server.CreateDatabaseAsync(TestContext.CurrentContext.Test.MethodName ?? TestContext.CurrentContext.Test.Name);
    }

    [OneTimeTearDown]
    public async Task StopServerAsync()
    {
        var server = Interlocked.Exchange(ref _server, null);
        if (server is not null) await server.DisposeAsync();
    }
}
