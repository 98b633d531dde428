using System.Diagnostics;
using System.Diagnostics.CodeAnalysis;
using System.Globalization;
using System.Runtime.CompilerServices;
using System.Text;

namespace PowerSync.Client.Compatibility;

/// <summary>
/// The members of newer .NET the client uses that .NET Standard 2.1 lacks, as extensions with the same names and
/// meaning, so the code reads the same on every target; compiled and imported for .NET Standard 2.1 only
/// (PowerSync.Client.csproj), in a namespace of their own so that they reach no other assembly (the tests see internals).
/// </summary>
internal static class BaseLibrarySupport
{
    extension(ArgumentNullException)
    {
        public static void ThrowIfNull([NotNull] object? argument, [CallerArgumentExpression(nameof(argument))] string? paramName = null)
        {
            if (argument is null) throw new ArgumentNullException(paramName);
        }
    }

    extension(ArgumentException)
    {
        public static void ThrowIfNullOrWhiteSpace([NotNull] string? argument, [CallerArgumentExpression(nameof(argument))] string? paramName = null)
        {
            ArgumentNullException.ThrowIfNull(argument, paramName);
            if (string.IsNullOrWhiteSpace(argument)) throw new ArgumentException("The value cannot be empty or white space.", paramName);
        }
    }

    extension(ArgumentOutOfRangeException)
    {
        public static void ThrowIfLessThan<T>(T value, T other, [CallerArgumentExpression(nameof(value))] string? paramName = null)
            where T : IComparable<T>
        {
            if (value.CompareTo(other) < 0) throw new ArgumentOutOfRangeException(paramName, value, $"Must be at least {other}.");
        }
    }

    extension(ObjectDisposedException)
    {
        public static void ThrowIf([DoesNotReturnIf(true)] bool condition, object instance)
        {
            if (condition) throw new ObjectDisposedException(instance.GetType().FullName);
        }
    }

    extension(char)
    {
        public static bool IsAsciiDigit(char c) => c is >= '0' and <= '9';
    }

    extension(string)
    {
        /// <summary>The interpolated string formatted with <paramref name="provider"/>.</summary>
        public static string Create(IFormatProvider provider, FormattableString text) => text.ToString(provider);
    }

    extension(Enum)
    {
        public static bool IsDefined<TEnum>(TEnum value) where TEnum : struct, Enum => Enum.IsDefined(typeof(TEnum), value);
    }

    extension(Random)
    {
        /// <summary>One generator per thread (<see cref="Random"/> is not thread-safe).</summary>
        public static Random Shared => SharedRandom.Instance;
    }

    extension(Stopwatch)
    {
        public static TimeSpan GetElapsedTime(long startingTimestamp) =>
            TimeSpan.FromTicks((long)((Stopwatch.GetTimestamp() - startingTimestamp) * ((double)TimeSpan.TicksPerSecond / Stopwatch.Frequency)));
    }

    extension(Task)
    {
        public static Task Delay(TimeSpan delay, TimeProvider timeProvider, CancellationToken cancellationToken) =>
            timeProvider.Delay(delay, cancellationToken);
    }

    extension(Task task)
    {
        public Task WaitAsync(CancellationToken cancellationToken) => task.WaitAsync(Timeout.InfiniteTimeSpan, TimeProvider.System, cancellationToken);
    }

    extension<TResult>(Task<TResult> task)
    {
        public Task<TResult> WaitAsync(CancellationToken cancellationToken) => task.WaitAsync(Timeout.InfiniteTimeSpan, TimeProvider.System, cancellationToken);
    }

    extension(StringBuilder builder)
    {
        /// <summary>Appends the interpolated string formatted with <paramref name="provider"/>.</summary>
        public StringBuilder Append(IFormatProvider provider, FormattableString text) => builder.Append(text.ToString(provider));
    }

    extension(CancellationTokenSource source)
    {
        public Task CancelAsync()
        {
            source.Cancel();
            return Task.CompletedTask;
        }
    }

    extension(HttpContent content)
    {
        public Task<string> ReadAsStringAsync(CancellationToken cancellationToken) => content.ReadAsStringAsync().WaitAsync(cancellationToken);

        public Task<Stream> ReadAsStreamAsync(CancellationToken cancellationToken) => content.ReadAsStreamAsync().WaitAsync(cancellationToken);
    }

    extension<T>(IEnumerable<T> source)
    {
        public IEnumerable<T[]> Chunk(int size)
        {
            var chunk = new List<T>(size);
            foreach (var item in source)
            {
                chunk.Add(item);
                if (chunk.Count < size) continue;
                yield return [.. chunk];
                chunk.Clear();
            }

            if (chunk.Count > 0) yield return [.. chunk];
        }
    }

    private static class SharedRandom
    {
        [ThreadStatic]
        private static Random? _instance;

        public static Random Instance => _instance ??= new Random();
    }
}
