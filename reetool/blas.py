"""Which matrix multiplication the recognizer runs on, and on how many threads.

Why: most of the recognizer's time is one matrix product per layer and batch (its
convolutional token encoder). thinc computes it with BLIS by default, whose kernels are
chosen when BLIS is built; numpy's BLAS (OpenBLAS in numpy's wheels) picks its kernels
for the CPU it runs on. On the benchmark machine (AMD EPYC, AVX2) BLIS took 3.3-3.7 times as
long for the encoder's products, and a whole `extract` run about 27% longer, with the
same entities (the products differ in the last bits of a float32, too little to change
a decision on the corpora measured; see ``tests/test_blas.py``).

One BLAS thread per process: reetool's parallelism is processes (``--workers``, Dask
workers, which Dask itself starts with one BLAS thread), and a second thread in each
would only compete for the same cores. The setting is process-wide, so it is applied
where a pipeline is loaded, never on import.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager


@contextmanager
def numpy_blas() -> Iterator[None]:
    """Models built inside this context multiply with numpy's BLAS instead of BLIS."""
    from thinc.api import use_ops

    with use_ops("numpy", use_blis=False):
        yield


def one_blas_thread() -> None:
    """Limit numpy's BLAS to one thread in this process."""
    from threadpoolctl import threadpool_limits

    threadpool_limits(limits=1, user_api="blas")
