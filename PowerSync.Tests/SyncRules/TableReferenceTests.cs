using NUnit.Framework;
using PowerSync.Core.SyncRules;

namespace PowerSync.Tests.SyncRules;

/// <summary>
/// The tables and columns the rules read, with their YAML positions (what the check against the source
/// database uses), and the rules file named in rule errors.
/// </summary>
public sealed class TableReferenceTests
{
    private static readonly SyncRulesParseOptions FromFile = new() { FileName = "sync-rules.yaml" };

    private static string Describe(SourceTableReference reference) =>
        $"{reference.Kind} {reference.QueryName} {reference.Table}@{reference.Line}:{reference.Column}" +
        (reference.SelectsAllColumns ? " *" : string.Empty) +
        string.Concat(reference.Columns.Select(c => $" {c.Name}@{c.Line}:{c.Column}"));

    [Test]
    public void Data_and_parameter_queries_list_their_table_and_the_row_columns_they_read_with_positions()
    {
        var rules = SyncRulesSet.Parse("""
            bucket_definitions:
              by_owner:
                parameters: SELECT org_id FROM app.members WHERE user_id = request.user_id() AND token_parameters.x = role
                data:
                  - SELECT t.id, upper(t.title) AS title, meta ->> 'a' AS a FROM todos t WHERE t.org_id = bucket.org_id
                  - SELECT * FROM lists WHERE lists.org_id = bucket.org_id AND length(name) > 0
              static:
                parameters: SELECT request.user_id() AS user_id
                data:
                  - SELECT id FROM "logs_%" WHERE _table_suffix = '2024' AND user_id = bucket.user_id
            """, FromFile);

        Assert.That(rules.TableReferences.Select(Describe), Is.EqualTo(new[]
        {
            "ParameterQuery by_owner app.members@3:36 org_id@3:24 user_id@3:54 role@3:107",
            "DataQuery by_owner public.todos@5:70 id@5:16 title@5:28 meta@5:47 org_id@5:84",
            "DataQuery by_owner public.lists@6:23 * org_id@6:35 name@6:75",
            "DataQuery static public.logs_%@10:24 id@10:16 user_id@10:66",
        }));
    }

    [Test]
    public void A_stream_lists_its_table_and_each_subquery_as_a_table_of_its_own()
    {
        var rules = SyncRulesSet.Parse("""
            config:
              edition: 2
            streams:
              org_projects:
                query: SELECT id, name FROM projects WHERE archived = 0 AND org_id IN (SELECT org_id FROM teams WHERE user_id = auth.user_id())
            """, FromFile);

        Assert.That(rules.TableReferences.Select(Describe), Is.EqualTo(new[]
        {
            "StreamQuery org_projects public.projects@5:33 id@5:19 name@5:23 archived@5:48 org_id@5:65",
            "StreamSubquery org_projects public.teams@5:95 org_id@5:83 user_id@5:107",
        }));
    }

    [Test]
    public void Rule_errors_and_warnings_name_the_rules_file_before_line_and_column()
    {
        const string Yaml = """
            bucket_definitions:
              broken:
                data:
                  - SELECT id FROM todos WHERE
            """;

        var ex = Assert.Throws<SyncRulesException>(() => SyncRulesSet.Parse(Yaml, FromFile));
        Assert.That(ex!.Errors[0].File, Is.EqualTo("sync-rules.yaml"));
        Assert.That(ex.Errors[0].ToString(), Does.StartWith("sync-rules.yaml:4:35: [PSYNC_N3101] "));
        Assert.That(ex.Message, Does.Contain(Environment.NewLine + "  sync-rules.yaml:4:35: [PSYNC_N3101] "));

        var withoutFile = Assert.Throws<SyncRulesException>(() => SyncRulesSet.Parse(Yaml));
        Assert.That(withoutFile!.Errors[0].ToString(), Does.StartWith("4:35: [PSYNC_N3101] "));

        var warned = SyncRulesSet.Parse("""
            bucket_definitions:
              global:
                data:
                  - SELECT id, Title FROM todos
            """, FromFile);
        Assert.That(warned.FileName, Is.EqualTo("sync-rules.yaml"));
        Assert.That(warned.Warnings.Select(w => w.ToString()), Has.Some.StartWith("sync-rules.yaml:4:20: warning [PSYNC_N3103] "));
    }
}
