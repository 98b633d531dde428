using System.Collections;

namespace PowerSync.Core.SyncRules.Expressions;

/// <summary>
/// The parameter values under which a row matches a WHERE (key → value). Rows usually bind one to
/// three parameters, so this is a pair of small arrays with linear search instead of a dictionary.
/// </summary>
internal sealed class ParamAssignment : IEnumerable<KeyValuePair<string, ParamValue>>
{
    private string[] _keys;
    private ParamValue[] _values;
    private int _count;

    public ParamAssignment()
    {
        _keys = new string[2];
        _values = new ParamValue[2];
    }

    public ParamAssignment(ParamAssignment other)
    {
        _keys = (string[])other._keys.Clone();
        _values = (ParamValue[])other._values.Clone();
        _count = other._count;
    }

    public int Count => _count;

    public ParamValue this[string key]
    {
        get => IndexOf(key) is var i and >= 0 ? _values[i] : throw new KeyNotFoundException(key);
        set
        {
            var i = IndexOf(key);
            if (i >= 0)
            {
                _values[i] = value;
            }
            else
            {
                Add(key, value);
            }
        }
    }

    public bool ContainsKey(string key) => IndexOf(key) >= 0;

    public bool TryAdd(string key, ParamValue value)
    {
        if (IndexOf(key) >= 0)
        {
            return false;
        }

        Add(key, value);
        return true;
    }

    private void Add(string key, ParamValue value)
    {
        if (_count == _keys.Length)
        {
            Array.Resize(ref _keys, _count * 2);
            Array.Resize(ref _values, _count * 2);
        }

        _keys[_count] = key;
        _values[_count] = value;
        _count++;
    }

    private int IndexOf(string key)
    {
        for (var i = 0; i < _count; i++)
        {
            if (ReferenceEquals(_keys[i], key) || string.Equals(_keys[i], key, StringComparison.Ordinal))
            {
                return i;
            }
        }

        return -1;
    }

    public IEnumerator<KeyValuePair<string, ParamValue>> GetEnumerator()
    {
        for (var i = 0; i < _count; i++)
        {
            yield return new(_keys[i], _values[i]);
        }
    }

    IEnumerator IEnumerable.GetEnumerator() => GetEnumerator();
}
