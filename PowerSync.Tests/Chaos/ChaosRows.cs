using System.Globalization;
using System.Security.Cryptography;
using System.Text;

namespace PowerSync.Tests.Chaos;

/// <summary>
/// The rows the chaos writers make: todos whose description is a version (<c>v7</c>) that only ever grows
/// (each row has a single writer), <c>completed</c> = version mod 2, and the lists they live in.
/// </summary>
internal static class ChaosRows
{
    /// <summary>The users of the run's clients, in client order (cycled): alice has two devices with the default four clients.</summary>
    public static readonly string[] Users = ["alice", "bob", "carol"];

    /// <summary>The list everybody of <see cref="Users"/> is a member of (owned by the Postgres-side writer).</summary>
    public const string SharedList = "shared";

    /// <summary>Source name of the Postgres-side writer in the observation log.</summary>
    public const string PostgresWriter = "pg";

    public static string UserOf(int client) => Users[client % Users.Length];

    public static string OwnList(string user) => "list-" + user;

    /// <summary>Every list the Postgres-side writer writes into (a list nobody syncs too).</summary>
    public static IReadOnlyList<string> AllLists => [.. Users.Select(OwnList), SharedList, OwnList("dave")];

    /// <summary>Lists, owners and memberships, run once on the fresh database after the sample's schema.</summary>
    public static string SeedSql()
    {
        var sql = new StringBuilder();
        foreach (var user in Users.Append("dave")) sql.Append(CultureInfo.InvariantCulture, $"INSERT INTO lists (id, owner_id, name) VALUES ('{OwnList(user)}', '{user}', '{user}''s list');\n");
        sql.Append(CultureInfo.InvariantCulture, $"INSERT INTO lists (id, owner_id, name) VALUES ('{SharedList}', 'pg', 'Shared');\n");
        foreach (var user in Users) sql.Append(CultureInfo.InvariantCulture, $"INSERT INTO list_members (list_id, user_id) VALUES ('{SharedList}', '{user}');\n");
        return sql.ToString();
    }

    public static string Description(long version) => "v" + version.ToString(CultureInfo.InvariantCulture);

    /// <summary>The version a description holds, or -1 when it is not one of ours.</summary>
    public static long Version(string description) =>
        description.StartsWith('v') && long.TryParse(description.AsSpan(1), NumberStyles.None, CultureInfo.InvariantCulture, out var v) ? v : -1;

    /// <summary>A short digest of whole rows (id, list, description, completed), independent of their order.</summary>
    public static string Digest(IEnumerable<(string Id, string ListId, string Description, long Completed)> rows)
    {
        var text = new StringBuilder();
        foreach (var row in rows.OrderBy(r => r.Id, StringComparer.Ordinal))
            text.Append(CultureInfo.InvariantCulture, $"{row.Id}\t{row.ListId}\t{row.Description}\t{row.Completed}\n");
        return Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(text.ToString())).AsSpan(0, 8));
    }

    /// <summary><c>id:version</c> tokens of an observation line.</summary>
    public static string Token(string id, long version) => id + ":" + version.ToString(CultureInfo.InvariantCulture);
}
