using Microsoft.Extensions.Logging;

namespace PowerSync.Client.Sync;

/// <summary>
/// Rows the service sends for a table the schema lacks are kept aside in <c>ps_untyped</c> (they appear once the schema
/// gains the table): each such table is reported once per database, as a warning, rather than parked in silence.
/// </summary>
internal sealed partial class UntypedTables(ILogger logger)
{
    private readonly HashSet<string> _reported = new(StringComparer.Ordinal);

    /// <summary>Rows of <paramref name="table"/>, which the schema lacks, were stored in <c>ps_untyped</c>.</summary>
    public void Stored(string table)
    {
        lock (_reported)
        {
            if (!_reported.Add(table)) return;
        }

        MissingTable(logger, table);
    }

    [LoggerMessage(EventId = 9106, Level = LogLevel.Warning,
        Message = "The sync service sends rows of table '{Table}', which the client schema has no synced table for: they are kept aside (ps_untyped), not shown, until the schema declares the table (UpdateSchemaAsync, or the schema the database opens with)")]
    private static partial void MissingTable(ILogger logger, string table);
}
