using System.Text.Json;
using System.Text.Json.Nodes;
using PowerSync.Client.LocalDatabase;

namespace PowerSync.Client.Sync;

/// <summary>A stream and the parameters of one subscription to it (<c>"null"</c> for none), as <c>ps_stream_subscriptions</c> keys it.</summary>
internal readonly record struct StreamKey(string Name, string ParametersJson)
{
    public static StreamKey For(string name, IReadOnlyDictionary<string, object?>? parameters) =>
        new(name, parameters is null ? "null" : PowerSyncConnectionOptions.ToJson(parameters).ToJsonString());
}

/// <summary>An explicit subscription sent with the sync request (its <c>ps_stream_subscriptions</c> id, in request order).</summary>
internal sealed record RequestedStream(long Id, string Name, string ParametersJson, int? Priority);

/// <summary>The <c>streams</c> part of a sync request: whether default streams are included, and the explicit subscriptions.</summary>
internal sealed record StreamRequest(bool IncludeDefaults, IReadOnlyList<RequestedStream> Subscriptions)
{
    public JsonObject ToJson() => new()
    {
        ["include_defaults"] = IncludeDefaults,
        ["subscriptions"] = new JsonArray(Subscriptions.Select(s => (JsonNode)new JsonObject
        {
            ["stream"] = s.Name,
            ["parameters"] = JsonNode.Parse(s.ParametersJson),
            ["override_priority"] = s.Priority,
        }).ToArray()),
    };

    /// <summary>The request's text: two requests that would send the same subscriptions are equal in it.</summary>
    public string Text => ToJson().ToJsonString();
}

/// <summary>
/// The stream subscriptions persisted in <c>ps_stream_subscriptions</c>, with the official core's semantics: an explicit
/// subscription has a TTL (default one day) and expires that long after it was last in use; a default stream's row only
/// tracks its state. Timestamps are Unix seconds, as in the core's schema before v13 (this client's tables follow v12).
/// </summary>
internal sealed class StreamSubscriptionStore(ConnectionPool pool, TimeProvider time, SubscriptionErrorLog errorLog)
{
    /// <summary>The TTL of a subscription that names none (the official SDKs' default): one day.</summary>
    public static readonly TimeSpan DefaultTtl = TimeSpan.FromDays(1);

    private long Now => time.GetUtcNow().ToUnixTimeSeconds();

    /// <summary>Subscribes (or renews a subscription): its TTL is set again and it expires that long from now.</summary>
    public Task SubscribeAsync(StreamKey key, TimeSpan? ttl, int? priority, CancellationToken cancellationToken)
    {
        var seconds = (long)(ttl ?? DefaultTtl).TotalSeconds;
        // The core keeps the highest priority asked for (the smallest number).
        return pool.WriteAsync(db => db.ExecuteAsync("""
            INSERT INTO ps_stream_subscriptions(stream_name, local_priority, local_params, ttl, expires_at) VALUES (?, ?, ?, ?, ?)
              ON CONFLICT DO UPDATE SET local_priority = min(coalesce(excluded.local_priority, local_priority), coalesce(local_priority, excluded.local_priority)),
                ttl = excluded.ttl, expires_at = excluded.expires_at
            """, [key.Name, priority, key.ParametersJson, seconds, Now + seconds], cancellationToken), cancellationToken);
    }

    /// <summary>Ends every subscription to the stream with these parameters at once (no TTL left): <c>unsubscribeAll</c>.</summary>
    public Task UnsubscribeAllAsync(StreamKey key, CancellationToken cancellationToken) =>
        pool.WriteAsync(db => db.ExecuteAsync("UPDATE ps_stream_subscriptions SET ttl = NULL WHERE stream_name = ? AND local_params = ?",
            [key.Name, key.ParametersJson], cancellationToken), cancellationToken);

    /// <summary>
    /// Renews the subscriptions in use (<paramref name="active"/>), deletes the expired ones and returns what the sync
    /// request asks for: the explicit subscriptions (those with a TTL), in id order.
    /// </summary>
    public Task<StreamRequest> RequestAsync(bool includeDefaults, IReadOnlyCollection<StreamKey> active, CancellationToken cancellationToken) => pool.WriteAsync(async db =>
    {
        var now = Now;
        foreach (var key in active)
        {
            await db.ExecuteAsync("UPDATE ps_stream_subscriptions SET expires_at = ? + ttl WHERE stream_name = ? AND local_params = ? AND ttl IS NOT NULL",
                [now, key.Name, key.ParametersJson], cancellationToken).ConfigureAwait(false);
        }

        await db.ExecuteAsync("DELETE FROM ps_stream_subscriptions WHERE expires_at < ? OR (ttl IS NULL AND NOT active)", [now], cancellationToken).ConfigureAwait(false);
        var rows = await db.GetAllAsync<SubscriptionRow>($"{Select} WHERE ttl IS NOT NULL ORDER BY id", null, cancellationToken).ConfigureAwait(false);
        return new StreamRequest(includeDefaults, rows.Select(r => new RequestedStream(r.Id, r.StreamName, r.LocalParams, (int?)r.LocalPriority)).ToList());
    }, cancellationToken);

