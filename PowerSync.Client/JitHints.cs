using System.Runtime.CompilerServices;

namespace PowerSync.Client;

/// <summary>Method attributes every target accepts.</summary>
internal static class JitHints
{
    /// <summary>
    /// <c>MethodImplOptions.AggressiveOptimization</c> (fully optimized from the first call, for code hot from the first
    /// line of a download): .NET Standard 2.1 does not name it, and runtimes that know it honour the value on every target.
    /// </summary>
    public const MethodImplOptions Optimized = (MethodImplOptions)512;
}
