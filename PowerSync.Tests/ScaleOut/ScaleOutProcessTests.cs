using System.Globalization;
using System.Net.Http.Json;
using Npgsql;
using NUnit.Framework;
using PowerSync.Client;
using PowerSync.Client.Crud;
using PowerSync.Tests.Chaos;
using PowerSync.Tests.Infrastructure;
using PowerSync.Tests.Telemetry;
using TodoClient;

namespace PowerSync.Tests.ScaleOut;

/// <summary>
/// samples/TodoBackend as separate processes over one Postgres bucket store: the replicating one killed -9 or
/// paused past its lease while Postgres is written and clients move between instances. Judged against Postgres
/// itself (every client equals it through the sync rules) and against a reference instance that replicated the
/// same changes uninterrupted into a store of its own (every bucket's op count and checksum equal: no change lost
/// or applied twice).
/// </summary>
[NonParallelizable]
public sealed class ScaleOutProcessTests
{
    private static readonly TimeSpan Lease = TimeSpan.FromSeconds(2);
    private static readonly TimeSpan Settle = TimeSpan.FromSeconds(90);

    private sealed record TodoRow(string Id, string Description, long Completed);

    /// <summary>A client's connector that picks one of the running instances at random for each connection and upload.</summary>
    private sealed class RoamingConnector(ScaleOutCluster cluster, string user, int seed) : IPowerSyncBackendConnector
    {
        private readonly Random _random = new(seed);
        private readonly HashSet<string> _visited = [];

        /// <summary>The instances it connected or uploaded to.</summary>
        public IReadOnlyCollection<string> Visited
        {
            get
            {
                lock (_visited) return [.. _visited];
            }
        }

        private BackendProcess Pick()
        {
            var alive = cluster.Alive;
            if (alive.Count == 0) throw new InvalidOperationException("No instance runs.");
            lock (_visited)
            {
                var instance = alive[_random.Next(alive.Count)];
                _visited.Add(instance.Source);
                return instance;
            }
        }

        public Task<PowerSyncCredentials?> FetchCredentialsAsync(CancellationToken ct)
        {
            var token = cluster.Tokens.Issue(user);
            return Task.FromResult<PowerSyncCredentials?>(new PowerSyncCredentials(Pick().Address, token.Token, token.ExpiresAt));
        }

        public async Task UploadDataAsync(PowerSyncDatabase database, CancellationToken ct)
        {
            var transaction = await database.GetNextCrudTransactionAsync(ct);
            if (transaction is null) return;
            using var http = new HttpClient { BaseAddress = Pick().Address };
            using var request = new HttpRequestMessage(HttpMethod.Post, "/api/data")
            {
                Content = JsonContent.Create(new
                {
                    batch = transaction.Entries.Select(e => new { op = e.Op.ToString().ToUpperInvariant(), table = e.Table, id = e.Id, data = e.Data }),
                }),
            };
            request.Headers.Authorization = new("Bearer", cluster.Tokens.Issue(user).Token);
            using var response = await http.SendAsync(request, ct);
            response.EnsureSuccessStatusCode(); // else the transaction stays queued and is retried
            await transaction.CompleteAsync(cancellationToken: ct);
        }
    }

    /// <summary>One client of each user of <see cref="ChaosRows.Users"/>, roaming.</summary>
    private sealed class Clients(IReadOnlyList<(string User, PowerSyncDatabase Db, RoamingConnector Connector)> clients, MetricRecorder metrics) : IAsyncDisposable
    {
        private static readonly PowerSyncConnectionOptions Options = new()
        {
            RetryDelay = TimeSpan.FromMilliseconds(100),
            MaxRetryDelay = TimeSpan.FromMilliseconds(500),
            CrudUploadThrottle = TimeSpan.Zero,
        };

        public IReadOnlyList<(string User, PowerSyncDatabase Db, RoamingConnector Connector)> All => clients;

        public static async Task<Clients> OpenAsync(ScaleOutCluster cluster)
        {
            var metrics = new MetricRecorder();
            var opened = new List<(string, PowerSyncDatabase, RoamingConnector)>();
            foreach (var (user, index) in ChaosRows.Users.Select((u, i) => (u, i)))
            {
                var db = await PowerSyncDatabase.OpenAsync(new PowerSyncDatabaseOptions
                {
                    DatabasePath = Path.Combine(cluster.Folder, $"client-{user}.db"),
                    Schema = TodoSession.AppSchema,
                    MeterFactory = metrics.Factory,
                });
                var connector = new RoamingConnector(cluster, user, 100 + index);
                opened.Add((user, db, connector));
                await db.ConnectAsync(connector, Options);
            }
            var clients = new Clients(opened, metrics);
            foreach (var (user, db, _) in opened)
            {
                using var limit = new CancellationTokenSource(Settle);
                await db.WaitForFirstSyncAsync(cancellationToken: limit.Token);
            }
            return clients;
        }

