using System.Globalization;

namespace PowerSync.Core.Replication;

/// <summary>
/// Where and how to stream logical replication from the source Postgres. Immutable; validated on construction.
/// </summary>
internal sealed record ReplicationStreamOptions
{
    /// <summary>The publication name the official service uses by default.</summary>
    public const string DefaultPublicationName = "powersync";

    /// <summary>The official service's slot prefix.</summary>
    public const string DefaultSlotNamePrefix = "powersync_";

    /// <summary>
    /// A slot name as the official service generates one: prefix, sync rules id, '_', four random hex digits
    /// (e.g. <c>powersync_3_a1b2</c>), so a new sync rules version never reuses an old slot.
    /// </summary>
    public static string GenerateSlotName(long syncRulesId, string prefix = DefaultSlotNamePrefix)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(syncRulesId);
        ArgumentException.ThrowIfNullOrWhiteSpace(prefix);
        return string.Create(CultureInfo.InvariantCulture, $"{prefix}{syncRulesId}_{Random.Shared.Next(0x10000):x4}");
    }

    /// <summary>Creates options.</summary>
    /// <param name="connectionString">Npgsql connection string of a role with REPLICATION.</param>
    /// <param name="slotName">The logical replication slot (letters, digits and '_', at most 63 characters).</param>
    /// <param name="publicationName">The publication to stream (default <c>powersync</c>).</param>
    /// <param name="statusInterval">How often a standby status update is sent (default 10 s).</param>
    /// <param name="receiveTimeout">Silence after which the connection counts as dead (default 60 s; must exceed the interval).</param>
    /// <exception cref="ArgumentException">A value is invalid; the message lists every problem.</exception>
    public ReplicationStreamOptions(
        string connectionString,
        string slotName,
        string publicationName = DefaultPublicationName,
        TimeSpan? statusInterval = null,
        TimeSpan? receiveTimeout = null)
    {
        var problems = new List<string>();
        if (string.IsNullOrWhiteSpace(connectionString)) problems.Add("connectionString is required.");
        if (string.IsNullOrEmpty(slotName) || slotName.Length > 63 || !slotName.All(c => char.IsAsciiLetterLower(c) || char.IsAsciiDigit(c) || c == '_'))
            problems.Add($"slotName '{slotName}' must be 1-63 characters of lower-case letters, digits and '_'.");
        if (string.IsNullOrWhiteSpace(publicationName)) problems.Add("publicationName is required.");
        var interval = statusInterval ?? TimeSpan.FromSeconds(10);
        var timeout = receiveTimeout ?? TimeSpan.FromSeconds(60);
        if (interval <= TimeSpan.Zero) problems.Add("statusInterval must be positive.");
        if (timeout <= interval) problems.Add($"receiveTimeout ({timeout}) must be longer than statusInterval ({interval}).");
        if (problems.Count > 0) throw new ArgumentException("Invalid replication stream options: " + string.Join(" ", problems));

        ConnectionString = connectionString;
        SlotName = slotName;
        PublicationName = publicationName;
        StatusInterval = interval;
        ReceiveTimeout = timeout;
    }

    /// <summary>Npgsql connection string of a role with REPLICATION.</summary>
    public string ConnectionString { get; }

    /// <summary>The logical replication slot.</summary>
    public string SlotName { get; }

    /// <summary>The publication streamed.</summary>
    public string PublicationName { get; }

    /// <summary>Interval of standby status updates (acknowledgements reach Postgres at least this often).</summary>
    public TimeSpan StatusInterval { get; }

    /// <summary>Silence after which the replication connection is treated as dead.</summary>
    public TimeSpan ReceiveTimeout { get; }

    /// <summary>Hides the connection string (it may hold a password).</summary>
    public override string ToString() =>
        $"ReplicationStreamOptions {{ SlotName = {SlotName}, PublicationName = {PublicationName}, StatusInterval = {StatusInterval}, ReceiveTimeout = {ReceiveTimeout} }}";
}
