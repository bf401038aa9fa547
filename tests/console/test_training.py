"""Retraining runs against a fake `rasa` (a small script that prints what the
real one prints and exits as each test needs) and a fake Rasa HTTP API on
127.0.0.1. No model is trained."""

from __future__ import annotations

import dataclasses
import json
import os
import shutil
import signal
import sys
import threading
import time
from collections.abc import Iterator
from datetime import UTC, datetime
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs, urlsplit

import pytest

from bot.console import training
from bot.console.training import Retrainer, TrainingBusy, TrainingRun, TrainingSettings
from bot.settings import REPO_ROOT

TOKEN = "s3cret-rasa-token"
WAIT_S = 30.0

# What `rasa train` prints around its two epoch bars (from a real run's log,
# shortened): component lines, then tqdm redrawing one line after "\r".
HOOKS = "2026-12-04 02:48:17 INFO     rasa.engine.training.hooks  - "
TRAIN_OUTPUT = [
    "2026-12-04 02:48:10 INFO     rasa.cli.train  - Started validating domain\n",
    "\x1b[93mUserWarning: The utterance 'utter_x' is not used in any story.\n\x1b[0m",
    HOOKS + "Starting to train component 'DIETClassifier'.\n",
    "\rEpochs:   0%|          | 0/4 [00:00<?, ?it/s]",
    "\rEpochs:  25%|██▌       | 1/4 [00:02<00:07, 2.40s/it, t_loss=9.73]",
    "\rEpochs:  50%|█████     | 2/4 [00:04<00:04, 2.40s/it, t_loss=5.85]",
    "\rEpochs: 100%|██████████| 4/4 [00:09<00:00, 2.40s/it, t_loss=2.61]\n",
    HOOKS + "Finished training component 'DIETClassifier'.\n",
    HOOKS + "Starting to train component 'TEDPolicy'.\n",
    "\rEpochs:   0%|          | 0/2 [00:00<?, ?it/s]",
    "\rEpochs:  50%|█████     | 1/2 [00:01<00:01, 1.00s/it, t_loss=3.1]",
    "\rEpochs: 100%|██████████| 2/2 [00:02<00:00, 1.00s/it, t_loss=2.2]\n",
    "Your Rasa model is trained and saved at 'models/x.tar.gz'.\n",
]
TEST_OUTPUT = [
    "\r  0%|          | 0/3 [00:00<?, ?it/s]",
    "\r 67%|██████▋   | 2/3 [00:00<00:00, 9.1it/s]",
    "\r100%|██████████| 3/3 [00:00<00:00, 9.3it/s]\n",
]
WRONG_ACTION = [
    "Traceback (most recent call last):\n",
    "WrongPredictionException: Model predicted a wrong action. Failed Story:\n",
]

FAKE_RASA = """#!{python}
import json, os, sys, time
from pathlib import Path

PLAN = json.loads({plan!r})
args = sys.argv[1:]
stage = "validate" if args[:2] == ["data", "validate"] else args[0]
with open(PLAN["calls"], "a") as calls:
    calls.write(json.dumps(args) + "\\n")
Path(PLAN["pids"], stage).write_text(str(os.getpid()))
step = PLAN.get(stage, {{}})
for chunk in step.get("lines", []):
    sys.stdout.write(chunk)
    sys.stdout.flush()
    time.sleep(step.get("pause", 0))
if step.get("wait_for"):
    while not os.path.exists(step["wait_for"]):
        time.sleep(0.02)
time.sleep(step.get("sleep", 0))
if step.get("signal"):
    os.kill(os.getpid(), step["signal"])
code = step.get("exit", 0)
if stage == "train" and code == 0:
    out = Path(args[args.index("--out") + 1])
    name = args[args.index("--fixed-model-name") + 1]
    out.mkdir(parents=True, exist_ok=True)
    (out / (name + ".tar.gz")).write_bytes(b"not a real model")
sys.exit(code)
"""


