"""Retraining from the console: validate, train, test, then swap the model.

One run at a time, in a background thread. Each stage is a `rasa` command
(or, to deploy, one request to Rasa's HTTP API) whose output goes to the
run's log file; a TrainingRun snapshot says where the run is. The running
model is replaced only when training succeeded and the conversation tests
(tests/conversations, plus the stories the caller passes: the tests made in
the console) all pass.
The caller passes the intent edits; nothing here touches the database.
"""

from __future__ import annotations

import codecs
import hashlib
import json
import logging
import os
import re
import secrets
import selectors
import shutil
import signal
import subprocess
import tempfile
import threading
import time
from collections import deque
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field, replace
from datetime import UTC, datetime
from pathlib import Path
from typing import IO, Any

import httpx

from bot.console import nlu
from bot.settings import StackSettings

logger = logging.getLogger(__name__)

MODEL_PREFIX = "console-"
RUN_ID = re.compile(r"[A-Za-z0-9_-]{1,64}")  # becomes part of a model file name
TAIL_LINES = 40
TAIL_LINE_CHARS = 400
RECENT_LINES = 2000  # searched for the reason a test failed
PROGRESS_EVERY_S = 1.0  # on_change at most this often for progress alone
KILL_GRACE_S = 5.0
READ_CHUNK = 65536
KEEP_RUN_FOLDERS = 10  # the newest runs keep their data, results and log
# What a rasa command inherits from this process: enough to run, no secrets.
PASSED_ENV = ("PATH", "HOME", "LANG", "LC_ALL", "LC_CTYPE", "TMPDIR", "TZ", "USER")
RASA_ENV = {"RASA_TELEMETRY_ENABLED": "false", "PYTHONUNBUFFERED": "1"}

# Where each stage runs on the 0..1 progress bar, and inside the train stage
# where the two components that print an "Epochs" bar run. Weighed by a full
# `rasa train` on this machine (2 cores, var/log/train.log): DIET 246 s, TED
# 10 s, the featurizers and rule policies about 20 s; validating, testing
# and loading a model take seconds to tens of seconds each.
STAGE_SPANS = {
    "validate": (0.0, 0.06),
    "train": (0.06, 0.88),
    "test": (0.88, 0.96),
    "deploy": (0.96, 1.0),
}
EPOCH_COMPONENTS = {"DIETClassifier": (0.04, 0.92), "TEDPolicy": (0.93, 0.99)}

STARTED = re.compile(r"Starting to train component '(\w+)'")
SKIPPED = re.compile(r"(?:Restored|Finished training) component '(\w+)'")
EPOCHS = re.compile(r"Epochs:\s*\d+%\|[^|]*\|\s*(\d+)/(\d+)")
BARE_BAR = re.compile(r"^\s*\d+%\|[^|]*\|\s*(\d+)/(\d+)")  # tqdm without a label
ANSI = re.compile(r"\x1b\[[0-9;]*[A-Za-z]")
URL_CREDENTIALS = re.compile(r"://[^/\s:@]+:[^/\s@]+@")
WRONG_PREDICTION = re.compile(r"predicted a wrong (action|intent or entities)")
# rasa data validate's lines: Python warnings, Rasa's log lines, progress bars.
WARNING_LINE = re.compile(r"^\S+\.py:\d+: (?P<kind>\w+): (?P<text>.*)$")
LOG_LINE = re.compile(
    r"^\d{4}-\d\d-\d\d \d\d:\d\d:\d\d (?P<level>[A-Z]+)\s+\S+\s+- (?P<text>.*)$"
)
ANY_BAR = re.compile(r"\d+%\|")
UNUSED_RESPONSE = re.compile(r"The utterance '(\w+)' is not used in any story or rule")
# The libraries' notices to their own users (any *DeprecationWarning too);
# Rasa's deprecation notices about this project's files are FutureWarnings,
# and are kept.
LIBRARY_NOTICES = frozenset({"MovedIn20Warning", "RemovedIn20Warning"})


@dataclass(frozen=True)
class TrainingSettings:
    """Where rasa, the repo and the models are, and how to reach the running
    Rasa (started with `--enable-api --auth-token TOKEN`)."""

    rasa: Path
    root: Path
    models_dir: Path
    runs_dir: Path  # one folder per run: merged data, tests, results, log
    rasa_url: str
    rasa_token: str = field(repr=False)
    validate_timeout_s: float = 600.0
    train_timeout_s: float = 3600.0
    test_timeout_s: float = 1800.0
    deploy_timeout_s: float = 300.0

    @classmethod
    def for_stack(cls, stack: StackSettings, rasa_token: str) -> TrainingSettings:
        return cls(
            rasa=stack.rasa,
            root=stack.root,
            models_dir=stack.models_dir,
            runs_dir=stack.var_dir / "console" / "training",
            rasa_url=stack.rasa_url,
            rasa_token=rasa_token,
        )


