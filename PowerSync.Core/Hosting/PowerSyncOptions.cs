using PowerSync.Core.Auth;

namespace PowerSync.Core.Hosting;

/// <summary>
/// Everything PowerSync needs from the host application: set in <c>services.AddPowerSync(options =&gt; ...)</c>, bound
/// from configuration with <c>services.AddPowerSync(configuration.GetSection("PowerSync"))</c> (keys named as these
/// properties), or changed on the <see cref="PowerSyncBuilder"/> either returns. Checked once when the application
/// starts (every problem reported together, <see cref="HostingErrorCodes.InvalidOptions"/>), then unchangeable: setting
/// a property of options PowerSync runs with throws <see cref="InvalidOperationException"/>.
/// </summary>
public sealed class PowerSyncOptions
{
    private readonly OptionsFreeze _freeze = new(nameof(PowerSyncOptions));

    /// <summary>
    /// Connection string of the source Postgres database, as a role with REPLICATION: the replication stream opens
    /// its own connection with it (replication connections are not pooled), and the other queries on the source use a
    /// pool opened from it unless <see cref="PowerSyncBuilder.UseNpgsqlDataSource(Npgsql.NpgsqlDataSource)"/> gives one.
    /// Under <c>AddPowerSync</c>, when it is not set, the app's <c>ConnectionStrings:PowerSync</c> is used.
    /// </summary>
    public string? SourceConnectionString { get; set => field = _freeze.Set(value); }

    /// <summary>The publication listing the replicated tables. Default <c>powersync</c>.</summary>
    public string PublicationName { get; set => field = _freeze.Set(value); } = "powersync";

    /// <summary>The sync rules YAML. Set this or <see cref="SyncRulesPath"/>.</summary>
    public string? SyncRules { get; set => field = _freeze.Set(value); }

    /// <summary>
    /// A file holding the sync rules YAML. Set this or <see cref="SyncRules"/>. Under <c>AddPowerSync</c> a relative
    /// path is taken relative to the app's content root (where <c>appsettings.json</c> is).
    /// </summary>
    public string? SyncRulesPath { get; set => field = _freeze.Set(value); }

    /// <summary>
    /// The embedded bucket store's database file. Default <c>powersync-buckets.db</c>. Under <c>AddPowerSync</c> a
    /// relative path is taken relative to the app's content root (as <see cref="SyncRulesPath"/> is); a service
    /// constructed directly takes it relative to the working directory.
    /// </summary>
    public string StoragePath { get; set => field = _freeze.Set(value); } = "powersync-buckets.db";

    /// <summary>
    /// What the bucket store is built on. Default <see cref="BucketStorageEngine.Sqlite"/>, by far the faster;
    /// <see cref="BucketStorageEngine.LiteDb"/> needs no native library. A file is only readable by the engine that wrote it.
    /// <see cref="PowerSyncBuilder.UseSqliteStorage"/> and <see cref="PowerSyncBuilder.UseLiteDbStorage"/> set it.
    /// </summary>
    public BucketStorageEngine StorageEngine { get; set => field = _freeze.Set(value); } = BucketStorageEngine.Sqlite;

    /// <summary>
    /// With <see cref="BucketStorageEngine.Postgres"/>: the connection string of the database holding the bucket store.
    /// Default: the source database (<see cref="SourceConnectionString"/>). Every instance sharing the store names the
    /// same database and <see cref="StorageSchema"/>.
    /// </summary>
    public string? StorageConnectionString { get; set => field = _freeze.Set(value); }

    /// <summary>With <see cref="BucketStorageEngine.Postgres"/>: the schema of the bucket store's tables (created when missing). Default <c>powersync</c>.</summary>
    public string StorageSchema { get; set => field = _freeze.Set(value); } = "powersync";

    /// <summary>
    /// What this instance does: serve sync clients, replicate the source, or both (the default). Instances sharing a
    /// Postgres bucket store elect one replicator among those that replicate; the others stand by to take over within
    /// <see cref="ReplicationLeaseDuration"/>. <see cref="PowerSyncInstanceRole.ServeOnly"/> and
    /// <see cref="PowerSyncInstanceRole.ReplicateOnly"/> need a shared (Postgres) store.
    /// </summary>
    public PowerSyncInstanceRole Role { get; set => field = _freeze.Set(value); } = PowerSyncInstanceRole.ServeAndReplicate;

