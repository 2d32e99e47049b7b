"""The Japanese edition, kept in step with the English lessons by gettext catalogs.

    .venv/bin/python tools/i18n.py update          # English lessons -> their catalogs
    .venv/bin/python tools/i18n.py status          # what is untranslated, fuzzy or missing
    .venv/bin/python tools/i18n.py build           # English lessons + catalogs -> notebooks/ja/
    .venv/bin/python tools/i18n.py compile         # the library's catalog -> dqn_lib/locale/*.mo

The English lessons are the source. Each lesson has one catalog,
``locale/ja/LC_MESSAGES/lessons/NN_name.po``, holding a message for every markdown cell (the
whole cell) and for every student-facing string literal of its code cells (msgctxt ``code``:
the literal as written, quotes and ``f`` prefix included, so a translated f-string keeps its
``{expressions}``). ``update`` merges the lessons into the catalogs the way gettext's msgmerge
does: a message whose English is unchanged keeps its translation; a changed one gets the
translation of the closest old message, marked fuzzy with the old English beside it
(``#| msgid``), for a translator to check; a new one is left empty. ``build`` writes
``notebooks/ja/NN_name.py``: the English lesson with every markdown cell and literal replaced by
its translation and one line in the setup cell that chooses Japanese; it refuses while any
message is untranslated or fuzzy, and names them. ``tools/build_outputs.py notebooks/ja/...``
then runs it and writes the ``.ipynb``.

The library has one more catalog, ``locale/ja/LC_MESSAGES/dqn_lib.po``: every message the
library passes to ``dqn_lib.i18n.tr`` (``update`` finds them in ``dqn_lib/**/*.py``, the
exercise checks' package ``dqn_lib/checks/`` included). ``compile``
turns it into the ``.mo`` file that Python's gettext reads when a lesson calls
``dqn_lib.set_language("ja")``.

A literal is student-facing when it holds a letter and either a space (a sentence, a title, a
label with two words) or is what a label, a title or a printed line is made of (``label=``,
``set_xlabel(...)``, ``print(...)``); an f-string's words include those inside its
``{expressions}`` (a table header ``{'seed':>5}``), but not keys such as ``row['final_100']``.
A translator keeps a literal that must not change (a key the code looks up) by copying the
English into ``msgstr``. A translated f-string keeps what its
``{expressions}`` compute; the text and the format spec inside them may change
(``{'batch of 64':<26}`` -> ``{'64 個のバッチ':<22}``: a Japanese character takes two columns).

A label the lesson's code both prints and looks up (``values["as written", seed]``) is a *key
label*: an entry with msgctxt ``key``, added to the catalog by hand, whose translation replaces
every literal of that text in the lesson (keys included), so the lookups still agree. ``update``
keeps it while the literal is in the lesson; ``status`` names one that is not, or that a printed
copy of the same literal translates differently. Never make a key label of a literal the library
reads (a preset's name, a config value): the Japanese lesson's run would fail on it.
"""

from __future__ import annotations

import argparse
import ast
import copy
import difflib
import re
import sys
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import jupytext
import polib

ROOT = Path(__file__).resolve().parent.parent
NOTEBOOKS = ROOT / "notebooks"
JA = NOTEBOOKS / "ja"
CATALOGS = ROOT / "locale" / "ja" / "LC_MESSAGES" / "lessons"
LIBRARY_CATALOG = ROOT / "locale" / "ja" / "LC_MESSAGES" / "dqn_lib.po"
LIBRARY_MO = ROOT / "dqn_lib" / "locale" / "ja" / "LC_MESSAGES" / "dqn_lib.mo"
LESSON = re.compile(r"\d\d_\w+\.py")
CODE = "code"
"""The msgctxt of a code cell's string literal (markdown cells have none)."""
KEY = "key"
"""The msgctxt of a label the lesson's code also uses as a key (``values["as written", seed]``):
written by hand into the catalog, it replaces every literal of that text in the lesson's code,
keys included, so that the lookups still agree and the printed label is Japanese."""
LANGUAGE_LINE = 'dqn_lib.set_language("ja")  # 日本語のメッセージと図'
"""The line the Japanese edition adds at the end of each lesson's first code cell."""

