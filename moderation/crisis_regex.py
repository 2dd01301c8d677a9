"""Compile the crisis pattern language (macros, loose spaces, doubled letters) into fast regexes."""

from __future__ import annotations

import re
import string
from collections.abc import Mapping, Sequence

# A space in a pattern: any run of non-letters that stays inside one sentence, possibly none.
SEP = r"[^\w.!?;\n]*"
_MACRO = re.compile(r"\{([a-z_]+)\}")
_QUANTIFIER = re.compile(r"[?*+]\??|\{(\d*)(?:,\d*)?\}\??")
_ESCAPES = {"d": frozenset(string.digits), "n": frozenset("\n"), "t": frozenset("\t")}
_LEADS = string.ascii_lowercase + string.digits

# None stands for "any character": the analysis gave up, so the pattern is tried everywhere.
_Chars = frozenset[str] | None


def expand(pattern: str, macros: Mapping[str, str], depth: int = 0) -> str:
    """Replace each ``{name}`` with its macro, recursively."""
    if depth > 8:
        raise ValueError(f"crisis macros nest too deeply in {pattern!r}")

    def substitute(match: re.Match[str]) -> str:
        name = match.group(1)
        if name not in macros:
            raise ValueError(f"unknown crisis macro {{{name}}} in {pattern!r}")
        return expand(macros[name], macros, depth + 1)

    return _MACRO.sub(substitute, pattern)


def translate(pattern: str) -> str:
    """Spaces become separators, doubled letters optional doubles, groups non-capturing."""
    out: list[str] = []
    i = 0
    in_class = False
    while i < len(pattern):
        char = pattern[i]
        following = pattern[i + 1] if i + 1 < len(pattern) else ""
        step = 1
        if char == "\\":
            char, step = pattern[i : i + 2], 2
        elif in_class:
            in_class = char != "]"
        elif char == "[":
            in_class = True
        elif char == " " and following not in "*+?{":
            char = SEP
        elif char == "(" and following != "?":
            # Non-capturing groups let the regex engine skip branches on their first letter.
            char = "(?:"
        elif char.isalpha() and following == char:
            char, step = f"{char}{char}?", 2
        out.append(char)
        i += step
    return "".join(out)


def bounded(body: str) -> str:
    """``body`` held to word edges: it may not start or end inside a word.

    A following "i", "im", "ive", "id" or "ill" also counts as an edge: titles run into
    lower-case bodies ("kill myselfi have") and no English word continues that way.
    """
    return rf"(?<![a-z])(?:{body})(?:(?![a-z])|(?=i(?:m|ve|d|ll)?(?![a-z])))"


def compile_scanner(bodies: Sequence[str]) -> re.Pattern[str] | None:
    """One regex finding any of ``bodies``, dispatching on the first two characters.

    Python's engine tries every branch of a big alternation at every word start, so the
    cost grows with the number of patterns. Grouping the branches behind lookaheads on the
    first two characters ("ki", "i ", "wa") leaves only a handful to try at each word.
    """
    if not bodies:
        return None
    by_pair: dict[str, dict[str, list[str]]] = {lead: {} for lead in _LEADS}
    anywhere: list[str] = []
    for body in bodies:
        starts = prefixes(body, _SIZE)
        if starts is None or not all(p and p[0] in _LEADS for p in starts):
            leads = first_chars(body)
            if leads is None or not leads <= set(_LEADS):
                anywhere.append(body)
                continue
            starts = frozenset(leads)
        for start in starts:
            by_pair[start[0]].setdefault(start[1:], []).append(body)
    branches: list[str] = []
    for lead, pairs in by_pair.items():
        if pairs:
            inner = "|".join(_pair_branch(lead, rest, group) for rest, group in pairs.items())
            branches.append(f"(?={lead})(?:{inner})")
    branches.extend(anywhere)
    return re.compile(bounded("|".join(branches)))


def _pair_branch(lead: str, second: str, group: list[str]) -> str:
    body = "|".join(group)
    if not second:
        return f"(?:{body})"
    follow = "".join("[^a-z0-9]" if c == _GAP else c for c in second)
    return f"(?={lead}{follow})(?:{body})"