        /// <summary>Reconnects client <paramref name="index"/>: its connector picks an instance anew.</summary>
        public async Task RoamAsync(int index)
        {
            var (_, db, connector) = clients[index];
            await db.DisconnectAsync();
            await db.ConnectAsync(connector, Options);
        }

        /// <summary>Bucket checksums that did not match at a checkpoint, over all clients.</summary>
        public double ChecksumFailures => metrics.Of("powersync.client.sync.failures")
            .Where(m => Equals(m.Tags.GetValueOrDefault("code"), PowerSync.Client.ClientErrorCodes.ChecksumMismatch)).Sum(m => m.Value);

        public async ValueTask DisposeAsync()
        {
            foreach (var (_, db, _) in clients) await db.DisposeAsync();
            metrics.Dispose();
        }
    }

    /// <summary>Transactions on Postgres straight (not through the app): inserts, updates and deletes of todos in the seeded lists.</summary>
    private sealed class SourceWriter(string connectionString, int seed)
    {
        private readonly Random _random = new(seed);
        private readonly List<string> _live = [];
        private int _next;

        public int Transactions { get; private set; }

        public async Task WriteAsync(int transactions)
        {
            await using var connection = new NpgsqlConnection(connectionString);
            await connection.OpenAsync();
            for (var t = 0; t < transactions; t++)
            {
                await using var tx = await connection.BeginTransactionAsync();
                for (var statement = 1 + _random.Next(3); statement > 0; statement--)
                {
                    var choice = _random.Next(10);
                    await using var cmd = connection.CreateCommand();
                    cmd.Transaction = tx;
                    if (choice < 5 || _live.Count == 0)
                    {
                        var id = "pg-" + (_next++).ToString(CultureInfo.InvariantCulture);
                        cmd.CommandText = "INSERT INTO todos (id, list_id, description, completed, created_by) VALUES (@id, @list, @d, 0, 'pg')";
                        cmd.Parameters.AddWithValue("id", id);
                        cmd.Parameters.AddWithValue("list", ChaosRows.AllLists[_random.Next(ChaosRows.AllLists.Count)]);
                        cmd.Parameters.AddWithValue("d", "new " + id);
                        _live.Add(id);
                    }
                    else if (choice < 8)
                    {
                        cmd.CommandText = "UPDATE todos SET description = description || '+', completed = 1 - completed WHERE id = @id";
                        cmd.Parameters.AddWithValue("id", _live[_random.Next(_live.Count)]);
                    }
                    else
                    {
                        var at = _random.Next(_live.Count);
                        cmd.CommandText = "DELETE FROM todos WHERE id = @id";
                        cmd.Parameters.AddWithValue("id", _live[at]);
                        _live.RemoveAt(at);
                    }
                    await cmd.ExecuteNonQueryAsync();
                }
                await tx.CommitAsync();
                Transactions++;
            }
        }
    }

    [Test]
    public async Task Clients_roaming_over_three_instances_converge_with_an_uninterrupted_runs_op_counts_and_checksums_when_the_replicating_one_is_killed()
    {
        await using var cluster = await ScaleOutCluster.StartAsync(3, Lease);
        try
        {
            var leader = await cluster.ReplicatingAsync(null, Settle);
            await using var clients = await Clients.OpenAsync(cluster);
            var writer = new SourceWriter(cluster.Source.ConnectionString, 7);
            var random = new Random(11);

            for (var round = 0; round < 12; round++)
            {
                await writer.WriteAsync(20);
                await clients.RoamAsync(random.Next(clients.All.Count));
                var (user, db, _) = clients.All[random.Next(clients.All.Count)];
                await db.ExecuteAsync("INSERT INTO todos (id, list_id, description, completed, created_by) VALUES (uuid(), ?, ?, 0, ?)",
                    [ChaosRows.OwnList(user), $"from {user} in round {round}", user]);
                if (round == 4)
                {
                    cluster.Journal.Note("test", $"kill -9 {leader.Source}, the replicating instance");
                    await leader.KillAsync();
                }
            }
            var successor = await cluster.ReplicatingAsync(leader, Settle);
            cluster.Journal.Note("test", $"{successor.Source} replicates; {writer.Transactions} source transactions written");

            await Eventually.HoldsAsync(() => DifferencesAsync(cluster, clients), d => d.Count == 0, Settle,
                "every client equals Postgres through the sync rules");
            await SameAsUninterruptedRunAsync(cluster, successor);
            Assert.That(clients.ChecksumFailures, Is.Zero, "no client saw a checksum mismatch");
            Assert.That(clients.All.Max(c => c.Connector.Visited.Count), Is.GreaterThan(1), "clients moved between instances");
        }
        catch (Exception e) when (e is not SuccessException)
        {
            TestContext.Out.WriteLine(JournalTail(cluster));
            throw;
        }
    }

