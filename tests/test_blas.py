"""The recognizer multiplies with numpy's BLAS on one thread, and finds the same entities
as with thinc's default (BLIS)."""

from __future__ import annotations

import ast
import os
import re
import subprocess
import sys

import pytest

pytestmark = pytest.mark.slow


def test_the_recognizers_matrix_products_use_numpy_blas(extractor) -> None:
    """Every layer that multiplies matrices in Python: the encoder's maxout layers and the
    parser's precomputed input layer. (spaCy builds the parser's output layer on its own
    CPU ops, and its state loop multiplies in C; neither is reetool's to choose.)"""
    from thinc.backends import NumpyOps

    ner = extractor.nlp.get_pipe("ner")
    products = [layer for layer in ner.model.walk() if layer.name in ("maxout", "precomputable_affine")]
    assert len(products) >= 5
    assert all(isinstance(layer.ops, NumpyOps) and not layer.ops.use_blis for layer in products)


def test_the_choice_does_not_leak_to_models_built_afterwards(extractor) -> None:
    from thinc.api import Linear, get_current_ops

    assert getattr(get_current_ops(), "use_blis", True)
    assert getattr(Linear(2, 2).ops, "use_blis", True)


# Loads a pipeline in a fresh process (thread limits are process-wide) and prints how many
# threads numpy's BLAS may use before and after.
THREADS = """
from threadpoolctl import threadpool_info
import numpy
def blas_threads():
    return sorted({i["num_threads"] for i in threadpool_info() if i["user_api"] == "blas"})
before = blas_threads()
from reetool.extractor import load_pipeline
load_pipeline()
print(before, blas_threads(), sep="")
"""


def test_loading_a_pipeline_leaves_one_blas_thread() -> None:
    env = {k: v for k, v in os.environ.items() if k not in ("OPENBLAS_NUM_THREADS", "OMP_NUM_THREADS")}
    out = subprocess.run([sys.executable, "-c", THREADS], capture_output=True, text=True, check=True, env=env)
    before, after = (ast.literal_eval(part) for part in re.findall(r"\[[^]]*\]", out.stdout))
    assert before  # numpy's BLAS was found
    assert after == [1]


def test_numpy_blas_finds_the_entities_blis_finds(extractor, seeds_dir) -> None:
    """The products differ in a float32's last bits; no decision of the recognizer changes
    on the seeds (nor, measured, on the benchmark corpus and CoNLL/TimeML sets)."""
    import spacy

    from reetool.cleaner import clean_all
    from reetool.document import Document
    from reetool.extractor import NOT_NEEDED
    from reetool.reader import read_paths

    texts = [d.text for d in clean_all(read_paths([str(seeds_dir)])) if isinstance(d, Document)]
    blis = spacy.load(extractor.nlp.meta["lang"] + "_" + extractor.nlp.meta["name"], exclude=list(NOT_NEEDED))
    assert blis.get_pipe("ner").model.ops.use_blis

    def ents(nlp):
        ner = nlp.get_pipe("ner")
        docs = ner.pipe(nlp.make_doc(t) for t in texts)
        return [[(e.start, e.end, e.label_) for e in d.ents] for d in docs]

    found = ents(extractor.nlp)
    assert found == ents(blis)
    assert sum(map(len, found)) > 50