def prefixes(pattern: str, size: int = 2) -> _Prefixes:
    """The strings of ``size`` characters a match of ``pattern`` can begin with.

    A shorter string is a whole match; ``" "`` stands for any character that is not a
    lower-case letter or digit. None when the set is unknown (``.``) or too large to help.
    """
    found, _end = _p_alternation(pattern, 0, size)
    return found


def first_chars(pattern: str) -> _Chars:
    """The characters a match of ``pattern`` can start with (None: any character)."""
    chars, _nullable, _end = _alternation(pattern, 0)
    return chars


def _union(left: _Chars, right: _Chars) -> _Chars:
    return None if left is None or right is None else left | right


def _alternation(src: str, i: int) -> tuple[_Chars, bool, int]:
    chars: _Chars = frozenset()
    nullable = False
    while True:
        branch, empty, i = _sequence(src, i)
        chars = _union(chars, branch)
        nullable = nullable or empty
        if i < len(src) and src[i] == "|":
            i += 1
            continue
        return chars, nullable, i


def _sequence(src: str, i: int) -> tuple[_Chars, bool, int]:
    chars: _Chars = frozenset()
    still_open = True
    while i < len(src) and src[i] not in "|)":
        atom, nullable, i = _atom(src, i)
        quantifier = _QUANTIFIER.match(src, i)
        if quantifier:
            i = quantifier.end()
            text = quantifier.group()
            optional = text[0] in "?*" or (text[0] == "{" and (quantifier.group(1) or "0") == "0")
            nullable = nullable or optional
        if still_open:
            chars = _union(chars, atom)
            still_open = nullable
    return chars, still_open, i


def _atom(src: str, i: int) -> tuple[_Chars, bool, int]:
    char = src[i]
    if char == "(":
        if src.startswith(("(?=", "(?!", "(?<=", "(?<!"), i):
            _, _, end = _alternation(src, i + (4 if src[i + 2] == "<" else 3))
            return frozenset(), True, end + 1
        chars, nullable, end = _alternation(src, i + 3 if src.startswith("(?:", i) else i + 1)
        return chars, nullable, end + 1
    if char == "[":
        end = _class_end(src, i + 1)
        if src[i + 1] == "^":
            return None, False, end
        return _class_chars(src[i + 1 : end - 1]), False, end
    if char == "\\":
        escaped = src[i + 1]
        if escaped in "bBAZ":
            return frozenset(), True, i + 2
        if escaped in _ESCAPES:
            return _ESCAPES[escaped], False, i + 2
        return (None if escaped.isalpha() else frozenset(escaped)), False, i + 2
    if char in "^$":
        return frozenset(), True, i + 1
    return (None if char == "." else frozenset(char)), False, i + 1


def _class_end(src: str, j: int) -> int:
    if src[j] in "^]":
        j += 1
    while src[j] != "]":
        j += 2 if src[j] == "\\" else 1
    return j + 1


def _class_chars(body: str) -> _Chars:
    out: set[str] = set()
    k = 0
    while k < len(body):
        if body[k] == "\\":
            escaped = body[k + 1]
            if escaped in _ESCAPES:
                out |= _ESCAPES[escaped]
            elif escaped.isalpha():
                return None
            else:
                out.add(escaped)
            k += 2
        elif k + 2 < len(body) and body[k + 1] == "-":
            out.update(chr(code) for code in range(ord(body[k]), ord(body[k + 2]) + 1))
            k += 3
        else:
            out.add(body[k])
            k += 1
    return frozenset(out)


# Prefix analysis: like first_chars, but for the first ``size`` characters of a match.
_GAP = " "
_SIZE = 2
_ALNUM = frozenset(_LEADS)
_MAX_PREFIXES = 96
_Prefixes = frozenset[str] | None
_EMPTY: frozenset[str] = frozenset({""})


