using PowerSync.Core.Hosting;
using PowerSync.Tests.Auth;

namespace PowerSync.Tests.Infrastructure;

/// <summary>Options of a service under test: a source, inline rules, a store in the test's folder, and tokens from a test key.</summary>
internal static class TestServiceOptions
{
    /// <summary>The one table most service tests replicate, in one global bucket.</summary>
    public const string GlobalTodosRules = "bucket_definitions:\n  global:\n    data:\n      - SELECT * FROM todos\n";

    public static PowerSyncOptions For(string sourceConnectionString, string folder, string rules = GlobalTodosRules)
    {
        var options = new PowerSyncOptions
        {
            SourceConnectionString = sourceConnectionString,
            SyncRules = rules,
            StoragePath = Path.Combine(folder, "buckets.db"),
        };
        options.Auth.Jwks = TestKey.Set(TestKey.Hmac(null));
        options.Auth.Audiences.Add("powersync");
        return options;
    }
}
