namespace PowerSync.Core.Admin;

/// <summary>Whose buckets to preview (<see cref="PowerSyncAdmin.PreviewAsync"/>): what a client of that user would connect with.</summary>
/// <param name="UserId">The user: the token's <c>sub</c>, what <c>request.user_id()</c> returns.</param>
/// <param name="ClaimsJson">Further JWT claims as a JSON object (<c>request.jwt()</c>), or null. A <c>sub</c> in it must equal <paramref name="UserId"/>.</param>
/// <param name="ParametersJson">The client's connection parameters as a JSON object (<c>request.parameters()</c>), or null.</param>
public sealed record PreviewRequest(string UserId, string? ClaimsJson = null, string? ParametersJson = null);
