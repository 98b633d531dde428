namespace PowerSync.Tests.Infrastructure.Postgres;

/// <summary>Where the PostgreSQL server programs (<c>initdb</c>, <c>pg_ctl</c>) of this machine live.</summary>
public sealed record PostgresBinaries(string BinDirectory, int MajorVersion)
{
    /// <summary>The Debian/Ubuntu layout: one folder per major version.</summary>
    public const string DebianRoot = "/usr/lib/postgresql";

    /// <summary>Path of a program in <see cref="BinDirectory"/>.</summary>
    public string Program(string name) => Path.Combine(BinDirectory, name);

    /// <summary>
    /// Finds <c>initdb</c> and <c>pg_ctl</c>: first on <c>PATH</c>, then under
    /// <c>/usr/lib/postgresql/*/bin</c> (the newest major version wins).
    /// </summary>
    /// <exception cref="InvalidOperationException">No server binaries exist; the message names the package to install.</exception>
    public static PostgresBinaries Locate() =>
        Locate(Environment.GetEnvironmentVariable("PATH"), DebianRoot);

    /// <summary>As <see cref="Locate()"/>, with the search places given (for tests).</summary>
    public static PostgresBinaries Locate(string? pathVariable, string versionedRoot)
    {
        foreach (var dir in (pathVariable ?? "").Split(Path.PathSeparator, StringSplitOptions.RemoveEmptyEntries))
        {
            if (HasServerPrograms(dir))
                return new PostgresBinaries(dir, ReadMajorVersion(dir));
        }

        if (Directory.Exists(versionedRoot))
        {
            var newest = Directory.GetDirectories(versionedRoot)
                .Select(d => (Dir: Path.Combine(d, "bin"), Version: int.TryParse(Path.GetFileName(d), out var v) ? v : -1))
                .Where(c => c.Version > 0 && HasServerPrograms(c.Dir))
                .OrderByDescending(c => c.Version)
                .FirstOrDefault();
            if (newest.Dir is not null)
                return new PostgresBinaries(newest.Dir, newest.Version);
        }

        throw new InvalidOperationException(
            $"PostgreSQL server binaries (initdb, pg_ctl) were not found on PATH or under {versionedRoot}/*/bin. " +
            "Install the server package: `apt-get install -y postgresql` (Debian/Ubuntu), " +
            "or set POWERSYNC_TEST_PG to the connection string of a server with wal_level=logical.");
    }

    private static bool HasServerPrograms(string dir) =>
        File.Exists(Path.Combine(dir, "initdb")) && File.Exists(Path.Combine(dir, "pg_ctl"));

    private static int ReadMajorVersion(string binDir)
    {
        // Debian layout: /usr/lib/postgresql/15/bin. Elsewhere, PG_VERSION of the share folder is not
        // reliable, so fall back to 0 (unknown) and let the server report its version when asked.
        var parent = Path.GetFileName(Path.GetDirectoryName(Path.GetFullPath(binDir).TrimEnd('/')));
        return int.TryParse(parent, out var v) ? v : 0;
    }
}