LABEL_KEYWORDS = {"label", "title", "xlabel", "ylabel", "description", "desc", "text", "name"}
LABEL_CALLS = {
    "print",
    "set_title",
    "set_xlabel",
    "set_ylabel",
    "suptitle",
    "title",
    "xlabel",
    "ylabel",
    "text",
    "annotate",
    "legend",
    "HTML",
    "Markdown",
}


def lessons() -> list[Path]:
    """The English lessons' percent-format sources, in order."""
    return sorted(p for p in NOTEBOOKS.glob("*.py") if LESSON.fullmatch(p.name))


def catalog_path(lesson: Path) -> Path:
    return CATALOGS / f"{lesson.stem}.po"


@dataclass(frozen=True)
class Literal:
    """One student-facing string literal of a code cell: where it is and how it is written."""

    start: int  # offsets into the cell's source
    end: int
    text: str  # the source text, quotes and prefix included


def _offsets(source: str) -> list[int]:
    """The offset of each line's first character (ast positions are line and column)."""
    starts, total = [0], 0
    for line in source.splitlines(keepends=True):
        total += len(line)
        starts.append(total)
    return starts


def _is_words(value: str) -> bool:
    return bool(re.search(r"[A-Za-z]", value))


def _labelled(node: ast.AST, parents: dict[ast.AST, ast.AST]) -> bool:
    """Whether a literal is (part of) a label, a title, a printed line or a widget's text."""
    child, parent = node, parents.get(node)
    while isinstance(parent, ast.BinOp | ast.JoinedStr | ast.FormattedValue | ast.Tuple):
        child, parent = parent, parents.get(parent)
    if isinstance(parent, ast.keyword):
        return parent.arg in LABEL_KEYWORDS
    if isinstance(parent, ast.Call) and child in parent.args:
        function = parent.func
        name = function.attr if isinstance(function, ast.Attribute) else getattr(function, "id", "")
        return name in LABEL_CALLS
    return False


def _code_only(node: ast.AST, parents: dict[ast.AST, ast.AST]) -> bool:
    """A literal the code itself reads: compared, looked up, a dict key, or an option such as
    ``loc="lower left"`` (a keyword other than a label's)."""
    parent = parents.get(node)
    while isinstance(parent, ast.Tuple):  # perturbed["DQN", "cart within 1 m"]: a key too
        node, parent = parent, parents.get(parent)
    if isinstance(parent, ast.keyword):
        return parent.arg not in LABEL_KEYWORDS
    if isinstance(parent, ast.Compare) and _looks_for_a_phrase(node, parent):
        return False  # "Did you mean 'gamma'?" in message: a phrase of the library's message
    if isinstance(parent, ast.Compare | ast.Subscript):
        return True
    return isinstance(parent, ast.Dict) and any(key is node for key in parent.keys)


def _looks_for_a_phrase(node: ast.AST, compare: ast.Compare) -> bool:
    """``"a phrase" in text``: a lesson checking what a message says, which the Japanese
    edition's library says in Japanese."""
    value = node.value if isinstance(node, ast.Constant) else None
    return (
        compare.left is node
        and isinstance(value, str)
        and " " in value.strip()
        and all(isinstance(op, ast.In | ast.NotIn) for op in compare.ops)
    )


