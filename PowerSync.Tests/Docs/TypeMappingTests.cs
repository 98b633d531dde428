using System.Text.RegularExpressions;
using NUnit.Framework;
using PowerSync.Client;
using PowerSync.Client.Tables;
using PowerSync.Tests.Infrastructure;

namespace PowerSync.Tests.Docs;

/// <summary>
/// The table of docs/type-mapping.md, checked against the real thing: every row's value is inserted into a
/// column of its Postgres type, replicated by an app embedding PowerSync under edition 1 and edition 2 rules,
/// synced to PowerSync.Client with the column declared as the table says, and read back with <c>quote()</c>.
/// </summary>
public sealed partial class TypeMappingTests
{
    /// <summary>One row of the table: the first code span of each cell (null when the cell has none, as "same").</summary>
    internal sealed record TypeRow(int Line, string PostgresType, string Value, ColumnType Declared, string Edition1, string Edition2)
    {
        public override string ToString() => $"docs/type-mapping.md:{Line} ({PostgresType} {Value})";
    }

    /// <summary>The Postgres and client column of the table's row <paramref name="index"/>.</summary>
    private static string ColumnName(int index) => "c" + index;

    [GeneratedRegex("`([^`]*)`")]
    private static partial Regex CodeSpan();

    private static string DocPath => Path.Combine(DocSnippetTests.RepositoryRoot(), "docs", "type-mapping.md");

    /// <summary>The rows of the table under <c>&lt;!-- tested: type-mapping --&gt;</c>.</summary>
    internal static List<TypeRow> ReadTable(string markdown)
    {
        var lines = markdown.Replace("\r\n", "\n", StringComparison.Ordinal).Split('\n');
        var marker = Array.FindIndex(lines, l => l.Trim() == "<!-- tested: type-mapping -->");
        if (marker < 0) throw new InvalidOperationException("docs/type-mapping.md has no '<!-- tested: type-mapping -->' table.");
        var rows = new List<TypeRow>();
        // The header and the |---| line follow the marker; the table ends at the first line that is not a row.
        for (var i = marker + 3; i < lines.Length && lines[i].StartsWith('|'); i++)
        {
            var cells = lines[i].Trim().Trim('|').Split('|').Select(c => c.Trim()).ToArray();
            if (cells.Length != 5) throw new FormatException($"docs/type-mapping.md:{i + 1}: a row has 5 cells, this one {cells.Length}.");
            string? Code(string cell) => CodeSpan().Match(cell) is { Success: true } m ? m.Groups[1].Value : null;
            string Required(int cell) => Code(cells[cell]) ?? throw new FormatException($"docs/type-mapping.md:{i + 1}: cell {cell + 1} has no `code`.");
            var declared = Required(2) switch
            {
                "Column.Text" => ColumnType.Text,
                "Column.Integer" => ColumnType.Integer,
                "Column.Real" => ColumnType.Real,
                var other => throw new FormatException($"docs/type-mapping.md:{i + 1}: '{other}' is not Column.Text, Column.Integer or Column.Real."),
            };
            var edition1 = Required(3);
            var edition2 = Code(cells[4]) ?? (cells[4] == "same" ? edition1 : throw new FormatException($"docs/type-mapping.md:{i + 1}: the edition 2 cell is a `value` or 'same'."));
            rows.Add(new TypeRow(i + 1, Required(0), Required(1), declared, edition1, edition2));
        }
        return rows;
    }

    [Test]
    public void The_type_table_has_a_row_per_documented_type_each_with_a_value_a_declaration_and_both_editions()
    {
        var rows = ReadTable(File.ReadAllText(DocPath));
        Assert.That(rows, Has.Count.GreaterThanOrEqualTo(30));
        foreach (var type in new[] { "boolean", "numeric", "timestamptz", "date", "time", "uuid", "json", "jsonb", "bytea", "integer[]", "mood", "positive_int", "tagged" })
            Assert.That(rows.Select(r => r.PostgresType), Does.Contain(type), $"the table covers {type}");
    }

    [Test]
    public async Task Every_row_of_the_type_table_is_what_the_client_receives_from_real_replication()
    {
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(90));
        var ct = timeout.Token;
        var rows = ReadTable(await File.ReadAllTextAsync(DocPath, ct));
        await using var db = await TestPostgres.CreateDatabaseAsync();
        await db.ExecuteAsync(DocSnippetTests.DocTestedBlock("type-mapping.md", "type-mapping-custom-types"), ct);
        await db.ExecuteAsync($"""
            CREATE TABLE type_samples (id text PRIMARY KEY, {string.Join(", ", rows.Select((r, i) => $"{ColumnName(i)} {r.PostgresType}"))});
            INSERT INTO type_samples VALUES ('sample', {string.Join(", ", rows.Select(r => r.Value))});
            CREATE PUBLICATION powersync FOR TABLE type_samples;
            """, ct);
        var schema = new Schema(new Table("type_samples", rows.Select((r, i) => new Column(ColumnName(i), r.Declared)).ToArray()));

        // Each app has its own bucket store and replication slot on the same source.
        var editions = await Task.WhenAll(
            ClientValuesAsync(db.ConnectionString, "", schema, rows, ct),
            ClientValuesAsync(db.ConnectionString, "config:\n  edition: 2\n", schema, rows, ct));

        Assert.Multiple(() =>
        {
            for (var i = 0; i < rows.Count; i++)
            {
                Assert.That(editions[0][i], Is.EqualTo(rows[i].Edition1), $"{rows[i]}, edition 1");
                Assert.That(editions[1][i], Is.EqualTo(rows[i].Edition2), $"{rows[i]}, edition 2");
            }
        });
    }

    /// <summary>Replicates the sample row under rules with <paramref name="config"/>, syncs it to a client, and reads each column with quote().</summary>
    private static async Task<string[]> ClientValuesAsync(string source, string config, Schema schema, List<TypeRow> rows, CancellationToken ct)
    {
        var rules = config + "bucket_definitions:\n  samples:\n    data:\n      - SELECT * FROM type_samples\n";
        await using var app = await LoopbackHost.StartPowerSyncAsync(source, rules);
        using var folder = new TempFolder("powersync-types-");
        await using var client = await PowerSyncDatabase.OpenAsync(new PowerSyncDatabaseOptions { DatabasePath = Path.Combine(folder.Path, "client.db"), Schema = schema }, ct);
        await client.ConnectAsync(new TokenConnector(app.Address, app.Token("u1")), cancellationToken: ct);
        await client.WaitForFirstSyncAsync(cancellationToken: ct);
        var values = new string[rows.Count];
        for (var i = 0; i < rows.Count; i++)
            values[i] = await client.GetAsync<string>($"SELECT quote({ColumnName(i)}) FROM type_samples", cancellationToken: ct);
        await client.DisconnectAsync(ct);
        return values;
    }

    private sealed class TokenConnector(Uri endpoint, string token) : IPowerSyncBackendConnector
    {
        public Task<PowerSyncCredentials?> FetchCredentialsAsync(CancellationToken cancellationToken) =>
            Task.FromResult<PowerSyncCredentials?>(new PowerSyncCredentials(endpoint, token));

        public Task UploadDataAsync(PowerSyncDatabase database, CancellationToken cancellationToken) => Task.CompletedTask;
    }
}