@dataclass(frozen=True)
class TrainingRun:
    """One retraining run as the console shows it.

    status: running, deployed, failed or rejected (trained, tests failed,
    model not used); stage: validate, train, test, deploy, or done once
    deployed. A failed run keeps the stage it failed in.
    """

    id: int | str
    status: str
    stage: str
    progress: float
    started_by: str
    started_at: datetime
    finished_at: datetime | None = None
    seconds: float = 0.0
    message: str = ""
    log_tail: str = ""
    deployed: bool = False
    model: str | None = None  # the trained model's file name
    log_path: str = ""

    @property
    def finished(self) -> bool:
        return self.status != "running"

    def as_dict(self) -> dict[str, Any]:
        """The run as the console's JSON API sends it."""
        return {
            "id": self.id,
            "status": self.status,
            "stage": self.stage,
            "progress": round(self.progress, 4),
            "started_by": self.started_by,
            "started_at": self.started_at.isoformat(),
            "finished_at": self.finished_at.isoformat() if self.finished_at else None,
            "seconds": round(self.seconds, 1),
            "message": self.message,
            "log_tail": self.log_tail,
            "deployed": self.deployed,
        }


class TrainingBusy(RuntimeError):
    """A run is in progress; `run_id` names it."""

    def __init__(self, run_id: int | str) -> None:
        super().__init__(f"Training run {run_id} is still running; wait for it.")
        self.run_id = run_id


class _Stop(Exception):
    """Ends a run early with this status and message."""

    def __init__(self, status: str, message: str) -> None:
        super().__init__(message)
        self.status = status
        self.message = message


OnChange = Callable[[TrainingRun], None]


class Retrainer:
    """Starts retraining runs, one at a time, and reports on them.

    `on_change` is called with a snapshot of the run every time its stage or
    status changes, and at most every PROGRESS_EVERY_S for progress alone;
    first from `start` (the new run), then from the run's thread.
    """

    def __init__(
        self,
        settings: TrainingSettings,
        on_change: OnChange | None = None,
        *,
        clock: Callable[[], datetime] = lambda: datetime.now(UTC),
    ) -> None:
        self.settings = settings
        self._on_change = on_change
        self._clock = clock
        self._lock = threading.Lock()
        self._run: TrainingRun | None = None
        self._busy = False
        self._thread: threading.Thread | None = None
        self._cancel = threading.Event()

    def start(
        self,
        intent_edits: nlu.IntentEdits,
        started_by: str,
        *,
        run_id: int | str | None = None,
        extra_tests: str | None = None,
    ) -> TrainingRun:
        """Starts a run with the intent edits merged into bot/data and
        `extra_tests` (a stories file's text) tested beside tests/conversations;
        raises TrainingBusy while another run is going."""
        run_id = run_id if run_id is not None else _new_run_id(self._clock())
        if not RUN_ID.fullmatch(str(run_id)):
            raise ValueError(f"a run id is letters, digits, - and _: {run_id!r}")
        with self._lock:
            if self._busy and self._run is not None:
                raise TrainingBusy(self._run.id)
            run_dir = self.settings.runs_dir / str(run_id)
            run = TrainingRun(
                id=run_id,
                status="running",
                stage="validate",
                progress=0.0,
                started_by=started_by,
                started_at=self._clock(),
                message="Checking the training data.",
                log_path=str(run_dir / "run.log"),
            )
            self._run, self._busy = run, True
            self._cancel.clear()
            job = _Job(self, run_dir, dict(intent_edits), extra_tests)
            self._thread = threading.Thread(
                target=job.execute, name=f"training-{run_id}", daemon=True
            )
        self._notify(run)
        self._thread.start()
        logger.info("Training run %s started", run_id)
        return run

    def current(self) -> TrainingRun | None:
        """The latest run, running or finished; None before the first."""
        with self._lock:
            return self._run

    def wait(self, timeout: float | None = None) -> TrainingRun | None:
        """Blocks until the current run ends (or timeout); returns it."""
        thread = self._thread
        if thread is not None:
            thread.join(timeout)
        return self.current()

    def cancel(self) -> bool:
        """Stops the running command; the run ends as failed. False when
        nothing runs. For shutting the console down mid-run."""
        with self._lock:
            if self._busy:
                self._cancel.set()
            return self._busy

    def _done(self) -> None:
        with self._lock:
            self._busy = False

    def _update(self, notify: bool, **changes: Any) -> TrainingRun:
        with self._lock:
            run = self._run
            assert run is not None
            elapsed = (self._clock() - run.started_at).total_seconds()
            run = replace(run, seconds=max(elapsed, 0.0), **changes)
            self._run = run
        if notify:
            self._notify(run)
        return run

    def _notify(self, run: TrainingRun) -> None:
        if self._on_change is None:
            return
        try:
            self._on_change(run)
        except Exception:
            # The run goes on: a failed save must not leave a model half swapped.
            logger.exception("Saving training run %s failed", run.id)


