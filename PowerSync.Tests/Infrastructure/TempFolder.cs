namespace PowerSync.Tests.Infrastructure;

/// <summary>A temporary folder for a test's stores, deleted (with SQLite's pooled connections to it closed) on dispose.</summary>
internal sealed class TempFolder(string prefix) : IDisposable
{
    public string Path { get; } = Directory.CreateTempSubdirectory(prefix).FullName;

    public void Dispose()
    {
        Microsoft.Data.Sqlite.SqliteConnection.ClearAllPools();
        Directory.Delete(Path, recursive: true);
    }
}
