"""Architecture: short modules and functions, and straight layers without import cycles.

The import rules are import-linter contracts in pyproject.toml (`[tool.importlinter]`):
discourse > dashboard > pipelines (no package imports one above it) and no import cycle
among the modules of each package. `.venv/bin/lint-imports` checks them all; the tests
below run one contract each, so a failure names the part of the code at fault.
"""

from __future__ import annotations

import ast
import subprocess
import sys
import tomllib
from pathlib import Path

import pytest

REPO_ROOT = Path(__file__).resolve().parents[1]
PACKAGES = ("pipelines", "dashboard", "discourse")
MAX_MODULE_LINES = 500
MAX_FUNCTION_LINES = 80


def modules(package: str) -> list[Path]:
    return sorted((REPO_ROOT / package).rglob("*.py"))


@pytest.mark.parametrize("package", PACKAGES)
def test_no_module_is_over_500_lines(package):
    long = {path.relative_to(REPO_ROOT).as_posix(): lines for path in modules(package)
            if (lines := len(path.read_text(encoding="utf-8").splitlines())) > MAX_MODULE_LINES}
    assert long == {}


def long_functions(path: Path) -> dict[str, int]:
    """Functions (and methods) of a module longer than the limit: qualified name -> lines."""
    found: dict[str, int] = {}

    def visit(node: ast.AST, prefix: str) -> None:
        for child in ast.iter_child_nodes(node):
            name = f"{prefix}{getattr(child, 'name', '')}"
            if isinstance(child, (ast.FunctionDef, ast.AsyncFunctionDef)):
                lines = child.end_lineno - child.lineno + 1
                if lines > MAX_FUNCTION_LINES:
                    found[name] = lines
            visit(child, f"{name}." if isinstance(child, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef))
                  else prefix)

    visit(ast.parse(path.read_text(encoding="utf-8")), "")
    return found


@pytest.mark.parametrize("package", PACKAGES)
def test_no_function_is_over_80_lines(package):
    long = {f"{path.relative_to(REPO_ROOT).as_posix()}::{name}": lines
            for path in modules(package) for name, lines in long_functions(path).items()}
    assert long == {}


def import_contracts() -> list[str]:
    config = tomllib.loads((REPO_ROOT / "pyproject.toml").read_text(encoding="utf-8"))
    return [contract["id"] for contract in config["tool"]["importlinter"]["contracts"]]


def test_the_import_contracts_cover_the_layers_and_every_package():
    assert {"layers", *(f"{package}-acyclic" for package in PACKAGES)} <= set(import_contracts())


@pytest.mark.parametrize("contract", import_contracts())
def test_import_contract_is_kept(contract):
    lint_imports = Path(sys.executable).with_name("lint-imports")
    result = subprocess.run([str(lint_imports), "--no-cache", "--no-logo", "--contract", contract],
                            cwd=REPO_ROOT, capture_output=True, text=True, timeout=300)
    assert result.returncode == 0, result.stdout + result.stderr
