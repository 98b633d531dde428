using NUnit.Framework;

namespace PowerSync.Tests.Chaos;

/// <summary>The chaos suite's checker and schedule, without processes: an injected anomaly must be reported.</summary>
public sealed class ChaosCheckerTests
{
    private static readonly Dictionary<string, long> Postgres = new(StringComparer.Ordinal) { ["c0-0-0"] = 3, ["pg-0"] = 2 };

    private static ChaosChecker CleanLog()
    {
        var checker = new ChaosChecker();
        checker.Record("c0", "FULL d0");
        checker.Record("c0", "W c0-0-0:1 c0-0-1:1");
        checker.Record("c0", "DIFF d1 c0-0-0:1 c0-0-1:1");
        checker.Record("c0", "ACK c0-0-0:1 c0-0-1:1");
        checker.Record("pg", "ACK pg-0:1");
        checker.Record("c0", "DIFF d2 pg-0:1");
        checker.Record("c0", "W c0-0-0:2 c0-0-1:-1");
        checker.Record("c0", "DIFF d3 c0-0-0:2 c0-0-1:-1");
        checker.Record("c0", "ACK c0-0-0:2 c0-0-1:-1");
        checker.Record("c0", "W c0-0-0:3");
        checker.Record("c0", "DIFF d4 c0-0-0:3");
        checker.Record("c0", "ACK c0-0-0:3");
        checker.Record("pg", "ACK pg-0:2");
        checker.Record("c0", "DIFF d5 pg-0:2");
        checker.Record("c1", "FULL d6 c0-0-0:3 pg-0:2");
        return checker;
    }

    [Test]
    public void A_clean_log_reports_nothing()
    {
        var checker = CleanLog();
        Assert.That(checker.LostWrites(Postgres), Is.Empty);
        Assert.That(checker.BackInTime, Is.Empty);
        Assert.That(checker.Rejected, Is.Empty);
        Assert.That(ChaosChecker.Differences(checker.ViewOf("c0"), Postgres), Is.Empty);
        Assert.That(ChaosChecker.Differences(checker.ViewOf("c1"), Postgres), Is.Empty);
        Assert.That(checker.Acknowledged, Is.EqualTo(7), "distinct acknowledged writes (row and version, or deleted)");
        Assert.That(checker.DigestOf("c0"), Is.EqualTo("d5"));
    }

    [Test]
    public void An_acknowledged_write_missing_from_Postgres_is_reported_lost()
    {
        var checker = CleanLog();
        checker.Record("c1", "ACK c1-0-0:1");
        checker.Record("c1", "ACK c1-0-1:1 c1-0-1:2");
        var postgres = new Dictionary<string, long>(Postgres, StringComparer.Ordinal) { ["c1-0-1"] = 1 };
        Assert.That(checker.LostWrites(postgres), Is.EqualTo(new[]
        {
            "c1-0-0: v1 acknowledged, the row is not in Postgres",
            "c1-0-1: v2 acknowledged, Postgres has v1",
        }));
    }

    [Test]
    public void An_acknowledged_delete_Postgres_did_not_make_is_reported_lost()
    {
        var checker = CleanLog();
        var postgres = new Dictionary<string, long>(Postgres, StringComparer.Ordinal) { ["c0-0-1"] = 1 };
        Assert.That(checker.LostWrites(postgres), Is.EqualTo(new[] { "c0-0-1: delete acknowledged, Postgres still has v1" }));
    }

    [Test]
    public void A_read_of_an_older_version_is_reported_back_in_time()
    {
        var checker = CleanLog();
        checker.Record("c0", "DIFF d4 pg-0:1");
        Assert.That(checker.BackInTime, Is.EqualTo(new[] { "c0: a read shows pg-0 v1 after v2" }));
    }

    [Test]
    public void A_restarted_client_that_lost_its_own_committed_write_is_reported_back_in_time()
    {
        var checker = CleanLog();
        checker.Record("c0", "W c0-0-0:4");
        checker.Record("c0", "FULL d5 c0-0-0:3 pg-0:2");
        Assert.That(checker.BackInTime, Is.EqualTo(new[] { "c0: a read after a restart shows c0-0-0 v3, its own committed write was v4" }));
    }

