using System.Runtime.InteropServices;

namespace PowerSync.Core.Storage;

/// <summary>
/// Flushes a directory's entries to disk. A file's own fsync does not make its name durable on Linux
/// and macOS: after a power cut, a WAL file created since the directory was last flushed can be gone
/// with every commit in it. On Windows the file's flush covers its directory entry, so this does nothing.
/// </summary>
internal static partial class DirectorySync
{
    public static void Flush(string directory)
    {
        if (OperatingSystem.IsWindows()) return;
        var fd = Open(directory, 0 /* O_RDONLY */);
        if (fd < 0) throw new IOException($"Opening directory '{directory}' to flush it failed (errno {Marshal.GetLastPInvokeError()}).");
        try
        {
            if (Fsync(fd) != 0) throw new IOException($"Flushing directory '{directory}' to disk failed (errno {Marshal.GetLastPInvokeError()}).");
        }
        finally
        {
            _ = Close(fd);
        }
    }

    [LibraryImport("libc", EntryPoint = "open", SetLastError = true, StringMarshalling = StringMarshalling.Utf8)]
    private static partial int Open(string path, int flags);

    [LibraryImport("libc", EntryPoint = "fsync", SetLastError = true)]
    private static partial int Fsync(int fd);

    [LibraryImport("libc", EntryPoint = "close", SetLastError = true)]
    private static partial int Close(int fd);
}