class FakeRasaApi:
    """Answers PUT /model like Rasa's HTTP API and records every request."""

    def __init__(self, status: int = 204, body: dict[str, Any] | None = None):
        self.requests: list[dict[str, Any]] = []
        self.status, self.body = status, body
        api = self

        class Handler(BaseHTTPRequestHandler):
            def do_PUT(self) -> None:
                length = int(self.headers.get("Content-Length", 0))
                url = urlsplit(self.path)
                api.requests.append(
                    {
                        "path": url.path,
                        "query": parse_qs(url.query),
                        "json": json.loads(self.rfile.read(length)),
                        "content_type": self.headers.get("Content-Type"),
                    }
                )
                payload = json.dumps(api.body).encode() if api.body else b""
                self.send_response(api.status)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(payload)))
                self.end_headers()
                self.wfile.write(payload)

            def log_message(self, *args: Any) -> None:
                return

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.thread = threading.Thread(
            target=self.server.serve_forever, args=(0.05,), daemon=True
        )
        self.thread.start()

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.server.server_address[1]}"

    def close(self) -> None:
        self.server.shutdown()
        self.server.server_close()


@pytest.fixture
def api() -> Iterator[FakeRasaApi]:
    fake = FakeRasaApi()
    yield fake
    fake.close()


@pytest.fixture
def repo(tmp_path: Path) -> Path:
    """What the rasa commands read, copied: config, domain, data, tests."""
    root = tmp_path / "repo"
    (root / "bot").mkdir(parents=True)
    (root / "tests").mkdir()
    for name in ("config.yml", "domain.yml"):
        shutil.copy(REPO_ROOT / name, root / name)
    shutil.copytree(REPO_ROOT / "bot" / "data", root / "bot" / "data")
    shutil.copytree(
        REPO_ROOT / "tests" / "conversations", root / "tests" / "conversations"
    )
    return root


class Harness:
    """A Retrainer wired to a fake rasa whose behaviour each test sets."""

    def __init__(self, tmp_path: Path, repo: Path, api_url: str) -> None:
        self.tmp_path = tmp_path
        self.calls = tmp_path / "calls.jsonl"
        self.pids = tmp_path / "pids"
        self.pids.mkdir()
        self.settings = TrainingSettings(
            rasa=tmp_path / "rasa",
            root=repo,
            models_dir=tmp_path / "models",
            runs_dir=tmp_path / "runs",
            rasa_url=api_url,
            rasa_token=TOKEN,
        )
        self.snapshots: list[TrainingRun] = []
        self.plan({})

    def plan(self, plan: dict[str, Any], **timeouts: float) -> Retrainer:
        plan = {"calls": str(self.calls), "pids": str(self.pids), **plan}
        script = FAKE_RASA.format(python=sys.executable, plan=json.dumps(plan))
        self.settings.rasa.write_text(script)
        self.settings.rasa.chmod(0o755)
        settings = dataclasses.replace(self.settings, **timeouts)
        return Retrainer(settings, on_change=self.snapshots.append)

    def commands(self) -> list[list[str]]:
        if not self.calls.exists():
            return []
        return [json.loads(line) for line in self.calls.read_text().splitlines()]

    def stages_run(self) -> list[str]:
        return [c[0] if c[0] != "data" else "validate" for c in self.commands()]

    def pid(self, stage: str) -> int:
        return int((self.pids / stage).read_text())


@pytest.fixture
def harness(tmp_path: Path, repo: Path, api: FakeRasaApi) -> Harness:
    return Harness(tmp_path, repo, api.url)


def _finished(retrainer: Retrainer) -> TrainingRun:
    run = retrainer.wait(WAIT_S)
    assert run is not None and run.finished, run
    return run


def _wait_for(condition, timeout: float = WAIT_S) -> None:
    deadline = time.monotonic() + timeout
    while not condition():
        assert time.monotonic() < deadline, "timed out waiting"
        time.sleep(0.02)


# The way through