def _new_run_id(now: datetime) -> str:
    return now.strftime("%Y%m%d-%H%M%S-") + secrets.token_hex(2)


class _Job:
    """The stages of one run, executed in the run's thread."""

    def __init__(
        self,
        retrainer: Retrainer,
        run_dir: Path,
        intent_edits: dict[str, Sequence[str]],
        extra_tests: str | None,
    ) -> None:
        self.retrainer = retrainer
        self.settings = retrainer.settings
        self.run_dir = run_dir
        self.intent_edits = intent_edits
        self.extra_tests = extra_tests
        self.tail = _Tail(self.settings.rasa_token)
        self.model: Path | None = None
        self.log: IO[bytes] | None = None
        self.last_notice = 0.0

    def execute(self) -> None:
        try:
            self._prepare()
            self._validate()
            self._train()
            self._test()
            self._deploy()
        except _Stop as stop:
            self._finish(stop.status, stop.message)
        except Exception:
            logger.exception("Training run %s failed", self._run().id)
            self._finish("failed", "Retraining stopped on an unexpected error.")
        finally:
            if self.log is not None:
                self.log.close()
            self.retrainer._done()

    def _run(self) -> TrainingRun:
        run = self.retrainer.current()
        assert run is not None
        return run

    def _prepare(self) -> None:
        if self.run_dir.exists():
            shutil.rmtree(self.run_dir)
        self.run_dir.mkdir(parents=True)
        _remove_old_run_folders(self.settings.runs_dir, keep=self.run_dir)
        self.log = (self.run_dir / "run.log").open("ab")
        root = self.settings.root
        try:
            nlu.write_training_data(
                root / "bot" / "data", self.run_dir / "data", self.intent_edits
            )
        except nlu.TrainingDataError as error:
            raise _Stop(
                "failed", f"The intent edits cannot be merged: {error}"
            ) from None
        shutil.copytree(
            root / "tests" / "conversations", self.run_dir / "tests" / "conversations"
        )
        if self.extra_tests is not None:
            extra = self.run_dir / "tests" / "console"
            extra.mkdir()
            (extra / "made_in_console.yml").write_text(
                self.extra_tests, encoding="utf-8"
            )

    def _validate(self) -> None:
        code = self._command(
            "validate",
            ["data", "validate", *self._inputs()],
            self.settings.validate_timeout_s,
        )
        if code != 0:
            raise _Stop(
                "failed", _exit_message("The training data did not validate", code)
            )
        self._stage("train", "Training the model.")

    def _train(self) -> None:
        name = f"{MODEL_PREFIX}{self._run().id}"
        self.model = self.settings.models_dir / f"{name}.tar.gz"
        self.retrainer._update(True, model=self.model.name)
        progress = _TrainProgress()
        code = self._command(
            "train",
            ["train", *self._inputs(), "--out", str(self.settings.models_dir),
             "--fixed-model-name", name],
            self.settings.train_timeout_s,
            progress.feed,
        )  # fmt: skip
        if code != 0:
            raise _Stop("failed", _exit_message("Training failed", code))
        if not self.model.exists():
            raise _Stop("failed", f"Training ended but wrote no {self.model.name}.")
        self._stage("test", "Running the conversation tests.")

    def _test(self) -> None:
        results = self.run_dir / "test-results"
        code = self._command(
            "test",
            ["test", "core", "--model", str(self.model),
             "--stories", str(self.run_dir / "tests"),
             "--fail-on-prediction-errors", "--out", str(results)],
            self.settings.test_timeout_s,
            _bar_fraction,
        )  # fmt: skip
        if code != 0:
            raise _Stop("rejected", self._rejection(code))
        self._stage("deploy", "Loading the new model into the assistant.")

    def _deploy(self) -> None:
        assert self.model is not None
        self._log_line(f"== deploy: PUT {self.settings.rasa_url}/model")
        params = {"token": self.settings.rasa_token} if self.settings.rasa_token else {}
        try:
            answer = httpx.put(
                f"{self.settings.rasa_url}/model",
                params=params,
                json={"model_file": str(self.model.resolve())},
                timeout=self.settings.deploy_timeout_s,
            )
        except httpx.TimeoutException:
            self.model = None  # kept: the assistant may still be reading it
            raise _Stop(
                "failed",
                f"The assistant did not answer within "
                f"{self.settings.deploy_timeout_s:.0f} s; it may still load the "
                "new model. Check which model it runs.",
            ) from None
        except httpx.HTTPError as error:
            raise _Stop(
                "failed",
                f"The assistant could not be reached to load the new model "
                f"({type(error).__name__}); it still runs the old one.",
            ) from None
        if answer.status_code not in (200, 204):
            raise _Stop("failed", self._refusal(answer))
        self._remove_other_models()
        self._finish("deployed", "The new model passed the tests and is live.")

    def _inputs(self) -> list[str]:
        return ["--config", "config.yml", "--domain", "domain.yml",
                "--data", str(self.run_dir / "data")]  # fmt: skip

    def _command(
        self,
        stage: str,
        arguments: list[str],
        timeout: float,
        fraction: Callable[[str], float | None] | None = None,
    ) -> int:
        """Runs one rasa command to its end; returns its exit status.

        Its output goes to the log and the tail; `fraction` reads each line
        (tqdm redraws a line after "\\r") and says how far the stage is.
        """
        command = [str(self.settings.rasa), *arguments]
        self._log_line(f"== {stage}: {' '.join(command)}")
        try:
            process = subprocess.Popen(
                command,
                cwd=self.settings.root,
                env=_command_env(),
                stdout=subprocess.PIPE,
                stderr=subprocess.STDOUT,
                start_new_session=True,
            )
        except OSError as error:
            raise _Stop(
                "failed", f"rasa could not be started: {error.strerror}."
            ) from None
        try:
            self._follow(process, stage, time.monotonic() + timeout, timeout, fraction)
        finally:
            if process.poll() is None:
                _stop_process(process)
            process.stdout.close()
        return process.returncode

    def _follow(
        self,
        process: subprocess.Popen,
        stage: str,
        deadline: float,
        timeout: float,
        fraction: Callable[[str], float | None] | None,
    ) -> None:
        decoder = codecs.getincrementaldecoder("utf-8")(errors="replace")
        with selectors.DefaultSelector() as selector:
            selector.register(process.stdout, selectors.EVENT_READ)
            while True:
                if self.retrainer._cancel.is_set():
                    raise _Stop("failed", "Stopped before it finished.")
                if time.monotonic() > deadline:
                    raise _Stop(
                        "failed", f"The {stage} stage took over {timeout:.0f} s."
                    )
                if not selector.select(timeout=0.5):
                    continue
                chunk = os.read(process.stdout.fileno(), READ_CHUNK)
                if not chunk:
                    break
                self.log.write(chunk)
                for line in self.tail.feed(decoder.decode(chunk)):
                    self._progress(stage, fraction(line) if fraction else None)
        remaining = max(deadline - time.monotonic(), 0.1)
        try:
            process.wait(timeout=remaining)
        except subprocess.TimeoutExpired:
            raise _Stop(
                "failed", f"The {stage} stage took over {timeout:.0f} s."
            ) from None

    def _progress(self, stage: str, fraction: float | None) -> None:
        now = time.monotonic()
        run = self._run()
        changed = {"log_tail": self.tail.text()}
        if fraction is not None:
            start, end = STAGE_SPANS[stage]
            changed["progress"] = max(run.progress, start + (end - start) * fraction)
        notify = now - self.last_notice >= PROGRESS_EVERY_S
        if notify:
            self.last_notice = now
        self.retrainer._update(notify, **changed)

    def _stage(self, stage: str, message: str) -> None:
        start, _ = STAGE_SPANS[stage]
        progress = max(self._run().progress, start)
        self.retrainer._update(
            True,
            stage=stage,
            progress=progress,
            message=message,
            log_tail=self.tail.text(),
        )

    def _finish(self, status: str, message: str) -> None:
        deployed = status == "deployed"
        if not deployed and self.model is not None:
            self.model.unlink(missing_ok=True)
        self._log_line(f"== {status}: {message}")
        changes: dict[str, Any] = {
            "status": status,
            "message": message,
            "finished_at": self.retrainer._clock(),
            "log_tail": self.tail.text(),
            "deployed": deployed,
        }
        if deployed:
            changes |= {"stage": "done", "progress": 1.0}
        run = self.retrainer._update(True, **changes)
        logger.info(
            "Training run %s %s after %.0f s at stage %s",
            run.id,
            run.status,
            run.seconds,
            run.stage,
        )

    def _rejection(self, code: int) -> str:
        wrong = WRONG_PREDICTION.search("\n".join(self.tail.recent))
        if wrong:
            return (
                f"A conversation test failed: the new model predicted a wrong "
                f"{wrong.group(1)}. The assistant keeps its current model."
            )
        return (
            _exit_message("The conversation tests did not pass", code)
            + " The assistant keeps its current model."
        )

    def _refusal(self, answer: httpx.Response) -> str:
        try:
            reason = str(answer.json().get("message", ""))
        except ValueError:
            reason = answer.text
        reason = self.tail.redact(reason)[:200]
        return (
            f"The assistant refused the new model (HTTP {answer.status_code}"
            f"{': ' + reason if reason else ''}); it still runs the old one."
        )

    def _remove_other_models(self) -> None:
        """Older console models: the assistant keeps what it loaded in memory."""
        for old in self.settings.models_dir.glob(f"{MODEL_PREFIX}*.tar.gz"):
            if old != self.model:
                old.unlink(missing_ok=True)

    def _log_line(self, text: str) -> None:
        if self.log is not None:
            self.log.write(f"{self.tail.redact(text)}\n".encode())
            self.log.flush()


