using System.Buffers;
using System.Collections.Immutable;
using System.Runtime.CompilerServices;
using System.Text;
using Npgsql;
using Npgsql.Replication;
using Npgsql.Replication.PgOutput;
using Npgsql.Replication.PgOutput.Messages;
using NpgsqlTypes;

namespace PowerSync.Core.Replication;

/// <summary>
/// Owns one logical replication connection: creates or drops the slot, streams pgoutput
/// (<c>proto_version 1</c>, the publication, <c>messages true</c>) as <see cref="ReplicationChange"/>
/// records copied out of Npgsql's reused buffers with values already mapped to SQLite, and sends
/// acknowledgements. Acknowledge an LSN only once everything before it is durable; Postgres may
/// then discard that WAL. One stream per instance; not thread-safe except <see cref="Acknowledge"/>.
/// </summary>
internal sealed class PgOutputReplicationStream : IAsyncDisposable
{
    /// <summary>How often a waiting stream looks for a later position reported by a server keepalive (at most the status interval).</summary>
    private static readonly TimeSpan MaxPositionCheckInterval = TimeSpan.FromSeconds(1);

    private readonly ReplicationStreamOptions _options;
    private readonly PostgresValueMapper _mapper;
    private readonly LogicalReplicationConnection _connection;
    private readonly Dictionary<uint, SourceRelation> _relations = [];
    private readonly Lock _ackLock = new();
    private Lsn _acknowledged;
    private bool _opened;

    public PgOutputReplicationStream(ReplicationStreamOptions options, PostgresValueMapper mapper)
    {
        _options = options;
        _mapper = mapper;
        // Fixed session settings make values print the same as in snapshot queries (UTC also keeps
        // timestamptz text free of offsets with seconds, e.g. LMT before 1900).
        _connection = new LogicalReplicationConnection(ConnectionStringFor(options))
        {
            WalReceiverStatusInterval = options.StatusInterval,
            WalReceiverTimeout = options.ReceiveTimeout,
        };
    }

    /// <summary>
    /// The connection string the replication connection uses: fixed session settings, which make values print the
    /// same as in snapshot queries (UTC also keeps timestamptz text free of offsets with seconds, e.g. LMT before
    /// 1900); a connect timeout of at most the receive timeout (after a receive timeout Npgsql first sends a cancel
    /// request over a new connection, bounded by the connect timeout; <c>CancellationTimeout -1</c> skips waiting for
    /// its answer); and, unless the connection string sets them, TCP keepalives, so the kernel probes an idle
    /// connection and a peer that vanished (a half-open connection) fails it.
    /// </summary>
    internal static string ConnectionStringFor(ReplicationStreamOptions options)
    {
        var builder = SourceSessionSettings.Apply(new NpgsqlConnectionStringBuilder(options.ConnectionString) { CancellationTimeout = -1 });
        var timeoutSeconds = Math.Max(1, (int)Math.Ceiling(options.ReceiveTimeout.TotalSeconds));
        builder.Timeout = Math.Min(builder.Timeout, timeoutSeconds);
        if (builder.TcpKeepAliveTime == 0)
        {
            builder.TcpKeepAlive = true;
            builder.TcpKeepAliveTime = Math.Max(1, timeoutSeconds / 2);
            builder.TcpKeepAliveInterval = Math.Max(1, timeoutSeconds / 6);
        }
        return builder.ConnectionString;
    }

    /// <summary>The highest LSN acknowledged so far (zero before the first).</summary>
    public Lsn AcknowledgedLsn
    {
        get
        {
            lock (_ackLock) return _acknowledged;
        }
    }

