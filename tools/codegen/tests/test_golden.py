"""Golden tests: the generated files for golden/demo.idl are exactly the
committed ones, and generation is deterministic. After an intended change to
the templates, regenerate them with UPDATE_GOLDEN=1 and review the diff."""
import os
import shutil
import subprocess

import pytest

from faultline_idl.generate import environment, render_file

from conftest import HERE, ROOT

GOLDEN = os.path.join(HERE, "golden")


def _render(compile_idl):
    with open(os.path.join(GOLDEN, "demo.idl"), encoding="utf-8") as f:
        ir = compile_idl(f.read())
    ir["file"] = "demo.idl"
    for iface in ir["interfaces"]:
        iface["file"] = "demo.idl"
    return render_file(environment(), ir, "demo")


def test_generated_files_match_golden(compile_idl):
    files = _render(compile_idl)
    if os.environ.get("UPDATE_GOLDEN"):
        for name, text in files.items():
            with open(os.path.join(GOLDEN, name), "w", encoding="utf-8") as f:
                f.write(text)
    for name, text in files.items():
        with open(os.path.join(GOLDEN, name), encoding="utf-8") as f:
            assert f.read() == text, f"{name} differs from golden/{name}"


def test_generation_is_deterministic(compile_idl):
    assert _render(compile_idl) == _render(compile_idl)


@pytest.mark.skipif(shutil.which("gcc") is None, reason="no host gcc")
@pytest.mark.parametrize("name", ["demo_client.c", "demo_server.c", "demo_fuzz.c"])
def test_golden_c_compiles_warning_free(name):
    r = subprocess.run(["gcc", "-std=c11", "-Wall", "-Wextra", "-Werror", "-fsyntax-only", "-DFL_IPC_HOST",
                        "-I", GOLDEN, "-I", os.path.join(ROOT, "libs/ipc/include"),
                        "-I", os.path.join(ROOT, "kernel/include"), os.path.join(GOLDEN, name)],
                       capture_output=True, text=True)
    assert r.returncode == 0, r.stderr