    [Test]
    public void A_read_reported_after_a_later_local_write_is_not_back_in_time()
    {
        var checker = new ChaosChecker();
        checker.Record("c0", "FULL d0");
        checker.Record("c0", "W c0-0-0:1");
        checker.Record("c0", "W c0-0-0:2");
        checker.Record("c0", "DIFF d1 c0-0-0:1");
        checker.Record("c0", "DIFF d2 c0-0-0:2");
        Assert.That(checker.BackInTime, Is.Empty);
    }

    [Test]
    public void A_restarted_client_that_shows_its_own_deleted_row_is_reported_back_in_time()
    {
        var checker = CleanLog();
        checker.Record("c0", "FULL d5 c0-0-0:3 c0-0-1:1 pg-0:2");
        Assert.That(checker.BackInTime, Is.EqualTo(new[]
        {
            "c0: a read after a restart shows c0-0-1 v1 again after it was gone (last seen v1)",
            "c0: a read after a restart shows c0-0-1 v1, its own committed write was a delete",
        }));
    }

    [Test]
    public void A_deleted_row_that_comes_back_is_reported_back_in_time()
    {
        var checker = CleanLog();
        checker.Record("c1", "FULL d6 pg-0:2");
        checker.Record("c1", "DIFF d7 c0-0-0:3");
        Assert.That(checker.BackInTime, Is.EqualTo(new[] { "c1: a read shows c0-0-0 v3 again after it was gone (last seen v3)" }));
    }

    [Test]
    public void A_client_that_differs_from_Postgres_is_reported_diverged()
    {
        var checker = CleanLog();
        checker.Record("c1", "DIFF d8 pg-0:-1 c9-0-0:1");
        Assert.That(ChaosChecker.Differences(checker.ViewOf("c1"), Postgres), Is.EqualTo(new[]
        {
            "c9-0-0: client v1, Postgres has no row",
            "pg-0: client has no row, Postgres v2",
        }));
    }

    [Test]
    public void A_line_cut_short_by_a_kill_is_not_read_as_an_observation()
    {
        var checker = CleanLog();
        checker.Record("c0", "DIFF d9 pg-0:");
        checker.Record("c0", "DIFF");
        Assert.That(checker.BackInTime, Is.Empty);
        Assert.That(checker.DigestOf("c0"), Is.EqualTo("d9"));
    }

    [Test]
    public void A_refused_entry_is_reported()
    {
        var checker = CleanLog();
        checker.Record("c2", "REJ c2-0-0 No such todo in your lists.");
        Assert.That(checker.Rejected, Is.EqualTo(new[] { "c2: c2-0-0 No such todo in your lists." }));
    }

    [Test]
    public void The_same_seed_gives_the_same_schedule_and_every_fault_kind_comes_within_60_s()
    {
        var first = ChaosSchedule.Generate(7, 60, 4);
        Assert.That(ChaosSchedule.Generate(7, 60, 4), Is.EqualTo(first));
        Assert.That(ChaosSchedule.Generate(8, 60, 4), Is.Not.EqualTo(first));
        Assert.That(first.Select(f => f.Kind).Distinct().Count(), Is.EqualTo(Enum.GetValues<FaultKind>().Length));
        Assert.That(first.Sum(f => (f.Lead + f.Hold).TotalSeconds), Is.GreaterThanOrEqualTo(60));
        Assert.That(first.Where(f => f.Kind == FaultKind.ClientKill).Select(f => f.Client), Is.All.InRange(0, 3));
    }

    [Test]
    public void A_table_row_shows_every_count()
    {
        var result = new SeedResult(3, new Dictionary<FaultKind, int> { [FaultKind.BackendKill] = 2 }, 120, [], ["x: lost"], [], [], ["round 2: stalled"],
            TimeSpan.FromSeconds(4.25), "/tmp/seed-3");
        var table = ChaosReport.Table([result], new ChaosSettings([3], 60, 4, "/tmp"));
        Assert.That(table, Does.Contain("| 3 | 2 | 0 | 0 | 0 | 0 | 0 | 0 | 0 | 0 | 120 | 0 | 1 | 0 | 0 | 1 | 4.3 |"));
        Assert.That(table, Does.Contain("x: lost").And.Contain("round 2: stalled"));
        Assert.That(result.Passed, Is.False);
    }
}
