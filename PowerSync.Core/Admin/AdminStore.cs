using Microsoft.Data.Sqlite;
using PowerSync.Core.Hosting;
using PowerSync.Core.Storage;
using PowerSync.Core.Storage.LiteDb;
using PowerSync.Core.Storage.Sqlite;

namespace PowerSync.Core.Admin;

/// <summary>Opens an existing bucket store for the administration calls: never creates one, and says clearly why one cannot be opened.</summary>
internal static class AdminStore
{
    /// <exception cref="PowerSyncException">
    /// The file does not exist (<see cref="AdminErrorCodes.StoreMissing"/>), is not a store of that engine
    /// (<see cref="AdminErrorCodes.StoreUnreadable"/>), or is a LiteDB store open in another process (<see cref="StorageErrorCodes.StoreInUse"/>).
    /// </exception>
    public static IBucketStorage Open(string path, BucketStorageEngine engine)
    {
        var full = Path.GetFullPath(path);
        if (!File.Exists(full))
        {
            throw new PowerSyncException(AdminErrorCodes.StoreMissing,
                $"The bucket store '{full}' does not exist. Give the StoragePath the app uses (relative paths are relative to the app's working directory).");
        }
        // Checked before opening: both engines would turn an empty or tiny file into a new store of their own.
        if (!HasHeader(full, engine))
        {
            var other = engine == BucketStorageEngine.LiteDb ? "SQLite" : "LiteDB";
            throw new PowerSyncException(AdminErrorCodes.StoreUnreadable,
                $"'{full}' is not a {engine} bucket store (its first bytes are not a {engine} file header). A store is readable only by the engine " +
                $"that wrote it: if the app uses {other}, choose that engine; otherwise check the path.");
        }
        try
        {
            return engine == BucketStorageEngine.LiteDb
                ? LiteDbBucketStorage.Open(new LiteDbBucketStorageOptions(full))
                : SqliteBucketStorage.Open(new SqliteBucketStorageOptions(full));
        }
        catch (Exception e) when (e is SqliteException { SqliteErrorCode: 26 } or LiteDB.LiteException or InvalidCastException or KeyNotFoundException)
        {
            var other = engine == BucketStorageEngine.LiteDb ? "SQLite" : "LiteDB";
            throw new PowerSyncException(AdminErrorCodes.StoreUnreadable,
                $"'{full}' is not a {engine} bucket store ({e.Message}). A store is readable only by the engine that wrote it: if the app uses {other}, choose that engine.", e);
        }
    }

    /// <summary>Whether the file starts as the engine's files do: <c>SQLite format 3</c>, or LiteDB's header page text.</summary>
    private static bool HasHeader(string path, BucketStorageEngine engine)
    {
        var (offset, header) = engine == BucketStorageEngine.LiteDb
            ? (32, "** This is a LiteDB file **"u8.ToArray())
            : (0, "SQLite format 3\0"u8.ToArray());
        var bytes = new byte[offset + header.Length];
        using var file = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.ReadWrite | FileShare.Delete);
        return file.ReadAtLeast(bytes, bytes.Length, throwOnEndOfStream: false) == bytes.Length && bytes.AsSpan(offset).SequenceEqual(header);
    }

    /// <summary>Bytes of the store's file and the companions its engine keeps beside it.</summary>
    public static long SizeOnDisk(string path, BucketStorageEngine engine)
    {
        var full = Path.GetFullPath(path);
        var directory = Path.GetDirectoryName(full)!;
        string[] files = engine == BucketStorageEngine.LiteDb
            ? [full, Path.Combine(directory, Path.GetFileNameWithoutExtension(full) + "-log" + Path.GetExtension(full))]
            : [full, full + "-wal", full + "-shm"];
        return files.Select(f => new FileInfo(f)).Where(f => f.Exists).Sum(f => f.Length);
    }
}