def _string_literals(source: str) -> Iterator[tuple[ast.AST, dict[ast.AST, ast.AST], Literal]]:
    """Every string literal of one code cell, an f-string whole (never its pieces), with its
    node, the tree's parents and where it stands in the source."""
    tree = ast.parse(source)
    parents = {child: node for node in ast.walk(tree) for child in ast.iter_child_nodes(node)}
    starts = _offsets(source)
    for node in ast.walk(tree):
        is_text = isinstance(node, ast.Constant) and isinstance(node.value, str)
        if not (is_text or isinstance(node, ast.JoinedStr)):
            continue
        ancestor = parents.get(node)
        while ancestor is not None and not isinstance(ancestor, ast.JoinedStr):
            ancestor = parents.get(ancestor)
        if ancestor is not None:
            continue  # inside an f-string, which is the literal
        start = starts[node.lineno - 1] + _char_column(source, starts, node.lineno, node.col_offset)
        end = starts[node.end_lineno - 1] + _char_column(
            source, starts, node.end_lineno, node.end_col_offset
        )
        yield node, parents, Literal(start, end, source[start:end])


def literals(source: str) -> list[Literal]:
    """The student-facing string literals of one code cell, in source order."""
    found: list[Literal] = []
    for node, parents, literal in _string_literals(source):
        if isinstance(node, ast.JoinedStr):  # its text, and a header inside {'seed':>5}
            words = "".join(v.value for v in node.values if isinstance(v, ast.Constant))
            words += " ".join(
                t
                for t in _texts_in_expressions(node)
                if "_" not in t and len(re.findall("[A-Za-z]", t)) > 1
            )
        else:
            words = node.value  # type: ignore[attr-defined]
        if not _is_words(words) or _code_only(node, parents):
            continue
        if re.search(r"\s", words) or _labelled(node, parents):
            found.append(literal)
    return sorted(found, key=lambda literal: literal.start)


def _char_column(source: str, starts: list[int], line: int, byte_column: int) -> int:
    """ast's columns count UTF-8 bytes; the source is indexed by characters."""
    text = source[starts[line - 1] : starts[line] if line < len(starts) else len(source)]
    return len(text.encode("utf-8")[:byte_column].decode("utf-8"))


@dataclass(frozen=True)
class Message:
    msgid: str
    msgctxt: str | None
    lesson: Path
    line: int  # in the lesson's .py, for the catalog's #: reference


def messages(lesson: Path) -> Iterator[Message]:
    """Every message of one lesson, in the lesson's order (duplicates included)."""
    notebook = jupytext.read(lesson)
    text = lesson.read_text(encoding="utf-8")
    cursor = 0
    for cell in notebook.cells:
        found = text.find(cell.source.splitlines()[0] if cell.source else "", cursor)
        position = found if found >= 0 else cursor
        line = text.count("\n", 0, position) + 1
        cursor = max(cursor, position)
        if cell.cell_type == "markdown" and cell.source.strip():
            yield Message(cell.source, None, lesson, line)
        elif cell.cell_type == "code":
            for literal in literals(_python_only(cell.source)):
                offset = cell.source.count("\n", 0, literal.start)
                yield Message(literal.text, CODE, lesson, line + offset)


def _python_only(source: str) -> str:
    """A code cell's source with IPython's magics (``%matplotlib``) blanked, for ast."""
    return "\n".join(
        "" if line.lstrip().startswith(("%", "!")) else line for line in source.split("\n")
    )


def _key(entry: polib.POEntry | Message) -> tuple[str | None, str]:
    return (entry.msgctxt or None, entry.msgid)


def update(lesson: Path) -> polib.POFile:
    """Merge one lesson's messages into its catalog (msgmerge's rules) and return the catalog.
    Key labels (msgctxt ``key``) are kept while their literal is still in the lesson's code."""
    path = catalog_path(lesson)
    old = polib.pofile(str(path), wrapwidth=0) if path.exists() else None
    present = key_literals(lesson)
    keys = [e for e in old or [] if e.msgctxt == KEY and e.msgid in present]
    labels = {e.msgid for e in keys}  # a key label stands for its printed literal too
    catalog = _merge(old, [m for m in messages(lesson) if m.msgid not in labels])
    catalog.extend(keys)
    return catalog


def _all_literals(source: str) -> list[Literal]:
    """Every string literal of one code cell (an f-string whole, not its pieces)."""
    return sorted((literal for _, _, literal in _string_literals(source)), key=lambda x: x.start)


