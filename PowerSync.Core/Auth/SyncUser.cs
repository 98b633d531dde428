using System.Text.Json;

namespace PowerSync.Core.Auth;

/// <summary>An authenticated sync client: its user id (the token's <c>sub</c>), all its claims, and when its token expires.</summary>
/// <param name="UserId">The <c>sub</c> claim as text (numbers as digits, objects as JSON).</param>
/// <param name="Claims">The token payload.</param>
/// <param name="ExpiresAt">The token's <c>exp</c>.</param>
internal sealed record SyncUser(string UserId, JsonElement Claims, DateTimeOffset ExpiresAt);
