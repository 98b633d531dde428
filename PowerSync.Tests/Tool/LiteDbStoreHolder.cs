using PowerSync.Core.Storage.LiteDb;

namespace PowerSync.Tests.Tool;

/// <summary>
/// A process that keeps a LiteDB bucket store open, as a running app does: opens it, says <c>OPEN</c> on stdout,
/// and closes it when its stdin closes.
/// </summary>
internal static class LiteDbStoreHolder
{
    public static async Task<int> RunAsync(string path)
    {
        var store = LiteDbBucketStorage.Open(new LiteDbBucketStorageOptions(path));
        await using (store)
        {
            Console.WriteLine("OPEN");
            while (await Console.In.ReadLineAsync() is not null)
            {
            }
        }
        return 0;
    }
}
