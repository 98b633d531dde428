using Microsoft.Extensions.Diagnostics.HealthChecks;
using Microsoft.Extensions.Logging;
using NUnit.Framework;
using PowerSync.Core;
using PowerSync.Core.Hosting;
using PowerSync.Core.Replication;
using PowerSync.Core.SyncRules;
using PowerSync.Tests.Auth;
using PowerSync.Tests.Infrastructure;
using PowerSync.Tests.Infrastructure.Postgres;

namespace PowerSync.Tests.Hosting;

/// <summary>
/// The check of the rules against the source when the service starts: warnings logged once and exposed
/// on the service by default, one start-up error listing them all when the option asks for it, and the
/// rules file named in rule errors.
/// </summary>
public sealed class SourceValidationStartupTests
{
    private const string RulesWithMissingTable = """
        bucket_definitions:
          global:
            data:
              - SELECT * FROM todos
              - SELECT * FROM todoz
        """;

    private TempFolder _temp = null!;

    [SetUp]
    public void CreateFolder() => _temp = new TempFolder("powersync-validation-");

    [TearDown]
    public void DeleteFolder() => _temp.Dispose();

    private static CancellationToken Timeout() => new CancellationTokenSource(TimeSpan.FromSeconds(60)).Token;

    private async Task<PowerSyncOptions> OptionsAsync(TestDatabase db, string rules, bool failOnProblems)
    {
        var rulesPath = Path.Combine(_temp.Path, "sync-rules.yaml");
        await File.WriteAllTextAsync(rulesPath, rules);
        var options = new PowerSyncOptions
        {
            SourceConnectionString = db.ConnectionString,
            SyncRulesPath = rulesPath,
            StoragePath = Path.Combine(_temp.Path, "buckets.db"),
            FailOnSourceValidationProblems = failOnProblems,
        };
        options.Auth.Jwks = TestKey.Set(TestKey.Hmac(null));
        options.Auth.Audiences.Add("powersync");
        return options;
    }

    private static async Task<TestDatabase> CreateSourceAsync(CancellationToken ct)
    {
        var db = await TestPostgres.CreateDatabaseAsync();
        await db.ExecuteAsync("CREATE TABLE todos (id text PRIMARY KEY, title text); CREATE PUBLICATION powersync FOR ALL TABLES;", ct);
        return db;
    }

    [Test]
    public async Task Problems_are_logged_once_as_warnings_and_exposed_on_the_service_which_still_starts()
    {
        var ct = Timeout();
        await using var db = await CreateSourceAsync(ct);
        var logger = new ListLogger();
        var options = await OptionsAsync(db, RulesWithMissingTable, failOnProblems: false);
        await using var service = new PowerSyncService(options, new SingleLoggerFactory(logger));

        await service.StartAsync(ct);

        var expected = $"{options.SyncRulesPath}:5:23: [PSYNC_N4001] The data query of bucket definition 'global' reads table public.todoz, " +
            "which does not exist in the source database; did you mean public.todos?";
        Assert.That(service.SourceValidationProblems.Select(p => p.ToString()), Is.EqualTo(new[] { expected }));
        var problem = service.SourceValidationProblems[0];
        Assert.That((problem.Code, problem.File, problem.Line, problem.Column, problem.Table),
            Is.EqualTo((SourceValidationErrorCodes.TableMissing, options.SyncRulesPath, 5, 23, "public.todoz")));
        var warnings = logger.Entries.Where(e => e.EventId == 4001).ToList();
        Assert.That(warnings.Select(w => (w.Level, w.Message)), Is.EqualTo(new[] { (LogLevel.Warning, "The sync rules do not match the source database: " + expected) }));
        Assert.That(await service.Storage.Admin.GetProcessingAsync(ct) ?? await service.Storage.Admin.GetActiveAsync(ct), Is.Not.Null, "the rules were deployed");
        var health = await new PowerSyncHealthCheck(service).CheckHealthAsync(new HealthCheckContext(), ct);
        Assert.That(health.Data["source_validation_problems"], Is.EqualTo(new[] { expected }), "the health data lists them");
        Assert.That(health.Description, Does.Contain("see source_validation_problems"));
    }

    [Test]
    public async Task With_FailOnSourceValidationProblems_start_up_fails_with_one_error_listing_every_problem_before_deploying()
    {
        var ct = Timeout();
        await using var db = await CreateSourceAsync(ct);
        var options = await OptionsAsync(db, RulesWithMissingTable.Replace("SELECT * FROM todos", "SELECT id, titel FROM todos", StringComparison.Ordinal), failOnProblems: true);
        await using var service = new PowerSyncService(options);

        var ex = Assert.ThrowsAsync<PowerSyncException>(() => service.StartAsync(ct));

        Assert.That(ex!.Code, Is.EqualTo(SourceValidationErrorCodes.ValidationFailed));
        var nl = Environment.NewLine;
        Assert.That(ex.Message, Is.EqualTo(
            "The sync rules do not match the source database (2 problem(s)); fix each of these and start again " +
            $"(or set FailOnSourceValidationProblems = false to start with warnings):{nl}" +
            $"  {options.SyncRulesPath}:4:20: [PSYNC_N4003] Column titel does not exist in public.todos; did you mean title (text)?{nl}" +
            $"  {options.SyncRulesPath}:5:23: [PSYNC_N4001] The data query of bucket definition 'global' reads table public.todoz, which does not exist in the source database; did you mean public.todos?"));
        Assert.That(await service.Storage.Admin.GetProcessingAsync(ct), Is.Null, "nothing was deployed");
        Assert.That(await service.Storage.Admin.GetActiveAsync(ct), Is.Null);
    }

