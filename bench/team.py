"""Team mode benchmark: queue throughput and web latency, SQLite and PostgreSQL side by side.

    .venv/bin/python bench/team.py [--jobs 12] [--users 50] [--seconds 10] [--workers 1,2,4]

1. Jobs per minute. Transcript inputs (the bundled negotiation transcript, made distinct per job), so
   the queue and the store are what is measured, not Whisper: each job is extraction (offline
   extractor) + store + rendering (md, html, docx).
   * ``sqlite/in-process``: the single-user default, the web app's in-process runner (one thread);
   * ``postgres/N workers``: N ``summarizer worker`` processes on one Procrastinate queue in a
     throwaway PostgreSQL cluster (initdb in a temp dir).
   Each runner first makes one warm-up draft per worker (imports of the extractor and renderers are
   paid before the clock starts).
2. Web latency at ``--users`` concurrent users (GET of the meeting list and of a meeting's review page)
   while drafts are being made in the background, on a real ``summarizer serve`` (uvicorn) process:
   SQLite (background drafts by ``summarizer draft`` in a loop) and PostgreSQL (background drafts by
   two workers).

Prints one table per part; numbers depend on the machine (2 shared cores here), the ratios are the point.
"""

from __future__ import annotations

import argparse
import os
import shutil
import signal
import socket
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "tests"))
TRANSCRIPT = ROOT / "samples" / "transcripts" / "negotiation_en.txt"
SUMMARIZER = Path(sys.executable).parent / "summarizer"


def _inputs(folder: Path, n: int, tag: str) -> list[Path]:
    folder.mkdir(parents=True, exist_ok=True)
    text = TRANSCRIPT.read_text(encoding="utf-8")
    out = []
    for i in range(n):
        path = folder / f"{tag}-{i:03d}.txt"
        path.write_text(text + f"\n[00:59:{i % 60:02d}] Anna Petrova: Thank you, meeting {tag} {i}.\n",
                        encoding="utf-8")
        out.append(path)
    return out


def _env(home: Path, **extra: str) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("SUMMARIZER_", "OPENAI_"))}
    # the offline rules draft: the queue and the store are measured, not a language model (with the
    # [local] extra installed, "auto" would start one in every worker)
    return {**env, "SUMMARIZER_HOME": str(home), "PYTHONPATH": str(ROOT), "SUMMARIZER_LLM_BACKEND": "offline",
            **extra}


# -- jobs per minute -------------------------------------------------------------------------------
def sqlite_jobs(n: int) -> float:
    from summarizer.config import load_settings
    from summarizer.web.drafting import run_draft_job
    from summarizer.web.jobs import JobRunner

    home = Path(tempfile.mkdtemp(prefix="bench-sqlite-"))
    old = os.environ.get("SUMMARIZER_HOME")
    os.environ["SUMMARIZER_HOME"] = str(home)
    try:
        settings = load_settings(overrides={"llm_backend": "offline"})
        runner = JobRunner(settings, {"draft": run_draft_job(settings)})
        runner.start()
        warm = runner.submit("draft", {"source": str(_inputs(home / "warm", 1, "w")[0]), "client": "Warm"})
        while runner.get(warm.id).status in ("queued", "running"):  # imports paid before timing
            time.sleep(0.1)
        started = time.perf_counter()
        jobs = [runner.submit("draft", {"source": str(p), "meeting_date": "2026-11-25", "client": f"C{i}"})
                for i, p in enumerate(_inputs(home / "in", n, "s"))]
        while any(runner.get(j.id).status in ("queued", "running") for j in jobs):
            time.sleep(0.1)
        elapsed = time.perf_counter() - started
        runner.stop()
        failed = [runner.get(j.id).error for j in jobs if runner.get(j.id).status != "done"]
        assert not failed, failed
        return n / elapsed * 60
    finally:
        if old is None:
            os.environ.pop("SUMMARIZER_HOME", None)
        else:
            os.environ["SUMMARIZER_HOME"] = old
        shutil.rmtree(home, ignore_errors=True)


