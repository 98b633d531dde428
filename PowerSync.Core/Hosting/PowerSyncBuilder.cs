using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Npgsql;
using PowerSync.Core.Auth;

namespace PowerSync.Core.Hosting;

/// <summary>
/// Configures the PowerSync that <c>services.AddPowerSync(...)</c> added: the bucket store, the connection to the source
/// database, authentication. Each call changes the <see cref="PowerSyncOptions"/> (after the configuration or the
/// delegate given to <c>AddPowerSync</c>, so code here wins) or what the service is composed of; everything is
/// checked together when the app starts.
/// </summary>
public sealed class PowerSyncBuilder
{
    internal PowerSyncBuilder(IServiceCollection services) => Services = services;

    /// <summary>The app's services, for registrations of your own alongside PowerSync.</summary>
    public IServiceCollection Services { get; }

    /// <summary>Changes the options, after configuration binding or the delegate given to <c>AddPowerSync</c>.</summary>
    public PowerSyncBuilder Configure(Action<PowerSyncOptions> configure)
    {
        ArgumentNullException.ThrowIfNull(configure);
        Services.Configure(configure);
        return this;
    }

    /// <summary>
    /// Changes how sync clients authenticate (<see cref="PowerSyncOptions.Auth"/>): the keys (<c>Jwks</c>,
    /// <c>JwksUris</c>), the accepted audiences and issuers, token lifetimes.
    /// </summary>
    public PowerSyncBuilder ConfigureAuth(Action<PowerSyncAuthOptions> configure)
    {
        ArgumentNullException.ThrowIfNull(configure);
        Services.Configure<PowerSyncOptions>(options => configure(options.Auth));
        return this;
    }

    /// <summary>
    /// Keeps the bucket store in SQLite (WAL mode; the default and by far the faster engine).
    /// </summary>
    /// <param name="path">The store's file; null keeps <see cref="PowerSyncOptions.StoragePath"/>. Relative to the app's content root.</param>
    public PowerSyncBuilder UseSqliteStorage(string? path = null) => UseStorage(BucketStorageEngine.Sqlite, path);

    /// <summary>
    /// Keeps the bucket store in LiteDB: managed code only (no native library), about ten times slower to append.
    /// A file is only readable by the engine that wrote it.
    /// </summary>
    /// <param name="path">The store's file; null keeps <see cref="PowerSyncOptions.StoragePath"/>. Relative to the app's content root.</param>
    public PowerSyncBuilder UseLiteDbStorage(string? path = null) => UseStorage(BucketStorageEngine.LiteDb, path);

    /// <summary>
    /// Keeps the bucket store in a Postgres schema shared by every app instance that points at it: one instance
    /// replicates (elected through a lease), every instance serves, and clients may reconnect to any of them.
    /// </summary>
    /// <param name="connectionString">The database of the store; null keeps <see cref="PowerSyncOptions.StorageConnectionString"/> (default: the source database).</param>
    /// <param name="schema">The schema of its tables; null keeps <see cref="PowerSyncOptions.StorageSchema"/> (default <c>powersync</c>).</param>
    public PowerSyncBuilder UsePostgresStorage(string? connectionString = null, string? schema = null)
    {
        if (connectionString is not null) ArgumentException.ThrowIfNullOrWhiteSpace(connectionString);
        if (schema is not null) ArgumentException.ThrowIfNullOrWhiteSpace(schema);
        return Configure(options =>
        {
            options.StorageEngine = BucketStorageEngine.Postgres;
            if (connectionString is not null) options.StorageConnectionString = connectionString;
            if (schema is not null) options.StorageSchema = schema;
        });
    }

    /// <summary>Sets what this instance does (<see cref="PowerSyncOptions.Role"/>): serve, replicate, or both.</summary>
    public PowerSyncBuilder WithRole(PowerSyncInstanceRole role) => Configure(options => options.Role = role);

    /// <summary>
    /// Runs PowerSync's queries on the source database through <paramref name="dataSource"/> instead of a pool of its
    /// own: write checkpoints, the initial snapshot, the checks of the source and the rules, health probes and
    /// dropping retired slots. It must reach the same database as <see cref="PowerSyncOptions.SourceConnectionString"/>,
    /// as a role with what those queries need (REPLICATION, and SELECT on the published tables without row-level
    /// security in the way); the replication stream still connects with the connection string, since replication
    /// connections are not pooled. PowerSync does not dispose it.
    /// </summary>
    public PowerSyncBuilder UseNpgsqlDataSource(NpgsqlDataSource dataSource)
    {
        ArgumentNullException.ThrowIfNull(dataSource);
        return UseNpgsqlDataSource(_ => dataSource);
    }

    /// <summary>
    /// As <see cref="UseNpgsqlDataSource(NpgsqlDataSource)"/>, with the data source the app registered in its services
    /// (e.g. a keyed one: <c>provider =&gt; provider.GetRequiredKeyedService&lt;NpgsqlDataSource&gt;("source")</c>),
    /// resolved when PowerSync starts. The container owns it.
    /// </summary>
    public PowerSyncBuilder UseNpgsqlDataSource(Func<IServiceProvider, NpgsqlDataSource> dataSource)
    {
        ArgumentNullException.ThrowIfNull(dataSource);
        Services.Replace(ServiceDescriptor.Singleton(new PowerSyncDataSource(dataSource)));
        return this;
    }

    /// <summary>As <see cref="UseNpgsqlDataSource(NpgsqlDataSource)"/>, with the <see cref="NpgsqlDataSource"/> registered in the app's services.</summary>
    public PowerSyncBuilder UseNpgsqlDataSource() => UseNpgsqlDataSource(provider => provider.GetRequiredService<NpgsqlDataSource>());

    private PowerSyncBuilder UseStorage(BucketStorageEngine engine, string? path)
    {
        if (path is not null) ArgumentException.ThrowIfNullOrWhiteSpace(path);
        return Configure(options =>
        {
            options.StorageEngine = engine;
            if (path is not null) options.StoragePath = path;
        });
    }
}
