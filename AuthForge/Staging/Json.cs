// STAGING: the JSON section of AuthForge.cs, developed here and merged into the single file.
// ==== JSON ======================================================================================
// Owns the strict RFC 8259 reader (UTF-8 bytes or a string -> an immutable JsonValue tree) and the compact
// writer used for request bodies. Everything the reader sees (server responses, decoded payloads, session
// token bodies) is attacker-controlled, so it is strict where a lenient parser would let two parsers disagree
// (duplicate keys, invalid UTF-8, lone surrogates, trailing data), bounded in depth and in time (linear in
// the input, no recursion), and its errors name a rule and a byte position but never echo input text,
// because that text can hold secrets.
using System;
using System.Collections.Generic;
using System.Collections.ObjectModel;
using System.Globalization;
using System.Text;

namespace AuthForge
{
    /// <summary>The kind of a <see cref="JsonValue"/>.</summary>
    internal enum JsonKind : byte { Null, False, True, Number, String, Array, Object }

    /// <summary>Malformed or over-limit JSON. The message names the position and the rule, never the input text.</summary>
    internal sealed class JsonFormatException : Exception
    {
        /// <summary>Creates the exception; <paramref name="message"/> must not contain input text.</summary>
        public JsonFormatException(string message, int position) : base(message) { Position = position; }

        /// <summary>Byte offset of the offending input in its UTF-8 form (for a string input, of its UTF-8 encoding).</summary>
        public int Position { get; }
    }

    /// <summary>An immutable JSON value tree node.</summary>
    internal sealed class JsonValue
    {
        // Up to this many members a linear scan beats hashing; beyond it an ordinal dictionary keeps duplicate
        // detection and lookup linear overall for huge attacker-sent objects.
        internal const int IndexThreshold = 16;

        private static readonly JsonValue[] NoItems = new JsonValue[0];
        private static readonly KeyValuePair<string, JsonValue>[] NoMembers = new KeyValuePair<string, JsonValue>[0];
        private static readonly IReadOnlyList<JsonValue> NoItemsView = new ReadOnlyCollection<JsonValue>(NoItems);
        private static readonly IReadOnlyList<KeyValuePair<string, JsonValue>> NoMembersView =
            new ReadOnlyCollection<KeyValuePair<string, JsonValue>>(NoMembers);

        /// <summary>The JSON <c>null</c> literal.</summary>
        public static readonly JsonValue Null = new JsonValue(JsonKind.Null, null);
        /// <summary>The JSON <c>true</c> literal.</summary>
        public static readonly JsonValue True = new JsonValue(JsonKind.True, null);
        /// <summary>The JSON <c>false</c> literal.</summary>
        public static readonly JsonValue False = new JsonValue(JsonKind.False, null);

        private readonly JsonKind _kind;
        // The decoded value of a string, or the raw literal of a number (kept raw so no precision is lost).
        private readonly string? _text;
        private readonly JsonValue[] _items;
        private readonly KeyValuePair<string, JsonValue>[] _members;
        // Member name -> index in _members; only for objects above IndexThreshold.
        private readonly Dictionary<string, int>? _index;
        // Read-only wrappers made on first use: handing out the arrays themselves would let a caller cast and mutate.
        private IReadOnlyList<JsonValue>? _itemsView;
        private IReadOnlyList<KeyValuePair<string, JsonValue>>? _membersView;

        private JsonValue(JsonKind kind, string? text)
        {
            _kind = kind;
            _text = text;
            _items = NoItems;
            _members = NoMembers;
        }

        private JsonValue(JsonValue[] items)
        {
            _kind = JsonKind.Array;
            _items = items;
            _members = NoMembers;
        }

        private JsonValue(KeyValuePair<string, JsonValue>[] members, Dictionary<string, int>? index)
        {
            _kind = JsonKind.Object;
            _items = NoItems;
            _members = members;
            _index = index;
        }

        /// <summary>What this value is.</summary>
        public JsonKind Kind => _kind;

        /// <summary>The string's value for <see cref="JsonKind.String"/>; otherwise null.</summary>
        public string? AsString() => _kind == JsonKind.String ? _text : null;

        /// <summary>The number's literal exactly as written (e.g. <c>1.7404332E9</c>) for <see cref="JsonKind.Number"/>; otherwise null.</summary>
        public string? AsNumberLiteral() => _kind == JsonKind.Number ? _text : null;

        /// <summary>A number literal with an integral value that fits in a long (e.g. 1740433200, 1.7404332E9); otherwise false.</summary>
        /// <remarks>Decided on the decimal digits, not through <see cref="double"/>, so large integers are exact.</remarks>
        public bool TryGetInt64(out long value)
        {
            value = 0;
            return _kind == JsonKind.Number && JsonNumber.TryGetInt64(_text!, out value);
        }

        /// <summary>A number whose value is finite as a double (rounded to nearest); otherwise false (e.g. 1e400, or not a number).</summary>
        public bool TryGetDouble(out double value)
        {
            value = 0;
            if (_kind != JsonKind.Number) return false;
            if (!JsonNumber.TryParseDouble(_text!, out double parsed) || double.IsInfinity(parsed) || double.IsNaN(parsed))
                return false;
            value = parsed;
            return true;
        }

