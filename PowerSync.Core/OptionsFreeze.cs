using System.Collections.ObjectModel;
using System.Runtime.CompilerServices;

namespace PowerSync.Core;

/// <summary>
/// The lock of an options object that PowerSync validates once and then runs with: once frozen, setting any of
/// its properties, or changing one of its lists, throws an error naming the setting, instead of changing what a
/// running service reads half-way.
/// </summary>
/// <param name="owner">How the options are named in the error, e.g. <c>PowerSyncOptions</c>.</param>
internal sealed class OptionsFreeze(string owner)
{
    private volatile bool _frozen;

    public bool IsFrozen => _frozen;

    public void Freeze() => _frozen = true;

    /// <summary>The value a setter stores, once it is sure the options are not frozen.</summary>
    /// <exception cref="InvalidOperationException">The options are frozen.</exception>
    public T Set<T>(T value, [CallerMemberName] string setting = "")
    {
        ThrowIfFrozen(setting);
        return value;
    }

    /// <summary>A list setting that can change until the options are frozen.</summary>
    public IList<T> List<T>(string setting) => new FreezableList<T>(this, setting);

    /// <exception cref="InvalidOperationException">The options are frozen.</exception>
    public void ThrowIfFrozen(string setting)
    {
        if (_frozen)
        {
            throw new InvalidOperationException(
                $"{owner}.{setting} cannot change: PowerSync validated these options when it started and runs with them unchanged. " +
                "Set it before the app starts: in AddPowerSync(...), on the builder it returns, or in configuration.");
        }
    }

    private sealed class FreezableList<T>(OptionsFreeze freeze, string setting) : Collection<T>
    {
        protected override void InsertItem(int index, T item)
        {
            freeze.ThrowIfFrozen(setting);
            base.InsertItem(index, item);
        }

        protected override void SetItem(int index, T item)
        {
            freeze.ThrowIfFrozen(setting);
            base.SetItem(index, item);
        }

        protected override void RemoveItem(int index)
        {
            freeze.ThrowIfFrozen(setting);
            base.RemoveItem(index);
        }

        protected override void ClearItems()
        {
            freeze.ThrowIfFrozen(setting);
            base.ClearItems();
        }
    }
}
