"""An OpenAI-compatible speech server on 127.0.0.1 for the tests: ``POST /v1/audio/transcriptions``
(multipart, like the real API) answered by real faster-whisper (the bundled weights), or by a scripted
fault. It records every request's form fields so tests can check what the client asked for."""

from __future__ import annotations

import email.parser
import email.policy
import json
import tempfile
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any


class WhisperServer:
    def __init__(self, mode: str = "whisper", *, status: int = 200, body: Any = None) -> None:
        self.mode, self.status, self.body = mode, status, body
        self.requests: list[dict[str, Any]] = []
        server = self

        class Handler(BaseHTTPRequestHandler):
            def log_message(self, *args: object) -> None:
                pass

            def do_POST(self) -> None:  # noqa: N802
                length = int(self.headers.get("content-length", 0))
                raw = self.rfile.read(length)
                head = f"Content-Type: {self.headers.get('content-type')}\r\n\r\n".encode()
                msg = email.parser.BytesParser(policy=email.policy.HTTP).parsebytes(head + raw)
                fields: dict[str, Any] = {}
                audio = b""
                for part in msg.iter_parts():
                    name = part.get_param("name", header="content-disposition")
                    if part.get_filename():
                        audio = part.get_payload(decode=True) or b""
                    else:
                        fields.setdefault(str(name), []).append(part.get_content().strip())
                server.requests.append({"path": self.path, "fields": fields, "audio_bytes": len(audio)})
                status, body = server.answer(audio, fields)
                data = json.dumps(body).encode()
                self.send_response(status)
                self.send_header("content-type", "application/json")
                self.send_header("content-length", str(len(data)))
                self.end_headers()
                self.wfile.write(data)

        self.httpd = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.base_url = f"http://127.0.0.1:{self.httpd.server_address[1]}/v1"

    def answer(self, audio: bytes, fields: dict[str, Any]) -> tuple[int, Any]:
        if self.mode != "whisper":
            return self.status, self.body
        from summarizer.config import load_settings
        from summarizer.speech.transcribe import transcribe_file

        with tempfile.TemporaryDirectory() as tmp:
            path = Path(tmp) / "upload.wav"
            path.write_bytes(audio)
            settings = load_settings(overrides={"asr_base_url": ""})
            transcript = transcribe_file(path, settings, language=(fields.get("language") or [None])[0],
                                         use_cache=False)
        return 200, {
            "task": "transcribe",
            "language": "english" if transcript.language == "en" else transcript.language,
            "duration": transcript.duration, "text": transcript.text,
            "segments": [{"id": i, "start": s.start, "end": s.end, "text": " " + s.text}
                         for i, s in enumerate(transcript.segments)],
        }

    def __enter__(self) -> WhisperServer:
        threading.Thread(target=self.httpd.serve_forever, daemon=True).start()
        return self

    def __exit__(self, *exc: object) -> None:
        self.httpd.shutdown()
        self.httpd.server_close()
