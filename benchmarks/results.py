"""The committed reference run, benchmarks/results.json, for the pages that quote it.

`make bench` writes the file; the book only reads it, so every page quotes the same run.
The keys are documented in benchmarks/README.md ("Reading the results"). Beside it,
gpu_results.json holds the GPU figure of Chapter 4, which gpu_matmul.py measured once on a
machine with a CUDA GPU; `gpu()` reads it.

    >>> from benchmarks import results
    >>> results.headline("scalar_vs_tensor")  # doctest: +SKIP
"""
import json
from pathlib import Path

PATH = Path(__file__).with_name("results.json")
GPU_PATH = Path(__file__).with_name("gpu_results.json")

# The headline's stable names (run.py writes them; README.md says what each one measures).
HEADLINE_KEYS = (
    "python_op_us", "numpy_op_us", "engine_op_us", "engine_recording_op_us", "torch_op_us", "torch_recording_op_us",
    "scalar_vs_tensor", "scalar_us_per_node",
    "static_replay_speedup_tiny", "static_replay_speedup_medium", "static_replay_speedup_large",
    "mlp_step_engine_vs_torch", "mlp_step_engine_vs_numpy", "tiny_graph_engine_vs_torch", "training_engine_vs_torch",
    "backward_per_node_growth", "widget_slowest_ms",
)


def load(path=PATH):
    """The whole run as a dict: "machine", "headline", then one entry per benchmark."""
    with open(path, encoding="utf-8") as handle:
        return json.load(handle)


def headline(key, path=PATH):
    """One of the run's headline numbers by its stable name, e.g. "scalar_vs_tensor" (about 600)."""
    return load(path)["headline"][key]


def gpu(path=GPU_PATH):
    """The GPU figure, gpu_matmul.py's one run on a CUDA GPU, as a dict: "measured" (UTC),
    "machine", "versions", then per n in "sizes" the best seconds of each contender."""
    return load(path)