def _workers(env: dict[str, str], n: int) -> list[subprocess.Popen[str]]:
    procs = [subprocess.Popen([str(SUMMARIZER), "worker", "--name", f"w{i}"], env=env, text=True,
                              stdout=subprocess.PIPE, stderr=subprocess.STDOUT) for i in range(n)]
    for p in procs:
        assert p.stdout is not None
        line = p.stdout.readline()
        assert "worker ready" in line, line
        threading.Thread(target=lambda s=p.stdout: [None for _ in s], daemon=True).start()
    return procs


def _stop(procs: list[subprocess.Popen[str]]) -> None:
    for p in procs:
        p.send_signal(signal.SIGTERM)
    for p in procs:
        try:
            p.wait(30)
        except subprocess.TimeoutExpired:
            p.kill()


def postgres_jobs(cluster: Any, n: int, workers: int) -> float:
    from summarizer.config import load_settings
    from summarizer.jobs import table
    from summarizer.jobs.tasks import ensure_schema, make_app, submit
    from summarizer.store.database import Store

    db = f"bench_{workers}_{int(time.time() * 1000) % 10**8}"
    cluster.psql(f"CREATE DATABASE {db}")
    url = cluster.url(db)
    home = Path(tempfile.mkdtemp(prefix="bench-pg-"))
    env = _env(home, SUMMARIZER_DATABASE_URL=url)
    settings = load_settings(overrides={"database_url": url, "data_dir": str(home / "data"),
                                        "cache_dir": str(home / "cache"), "llm_backend": "offline"})
    app = make_app(settings)
    ensure_schema(app, settings)
    procs = _workers(env, workers)
    try:
        with app.open():  # one job per worker first, so each has paid its imports before timing
            warm = [submit(app, settings, {"source": str(p), "client": f"Warm{i}"})[0].id
                    for i, p in enumerate(_inputs(home / "warm", workers, f"w{workers}"))]
        while True:
            with Store(settings) as store:
                if all(table.get(store, i).status in ("done", "failed") for i in warm):
                    break
            time.sleep(0.1)
        inputs = _inputs(home / "in", n, f"p{workers}")
        started = time.perf_counter()
        with app.open():
            ids = [submit(app, settings, {"source": str(p), "meeting_date": "2026-11-25",
                                          "client": f"C{i}"})[0].id for i, p in enumerate(inputs)]
        while True:
            with Store(settings) as store:
                states = [table.get(store, i).status for i in ids]
            if all(s in ("done", "failed") for s in states):
                break
            time.sleep(0.1)
        elapsed = time.perf_counter() - started
        assert states.count("done") == n, states
        return n / elapsed * 60
    finally:
        _stop(procs)
        shutil.rmtree(home, ignore_errors=True)