def _remove_old_run_folders(runs_dir: Path, keep: Path) -> None:
    """All but the KEEP_RUN_FOLDERS newest run folders (`keep` among them)."""
    folders = [p for p in runs_dir.iterdir() if p.is_dir() and p != keep]
    folders.sort(key=lambda p: p.stat().st_mtime_ns, reverse=True)
    for old in folders[KEEP_RUN_FOLDERS - 1 :]:
        shutil.rmtree(old, ignore_errors=True)


def _exit_message(what: str, code: int) -> str:
    if code < 0:
        name = signal.Signals(-code).name if -code in signal.valid_signals() else -code
        return f"{what}: rasa was stopped by signal {name}."
    return f"{what} (rasa exited with status {code})."


def _command_env() -> dict[str, str]:
    env = {name: os.environ[name] for name in PASSED_ENV if name in os.environ}
    return env | RASA_ENV


def _stop_process(process: subprocess.Popen) -> None:
    """SIGTERM to the command's process group, SIGKILL if it lingers."""
    for sig in (signal.SIGTERM, signal.SIGKILL):
        try:
            os.killpg(process.pid, sig)
        except ProcessLookupError:
            return
        try:
            process.wait(timeout=KILL_GRACE_S)
            return
        except subprocess.TimeoutExpired:
            continue