    /// <summary>
    /// With <see cref="BucketStorageEngine.Postgres"/>: how long the replicating instance's claim lasts unrenewed (it renews
    /// every third of it). When that instance dies or is cut off, another takes over after at most this long. Default 5 s.
    /// </summary>
    public TimeSpan ReplicationLeaseDuration { get; set => field = _freeze.Set(value); } = TimeSpan.FromSeconds(5);

    /// <summary>How sync clients authenticate.</summary>
    public PowerSyncAuthOptions Auth { get; } = new();

    /// <summary>Open sync streams allowed on this instance; more get HTTP 429 (PSYNC_S2304). Default 10,000.</summary>
    public int MaxConcurrentConnections { get; set => field = _freeze.Set(value); } = 10_000;

    /// <summary>Buckets one connection may sync; more fail the stream (PSYNC_S2305). Default 1,000.</summary>
    public int MaxBucketsPerConnection { get; set => field = _freeze.Set(value); } = 1_000;

    /// <summary>Largest accepted request body. Default 1 MiB.</summary>
    public int MaxRequestBodyBytes { get; set => field = _freeze.Set(value); } = 1024 * 1024;

    /// <summary>Distinct stream subscriptions one sync request may hold (repeats are merged first); more get HTTP 400 (PSYNC_N2403). Default 100.</summary>
    public int MaxSubscriptionsPerConnection { get; set => field = _freeze.Set(value); } = Protocol.SyncRequest.DefaultMaxSubscriptions;

    /// <summary>Open sync streams one user may have on this instance; more get HTTP 429 (PSYNC_N2404). Default 0: no per-user limit.</summary>
    public int MaxStreamsPerUser { get; set => field = _freeze.Set(value); }

    /// <summary>
    /// Whether problems found by checking the sync rules against the source database at start-up (a table
    /// missing or not published, an unknown column, a table without replica identity, an inactive old slot)
    /// fail start-up with one <see cref="PowerSyncException"/> (PSYNC_N4000) listing them all. Default false:
    /// they are logged as warnings and exposed as <see cref="PowerSyncService.SourceValidationProblems"/>.
    /// </summary>
    public bool FailOnSourceValidationProblems { get; set => field = _freeze.Set(value); }

    /// <summary>
    /// Silence after which the replication connection counts as dead (half-open, or a frozen network path) and is
    /// replaced. Postgres sends keepalives every <c>wal_sender_timeout</c>/2, and PowerSync asks it for one after
    /// half this time without a message; TCP keepalives probe the connection too. Default 30 s; at least 1 s.
    /// </summary>
    public TimeSpan ReplicationTimeout { get; set => field = _freeze.Set(value); } = TimeSpan.FromSeconds(30);

    /// <summary>
    /// Lag behind the source beyond which the health check reports <c>Degraded</c>: how long ago the source
    /// was at the oldest position replication has not made durable yet (zero on an idle, caught-up source).
    /// Default 1 minute.
    /// </summary>
    public TimeSpan ReplicationLagThreshold { get; set => field = _freeze.Set(value); } = TimeSpan.FromMinutes(1);

    /// <summary>What binding these options from configuration found wrong (unknown keys, values of the wrong type).</summary>
    internal List<string> ConfigurationProblems { get; } = [];

    /// <summary>Whether PowerSync runs with these options, so that they can no longer change.</summary>
    internal bool IsFrozen => _freeze.IsFrozen;

    /// <summary>
    /// Checks every setting, then makes them unchangeable: a service runs with these values from now on.
    /// Options that are not valid stay changeable.
    /// </summary>
    /// <exception cref="PowerSyncException">The options are invalid (<see cref="HostingErrorCodes.InvalidOptions"/>); the message lists every problem.</exception>
    internal void ValidateAndFreeze()
    {
        if (IsFrozen) return;
        var problems = Problems();
        if (problems.Count > 0)
        {
            throw new PowerSyncException(HostingErrorCodes.InvalidOptions,
                $"PowerSync options are invalid ({problems.Count} problem(s)):{Environment.NewLine}  " + string.Join(Environment.NewLine + "  ", problems));
        }
        _freeze.Freeze();
        Auth.Freeze();
    }