    /// <summary>
    /// Creates the slot (pgoutput, no exported snapshot); returns its consistent point: changes after it are streamed.
    /// Postgres waits for running transactions first, so this has no command timeout; cancel it with the token.
    /// </summary>
    public async Task<Lsn> CreateSlotAsync(CancellationToken cancellationToken)
    {
        await OpenAsync(cancellationToken).ConfigureAwait(false);
        _connection.CommandTimeout = Timeout.InfiniteTimeSpan;
        try
        {
            var slot = await _connection.CreatePgOutputReplicationSlot(
                _options.SlotName, temporarySlot: false, slotSnapshotInitMode: LogicalSlotSnapshotInitMode.NoExport,
                cancellationToken: cancellationToken).ConfigureAwait(false);
            return new Lsn((ulong)slot.ConsistentPoint);
        }
        catch (PostgresException ex) when (ex.SqlState == PostgresErrorCodes.DuplicateObject)
        {
            throw new PowerSyncException(
                ReplicationErrorCodes.AssertionFailed,
                $"Replication slot '{_options.SlotName}' already exists. Resume from it, or drop it first (SELECT pg_drop_replication_slot('{_options.SlotName}');).",
                ex);
        }
    }

    /// <summary>Drops the slot (waits, without a command timeout, until no one streams from it).</summary>
    public async Task DropSlotAsync(CancellationToken cancellationToken)
    {
        await OpenAsync(cancellationToken).ConfigureAwait(false);
        _connection.CommandTimeout = Timeout.InfiniteTimeSpan;
        await _connection.DropReplicationSlot(_options.SlotName, wait: true, cancellationToken).ConfigureAwait(false);
    }

    /// <summary>
    /// Streams changes from the slot, starting at <paramref name="startLsn"/> (zero: where the slot's
    /// confirmed position is). While it waits for the next message it checks, every
    /// <see cref="PositionCheckInterval"/>, whether the server reported a later WAL position in a keepalive,
    /// and yields it as a <see cref="SourcePosition"/> in stream order. The sequence ends only by
    /// cancellation or an error.
    /// </summary>
    /// <exception cref="PowerSyncException">The connection went silent (<see cref="ReplicationErrorCodes.ReplicationTimeout"/>) or a value could not be decoded.</exception>
    public async IAsyncEnumerable<ReplicationChange> ReadChangesAsync(Lsn startLsn, [EnumeratorCancellation] CancellationToken cancellationToken)
    {
        await OpenAsync(cancellationToken).ConfigureAwait(false);
        // Its own token: a read still under way when the consumer stops (after a SourcePosition) is cancelled with it.
        using var stop = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        var slot = new PgOutputReplicationSlot(_options.SlotName);
        var pgOptions = new PgOutputReplicationOptions(_options.PublicationName, PgOutputProtocolVersion.V1, messages: true);
        var messages = _connection.StartReplication(
            slot, pgOptions, stop.Token, startLsn.IsZero ? null : new NpgsqlLogSequenceNumber(startLsn.Value));

        var enumerator = messages.GetAsyncEnumerator(stop.Token);
        var watch = new PositionWatch(_connection, PositionCheckInterval, stop.Token);
        Task<bool>? pending = null; // a read of the next message still under way when a position was reported
        try
        {
            while (true)
            {
                ReplicationChange? change = null;
                var ended = false;
                try
                {
                    bool hasNext;
                    var next = pending is null ? enumerator.MoveNextAsync() : new ValueTask<bool>(pending);
                    pending = null;
                    if (next.IsCompleted)
                    {
                        hasNext = await next.ConfigureAwait(false);
                    }
                    else
                    {
                        var waiting = next.AsTask();
                        if (await watch.NextPositionAsync(waiting).ConfigureAwait(false) is { } position)
                        {
                            pending = waiting;
                            change = new SourcePosition(position);
                        }
                        hasNext = change is null && await waiting.ConfigureAwait(false);
                    }
                    if (change is null)
                    {
                        if (hasNext) change = await DecodeAsync(enumerator.Current, stop.Token).ConfigureAwait(false);
                        else ended = true;
                    }
                }
                catch (PostgresException ex) when (SlotOrPublicationProblem(ex) is { } problem)
                {
                    throw problem;
                }
                catch (Exception ex) when (IsTimeout(ex, cancellationToken))
                {
                    throw new PowerSyncException(
                        ReplicationErrorCodes.ReplicationTimeout,
                        $"The replication connection sent nothing for {_options.ReceiveTimeout.TotalSeconds:0} s and is treated as dead. Reconnect; if this repeats, check the network path to Postgres and wal_sender_timeout.",
                        ex);
                }
                if (ended) yield break;
                if (change is not null) yield return change;
            }
        }
        finally
        {
            if (pending is { IsCompleted: false })
            {
                await stop.CancelAsync().ConfigureAwait(false);
                await ((Task)pending).ConfigureAwait(ConfigureAwaitOptions.SuppressThrowing);
            }
            watch.Dispose();
            await enumerator.DisposeAsync().ConfigureAwait(false);
        }
    }