def test_a_run_that_passes_everything_deploys_the_new_model(
    harness: Harness, api: FakeRasaApi, repo: Path
) -> None:
    retrainer = harness.plan({"train": {"lines": TRAIN_OUTPUT}, "test": {}})

    started = retrainer.start({"greet": ["hi", "hullo"]}, "dev", run_id=7)
    run = _finished(retrainer)

    model = harness.settings.models_dir / "console-7.tar.gz"
    assert started.status == "running" and started.stage == "validate"
    assert (run.status, run.stage, run.progress, run.deployed) == (
        "deployed",
        "done",
        1.0,
        True,
    )
    assert run.model == "console-7.tar.gz" and model.exists()
    assert run.finished_at is not None and run.seconds >= 0
    assert api.requests == [
        {
            "path": "/model",
            "query": {"token": [TOKEN]},
            "json": {"model_file": str(model.resolve())},
            "content_type": "application/json",
        }
    ]


def test_the_commands_read_the_merged_data_and_the_conversation_tests(
    harness: Harness, repo: Path
) -> None:
    retrainer = harness.plan({})

    retrainer.start({"greet": ["hi", "hullo"]}, "dev", run_id=8)
    _finished(retrainer)

    run_dir = harness.settings.runs_dir / "8"
    model = harness.settings.models_dir / "console-8.tar.gz"
    inputs = ["--config", "config.yml", "--domain", "domain.yml",
              "--data", str(run_dir / "data")]  # fmt: skip
    assert harness.commands() == [
        ["data", "validate", *inputs],
        ["train", *inputs, "--out", str(harness.settings.models_dir),
         "--fixed-model-name", "console-8"],
        ["test", "core", "--model", str(model),
         "--stories", str(run_dir / "tests"), "--fail-on-prediction-errors",
         "--out", str(run_dir / "test-results")],
    ]  # fmt: skip
    merged = (run_dir / "data" / "nlu.yml").read_text()
    assert "- intent: greet\n  examples: |\n    - hi\n    - hullo\n\n" in merged
    assert (run_dir / "tests" / "conversations" / "test_stories.yml").exists()
    assert (repo / "bot" / "data" / "nlu.yml").read_bytes() == (
        REPO_ROOT / "bot" / "data" / "nlu.yml"
    ).read_bytes()


def test_the_tests_made_in_the_console_go_into_the_runs_test_folder(
    harness: Harness,
) -> None:
    retrainer = harness.plan({})

    retrainer.start({}, "dev", run_id=9, extra_tests="stories: []\n")
    _finished(retrainer)

    tests = harness.settings.runs_dir / "9" / "tests"
    assert (tests / "console" / "made_in_console.yml").read_text() == "stories: []\n"
    assert (tests / "conversations" / "test_stories.yml").exists()


def test_only_the_newest_run_folders_are_kept(harness: Harness) -> None:
    runs = harness.settings.runs_dir
    for number in range(1, training.KEEP_RUN_FOLDERS + 3):
        (runs / f"old-{number}").mkdir(parents=True)
        os.utime(runs / f"old-{number}", ns=(number * 10**9, number * 10**9))
    retrainer = harness.plan({})

    retrainer.start({}, "dev", run_id=99)
    _finished(retrainer)

    kept = sorted(p.name for p in runs.iterdir())
    newest_old = [f"old-{n}" for n in range(4, training.KEEP_RUN_FOLDERS + 3)]
    assert kept == sorted(["99", *newest_old])
    assert len(kept) == training.KEEP_RUN_FOLDERS


def test_progress_rises_through_the_stages(harness: Harness) -> None:
    retrainer = harness.plan(
        {
            "train": {"lines": TRAIN_OUTPUT, "pause": 0.15},
            "test": {"lines": TEST_OUTPUT},
        }
    )

    retrainer.start({}, "dev", run_id=10)
    _finished(retrainer)

    progress = [s.progress for s in harness.snapshots]
    stages = [s.stage for s in harness.snapshots]
    assert progress == sorted(progress)
    assert progress[0] == 0.0 and progress[-1] == 1.0
    start, end = training.STAGE_SPANS["train"]
    during_training = [s.progress for s in harness.snapshots if s.stage == "train"]
    assert any(start < p < end for p in during_training)
    assert list(dict.fromkeys(stages)) == [
        "validate",
        "train",
        "test",
        "deploy",
        "done",
    ]
    assert [s.status for s in harness.snapshots].count("deployed") == 1


