using System.Diagnostics;
using System.Text.Json;
using System.Text.Json.Nodes;
using Microsoft.Data.Sqlite;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using Npgsql;
using PowerSync.Core.Hosting;
using PowerSync.Core.Replication;
using PowerSync.Core.Storage;
using PowerSync.Core.SyncRules;

namespace PowerSync.Core.Admin;

/// <summary>
/// Administration of a PowerSync deployment from outside the running app (the <c>powersync</c> tool uses it) or
/// from inside it: check the sync rules against the live source, preview a user's buckets, report the store's
/// versions and slots, compact the store. Each call opens what it needs and closes it before returning; none
/// creates a bucket store or a replication slot, or changes the source.
/// </summary>
public sealed class PowerSyncAdmin
{
    private readonly PowerSyncAdminOptions _options;
    private readonly ILogger _storageLog;

    /// <summary>
    /// Creates the administration calls for these settings (each call checks that what it needs is set); with
    /// <paramref name="loggerFactory"/>, a compaction is logged (event 6001, category <see cref="PowerSyncEvents.StorageCategory"/>).
    /// </summary>
    /// <exception cref="PowerSyncException">Both <see cref="PowerSyncAdminOptions.SyncRules"/> and <see cref="PowerSyncAdminOptions.SyncRulesPath"/> are set (<see cref="AdminErrorCodes.SettingMissing"/>).</exception>
    public PowerSyncAdmin(PowerSyncAdminOptions options, ILoggerFactory? loggerFactory = null)
    {
        ArgumentNullException.ThrowIfNull(options);
        if (options.SyncRules is not null && options.SyncRulesPath is not null)
            throw new PowerSyncException(AdminErrorCodes.SettingMissing, "Set one of SyncRules (the YAML) or SyncRulesPath (a file with it), not both.");
        _options = options;
        _storageLog = (loggerFactory ?? NullLoggerFactory.Instance).CreateLogger(PowerSyncEvents.StorageCategory);
    }

    /// <summary>
    /// Checks the sync rules against the source database: the rules parse, the source can be replicated from, and every
    /// table, column, replica identity and parameter table the rules use is there (with file, line and column). Inactive
    /// slots are told apart from this store's own when <see cref="PowerSyncAdminOptions.StoragePath"/> names the store.
    /// </summary>
    /// <exception cref="PowerSyncException">
    /// A setting is missing (<see cref="AdminErrorCodes.SettingMissing"/>), the rules file cannot be read (<see cref="AdminErrorCodes.RulesUnreadable"/>),
    /// or the source cannot be queried (<see cref="ReplicationErrorCodes.SourceQueryFailed"/>).
    /// </exception>
    public async Task<RulesValidationReport> ValidateAsync(CancellationToken cancellationToken = default)
    {
        var (content, file) = await ReadRulesAsync(cancellationToken).ConfigureAwait(false);
        var notes = new List<string>();
        SyncRulesSet? rules = null;
        IReadOnlyList<SyncRulesError> errors = [], warnings = [];
        try
        {
            // A version id only so that edition 2 rules do not warn about its absence: bucket ids play no part here.
            rules = SyncRulesSet.Parse(content, new SyncRulesParseOptions { FileName = file, SyncRulesVersion = 1 });
            warnings = rules.Warnings;
        }
        catch (SyncRulesException e)
        {
            errors = e.Errors;
            notes.Add("The rules have errors, so their tables and columns were not checked against the source database.");
        }

        var source = CreateSource();
        await using (source.ConfigureAwait(false))
        {
            var (slots, slotsChecked) = await StoreSlotsAsync(notes, cancellationToken).ConfigureAwait(false);
            var check = await PostgresSourceChecker.CheckAsync(source, _options.PublicationName, slots.InUse.FirstOrDefault(), cancellationToken).ConfigureAwait(false);
            IReadOnlyList<SourceValidationProblem> problems = rules is null
                ? []
                : await SyncRulesSourceValidator.ValidateAsync(source, _options.PublicationName, rules, slots, cancellationToken).ConfigureAwait(false);
            // Without the store every PowerSync-named slot would look like another store's.
            if (!slotsChecked) problems = [.. problems.Where(p => p.Code != SourceValidationErrorCodes.InactiveSlot)];
            // A missing publication is reported by the source check already.
            problems = [.. problems.Where(p => !check.Errors.Any(e => e.Code == p.Code && e.Message == p.Message))];
            // A table the rules read without replica identity is reported once, at the reference to it.
            var identity = problems.Where(p => p.Code == SourceValidationErrorCodes.ReplicaIdentityInadequate).Select(p => Unquoted(p.Table)).ToHashSet(StringComparer.Ordinal);
            var sourceWarnings = check.Warnings.Where(w => !(w.Code == ReplicationErrorCodes.NoReplicaIdentity && identity.Contains(Unquoted(w.Table)))).ToList();
            return new RulesValidationReport(file, errors, warnings, check.Errors, sourceWarnings, problems,
                rules?.TableReferences.Count ?? 0, slotsChecked, notes);
        }
    }