    /// <summary>
    /// Marks everything up to <paramref name="lsn"/> as durable: it is sent with the next standby status
    /// update. Only ever moves forward; zero and older LSNs are ignored. Thread-safe.
    /// </summary>
    public void Acknowledge(Lsn lsn)
    {
        lock (_ackLock)
        {
            if (lsn.IsZero || lsn <= _acknowledged) return;
            _acknowledged = lsn;
            _connection.SetReplicationStatus(new NpgsqlLogSequenceNumber(lsn.Value));
        }
    }

    /// <summary>Sends a standby status update now (with the last acknowledged LSN).</summary>
    public Task SendStatusAsync(CancellationToken cancellationToken) => _connection.SendStatusUpdate(cancellationToken);

    public ValueTask DisposeAsync() => _connection.DisposeAsync();

    private TimeSpan PositionCheckInterval => _options.StatusInterval < MaxPositionCheckInterval ? _options.StatusInterval : MaxPositionCheckInterval;

    /// <summary>
    /// Npgsql answers primary keepalives itself and does not hand them over; it only records their WAL end in
    /// <see cref="ReplicationConnection.LastReceivedLsn"/>. While a read waits, that value is looked at on a
    /// timer: when it moved, the server reported a later position.
    /// </summary>
    private sealed class PositionWatch(LogicalReplicationConnection connection, TimeSpan interval, CancellationToken cancellationToken) : IDisposable
    {
        private readonly PeriodicTimer _timer = new(interval);
        private Task<bool>? _tick;
        private Lsn _reported;

        /// <summary>A position later than the last one reported, found before <paramref name="read"/> completes; null once it completed.</summary>
        public async Task<Lsn?> NextPositionAsync(Task<bool> read)
        {
            while (true)
            {
                _tick ??= _timer.WaitForNextTickAsync(cancellationToken).AsTask();
                if (await Task.WhenAny(read, _tick).ConfigureAwait(false) == read || !_tick.IsCompletedSuccessfully || !_tick.Result) return null;
                _tick = null;
                var received = new Lsn((ulong)connection.LastReceivedLsn);
                if (received <= _reported) continue;
                _reported = received;
                return received;
            }
        }

        public void Dispose() => _timer.Dispose();
    }

    private async Task OpenAsync(CancellationToken cancellationToken)
    {
        if (_opened) return;
        await _connection.Open(cancellationToken).ConfigureAwait(false);
        _opened = true;
    }

    /// <summary>Errors that no retry on this slot can fix: the caller must re-snapshot on a new slot, or fix the publication.</summary>
    private PowerSyncException? SlotOrPublicationProblem(PostgresException ex)
    {
        var message = ex.MessageText;
        if (message.Contains("publication", StringComparison.Ordinal) && message.Contains("does not exist", StringComparison.Ordinal))
        {
            return new PowerSyncException(
                ReplicationErrorCodes.PublicationMissing,
                $"Publication '{_options.PublicationName}' does not exist (any more): {message}. Run: CREATE PUBLICATION \"{_options.PublicationName}\" FOR ALL TABLES; then restart replication.",
                ex);
        }
        if (ex.SqlState == PostgresErrorCodes.UndefinedObject
            || message.Contains("can no longer get changes", StringComparison.Ordinal)
            || message.Contains("has been invalidated", StringComparison.Ordinal))
        {
            return new PowerSyncException(
                ReplicationErrorCodes.SlotInvalidated,
                $"Replication slot '{_options.SlotName}' is missing or invalidated: {message}. Replication must start over with a new slot and a new snapshot; " +
                "to keep this from recurring raise max_slot_wal_keep_size on the source database.",
                ex);
        }
        return null;
    }