def key_literals(lesson: Path) -> set[str]:
    """The string literals of a lesson's code cells, as written (quotes included)."""
    found: set[str] = set()
    for cell in jupytext.read(lesson).cells:
        if cell.cell_type == "code":
            found.update(literal.text for literal in _all_literals(_python_only(cell.source)))
    return found


def _merge(old: polib.POFile | None, found: list[Message]) -> polib.POFile:
    """A new catalog of ``found`` with the translations of ``old``: an unchanged message keeps
    its translation, a changed one gets the closest old one's, marked fuzzy."""
    catalog = polib.POFile(wrapwidth=0)
    catalog.metadata = {
        "Project-Id-Version": "dqn-step-by-step",
        "Language": "ja",
        "MIME-Version": "1.0",
        "Content-Type": "text/plain; charset=UTF-8",
        "Content-Transfer-Encoding": "8bit",
        "Plural-Forms": "nplurals=1; plural=0;",
    }
    translated = {}
    if old is not None:
        translated = {_key(e): e for e in old if not e.obsolete}
    entries: dict[tuple[str | None, str], polib.POEntry] = {}
    for message in found:
        reference = message.lesson.relative_to(ROOT).as_posix()
        key = _key(message)
        if key in entries:
            entries[key].occurrences.append((reference, str(message.line)))
            continue
        entry = polib.POEntry(
            msgctxt=message.msgctxt,
            msgid=message.msgid,
            occurrences=[(reference, str(message.line))],
        )
        previous = translated.get(key)
        if previous is not None:
            entry.msgstr = previous.msgstr
            entry.flags = list(previous.flags)
            entry.tcomment = previous.tcomment
            entry.previous_msgid = previous.previous_msgid if "fuzzy" in previous.flags else None
        entries[key] = entry
    used = set(entries)
    unused = [e for k, e in translated.items() if k not in used and e.msgstr]
    for entry in entries.values():
        if entry.msgstr or not unused:
            continue
        same_kind = [e for e in unused if (e.msgctxt or None) == entry.msgctxt]
        best = difflib.get_close_matches(entry.msgid, [e.msgid for e in same_kind], n=1, cutoff=0.6)
        if best:
            match = next(e for e in same_kind if e.msgid == best[0])
            entry.msgstr = match.msgstr
            entry.flags = ["fuzzy"]
            entry.previous_msgid = match.msgid
    catalog.extend(entries.values())
    return catalog


def problems(lesson: Path, catalog: polib.POFile | None = None) -> list[str]:
    """What keeps a lesson's catalog from building: untranslated, fuzzy, invalid or missing."""
    path = catalog_path(lesson)
    if catalog is None:
        if not path.exists():
            return [f"{path.relative_to(ROOT)}: missing; run tools/i18n.py update"]
        catalog = polib.pofile(str(path), wrapwidth=0)
    found = []
    have = {_key(e): e for e in catalog if not e.obsolete}
    for message in messages(lesson):
        entry = have.get(_key(message)) or have.get((KEY, message.msgid))
        where = f"{lesson.name}:{message.line}"
        first = message.msgid.strip().splitlines()[0][:70]
        if entry is None:
            found.append(f"{where}: not in the catalog (stale catalog; run update): {first!r}")
        elif not entry.msgstr:
            found.append(f"{where}: untranslated: {first!r}")
        elif "fuzzy" in entry.flags:
            found.append(
                f"{where}: fuzzy (the English changed; check, then drop the flag): {first!r}"
            )
        elif message.msgctxt == CODE and (error := literal_error(entry.msgid, entry.msgstr)):
            found.append(f"{where}: {error}: {first!r}")
    present = key_literals(lesson)
    keys = {
        ast.literal_eval(e.msgid): ast.literal_eval(e.msgstr)
        for e in catalog
        if e.msgctxt == KEY and e.msgstr and _expressions(e.msgid) == _expressions(e.msgstr) == []
    }
    for entry in catalog:
        if entry.msgctxt == CODE and entry.msgstr and keys:
            english = _texts_in_expressions(entry.msgid)
            japanese = _texts_in_expressions(entry.msgstr)
            for i, text in enumerate(english):
                if text in keys and (i >= len(japanese) or japanese[i] != keys[text]):
                    found.append(
                        f"{lesson.name}: {entry.msgid.strip()[:60]!r} compares with the key label "
                        f"{text!r} inside an expression: write {keys[text]!r} there"
                    )
    for entry in catalog:
        if entry.obsolete or entry.msgctxt != KEY:
            continue
        where = f"{lesson.name}: key label {entry.msgid}"
        code = have.get((CODE, entry.msgid))
        if entry.msgid not in present:
            found.append(f"{where}: no longer in the lesson's code; remove it from the catalog")
        elif not entry.msgstr or "fuzzy" in entry.flags:
            found.append(f"{where}: untranslated or fuzzy")
        elif error := literal_error(entry.msgid, entry.msgstr):
            found.append(f"{where}: {error}")
        elif code is not None and code.msgstr != entry.msgstr:
            found.append(f"{where}: its translation as a printed literal differs: {code.msgstr}")
    return list(dict.fromkeys(found))


