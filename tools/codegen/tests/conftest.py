"""Shared fixtures of the codegen tests: the ABI facts and a compile helper."""
import os
import sys

import pytest

HERE = os.path.dirname(os.path.abspath(__file__))
CODEGEN = os.path.dirname(HERE)
ROOT = os.path.dirname(os.path.dirname(CODEGEN))
sys.path.insert(0, CODEGEN)

from faultline_idl.abi import load_abi  # noqa: E402
from faultline_idl.parser import parse  # noqa: E402
from faultline_idl.resolve import resolve  # noqa: E402

ABI_PATH = os.path.join(ROOT, "kernel", "include", "faultline", "abi.h")


@pytest.fixture(scope="session")
def abi():
    return load_abi(ABI_PATH)


@pytest.fixture
def compile_idl(abi):
    """compile_idl(text, ...) -> IR of the first file; texts are named t0.idl, t1.idl, ..."""
    def run(*texts):
        trees = [parse(f"t{i}.idl", text) for i, text in enumerate(texts)]
        return list(resolve(trees, abi).values())[0]
    return run
