"""The shape of the code (issue 11): import contracts and no import cycles.

The contracts live in ``pyproject.toml`` (``[tool.importlinter]``): rules import no Django,
``assurance`` never imports ``freedoms``, and each layer of ``assurance`` imports only the
layers below it. On top of them, no module may take part in an import cycle, even through
an import inside a function. ``docs/architecture.md`` explains the layers.
"""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import grimp
import pytest

ROOT = Path(__file__).resolve().parent.parent
PACKAGES = ("assurance", "freedoms", "wcc")


def test_the_import_contracts_are_kept():
    lint_imports = Path(sys.executable).with_name("lint-imports")
    run = subprocess.run(
        [str(lint_imports), "--no-cache"], cwd=ROOT, capture_output=True, text=True, check=False
    )
    assert run.returncode == 0, run.stdout + run.stderr
    assert "0 broken" in run.stdout


def import_cycles(edges: dict[str, set[str]]) -> list[list[str]]:
    """Strongly connected components with more than one module (Tarjan), sorted."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on_stack: set[str] = set()
    cycles: list[list[str]] = []
    counter = 0

    def visit(node: str) -> None:
        nonlocal counter
        index[node] = low[node] = counter
        counter += 1
        stack.append(node)
        on_stack.add(node)
        for target in sorted(edges.get(node, ())):
            if target not in index:
                visit(target)
                low[node] = min(low[node], low[target])
            elif target in on_stack:
                low[node] = min(low[node], index[target])
        if low[node] == index[node]:
            component = []
            while True:
                member = stack.pop()
                on_stack.discard(member)
                component.append(member)
                if member == node:
                    break
            if len(component) > 1:
                cycles.append(sorted(component))

    for node in sorted(edges):
        if node not in index:
            visit(node)
    return sorted(cycles)


def test_the_cycle_finder_finds_a_cycle():
    assert import_cycles({"a": {"b"}, "b": {"c"}, "c": {"a"}, "d": {"a"}}) == [["a", "b", "c"]]
    assert import_cycles({"a": {"b"}, "b": set()}) == []


@pytest.fixture(scope="module")
def graph() -> grimp.ImportGraph:
    sys.path.insert(0, str(ROOT))
    return grimp.build_graph(*PACKAGES, cache_dir=None)


def test_no_module_takes_part_in_an_import_cycle(graph):
    edges = {
        module: set(graph.find_modules_directly_imported_by(module))
        for module in graph.modules
        if module.split(".")[0] in PACKAGES
    }
    assert import_cycles(edges) == []


def test_every_textarea_counts_a_line_break_once():
    """``wcc.forms.Textarea``, not Django's: a form sends each line break as CR LF, so with
    Django's a note that fitted the box (the browser counts one) was refused as too long."""
    plain = [
        f"{path.relative_to(ROOT)}:{number}"
        for package in ("assurance", "freedoms")
        for path in (ROOT / package).rglob("*.py")
        for number, line in enumerate(path.read_text().splitlines(), start=1)
        if "forms.Textarea" in line
    ]
    assert plain == []
