using TodoBackend;

// A todo-list backend that embeds PowerSync: see TodoBackendApp for the two lines that do it.
WebApplication app;
try
{
    app = TodoBackendApp.Build(args);
}
catch (InvalidOperationException e)
{
    // A configuration problem: say what to change, without a stack trace.
    Console.Error.WriteLine(e.Message);
    return 1;
}
await app.RunAsync();
return 0;
