using NUnit.Framework;
using PowerSync.Core;
using PowerSync.Core.Replication;
using PowerSync.Tests.Client;
using PowerSync.Tests.Infrastructure;

namespace PowerSync.Tests.Replication;

/// <summary>
/// How source transactions become storage commits and acknowledgements: grouped under load, made at a keepalive
/// position when one arrives, pipelined but acknowledged in order and only once durable.
/// </summary>
public sealed class CommitGroupingTests
{
    private sealed class Source : ISourceAcknowledgement
    {
        public List<Lsn> Acknowledged { get; } = [];

        public Lsn AcknowledgedLsn => Acknowledged.Count == 0 ? Lsn.Zero : Acknowledged[^1];

        public void Acknowledge(Lsn lsn) => Acknowledged.Add(lsn);
    }

    private ManualTimeProvider _time = null!;
    private Source _source = null!;
    private List<(Lsn Lsn, TaskCompletionSource Durable)> _commits = null!;
    private CommitGrouping _grouping = null!;

    [SetUp]
    public void CreateGrouping()
    {
        (_time, _source, _commits) = (new ManualTimeProvider(), new Source(), []);
        _grouping = new CommitGrouping(lsn =>
        {
            var durable = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
            _commits.Add((lsn, durable));
            return durable.Task;
        }, _source, null, _time);
    }

    private static Lsn At(ulong value) => new(value);

    private IEnumerable<Lsn> Started => _commits.Select(c => c.Lsn);

    [Test]
    public void Transactions_arriving_back_to_back_share_one_commit_until_the_longest_grouping_delay_has_passed()
    {
        _grouping.TransactionCommitted(At(10));
        _time.Advance(TimeSpan.FromMilliseconds(60));
        _grouping.TransactionCommitted(At(20));
        Assert.That(Started, Is.Empty, "within 100 ms of the last commit, transactions wait for each other");

        _time.Advance(TimeSpan.FromMilliseconds(40));
        _grouping.TransactionCommitted(At(30));

        Assert.That(Started, Is.EqualTo(new[] { At(30) }), "one commit for all three, at the last one's end");
        Assert.That(_grouping.Pending, Is.Null);
    }

    [Test]
    public void The_next_transaction_commits_the_earlier_ones_after_the_short_delay_only_when_nothing_else_is_buffered()
    {
        _grouping.TransactionCommitted(At(10));
        _time.Advance(TimeSpan.FromMilliseconds(25));

        _grouping.TransactionBegins(nothingBuffered: false);
        Assert.That(Started, Is.Empty, "more changes are buffered: they join the commit");

        _grouping.TransactionBegins(nothingBuffered: true);
        Assert.That(Started, Is.EqualTo(new[] { At(10) }));
    }

    [Test]
    public async Task Commits_are_acknowledged_in_order_each_only_once_it_is_durable()
    {
        _grouping.TransactionCommitted(At(10));
        _grouping.CommitPending();
        _grouping.TransactionCommitted(At(20));
        _grouping.CommitPending();

        _commits[1].Durable.SetResult();
        await _grouping.AcknowledgeDurableAsync(all: false, CancellationToken.None);
        Assert.That(_source.Acknowledged, Is.Empty, "the later commit is durable, the earlier one not yet");

        _commits[0].Durable.SetResult();
        await _grouping.AcknowledgeDurableAsync(all: false, CancellationToken.None);
        Assert.That(_source.Acknowledged, Is.EqualTo(new[] { At(10), At(20) }));
    }

    [Test]
    public async Task A_full_pipeline_waits_until_every_commit_under_way_is_durable()
    {
        for (ulong i = 1; i <= CommitGrouping.MaxCommitsInFlight; i++)
        {
            _grouping.TransactionCommitted(At(i * 10));
            _grouping.CommitPending();
        }

        var room = _grouping.MakeRoomAsync(CancellationToken.None);
        Assert.That(room.IsCompleted, Is.False);
        foreach (var (_, durable) in _commits) durable.SetResult();
        await room;

        Assert.That(_source.Acknowledged, Is.EqualTo(new[] { At(10), At(20), At(30), At(40) }));
        Assert.That(_grouping.InFlight, Is.Zero);
    }

    [Test]
    public async Task A_position_reached_while_commits_wait_moves_their_commit_to_it_and_is_not_acknowledged_alone()
    {
        _grouping.TransactionCommitted(At(10));

        Assert.That(await _grouping.ReachedAsync(At(50), CancellationToken.None), Is.False);
        Assert.That(_grouping.Pending, Is.EqualTo(At(50)), "a write checkpoint waiting for the position is reached by the commit");
        Assert.That(_source.Acknowledged, Is.Empty);
    }

    [Test]
    public async Task A_position_reached_with_nothing_waiting_is_acknowledged_after_the_commits_under_way_are_durable()
    {
        _grouping.TransactionCommitted(At(10));
        _grouping.CommitPending();

        var reached = _grouping.ReachedAsync(At(50), CancellationToken.None);
        Assert.That(reached.IsCompleted, Is.False, "the commit at 10 is not durable yet");
        _commits[0].Durable.SetResult();
        Assert.That(await reached, Is.True);
        Assert.That(_grouping.AcknowledgePosition(At(50)), Is.True);
        Assert.That(_grouping.AcknowledgePosition(At(40)), Is.False, "never backwards");

        Assert.That(_source.Acknowledged, Is.EqualTo(new[] { At(10), At(50) }));
    }

    [Test]
    public void After_the_stream_restarts_transactions_saved_since_the_last_commit_are_not_committed()
    {
        _grouping.TransactionCommitted(At(10));
        _grouping.Restarted();

        Assert.That(_grouping.CommitPending(), Is.False);
        Assert.That(Started, Is.Empty);
    }

    [Test]
    public async Task Waiting_for_changes_acknowledges_commits_that_become_durable_meanwhile()
    {
        _grouping.TransactionCommitted(At(10));
        _grouping.CommitPending();
        var more = new TaskCompletionSource<bool>(TaskCreationOptions.RunContinuationsAsynchronously);

        var waiting = _grouping.WaitForChangesAsync(more.Task, CancellationToken.None);
        _commits[0].Durable.SetResult();
        await Eventually.HoldsAsync(() => Task.FromResult(_source.Acknowledged.Count), n => n == 1, TimeSpan.FromSeconds(10), "the durable commit was acknowledged");
        Assert.That(waiting.IsCompleted, Is.False, "still waiting for changes");
        more.SetResult(true);

        Assert.That(await waiting, Is.True);
    }
}