    private static bool IsTimeout(Exception ex, CancellationToken cancellationToken) =>
        !cancellationToken.IsCancellationRequested
        && (ex is TimeoutException || ex.InnerException is TimeoutException || (ex is NpgsqlException && ex.Message.Contains("timeout", StringComparison.OrdinalIgnoreCase)));

    private async ValueTask<ReplicationChange?> DecodeAsync(PgOutputReplicationMessage message, CancellationToken cancellationToken)
    {
        var start = new Lsn((ulong)message.WalStart);
        var end = new Lsn((ulong)message.WalEnd);
        switch (message)
        {
            case BeginMessage begin:
                return new TransactionBegin(start, end, new Lsn((ulong)begin.TransactionFinalLsn), begin.TransactionCommitTimestamp, begin.TransactionXid);
            case CommitMessage commit:
                return new TransactionCommit(start, end, new Lsn((ulong)commit.CommitLsn), new Lsn((ulong)commit.TransactionEndLsn), commit.TransactionCommitTimestamp);
            case RelationMessage relationMessage:
                var relation = ToRelation(relationMessage);
                await _mapper.Catalog.EnsureLoadedAsync(relation.Columns.Select(c => c.TypeOid), cancellationToken).ConfigureAwait(false);
                _relations[relation.RelationId] = relation;
                return new RelationDefinition(start, end, relation);
            case InsertMessage insert:
            {
                var rel = RelationOf(insert.Relation);
                return new RowInsert(start, end, rel, await ReadRowAsync(rel, insert.NewRow, cancellationToken).ConfigureAwait(false));
            }
            case FullUpdateMessage fullUpdate:
            {
                var rel = RelationOf(fullUpdate.Relation);
                var old = await ReadRowAsync(rel, fullUpdate.OldRow, cancellationToken).ConfigureAwait(false);
                var row = await ReadRowAsync(rel, fullUpdate.NewRow, cancellationToken).ConfigureAwait(false);
                return new RowUpdate(start, end, rel, row, old, OldRowKind.Full);
            }
            case IndexUpdateMessage keyUpdate:
            {
                var rel = RelationOf(keyUpdate.Relation);
                var old = await ReadRowAsync(rel, keyUpdate.Key, cancellationToken).ConfigureAwait(false);
                var row = await ReadRowAsync(rel, keyUpdate.NewRow, cancellationToken).ConfigureAwait(false);
                return new RowUpdate(start, end, rel, row, old, OldRowKind.Key);
            }
            case UpdateMessage update:
            {
                var rel = RelationOf(update.Relation);
                return new RowUpdate(start, end, rel, await ReadRowAsync(rel, update.NewRow, cancellationToken).ConfigureAwait(false), null, OldRowKind.None);
            }
            case FullDeleteMessage fullDelete:
            {
                var rel = RelationOf(fullDelete.Relation);
                return new RowDelete(start, end, rel, await ReadRowAsync(rel, fullDelete.OldRow, cancellationToken).ConfigureAwait(false), OldRowKind.Full);
            }
            case KeyDeleteMessage keyDelete:
            {
                var rel = RelationOf(keyDelete.Relation);
                return new RowDelete(start, end, rel, await ReadRowAsync(rel, keyDelete.Key, cancellationToken).ConfigureAwait(false), OldRowKind.Key);
            }
            case TruncateMessage truncate:
                return new TableTruncate(
                    start, end, [.. truncate.Relations.Select(RelationOf)],
                    truncate.Options.HasFlag(TruncateMessage.TruncateOptions.Cascade),
                    truncate.Options.HasFlag(TruncateMessage.TruncateOptions.RestartIdentity));
            case LogicalDecodingMessage logical:
                return new LogicalMessage(
                    start, end, new Lsn((ulong)logical.MessageLsn), (logical.Flags & 1) != 0, logical.Prefix,
                    await CopyAsync(logical.Data, cancellationToken).ConfigureAwait(false));
            default:
                return null; // origin and type messages: nothing to do (types come from the catalog)
        }
    }

