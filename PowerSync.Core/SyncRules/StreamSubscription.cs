namespace PowerSync.Core.SyncRules;

/// <summary>One stream subscription of a sync request (<c>streams.subscriptions[]</c> in the protocol).</summary>
/// <param name="Stream">The stream name.</param>
/// <param name="ParametersJson">The subscription's <c>parameters</c> object as JSON text, or null.</param>
/// <param name="PriorityOverride">The subscription's <c>override_priority</c>, or null.</param>
public sealed record StreamSubscription(string Stream, string? ParametersJson = null, int? PriorityOverride = null);
