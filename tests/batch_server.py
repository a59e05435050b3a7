"""An OpenAI-compatible endpoint on 127.0.0.1 that speaks the Batch API (files and batches) as well as chat
completions, scripted: each chat-completions body, in a batch or sent alone, is answered by the same script.

A batch is "in_progress" for `polls` retrievals, then "completed" (or "expired" when `expire` is set, with the
first half of its rows answered). A row whose script reply is not 200 goes to the batch's error file. Everything is
recorded: the uploaded files, the batches made, the chat requests sent alone, the retrievals.
"""

from __future__ import annotations

import json
import threading
from collections.abc import Callable
from email.parser import BytesParser
from email.policy import HTTP
from http.server import BaseHTTPRequestHandler
from typing import Any

from tests.chat_server import LocalServer, Reply


class BatchServer(LocalServer):
    def __init__(self, script: Callable[[dict[str, Any], int], Reply], polls: int = 1, expire: bool = False) -> None:
        self.script, self.polls, self.expire = script, polls, expire
        self.in_progress = "in_progress"  # what a running batch's status says (a test may make it hostile)
        self.files: dict[str, bytes] = {}
        self.batches: dict[str, dict[str, Any]] = {}
        self.alone: list[dict[str, Any]] = []  # chat requests sent one at a time
        self.answered = 0  # chat bodies answered, in batches or alone
        self.retrievals = 0
        self.lock = threading.RLock()  # a retrieval that completes a batch answers its rows under it
        self.serve()

    def lines(self, batch_id: str) -> list[dict[str, Any]]:
        """The request lines a batch was made of."""
        raw = self.files[self.batches[batch_id]["input_file_id"]].decode("utf-8")
        return [json.loads(line) for line in raw.splitlines() if line]

    def _answer(self, body: dict[str, Any]) -> Reply:
        with self.lock:
            n = self.answered
            self.answered += 1
        return self.script(body, n)

    def _run(self, batch: dict[str, Any]) -> None:
        """Answer a batch's rows into its output and error files, as it completes (or expires half way)."""
        rows = self.lines(batch["id"])
        done = rows[: len(rows) // 2] if self.expire else rows
        out, errors = [], []
        for row in done:
            reply = self._answer(row["body"])
            line = {"id": "r-" + row["custom_id"][:8], "custom_id": row["custom_id"],
                    "response": {"status_code": reply.status, "body": reply.body}, "error": None}  # fmt: skip
            (out if reply.status == 200 else errors).append(json.dumps(line))
        for name, lines in (("output_file_id", out), ("error_file_id", errors)):
            if lines:
                file_id = f"file-{len(self.files)}"
                self.files[file_id] = ("\n".join(lines) + "\n").encode("utf-8")
                batch[name] = file_id
        batch["status"] = "expired" if self.expire else "completed"
        batch["request_counts"] = {"total": len(rows), "completed": len(out), "failed": len(errors)}

    def _handler(self) -> type[BaseHTTPRequestHandler]:
        server = self

        class Handler(BaseHTTPRequestHandler):
            def log_message(self, *args: Any) -> None:
                pass

            def _send(self, status: int, body: Any, text: bool = False) -> None:
                payload = (body if text else json.dumps(body)).encode("utf-8")
                self.send_response(status)
                self.send_header("Content-Type", "application/octet-stream" if text else "application/json")
                self.send_header("Content-Length", str(len(payload)))
                self.end_headers()
                self.wfile.write(payload)

            def do_POST(self) -> None:
                raw = self.rfile.read(int(self.headers.get("Content-Length", 0)))
                if self.path.endswith("/files"):
                    head = f"Content-Type: {self.headers['Content-Type']}\r\n\r\n".encode()
                    message = BytesParser(policy=HTTP).parsebytes(head + raw)
                    parts = {
                        p.get_param("name", header="content-disposition"): p.get_payload(decode=True)
                        for p in message.iter_parts()
                    }
                    with server.lock:
                        file_id = f"file-{len(server.files)}"
                        server.files[file_id] = parts["file"]
                    self._send(200, {"id": file_id, "object": "file", "bytes": len(parts["file"]), "created_at": 1,
                                     "filename": "batch.jsonl", "purpose": "batch", "status": "processed"})  # fmt: skip
                elif self.path.endswith("/batches"):
                    data = json.loads(raw)
                    with server.lock:
                        batch_id = f"batch-{len(server.batches)}"
                        server.batches[batch_id] = {
                            "id": batch_id, "object": "batch", "endpoint": data["endpoint"], "input_file_id": data["input_file_id"],
                            "completion_window": data["completion_window"], "status": "validating", "created_at": 1, "polls": 0,
                        }  # fmt: skip
                    self._send(200, {k: v for k, v in server.batches[batch_id].items() if k != "polls"})
                elif self.path.endswith("/chat/completions"):
                    body = json.loads(raw)
                    with server.lock:
                        server.alone.append(body)
                    reply = server._answer(body)
                    self._send(reply.status, reply.body)
                else:
                    self._send(404, {"error": {"message": "no such path"}})

            def do_GET(self) -> None:
                parts = self.path.split("?")[0].rstrip("/").split("/")
                if parts[-2] == "batches" and parts[-1] in server.batches:
                    with server.lock:
                        server.retrievals += 1
                        batch = server.batches[parts[-1]]
                        batch["polls"] += 1
                        if batch["status"] not in ("completed", "expired") and batch["polls"] > server.polls:
                            server._run(batch)
                        elif batch["status"] == "validating":
                            batch["status"] = server.in_progress
                    self._send(200, {k: v for k, v in batch.items() if k != "polls"})
                elif parts[-1] == "content" and parts[-2] in server.files:
                    self._send(200, server.files[parts[-2]].decode("utf-8"), text=True)
                else:
                    self._send(404, {"error": {"message": "no such path"}})

        return Handler
