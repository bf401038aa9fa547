"""Console timings: from saving a response edit to seeing it in a reply, and a
retrain started from the console, on a stack of its own.

    .venv/bin/python bench/console.py [--rounds 30] [--retrain]

Starts Concierge on the bench ports with a fresh, seeded store (the model of
the current inputs, trained first if missing), signs a developer in to the
console over HTTP, and then:

- edit to reply: each round saves a new wording of utter_iamabot (PUT, as the
  console's page does) and at once sends "are you a bot?" over the REST
  channel; the time runs from the start of the save to the reply, which must
  carry the new wording. A plain message without an edit is timed beside it.
- retrain (--retrain): adds one example to an intent, starts a retrain (POST
  /train) and polls the run every second until it ends, noting when each
  stage began; the new model must end up deployed and loaded. The example
  has new words each run, so Rasa's cache cannot restore the classifier.

Prints the figures and writes bench/results/console.json.
"""

from __future__ import annotations

import argparse
import logging
import statistics
import sys
import time
import uuid
from pathlib import Path
from typing import Any

if __package__ in (None, ""):  # run as a file: make the repo's packages importable
    sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

import httpx

from bench.assistants import ConciergeSite, environment, train_concierge
from bench.report import machine_facts, save
from bot.console.auth import hash_password
from bot.console.store import ConsoleStore
from bot.settings import REPO_ROOT, StackSettings
from profiles.config import StoreSettings
from profiles.engine import make_engine

logger = logging.getLogger("bench.console")

PORTS = {"rasa_port": 25005, "actions_port": 25055, "web_port": 28080}
RESULTS = REPO_ROOT / "bench" / "results" / "console.json"
PASSWORD = "a bench console password"
QUESTION = "are you a bot?"
RESPONSE = "utter_iamabot"
RETRAIN_INTENT = "greet"
# New words each run, so the training data is new to Rasa's cache, as a lead's
# edit would be, and the classifier trains again instead of being restored.
RETRAIN_EXAMPLE = "good day to you, assistant {}"
RETRAIN_TIMEOUT_S = 1800


def percentiles(values: list[float]) -> dict[str, float]:
    ordered = sorted(values)
    p95 = ordered[max(0, round(0.95 * len(ordered)) - 1)]
    return {
        "p50": round(statistics.median(ordered), 1),
        "p95": round(p95, 1),
        "max": round(ordered[-1], 1),
        "n": len(ordered),
    }


def add_developer(site: ConciergeSite) -> None:
    with environment(site.env):
        database_url = StoreSettings.from_env().database_url
    engine = make_engine(database_url)
    try:
        ConsoleStore(engine).add_user("bench-dev", hash_password(PASSWORD), "developer")
    finally:
        engine.dispose()


def sign_in(base: str) -> httpx.Client:
    client = httpx.Client(base_url=base, headers={"Origin": base}, timeout=60)
    answer = client.post(
        "/console/api/login", json={"username": "bench-dev", "password": PASSWORD}
    )
    answer.raise_for_status()
    client.headers["X-CSRF-Token"] = answer.json()["csrf_token"]
    return client


def ask(rasa: httpx.Client, sender: str) -> str:
    answer = rasa.post(
        "/webhooks/rest/webhook", json={"sender": sender, "message": QUESTION}
    )
    answer.raise_for_status()
    return "\n".join(reply.get("text", "") for reply in answer.json())


def edit_to_reply(
    console: httpx.Client, rasa: httpx.Client, rounds: int
) -> dict[str, Any]:
    plain, saves, totals = [], [], []
    ask(rasa, "bench-warm-up")
    for number in range(rounds):
        sender = f"bench-{uuid.uuid4().hex[:10]}"
        started = time.perf_counter()
        ask(rasa, sender)
        plain.append((time.perf_counter() - started) * 1000)
        wording = (
            f"I'm the shop's assistant bot (wording {number}, {uuid.uuid4().hex[:6]})."
        )
        started = time.perf_counter()
        console.put(
            f"/console/api/responses/{RESPONSE}", json={"variants": [{"text": wording}]}
        ).raise_for_status()
        saved = time.perf_counter()
        reply = ask(rasa, sender)
        done = time.perf_counter()
        if reply != wording:
            raise RuntimeError(f"round {number}: the reply was {reply!r}, not the edit")
        saves.append((saved - started) * 1000)
        totals.append((done - started) * 1000)
    console.post(f"/console/api/responses/{RESPONSE}/reset").raise_for_status()
    return {
        "save_to_reply_ms": percentiles(totals),
        "save_ms": percentiles(saves),
        "message_without_edit_ms": percentiles(plain),
    }


def retrain(
    console: httpx.Client, rasa: httpx.Client, rasa_token: str
) -> dict[str, Any]:
    intent = next(
        i
        for i in console.get("/console/api/intents").json()["intents"]
        if i["name"] == RETRAIN_INTENT
    )
    example = RETRAIN_EXAMPLE.format(uuid.uuid4().hex[:6])
    examples = [*intent["examples"], example]
    console.put(
        f"/console/api/intents/{RETRAIN_INTENT}", json={"examples": examples}
    ).raise_for_status()
    started = time.perf_counter()
    run = console.post("/console/api/train").json()["run"]
    stages: dict[str, float] = {"validate": 0.0}
    while run["status"] == "running":
        if time.perf_counter() - started > RETRAIN_TIMEOUT_S:
            raise RuntimeError("the retrain did not finish in time")
        time.sleep(1)
        run = console.get(f"/console/api/train/{run['id']}").json()
        stages.setdefault(run["stage"], round(time.perf_counter() - started, 1))
    seconds = time.perf_counter() - started
    status = rasa.get("/status", params={"token": rasa_token}).json()
    parsed = rasa.post(
        "/model/parse", params={"token": rasa_token}, json={"text": example}
    ).json()
    return {
        "status": run["status"],
        "message": run["message"],
        "seconds_from_the_click": round(seconds, 1),
        "seconds_by_the_run": run["seconds"],
        "stage_started_at_s": stages,
        "model_loaded": Path(status.get("model_file", "")).name,
        "new_example_parsed_as": parsed.get("intent", {}).get("name"),
    }


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--rounds", type=int, default=30)
    parser.add_argument("--retrain", action="store_true", help="also time a retrain")
    args = parser.parse_args(argv)
    logging.basicConfig(
        level=logging.INFO, format="%(levelname)s %(name)s: %(message)s"
    )
    settings = StackSettings(**PORTS)
    site = ConciergeSite(REPO_ROOT / "var" / "bench" / "console")
    site.reset()
    model, _ = train_concierge(settings, site, force=False)
    site.prepare(settings)
    add_developer(site)
    results: dict[str, Any] = {
        "machine": machine_facts(REPO_ROOT / ".venv-rasa" / "bin" / "python"),
        "model": model.name,
    }
    stack = site.stack(settings, model)
    with stack:
        base = f"http://127.0.0.1:{settings.web_port}"
        rasa_url = f"http://127.0.0.1:{settings.rasa_port}"
        console = sign_in(base)
        rasa = httpx.Client(base_url=rasa_url, timeout=120)
        try:
            results["edit_to_reply"] = edit_to_reply(console, rasa, args.rounds)
            if args.retrain:
                results["retrain"] = retrain(console, rasa, stack.rasa_api_token)
        finally:
            console.close()
            rasa.close()
    save(results, RESULTS)
    for name in ("edit_to_reply", "retrain"):
        if name in results:
            print(name, results[name])
    print(f"saved {RESULTS.relative_to(REPO_ROOT)}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
