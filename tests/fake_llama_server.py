"""A stand-in for llama.cpp's ``llama-server`` binary, for the process faults a real one will not produce
on demand. It takes the same command line (``--port``, ``--model``, …), writes its pid to
``$FAKE_LLAMA_PIDFILE`` and behaves as ``$FAKE_LLAMA_MODE`` says:

* ``ok``: /health is 200; a chat request hangs (a model that takes its time);
* ``die-on-start``: prints an error like llama.cpp's and exits with status 3;
* ``die-on-request``: healthy, then SIGKILLs itself when a chat request arrives;
* ``never-ready``: /health answers 503 ("loading model") forever.

``install(tmp_path, mode)`` writes an executable copy run by this interpreter and returns its path.
"""

from __future__ import annotations

import os
import signal
import stat
import sys
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path


def install(folder: Path) -> Path:
    script = folder / "llama-server"
    script.write_text(f"#!{sys.executable}\n" + Path(__file__).read_text(encoding="utf-8"), encoding="utf-8")
    script.chmod(script.stat().st_mode | stat.S_IXUSR)
    return script


def main() -> None:
    args = sys.argv[1:]
    port = int(args[args.index("--port") + 1])
    mode = os.environ.get("FAKE_LLAMA_MODE", "ok")
    pidfile = os.environ.get("FAKE_LLAMA_PIDFILE")
    if pidfile:
        Path(pidfile).write_text(str(os.getpid()), encoding="utf-8")
    print("llama_server: initializing (fake)", flush=True)
    if mode == "die-on-start":
        print("llama_model_load: error loading model: tensor 'blk.0.attn_q.weight' data is not within "
              "the file bounds, model is corrupted or incomplete", flush=True)
        sys.exit(3)

    class Handler(BaseHTTPRequestHandler):
        def log_message(self, format: str, *a: object) -> None:
            print("request:", format % a, flush=True)

        def do_GET(self) -> None:
            code = 503 if mode == "never-ready" else 200
            body = b'{"status": "ok"}' if code == 200 else b'{"error": {"message": "Loading model"}}'
            self.send_response(code)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

        def do_POST(self) -> None:
            if mode == "die-on-request":
                print("GGML_ASSERT failed (fake): killing myself", flush=True)
                os.kill(os.getpid(), signal.SIGKILL)
            time.sleep(3600)

    server = ThreadingHTTPServer(("127.0.0.1", port), Handler)
    server.daemon_threads = True
    print(f"main: server is listening on http://127.0.0.1:{port}", flush=True)
    server.serve_forever()


if __name__ == "__main__":
    main()
