using NUnit.Framework;
using PowerSync.Core.SyncRules;

namespace PowerSync.Tests.SyncRules;

/// <summary>YAML validation: every error with line/column, all in one pass, unsupported features named.</summary>
[TestFixture]
public sealed class SyncRulesYamlErrorTests
{
    private static IReadOnlyList<SyncRulesError> ErrorsOf(string yaml) =>
        Assert.Throws<SyncRulesException>(() => SyncRulesSet.Parse(yaml))!.Errors;

    [Test]
    public void Sql_errors_point_at_the_offending_token_in_a_plain_scalar()
    {
        var errors = ErrorsOf("bucket_definitions:\n  b:\n    data:\n      - SELECT id, nosuch(x) AS y FROM t\n");
        Assert.That(errors, Has.Count.EqualTo(1));
        Assert.That((errors[0].Line, errors[0].Column), Is.EqualTo((4, 20)));
        Assert.That(errors[0].Message, Does.Contain("nosuch"));
        Assert.That(errors[0].Code, Is.EqualTo(SyncRulesErrorCodes.SqlInvalid));
    }

    [Test]
    public void Sql_errors_point_into_literal_block_scalars()
    {
        var yaml = "bucket_definitions:\n  b:\n    data:\n      - |\n        SELECT id\n        FROM t WHERE a = = 1\n";
        var errors = ErrorsOf(yaml);
        Assert.That((errors[0].Line, errors[0].Column), Is.EqualTo((6, 26)));
        Assert.That(errors[0].Code, Is.EqualTo(SyncRulesErrorCodes.SqlSyntax));
    }

    [Test]
    public void Sql_errors_point_into_quoted_scalars()
    {
        var errors = ErrorsOf("bucket_definitions:\n  b:\n    data:\n      - \"SELECT id FROM t ORDER BY id\"\n");
        Assert.That((errors[0].Line, errors[0].Column), Is.EqualTo((4, 27)));
        Assert.That(errors[0].Message, Does.Contain("ORDER BY is not supported"));
    }

    [Test]
    public void One_pass_reports_every_error_of_every_definition()
    {
        var yaml = """
            config:
              edition: 9
              bogus: 1
            bucket_definitions:
              a:
                data:
                  - SELECT id FROM t WHERE x = bucket.nope
              b:
                priority: 7
                parameters: SELECT request.user_id() AS u
                data:
                  - SELECT * FROM t
              c:
                parameters: SELECT 1 AS x
                unknown_key: true
            event_definitions:
              e: {}
            streams:
              s:
                query: SELECT * FROM t
            """;
        var errors = ErrorsOf(yaml);
        var text = string.Join("\n", errors.Select(e => e.ToString()));
        Assert.That(errors.Select(e => e.Line), Is.EquivalentTo(new[] { 2, 3, 7, 9, 12, 13, 15, 17, 19 }), text);
        Assert.That(text, Does.Contain("edition must be 1, 2 or 3"));
        Assert.That(text, Does.Contain("Unknown config key 'bogus'"));
        Assert.That(text, Does.Contain("Query must cover all bucket parameters"));
        Assert.That(text, Does.Contain("priority"));
        Assert.That(text, Does.Contain("has no 'data' queries"));
        Assert.That(text, Does.Contain("Unknown key 'unknown_key'"));
        Assert.That(text, Does.Contain("Event definition 'e' needs 'payloads'"));
        Assert.That(text, Does.Contain("Sync streams require edition 2"));
    }

    [Test]
    public void An_alias_as_a_whole_bucket_definition_is_not_followed_and_is_rejected_at_the_alias()
    {
        var yaml = "bucket_definitions:\n  a: &def\n    data:\n      - SELECT * FROM t\n  b: *def\n";
        var errors = ErrorsOf(yaml);
        Assert.That(errors.Select(e => (e.Code, e.Line, e.Column)), Is.EqualTo(new[] { (SyncRulesErrorCodes.YamlAliasOrTag, 5, 6) }));
        Assert.That(errors[0].Message, Does.Contain("*def is not followed"));
    }

    [Test]
    public void An_alias_whose_anchor_is_not_defined_before_it_is_rejected_at_the_alias()
    {
        var yaml = "bucket_definitions:\n  b:\n    data:\n      - SELECT * FROM t\n    accept_potentially_dangerous_queries: *nope\n";
        var errors = ErrorsOf(yaml);
        Assert.That(errors.Select(e => (e.Code, e.Line, e.Column)), Is.EqualTo(new[] { (SyncRulesErrorCodes.YamlAliasOrTag, 5, 43) }));
        Assert.That(errors[0].Message, Does.Contain("Unresolved alias").And.Contain("nope"));
    }

