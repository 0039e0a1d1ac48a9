"""background.py: work declared by a test module runs outside the test process, in the environment
it was started in, one piece after another; a result comes back as it would inline; a failure
fails the test that waits, with the work's own output; stop() ends it and removes its folders."""

import os
import sys
import time
from pathlib import Path
from types import SimpleNamespace

import pytest

import background


def reports_its_folder(folder):
    (Path(folder) / "made.txt").write_text("x")
    return {"folder": folder, "was empty": sorted(os.listdir(folder)) == ["made.txt"],
            "variable": os.environ.get("D2LHELPERS_BACKGROUND_TEST"), "numbers": (1, 2.5)}


def fails(folder):
    raise RuntimeError("the set-up broke")


def stamps(folder):
    return time.time()


PRINT = "import os, sys; print(os.environ.get('D2LHELPERS_BACKGROUND_TEST')); print('to stderr', file=sys.stderr); " \
        "sys.exit(3)"
BACKGROUND = {}  # the tests below give it work one at a time


@pytest.fixture
def fresh(monkeypatch):
    for name, value in {"_jobs": {}, "_runners": {}, "_folders": []}.items():
        monkeypatch.setattr(background, name, value)
    monkeypatch.setattr(sys.modules[__name__], "BACKGROUND", {})
    yield sys.modules[__name__]
    background.stop()


def collected(module):
    return [SimpleNamespace(module=module), SimpleNamespace(module=module)]


def test_a_command_gives_what_subprocess_run_gives_in_the_environment_it_started_in(fresh, monkeypatch):
    monkeypatch.setenv("D2LHELPERS_BACKGROUND_TEST", "at the start")
    fresh.BACKGROUND["print"] = background.command([sys.executable, "-c", PRINT])
    background.start(collected(fresh), config=object())
    monkeypatch.setenv("D2LHELPERS_BACKGROUND_TEST", "changed later by a test")
    ran = background.result(__name__, "print")
    assert (ran.returncode, ran.stdout, ran.stderr) == (3, "at the start\n", "to stderr\n")


def test_a_call_returns_its_value_through_json_from_an_empty_folder(fresh):
    fresh.BACKGROUND["reports"] = background.call(reports_its_folder)
    background.start(collected(fresh), config=object())
    value = background.result(__name__, "reports")
    assert value["was empty"] and value["numbers"] == [1, 2.5] and Path(value["folder"]).is_dir()


def test_a_failing_call_fails_the_test_that_waits_with_its_own_error(fresh):
    fresh.BACKGROUND["fails"] = background.call(fails)
    background.start(collected(fresh), config=object())
    with pytest.raises(pytest.fail.Exception, match=r"(?s)'fails' \(fails\) failed:.*RuntimeError: the set-up broke"):
        background.result(__name__, "fails")


def test_work_runs_one_piece_after_another_in_the_order_declared(fresh):
    fresh.BACKGROUND.update(first=background.call(stamps), second=background.call(stamps))
    background.start(collected(fresh), config=object())
    assert background.result(__name__, "second") > background.result(__name__, "first")
    assert len(set(background._runners.values())) == 1


def test_nothing_starts_in_an_xdist_worker_and_asking_runs_it_then(fresh):
    fresh.BACKGROUND["print"] = background.command([sys.executable, "-c", PRINT])
    background.start(collected(fresh), config=SimpleNamespace(workerinput={"workerid": "gw0"}))
    assert background._jobs == {}
    assert background.result(__name__, "print").returncode == 3


def test_stop_ends_running_work_and_removes_its_folders(fresh):
    fresh.BACKGROUND["sleeps"] = background.command([sys.executable, "-c", "import time; time.sleep(120)"])
    background.start(collected(fresh), config=object())
    [runner] = set(background._runners.values())
    folders = list(background._folders)
    assert runner.poll() is None and all(folder.is_dir() for folder in folders)
    background.stop()
    assert runner.poll() is not None and not any(folder.exists() for folder in folders)
