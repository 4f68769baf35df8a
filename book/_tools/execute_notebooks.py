"""Re-execute notebooks in place, so their stored outputs show what the engine does now.

Usage: python book/_tools/execute_notebooks.py book/*.ipynb   (what `make notebooks` runs)

The stored outputs are what strict nbval compares a fresh run against, so after a change
to the engine or a chapter, run this and review the diff. Each notebook runs from its own
folder, in a fresh kernel of the Python running this script. Cells tagged
`raises-exception` may raise; any other error stops with the traceback and leaves the
notebook untouched. Widget state is stored so that the HTML book can render widgets, and
no per-cell timing metadata is written, so an unchanged result gives an unchanged file.
"""

import sys
import time
from pathlib import Path

import nbformat
from nbclient import NotebookClient
from nbclient.exceptions import CellExecutionError


def execute(path: Path) -> None:
    nb = nbformat.read(path, as_version=4)
    client = NotebookClient(
        nb,
        kernel_name="python3",
        timeout=300,
        allow_errors=False,
        record_timing=False,
        store_widget_state=True,
        resources={"metadata": {"path": str(path.parent)}},
    )
    client.execute()
    nbformat.write(nb, path)


def main(paths: list[str]) -> int:
    if not paths:
        print("no notebooks to execute")
        return 0
    failed = []
    for name in paths:
        path = Path(name)
        start = time.perf_counter()
        try:
            execute(path)
        except CellExecutionError as error:
            print(f"FAILED  {path}\n{error}", file=sys.stderr)
            failed.append(path)
            continue
        print(f"ok      {path}  ({time.perf_counter() - start:.1f} s)")
    if failed:
        print(f"{len(failed)} notebook(s) failed: {', '.join(map(str, failed))}", file=sys.stderr)
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