    [Test]
    public void An_alias_bomb_is_rejected_without_expanding_it()
    {
        // Nine levels of nine aliases each would expand to 9^9 (387 million) scalars.
        var yaml = new System.Text.StringBuilder("config:\n  edition: 2\nstreams:\n  s:\n    auto_subscribe: true\n    query: SELECT * FROM t\n    l0: &l0 [x, x, x, x, x, x, x, x, x]\n");
        for (var level = 1; level <= 9; level++)
        {
            yaml.Append($"    l{level}: &l{level} [{string.Join(", ", Enumerable.Repeat($"*l{level - 1}", 9))}]\n");
        }

        var errors = ErrorsOf(yaml.ToString());
        Assert.That(errors.Select(e => (e.Code, e.Line)), Is.EqualTo(new[] { (SyncRulesErrorCodes.YamlAliasOrTag, 10) }));
        Assert.That(errors[0].Message, Does.Contain("Excessive alias count"));
    }

    [Test]
    public void Aliases_to_an_anchor_that_weighs_nothing_are_weighed_within_a_bound()
    {
        // e weighs 0 (an empty list), so a (20,000 aliases of e) weighs 0 too and is weighed again at each of its
        // 20,000 uses: 400 million visits unbounded.
        var yaml = new System.Text.StringBuilder("config:\n  edition: 2\nstreams:\n  s:\n    auto_subscribe: true\n    query: SELECT * FROM t\n    e: &e []\n");
        yaml.Append("    a: &a\n").Append(string.Concat(Enumerable.Repeat("      - *e\n", 20_000)));
        yaml.Append("    b:\n").Append(string.Concat(Enumerable.Repeat("      - *a\n", 20_000)));
        var errors = ErrorsOf(yaml.ToString());
        Assert.That(errors.Select(e => e.Code), Is.EqualTo(new[] { SyncRulesErrorCodes.YamlAliasOrTag }));
        Assert.That(errors[0].Line, Is.LessThan(8 + 20_000 + 100), "refused within the first uses of a");
    }

    [Test]
    public void Nesting_deeper_than_the_limit_is_a_yaml_error_not_a_crash()
    {
        var deep = new string('[', 100_000) + new string(']', 100_000);
        var errors = ErrorsOf($"config:\n  edition: 2\nstreams:\n  s:\n    auto_subscribe: true\n    query: SELECT * FROM t\n    x: {deep}\n");
        Assert.That(errors.Select(e => (e.Code, e.Line)), Is.EqualTo(new[] { (SyncRulesErrorCodes.YamlSyntax, 7) }));
        Assert.That(errors[0].Message, Does.Contain("levels deep"));
    }

    [Test]
    public void A_recursive_alias_where_the_reader_does_not_look_is_accepted()
    {
        var rules = SyncRulesSet.Parse("config:\n  edition: 2\nstreams:\n  s:\n    auto_subscribe: true\n    query: SELECT * FROM t\n    extra: &a [*a, {b: *a}]\n");
        Assert.That(rules.StreamNames, Is.EqualTo(new[] { "s" }));
    }

    [Test]
    public void Scalars_resolve_as_the_yaml_core_schema_and_their_tags()
    {
        // 0x2 is the integer 2, a tag the service does not know leaves the text, !!str keeps 1.0 as text.
        var rules = SyncRulesSet.Parse("bucket_definitions:\n  !!str 1.0:\n    priority: 0x2\n    data:\n      - !custom SELECT * FROM t\n  0x10:\n    priority: !!float 1.0\n    data: [SELECT id FROM t]\n");
        var rows = rules.EvaluateRow("public", "t", new Dictionary<string, PowerSync.Core.SqliteValue> { ["id"] = PowerSync.Core.SqliteValue.FromText("r1") }).Rows;
        Assert.That(rows.Select(r => r.Bucket), Is.EquivalentTo(new[] { "1.0[]", "16[]" }));
    }

    [Test]
    public void A_query_tagged_accept_potentially_dangerous_queries_reads_as_the_symbol_text_and_is_a_positioned_syntax_error()
    {
        var errors = ErrorsOf("bucket_definitions:\n  a:\n    data:\n      - !accept_potentially_dangerous_queries SELECT * FROM t\n");
        Assert.That(errors, Has.Count.EqualTo(1), string.Join("\n", errors));
        Assert.That(errors[0].Code, Is.EqualTo(SyncRulesErrorCodes.SqlSyntax));
        Assert.That(errors[0].Line, Is.EqualTo(4));
    }

    [Test]
    public void Two_keys_tagged_accept_potentially_dangerous_queries_collide()
    {
        var errors = ErrorsOf("bucket_definitions:\n  !accept_potentially_dangerous_queries a:\n    data: [SELECT * FROM t]\n  !accept_potentially_dangerous_queries b:\n    data: [SELECT * FROM t]\n");
        Assert.That(errors.Select(e => (e.Code, e.Line)), Is.EqualTo(new[] { (SyncRulesErrorCodes.YamlSyntax, 4) }));
        Assert.That(errors[0].Message, Does.Contain("Symbol(ACCEPT_POTENTIALLY_DANGEROUS_QUERIES)"));
    }

