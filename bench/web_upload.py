"""Web upload benchmark: throughput and server memory while a large file streams in.

    /work/venv/bin/python bench/web_upload.py [--mb 512] [--limit-mb 256]

Starts ``summarizer serve`` in a subprocess with a throw-away SUMMARIZER_HOME and sends, over real
HTTP, a multipart upload of ``--mb`` megabytes produced by a generator (the client holds one chunk at a
time, so what grows is only the server). The content is binary noise, which the content check
rejects after the whole file is on disk, so no transcription job starts and the figure is the upload
path alone. A second upload of ``--mb`` into a server limited to ``--limit-mb`` shows the limit
stopping the stream early. Prints MB/s, wall time, the server's peak RSS before/after, and the
response. Peak RSS staying flat while hundreds of MB pass through is what "streamed to disk" means.
"""

from __future__ import annotations

import argparse
import os
import socket
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from pathlib import Path

import httpx

CHUNK = 1 << 20


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def _peak_rss_mb(pid: int) -> float:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmHWM:"):
            return int(line.split()[1]) / 1024
    return float("nan")


def _start(home: Path, limit_mb: int) -> tuple[subprocess.Popen[bytes], str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("SUMMARIZER_", "OPENAI_"))}
    env.update(SUMMARIZER_HOME=str(home), SUMMARIZER_UPLOAD_LIMIT_MB=str(limit_mb))
    port = _free_port()
    proc = subprocess.Popen([sys.executable, "-m", "summarizer", "serve", "--port", str(port)], env=env,
                            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    base = f"http://127.0.0.1:{port}"
    for _ in range(150):
        try:
            httpx.get(base + "/", timeout=1)
            return proc, base
        except httpx.HTTPError:
            time.sleep(0.2)
    proc.kill()
    raise SystemExit("summarizer serve did not start")


def _body(boundary: str, megabytes: int) -> Iterator[bytes]:
    yield (f"--{boundary}\r\nContent-Disposition: form-data; name=\"file\"; filename=\"big.bin\"\r\n"
           "Content-Type: application/octet-stream\r\n\r\n").encode()
    noise = os.urandom(CHUNK)
    for _ in range(megabytes):
        yield noise
    yield f"\r\n--{boundary}--\r\n".encode()


def _upload(base: str, megabytes: int) -> tuple[float, httpx.Response]:
    with httpx.Client(base_url=base, timeout=600) as client:
        client.get("/")
        token = client.cookies["summarizer_csrf"]
        boundary = "benchboundary7MA4YWxkTrZu0gW"
        started = time.perf_counter()
        response = client.post(
            "/new", content=_body(boundary, megabytes),
            headers={"content-type": f"multipart/form-data; boundary={boundary}", "x-csrf-token": token,
                     "x-requested-with": "XMLHttpRequest"},
        )
        return time.perf_counter() - started, response


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--mb", type=int, default=512, help="size of the upload in MB")
    parser.add_argument("--limit-mb", type=int, default=256, help="upload limit for the second run")
    args = parser.parse_args()

    for limit in (args.mb + 16, args.limit_mb):
        with tempfile.TemporaryDirectory() as home:
            proc, base = _start(Path(home), limit)
            try:
                before = _peak_rss_mb(proc.pid)
                seconds, response = _upload(base, args.mb)
                after = _peak_rss_mb(proc.pid)
            except httpx.HTTPError as exc:  # the server may close the stream once over the limit
                seconds, response, after = float("nan"), None, _peak_rss_mb(proc.pid)
                print(f"  connection ended by the server: {exc!r}")
            finally:
                proc.terminate()
                proc.wait(timeout=10)
            uploads = Path(home).rglob("*")
            left = sum(f.stat().st_size for f in uploads if f.is_file() and "uploads" in f.parts)
        status = response.status_code if response is not None else "-"
        message = response.json().get("error", "") if response is not None else ""
        speed = f"{args.mb / seconds:.0f} MB/s" if status == 422 else "stopped at the limit"
        print(f"upload {args.mb} MB, limit {limit} MB: {seconds:.1f} s, {speed}, HTTP {status}, "
              f"server peak RSS {before:.0f} -> {after:.0f} MB, upload bytes left on disk {left}")
        print(f"  {message}")


if __name__ == "__main__":
    main()
