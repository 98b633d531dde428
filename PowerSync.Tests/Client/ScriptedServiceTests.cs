namespace PowerSync.Tests.Client;

/// <summary>A fixture whose every test gets a client against a fresh scripted service, and the client's log.</summary>
public abstract class ScriptedServiceTests
{
    private protected SyncHarness Harness { get; private set; } = null!;

    private protected ListLogger Log { get; private set; } = null!;

    [NUnit.Framework.SetUp]
    public async Task StartHarness()
    {
        Log = new ListLogger();
        Harness = await SyncHarness.StartAsync(logger: Log);
    }

    [NUnit.Framework.TearDown]
    public async Task StopHarness() => await Harness.DisposeAsync();
}
