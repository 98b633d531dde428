namespace PowerSync.Tests;

/// <summary>
/// The test assembly's entry point. Tests run under the test host; <c>crash-child ...</c> makes this
/// assembly the child process of <see cref="Client.ProcessKillTests"/>, <c>chaos-client ...</c> a client
/// process of the fault-injection suite (<see cref="Chaos.ChaosClient"/>), <c>hold-litedb-store path</c> a process
/// that keeps a LiteDB bucket store open (<see cref="Tool.LiteDbStoreHolder"/>). The builds for the client's
/// older targets (CLIENT_TARGET_TESTS) hold the client tests only.
/// </summary>
internal static class Program
{
    public static Task<int> Main(string[] args) => args switch
    {
        ["crash-child", .. var rest] => Client.CrashChild.RunAsync(rest),
#if !CLIENT_TARGET_TESTS
        ["chaos-client", .. var rest] => Chaos.ChaosClient.RunAsync(rest),
        ["hold-litedb-store", var path] => Tool.LiteDbStoreHolder.RunAsync(path),
#endif
        _ => Task.FromResult(0),
    };
}