def test_progress_is_read_from_the_epoch_bars() -> None:
    progress = training._TrainProgress()
    tail = training._Tail("")
    seen = []
    for chunk in TRAIN_OUTPUT:
        seen += [progress.feed(line) for line in tail.feed(chunk)]

    fractions = [f for f in seen if f is not None]
    (diet_start, diet_end), (ted_start, ted_end) = training.EPOCH_COMPONENTS.values()
    assert fractions == sorted(fractions)
    assert fractions[0] == diet_start
    assert pytest.approx((diet_start + diet_end) / 2) in fractions  # 2 of 4 epochs
    assert pytest.approx((ted_start + ted_end) / 2) in fractions  # 1 of 2
    assert fractions[-1] == pytest.approx(ted_end)


def test_a_component_restored_from_cache_counts_as_trained() -> None:
    progress = training._TrainProgress()

    line = HOOKS + "Restored component 'DIETClassifier' from cache."
    assert progress.feed(line) == training.EPOCH_COMPONENTS["DIETClassifier"][1]


# Failures


def test_a_validation_failure_stops_before_training(
    harness: Harness, api: FakeRasaApi
) -> None:
    retrainer = harness.plan(
        {"validate": {"lines": ["ERROR  Found duplicated intent\n"], "exit": 1}}
    )

    retrainer.start({}, "dev", run_id=11)
    run = _finished(retrainer)

    assert (run.status, run.stage) == ("failed", "validate")
    assert (
        run.message == "The training data did not validate (rasa exited with status 1)."
    )
    assert "Found duplicated intent" in run.log_tail
    assert harness.stages_run() == ["validate"] and api.requests == []


def test_a_training_failure_deploys_nothing(harness: Harness, api: FakeRasaApi) -> None:
    retrainer = harness.plan({"train": {"lines": TRAIN_OUTPUT[:4], "exit": 1}})

    retrainer.start({}, "dev", run_id=12)
    run = _finished(retrainer)

    assert (run.status, run.stage, run.deployed) == ("failed", "train", False)
    assert "Training failed" in run.message
    assert harness.stages_run() == ["validate", "train"] and api.requests == []


def test_a_failing_conversation_test_rejects_the_model(
    harness: Harness, api: FakeRasaApi
) -> None:
    running = harness.settings.models_dir / "console-3.tar.gz"
    running.parent.mkdir(parents=True)
    running.write_bytes(b"the model the assistant runs")
    retrainer = harness.plan({"test": {"lines": WRONG_ACTION, "exit": 1}})

    retrainer.start({"greet": ["hi"]}, "dev", run_id=13)
    run = _finished(retrainer)

    assert (run.status, run.stage, run.deployed) == ("rejected", "test", False)
    assert run.message == (
        "A conversation test failed: the new model predicted a wrong action. "
        "The assistant keeps its current model."
    )
    assert api.requests == []
    assert not (harness.settings.models_dir / "console-13.tar.gz").exists()
    assert running.read_bytes() == b"the model the assistant runs"
    log = Path(run.log_path).read_text()
    assert "WrongPredictionException" in log and "== rejected:" in log


def test_a_test_stage_crash_is_a_rejection_too(harness: Harness) -> None:
    retrainer = harness.plan({"test": {"exit": 2}})

    retrainer.start({}, "dev", run_id=14)
    run = _finished(retrainer)

    assert run.status == "rejected"
    assert run.message.startswith("The conversation tests did not pass (rasa exited")


def test_a_refused_model_leaves_the_old_one_running(
    harness: Harness, api: FakeRasaApi
) -> None:
    api.status, api.body = 500, {"status": "failure", "message": "cannot unpack"}
    retrainer = harness.plan({})

    retrainer.start({}, "dev", run_id=15)
    run = _finished(retrainer)

    assert (run.status, run.stage, run.deployed) == ("failed", "deploy", False)
    assert run.message == (
        "The assistant refused the new model (HTTP 500: cannot unpack); "
        "it still runs the old one."
    )
    assert not (harness.settings.models_dir / "console-15.tar.gz").exists()