        /// <summary>Member of an object by exact (ordinal) name; null when absent or when this is not an object.</summary>
        /// <exception cref="ArgumentNullException"><paramref name="name"/> is null.</exception>
        public JsonValue? this[string name]
        {
            get
            {
                if (name == null) throw new ArgumentNullException(nameof(name));
                if (_kind != JsonKind.Object) return null;
                if (_index != null) return _index.TryGetValue(name, out int at) ? _members[at].Value : null;
                KeyValuePair<string, JsonValue>[] members = _members;
                for (int i = 0; i < members.Length; i++)
                {
                    if (string.Equals(members[i].Key, name, StringComparison.Ordinal)) return members[i].Value;
                }
                return null;
            }
        }

        /// <summary>An array's items in order; empty for every other kind.</summary>
        public IReadOnlyList<JsonValue> Items
        {
            get
            {
                if (_items.Length == 0) return NoItemsView;
                return _itemsView ??= new ReadOnlyCollection<JsonValue>(_items);
            }
        }

        /// <summary>An object's members in document order (names are unique); empty for every other kind.</summary>
        public IReadOnlyList<KeyValuePair<string, JsonValue>> Members
        {
            get
            {
                if (_members.Length == 0) return NoMembersView;
                return _membersView ??= new ReadOnlyCollection<KeyValuePair<string, JsonValue>>(_members);
            }
        }

        // Direct access for the writer and the CLR copier, which only read.
        internal JsonValue[] ItemArray => _items;
        internal KeyValuePair<string, JsonValue>[] MemberArray => _members;

        /// <summary>A fresh CLR copy: string, long or double, bool, null, List, Dictionary (ordinal keys).</summary>
        /// <remarks>
        /// Numbers become <see cref="long"/> when <see cref="TryGetInt64"/> succeeds, else <see cref="double"/>
        /// (infinity for a literal beyond the double range). Nothing in the copy is shared with this tree or with
        /// an earlier copy. Iterative, so an arbitrarily deep tree cannot exhaust the stack.
        /// </remarks>
        public object? ToClrObject()
        {
            if (_kind != JsonKind.Array && _kind != JsonKind.Object) return ScalarToClr(this);
            object root = NewClrContainer(this);
            // Each container is placed in its parent when first seen, so the order containers are filled in is free.
            var pending = new Stack<KeyValuePair<JsonValue, object>>();
            pending.Push(new KeyValuePair<JsonValue, object>(this, root));
            while (pending.Count > 0)
            {
                KeyValuePair<JsonValue, object> work = pending.Pop();
                JsonValue node = work.Key;
                if (node._kind == JsonKind.Array)
                {
                    var list = (List<object?>)work.Value;
                    foreach (JsonValue item in node._items)
                    {
                        list.Add(CopyChild(item, pending));
                    }
                }
                else
                {
                    var map = (Dictionary<string, object?>)work.Value;
                    foreach (KeyValuePair<string, JsonValue> member in node._members)
                    {
                        map.Add(member.Key, CopyChild(member.Value, pending));
                    }
                }
            }
            return root;
        }

        private static object? CopyChild(JsonValue child, Stack<KeyValuePair<JsonValue, object>> pending)
        {
            if (child._kind != JsonKind.Array && child._kind != JsonKind.Object) return ScalarToClr(child);
            object container = NewClrContainer(child);
            pending.Push(new KeyValuePair<JsonValue, object>(child, container));
            return container;
        }

        private static object NewClrContainer(JsonValue node) =>
            node._kind == JsonKind.Array
                ? new List<object?>(node._items.Length)
                : (object)new Dictionary<string, object?>(node._members.Length, StringComparer.Ordinal);

        private static object? ScalarToClr(JsonValue node)
        {
            switch (node._kind)
            {
                case JsonKind.String: return node._text;
                case JsonKind.True: return true;
                case JsonKind.False: return false;
                case JsonKind.Number:
                    if (node.TryGetInt64(out long integral)) return integral;
                    if (JsonNumber.TryParseDouble(node._text!, out double real) && !double.IsNaN(real)) return real;
                    // Only overflow makes a grammatical literal unparsable (on .NET Framework; .NET Core returns infinity).
                    return node._text![0] == '-' ? double.NegativeInfinity : double.PositiveInfinity;
                default: return null;
            }
        }

        /// <summary>A string value.</summary>
        public static JsonValue FromString(string value)
        {
            if (value == null) throw new ArgumentNullException(nameof(value));
            return new JsonValue(JsonKind.String, value);
        }

        /// <summary>An integer number value.</summary>
        public static JsonValue FromInt64(long value) =>
            new JsonValue(JsonKind.Number, value.ToString(CultureInfo.InvariantCulture));

        /// <summary><see cref="True"/> or <see cref="False"/>.</summary>
        public static JsonValue FromBoolean(bool value) => value ? True : False;

        /// <summary>A number from a literal in strict JSON grammar (e.g. <c>-1.5e3</c>); <see cref="ArgumentException"/> otherwise.</summary>
        public static JsonValue FromNumberLiteral(string literal)
        {
            if (literal == null) throw new ArgumentNullException(nameof(literal));
            if (!JsonNumber.IsValidLiteral(literal)) throw new ArgumentException("Not a JSON number literal.", nameof(literal));
            return new JsonValue(JsonKind.Number, literal);
        }

