"""What an oversized unsigned body costs the server: RSS, log growth, and a real user's wait.

Run by hand (not part of the test suite):

    .venv/bin/python -m bench.oversized_body [--mib 50] [--parallel 4]

Starts `rolecall serve --http` as a real process against the Slack emulator, sends one
unsigned form body of `--mib` MiB to /slack/events, and reports the server's resident memory
(VmRSS, and the peak VmHWM) and the size of its log before and after. Then sends `--parallel`
such bodies at once while timing a signed `/owner roadmap` from a real user.
"""

from __future__ import annotations

import argparse
import os
import signal
import socket
import subprocess
import sys
import tempfile
import threading
import time
import urllib.error
import urllib.request
from pathlib import Path

from slack_emulator import SlackEmulator, payloads

SECRET = "bench-secret"
ROOT = Path(__file__).resolve().parents[1]


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def _memory(pid: int) -> dict[str, int]:
    """VmRSS and VmHWM of `pid`, in KiB."""
    fields: dict[str, int] = {}
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        name, _, value = line.partition(":")
        if name in ("VmRSS", "VmHWM"):
            fields[name] = int(value.split()[0])
    return fields


def _send_raw(
    port: int, body: bytes, headers: dict[str, str], sent: threading.Event | None = None
) -> str:
    """POST `body` over a plain socket; the status line, or what stopped the upload.

    `sent` is set once the upload is over (complete or cut short), before the answer."""
    lines = ["POST /slack/events HTTP/1.1", "Host: 127.0.0.1", "Connection: close"]
    lines += [f"{k}: {v}" for k, v in headers.items()]
    lines += [f"Content-Length: {len(body)}", "", ""]
    with socket.create_connection(("127.0.0.1", port), timeout=60) as sock:
        try:
            sock.sendall("\r\n".join(lines).encode())
            view = memoryview(body)
            for start in range(0, len(body), 1 << 20):
                sock.sendall(view[start : start + (1 << 20)])
        except OSError as error:  # the server answered early and closed: that is the point
            stopped = f"upload stopped: {type(error).__name__}"
        else:
            stopped = "upload complete"
        if sent is not None:
            sent.set()
        try:
            answer = sock.recv(200).split(b"\r\n", 1)[0].decode(errors="replace")
        except OSError as error:
            answer = f"no answer: {type(error).__name__}"
    return f"{answer or 'connection closed'} ({stopped})"


def _signed_owner(port: int, api: SlackEmulator) -> tuple[int, float]:
    body = payloads.slash_command(
        team_id=api.team_id,
        user_id="UBENCH",
        user_name="bench",
        command="/owner",
        text="roadmap",
        response_url=api.response_url("bench"),
    )
    request = urllib.request.Request(
        f"http://127.0.0.1:{port}/slack/events",
        body.encode(),
        payloads.signature_headers(body, SECRET),
        method="POST",
    )
    started = time.perf_counter()
    with urllib.request.urlopen(request, timeout=60) as answer:
        answer.read()
        return answer.status, (time.perf_counter() - started) * 1000


def _wait_healthy(port: int, process: subprocess.Popen[bytes]) -> None:
    deadline = time.monotonic() + 60
    while True:
        try:
            with urllib.request.urlopen(f"http://127.0.0.1:{port}/healthz", timeout=1):
                return
        except (urllib.error.URLError, ConnectionError):
            if process.poll() is not None or time.monotonic() > deadline:
                raise SystemExit("the server did not come up") from None
            time.sleep(0.1)


def main() -> None:
    """Serve, measure, print."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--mib", type=int, default=50)
    parser.add_argument("--parallel", type=int, default=4)
    args = parser.parse_args()
    workdir = Path(tempfile.mkdtemp(prefix="rolecall-oversized-"))
    log_path = workdir / "server.log"
    api = SlackEmulator().start()
    api.add_user("UBENCH", "bench", is_admin=True)
    port = _free_port()
    env = {k: v for k, v in os.environ.items() if not k.startswith(("SLACK_", "ROLECALL_"))}
    env.update(
        PYTHONPATH=str(ROOT),
        SLACK_BOT_TOKEN="xoxb-bench",
        SLACK_SIGNING_SECRET=SECRET,
        ROLECALL_SLACK_API_URL=api.api_url,
        ROLECALL_DATABASE_URL=f"sqlite:///{workdir / 'bench.db'}",
    )
    with log_path.open("wb") as log:
        process = subprocess.Popen(
            [sys.executable, "-m", "bot.cli", "serve", "--http", "--port", str(port)],
            cwd=workdir,
            env=env,
            stdout=log,
            stderr=log,
        )
    try:
        _wait_healthy(port, process)
        status, warm_ms = _signed_owner(port, api)
        print(f"warm-up /owner roadmap: HTTP {status} in {warm_ms:.0f} ms")
        body = b"command=%2Fowner&team_id=T0001&text=" + b"a" * (args.mib << 20)
        unsigned = {"Content-Type": payloads.FORM_CONTENT_TYPE}
        before, log_before = _memory(process.pid), log_path.stat().st_size
        started = time.perf_counter()
        outcome = _send_raw(port, body, unsigned)
        spent = (time.perf_counter() - started) * 1000
        after, log_after = _memory(process.pid), log_path.stat().st_size
        print(f"one {args.mib} MiB unsigned body: {outcome} in {spent:.0f} ms")
        print(
            f"  VmRSS {before['VmRSS'] / 1024:.1f} -> {after['VmRSS'] / 1024:.1f} MiB "
            f"(+{(after['VmRSS'] - before['VmRSS']) / 1024:.1f}); "
            f"VmHWM {before['VmHWM'] / 1024:.1f} -> {after['VmHWM'] / 1024:.1f} MiB"
        )
        print(f"  log {log_before} -> {log_after} bytes (+{log_after - log_before})")
        small = body[: (2 << 20) - 1]  # just under the request gate's limit: read, then refused
        before, log_before = _memory(process.pid), log_path.stat().st_size
        outcome = _send_raw(port, small, unsigned)
        after, log_after = _memory(process.pid), log_path.stat().st_size
        print(f"one unsigned body of {len(small)} bytes: {outcome}")
        print(
            f"  VmHWM {before['VmHWM'] / 1024:.1f} -> {after['VmHWM'] / 1024:.1f} MiB; "
            f"log +{log_after - log_before} bytes"
        )
        sent = [threading.Event() for _ in range(args.parallel)]
        uploads = [threading.Thread(target=_send_raw, args=(port, body, unsigned, e)) for e in sent]
        for upload in uploads:
            upload.start()
        for event in sent:  # every body is in: the server is busy with them now
            event.wait(timeout=120)
        status, during_ms = _signed_owner(port, api)
        for upload in uploads:
            upload.join()
        print(
            f"/owner roadmap during {args.parallel} such uploads: HTTP {status} in "
            f"{during_ms:.0f} ms; log now {log_path.stat().st_size} bytes, "
            f"VmHWM {_memory(process.pid)['VmHWM'] / 1024:.1f} MiB"
        )
    finally:
        process.send_signal(signal.SIGINT)
        try:
            process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            process.kill()
        api.stop()


if __name__ == "__main__":
    main()