    /// <summary>Every problem with these options.</summary>
    internal List<string> Problems()
    {
        var problems = new List<string>(ConfigurationProblems);
        if (string.IsNullOrWhiteSpace(SourceConnectionString))
            problems.Add("SourceConnectionString: give the connection string of the source Postgres database (in configuration: PowerSync:SourceConnectionString, or ConnectionStrings:PowerSync).");
        else if (ConnectionStringProblem(SourceConnectionString) is { } malformed)
            problems.Add($"SourceConnectionString: {malformed}");
        if (string.IsNullOrWhiteSpace(SyncRules) == string.IsNullOrWhiteSpace(SyncRulesPath))
            problems.Add("Sync rules: set exactly one of SyncRules (the YAML) or SyncRulesPath (a file with it).");
        else if (SyncRulesPath is not null && !File.Exists(SyncRulesPath))
            problems.Add($"SyncRulesPath: the file '{Path.GetFullPath(SyncRulesPath)}' does not exist.");
        if (string.IsNullOrWhiteSpace(PublicationName))
            problems.Add("PublicationName: name the Postgres publication to replicate (default 'powersync').");
        if (string.IsNullOrWhiteSpace(StoragePath))
            problems.Add("StoragePath: name the file of the bucket store.");
        if (!Enum.IsDefined(StorageEngine))
            problems.Add($"StorageEngine {(int)StorageEngine} is not a BucketStorageEngine: use Sqlite, LiteDb or Postgres.");
        if (StorageConnectionString is not null && ConnectionStringProblem(StorageConnectionString) is { } badStorage)
            problems.Add($"StorageConnectionString: {badStorage}");
        if (StorageEngine == BucketStorageEngine.Postgres && !System.Text.RegularExpressions.Regex.IsMatch(StorageSchema ?? "", "^[a-z_][a-z0-9_]{0,49}$"))
            problems.Add($"StorageSchema '{StorageSchema}' is not a plain Postgres identifier: use lower-case letters, digits and '_' (at most 50, not starting with a digit).");
        if (!Enum.IsDefined(Role))
            problems.Add($"Role {(int)Role} is not a PowerSyncInstanceRole: use ServeAndReplicate, ServeOnly or ReplicateOnly.");
        else if (Role != PowerSyncInstanceRole.ServeAndReplicate && StorageEngine != BucketStorageEngine.Postgres)
            problems.Add($"Role {Role} needs a bucket store shared by several instances: use StorageEngine Postgres (UsePostgresStorage), or the role ServeAndReplicate.");
        if (ReplicationLeaseDuration < TimeSpan.FromSeconds(1) || ReplicationLeaseDuration > TimeSpan.FromMinutes(10))
            problems.Add($"ReplicationLeaseDuration must be between 1 second and 10 minutes (was {ReplicationLeaseDuration}).");
        if (MaxConcurrentConnections < 1) problems.Add($"MaxConcurrentConnections must be at least 1 (was {MaxConcurrentConnections}).");
        if (MaxBucketsPerConnection < 1) problems.Add($"MaxBucketsPerConnection must be at least 1 (was {MaxBucketsPerConnection}).");
        if (MaxRequestBodyBytes < 1024) problems.Add($"MaxRequestBodyBytes must be at least 1024 (was {MaxRequestBodyBytes}).");
        if (MaxSubscriptionsPerConnection < 1) problems.Add($"MaxSubscriptionsPerConnection must be at least 1 (was {MaxSubscriptionsPerConnection}).");
        if (MaxStreamsPerUser < 0) problems.Add($"MaxStreamsPerUser must be 0 (no limit) or more (was {MaxStreamsPerUser}).");
        if (ReplicationTimeout < TimeSpan.FromSeconds(1) || ReplicationTimeout > TimeSpan.FromHours(1))
            problems.Add($"ReplicationTimeout must be between 1 second and 1 hour (was {ReplicationTimeout}).");
        if (ReplicationLagThreshold <= TimeSpan.Zero)
            problems.Add($"ReplicationLagThreshold must be positive (was {ReplicationLagThreshold}).");
        problems.AddRange(Auth.Problems());
        return problems;
    }

    /// <summary>Why a connection string cannot be used (null when Npgsql accepts it); never repeats the string, which may hold a password.</summary>
    private static string? ConnectionStringProblem(string connectionString)
    {
        try
        {
            _ = new Npgsql.NpgsqlConnectionStringBuilder(connectionString);
            return null;
        }
        catch (ArgumentException e)
        {
            return $"not a valid Postgres connection string ({e.Message}).";
        }
    }
}