        /// <summary>An array of the given items (copied).</summary>
        public static JsonValue CreateArray(IEnumerable<JsonValue> items)
        {
            if (items == null) throw new ArgumentNullException(nameof(items));
            var copy = new List<JsonValue>(items);
            foreach (JsonValue item in copy)
            {
                if (item == null) throw new ArgumentException("An array item is null.", nameof(items));
            }
            return copy.Count == 0 ? new JsonValue(NoItems) : new JsonValue(copy.ToArray());
        }

        /// <summary>An object of the given members (copied, order kept); <see cref="ArgumentException"/> on a duplicate name.</summary>
        public static JsonValue CreateObject(IEnumerable<KeyValuePair<string, JsonValue>> members)
        {
            if (members == null) throw new ArgumentNullException(nameof(members));
            var copy = new List<KeyValuePair<string, JsonValue>>(members);
            Dictionary<string, int>? index = copy.Count > IndexThreshold
                ? new Dictionary<string, int>(copy.Count, StringComparer.Ordinal)
                : null;
            for (int i = 0; i < copy.Count; i++)
            {
                string name = copy[i].Key;
                if (name == null || copy[i].Value == null) throw new ArgumentException("A member name or value is null.", nameof(members));
                bool duplicate = false;
                if (index != null)
                {
                    duplicate = index.ContainsKey(name);
                    if (!duplicate) index.Add(name, i);
                }
                else
                {
                    for (int j = 0; j < i && !duplicate; j++) duplicate = string.Equals(copy[j].Key, name, StringComparison.Ordinal);
                }
                if (duplicate) throw new ArgumentException("Duplicate member name.", nameof(members));
            }
            return new JsonValue(copy.Count == 0 ? NoMembers : copy.ToArray(), index);
        }

        // Parser-side constructors: the reader has already validated the text and rejected duplicate names.
        internal static JsonValue ParsedString(string value) => new JsonValue(JsonKind.String, value);
        internal static JsonValue ParsedNumber(string literal) => new JsonValue(JsonKind.Number, literal);
        internal static JsonValue ParsedArray(JsonValue[] items) => new JsonValue(items.Length == 0 ? NoItems : items);
        internal static JsonValue ParsedObject(KeyValuePair<string, JsonValue>[] members, Dictionary<string, int>? index) =>
            new JsonValue(members.Length == 0 ? NoMembers : members, index);
    }

    /// <summary>Number literal grammar and exact conversions, shared by the reader and the value factories.</summary>
    internal static class JsonNumber
    {
        // Exponents are only compared against literal lengths (< 2^31), so clamping here loses nothing and stops overflow.
        private const long ExponentClamp = 1_000_000_000_000L;

        /// <summary>Length of the strict-grammar number at <paramref name="start"/>, or a negative value -(1 + error offset) with the rule in <paramref name="rule"/>.</summary>
        internal static int Scan(byte[] s, int start, out string? rule)
        {
            rule = null;
            int p = start;
            if (p < s.Length && s[p] == '-') p++;
            if (p >= s.Length || !IsDigit(s[p])) { rule = "number without digits"; return -1 - p; }
            if (s[p] == '0')
            {
                p++;
                if (p < s.Length && IsDigit(s[p])) { rule = "number with a leading zero"; return -1 - start; }
            }
            else
            {
                while (p < s.Length && IsDigit(s[p])) p++;
            }
            if (p < s.Length && s[p] == '.')
            {
                p++;
                if (p >= s.Length || !IsDigit(s[p])) { rule = "number without digits after the decimal point"; return -1 - p; }
                while (p < s.Length && IsDigit(s[p])) p++;
            }
            if (p < s.Length && (s[p] == 'e' || s[p] == 'E'))
            {
                p++;
                if (p < s.Length && (s[p] == '+' || s[p] == '-')) p++;
                if (p >= s.Length || !IsDigit(s[p])) { rule = "number without exponent digits"; return -1 - p; }
                while (p < s.Length && IsDigit(s[p])) p++;
            }
            return p - start;
        }

        /// <summary>True when the whole string is one strict-grammar number literal.</summary>
        internal static bool IsValidLiteral(string literal)
        {
            var bytes = new byte[literal.Length];
            for (int i = 0; i < literal.Length; i++)
            {
                if (literal[i] > 0x7F) return false;
                bytes[i] = (byte)literal[i];
            }
            return bytes.Length > 0 && Scan(bytes, 0, out _) == bytes.Length;
        }