    [Test]
    public async Task A_replicating_instance_paused_past_its_lease_and_resumed_after_a_takeover_commits_nothing()
    {
        await using var cluster = await ScaleOutCluster.StartAsync(2, Lease);
        try
        {
            var leader = await cluster.ReplicatingAsync(null, Settle);
            var writer = new SourceWriter(cluster.Source.ConnectionString, 3);
            await writer.WriteAsync(30);
            // Streaming, its snapshot done: a writer stopped mid-snapshot leaves the snapshot to be redone, with other ops.
            await SameAsUninterruptedRunAsync(cluster, leader);

            // Paused while changes stream to it: it holds changes it has not committed.
            var writing = writer.WriteAsync(40);
            await leader.SignalAsync("STOP");
            cluster.Journal.Note("test", $"SIGSTOP {leader.Source}, the replicating instance");
            await writing;
            var successor = await cluster.ReplicatingAsync(leader, Settle);
            await SameAsUninterruptedRunAsync(cluster, successor); // the new writer committed everything written so far

            var resumedAt = leader.LineCount;
            await leader.SignalAsync("CONT");
            cluster.Journal.Note("test", $"SIGCONT {leader.Source}");
            await writer.WriteAsync(30);
            await Eventually.HoldsAsync(() => Task.FromResult(leader.HasLogged("[6004]", resumedAt) || leader.HasLogged("[3010]", resumedAt)), seen => seen,
                Settle, "the resumed former leader reports it no longer holds the lease");

            await SameAsUninterruptedRunAsync(cluster, successor);
            Assert.That(await cluster.ReplicatingAsync(), Is.SameAs(successor), "the resumed instance did not take the lease back");
            Assert.That(leader.Id, Is.Not.Null, "the resumed instance still runs (it serves)");
        }
        catch (Exception e) when (e is not SuccessException)
        {
            TestContext.Out.WriteLine(JournalTail(cluster));
            throw;
        }
    }

    /// <summary>Each user's buckets, as served by <paramref name="instance"/>, have the reference instance's op counts and checksums.</summary>
    private static async Task SameAsUninterruptedRunAsync(ScaleOutCluster cluster, BackendProcess instance)
    {
        foreach (var user in ChaosRows.Users)
        {
            (BucketTotals Reference, BucketTotals Shared)? last = null;
            await Eventually.HoldsAsync(async () =>
            {
                using var limit = new CancellationTokenSource(TimeSpan.FromSeconds(30));
                var reference = await ScaleOutCluster.CheckpointAsync(cluster.Reference.Address, cluster.Reference.Token(user), limit.Token);
                var shared = await ScaleOutCluster.CheckpointAsync(instance.Address, cluster.Tokens.Issue(user).Token, limit.Token);
                last = (reference, shared);
                return last.Value;
            }, pair => pair.Reference.SameAs(pair.Shared) && pair.Reference.Buckets.Count > 0, Settle,
                $"{user}'s buckets on {instance.Source} have the uninterrupted run's op counts and checksums");
            Assert.That(last!.Value.Shared.ToString(), Is.EqualTo(last.Value.Reference.ToString()));
        }
    }

    /// <summary>For each client, the todos it has that Postgres does not show its user, and the other way round.</summary>
    private static async Task<List<string>> DifferencesAsync(ScaleOutCluster cluster, Clients clients)
    {
        var differences = new List<string>();
        await using var connection = await cluster.Source.OpenConnectionAsync();
        foreach (var (user, db, _) in clients.All)
        {
            var expected = new List<string>();
            await using (var query = new NpgsqlCommand("""
                SELECT id, description, completed FROM todos
                WHERE list_id IN (SELECT id FROM lists WHERE owner_id = @u UNION SELECT list_id FROM list_members WHERE user_id = @u)
                ORDER BY id COLLATE "C"
                """, connection))
            {
                query.Parameters.AddWithValue("u", user);
                await using var reader = await query.ExecuteReaderAsync();
                while (await reader.ReadAsync()) expected.Add($"{reader.GetString(0)}|{reader.GetString(1)}|{reader.GetInt32(2)}");
            }
            var actual = (await db.GetAllAsync<TodoRow>("SELECT id AS Id, description AS Description, completed AS Completed FROM todos ORDER BY id"))
                .Select(r => $"{r.Id}|{r.Description}|{r.Completed}").ToList();
            differences.AddRange(expected.Except(actual).Select(r => $"{user} lacks {r}"));
            differences.AddRange(actual.Except(expected).Select(r => $"{user} has {r}, Postgres does not"));
        }
        return differences;
    }

    private static string JournalTail(ScaleOutCluster cluster)
    {
        using var file = new FileStream(cluster.JournalPath, FileMode.Open, FileAccess.Read, FileShare.ReadWrite | FileShare.Delete);
        using var reader = new StreamReader(file);
        var lines = reader.ReadToEnd().Split('\n');
        return "The run's journal (last 200 lines):\n" + string.Join('\n', lines.TakeLast(200));
    }
}
