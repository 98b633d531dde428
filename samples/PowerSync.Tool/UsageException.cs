namespace PowerSync.Tool;

/// <summary>The command line cannot be carried out as given: the message says what to change (exit code 2).</summary>
internal sealed class UsageException(string message) : Exception(message);
