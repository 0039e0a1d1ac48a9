"""Slow work that needs nothing of the test process, started in a process of its own as soon as
the tests are collected, so that it runs while the tests before it do.

On 2 cores the unit tests then take about the longer of the two lines of work, not their sum.
Work qualifies only if it reads files and runs processes of its own: it runs outside the test
process, in the environment and working directory the tests were collected in, so no test's
monkeypatching or ``chdir`` can reach it. A test module declares its work in a module-level dict
``BACKGROUND = {key: ...}``, each value one of

- ``command(args, cwd=None, env=None)``: a program to run; its result is what ``subprocess.run``
  returns with ``capture_output=True, text=True`` (``returncode``, ``stdout``, ``stderr``);
- ``call(function)``: a function of that module, called in a fresh interpreter with an empty
  folder to work in; its result is what it returns, through JSON.

The test then asks ``background.result(__name__, key)``.

- ``start(items, config)`` (conftest.py, once the tests are collected) starts one runner for the
  work of every module that has tests among ``items``, in the order those tests will run: one
  piece after another, so that it takes one core. Under pytest-xdist nothing is started ahead: a
  worker does not know which files it will be given.
- ``result(module, key)`` waits for a piece of work (running it first if nothing started it)
  and returns its result, or fails the test that asked, with the work's own output.
- ``stop()`` (at the end of the session) ends any runner still running and removes the folders.
"""

from __future__ import annotations

import json
import os
import shutil
import signal
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from types import SimpleNamespace

import pytest

HERE = Path(__file__).resolve().parent

_jobs: dict[tuple[str, str], dict] = {}  # (module, key): the job, with its folder
_runners: dict[tuple[str, str], subprocess.Popen] = {}  # (module, key): the runner that has it
_folders: list[Path] = []


def command(args, cwd=None, env=None) -> dict:
    return {"kind": "command", "args": [str(a) for a in args], "cwd": None if cwd is None else str(cwd),
            "env": env}


def call(function) -> dict:
    return {"kind": "call", "function": function.__name__}


CALL = """import json, os, sys
import {module}
value = {module}.{function}(sys.argv[1])
with open(sys.argv[2] + ".tmp", "w", encoding="utf-8") as file:
    json.dump(value, file)
os.replace(sys.argv[2] + ".tmp", sys.argv[2])
"""

RUNNER = """import json, os, subprocess, sys
def done(folder, value):
    with open(os.path.join(folder, "result.json.tmp"), "w", encoding="utf-8") as file:
        json.dump(value, file)
    os.replace(os.path.join(folder, "result.json.tmp"), os.path.join(folder, "result.json"))
for job in json.load(open(sys.argv[1], encoding="utf-8")):
    if job["kind"] == "command":
        try:
            ran = subprocess.run(job["args"], cwd=job["cwd"], env=job["env"], capture_output=True, text=True,
                                 stdin=subprocess.DEVNULL, timeout=900)
            done(job["folder"], {"returncode": ran.returncode, "stdout": ran.stdout, "stderr": ran.stderr})
        except Exception as error:
            done(job["folder"], {"returncode": None, "stdout": "", "stderr": f"{type(error).__name__}: {error}"})
    else:
        with open(os.path.join(job["folder"], "output.txt"), "w", encoding="utf-8") as output:
            subprocess.run([sys.executable, "-c", job["code"], os.path.join(job["folder"], "work"),
                            os.path.join(job["folder"], "value.json")], cwd=job["here"], stdout=output,
                           stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL)
        value = os.path.join(job["folder"], "value.json")
        done(job["folder"], {"value": json.load(open(value, encoding="utf-8"))} if os.path.exists(value)
             else {"failed": open(os.path.join(job["folder"], "output.txt"), encoding="utf-8").read()[-4000:]})
"""


def _prepare(module: str, key: str, job: dict) -> dict:
    folder = Path(tempfile.mkdtemp(prefix="d2lhelpers-background-"))
    _folders.append(folder)
    (folder / "work").mkdir()
    job = {**job, "folder": str(folder), "module": module, "key": key}
    if job["kind"] == "call":
        job.update(code=CALL.format(module=module, function=job["function"]), here=str(HERE))
    _jobs[module, key] = job
    return job


def _run(jobs: list[dict]) -> None:
    folder = Path(jobs[0]["folder"])
    (folder / "jobs.json").write_text(json.dumps(jobs), encoding="utf-8")
    runner = subprocess.Popen(
        [sys.executable, "-c", RUNNER, str(folder / "jobs.json")], stdin=subprocess.DEVNULL,
        stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, env=dict(os.environ),
        start_new_session=True)  # its own process group: stop() ends it with what it started
    for job in jobs:
        _runners[job["module"], job["key"]] = runner


def start(items, config) -> None:
    if hasattr(config, "workerinput"):
        return
    jobs, seen = [], set()
    for item in items:
        module = getattr(item, "module", None)
        if module is None or module.__name__ in seen:
            continue
        seen.add(module.__name__)
        for key, job in getattr(module, "BACKGROUND", {}).items():
            if (module.__name__, key) not in _jobs:
                jobs.append(_prepare(module.__name__, key, job))
    if jobs:
        _run(jobs)


def result(module: str, key: str, timeout: float = 900):
    if (module, key) not in _jobs:  # not started ahead (a pytest-xdist worker): run it now
        _run([_prepare(module, key, sys.modules[module].BACKGROUND[key])])
    job, runner = _jobs[module, key], _runners[module, key]
    found = Path(job["folder"]) / "result.json"
    deadline = time.monotonic() + timeout
    while not found.exists():
        if runner.poll() is not None and not found.exists():
            pytest.fail(f"background work {module}: {key!r}: its runner ended without a result", pytrace=False)
        if time.monotonic() > deadline:
            pytest.fail(f"background work {module}: {key!r}: no result in {timeout:.0f} s", pytrace=False)
        time.sleep(0.02)
    outcome = json.loads(found.read_text(encoding="utf-8"))
    if job["kind"] == "command":
        return SimpleNamespace(**outcome)
    if "failed" in outcome:
        pytest.fail(f"background work {module}: {key!r} ({job['function']}) failed:\n{outcome['failed']}",
                    pytrace=False)
    return outcome["value"]


def stop() -> None:
    for runner in set(_runners.values()):
        if runner.poll() is None:
            if hasattr(os, "killpg"):
                try:
                    os.killpg(runner.pid, signal.SIGKILL)
                except ProcessLookupError:
                    pass
            runner.kill()
        runner.wait()
    _runners.clear()
    while _folders:
        shutil.rmtree(_folders.pop(), ignore_errors=True)
    _jobs.clear()