        /// <summary>Exact integral test on a grammatical literal: digits times a power of ten, without floating point.</summary>
        internal static bool TryGetInt64(string s, out long value)
        {
            value = 0;
            int n = s.Length;
            int i = 0;
            bool negative = s[0] == '-';
            if (negative) i++;

            // Plain integers of up to 18 digits cannot overflow: the common case (timestamps, counts) stays cheap.
            if (n - i <= 18)
            {
                long quick = 0;
                int k = i;
                while (k < n && IsDigit(s[k])) quick = quick * 10 + (s[k++] - '0');
                if (k == n)
                {
                    value = negative ? -quick : quick;
                    return true;
                }
            }

            int intStart = i;
            while (i < n && IsDigit(s[i])) i++;
            int intLength = i - intStart;
            int fracStart = i, fracLength = 0;
            if (i < n && s[i] == '.')
            {
                fracStart = ++i;
                while (i < n && IsDigit(s[i])) i++;
                fracLength = i - fracStart;
            }
            long exponent = 0;
            if (i < n)
            {
                i++; // 'e' or 'E'
                bool negativeExponent = s[i] == '-';
                if (s[i] == '-' || s[i] == '+') i++;
                for (; i < n; i++)
                {
                    if (exponent < ExponentClamp) exponent = exponent * 10 + (s[i] - '0');
                }
                if (negativeExponent) exponent = -exponent;
            }

            // The significant digits are the integer digits followed by the fraction digits.
            int total = intLength + fracLength;
            int first = 0;
            while (first < total && DigitAt(s, intStart, intLength, fracStart, first) == '0') first++;
            if (first == total) return true; // zero, however it is written (0.000, -0, 0e999)
            int last = total - 1;
            while (DigitAt(s, intStart, intLength, fracStart, last) == '0') last--;

            // value = digits[first..last] * 10^scale, with no trailing zeros left in the digits.
            long scale = exponent - fracLength + (total - 1 - last);
            if (scale < 0) return false; // a non-zero last digit below the units: not integral
            int significant = last - first + 1;
            if (significant + scale > 19) return false; // at least 10^19 > long.MaxValue

            ulong magnitude = 0;
            for (int k = first; k <= last; k++) magnitude = magnitude * 10 + (ulong)(DigitAt(s, intStart, intLength, fracStart, k) - '0');
            for (long k = 0; k < scale; k++) magnitude *= 10; // at most 19 digits: fits in ulong
            const ulong limit = 9_223_372_036_854_775_808UL; // |long.MinValue|
            if (negative)
            {
                if (magnitude > limit) return false;
                value = magnitude == limit ? long.MinValue : -(long)magnitude;
            }
            else
            {
                if (magnitude >= limit) return false;
                value = (long)magnitude;
            }
            return true;
        }

        /// <summary>Parses a grammatical literal; false on overflow where the runtime reports it that way (.NET Framework).</summary>
        internal static bool TryParseDouble(string literal, out double value) =>
            double.TryParse(
                literal,
                NumberStyles.AllowLeadingSign | NumberStyles.AllowDecimalPoint | NumberStyles.AllowExponent,
                CultureInfo.InvariantCulture,
                out value);

        private static char DigitAt(string s, int intStart, int intLength, int fracStart, int k) =>
            k < intLength ? s[intStart + k] : s[fracStart + k - intLength];

        private static bool IsDigit(int c) => c >= '0' && c <= '9';
    }

    /// <summary>Entry points of the strict reader.</summary>
    internal static class Json
    {
        /// <summary>Default nesting limit for arrays and objects.</summary>
        public const int DefaultMaxDepth = 32;

        /// <summary>
        /// Parses exactly one JSON value (RFC 8259, strict) from UTF-8 bytes. A leading byte order mark is rejected:
        /// RFC 8259 forbids senders to add one and no AuthForge producer does.
        /// </summary>
        /// <param name="utf8">The whole document.</param>
        /// <param name="maxDepth">Deepest allowed nesting of arrays and objects; 0 allows only a scalar.</param>
        /// <exception cref="JsonFormatException">Malformed, invalid UTF-8, duplicate member names, or deeper than <paramref name="maxDepth"/>.</exception>
        public static JsonValue Parse(byte[] utf8, int maxDepth = DefaultMaxDepth)
        {
            if (utf8 == null) throw new ArgumentNullException(nameof(utf8));
            if (maxDepth < 0) throw new ArgumentOutOfRangeException(nameof(maxDepth));
            return new Reader(utf8, maxDepth).ParseDocument();
        }

        /// <summary>
        /// Parses exactly one JSON value from text; the rules are those of <see cref="Parse(byte[], int)"/> applied to
        /// the text's UTF-8 encoding, so an unpaired UTF-16 surrogate is an error and positions are UTF-8 byte offsets.
        /// </summary>
        public static JsonValue Parse(string text, int maxDepth = DefaultMaxDepth)
        {
            if (text == null) throw new ArgumentNullException(nameof(text));
            if (maxDepth < 0) throw new ArgumentOutOfRangeException(nameof(maxDepth));
            // Encoding.UTF8 would silently turn a lone surrogate into U+FFFD; that is a different string, so refuse.
            int bytePosition = 0;
            for (int i = 0; i < text.Length; i++)
            {
                char c = text[i];
                if (c < 0x80) bytePosition += 1;
                else if (c < 0x800) bytePosition += 2;
                else if (!char.IsSurrogate(c)) bytePosition += 3;
                else if (char.IsHighSurrogate(c) && i + 1 < text.Length && char.IsLowSurrogate(text[i + 1]))
                {
                    bytePosition += 4;
                    i++;
                }
                else throw Reader.Error("unpaired UTF-16 surrogate", bytePosition);
            }
            return new Reader(Encoding.UTF8.GetBytes(text), maxDepth).ParseDocument();
        }

        // One instance per document: it owns the scratch buffers reused across all strings and containers in it.
        private sealed class Reader
        {
            private struct Frame
            {
                public bool IsObject;
                public int Start;          // first index of this container's entries in _items or _members
                public string? Name;       // the member whose value is being read
                public Dictionary<string, int>? Index;
            }