class _TrainProgress:
    """How far `rasa train` is, from the lines it prints: each component with
    an "Epochs" bar fills its span; one restored from cache counts as done."""

    def __init__(self) -> None:
        self.component: str | None = None
        self.fraction = 0.0

    def feed(self, line: str) -> float | None:
        if started := STARTED.search(line):
            self.component = started.group(1)
            span = EPOCH_COMPONENTS.get(self.component)
            return self._reach(span[0]) if span else None
        if skipped := SKIPPED.search(line):
            span = EPOCH_COMPONENTS.get(skipped.group(1))
            return self._reach(span[1]) if span else None
        epochs = EPOCHS.search(line)
        span = EPOCH_COMPONENTS.get(self.component or "")
        if epochs and span and int(epochs.group(2)):
            done = int(epochs.group(1)) / int(epochs.group(2))
            return self._reach(span[0] + (span[1] - span[0]) * done)
        return None

    def _reach(self, fraction: float) -> float:
        self.fraction = max(self.fraction, min(fraction, 1.0))
        return self.fraction


def _bar_fraction(line: str) -> float | None:
    """The fraction of an unlabelled tqdm bar, as `rasa test core` prints."""
    bar = BARE_BAR.search(line)
    if bar and int(bar.group(2)):
        return int(bar.group(1)) / int(bar.group(2))
    return None