def _parsed(text: str) -> ast.expr | None:
    """A literal's source as one expression, or None if it does not parse."""
    try:  # in parentheses: a literal split over indented lines parses as it does in the code
        return ast.parse("(" + text.strip() + "\n)", mode="eval").body
    except SyntaxError:
        return None


def _expressions(text: str) -> list[str] | None:
    """The ``{expressions}`` of a string literal's source, or None if it is not one literal."""
    node = _parsed(text)
    if isinstance(node, ast.Constant) and isinstance(node.value, str):
        return []
    if isinstance(node, ast.JoinedStr):
        return sorted(_code_of(v) for v in node.values if isinstance(v, ast.FormattedValue))
    return None


def _texts_in_expressions(literal: str | ast.AST) -> list[str]:
    """The string constants inside a literal's ``{expressions}`` (its source or its node)."""
    node = _parsed(literal) if isinstance(literal, str) else literal
    if node is None:
        return []
    values = [v for v in ast.walk(node) if isinstance(v, ast.FormattedValue)]
    return [
        c.value
        for v in values
        for c in ast.walk(v.value)
        if isinstance(c, ast.Constant) and isinstance(c.value, str)
    ]


class _BlankText(ast.NodeTransformer):
    def visit_Constant(self, node: ast.Constant) -> ast.Constant:
        return ast.Constant("") if isinstance(node.value, str) else node


def _code_of(value: ast.FormattedValue) -> str:
    """What an ``{expression}`` computes, with its text and its format spec left out: a table
    header written as ``{'batch of 64':<26}`` may be translated, and its width changed so that the
    Japanese header (two columns a character) stays above its column."""
    expression = _BlankText().visit(copy.deepcopy(value.value))
    return f"{ast.unparse(expression)}!{value.conversion}"


def literal_error(english: str, japanese: str) -> str | None:
    """Why a translated literal cannot replace the English one, or None if it can."""
    theirs = _expressions(japanese)
    if theirs is None:
        return "the translation is not one Python string literal"
    if theirs != _expressions(english):
        return "the translation's {expressions} differ from the English ones"
    return None


def translate_lesson(lesson: Path, catalog: polib.POFile) -> str:
    """The Japanese lesson's percent-format text: the English one, translated."""
    table = {_key(e): e.msgstr for e in catalog if not e.obsolete and e.msgstr}
    notebook = jupytext.read(lesson)
    first_code = True
    for cell in notebook.cells:
        if cell.cell_type == "markdown" and cell.source.strip():
            cell.source = table[(None, cell.source)]
        elif cell.cell_type == "code":
            source = cell.source
            python = _python_only(source)
            replacements = {
                literal.start: (
                    literal,
                    table.get((CODE, literal.text)) or table[(KEY, literal.text)],
                )
                for literal in literals(python)
            }
            for literal in _all_literals(python):
                if literal.start in replacements:
                    continue
                if (KEY, literal.text) in table:
                    replacements[literal.start] = (literal, table[(KEY, literal.text)])
                elif (inside := _keys_inside(literal.text, table)) != literal.text:
                    replacements[literal.start] = (literal, inside)
            for start in sorted(replacements, reverse=True):
                literal, text = replacements[start]
                source = source[: literal.start] + text + source[literal.end :]
            if first_code:
                source = source.rstrip("\n") + "\n" + LANGUAGE_LINE
                first_code = False
            cell.source = source
    return jupytext.writes(notebook, fmt="py:percent")


