using Microsoft.Extensions.Configuration;
using PowerSync.Core.Admin;
using PowerSync.Core.Hosting;

namespace PowerSync.Tool;

/// <summary>
/// Where the commands look: the <c>PowerSync</c> section of <c>--config</c> (named as in <see cref="PowerSyncOptions"/>,
/// with <c>ConnectionStrings:PowerSync</c> as a fallback for the source), overridden by the flags. Relative paths in
/// the file are taken relative to the file's folder; relative flag values relative to the working directory.
/// </summary>
internal static class ToolSettings
{
    /// <exception cref="UsageException">The config file cannot be read, or a value is not valid.</exception>
    public static PowerSyncAdminOptions From(ToolArguments args)
    {
        var options = new PowerSyncAdminOptions();
        if (args["--config"] is { } configPath) options = FromConfig(configPath);
        if (args["--connection"] is { } connection) options = options with { SourceConnectionString = connection };
        if (args["--rules"] is { } rules) options = options with { SyncRulesPath = rules, SyncRules = null };
        if (args["--store"] is { } store) options = options with { StoragePath = store };
        if (args["--publication"] is { } publication) options = options with { PublicationName = publication };
        if (args["--engine"] is { } engine) options = options with { StorageEngine = Engine(engine, "--engine") };
        return options;
    }

    private static PowerSyncAdminOptions FromConfig(string path)
    {
        var full = Path.GetFullPath(path);
        if (!File.Exists(full)) throw new UsageException($"--config: the file '{full}' does not exist.");
        IConfiguration config;
        try
        {
            config = new ConfigurationBuilder().AddJsonFile(full, optional: false, reloadOnChange: false).Build();
        }
        catch (Exception e) when (e is InvalidDataException or FormatException or IOException)
        {
            throw new UsageException($"--config: '{full}' cannot be read as JSON: {e.InnerException?.Message ?? e.Message}");
        }
        var section = config.GetSection("PowerSync");
        if (!section.Exists()) throw new UsageException($"--config: '{full}' has no \"PowerSync\" section (the settings of AddPowerSync: SourceConnectionString, SyncRulesPath, StoragePath, ...).");
        var folder = Path.GetDirectoryName(full)!;
        var options = new PowerSyncAdminOptions
        {
            SourceConnectionString = section["SourceConnectionString"] ?? config.GetConnectionString("PowerSync"),
            SyncRules = section["SyncRules"],
            SyncRulesPath = InFolder(folder, section["SyncRulesPath"]),
            StoragePath = InFolder(folder, section["StoragePath"]),
        };
        if (section["PublicationName"] is { Length: > 0 } publication) options = options with { PublicationName = publication };
        if (section["StorageEngine"] is { Length: > 0 } engine) options = options with { StorageEngine = Engine(engine, $"--config: PowerSync:StorageEngine in '{full}'") };
        return options;
    }

    private static string? InFolder(string folder, string? path) =>
        string.IsNullOrWhiteSpace(path) ? null : Path.IsPathRooted(path) ? path : Path.Combine(folder, path);

    private static BucketStorageEngine Engine(string value, string where) => value.ToLowerInvariant() switch
    {
        "sqlite" => BucketStorageEngine.Sqlite,
        "litedb" => BucketStorageEngine.LiteDb,
        _ => throw new UsageException($"{where}: '{value}' is not a storage engine; use sqlite or litedb."),
    };
}