def _concat(left: _Prefixes, right: _Prefixes, size: int) -> _Prefixes:
    if left is not None and all(len(p) >= size for p in left):
        return left
    if left is None or right is None:
        return None
    out = frozenset((a + b)[:size] if len(a) < size else a for a in left for b in right)
    return out if len(out) <= _MAX_PREFIXES else None


def _p_union(left: _Prefixes, right: _Prefixes) -> _Prefixes:
    if left is None or right is None:
        return None
    out = left | right
    return out if len(out) <= _MAX_PREFIXES else None


def _p_alternation(src: str, i: int, size: int) -> tuple[_Prefixes, int]:
    found: _Prefixes = frozenset()
    while True:
        branch, i = _p_sequence(src, i, size)
        found = _p_union(found, branch)
        if i < len(src) and src[i] == "|":
            i += 1
            continue
        return found, i


def _p_sequence(src: str, i: int, size: int) -> tuple[_Prefixes, int]:
    found: _Prefixes = _EMPTY
    while i < len(src) and src[i] not in "|)":
        atom, i = _p_atom(src, i, size)
        quantifier = _QUANTIFIER.match(src, i)
        if quantifier:
            i = quantifier.end()
            atom = _repeat(atom, quantifier, size)
        found = _concat(found, atom, size)
    return found, i


def _repeat(atom: _Prefixes, quantifier: re.Match[str], size: int) -> _Prefixes:
    text = quantifier.group()
    if text[0] == "?":
        return _p_union(atom, _EMPTY)
    least = 1 if text[0] == "+" else 0 if text[0] == "*" else int(quantifier.group(1) or 0)
    out: _Prefixes = _EMPTY
    for _ in range(min(least, size)):
        out = _concat(out, atom, size)
    if text[0] == "{" and "," not in text:
        return out
    # Any number more: enough optional copies to fill the prefix.
    optional = _p_union(atom, _EMPTY)
    for _ in range(size):
        out = _concat(out, optional, size)
    return out


def _p_atom(src: str, i: int, size: int) -> tuple[_Prefixes, int]:
    char = src[i]
    if char == "(":
        if src.startswith(("(?=", "(?!", "(?<=", "(?<!"), i):
            _, end = _p_alternation(src, i + (4 if src[i + 2] == "<" else 3), size)
            return _EMPTY, end + 1
        found, end = _p_alternation(src, i + 3 if src.startswith("(?:", i) else i + 1, size)
        return found, end + 1
    if char == "[":
        end = _class_end(src, i + 1)
        negated = src[i + 1] == "^"
        symbols = _class_symbols(src[i + 1 + negated : end - 1])
        if negated:
            # A negated class nearly always admits some punctuation, so keep the gap.
            symbols = (_ALNUM - symbols) | {_GAP}
        return symbols, end
    if char == "\\":
        escaped = src[i + 1]
        if escaped in "bBAZ":
            return _EMPTY, i + 2
        if escaped == "d":
            return frozenset(string.digits), i + 2
        if escaped == "w":
            return _ALNUM | {_GAP}, i + 2
        if escaped.isalpha() and escaped not in "nst":
            return None, i + 2
        return frozenset({_GAP}), i + 2
    if char in "^$":
        return _EMPTY, i + 1
    if char == ".":
        return None, i + 1
    return frozenset({char if char in _ALNUM else _GAP}), i + 1


def _class_symbols(body: str) -> frozenset[str]:
    out: set[str] = set()
    k = 0
    while k < len(body):
        if body[k] == "\\":
            escaped = body[k + 1]
            if escaped == "w":
                out |= _ALNUM | {_GAP}
            elif escaped == "d":
                out |= set(string.digits)
            else:
                out.add(_GAP)
            k += 2
        elif k + 2 < len(body) and body[k + 1] == "-":
            span = {chr(code) for code in range(ord(body[k]), ord(body[k + 2]) + 1)}
            out |= {c if c in _ALNUM else _GAP for c in span}
            k += 3
        else:
            out.add(body[k] if body[k] in _ALNUM else _GAP)
            k += 1
    return frozenset(out)