def _keys_inside(text: str, table: dict[tuple[str | None, str], str]) -> str:
    """An untranslated f-string with every key label inside its ``{expressions}`` translated
    (``{np.sum(endings == 'cart left')}``), so that it compares with what the lesson stores."""
    if not text.lower().startswith(("f", "rf", "fr")):
        return text
    for (context, english), japanese in table.items():
        if context == KEY and not english.lower().startswith(("f", "rf", "fr")):
            before, after = ast.literal_eval(english), ast.literal_eval(japanese)
            for quote in ("'", '"'):
                text = text.replace(quote + before + quote, quote + after + quote)
    return text


def build(lesson: Path) -> Path:
    """Write ``notebooks/ja/<lesson>.py`` from the English lesson and its catalog."""
    found = problems(lesson)
    if found:
        raise SystemExit(
            f"{lesson.name}: cannot build the Japanese lesson:\n  " + "\n  ".join(found)
        )
    catalog = polib.pofile(str(catalog_path(lesson)), wrapwidth=0)
    JA.mkdir(exist_ok=True)
    target = JA / lesson.name
    target.write_text(translate_lesson(lesson, catalog), encoding="utf-8")
    return target


def library_files() -> list[Path]:
    """The library's source files, its subpackages' (``dqn_lib/checks/``) included."""
    return sorted((ROOT / "dqn_lib").rglob("*.py"))


def library_messages() -> Iterator[Message]:
    """Every ``tr("...")`` of the library, in file order."""
    for path in library_files():
        tree = ast.parse(path.read_text(encoding="utf-8"))
        for node in ast.walk(tree):
            if (
                isinstance(node, ast.Call)
                and isinstance(node.func, ast.Name)
                and node.func.id == "tr"
                and node.args
            ):
                argument = node.args[0]
                if isinstance(argument, ast.Constant) and isinstance(argument.value, str):
                    yield Message(argument.value, None, path, node.lineno)


def _library_name_errors() -> list[str]:
    """``tr`` must be given a literal (a variable cannot be extracted), except the one constant."""
    found = []
    for path in library_files():
        tree = ast.parse(path.read_text(encoding="utf-8"))
        for node in ast.walk(tree):
            if isinstance(node, ast.Call) and getattr(node.func, "id", None) == "tr":
                argument = node.args[0] if node.args else None
                if not (isinstance(argument, ast.Constant) and isinstance(argument.value, str)):
                    if not (isinstance(argument, ast.Name) and argument.id.isupper()):
                        where = path.relative_to(ROOT / "dqn_lib").as_posix()
                        found.append(f"{where}:{node.lineno}: tr() needs a string literal")
    return found


def library_constants() -> Iterator[Message]:
    """Module-level string constants passed to ``tr`` by name (``tr(NOT_IMPLEMENTED)``)."""
    for path in library_files():
        tree = ast.parse(path.read_text(encoding="utf-8"))
        names = {
            n.id
            for n in ast.walk(tree)
            if isinstance(n, ast.Call) and getattr(n.func, "id", None) == "tr" and n.args
            for n in [n.args[0]]
            if isinstance(n, ast.Name)
        }
        for node in tree.body:
            if (
                isinstance(node, ast.Assign)
                and len(node.targets) == 1
                and getattr(node.targets[0], "id", None) in names
                and isinstance(node.value, ast.Constant)
            ):
                yield Message(node.value.value, None, path, node.lineno)