    /// <summary>Every tracked subscription as it was last known (the status before a checkpoint arrives).</summary>
    public async Task<IReadOnlyList<StreamState>> LoadAsync(CancellationToken cancellationToken)
    {
        var rows = await pool.ReadAsync(db => db.GetAllAsync<SubscriptionRow>($"{Select} ORDER BY id", null, cancellationToken), cancellationToken).ConfigureAwait(false);
        return rows.Select(r => r.ToState()).ToList();
    }

    /// <summary>
    /// Reconciles the tracked subscriptions with a checkpoint, as the official core does: a subscription is active when
    /// the checkpoint lists its stream; a default stream not tracked yet gets a row; a row neither subscribed explicitly
    /// nor listed is deleted; buckets are associated with the subscriptions that brought them (their priority is the
    /// highest of those buckets'). An explicit subscription the service could not resolve, or to a stream the service
    /// does not have, carries its error, which is logged once (event 9107).
    /// </summary>
    public async Task<IReadOnlyList<StreamState>> ResolveAsync(IReadOnlyList<CheckpointStream>? streams, IEnumerable<BucketChecksum> buckets, StreamRequest requested,
        CancellationToken cancellationToken)
    {
        var states = await pool.WriteAsync(db => ResolveInAsync(db, streams, buckets, requested, cancellationToken), cancellationToken).ConfigureAwait(false);
        errorLog.Report(states);
        return states;
    }

    private static async Task<IReadOnlyList<StreamState>> ResolveInAsync(SqlContext db, IReadOnlyList<CheckpointStream>? streams, IEnumerable<BucketChecksum> buckets,
        StreamRequest requested, CancellationToken cancellationToken)
    {
        var rows = await db.GetAllAsync<SubscriptionRow>($"{Select} ORDER BY id", null, cancellationToken).ConfigureAwait(false);
        var states = rows.Select(r => r.ToState() with { Active = false, IsDefault = false }).ToList();
        var serverIndex = new Dictionary<long, int>();
        var requestIndex = requested.Subscriptions.Select((s, i) => (s.Id, i)).ToDictionary(p => p.i, p => p.Id);
        for (var s = 0; s < (streams?.Count ?? 0); s++)
        {
            var stream = streams![s];
            var hasLocal = false;
            for (var i = 0; i < states.Count; i++)
            {
                if (!string.Equals(states[i].Name, stream.Name, StringComparison.Ordinal)) continue;
                states[i] = states[i] with { Active = true, IsDefault = stream.IsDefault };
                serverIndex[states[i].Id] = s;
                hasLocal = true;
            }

            foreach (var (subscription, message) in stream.Errors)
            {
                if (subscription is { } index && requestIndex.TryGetValue(index, out var id) && states.FindIndex(x => x.Id == id) is var at and >= 0)
                {
                    var state = states[at];
                    states[at] = state with
                    {
                        Error = new PowerSyncClientException(ClientErrorCodes.StreamSubscriptionFailed,
                            $"The subscription to stream '{state.Name}' ({Describe(state.ParametersJson)}) could not be resolved by the service: {message}"),
                    };
                }
                else if (subscription is null && states.FindIndex(x => x.Name == stream.Name && !x.HasExplicitSubscription) is var d and >= 0)
                {
                    states[d] = states[d] with
                    {
                        Error = new PowerSyncClientException(ClientErrorCodes.StreamSubscriptionFailed, $"The default subscription to stream '{stream.Name}' has errors on the service: {message}"),
                    };
                }
            }

            if (!hasLocal && stream.IsDefault)
            {
                var row = await db.GetAsync<SubscriptionRow>(
                    "INSERT INTO ps_stream_subscriptions(stream_name, active, is_default) VALUES (?, TRUE, TRUE) RETURNING " + Columns, [stream.Name], cancellationToken).ConfigureAwait(false);
                states.Add(row.ToState());
                serverIndex[row.Id] = s;
            }
        }

        var kept = new List<StreamState>();
        foreach (var state in states)
        {
            if (!state.HasExplicitSubscription && !serverIndex.ContainsKey(state.Id))
            {
                await db.ExecuteAsync("DELETE FROM ps_stream_subscriptions WHERE id = ?", [state.Id], cancellationToken).ConfigureAwait(false);
                continue;
            }

            await db.ExecuteAsync("UPDATE ps_stream_subscriptions SET active = ?, is_default = ? WHERE id = ?", [state.Active, state.IsDefault, state.Id], cancellationToken).ConfigureAwait(false);
            // A service that reports streams but not this one: the subscription names a stream its sync config lacks.
            kept.Add(streams is not null && state.HasExplicitSubscription && !state.Active && requested.Subscriptions.Any(r => r.Id == state.Id)
                ? state with
                {
                    Error = new PowerSyncClientException(ClientErrorCodes.StreamSubscriptionFailed,
                        $"The service's sync config has no stream named '{state.Name}'; subscribe to a stream it defines (the subscription stays until it expires or UnsubscribeAllAsync)."),
                }
                : state);
        }

        // Buckets point at the default stream (by its index in the checkpoint's streams) or at the request's subscription.
        var defaults = kept.Where(k => k.IsDefault && !k.HasExplicitSubscription && serverIndex.ContainsKey(k.Id)).ToDictionary(k => serverIndex[k.Id], k => k.Id);
        var byId = kept.Select((k, i) => (k.Id, i)).ToDictionary(p => p.Id, p => p.i);
        var associated = kept.Select(_ => new HashSet<string>(StringComparer.Ordinal)).ToList();
        var priorities = kept.Select(_ => (int?)null).ToList();
        foreach (var bucket in buckets)
        {
            foreach (var reason in bucket.Subscriptions ?? [])
            {
                long? id = reason.IsDefault ? (defaults.TryGetValue(reason.Index, out var d) ? d : null) : (requestIndex.TryGetValue(reason.Index, out var e) ? e : null);
                if (id is not { } found || !byId.TryGetValue(found, out var at)) continue;
                associated[at].Add(bucket.Bucket);
                priorities[at] = Math.Min(priorities[at] ?? int.MaxValue, bucket.Priority);
            }
        }

        return kept.Select((k, i) => k with { Buckets = associated[i], Priority = priorities[i] }).ToList();
    }

