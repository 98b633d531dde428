using System.Diagnostics;
using Microsoft.Extensions.Logging;
using Npgsql;
using PowerSync.Core.Storage;
using PowerSync.Core.SyncRules;

namespace PowerSync.Core.Replication;

/// <summary>Where and how one sync-rules version replicates.</summary>
internal sealed record BucketReplicatorOptions(
    string ConnectionString,
    string PublicationName,
    ReconnectPolicy? Reconnect = null,
    int SnapshotChunkSize = PostgresSnapshotReader.DefaultChunkSize,
    TimeSpan? StatusInterval = null,
    TimeSpan? ReceiveTimeout = null,
    ReplicationProgress? Progress = null,
    ReplicationMetrics? Metrics = null);

/// <summary>
/// Replicates one sync-rules version from Postgres into its bucket-store writer: checks the source,
/// creates the slot, snapshots every table the rules read (resumably, chunk by chunk), then streams
/// changes. Each row is evaluated by the sync rules and saved; a storage commit happens at a source
/// commit when no further change is waiting (several source transactions may share one), and only
/// then is the LSN acknowledged to Postgres.
/// </summary>
internal sealed class BucketReplicator(
    NpgsqlDataSource source,
    SyncRulesSet rules,
    IBucketStorageWriter writer,
    BucketReplicatorOptions options,
    ILogger logger)
{
    private readonly Dictionary<uint, SourceRelation> _relations = [];
    private readonly HashSet<string> _snapshotted = new(StringComparer.Ordinal);

    private string SlotName => writer.Version.SlotName;

    public async Task RunAsync(CancellationToken cancellationToken)
    {
        var mapper = new PostgresValueMapper(new PostgresTypeCatalog(source),
            new ValueMappingOptions(rules.TimestampsIso8601, rules.CustomPostgresTypes, rules.TimestampMaxPrecision));
        var check = await PostgresSourceChecker.CheckAsync(source, options.PublicationName, SlotName, cancellationToken).ConfigureAwait(false);
        foreach (var warning in check.Warnings) BucketReplicatorLog.SourceWarning(logger, warning.ToString());
        check.ThrowIfNotReady();

        var streamOptions = new ReplicationStreamOptions(options.ConnectionString, SlotName, options.PublicationName, options.StatusInterval, options.ReceiveTimeout);
        var state = await writer.GetStateAsync(cancellationToken).ConfigureAwait(false);
        if (!state.SnapshotDone)
        {
            var slot = await ReplicationSlotState.ReadAsync(source, SlotName, cancellationToken).ConfigureAwait(false);
            if (slot.Health == ReplicationSlotHealth.Lost || (slot.Health == ReplicationSlotHealth.Missing && state.Tables.Count > 0))
            {
                // Tables copied so far are only consistent with the stream of the slot they were copied
                // under; a new slot would miss the changes made in between. Start over from a new snapshot.
                throw new PowerSyncException(ReplicationErrorCodes.SlotInvalidated,
                    $"Replication slot '{SlotName}' is {(slot.Health == ReplicationSlotHealth.Lost ? "lost" : "gone")} while the initial snapshot of " +
                    $"sync rules version {writer.Version.Id} was in progress; the snapshot must start over with a new slot.");
            }
            if (slot.Health == ReplicationSlotHealth.Missing)
            {
                var creator = new PgOutputReplicationStream(streamOptions, mapper);
                await using (creator.ConfigureAwait(false))
                {
                    var consistentPoint = await creator.CreateSlotAsync(cancellationToken).ConfigureAwait(false);
                    BucketReplicatorLog.SlotCreated(logger, SlotName, consistentPoint);
                }
            }
            await SnapshotAsync(state, mapper, cancellationToken).ConfigureAwait(false);
            state = await writer.GetStateAsync(cancellationToken).ConfigureAwait(false);
        }

        foreach (var (name, progress) in state.Tables)
        {
            if (progress.Done) _snapshotted.Add(name);
        }
        if (state.Checkpoint is null)
        {
            // No checkpoint yet (the snapshot just ended, or a restart came before streaming passed its
            // consistent point): an idle source would never stream past it, so put a message there.
            await SourceKeepalive.EmitAsync(source, cancellationToken).ConfigureAwait(false);
        }
        var stream = new ReconnectingReplicationStream(streamOptions, mapper, options.Reconnect ?? ReconnectPolicy.Default);
        await StreamAsync(stream, mapper, state.ResumeLsn ?? Lsn.Zero, cancellationToken).ConfigureAwait(false);
    }

    private async Task SnapshotAsync(ReplicationState state, PostgresValueMapper mapper, CancellationToken cancellationToken)
    {
        var reader = new PostgresSnapshotReader(source, mapper, options.SnapshotChunkSize);
        foreach (var (schema, name) in await PublishedTables.ReadAsync(source, options.PublicationName, cancellationToken).ConfigureAwait(false))
        {
            if (!rules.ReadsTable(schema, name)) continue;
            var table = new SourceTable(schema, name);
            var progress = state.Tables.GetValueOrDefault(table.QualifiedName);
            if (progress?.Done == true) continue;
            await SnapshotTableAsync(reader, table, progress?.LastKey, midStream: false, cancellationToken).ConfigureAwait(false);
        }
        // Changes made while tables were copied may be missing from the copies; streaming replays them
        // from the slot, and no checkpoint is exposed until it has passed this point.
        var consistent = await reader.CurrentWalLsnAsync(cancellationToken).ConfigureAwait(false);
        await writer.MarkSnapshotDoneAsync(consistent, cancellationToken).ConfigureAwait(false);
        BucketReplicatorLog.SnapshotDone(logger, consistent);
    }

    /// <summary>
    /// Copies a table's rows. In the initial snapshot each chunk is committed (resumable); in the middle
    /// of the stream (a table renamed into the rules, or added to the publication) the rows are only
    /// saved, to be committed with the source transaction that made the table appear.
    /// </summary>
    private async Task SnapshotTableAsync(PostgresSnapshotReader reader, SourceTable table, string? afterKey, bool midStream, CancellationToken cancellationToken)
    {
        var description = await reader.DescribeTableAsync(table.Schema, table.Name, cancellationToken).ConfigureAwait(false);
        // Relation ids are table OIDs: recorded now, a later rename or re-creation is recognised.
        if (await TableOidAsync(table, cancellationToken).ConfigureAwait(false) is { } oid)
            await writer.RecordRelationAsync(oid, table, cancellationToken).ConfigureAwait(false);
        long rows = 0;
        await foreach (var chunk in reader.ReadChunksAsync(description, description.IsChunkedByKey ? afterKey : null, cancellationToken).ConfigureAwait(false))
        {
            foreach (var row in chunk.Rows) await SaveRowAsync(row, RowChangeKind.Insert, cancellationToken).ConfigureAwait(false);
            rows += chunk.Rows.Count;
            if (midStream) continue;
            await writer.SaveSnapshotProgressAsync(table, new TableSnapshotProgress(chunk.LastKey, Done: false), cancellationToken).ConfigureAwait(false);
            await writer.CommitAsync(Lsn.Zero, cancellationToken).ConfigureAwait(false);
            // The snapshot advances: whatever failure came before is over.
            if (options.Progress?.Streaming() == true) BucketReplicatorLog.StreamingAgain(logger, SlotName);
        }
        await writer.SaveSnapshotProgressAsync(table, new TableSnapshotProgress(null, Done: true), cancellationToken).ConfigureAwait(false);
        if (!midStream) await writer.CommitAsync(Lsn.Zero, cancellationToken).ConfigureAwait(false);
        _snapshotted.Add(table.QualifiedName);
        BucketReplicatorLog.TableSnapshotted(logger, table.QualifiedName, rows);
    }

    /// <summary>
    /// A relation arrived (first change of a table on this connection, or its definition changed).
    /// Compared with what storage recorded: a renamed table's rows leave the buckets under the old name
    /// and are copied under the new one; a dropped and re-created table's old rows leave the buckets;
    /// a table the rules read but never copied (added to the publication later) is copied now.
    /// </summary>
    private async Task OnRelationAsync(SourceRelation relation, PostgresValueMapper mapper, CancellationToken cancellationToken)
    {
        var table = Table(relation);
        var history = await writer.RecordRelationAsync(relation.RelationId, table, cancellationToken).ConfigureAwait(false);
        var renamed = history.PreviousName is { } previous && previous != table.QualifiedName;
        if (renamed)
        {
            var dot = history.PreviousName!.IndexOf('.', StringComparison.Ordinal);
            var old = new SourceTable(history.PreviousName[..dot], history.PreviousName[(dot + 1)..]);
            if (rules.ReadsTable(old.Schema, old.Name)) await writer.TruncateAsync(old, cancellationToken).ConfigureAwait(false);
            _snapshotted.Remove(old.QualifiedName);
            BucketReplicatorLog.TableReplaced(logger, old.QualifiedName, "renamed", table.QualifiedName);
        }
        if (!rules.ReadsTable(relation.Schema, relation.Name)) return;
        if (history.PreviousRelationOfName is { } before && before != relation.RelationId)
        {
            // Rows of the new table stream from its creation on; the old table's rows must go.
            await writer.TruncateAsync(table, cancellationToken).ConfigureAwait(false);
            _snapshotted.Add(table.QualifiedName);
            BucketReplicatorLog.TableReplaced(logger, table.QualifiedName, "dropped and created again", table.QualifiedName);
            return;
        }
        if (renamed || !_snapshotted.Contains(table.QualifiedName))
        {
            var reader = new PostgresSnapshotReader(source, mapper, options.SnapshotChunkSize);
            await SnapshotTableAsync(reader, table, afterKey: null, midStream: true, cancellationToken).ConfigureAwait(false);
        }
    }

    private async Task<uint?> TableOidAsync(SourceTable table, CancellationToken cancellationToken)
    {
        var command = source.CreateCommand("""
            SELECT c.oid FROM pg_catalog.pg_class c JOIN pg_catalog.pg_namespace n ON n.oid = c.relnamespace
            WHERE n.nspname = $1 AND c.relname = $2
            """);
        await using (command.ConfigureAwait(false))
        {
            command.Parameters.Add(new NpgsqlParameter { Value = table.Schema });
            command.Parameters.Add(new NpgsqlParameter { Value = table.Name });
            return await command.ExecuteScalarAsync(cancellationToken).ConfigureAwait(false) is uint oid ? oid : null;
        }
    }

    private async Task StreamAsync(ReconnectingReplicationStream stream, PostgresValueMapper mapper, Lsn start, CancellationToken cancellationToken)
    {
        // A reader task reads ahead (see ChangeReadAhead); commits are grouped and acknowledged once durable
        // (see CommitGrouping), while the next changes are already being written.
        var changes = new ChangeReadAhead();
        using var stop = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        var pump = changes.ReadAsync(stream, start, stop.Token);
        var commits = new CommitGrouping(writer.StartCommit, stream, options.Progress, TimeProvider.System,
            new CommitTelemetry(options.Metrics, writer.Version.Id, SlotName));
        try
        {
            var committedUpTo = Lsn.Zero;
            var replaying = false;
            var inTransaction = false;
            while (true)
            {
                await commits.MakeRoomAsync(cancellationToken).ConfigureAwait(false);
                if (!changes.TryNext(out var change))
                {
                    // Never in the middle of a source transaction: its rows so far are saved already, and a
                    // commit at the previous transaction's LSN would include (and expose) part of it.
                    if (!inTransaction && commits.CommitPending()) continue;
                    if (!await commits.WaitForChangesAsync(changes.WaitAsync(cancellationToken).AsTask(), cancellationToken).ConfigureAwait(false)) break;
                    continue;
                }
                if (change is not StreamRestarted && options.Progress?.Streaming() == true) BucketReplicatorLog.StreamingAgain(logger, SlotName);
                switch (change)
                {
                    case RowInsert or RowUpdate or RowDelete or TableTruncate when replaying:
                        break;
                    case RelationDefinition relation:
                        _relations[relation.Relation.RelationId] = relation.Relation;
                        await OnRelationAsync(relation.Relation, mapper, cancellationToken).ConfigureAwait(false);
                        break;
                    case RowInsert insert:
                        commits.RowChanged();
                        await SaveRowAsync(insert.NewRow, RowChangeKind.Insert, cancellationToken).ConfigureAwait(false);
                        break;
                    case RowUpdate update:
                        commits.RowChanged();
                        await UpdateAsync(update, cancellationToken).ConfigureAwait(false);
                        break;
                    case RowDelete delete:
                        commits.RowChanged();
                        if (rules.ReadsTable(delete.Relation.Schema, delete.Relation.Name))
                            await writer.SaveAsync(SourceRowChange.Delete(Table(delete.Relation), RawRowCodec.ReplicaId(delete.OldRow)), cancellationToken).ConfigureAwait(false);
                        break;
                    case TableTruncate truncate:
                        foreach (var relation in truncate.Relations)
                        {
                            if (rules.ReadsTable(relation.Schema, relation.Name)) await writer.TruncateAsync(Table(relation), cancellationToken).ConfigureAwait(false);
                        }
                        break;
                    case TransactionCommit when replaying:
                        replaying = false;
                        break;
                    case TransactionCommit commit:
                        inTransaction = false;
                        commits.TransactionCommitted(commit.EndLsn);
                        break;
                    case LogicalMessage { Transactional: false } message when SourceKeepalive.IsKeepalive(message):
                        // The message's own position, not the server's WAL end sent along with it: transactions
                        // committed after the message may lie before that end and are not processed yet. With
                        // commits waiting, they are made at the message, so a write checkpoint waiting for it is reached.
                        if (!await commits.ReachedAsync(message.MessageLsn, cancellationToken).ConfigureAwait(false)) break;
                        await writer.KeepaliveAsync(message.MessageLsn, cancellationToken).ConfigureAwait(false);
                        commits.AcknowledgePosition(message.MessageLsn);
                        break;
                    case SourcePosition position:
                        options.Progress?.SourceAt(position.Position, DateTimeOffset.UtcNow);
                        // Inside a transaction the position may lie before its commit: only its commit may be acknowledged.
                        if (inTransaction || replaying) break;
                        // Once the commits under way are durable, everything before the position is, and the source may
                        // drop the WAL up to it (it needs that before it can shut down, and to stop keeping WAL written
                        // to unpublished tables).
                        if (!await commits.ReachedAsync(position.Position, cancellationToken).ConfigureAwait(false)) break;
                        if (commits.AcknowledgePosition(position.Position)) await stream.SendStatusAsync(cancellationToken).ConfigureAwait(false);
                        break;
                    case StreamRestarted restarted:
                        options.Progress?.Failed(restarted.Cause);
                        BucketReplicatorLog.Reconnecting(logger, ReplicationFailure.CodeOf(restarted.Cause), restarted.Cause.Message, restarted.Delay, restarted.Attempt);
                        // The new connection replays from the last acknowledged LSN, which lags behind what
                        // storage has (commits await their flush before acknowledgement) and behind what this
                        // writer saved since its last commit. Drop the latter; skip transactions storage has.
                        commits.Restarted();
                        inTransaction = false;
                        await writer.DiscardUncommittedAsync(cancellationToken).ConfigureAwait(false);
                        committedUpTo = (await writer.GetStateAsync(cancellationToken).ConfigureAwait(false)).ResumeLsn ?? Lsn.Zero;
                        break;
                    case TransactionBegin begin:
                        // A transaction whose commit lies before storage's last commit was replicated already.
                        replaying = begin.FinalLsn < committedUpTo;
                        if (replaying) break;
                        options.Progress?.SourceAt(begin.FinalLsn, new DateTimeOffset(DateTime.SpecifyKind(begin.CommitTimestamp, DateTimeKind.Utc)));
                        commits.TransactionBegins(changes.NothingBuffered);
                        inTransaction = true;
                        break;
                }
            }
        }
        finally
        {
            await stop.CancelAsync().ConfigureAwait(false);
            try
            {
                await pump.ConfigureAwait(false);
            }
            catch (Exception) when (stop.IsCancellationRequested || pump.IsFaulted)
            {
                // Stopped with us, or already surfaced through the channel (slot lost, publication dropped).
            }
        }
    }

    private async Task UpdateAsync(RowUpdate update, CancellationToken cancellationToken)
    {
        var relation = update.Relation;
        if (!rules.ReadsTable(relation.Schema, relation.Name)) return;
        var newRow = update.NewRow;
        if (update.OldRow is { } old)
        {
            var oldId = RawRowCodec.ReplicaId(old);
            if (oldId != RawRowCodec.ReplicaId(newRow))
                await writer.SaveAsync(SourceRowChange.Delete(Table(relation), oldId), cancellationToken).ConfigureAwait(false);
            if (newRow.HasUnchangedToast && update.OldRowKind == OldRowKind.Full && !old.HasUnchangedToast)
                newRow = newRow.WithUnchangedToastFrom(old.ToSqliteRow());
        }
        await SaveRowAsync(newRow, RowChangeKind.Upsert, cancellationToken).ConfigureAwait(false);
    }

    /// <summary>Evaluates a row and saves it: <paramref name="kind"/> is <see cref="RowChangeKind.Insert"/> for a streamed INSERT or a snapshot row, else <see cref="RowChangeKind.Upsert"/>.</summary>
    private async Task SaveRowAsync(ReplicatedRow row, RowChangeKind kind, CancellationToken cancellationToken)
    {
        var relation = row.Relation;
        if (!rules.ReadsTable(relation.Schema, relation.Name)) return;
        var table = Table(relation);
        var replicaId = relation.ReplicaIdentity == ReplicaIdentityKind.Nothing || relation.KeyColumns.Length == 0
            ? Guid.NewGuid().ToString("N")
            : RawRowCodec.ReplicaId(row);
        if (row.HasUnchangedToast)
        {
            var stored = await writer.GetRawRowAsync(table, replicaId, cancellationToken).ConfigureAwait(false);
            if (stored is null)
            {
                throw new PowerSyncException(ReplicationErrorCodes.AssertionFailed,
                    $"A row of {relation.QualifiedName} arrived with unchanged TOAST values but no stored copy to fill them from. " +
                    "Set REPLICA IDENTITY FULL on the table, or redeploy the sync rules to re-snapshot it.");
            }
            row = row.WithUnchangedToastFrom(RawRowCodec.Decode(stored));
        }
        var values = row.ToSqliteRow();
        var evaluated = rules.EvaluateRow(relation.Schema, relation.Name, values);
        foreach (var error in evaluated.Errors) BucketReplicatorLog.RowError(logger, table.QualifiedName, error.ToString() ?? "");
        var lookups = rules.EvaluateParameterRow(relation.Schema, relation.Name, values);
        // REPLICA IDENTITY FULL sends whole old rows, so nothing needs to be kept for TOAST values.
        var raw = relation.ReplicaIdentity == ReplicaIdentityKind.Full ? ReadOnlyMemory<byte>.Empty : RawRowCodec.Encode(values);
        var buckets = evaluated.Rows.Count == 0 ? [] : new BucketRow[evaluated.Rows.Count];
        for (var i = 0; i < buckets.Length; i++)
        {
            var r = evaluated.Rows[i];
            buckets[i] = new BucketRow(r.Bucket, r.ObjectType, r.ObjectId, r.Data);
        }
        var lookupRows = lookups.Count == 0 ? [] : new ParameterLookupRow[lookups.Count];
        for (var i = 0; i < lookupRows.Length; i++) lookupRows[i] = new ParameterLookupRow(lookups[i].Lookup, lookups[i].Parameters);
        await writer.SaveAsync(new SourceRowChange(table, replicaId, kind, buckets, lookupRows, raw), cancellationToken).ConfigureAwait(false);
    }

    /// <summary>The storage table of a relation; consecutive changes nearly always share one, so the last is kept.</summary>
    private SourceTable Table(SourceRelation relation)
    {
        var last = _lastTable;
        if (last is not null && ReferenceEquals(last.Value.Relation, relation)) return last.Value.Table;
        var table = new SourceTable(relation.Schema, relation.Name);
        _lastTable = (relation, table);
        return table;
    }

    private (SourceRelation Relation, SourceTable Table)? _lastTable;
}
