using Npgsql;

namespace PowerSync.Core.Replication;

/// <summary>
/// The session settings under which Postgres renders values as text, fixed so the replication stream
/// (walsender) and snapshot queries print every value identically whatever the server's defaults are:
/// UTC, ISO dates, Postgres interval style, shortest-exact floats, hex bytea.
/// </summary>
internal static class SourceSessionSettings
{
    private static readonly (string Name, string Value)[] Settings =
    [
        ("TimeZone", "UTC"),
        ("DateStyle", "ISO, MDY"),
        ("IntervalStyle", "postgres"),
        ("extra_float_digits", "1"),
        ("bytea_output", "hex"),
    ];

    /// <summary>Adds the settings as startup options (<c>-c name=value</c>) to a connection string.</summary>
    public static NpgsqlConnectionStringBuilder Apply(NpgsqlConnectionStringBuilder builder)
    {
        var options = string.Join(' ', Settings.Select(s => $"-c {s.Name}={s.Value.Replace(" ", "\\ ", StringComparison.Ordinal)}"));
        builder.Options = string.IsNullOrWhiteSpace(builder.Options) ? options : builder.Options + " " + options;
        return builder;
    }

    /// <summary>The settings as <c>SET LOCAL</c> statements, for a transaction on a connection that did not get them at startup.</summary>
    public static string SetLocalSql { get; } = string.Join(' ', Settings.Select(s => $"SET LOCAL {s.Name} = '{s.Value}';"));
}
