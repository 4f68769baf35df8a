"""benchmarks/results.json, the reference run the book quotes, is there and complete.

The book never times anything when it is built: the performance appendix and the chapters
read this file, which `make bench` writes on a machine with torch installed. These tests
check that every number those pages read is present, with the machine and versions that
produced it, and that the appendix only reads (it runs no benchmark). The same goes for
benchmarks/gpu_results.json, Chapter 4's GPU figure, measured once by gpu_matmul.py.
"""
import json
import math
import re
import tomllib
from pathlib import Path

import pytest

from benchmarks import results

ROOT = Path(__file__).resolve().parents[1]


@pytest.fixture(scope="module")
def run():
    assert results.PATH.is_file(), "benchmarks/results.json is missing: run `make bench` with torch installed"
    return results.load()


def is_number(value):
    return isinstance(value, (int, float)) and not isinstance(value, bool) and math.isfinite(value) and value > 0


def test_the_run_says_where_when_and_with_what(run):
    machine = run["machine"]
    for key in ("date", "cpu", "python", "numpy", "torch", "engine_commit", "blas"):
        assert isinstance(machine.get(key), str) and machine[key], f"machine.{key} is missing"
    assert machine["cores"] >= 1


def test_every_headline_number_is_there(run):
    headline = run["headline"]
    assert set(headline) == set(results.HEADLINE_KEYS)
    for key in results.HEADLINE_KEYS:
        assert is_number(headline[key]), f"headline.{key} is {headline[key]!r}"
    assert results.headline("scalar_vs_tensor") == headline["scalar_vs_tensor"]


def test_the_ratios_agree_with_the_medians(run):
    scalar = run["scalar_engine"]["contestants"]
    ratio = scalar["scalar"]["median_cpu_seconds"] / scalar["tensor"]["median_cpu_seconds"]
    assert run["headline"]["scalar_vs_tensor"] == pytest.approx(ratio)
    mlp = run["mlp_step"]["contestants"]
    assert run["headline"]["mlp_step_engine_vs_torch"] == pytest.approx(
        mlp["engine"]["median_cpu_seconds"] / mlp["torch"]["median_cpu_seconds"])


def median_cpu(section, *names):
    return [section["contestants"][name]["median_cpu_seconds"] for name in names]


def test_every_section_the_appendix_reads_has_numbers_with_torch(run):
    numbers = [*run["op_cost"]["us_per_op"].values(), run["op_cost"]["elements"],
               *median_cpu(run["tiny_graph"], "engine", "torch"),
               *median_cpu(run["scalar_engine"], "scalar", "tensor"), run["scalar_engine"]["scalar_graph_nodes"],
               *median_cpu(run["mlp_step"], "engine", "torch", "numpy"), run["mlp_step"]["batch"],
               *median_cpu(run["training"], "engine", "torch", "engine loader", "torch loader"),
               run["training"]["ratios"]["engine/torch, loader time subtracted"]["cpu"],
               *run["training"]["test_accuracy"].values(), run["training"]["epochs"]]
    assert {"torch", "torch, recording"} <= set(run["op_cost"]["us_per_op"])
    for name, model in run["static_replay"]["models"].items():
        repay = model["steps_to_repay_build"]  # None: replay never repays its build, a fair outcome
        numbers += [*median_cpu(model, "eager", "replay"), model["build"]["median_cpu_seconds"],
                    model["parameters"], *([] if repay is None else [repay])]
    for row in run["backward_depth"]["rows"]:
        numbers += [row["depth"], row["engine"]["us_per_node"], row["torch"]["us_per_node"]]
    numbers += run["backward_depth"]["engine"]["depths"]
    for case in run["widget_update"]["cases"].values():
        numbers += [case["median_cpu_ms"], case["median_engine_cpu_ms"], case["median_dot_cpu_ms"]]
    assert all(is_number(value) for value in numbers)


def test_the_appendix_reads_the_file_and_runs_no_benchmark():
    notebook = json.loads((ROOT / "book" / "performance.ipynb").read_text(encoding="utf-8"))
    source = "\n".join("".join(cell["source"]) for cell in notebook["cells"] if cell["cell_type"] == "code")
    assert "results.load()" in source
    assert ".measure(" not in source and "measure_in_child" not in source


# The GPU figure (benchmarks/gpu_results.json, written once by gpu_matmul.py on a CUDA GPU)

GPU_SIZES = [64, 256, 1000, 2048, 4096, 8192]
GPU_CONTESTANTS = {"numpy_cpu_16_threads", "numpy_cpu_2_threads", "torch_cpu_16_threads",
                   "torch_cpu_2_threads", "torch_gpu", "torch_gpu_round_trip"}


@pytest.fixture(scope="module")
def gpu_run():
    assert results.GPU_PATH.is_file(), "benchmarks/gpu_results.json is missing: run benchmarks/gpu_matmul.py on a GPU"
    return results.gpu()


def test_the_gpu_run_says_where_when_and_with_what(gpu_run):
    assert re.fullmatch(r"\d{4}-\d{2}-\d{2} \d{2}:\d{2} UTC", gpu_run["measured"])
    for key in ("gpu", "cpu"):
        assert isinstance(gpu_run["machine"][key], str) and gpu_run["machine"][key]
    assert gpu_run["machine"]["cpu_count"] >= 1 and gpu_run["machine"]["cpu_threads"] >= 1
    for key in ("python", "numpy", "torch", "cuda"):
        assert isinstance(gpu_run["versions"].get(key), str) and gpu_run["versions"][key], f"versions.{key}"
    assert gpu_run["dtype"] == "float32" and gpu_run["tf32"] is False


def test_the_gpu_run_has_every_size_and_contestant(gpu_run):
    assert [size["n"] for size in gpu_run["sizes"]] == GPU_SIZES
    for size in gpu_run["sizes"]:
        n = size["n"]
        assert set(size["seconds"]) == GPU_CONTESTANTS == set(size["gflops"]), f"n={n}"
        for name, seconds in size["seconds"].items():
            assert is_number(seconds), f"n={n}: {name} took {seconds!r} s"
            assert size["gflops"][name] == pytest.approx(2 * n**3 / seconds / 1e9), f"n={n}: {name}'s gflops"
        assert 0 <= size["max_relative_error"] < 1e-4, f"n={n}: the GPU's product is not NumPy's"


def test_the_gpu_reader_reads_the_committed_file(gpu_run):
    assert results.GPU_PATH == ROOT / "benchmarks" / "gpu_results.json"
    assert gpu_run == json.loads(results.GPU_PATH.read_text(encoding="utf-8"))


def test_the_gpu_file_is_packaged_with_the_benchmarks():
    # The live book installs `benchmarks` as a wheel: the file must be package data.
    project = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))
    assert {"results.json", "gpu_results.json"} <= set(project["tool"]["setuptools"]["package-data"]["benchmarks"])