def test_an_unreachable_assistant_fails_the_deploy(tmp_path: Path, repo: Path) -> None:
    closed = FakeRasaApi()
    url = closed.url
    closed.close()
    retrainer = Harness(tmp_path, repo, url).plan({})

    retrainer.start({}, "dev", run_id=16)
    run = _finished(retrainer)

    assert (run.status, run.stage) == ("failed", "deploy")
    assert "could not be reached" in run.message and TOKEN not in run.message


def test_a_command_that_runs_too_long_is_stopped(harness: Harness) -> None:
    retrainer = harness.plan(
        {"train": {"lines": TRAIN_OUTPUT[:3], "sleep": 60}}, train_timeout_s=1.0
    )
    began = time.monotonic()

    retrainer.start({}, "dev", run_id=17)
    run = _finished(retrainer)

    assert (run.status, run.stage) == ("failed", "train")
    assert run.message == "The train stage took over 1 s."
    assert time.monotonic() - began < 15
    with pytest.raises(ProcessLookupError):
        os.kill(harness.pid("train"), 0)


def test_a_killed_command_fails_the_run(harness: Harness) -> None:
    retrainer = harness.plan({"train": {"signal": int(signal.SIGKILL)}})

    retrainer.start({}, "dev", run_id=18)
    run = _finished(retrainer)

    assert (run.status, run.stage) == ("failed", "train")
    assert run.message == "Training failed: rasa was stopped by signal SIGKILL."


def test_a_missing_rasa_fails_the_run(harness: Harness) -> None:
    retrainer = harness.plan({})
    harness.settings.rasa.unlink()

    retrainer.start({}, "dev", run_id=19)
    run = _finished(retrainer)

    assert (run.status, run.stage) == ("failed", "validate")
    assert run.message.startswith("rasa could not be started")


def test_edits_that_cannot_be_merged_fail_before_any_command(harness: Harness) -> None:
    retrainer = harness.plan({})

    retrainer.start({"greet": ["two\nlines"]}, "dev", run_id=20)
    run = _finished(retrainer)

    assert run.status == "failed" and "cannot be merged" in run.message
    assert harness.commands() == []


def test_cancel_stops_the_running_command(harness: Harness) -> None:
    retrainer = harness.plan({"train": {"sleep": 60}})
    retrainer.start({}, "dev", run_id=21)
    _wait_for(lambda: (harness.pids / "train").exists())

    assert retrainer.cancel() is True
    run = _finished(retrainer)

    assert (run.status, run.message) == ("failed", "Stopped before it finished.")
    assert retrainer.cancel() is False


# One run at a time, and what the caller sees


def test_a_second_start_is_refused_while_a_run_is_going(harness: Harness) -> None:
    release = harness.tmp_path / "release"
    retrainer = harness.plan({"train": {"wait_for": str(release)}})
    retrainer.start({}, "dev", run_id=22)

    with pytest.raises(TrainingBusy, match="run 22 is still running") as busy:
        retrainer.start({}, "dev", run_id=23)

    assert busy.value.run_id == 22
    release.touch()
    assert _finished(retrainer).status == "deployed"
    retrainer.start({}, "dev", run_id=24)
    assert _finished(retrainer).id == 24


def test_the_log_tail_is_short_clean_and_has_no_secrets(harness: Harness) -> None:
    noise = [f"line {n}\n" for n in range(60)]
    leaks = [
        f"PUT http://127.0.0.1:5005/model?token={TOKEN}\n",
        "DATABASE_URL=postgresql://concierge:hunter2@db.local/concierge\n",
    ]
    retrainer = harness.plan({"train": {"lines": noise + TRAIN_OUTPUT + leaks}})

    retrainer.start({}, "dev", run_id=25)
    run = _finished(retrainer)

    lines = run.log_tail.splitlines()
    assert len(lines) <= training.TAIL_LINES
    assert TOKEN not in run.log_tail and "hunter2" not in run.log_tail
    assert "token=***" in run.log_tail and "postgresql://***@db.local" in run.log_tail
    assert "\x1b[" not in run.log_tail and "\r" not in run.log_tail
    epoch_lines = [line for line in lines if line.startswith("Epochs:")]
    assert epoch_lines == [
        TRAIN_OUTPUT[6].strip("\r\n"),
        TRAIN_OUTPUT[11].strip("\r\n"),
    ]
    assert "line 59" in Path(run.log_path).read_text()