            private static readonly byte[] TrueBytes = { (byte)'t', (byte)'r', (byte)'u', (byte)'e' };
            private static readonly byte[] FalseBytes = { (byte)'f', (byte)'a', (byte)'l', (byte)'s', (byte)'e' };
            private static readonly byte[] NullBytes = { (byte)'n', (byte)'u', (byte)'l', (byte)'l' };

            private readonly byte[] _s;
            private readonly int _maxDepth;
            private int _pos;
            private char[] _chars = new char[64];
            // Entries of all open containers, innermost last; a closing container takes its tail. This keeps
            // allocation to one exact-size array per container instead of a growing list per container.
            private readonly List<JsonValue> _items = new List<JsonValue>();
            private readonly List<KeyValuePair<string, JsonValue>> _members = new List<KeyValuePair<string, JsonValue>>();
            private Frame[] _frames = new Frame[8];
            private int _depth;

            public Reader(byte[] utf8, int maxDepth)
            {
                _s = utf8;
                _maxDepth = maxDepth;
            }

            public static JsonFormatException Error(string rule, int position) =>
                new JsonFormatException(
                    "Invalid JSON: " + rule + " at byte " + position.ToString(CultureInfo.InvariantCulture) + ".",
                    position);

            public JsonValue ParseDocument()
            {
                if (_s.Length >= 3 && _s[0] == 0xEF && _s[1] == 0xBB && _s[2] == 0xBF) throw Error("byte order mark", 0);
                SkipWhitespace();
                while (true)
                {
                    JsonValue? value = ReadValueOrOpen();
                    if (value == null) continue; // a non-empty container was opened: its first entry is next

                    // Hand finished values to their container, closing containers until one expects another entry.
                    while (true)
                    {
                        if (_depth == 0)
                        {
                            SkipWhitespace();
                            if (_pos != _s.Length) throw Error("data after the value", _pos);
                            return value;
                        }
                        ref Frame frame = ref _frames[_depth - 1];
                        if (frame.IsObject) _members.Add(new KeyValuePair<string, JsonValue>(frame.Name!, value));
                        else _items.Add(value);
                        SkipWhitespace();
                        if (_pos >= _s.Length) throw Error("unexpected end of input", _pos);
                        byte b = _s[_pos];
                        if (b == ',')
                        {
                            _pos++;
                            SkipWhitespace();
                            if (frame.IsObject) ReadMemberName(ref frame);
                            break;
                        }
                        if (b == (frame.IsObject ? '}' : ']'))
                        {
                            _pos++;
                            value = Close();
                            continue;
                        }
                        throw Error(frame.IsObject ? "expected ',' or '}' after a member" : "expected ',' or ']' after an item", _pos);
                    }
                }
            }

            // Reads a scalar or an empty container; for a non-empty container, opens it and returns null.
            private JsonValue? ReadValueOrOpen()
            {
                if (_pos >= _s.Length) throw Error("unexpected end of input", _pos);
                byte b = _s[_pos];
                switch (b)
                {
                    case (byte)'{':
                        Open(true);
                        _pos++;
                        SkipWhitespace();
                        if (_pos < _s.Length && _s[_pos] == '}')
                        {
                            _pos++;
                            return Close();
                        }
                        ReadMemberName(ref _frames[_depth - 1]);
                        return null;
                    case (byte)'[':
                        Open(false);
                        _pos++;
                        SkipWhitespace();
                        if (_pos < _s.Length && _s[_pos] == ']')
                        {
                            _pos++;
                            return Close();
                        }
                        return null;
                    case (byte)'"':
                        return JsonValue.ParsedString(ReadString());
                    case (byte)'t':
                        ReadLiteral(TrueBytes);
                        return JsonValue.True;
                    case (byte)'f':
                        ReadLiteral(FalseBytes);
                        return JsonValue.False;
                    case (byte)'n':
                        ReadLiteral(NullBytes);
                        return JsonValue.Null;
                    default:
                        if (b == '-' || (b >= '0' && b <= '9')) return ReadNumber();
                        throw Error("unexpected character where a value was expected", _pos);
                }
            }

            private void Open(bool isObject)
            {
                if (_depth >= _maxDepth) throw Error("nesting deeper than the limit of " + _maxDepth.ToString(CultureInfo.InvariantCulture), _pos);
                if (_depth == _frames.Length) Array.Resize(ref _frames, _frames.Length * 2);
                _frames[_depth++] = new Frame { IsObject = isObject, Start = isObject ? _members.Count : _items.Count };
            }

            private JsonValue Close()
            {
                ref Frame frame = ref _frames[--_depth];
                JsonValue result;
                if (frame.IsObject)
                {
                    int count = _members.Count - frame.Start;
                    var members = new KeyValuePair<string, JsonValue>[count];
                    _members.CopyTo(frame.Start, members, 0, count);
                    _members.RemoveRange(frame.Start, count);
                    result = JsonValue.ParsedObject(members, frame.Index);
                }
                else
                {
                    int count = _items.Count - frame.Start;
                    var items = new JsonValue[count];
                    _items.CopyTo(frame.Start, items, 0, count);
                    _items.RemoveRange(frame.Start, count);
                    result = JsonValue.ParsedArray(items);
                }
                frame = default; // drop references to the name and index
                return result;
            }