def update_library() -> polib.POFile:
    """Merge the library's ``tr`` messages into its catalog (the lessons' rules)."""
    old = polib.pofile(str(LIBRARY_CATALOG), wrapwidth=0) if LIBRARY_CATALOG.exists() else None
    return _merge(old, [*library_constants(), *library_messages()])


def compile_library() -> Path:
    """Write the library catalog's translated, non-fuzzy messages as the ``.mo`` gettext reads."""
    catalog = polib.pofile(str(LIBRARY_CATALOG), wrapwidth=0)
    LIBRARY_MO.parent.mkdir(parents=True, exist_ok=True)
    catalog.save_as_mofile(str(LIBRARY_MO))
    return LIBRARY_MO


def library_problems() -> list[str]:
    if not LIBRARY_CATALOG.exists():
        return [f"{LIBRARY_CATALOG.relative_to(ROOT)}: missing; run tools/i18n.py update"]
    catalog = polib.pofile(str(LIBRARY_CATALOG), wrapwidth=0)
    have = {_key(e): e for e in catalog if not e.obsolete}
    found = _library_name_errors()
    for message in [*library_constants(), *library_messages()]:
        entry = have.get(_key(message))
        where = f"{message.lesson.relative_to(ROOT).as_posix()}:{message.line}"
        if entry is None:
            found.append(f"{where}: not in the catalog (run update): {message.msgid[:70]!r}")
        elif not entry.msgstr:
            found.append(f"{where}: untranslated: {message.msgid[:70]!r}")
        elif "fuzzy" in entry.flags:
            found.append(f"{where}: fuzzy: {message.msgid[:70]!r}")
        elif set(re.findall(r"{[^{}]*}", entry.msgid)) != set(  # a field may repeat
            re.findall(r"{[^{}]*}", entry.msgstr)
        ):
            found.append(f"{where}: the translation's {{fields}} differ: {message.msgid[:70]!r}")
    if LIBRARY_MO.exists() and not found:
        compiled = polib.mofile(str(LIBRARY_MO))
        want = {(e.msgid, e.msgstr) for e in catalog if e.msgstr and not e.obsolete}
        if {(e.msgid, e.msgstr) for e in compiled} != want:
            found.append(f"{LIBRARY_MO.relative_to(ROOT)} is older than its catalog: run compile")
    elif not LIBRARY_MO.exists():
        found.append(f"{LIBRARY_MO.relative_to(ROOT)} is missing: run compile")
    return list(dict.fromkeys(found))


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("command", choices=["update", "status", "build", "compile"])
    parser.add_argument("lessons", nargs="*", type=Path, help="English lessons (default: all)")
    args = parser.parse_args(argv)
    chosen = [p.resolve() for p in args.lessons] or lessons()
    failed = 0
    if args.command == "compile":
        print(compile_library().relative_to(ROOT))
        return 0
    if not args.lessons and args.command == "update":
        catalog = update_library()
        catalog.save(str(LIBRARY_CATALOG))
        print(f"{LIBRARY_CATALOG.relative_to(ROOT)}: {len(catalog)} messages")
    if not args.lessons and args.command == "status":
        todo = library_problems()
        failed += bool(todo)
        print(f"dqn_lib: {'current' if not todo else f'{len(todo)} to do'}")
        for line in todo:
            print("  " + line)
    for lesson in chosen:
        if args.command == "update":
            CATALOGS.mkdir(parents=True, exist_ok=True)
            catalog = update(lesson)
            catalog.save(str(catalog_path(lesson)))
            todo = problems(lesson, catalog)
            print(
                f"{catalog_path(lesson).relative_to(ROOT)}: {len(catalog)} messages, "
                f"{len(todo)} to do"
            )
        elif args.command == "status":
            todo = problems(lesson)
            failed += bool(todo)
            print(f"{lesson.name}: {'current' if not todo else f'{len(todo)} to do'}")
            for line in todo:
                print("  " + line)
        else:
            print(build(lesson).relative_to(ROOT))
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
