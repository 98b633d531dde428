namespace PowerSync.Core.Protocol;

/// <summary>The write-checkpoint key of a connection: the user, and the client when it names itself.</summary>
internal static class WriteCheckpointKeys
{
    public static string For(string userId, string? clientId) =>
        string.IsNullOrEmpty(clientId) ? userId : userId + "/" + clientId;
}
