using NUnit.Framework;

namespace PowerSync.Tests.Infrastructure;

/// <summary>
/// The tests' one temporary folder (for stores, client databases, generated projects): a new folder under the
/// system temp folder named <paramref name="prefix"/> plus a random part, deleted on dispose with SQLite's pooled
/// connections to it closed first. A folder that cannot be deleted is left for the temp cleaner with a line on the
/// test's progress output, rather than failing a test that passed.
/// </summary>
internal sealed class TempFolder(string prefix) : IDisposable
{
    public string Path { get; } = Directory.CreateTempSubdirectory(prefix).FullName;

    public void Dispose()
    {
        Microsoft.Data.Sqlite.SqliteConnection.ClearAllPools();
        try
        {
            Directory.Delete(Path, recursive: true);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            TestContext.Progress.WriteLine($"Left the temporary folder {Path}: {e.Message}");
        }
    }
}