            // Reads `"name"` and `:`, rejecting a name already in this object, and leaves _pos at the value.
            private void ReadMemberName(ref Frame frame)
            {
                if (_pos >= _s.Length || _s[_pos] != '"') throw Error("expected a member name string", _pos);
                int namePosition = _pos;
                string name = ReadString();
                int count = _members.Count - frame.Start;
                if (frame.Index != null)
                {
                    if (frame.Index.ContainsKey(name)) throw Error("duplicate member name", namePosition);
                    frame.Index.Add(name, count);
                }
                else
                {
                    for (int i = frame.Start; i < _members.Count; i++)
                    {
                        if (string.Equals(_members[i].Key, name, StringComparison.Ordinal)) throw Error("duplicate member name", namePosition);
                    }
                    if (count >= JsonValue.IndexThreshold)
                    {
                        var index = new Dictionary<string, int>(count * 2, StringComparer.Ordinal);
                        for (int i = 0; i < count; i++) index.Add(_members[frame.Start + i].Key, i);
                        index.Add(name, count);
                        frame.Index = index;
                    }
                }
                frame.Name = name;
                SkipWhitespace();
                if (_pos >= _s.Length || _s[_pos] != ':') throw Error("expected ':' after a member name", _pos);
                _pos++;
                SkipWhitespace();
            }

            private void ReadLiteral(byte[] literal)
            {
                if (_s.Length - _pos < literal.Length) throw Error("invalid literal", _pos);
                for (int i = 0; i < literal.Length; i++)
                {
                    if (_s[_pos + i] != literal[i]) throw Error("invalid literal", _pos);
                }
                _pos += literal.Length;
            }

            private JsonValue ReadNumber()
            {
                int length = JsonNumber.Scan(_s, _pos, out string? rule);
                if (length < 0) throw Error(rule!, -1 - length);
                EnsureChars(length);
                for (int i = 0; i < length; i++) _chars[i] = (char)_s[_pos + i];
                _pos += length;
                return JsonValue.ParsedNumber(new string(_chars, 0, length));
            }

            // Decodes the string at _pos (on its opening quote) in one pass, validating UTF-8 and escapes as it goes.
            private string ReadString()
            {
                byte[] s = _s;
                int start = _pos;
                int p = start + 1;
                int n = 0;
                char[] chars = _chars;
                while (true)
                {
                    if (p >= s.Length) throw Error("unterminated string", start);
                    // Two slots always suffice for one step (a surrogate pair at most).
                    if (n + 2 > chars.Length) chars = EnsureChars(n + 2);
                    byte b = s[p];
                    if (b == '"')
                    {
                        _pos = p + 1;
                        return n == 0 ? string.Empty : new string(chars, 0, n);
                    }
                    if (b == '\\')
                    {
                        p = ReadEscape(p, chars, ref n);
                    }
                    else if (b < 0x20)
                    {
                        throw Error("control character in a string", p);
                    }
                    else if (b < 0x80)
                    {
                        chars[n++] = (char)b;
                        p++;
                    }
                    else
                    {
                        p = ReadUtf8(p, chars, ref n);
                    }
                }
            }

            // Unicode Table 3-7 (well-formed UTF-8): excludes overlongs, UTF-8-encoded surrogates and code points above U+10FFFF.
            private int ReadUtf8(int p, char[] chars, ref int n)
            {
                byte[] s = _s;
                byte b = s[p];
                int trailing, codePoint, low = 0x80, high = 0xBF;
                if (b >= 0xC2 && b <= 0xDF)
                {
                    trailing = 1;
                    codePoint = b & 0x1F;
                }
                else if (b >= 0xE0 && b <= 0xEF)
                {
                    trailing = 2;
                    codePoint = b & 0x0F;
                    if (b == 0xE0) low = 0xA0;
                    else if (b == 0xED) high = 0x9F;
                }
                else if (b >= 0xF0 && b <= 0xF4)
                {
                    trailing = 3;
                    codePoint = b & 0x07;
                    if (b == 0xF0) low = 0x90;
                    else if (b == 0xF4) high = 0x8F;
                }
                else
                {
                    throw Error("invalid UTF-8", p);
                }
                for (int k = 1; k <= trailing; k++)
                {
                    if (p + k >= s.Length) throw Error("invalid UTF-8", p);
                    byte c = s[p + k];
                    if (c < low || c > high) throw Error("invalid UTF-8", p);
                    codePoint = (codePoint << 6) | (c & 0x3F);
                    low = 0x80;
                    high = 0xBF;
                }
                if (codePoint >= 0x10000)
                {
                    codePoint -= 0x10000;
                    chars[n++] = (char)(0xD800 + (codePoint >> 10));
                    chars[n++] = (char)(0xDC00 + (codePoint & 0x3FF));
                }
                else
                {
                    chars[n++] = (char)codePoint;
                }
                return p + trailing + 1;
            }

