"""The allocator settings keep the memory of freed arrays for the next batch."""

from __future__ import annotations

import platform
import subprocess
import sys

import pytest

from reetool.allocator import keep_freed_memory

GLIBC = platform.system() == "Linux" and platform.libc_ver()[0] == "glibc"

# Allocates eight 10 MB blocks and frees them, 20 times over, as the recognizer does
# for each batch, and prints the page faults that took.
LOOP = """
import resource, sys
if sys.argv[1] == "tuned":
    from reetool.allocator import keep_freed_memory
    assert keep_freed_memory()
before = resource.getrusage(resource.RUSAGE_SELF).ru_minflt
for _ in range(20):
    blocks = [bytearray(10 * 1024 * 1024) for _ in range(8)]
    del blocks
print(resource.getrusage(resource.RUSAGE_SELF).ru_minflt - before)
"""


def _faults(mode: str) -> int:
    out = subprocess.run([sys.executable, "-c", LOOP, mode], capture_output=True, text=True, check=True)
    return int(out.stdout)


@pytest.mark.skipif(not GLIBC, reason="the settings are glibc's; elsewhere they do nothing")
def test_freed_blocks_are_reused_instead_of_faulted_in_again() -> None:
    stock, tuned = _faults("stock"), _faults("tuned")
    # Stock glibc gives the freed 80 MB back to the kernel and faults it in again for
    # the next round: about 20,000 faults a round.
    assert stock > 200_000
    assert tuned < stock / 10


def test_applies_only_on_glibc() -> None:
    assert keep_freed_memory() is GLIBC