    /// <summary>
    /// Which buckets <see cref="PreviewRequest.UserId"/> would receive, and how many rows each holds, from the source
    /// database as it is now: the rules need not be deployed. Every row of the published tables the rules read is read
    /// (streamed in chunks) and evaluated as replication evaluates it. Bucket ids carry the <c>&lt;version&gt;#</c>
    /// prefix of versioned rules when the store named by <see cref="PowerSyncAdminOptions.StoragePath"/> holds these rules.
    /// </summary>
    /// <exception cref="PowerSyncException">
    /// A setting is missing (<see cref="AdminErrorCodes.SettingMissing"/>), the request is invalid (<see cref="AdminErrorCodes.InvalidPreviewRequest"/>),
    /// the rules are invalid (<see cref="SyncRulesException"/>) or unreadable, or the source cannot be queried (<see cref="ReplicationErrorCodes.SourceQueryFailed"/>).
    /// </exception>
    public async Task<BucketPreview> PreviewAsync(PreviewRequest request, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(request);
        var payload = PreviewPayload(request);
        var (content, file) = await ReadRulesAsync(cancellationToken).ConfigureAwait(false);
        var notes = new List<string>();
        var version = await DeployedVersionAsync(content, notes, cancellationToken).ConfigureAwait(false);
        var rules = SyncRulesSet.Parse(content, new SyncRulesParseOptions { FileName = file, SyncRulesVersion = version ?? 1 });
        if (rules.VersionedBucketIds && version is null)
        {
            notes.Add("Bucket ids are versioned, but these rules are not deployed in the bucket store" +
                (_options.StoragePath is null ? " (none was given)" : "") + ": the ids are shown without the '<version>#' prefix they get once deployed.");
            rules = SyncRulesSet.Parse(content, new SyncRulesParseOptions { FileName = file, VersionedBucketIds = false });
        }
        else if (!rules.VersionedBucketIds)
        {
            version = null;
        }

        var source = CreateSource();
        await using (source.ConfigureAwait(false))
        {
            try
            {
                return await LiveBucketPreview.RunAsync(source, _options.PublicationName, rules, version, payload, request, notes, cancellationToken).ConfigureAwait(false);
            }
            catch (NpgsqlException e)
            {
                throw new PowerSyncException(ReplicationErrorCodes.SourceQueryFailed, $"The source database could not be read for the preview: {e.Message}", e);
            }
        }
    }

    /// <summary>
    /// The bucket store's sync-rules versions with their states and checkpoints, its size on disk, and (when
    /// <see cref="PowerSyncAdminOptions.SourceConnectionString"/> is set) each version's replication slot at the source:
    /// active or not, confirmed position, retained WAL and lag. A source that cannot be queried is reported in
    /// <see cref="StoreStatus.SourceError"/>, not thrown.
    /// </summary>
    /// <exception cref="PowerSyncException">
    /// <see cref="PowerSyncAdminOptions.StoragePath"/> is not set (<see cref="AdminErrorCodes.SettingMissing"/>), or the store cannot be opened
    /// (<see cref="AdminErrorCodes.StoreMissing"/>, <see cref="AdminErrorCodes.StoreUnreadable"/>, <c>PSYNC_N1505</c> for a LiteDB store open in another process).
    /// </exception>
    public async Task<StoreStatus> StatusAsync(CancellationToken cancellationToken = default)
    {
        var path = Path.GetFullPath(Require(_options.StoragePath, "StoragePath (the bucket store's file)"));
        IReadOnlyList<(SyncRulesVersion Version, VersionState State)> versions;
        var store = AdminStore.Open(path, _options.StorageEngine);
        await using (store.ConfigureAwait(false))
        {
            versions = await store.Admin.ListVersionsAsync(cancellationToken).ConfigureAwait(false);
        }
        var bytes = AdminStore.SizeOnDisk(path, _options.StorageEngine);

        string? sourceLsn = null, sourceError = null;
        var slots = new Dictionary<string, SourceSlotStatus>(StringComparer.Ordinal);
        if (_options.SourceConnectionString is not null)
        {
            var source = CreateSource();
            await using (source.ConfigureAwait(false))
            {
                try
                {
                    var names = versions.Select(v => v.Version.SlotName).Where(n => n.Length > 0).ToList();
                    var (current, found) = await SourceSlotStatus.ReadAsync(source, names, cancellationToken).ConfigureAwait(false);
                    sourceLsn = current.ToString();
                    foreach (var slot in found) slots[slot.Name] = slot;
                }
                catch (PowerSyncException e) when (e.Code == ReplicationErrorCodes.SourceQueryFailed)
                {
                    sourceError = e.Message;
                }
            }
        }

        var list = versions.Select(v => new RulesVersionStatus(
            v.Version.Id,
            v.State.State.ToString().ToLowerInvariant(),
            v.State.SnapshotDone,
            v.State.Checkpoint?.OpId.Value,
            v.State.Checkpoint?.Lsn.ToString(),
            v.State.ResumeLsn?.ToString(),
            v.Version.SlotName.Length > 0 ? v.Version.SlotName : null,
            slots.TryGetValue(v.Version.SlotName, out var s)
                ? new ReplicationSlotStatus(s.Name, s.Exists, s.Active, s.WalStatus, s.ConfirmedFlush?.ToString(), s.RetainedWalBytes, s.LagBytes, s.FlushLag)
                : null)).ToList();
        return new StoreStatus(path, _options.StorageEngine, bytes, list, sourceLsn, sourceError);
    }

