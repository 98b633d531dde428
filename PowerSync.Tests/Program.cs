namespace PowerSync.Tests;

/// <summary>
/// The test assembly's entry point. Tests run under the test host; <c>crash-child ...</c> makes this
/// assembly the child process of <see cref="Client.ProcessKillTests"/>.
/// </summary>
internal static class Program
{
    public static Task<int> Main(string[] args) =>
        args is ["crash-child", .. var rest] ? Client.CrashChild.RunAsync(rest) : Task.FromResult(0);
}
