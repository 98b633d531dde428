using TodoBackend;

// A todo-list backend that embeds PowerSync: see TodoBackendApp for the two lines that do it.
var app = TodoBackendApp.Build(args);
await app.RunAsync();