    /// <summary>
    /// Compacts the active version of the bucket store up to its latest checkpoint (superseded PUT/REMOVE ops become
    /// MOVE, leading runs become one CLEAR; no checksum changes), in short transactions. A SQLite store can be compacted
    /// while the app runs (each transaction waits up to 60 s for the app's); a LiteDB store only while no other process has it open.
    /// </summary>
    /// <exception cref="PowerSyncException">
    /// <see cref="PowerSyncAdminOptions.StoragePath"/> is not set, the store cannot be opened (see <see cref="StatusAsync"/>),
    /// or another process kept the store locked past the busy timeout (<c>PSYNC_N1506</c>; what was compacted so far stays).
    /// </exception>
    public async Task<CompactionReport> CompactAsync(CancellationToken cancellationToken = default)
    {
        var path = Path.GetFullPath(Require(_options.StoragePath, "StoragePath (the bucket store's file)"));
        var store = AdminStore.Open(path, _options.StorageEngine);
        await using (store.ConfigureAwait(false))
        {
            var versions = await store.Admin.ListVersionsAsync(cancellationToken).ConfigureAwait(false);
            // The version the compactor works on: the newest active one with a checkpoint, as the store loads it.
            var active = versions.LastOrDefault(v => v.State.State == SyncRulesState.Active && v.State.Checkpoint is not null);
            var clock = Stopwatch.StartNew();
            try
            {
                var result = await store.Compactor.CompactAsync(new CompactionOptions(), cancellationToken).ConfigureAwait(false);
                var report = new CompactionReport(active.Version?.Id, result.BucketsScanned, result.OpsScanned, result.OpsMoved, result.OpsCleared, clock.Elapsed);
                AdminLog.Compacted(_storageLog, report.RulesVersion, report.BucketsScanned, report.OpsScanned, report.OpsMoved, report.OpsCleared, report.Duration);
                return report;
            }
            catch (SqliteException e) when (e.SqliteErrorCode is 5 or 6)
            {
                throw new PowerSyncException(StorageErrorCodes.StoreBusy,
                    $"The bucket store '{path}' stayed locked by another process's write transaction for longer than the busy timeout (60 s), " +
                    "for example the app's initial snapshot. Run the compaction again later; what was compacted so far is kept.", e);
            }
        }
    }

    /// <summary>The rules' YAML and the file they came from.</summary>
    private async Task<(string Content, string? File)> ReadRulesAsync(CancellationToken cancellationToken)
    {
        if (_options.SyncRules is { } yaml) return (yaml, null);
        var path = Require(_options.SyncRulesPath, "SyncRulesPath (the sync rules file) or SyncRules");
        try
        {
            return (await File.ReadAllTextAsync(path, cancellationToken).ConfigureAwait(false), path);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            throw new PowerSyncException(AdminErrorCodes.RulesUnreadable, $"The sync rules file '{Path.GetFullPath(path)}' cannot be read: {e.Message}", e);
        }
    }

    private NpgsqlDataSource CreateSource()
    {
        var connectionString = Require(_options.SourceConnectionString, "SourceConnectionString (the source Postgres database)");
        try
        {
            return NpgsqlDataSource.Create(connectionString);
        }
        catch (ArgumentException e)
        {
            throw new PowerSyncException(AdminErrorCodes.SettingMissing, $"SourceConnectionString is not a valid Npgsql connection string: {e.Message}", e);
        }
    }

