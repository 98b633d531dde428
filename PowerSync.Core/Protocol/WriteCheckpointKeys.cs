using PowerSync.Core.Storage;

namespace PowerSync.Core.Protocol;

/// <summary>The write-checkpoint key of a connection: the user, and the client when it names itself.</summary>
internal static class WriteCheckpointKeys
{
    public static WriteCheckpointKey For(string userId, string? clientId) => new(userId, clientId ?? "");
}
