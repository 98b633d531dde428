using NUnit.Framework;
using PowerSync.Client;

namespace PowerSync.Tests.Client;

public sealed record TodoRow(string Id, string? Description, string? ListId, long? Completed, double? Weight);

public sealed class TodoClass
{
    public string Id { get; set; } = "";
    public string? Description { get; set; }
    public bool Completed { get; set; }
}

[TestFixture]
public sealed class DatabaseTests
{
    private ClientTestContext _ctx = null!;

    [SetUp]
    public void SetUp() => _ctx = new ClientTestContext();

    [TearDown]
    public async Task TearDown() => await _ctx.DisposeAsync();

    [Test]
    public async Task Rows_map_to_records_by_constructor_and_to_classes_by_property()
    {
        var db = await _ctx.OpenAsync();
        await db.ExecuteAsync("INSERT INTO todos(id, description, list_id, completed, weight) VALUES(?, ?, ?, ?, ?)", ["t1", "Buy milk", "l1", 1, 2.5]);

        var records = await db.GetAllAsync<TodoRow>("SELECT * FROM todos");
        var classes = await db.GetAllAsync<TodoClass>("SELECT id, description, completed FROM todos");

        Assert.That(records, Is.EqualTo(new[] { new TodoRow("t1", "Buy milk", "l1", 1, 2.5) }));
        Assert.That(classes.Single().Completed, Is.True);
        Assert.That(classes.Single().Description, Is.EqualTo("Buy milk"));
    }

    [Test]
    public async Task Placeholders_inside_string_literals_are_not_arguments()
    {
        var db = await _ctx.OpenAsync();
        await db.ExecuteAsync("INSERT INTO todos(id, description) VALUES(?, 'what?')", ["t1"]);

        var description = await db.GetAsync<string>("SELECT description FROM todos WHERE id = ?", ["t1"]);

        Assert.That(description, Is.EqualTo("what?"));
    }

    [Test]
    public async Task GetAsync_throws_NoRows_and_GetOptionalAsync_returns_null_when_nothing_matches()
    {
        var db = await _ctx.OpenAsync();

        var error = Assert.ThrowsAsync<PowerSyncClientException>(() => db.GetAsync<TodoRow>("SELECT * FROM todos"));
        Assert.That(error!.Code, Is.EqualTo(ClientErrorCodes.NoRows));
        Assert.That(await db.GetOptionalAsync<TodoRow>("SELECT * FROM todos"), Is.Null);
    }

    [Test]
    public async Task A_failing_write_transaction_rolls_back_every_statement()
    {
        var db = await _ctx.OpenAsync();

        Assert.ThrowsAsync<InvalidOperationException>(() => db.WriteTransactionAsync(async (tx, ct) =>
        {
            await tx.ExecuteAsync("INSERT INTO todos(id, description) VALUES('t1', 'a')", null, ct);
            throw new InvalidOperationException("boom");
        }));

        Assert.That(await db.GetAsync<long>("SELECT count(*) FROM todos"), Is.Zero);
        Assert.That((await db.GetUploadQueueStatsAsync()).Count, Is.Zero);
    }

    [Test]
    public async Task A_read_transaction_sees_writes_committed_before_it_started()
    {
        var db = await _ctx.OpenAsync();
        await db.WriteTransactionAsync(async (tx, ct) =>
        {
            await tx.ExecuteAsync("INSERT INTO lists(id, name) VALUES('l1', 'one')", null, ct);
            await tx.ExecuteAsync("INSERT INTO lists(id, name) VALUES('l2', 'two')", null, ct);
        });

        var names = await db.ReadTransactionAsync((tx, ct) => tx.GetAllAsync<string>("SELECT name FROM lists ORDER BY name", null, ct));

        Assert.That(names, Is.EqualTo(new[] { "one", "two" }));
    }

    [Test]
    public async Task Invalid_options_report_every_problem_at_once()
    {
        var error = Assert.ThrowsAsync<PowerSyncClientException>(() => PowerSyncDatabase.OpenAsync(new PowerSyncDatabaseOptions
        {
            DatabasePath = "",
            Schema = new PowerSync.Client.Tables.Schema(new PowerSync.Client.Tables.Table("ps_bad", [PowerSync.Client.Tables.Column.Text("id")])),
            ReadPoolSize = 0,
        }));

        Assert.That(error!.Code, Is.EqualTo(ClientErrorCodes.InvalidOptions));
        Assert.That(error.Message, Does.Contain("DatabasePath").And.Contain("ReadPoolSize").And.Contain("reserved").And.Contain("'id' is implicit"));
    }

    [Test]
    public async Task Data_survives_reopening_the_file()
    {
        var db = await _ctx.OpenAsync();
        await db.ExecuteAsync("INSERT INTO lists(id, name) VALUES('l1', 'kept')");
        await db.DisposeAsync();

        var reopened = await _ctx.OpenAsync();

        Assert.That(await reopened.GetAsync<string>("SELECT name FROM lists WHERE id = 'l1'"), Is.EqualTo("kept"));
        Assert.That((await reopened.GetUploadQueueStatsAsync()).Count, Is.EqualTo(1));
    }
}
