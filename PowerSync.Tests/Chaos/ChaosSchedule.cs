using System.Globalization;
using System.Text;

namespace PowerSync.Tests.Chaos;

/// <summary>The faults a chaos run injects.</summary>
internal enum FaultKind
{
    /// <summary>kill -9 of the backend process, restarted after the hold.</summary>
    BackendKill,

    /// <summary>SIGSTOP of the backend, SIGCONT after the hold.</summary>
    BackendPause,

    /// <summary>Postgres stopped with <c>-m immediate</c> (a crash), started after the hold.</summary>
    PostgresImmediateRestart,

    /// <summary>Postgres stopped with <c>-m fast</c> (the usual clean restart), started after the hold.</summary>
    PostgresFastRestart,

    /// <summary>kill -9 of one client process, restarted on the same database file after the hold.</summary>
    ClientKill,

    /// <summary>The network between clients and the backend stops carrying anything (no RST) until the hold ends.</summary>
    ClientNetworkFreeze,

    /// <summary>Connections between clients and the backend are reset, and new ones refused, until the hold ends.</summary>
    ClientNetworkDrop,

    /// <summary>The network between the backend and Postgres stops carrying anything until the hold ends.</summary>
    PostgresNetworkFreeze,

    /// <summary>Connections between the backend and Postgres are reset, and new ones refused, until the hold ends.</summary>
    PostgresNetworkDrop,
}

/// <summary>
/// One round of a run: writes go on for <paramref name="Lead"/>, then the fault is injected and held for
/// <paramref name="Hold"/>, then healed; the run then waits for every client to converge.
/// </summary>
/// <param name="Client">The client a client fault targets (-1: every client), else -1.</param>
internal sealed record Fault(int Round, TimeSpan Lead, FaultKind Kind, int Client, TimeSpan Hold)
{
    public override string ToString() => string.Create(CultureInfo.InvariantCulture,
        $"round {Round,2}: after {Lead.TotalSeconds:0.0} s of writes, {Kind}{(Client >= 0 ? $" (client {Client})" : Kind is FaultKind.ClientNetworkFreeze or FaultKind.ClientNetworkDrop ? " (every client)" : "")}, held {Hold.TotalSeconds:0.0} s");
}

/// <summary>A seeded fault schedule: the same seed, length and client count give the same faults.</summary>
internal static class ChaosSchedule
{
    /// <summary>Short column names of the run table.</summary>
    public static readonly IReadOnlyDictionary<FaultKind, string> ShortNames = new Dictionary<FaultKind, string>
    {
        [FaultKind.BackendKill] = "be-kill",
        [FaultKind.BackendPause] = "be-stop",
        [FaultKind.PostgresImmediateRestart] = "pg-imm",
        [FaultKind.PostgresFastRestart] = "pg-fast",
        [FaultKind.ClientKill] = "cl-kill",
        [FaultKind.ClientNetworkFreeze] = "cl-freeze",
        [FaultKind.ClientNetworkDrop] = "cl-drop",
        [FaultKind.PostgresNetworkFreeze] = "pg-freeze",
        [FaultKind.PostgresNetworkDrop] = "pg-drop",
    };

    /// <summary>
    /// Rounds whose writes-then-fault time adds up to at least <paramref name="faultSeconds"/>. Every kind comes
    /// once, in a seeded order, before any repeats (so a 60 s run covers them all).
    /// </summary>
    public static IReadOnlyList<Fault> Generate(int seed, int faultSeconds, int clients)
    {
        var random = new Random(seed);
        var kinds = Enum.GetValues<FaultKind>();
        var firstPass = kinds.ToArray();
        random.Shuffle(firstPass);
        var faults = new List<Fault>();
        var total = TimeSpan.Zero;
        while (total < TimeSpan.FromSeconds(faultSeconds))
        {
            var round = faults.Count;
            var kind = round < firstPass.Length ? firstPass[round] : kinds[random.Next(kinds.Length)];
            var lead = TimeSpan.FromMilliseconds(random.Next(1000, 3001));
            var hold = TimeSpan.FromMilliseconds(random.Next(1000, 6001));
            var client = kind switch
            {
                FaultKind.ClientKill => random.Next(clients),
                FaultKind.ClientNetworkFreeze or FaultKind.ClientNetworkDrop => random.Next(3) == 0 ? -1 : random.Next(clients),
                _ => -1,
            };
            faults.Add(new Fault(round + 1, lead, kind, client, hold));
            total += lead + hold;
        }
        return faults;
    }

    public static string Describe(int seed, IReadOnlyList<Fault> faults)
    {
        var text = new StringBuilder().Append(CultureInfo.InvariantCulture, $"Seed {seed}: {faults.Count} faults{Environment.NewLine}");
        foreach (var fault in faults) text.Append("  ").Append(fault).AppendLine();
        return text.ToString();
    }
}