class _Tail:
    """The last lines a run printed, cleaned for the page: colours removed,
    a redrawn progress bar kept once, the Rasa token and URL passwords masked.

    `recent` keeps more lines, to look for why the tests failed.
    """

    def __init__(self, token: str) -> None:
        self.token = token
        self.lines: deque[str] = deque(maxlen=TAIL_LINES)
        self.recent: deque[str] = deque(maxlen=RECENT_LINES)
        self.partial = ""

    def feed(self, text: str) -> list[str]:
        """Takes output as it arrives; returns each line or redraw it completed."""
        completed = []
        for piece in re.split(r"(\r\n|\r|\n)", text):
            if piece in ("\n", "\r\n"):
                completed.append(self.partial)
                self._keep(self.partial)
                self.partial = ""
            elif piece == "\r":
                if self.partial:
                    completed.append(self.partial)
                self.partial = ""
            else:
                self.partial += piece
        return [self.clean(line) for line in completed]

    def _keep(self, line: str) -> None:
        line = self.clean(line)
        self.lines.append(line[:TAIL_LINE_CHARS])
        self.recent.append(line)

    def text(self) -> str:
        lines = list(self.lines)
        if self.partial:
            lines = lines[1:] if len(lines) == TAIL_LINES else lines
            lines.append(self.clean(self.partial)[:TAIL_LINE_CHARS])
        return "\n".join(lines)

    def clean(self, line: str) -> str:
        return self.redact(ANSI.sub("", line)).rstrip()

    def redact(self, text: str) -> str:
        if self.token:
            text = text.replace(self.token, "***")
        return URL_CREDENTIALS.sub("://***@", text)


def validate_data(
    settings: TrainingSettings, intent_edits: nlu.IntentEdits
) -> tuple[bool, str]:
    """`rasa data validate` on the repo's data with the edits merged in, apart
    from any run: whether it passed, and what it printed (ANSI codes and any
    token removed, at most the last TAIL_LINES * 5 lines)."""
    with tempfile.TemporaryDirectory(prefix="concierge-validate-") as folder:
        data = Path(folder) / "data"
        try:
            nlu.write_training_data(settings.root / "bot" / "data", data, intent_edits)
        except nlu.TrainingDataError as error:
            return False, f"The intent edits cannot be merged: {error}"
        command = [str(settings.rasa), "data", "validate", "--config", "config.yml",
                   "--domain", "domain.yml", "--data", str(data)]  # fmt: skip
        try:
            done = subprocess.run(
                command,
                cwd=settings.root,
                env=_command_env(),
                capture_output=True,
                text=True,
                timeout=settings.validate_timeout_s,
                check=False,
            )
        except subprocess.TimeoutExpired:
            return False, f"Validation took over {settings.validate_timeout_s:.0f} s."
    output = ANSI.sub("", done.stdout + done.stderr).replace(str(data), "bot/data")
    lines = readable_validation(output)[-TAIL_LINES * 5 :]
    return done.returncode == 0, "\n".join(lines)


def readable_validation(output: str) -> list[str]:
    """rasa data validate's output as a lead can read it: Rasa's findings one
    a line, without the libraries' deprecation notices and progress bars, and
    the responses no story names (those the actions send) in one line."""
    kept, unused, in_notice = [], [], False
    for line in output.splitlines():
        if warning := WARNING_LINE.match(line):
            kind = warning["kind"]
            in_notice = kind in LIBRARY_NOTICES or kind.endswith("DeprecationWarning")
            if in_notice:
                continue
            if response := UNUSED_RESPONSE.search(warning["text"]):
                unused.append(response[1])
            else:
                kept.append(f"Warning: {warning['text']}")
        elif log := LOG_LINE.match(line):
            in_notice = False
            level = "" if log["level"] == "INFO" else f"{log['level'].title()}: "
            kept.append(level + log["text"])
        elif not in_notice and line.strip() and not ANY_BAR.search(line):
            kept.append(line.rstrip())
    if unused:
        kept.append(
            f"{len(unused)} responses are in no story or rule (fine for those the "
            f"custom actions send): {', '.join(sorted(unused))}."
        )
    return kept


def edits_hash(intent_edits: nlu.IntentEdits) -> str:
    """A short, order-independent digest of intent edits, to tell later whether a
    console-trained model was trained on the edits in force now."""
    canonical = json.dumps(
        {name: list(examples) for name, examples in intent_edits.items()},
        sort_keys=True,
    )
    return hashlib.sha256(canonical.encode()).hexdigest()[:16]