    [Test]
    public async Task A_retired_versions_slot_is_reported_but_does_not_fail_start_up_and_is_then_dropped()
    {
        var ct = Timeout();
        await using var db = await CreateSourceAsync(ct);
        var options = await OptionsAsync(db, "bucket_definitions:\n  global:\n    data:\n      - SELECT id, title FROM todos\n", failOnProblems: true);
        await using var service = new PowerSyncService(options);
        // A version superseded before it ever ran, whose slot exists at the source and is inactive.
        var retired = await service.Storage.Admin.DeployAsync("bucket_definitions: {}", ct);
        await service.Storage.Admin.DeployAsync("bucket_definitions:\n  global:\n    data:\n      - SELECT id FROM todos\n", ct);
        await db.ExecuteAsync($"SELECT pg_create_logical_replication_slot('{retired.SlotName}', 'pgoutput')", ct);

        await service.StartAsync(ct);

        Assert.That(service.SourceValidationProblems.Select(p => p.ToString()), Is.EqualTo(new[]
        {
            $"[PSYNC_N4007] Replication slot {retired.SlotName} of retired sync rules version {retired.Id} is inactive, so Postgres keeps all WAL written since it was last used. " +
            $"It is dropped automatically once nothing streams from it; if it stays, drop it: SELECT pg_drop_replication_slot('{retired.SlotName}');",
        }));
        await Eventually.HoldsAsync(() => db.ScalarAsync<long>($"SELECT count(*) FROM pg_replication_slots WHERE slot_name = '{retired.SlotName}'", ct),
            count => count == 0, TimeSpan.FromSeconds(30), $"slot {retired.SlotName} is dropped");
    }

    [Test]
    public async Task Matching_rules_log_that_they_match_and_expose_no_problems_even_with_the_option_on()
    {
        var ct = Timeout();
        await using var db = await CreateSourceAsync(ct);
        var logger = new ListLogger();
        var options = await OptionsAsync(db, "bucket_definitions:\n  global:\n    data:\n      - SELECT id, title FROM todos\n", failOnProblems: true);
        await using var service = new PowerSyncService(options, new SingleLoggerFactory(logger));

        await service.StartAsync(ct);

        Assert.That(service.SourceValidationProblems, Is.Empty);
        Assert.That(logger.Entries.Where(e => e.EventId is 4001 or 4002 or 4003).Select(e => e.Message),
            Is.EqualTo(new[] { "The sync rules match the source database (1 table reference(s) checked)" }));
    }

    [Test]
    public async Task A_source_that_cannot_be_reached_skips_the_check_with_a_warning_and_start_up_goes_on()
    {
        var ct = Timeout();
        await using var db = await CreateSourceAsync(ct);
        var logger = new ListLogger();
        var options = await OptionsAsync(db, RulesWithMissingTable, failOnProblems: true);
        // A port nothing listens on: connecting is refused at once.
        options.SourceConnectionString = new Npgsql.NpgsqlConnectionStringBuilder(db.ConnectionString) { Port = LoopbackPorts.Free(), Timeout = 5 }.ConnectionString;
        await using var service = new PowerSyncService(options, new SingleLoggerFactory(logger));

        await service.StartAsync(ct);

        Assert.That(service.SourceValidationProblems, Is.Empty);
        Assert.That(logger.Entries.Where(e => e.EventId == 4002).Select(e => (e.Level, e.Message.StartsWith("The sync rules could not be checked against the source database; replication retries the source by itself: Could not check the source database", StringComparison.Ordinal))),
            Is.EqualTo(new[] { (LogLevel.Warning, true) }));
    }

    [Test]
    public async Task Invalid_rules_from_a_file_fail_start_up_naming_the_file_line_and_column()
    {
        var ct = Timeout();
        await using var db = await CreateSourceAsync(ct);
        var options = await OptionsAsync(db, "bucket_definitions:\n  global:\n    data:\n      - SELECT id FROM todos WHERE\n", failOnProblems: false);
        await using var service = new PowerSyncService(options);

        var ex = Assert.ThrowsAsync<SyncRulesException>(() => service.StartAsync(ct));

        Assert.That(ex!.Message, Does.Contain($"{Environment.NewLine}  {options.SyncRulesPath}:4:35: [PSYNC_N3101] "));
    }
}