    private SourceRelation RelationOf(RelationMessage message) =>
        _relations.TryGetValue(message.RelationId, out var relation)
            ? relation
            : throw new PowerSyncException(
                ReplicationErrorCodes.UnexpectedMessage,
                $"A change for relation {message.RelationId} (\"{message.Namespace}\".\"{message.RelationName}\") arrived before its Relation message.");

    private static SourceRelation ToRelation(RelationMessage message)
    {
        var identity = message.ReplicaIdentity switch
        {
            RelationMessage.ReplicaIdentitySetting.Nothing => ReplicaIdentityKind.Nothing,
            RelationMessage.ReplicaIdentitySetting.AllColumns => ReplicaIdentityKind.Full,
            RelationMessage.ReplicaIdentitySetting.IndexWithIndIsReplIdent => ReplicaIdentityKind.Index,
            _ => ReplicaIdentityKind.Default,
        };
        var columns = ImmutableArray.CreateBuilder<SourceColumn>(message.Columns.Count);
        foreach (var column in message.Columns)
        {
            columns.Add(new SourceColumn(
                column.ColumnName, column.DataTypeId, column.TypeModifier,
                column.Flags.HasFlag(RelationMessage.Column.ColumnFlags.PartOfKey)));
        }
        return new SourceRelation(message.RelationId, message.Namespace, message.RelationName, identity, columns.MoveToImmutable());
    }

    private async ValueTask<ReplicatedRow> ReadRowAsync(SourceRelation relation, ReplicationTuple tuple, CancellationToken cancellationToken)
    {
        var values = ImmutableArray.CreateBuilder<ReplicatedValue>(relation.Columns.Length);
        var ordinal = 0;
        await foreach (var value in tuple.WithCancellation(cancellationToken).ConfigureAwait(false))
        {
            if (ordinal >= relation.Columns.Length) break;
            var column = relation.Columns[ordinal++];
            switch (value.Kind)
            {
                case TupleDataKind.Null:
                    values.Add(ReplicatedValue.Of(SqliteValue.Null));
                    break;
                case TupleDataKind.UnchangedToastedValue:
                    values.Add(ReplicatedValue.UnchangedToast);
                    break;
                case TupleDataKind.TextValue:
                    var text = await ReadTextAsync(value, cancellationToken).ConfigureAwait(false);
                    values.Add(ReplicatedValue.Of(MapValue(text, column, relation)));
                    break;
                default:
                    throw new PowerSyncException(
                        ReplicationErrorCodes.UnexpectedMessage,
                        $"Column {column.Name} of {relation.QualifiedName} arrived in binary format; the stream requests text.");
            }
        }
        if (values.Count != relation.Columns.Length)
        {
            throw new PowerSyncException(
                ReplicationErrorCodes.UnexpectedMessage,
                $"A row of {relation.QualifiedName} has {values.Count} values, but its Relation message lists {relation.Columns.Length} columns.");
        }
        return new ReplicatedRow(relation, values.MoveToImmutable());
    }

    private SqliteValue MapValue(string text, SourceColumn column, SourceRelation relation)
    {
        try
        {
            return _mapper.Map(text, column.TypeOid);
        }
        catch (PowerSyncException ex) when (ex.Code == ReplicationErrorCodes.ValueDecodingFailed)
        {
            throw new PowerSyncException(ex.Code, $"Column {column.Name} of {relation.QualifiedName}: {ex.Message}", ex.InnerException);
        }
    }

    private static async ValueTask<string> ReadTextAsync(ReplicationValue value, CancellationToken cancellationToken)
    {
        var length = value.Length;
        var buffer = ArrayPool<byte>.Shared.Rent(Math.Max(length, 1));
        try
        {
            var stream = value.GetStream();
            await using (stream.ConfigureAwait(false))
            {
                await stream.ReadExactlyAsync(buffer.AsMemory(0, length), cancellationToken).ConfigureAwait(false);
            }
            return Encoding.UTF8.GetString(buffer, 0, length);
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(buffer);
        }
    }

    private static async Task<ImmutableArray<byte>> CopyAsync(Stream data, CancellationToken cancellationToken)
    {
        using var copy = new MemoryStream();
        await data.CopyToAsync(copy, cancellationToken).ConfigureAwait(false);
        return [.. copy.ToArray()];
    }
}
