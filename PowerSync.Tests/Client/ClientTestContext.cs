using PowerSync.Client;
using PowerSync.Client.Tables;

namespace PowerSync.Tests.Client;

/// <summary>A temp folder per test with a real SQLite file; deleted afterwards.</summary>
internal sealed class ClientTestContext : IAsyncDisposable
{
    private readonly List<PowerSyncDatabase> _opened = [];
    private readonly TempFolder _folder = new("powersync-client-");

    public string Folder => _folder.Path;

    public string DatabasePath => Path.Combine(Folder, "client.db");

    public static readonly Schema TodoSchema = new(
        new Table("lists", [Column.Text("name"), Column.Text("owner_id")]),
        new Table("todos", [Column.Text("description"), Column.Text("list_id"), Column.Integer("completed"), Column.Real("weight")],
            indexes: [new TableIndex("list", "list_id")]));

    public async Task<PowerSyncDatabase> OpenAsync(Schema? schema = null, string? path = null, Microsoft.Extensions.Logging.ILogger? logger = null)
    {
        var db = await PowerSyncDatabase.OpenAsync(new PowerSyncDatabaseOptions
        {
            DatabasePath = path ?? DatabasePath,
            Schema = schema ?? TodoSchema,
            WatchThrottle = TimeSpan.FromMilliseconds(5),
            Logger = logger,
        });
        _opened.Add(db);
        return db;
    }

    public async ValueTask DisposeAsync()
    {
        foreach (var db in _opened) await db.DisposeAsync();
        _folder.Dispose();
    }
}
