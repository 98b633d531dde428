using NUnit.Framework;

namespace PowerSync.Tests.Docs;

/// <summary>Runs the API example of docs/sync-rules.md.</summary>
public sealed class SyncRulesGuideTests
{
    private const string Rules = """
        bucket_definitions:
          shared_lists:
            parameters: SELECT list_id FROM list_members WHERE user_id = request.user_id()
            data:
              - SELECT * FROM todos WHERE list_id = bucket.list_id
          mine:
            parameters: SELECT request.user_id() AS user_id
            data:
              - SELECT * FROM lists WHERE owner_id = bucket.user_id
        """;

    [Test]
    public void The_api_example_routes_a_row_to_the_bucket_a_membership_resolves_to()
    {
        var outcome = SyncRulesExamples.Run(Rules);

        Assert.That(outcome.Rules.ReadsTable("public", "todos"), Is.True);
        Assert.That(outcome.Row.Errors, Is.Empty);
        Assert.That(outcome.Row.Rows.Select(r => (r.Bucket, r.ObjectType, r.ObjectId)),
            Is.EqualTo(new[] { ("shared_lists[\"l1\"]", "todos", "t1") }), "edition 1: bucket ids have no version prefix");
        Assert.That(outcome.Lookups, Has.Count.EqualTo(1));
        Assert.That(outcome.Resolution.StaticBuckets.Select(b => b.Bucket), Is.EqualTo(new[] { "mine[\"u1\"]" }));
        Assert.That(outcome.DynamicBuckets.Select(b => b.Bucket), Is.EqualTo(new[] { "shared_lists[\"l1\"]" }),
            "the stored membership resolves u1's request to l1's bucket");
    }

    [Test]
    public void The_api_example_works_the_same_for_edition_3_streams()
    {
        const string edition3 = """
            config:
              edition: 3
            streams:
              list:
                query: |
                  SELECT * FROM todos WHERE list_id = subscription.parameter('list')
                  AND list_id IN (SELECT list_id FROM list_members WHERE user_id = auth.user_id())
              mine:
                auto_subscribe: true
                query: SELECT * FROM lists WHERE owner_id = auth.user_id()
            """;
        var outcome = SyncRulesExamples.Run(edition3);

        Assert.That(outcome.Rules.Edition, Is.EqualTo(3));
        Assert.That(outcome.Row.Rows.Select(r => (r.Bucket, r.ObjectType, r.ObjectId)),
            Is.EqualTo(new[] { ("7#list|0[\"l1\"]", "todos", "t1") }), "edition 3: versioned ids, stream|variant[...]");
        Assert.That(outcome.Lookups, Has.Count.EqualTo(1));
        Assert.That(outcome.Resolution.StaticBuckets.Select(b => b.Bucket), Is.EqualTo(new[] { "7#mine|0[\"u1\"]" }));
        Assert.That(outcome.DynamicBuckets.Select(b => b.Bucket), Is.EqualTo(new[] { "7#list|0[\"l1\"]" }),
            "the subscription asks for l1, and the stored membership lets u1 have it");
    }
}