            private int ReadEscape(int p, char[] chars, ref int n)
            {
                byte[] s = _s;
                if (p + 1 >= s.Length) throw Error("unterminated string", p);
                char c;
                switch (s[p + 1])
                {
                    case (byte)'"': c = '"'; break;
                    case (byte)'\\': c = '\\'; break;
                    case (byte)'/': c = '/'; break;
                    case (byte)'b': c = '\b'; break;
                    case (byte)'f': c = '\f'; break;
                    case (byte)'n': c = '\n'; break;
                    case (byte)'r': c = '\r'; break;
                    case (byte)'t': c = '\t'; break;
                    case (byte)'u':
                        int unit = ReadHex4(p);
                        if (unit >= 0xDC00 && unit <= 0xDFFF) throw Error("unpaired surrogate escape", p);
                        if (unit >= 0xD800 && unit <= 0xDBFF)
                        {
                            // A high surrogate is only a character together with an escaped low surrogate right after it.
                            if (p + 7 >= s.Length || s[p + 6] != '\\' || s[p + 7] != 'u') throw Error("unpaired surrogate escape", p);
                            int second = ReadHex4(p + 6);
                            if (second < 0xDC00 || second > 0xDFFF) throw Error("unpaired surrogate escape", p);
                            chars[n++] = (char)unit;
                            chars[n++] = (char)second;
                            return p + 12;
                        }
                        chars[n++] = (char)unit;
                        return p + 6;
                    default:
                        throw Error("invalid escape", p);
                }
                chars[n++] = c;
                return p + 2;
            }

            // The four hex digits of the \u escape whose backslash is at p.
            private int ReadHex4(int p)
            {
                if (p + 6 > _s.Length) throw Error("invalid \\u escape", p);
                int value = 0;
                for (int i = p + 2; i < p + 6; i++)
                {
                    int b = _s[i];
                    int digit;
                    if (b >= '0' && b <= '9') digit = b - '0';
                    else if (b >= 'a' && b <= 'f') digit = b - 'a' + 10;
                    else if (b >= 'A' && b <= 'F') digit = b - 'A' + 10;
                    else throw Error("invalid \\u escape", p);
                    value = (value << 4) | digit;
                }
                return value;
            }

            private char[] EnsureChars(int needed)
            {
                if (_chars.Length < needed)
                {
                    int size = _chars.Length;
                    while (size < needed) size *= 2;
                    Array.Resize(ref _chars, size);
                }
                return _chars;
            }

            private void SkipWhitespace()
            {
                byte[] s = _s;
                int p = _pos;
                while (p < s.Length)
                {
                    byte b = s[p];
                    if (b != ' ' && b != '\t' && b != '\n' && b != '\r') break;
                    p++;
                }
                _pos = p;
            }
        }
    }

    /// <summary>Compact JSON text, built front to back.</summary>
    /// <remarks>
    /// Misuse (a property outside an object, a bare value inside one, unbalanced ends, a second top-level value,
    /// reading an unfinished document) throws <see cref="InvalidOperationException"/>. Member names are not
    /// checked for duplicates: the caller writes fixed names.
    /// </remarks>
    internal sealed class JsonWriter
    {
        private const string Hex = "0123456789abcdef";

        private readonly StringBuilder _text = new StringBuilder(256);
        // Open containers, innermost last: true for an object, false for an array.
        private readonly List<bool> _open = new List<bool>();
        private bool _needComma;
        private bool _complete;

        /// <summary>Starts an object as a top-level value or an array item.</summary>
        public JsonWriter BeginObject()
        {
            BeforeValue();
            return Open(true);
        }

        /// <summary>Starts an object as the value of a property of the current object.</summary>
        public JsonWriter BeginObject(string name)
        {
            BeforeProperty(name);
            return Open(true);
        }

        /// <summary>Ends the current object.</summary>
        public JsonWriter EndObject() => Close(true);

        /// <summary>Starts an array as a top-level value or an array item.</summary>
        public JsonWriter BeginArray()
        {
            BeforeValue();
            return Open(false);
        }

        /// <summary>Starts an array as the value of a property of the current object.</summary>
        public JsonWriter BeginArray(string name)
        {
            BeforeProperty(name);
            return Open(false);
        }

        /// <summary>Ends the current array.</summary>
        public JsonWriter EndArray() => Close(false);

        /// <summary>Writes a string property; <c>null</c> when <paramref name="value"/> is null.</summary>
        public JsonWriter Property(string name, string? value)
        {
            BeforeProperty(name);
            WriteStringOrNull(value);
            return AfterValue();
        }

        /// <summary>Writes an integer property.</summary>
        public JsonWriter Property(string name, long value)
        {
            BeforeProperty(name);
            _text.Append(value.ToString(CultureInfo.InvariantCulture));
            return AfterValue();
        }

        /// <summary>Writes a boolean property.</summary>
        public JsonWriter Property(string name, bool value)
        {
            BeforeProperty(name);
            _text.Append(value ? "true" : "false");
            return AfterValue();
        }

        /// <summary>Writes a property whose value is a parsed or built tree (numbers keep their literal).</summary>
        public JsonWriter Property(string name, JsonValue value)
        {
            if (value == null) throw new ArgumentNullException(nameof(value));
            BeforeProperty(name);
            WriteTree(value);
            return AfterValue();
        }

        /// <summary>Writes a string (or <c>null</c>) as a top-level value or an array item.</summary>
        public JsonWriter Value(string? value)
        {
            BeforeValue();
            WriteStringOrNull(value);
            return AfterValue();
        }

        /// <summary>Writes an integer as a top-level value or an array item.</summary>
        public JsonWriter Value(long value)
        {
            BeforeValue();
            _text.Append(value.ToString(CultureInfo.InvariantCulture));
            return AfterValue();
        }

        /// <summary>Writes a boolean as a top-level value or an array item.</summary>
        public JsonWriter Value(bool value)
        {
            BeforeValue();
            _text.Append(value ? "true" : "false");
            return AfterValue();
        }