    /// <summary>Records that the subscriptions <paramref name="ids"/> synced now; returns the time recorded.</summary>
    public async Task<DateTimeOffset> MarkSyncedAsync(IReadOnlyCollection<long> ids, CancellationToken cancellationToken)
    {
        var now = Now;
        if (ids.Count > 0)
        {
            await pool.WriteAsync(db => db.ExecuteAsync("UPDATE ps_stream_subscriptions SET last_synced_at = ? WHERE id IN (SELECT value FROM json_each(?))",
                [now, JsonSerializer.Serialize(ids)], cancellationToken), cancellationToken).ConfigureAwait(false);
        }

        return DateTimeOffset.FromUnixTimeSeconds(now);
    }

    private static string Describe(string parametersJson) => parametersJson == "null" ? "without parameters" : "with parameters " + parametersJson;

    private const string Columns = "id, stream_name, active, is_default, local_priority, local_params, ttl, expires_at, last_synced_at";

    private const string Select = "SELECT " + Columns + " FROM ps_stream_subscriptions";

    private sealed record SubscriptionRow(long Id, string StreamName, long Active, long IsDefault, long? LocalPriority, string LocalParams, long? Ttl, long? ExpiresAt, long? LastSyncedAt)
    {
        public StreamState ToState() => new(Id, StreamName, LocalParams, Active != 0, IsDefault != 0, Ttl is not null,
            ExpiresAt is { } e ? DateTimeOffset.FromUnixTimeSeconds(e) : null, LastSyncedAt is { } s ? DateTimeOffset.FromUnixTimeSeconds(s) : null);
    }
}

/// <summary>What the client knows of one tracked subscription (see <see cref="StreamSubscriptionStore.ResolveAsync"/>).</summary>
internal sealed record StreamState(long Id, string Name, string ParametersJson, bool Active, bool IsDefault, bool HasExplicitSubscription, DateTimeOffset? ExpiresAt, DateTimeOffset? LastSyncedAt)
{
    /// <summary>The checkpoint's buckets this subscription brought.</summary>
    public HashSet<string> Buckets { get; init; } = [];

    /// <summary>The highest priority (smallest number) of those buckets; null without any.</summary>
    public int? Priority { get; init; }

    public PowerSyncClientException? Error { get; init; }

    public Status.SyncStreamStatus ToStatus(Status.SyncProgress? progress) => new()
    {
        Name = Name,
        ParametersJson = ParametersJson == "null" ? null : ParametersJson,
        Active = Active,
        IsDefault = IsDefault,
        HasExplicitSubscription = HasExplicitSubscription,
        ExpiresAt = ExpiresAt,
        LastSyncedAt = LastSyncedAt,
        Priority = Priority,
        Progress = progress,
        Error = Error,
    };

    /// <summary>Whether a checkpoint applied up to <paramref name="priority"/> (null: a full one) completes this subscription.</summary>
    public bool IsIn(int? priority) => priority is not { } p || Priority is { } own && own <= p;
}