    /// <summary>This store's slots, when a store is given and can be read.</summary>
    private async Task<(StoreSlots Slots, bool Checked)> StoreSlotsAsync(List<string> notes, CancellationToken cancellationToken)
    {
        var none = new StoreSlots([], new Dictionary<string, long>());
        if (_options.StoragePath is null)
        {
            notes.Add("Inactive replication slots were not checked: name the bucket store (StoragePath) to tell its slots from other stores'.");
            return (none, false);
        }
        var path = Path.GetFullPath(_options.StoragePath);
        if (!File.Exists(path))
        {
            notes.Add($"The bucket store '{path}' does not exist yet, so no replication slot is its own.");
            return (none, true);
        }
        try
        {
            var store = AdminStore.Open(path, _options.StorageEngine);
            await using (store.ConfigureAwait(false))
            {
                return (await StartupSourceValidation.StoreSlotsAsync(store.Admin, cancellationToken).ConfigureAwait(false), true);
            }
        }
        catch (PowerSyncException e) when (e.Code is StorageErrorCodes.StoreInUse or AdminErrorCodes.StoreUnreadable)
        {
            notes.Add($"Inactive replication slots were not checked: {e.Message}");
            return (none, false);
        }
    }

    /// <summary>The id of the store's processing or active version holding exactly these rules, if a store is given and has one.</summary>
    private async Task<long?> DeployedVersionAsync(string content, List<string> notes, CancellationToken cancellationToken)
    {
        if (_options.StoragePath is null || !File.Exists(_options.StoragePath)) return null;
        try
        {
            var store = AdminStore.Open(_options.StoragePath, _options.StorageEngine);
            await using (store.ConfigureAwait(false))
            {
                var versions = await store.Admin.ListVersionsAsync(cancellationToken).ConfigureAwait(false);
                return versions.LastOrDefault(v => v.Version.State is SyncRulesState.Active or SyncRulesState.Processing && v.Version.Content == content).Version?.Id;
            }
        }
        catch (PowerSyncException e) when (e.Code is StorageErrorCodes.StoreInUse or AdminErrorCodes.StoreUnreadable)
        {
            // Only the ids' version prefix depends on it: the preview goes on without.
            notes.Add($"The bucket store could not be read for the version of these rules: {e.Message}");
            return null;
        }
    }

    /// <summary>The JWT payload a client of the user would bring: the claims, with <c>sub</c> the user.</summary>
    private static string PreviewPayload(PreviewRequest request)
    {
        if (string.IsNullOrWhiteSpace(request.UserId))
            throw new PowerSyncException(AdminErrorCodes.InvalidPreviewRequest, "The user id cannot be empty: give the token's sub.");
        var claims = JsonObjectOf(request.ClaimsJson, "claims", """{"role":"admin"}""") ?? [];
        if (claims["sub"] is { } sub && (sub.GetValueKind() != JsonValueKind.String || sub.GetValue<string>() != request.UserId))
        {
            throw new PowerSyncException(AdminErrorCodes.InvalidPreviewRequest,
                $"The claims have sub {sub.ToJsonString()} but the user is \"{request.UserId}\": give the user once, as the user id.");
        }
        claims["sub"] = request.UserId;
        JsonObjectOf(request.ParametersJson, "client parameters", """{"project":"p1"}""");
        return claims.ToJsonString();
    }

    private static JsonObject? JsonObjectOf(string? json, string what, string example)
    {
        if (json is null) return null;
        JsonNode? node;
        try
        {
            node = JsonNode.Parse(json);
        }
        catch (JsonException e)
        {
            throw new PowerSyncException(AdminErrorCodes.InvalidPreviewRequest, $"The {what} are not valid JSON ({e.Message}); give an object such as {example}.");
        }
        return node as JsonObject
            ?? throw new PowerSyncException(AdminErrorCodes.InvalidPreviewRequest, $"The {what} must be a JSON object such as {example}.");
    }

    /// <summary><c>schema.table</c> whether written <c>"schema"."table"</c> (the source check) or not (the rules check).</summary>
    private static string? Unquoted(string? table) => table?.Replace("\"", "", StringComparison.Ordinal);

    private static string Require(string? value, string what) =>
        string.IsNullOrWhiteSpace(value)
            ? throw new PowerSyncException(AdminErrorCodes.SettingMissing, $"This needs {what}, which is not set.")
            : value;
}

internal static partial class AdminLog
{
    [LoggerMessage(EventId = 6001, Level = LogLevel.Information, Message = "Compacted sync rules version {Version}: {Buckets} buckets, {Ops} ops read, {Moved} moved, {Cleared} cleared in {Elapsed}")]
    public static partial void Compacted(ILogger logger, long? version, long buckets, long ops, long moved, long cleared, TimeSpan elapsed);
}
