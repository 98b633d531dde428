namespace PowerSync.Tests;

/// <summary>
/// The test assembly's entry point. Tests run under the test host; <c>crash-child ...</c> makes this
/// assembly the child process of <see cref="Client.ProcessKillTests"/>, <c>chaos-client ...</c> a client
/// process of the fault-injection suite (<see cref="Chaos.ChaosClient"/>).
/// </summary>
internal static class Program
{
    public static Task<int> Main(string[] args) => args switch
    {
        ["crash-child", .. var rest] => Client.CrashChild.RunAsync(rest),
        ["chaos-client", .. var rest] => Chaos.ChaosClient.RunAsync(rest),
        _ => Task.FromResult(0),
    };
}