# -- web latency -----------------------------------------------------------------------------------
def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def _load(base: str, paths: list[str], users: int, seconds: float) -> dict[str, float]:
    import httpx

    latencies: list[float] = []
    errors = 0
    lock = threading.Lock()
    stop_at = time.perf_counter() + seconds

    def user(k: int) -> None:
        nonlocal errors
        with httpx.Client(base_url=base, timeout=30) as c:
            i = k
            while time.perf_counter() < stop_at:
                t0 = time.perf_counter()
                try:
                    ok = c.get(paths[i % len(paths)]).status_code == 200
                except httpx.HTTPError:
                    ok = False
                dt_ = time.perf_counter() - t0
                with lock:
                    latencies.append(dt_)
                    errors += 0 if ok else 1
                i += 1

    threads = [threading.Thread(target=user, args=(k,)) for k in range(users)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    latencies.sort()
    q = statistics.quantiles(latencies, n=100)
    return {"requests": len(latencies), "rps": len(latencies) / seconds, "p50": q[49] * 1000,
            "p95": q[94] * 1000, "p99": q[98] * 1000, "errors": errors}


def web_latency(kind: str, cluster: Any, users: int, seconds: float) -> dict[str, float]:
    home = Path(tempfile.mkdtemp(prefix=f"bench-web-{kind}-"))
    extra = {}
    if kind == "postgres":
        db = f"bench_web_{int(time.time() * 1000) % 10**8}"
        cluster.psql(f"CREATE DATABASE {db}")
        extra["SUMMARIZER_DATABASE_URL"] = cluster.url(db)
    env = _env(home, **extra)
    seed = _inputs(home / "seed", 3, "seed")
    for i, path in enumerate(seed):
        subprocess.run([str(SUMMARIZER), "draft", str(path), "--date", "2026-11-25", "--client", f"Seed{i}"],
                       env=env, check=True, capture_output=True)
    port = _free_port()
    server = subprocess.Popen([str(SUMMARIZER), "serve", "--port", str(port)], env=env,
                              stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    background: list[subprocess.Popen[Any]] = []
    try:
        import httpx

        for _ in range(100):
            try:
                httpx.get(f"http://127.0.0.1:{port}/", timeout=1)
                break
            except httpx.HTTPError:
                time.sleep(0.2)
        inputs = _inputs(home / "bg", 200, kind)
        if kind == "postgres":
            from summarizer.config import load_settings
            from summarizer.jobs.tasks import make_app, submit

            background = list(_workers(env, 2))
            settings = load_settings(overrides={
                "database_url": extra["SUMMARIZER_DATABASE_URL"], "data_dir": str(home / "data"),
                "cache_dir": str(home / "cache"), "llm_backend": "offline"})
            queue = make_app(settings)
            with queue.open():
                for i, path in enumerate(inputs[:60]):
                    submit(queue, settings, {"source": str(path), "meeting_date": "2026-11-26",
                                             "client": f"B{i}"})
        else:
            script = ("import subprocess, sys\nfor p in sys.argv[2:]:\n"
                      "    subprocess.run([sys.argv[1], 'draft', p, '--date', '2026-11-26'],\n"
                      "                   capture_output=True)\n")
            background = [subprocess.Popen([sys.executable, "-c", script, str(SUMMARIZER),
                                            *map(str, inputs[i::2])], env=env)
                          for i in range(2)]
        paths = ["/", "/m/2026-11-25-seed0", "/m/2026-11-25-seed1", "/m/2026-11-25-seed2"]
        return _load(f"http://127.0.0.1:{port}", paths, users, seconds)
    finally:
        for p in background:
            p.kill()
        server.send_signal(signal.SIGTERM)
        server.wait(30)
        shutil.rmtree(home, ignore_errors=True)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--jobs", type=int, default=12)
    parser.add_argument("--workers", default="1,2,4")
    parser.add_argument("--users", type=int, default=50)
    parser.add_argument("--seconds", type=float, default=10.0)
    args = parser.parse_args()
    from pg_support import start_cluster, stop_cluster

    base = Path(tempfile.mkdtemp(prefix="bench-pgcluster-"))
    cluster = start_cluster(base)
    try:
        print(f"jobs per minute ({args.jobs} transcript drafts each; extraction + store + rendering)")
        print(f"{'store / runner':28} {'jobs/min':>9} {'vs sqlite':>10}")
        base_rate = sqlite_jobs(args.jobs)
        print(f"{'sqlite / in-process (1)':28} {base_rate:9.1f} {1.0:10.2f}")
        for n in [int(x) for x in args.workers.split(",")]:
            rate = postgres_jobs(cluster, args.jobs, n)
            print(f"{f'postgres / {n} worker(s)':28} {rate:9.1f} {rate / base_rate:10.2f}")
        print()
        print(f"web latency, {args.users} concurrent users for {args.seconds:.0f} s while drafts run")
        print(f"{'store':10} {'requests':>9} {'req/s':>7} {'p50 ms':>8} {'p95 ms':>8} {'p99 ms':>8} "
              f"{'errors':>7}")
        for kind in ("sqlite", "postgres"):
            r = web_latency(kind, cluster, args.users, args.seconds)
            print(f"{kind:10} {r['requests']:9.0f} {r['rps']:7.1f} {r['p50']:8.1f} {r['p95']:8.1f} "
                  f"{r['p99']:8.1f} {r['errors']:7.0f}")
    finally:
        stop_cluster(cluster)
        shutil.rmtree(base, ignore_errors=True)


if __name__ == "__main__":
    main()