def test_a_failing_on_change_does_not_stop_the_run(tmp_path: Path, repo: Path) -> None:
    harness = Harness(tmp_path, repo, "http://127.0.0.1:9")
    calls = []

    def broken(run: TrainingRun) -> None:
        calls.append(run.stage)
        raise RuntimeError("database is down")

    retrainer = Retrainer(harness.settings, on_change=broken)
    retrainer.start({}, "dev", run_id=26)
    run = _finished(retrainer)

    assert run.stage == "deploy" and len(calls) > 3


def test_the_run_as_the_api_sends_it() -> None:
    moment = datetime(2026, 12, 4, 9, 30, tzinfo=UTC)
    run = TrainingRun(
        id=3,
        status="running",
        stage="train",
        progress=0.123456,
        started_by="dev",
        started_at=moment,
        seconds=12.34,
    )

    assert run.as_dict() == {
        "id": 3,
        "status": "running",
        "stage": "train",
        "progress": 0.1235,
        "started_by": "dev",
        "started_at": "2026-12-04T09:30:00+00:00",
        "finished_at": None,
        "seconds": 12.3,
        "message": "",
        "log_tail": "",
        "deployed": False,
    }


def test_a_run_id_must_be_safe_in_a_file_name(harness: Harness) -> None:
    retrainer = harness.plan({})

    with pytest.raises(ValueError, match="letters, digits"):
        retrainer.start({}, "dev", run_id="../../etc")


def test_settings_for_the_stack_keep_the_token_out_of_repr() -> None:
    from bot.settings import StackSettings

    settings = TrainingSettings.for_stack(StackSettings(), TOKEN)

    assert settings.rasa_url == "http://127.0.0.1:5005"
    assert settings.models_dir == REPO_ROOT / "models"
    assert TOKEN not in repr(settings)


VALIDATE_OUTPUT = """\
/x/site-packages/rasa/core/tracker_store.py:1044: MovedIn20Warning: Deprecated API
  Base: DeclarativeMeta = declarative_base()
/x/site-packages/pkg_resources/__init__.py:3117: DeprecationWarning: Deprecated call
Implementing implicit namespace packages (as specified in PEP 420) is preferred
  declare_namespace(pkg)
/x/matplotlib/fontconfig_pattern.py:134: PyparsingDeprecationWarning: 'resetCache'
  self._parser.resetCache()
2026-12-04 16:21:03 INFO     rasa.validator  - Validating intents...
/x/rasa/shared/utils/io.py:100: UserWarning: The utterance 'utter_b' is not used \
in any story or rule.
/x/rasa/shared/utils/io.py:100: UserWarning: The utterance 'utter_a' is not used \
in any story or rule.
/x/rasa/shared/utils/io.py:100: UserWarning: The intent 'greet' is listed twice.
/x/rasa/shared/utils/io.py:554: FutureWarning: The 'x' key is deprecated.
  More info at https://rasa.com/docs/rasa/domain
Processed story blocks:   0%|          | 0/4 [00:00<?, ?it/s]
2026-12-04 16:21:03 ERROR    rasa.validator  - Story 'x' has a conflict.
"""


def test_validation_output_keeps_rasas_findings_and_drops_the_noise() -> None:
    assert training.readable_validation(VALIDATE_OUTPUT) == [
        "Validating intents...",
        "Warning: The intent 'greet' is listed twice.",
        "Warning: The 'x' key is deprecated.",
        "  More info at https://rasa.com/docs/rasa/domain",
        "Error: Story 'x' has a conflict.",
        (
            "2 responses are in no story or rule (fine for those the custom "
            "actions send): utter_a, utter_b."
        ),
    ]