        /// <summary>Writes a tree as a top-level value or an array item.</summary>
        public JsonWriter Value(JsonValue value)
        {
            if (value == null) throw new ArgumentNullException(nameof(value));
            BeforeValue();
            WriteTree(value);
            return AfterValue();
        }

        /// <summary>The finished document; <see cref="InvalidOperationException"/> while it is empty or has open containers.</summary>
        public override string ToString()
        {
            // Handing out half a document would put malformed JSON on the wire without any error.
            if (!_complete) throw new InvalidOperationException("The JSON document is not complete.");
            return _text.ToString();
        }

        private JsonWriter Open(bool isObject)
        {
            _text.Append(isObject ? '{' : '[');
            _open.Add(isObject);
            _needComma = false;
            return this;
        }

        private JsonWriter Close(bool isObject)
        {
            if (_open.Count == 0 || _open[_open.Count - 1] != isObject)
                throw new InvalidOperationException(isObject ? "No object is open." : "No array is open.");
            _open.RemoveAt(_open.Count - 1);
            _text.Append(isObject ? '}' : ']');
            return AfterValue();
        }

        private void BeforeValue()
        {
            if (_complete) throw new InvalidOperationException("The JSON document already has its value.");
            if (_open.Count > 0 && _open[_open.Count - 1]) throw new InvalidOperationException("A value inside an object needs a property name.");
            if (_needComma) _text.Append(',');
        }

        private void BeforeProperty(string name)
        {
            if (name == null) throw new ArgumentNullException(nameof(name));
            if (_open.Count == 0 || !_open[_open.Count - 1]) throw new InvalidOperationException("A property can only be written inside an object.");
            if (_needComma) _text.Append(',');
            WriteString(name);
            _text.Append(':');
        }

        private JsonWriter AfterValue()
        {
            _needComma = true;
            if (_open.Count == 0) _complete = true;
            return this;
        }

        private void WriteStringOrNull(string? value)
        {
            if (value == null) _text.Append("null");
            else WriteString(value);
        }

        // Escapes only what JSON requires; '/' and non-ASCII are written as they are.
        private void WriteString(string value)
        {
            StringBuilder text = _text;
            text.Append('"');
            int run = 0; // start of the pending run of characters that need no escaping
            for (int i = 0; i < value.Length; i++)
            {
                char c = value[i];
                if (c >= 0x20 && c != '"' && c != '\\' && !char.IsSurrogate(c)) continue;
                if (char.IsHighSurrogate(c) && i + 1 < value.Length && char.IsLowSurrogate(value[i + 1]))
                {
                    i++;
                    continue;
                }
                if (char.IsSurrogate(c))
                {
                    // UTF-8 on the wire cannot carry it; silently replacing it would send a different string.
                    throw new ArgumentException("The string contains an unpaired UTF-16 surrogate.", nameof(value));
                }
                text.Append(value, run, i - run);
                if (c == '"') text.Append("\\\"");
                else if (c == '\\') text.Append("\\\\");
                else text.Append("\\u00").Append(Hex[c >> 4]).Append(Hex[c & 0xF]);
                run = i + 1;
            }
            text.Append(value, run, value.Length - run);
            text.Append('"');
        }

        private void WriteScalar(JsonValue value)
        {
            switch (value.Kind)
            {
                case JsonKind.Null: _text.Append("null"); break;
                case JsonKind.True: _text.Append("true"); break;
                case JsonKind.False: _text.Append("false"); break;
                case JsonKind.Number: _text.Append(value.AsNumberLiteral()); break;
                case JsonKind.String: WriteString(value.AsString()!); break;
            }
        }

        // Iterative so that a deep tree (built or parsed with a high depth limit) cannot exhaust the stack.
        private void WriteTree(JsonValue root)
        {
            if (root.Kind != JsonKind.Array && root.Kind != JsonKind.Object)
            {
                WriteScalar(root);
                return;
            }
            var stack = new List<KeyValuePair<JsonValue, int>>(); // container, index of its next entry
            _text.Append(root.Kind == JsonKind.Array ? '[' : '{');
            stack.Add(new KeyValuePair<JsonValue, int>(root, 0));
            while (stack.Count > 0)
            {
                int top = stack.Count - 1;
                JsonValue node = stack[top].Key;
                int next = stack[top].Value;
                bool isArray = node.Kind == JsonKind.Array;
                int count = isArray ? node.ItemArray.Length : node.MemberArray.Length;
                if (next == count)
                {
                    _text.Append(isArray ? ']' : '}');
                    stack.RemoveAt(top);
                    continue;
                }
                if (next > 0) _text.Append(',');
                JsonValue child;
                if (isArray)
                {
                    child = node.ItemArray[next];
                }
                else
                {
                    WriteString(node.MemberArray[next].Key);
                    _text.Append(':');
                    child = node.MemberArray[next].Value;
                }
                stack[top] = new KeyValuePair<JsonValue, int>(node, next + 1);
                if (child.Kind == JsonKind.Array || child.Kind == JsonKind.Object)
                {
                    _text.Append(child.Kind == JsonKind.Array ? '[' : '{');
                    stack.Add(new KeyValuePair<JsonValue, int>(child, 0));
                }
                else
                {
                    WriteScalar(child);
                }
            }
        }
    }
}