    [Test]
    public void Invalid_yaml_reports_its_position()
    {
        var errors = ErrorsOf("bucket_definitions:\n  a:\n    data: [\n");
        Assert.That(errors[0].Code, Is.EqualTo(SyncRulesErrorCodes.YamlSyntax));
        Assert.That(errors[0].Line, Is.GreaterThanOrEqualTo(3));
    }

    [Test]
    public void Edition_3_rejects_bucket_definitions_and_storage_version_3_is_a_warning()
    {
        var errors = ErrorsOf("config:\n  edition: 3\n  storage_version: 3\nbucket_definitions: {}\n");
        Assert.That(errors.Select(e => e.Code), Is.EquivalentTo(new[] { SyncRulesErrorCodes.NotSupported, SyncRulesErrorCodes.MissingKey }));
        Assert.That(errors.Select(e => e.Message), Has.Some.Contains("'bucket_definitions' are not supported").And.Some.Contains("'streams' are required"));
        var rules = SyncRulesSet.Parse("config:\n  storage_version: 3\nbucket_definitions: {}\n");
        Assert.That(rules.Warnings.Single().Message, Does.Contain("Storage version 3 is unstable"));
    }

    [Test]
    public void Exception_message_lists_every_error_with_its_position()
    {
        var e = Assert.Throws<SyncRulesException>(() => SyncRulesSet.Parse("bucket_definitions:\n  a:\n    data:\n      - SELECT FROM\n      - SELECT x FROM t\n"))!;
        Assert.That(e.Code, Is.EqualTo(SyncRulesErrorCodes.InvalidSyncRules));
        Assert.That(e.Errors, Has.Count.EqualTo(2));
        Assert.That(e.Message, Does.Contain("4:").And.Contain("5:"));
    }

    [Test]
    public void Client_parameters_without_acceptance_is_a_warning_not_an_error()
    {
        var rules = SyncRulesSet.Parse("bucket_definitions:\n  a:\n    parameters: SELECT user_parameters.p AS p\n    data: []\n");
        Assert.That(rules.Warnings.Single().Message, Does.Contain("Potentially dangerous"));
        var accepted = SyncRulesSet.Parse("bucket_definitions:\n  a:\n    accept_potentially_dangerous_queries: true\n    parameters: SELECT user_parameters.p AS p\n    data: []\n");
        Assert.That(accepted.Warnings, Is.Empty);
    }

    [Test]
    public void Source_tables_cover_data_and_parameter_queries()
    {
        var rules = SyncRulesSet.Parse("""
            bucket_definitions:
              a:
                parameters: SELECT org_id FROM app.members WHERE user_id = request.user_id()
                data:
                  - SELECT * FROM projects WHERE org_id = bucket.org_id
                  - SELECT * FROM "Tasks" WHERE org_id = bucket.org_id
            """);
        Assert.That(rules.SourceTables, Is.EquivalentTo(new[]
        {
            new SourceTablePattern("public", "projects"), new SourceTablePattern("public", "Tasks"), new SourceTablePattern("app", "members"),
        }));
        Assert.That(rules.ReadsTable("app", "members"), Is.True);
        Assert.That(rules.ReadsTable("public", "members"), Is.False);
    }

    [Test]
    public void Unquoted_mixed_case_names_are_lower_cased_with_a_warning()
    {
        var rules = SyncRulesSet.Parse("bucket_definitions:\n  b:\n    data:\n      - SELECT Id FROM Todos\n");
        Assert.That(rules.Warnings.Select(w => w.Message), Is.EquivalentTo(new[]
        {
            "Unquoted identifiers are converted to lower-case. Use \"Id\" instead.",
            "Unquoted identifiers are converted to lower-case. Use \"Todos\" instead.",
        }));
        Assert.That(rules.Warnings.Select(w => (w.Line, w.Column)), Is.EquivalentTo(new[] { (4, 16), (4, 24) }));
        Assert.That(rules.SourceTables.Single().Table, Is.EqualTo("todos"));
    }

    [Test]
    public void Empty_rules_are_rejected_but_an_empty_bucket_definitions_map_is_valid()
    {
        Assert.That(ErrorsOf("").Single().Code, Is.EqualTo(SyncRulesErrorCodes.MissingKey));
        Assert.That(ErrorsOf("config:\n  edition: 2\n").Single().Message, Does.Contain("need 'bucket_definitions' or 'streams'"));
        Assert.That(SyncRulesSet.Parse("bucket_definitions: {}\n").BucketDefinitionNames, Is.Empty);
    }
}
