using Npgsql;
using PowerSync.Core;
using PowerSync.Core.Replication;
using PowerSync.Tests.Infrastructure.Postgres;

namespace PowerSync.Tests.Replication;

/// <summary>A replication stream on a test's own database, with its slot and a publication of all tables.</summary>
internal sealed class StreamHarness : IAsyncDisposable
{
    private StreamHarness(TestDatabase db, NpgsqlDataSource dataSource, PostgresValueMapper mapper, PgOutputReplicationStream stream)
    {
        Db = db;
        DataSource = dataSource;
        Mapper = mapper;
        Stream = stream;
    }

    public TestDatabase Db { get; }

    public NpgsqlDataSource DataSource { get; }

    /// <summary>Terminates walsenders still using the database's slot and waits (bounded) until none is left.</summary>
    public static async Task EndWalSendersAsync(TestDatabase db)
    {
        await using var connection = await db.OpenConnectionAsync();
        await Eventually.HoldsAsync(async () =>
        {
            await using var command = new NpgsqlCommand(
                "SELECT count(pg_terminate_backend(active_pid)) FROM pg_replication_slots WHERE slot_name = $1 AND active_pid IS NOT NULL",
                connection) { Parameters = { new() { Value = db.SlotName } } };
            return (long)(await command.ExecuteScalarAsync())!;
        }, terminated => terminated == 0, TimeSpan.FromSeconds(30), $"no walsender uses slot {db.SlotName}");
    }

    public PostgresValueMapper Mapper { get; }

    public PgOutputReplicationStream Stream { get; private set; }

    public Lsn ConsistentPoint { get; private set; }

    public ReplicationStreamOptions Options => new(Db.ConnectionString, Db.SlotName, Db.PublicationName);

    /// <summary>Creates the publication (unless told not to) and the slot.</summary>
    public static async Task<StreamHarness> CreateAsync(TestDatabase db, CancellationToken ct, ValueMappingOptions? mapping = null, bool createPublication = true)
    {
        if (createPublication) await db.ExecuteAsync($"CREATE PUBLICATION {db.PublicationName} FOR ALL TABLES", ct);
        var dataSource = NpgsqlDataSource.Create(db.ConnectionString);
        var mapper = new PostgresValueMapper(new PostgresTypeCatalog(dataSource), mapping ?? ValueMappingOptions.Legacy);
        var stream = new PgOutputReplicationStream(new ReplicationStreamOptions(db.ConnectionString, db.SlotName, db.PublicationName), mapper);
        var harness = new StreamHarness(db, dataSource, mapper, stream);
        harness.ConsistentPoint = await stream.CreateSlotAsync(ct);
        return harness;
    }

    /// <summary>Replaces the stream with a new connection (as after a restart).</summary>
    public async Task ReconnectAsync()
    {
        await Stream.DisposeAsync();
        Stream = new PgOutputReplicationStream(Options, Mapper);
    }

    /// <summary>Reads changes until <paramref name="until"/> holds for one (included), or the token fires.</summary>
    public async Task<List<ReplicationChange>> CollectUntilAsync(Func<ReplicationChange, bool> until, CancellationToken ct, Lsn start = default)
    {
        var changes = new List<ReplicationChange>();
        await foreach (var change in Stream.ReadChangesAsync(start, ct))
        {
            changes.Add(change);
            if (until(change)) break;
        }
        return changes;
    }

    /// <summary>Reads changes until the <paramref name="count"/>-th commit.</summary>
    public Task<List<ReplicationChange>> CollectCommitsAsync(int count, CancellationToken ct, Lsn start = default)
    {
        var seen = 0;
        return CollectUntilAsync(c => c is TransactionCommit && ++seen == count, ct, start);
    }

    /// <summary>
    /// Closes the stream, then ends the server side of any connection still using the slot and waits
    /// (bounded) until the slot is inactive: a walsender outlives its client briefly, and an active
    /// slot keeps the test database from being dropped.
    /// </summary>
    public async ValueTask DisposeAsync()
    {
        await Stream.DisposeAsync();
        await EndWalSendersAsync(Db);
        await DataSource.DisposeAsync();
    }
}
