"""The GPU figure of Chapter 4: one float32 matrix product on a CPU and on a CUDA GPU.

The post says tensors "can tap into the resources of a GPU to significantly speed up
matrix operations". This measures it, with real PyTorch, on a machine that has a CUDA
GPU: n×n float32 products for several n, timed

* with NumPy and with torch on the CPU, all its cores and then 2 threads (as on the
  machine the book is built on), each in a process of its own: the threads of one
  library's matrix code spin for a while after a product and slow the other's down;
* with torch on the GPU, the product alone (the operands already on the GPU), and the
  whole round trip (copy both operands there, multiply, copy the result back).

Each contender keeps its best of several rounds after a warm-up; a GPU product is timed
from before its launch to after `torch.cuda.synchronize()`, because a launch returns
before the GPU has finished. The results, with the machine and the versions, go to a JSON
file that the chapter reads (benchmarks/gpu_results.json):

    python3 benchmarks/gpu_matmul.py --out benchmarks/gpu_results.json

It needs torch and a CUDA GPU; without a GPU it stops with a message.
"""
import argparse
import datetime
import json
import os
import platform
import subprocess
import sys
import time

import numpy as np

SIZES = (64, 256, 1000, 2048, 4096, 8192)
BOOK_CPU_THREADS = 2  # the machine the book is built on has 2 cores


def best_seconds(run, rounds, synchronize=lambda: None):
    """The fastest of `rounds` calls of `run`, after one warm-up call."""
    run()
    synchronize()
    best = float("inf")
    for _ in range(rounds):
        start = time.perf_counter()
        run()
        synchronize()
        best = min(best, time.perf_counter() - start)
    return best


def rounds_for(n):
    """Fewer rounds for the products that take seconds on a CPU."""
    return 3 if n >= 4096 else 10


def cpu_model():
    try:
        with open("/proc/cpuinfo") as cpuinfo:
            for line in cpuinfo:
                if line.startswith("model name"):
                    return line.split(":", 1)[1].strip()
    except OSError:
        pass
    return platform.processor() or "unknown"


def operands(n):
    rng = np.random.default_rng(n)
    return rng.standard_normal((n, n)).astype(np.float32), rng.standard_normal((n, n)).astype(np.float32)


def measure_cpu(library, threads):
    """Seconds per size for one CPU contender; run in a child process of its own."""
    import torch

    torch.set_num_threads(threads)
    seconds = {}
    for n in SIZES:
        a, b = operands(n)
        if library == "torch":
            a, b = torch.from_numpy(a), torch.from_numpy(b)
        seconds[n] = best_seconds(lambda: a @ b, rounds_for(n))
    return seconds


def measure_cpu_in_child(library, threads):
    environment = dict(os.environ, OMP_NUM_THREADS=str(threads), OPENBLAS_NUM_THREADS=str(threads))
    child = subprocess.run(
        [sys.executable, __file__, "--cpu", library, "--threads", str(threads)],
        env=environment, capture_output=True, text=True, check=True)
    return {int(n): s for n, s in json.loads(child.stdout).items()}


def measure_gpu(torch, n):
    a, b = operands(n)
    ta, tb = torch.from_numpy(a), torch.from_numpy(b)
    ga, gb = ta.cuda(), tb.cuda()
    sync = torch.cuda.synchronize
    # The GPU must compute the same product: compare with NumPy's (TF32 would not pass).
    expected = a @ b
    error = float(np.max(np.abs((ga @ gb).cpu().numpy() - expected)) / np.max(np.abs(expected)))
    assert error < 1e-4, f"GPU product differs from NumPy's by {error:.2e} (relative)"
    return {
        "torch_gpu": best_seconds(lambda: ga @ gb, 20, sync),
        "torch_gpu_round_trip": best_seconds(lambda: (ta.cuda() @ tb.cuda()).cpu(), rounds_for(n), sync),
    }, error


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--out", help="the JSON file to write")
    parser.add_argument("--cpu", choices=("numpy", "torch"), help=argparse.SUPPRESS)
    parser.add_argument("--threads", type=int, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.cpu:
        print(json.dumps(measure_cpu(args.cpu, args.threads)))
        return
    if not args.out:
        parser.error("--out is required")
    import torch

    if not torch.cuda.is_available():
        raise SystemExit("gpu_matmul: torch sees no CUDA GPU here; run this on a machine that has one")
    cpu_threads = os.cpu_count()
    cpu = {f"{library}_cpu_{threads}_threads": measure_cpu_in_child(library, threads)
           for library in ("numpy", "torch") for threads in (cpu_threads, BOOK_CPU_THREADS)}
    results = []
    for n in SIZES:
        seconds = {name: by_size[n] for name, by_size in cpu.items()}
        gpu_seconds, error = measure_gpu(torch, n)
        seconds.update(gpu_seconds)
        results.append({"n": n, "seconds": seconds, "max_relative_error": error,
                        "gflops": {name: 2 * n**3 / s / 1e9 for name, s in seconds.items()}})
        print(f"n={n:5d}  " + "  ".join(f"{name} {s * 1e3:.4g} ms" for name, s in seconds.items()))
    report = {
        "measured": datetime.datetime.now(datetime.timezone.utc).strftime("%Y-%m-%d %H:%M UTC"),
        "machine": {
            "gpu": torch.cuda.get_device_name(0),
            "gpu_memory_gib": round(torch.cuda.get_device_properties(0).total_memory / 2**30, 1),
            "cpu": cpu_model(),
            "cpu_count": os.cpu_count(),
            "cpu_threads": cpu_threads,
        },
        "versions": {
            "python": platform.python_version(),
            "numpy": np.__version__,
            "torch": torch.__version__,
            "cuda": torch.version.cuda,
        },
        "dtype": "float32",
        "tf32": bool(torch.backends.cuda.matmul.allow_tf32),
        "sizes": results,
    }
    with open(args.out, "w") as out:
        json.dump(report, out, indent=1)
        out.write("\n")


if __name__ == "__main__":
    main()
