namespace PowerSync.Core.Storage;

/// <summary>
/// Whose write checkpoints: a user and the client it names (empty when it names none). Stores keep the two
/// parts apart, so no choice of user id and client id can share another pair's counter.
/// </summary>
internal readonly record struct WriteCheckpointKey(string UserId, string ClientId)
{
    /// <summary>
    /// The single-string key stores wrote before keys were structured (<c>user + "/" + client</c>, or the user
    /// alone). Rows written under it are still read, as the pair's history, until the pair writes again.
    /// </summary>
    public string LegacyText => ClientId.Length == 0 ? UserId : UserId + "/" + ClientId;
}
