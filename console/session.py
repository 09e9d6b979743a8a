"""The shell's session: sends signed requests to the app and prints what the bot then did."""

from __future__ import annotations

import itertools
import json
import threading
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any, TextIO

from slack_bolt import App, BoltRequest, BoltResponse
from slack_sdk import WebClient

from console.render import Button, Rendered, render_message, render_view, view_title
from console.workspace import TEAM, Workspace
from handlers.deps import Deps
from slack_emulator import ApiCall, ResponsePost, SlackEmulator, payloads

RELAY_TOKEN = "xoxb-shell-relay"  # the shell's own calls to the emulator: never printed
NO_LISTENER = "(the app has no listener for that)"
_SHOWN = {
    "chat.postMessage": "on_post",
    "chat.update": "on_update",
    "chat.postEphemeral": "on_ephemeral",
    "chat.delete": "on_delete",
    "views.open": "on_view_open",
    "views.push": "on_view_open",
    "views.update": "on_view_update",
    "views.publish": "on_publish",
}


@dataclass
class Where:
    """Where a printed message lives, so pressing its buttons sends what Slack would."""

    kind: str  # "ephemeral", "message" or "view"
    channel: str | None = None
    message: dict[str, Any] | None = None
    view: dict[str, Any] | None = None


@dataclass
class Traffic:
    """What the bot sent the emulator (hooks run on server threads), in arrival order."""

    items: list[ApiCall | ResponsePost] = field(default_factory=list)
    lock: threading.Lock = field(default_factory=threading.Lock)

    def add(self, item: ApiCall | ResponsePost) -> None:
        """Record one Web API call or response_url post (the shell's own calls excluded)."""
        if isinstance(item, ApiCall) and item.token == RELAY_TOKEN:
            return
        with self.lock:
            self.items.append(item)

    def take(self) -> list[ApiCall | ResponsePost]:
        """Everything recorded since the last take."""
        with self.lock:
            items, self.items = self.items, []
        return items


class Session:
    """The app, its Slack and the console state (who you are, buttons, open modals)."""

    def __init__(
        self,
        app: App,
        deps: Deps,
        emulator: SlackEmulator,
        traffic: Traffic,
        out: TextIO,
        *,
        secret: str,
        run_due: Callable[[datetime], dict[str, int]],
    ) -> None:
        self.app, self.deps, self.emulator, self.traffic, self.out = (
            app,
            deps,
            emulator,
            traffic,
            out,
        )
        # The signing secret the shell signs its requests with; `run_due(now)` is the
        # scheduler's work, handed in by the launcher (the console knows no wiring).
        self.secret, self.run_due = secret, run_due
        self.client = app.client
        self.relay = WebClient(token=RELAY_TOKEN, base_url=emulator.api_url)
        self.workspace = Workspace(emulator)
        self.me = self.workspace.person("admin", is_admin=True)
        self.here = self.workspace.channel("general")
        self.buttons: list[tuple[Button, Where]] = []
        self.fresh: list[tuple[Button, Where]] = []
        self.modals: list[dict[str, Any]] = []
        self.origins: dict[str, Where] = {}
        self._keys = itertools.count(1)
        self._seen_views: set[str] = set()

    # --- talking to the app ----------------------------------------------------------------
    def ephemeral_here(self, channel: str | None = None) -> Where:
        """Where a reply only the current user sees goes."""
        return Where("ephemeral", channel or self.here)

    def response_url(self, where: Where, kind: str) -> str:
        """A fresh response_url for a request of `kind` (command, message, ephemeral,
        shortcut) at `where`; what its posts did is printed as replies to `where`."""
        key = f"r{next(self._keys)}"
        self.origins[key] = where
        ts = where.message.get("ts") if where.message else None
        return self.emulator.response_url(
            key, kind=kind, channel=where.channel, user=self.me.user_id, message_ts=ts
        )

    def dispatch(self, body: str) -> dict[str, Any]:
        """Send a signed request to the app in-process; returns the ack's body as JSON (a
        plain-text ack, which Slack shows as an ephemeral message, as {"text": …})."""
        response = self._send(body)
        if response.status == 404:
            self.print(NO_LISTENER)
        elif response.status != 200:
            self.print(f"(the app answered HTTP {response.status}: {response.body[:200]})")
        try:
            answer = json.loads(response.body or "{}")
        except ValueError:
            return {"text": response.body} if response.status == 200 else {}
        return answer if isinstance(answer, dict) else {}

    def deliver_event(self, event: dict[str, Any]) -> int:
        """Deliver an Events API event, signed; returns the HTTP status."""
        return self._send(payloads.event_callback(team_id=TEAM, event=event)).status

    def _send(self, body: str) -> BoltResponse:
        """The app's answer to a request signed like Slack signs it."""
        headers: dict[str, str | Sequence[str]] = {**payloads.signature_headers(body, self.secret)}
        return self.app.dispatch(BoltRequest(body=body, headers=headers))

    def refreshed(self, where: Where) -> dict[str, Any] | None:
        """The message a button sits on, as stored now (updates included)."""
        if where.kind != "message" or where.message is None or where.channel is None:
            return None
        ts = where.message["ts"]
        stored = [m for m in self.emulator.messages(where.channel) if m["ts"] == ts]
        return stored[0] if stored else where.message

    # --- printing --------------------------------------------------------------------------
    def print(self, text: str = "") -> None:
        """One line (or several) to the console."""
        self.out.write(text + "\n")
        self.out.flush()

    def emit(self, label: str, rendered: Rendered, where: Where) -> None:
        """A labelled message; its buttons become pressable."""
        lines = rendered.lines or ["(empty message)"]
        self.print(f"[{label}] {lines[0]}")
        for line in lines[1:]:
            self.print(f"  {line}")
        self.fresh.extend((button, where) for button in rendered.buttons)

    def show_message(self, label: str, message: dict[str, Any], where: Where) -> None:
        """Render a message body and emit it."""
        rendered = render_message(message, self.workspace.names(), len(self.fresh) + 1)
        self.emit(label, rendered, where)

    def show_modal(self, label: str, view: dict[str, Any]) -> None:
        """Render a modal (its inputs with block.action IDs) or an App Home and emit it."""
        rendered = render_view(view, self.workspace.names(), len(self.fresh) + 1)
        self.emit(label, rendered, Where("view", view=view))

    def place(self, channel: str) -> str:
        """`#name`, or `DM to name` for a DM or a user ID used as a channel."""
        person = self.workspace.by_id(channel) or self.workspace.by_id(channel[1:])
        if channel[:1] in "UD" and person is not None:
            return "DM to you" if person is self.me else f"DM to {person.name}"
        return self.workspace.names().channel(channel)

    def numbered(self, label: str, channel: str, message: dict[str, Any] | None) -> str:
        """A label with the message's shell number, for `react` and `shortcut`."""
        if message is None or "ts" not in message:
            return label
        return f"{label}, message {self.workspace.number(channel, message['ts'])}"

    # --- what the bot did ------------------------------------------------------------------
    def finish(self) -> None:
        """After an input: wait for the app's follow-ups and print them in order."""
        self.deps.background.settle()
        for item in self.traffic.take():
            if isinstance(item, ResponsePost):
                self.show_response(item, self.origins.get(item.key, self.ephemeral_here()))
            elif item.method in _SHOWN and not self.refused(item):
                getattr(self, _SHOWN[item.method])(item.args)
        if self.fresh:
            self.buttons, self.fresh = self.fresh, []

    def _channel_of(self, channel: str) -> str:
        return f"D{channel}" if self.workspace.by_id(channel) else channel

    def _stored(self, channel: str, args: dict[str, Any]) -> dict[str, Any] | None:
        """The bot message a chat.postMessage stored (the first one not numbered yet)."""
        for message in self.emulator.messages(channel):
            new = (channel, message["ts"]) not in self.workspace.messages
            if new and message.get("bot_id") and message.get("text", "") == args.get("text", ""):
                return message
        return None

    def refused(self, call: ApiCall) -> bool:
        """Print a Web API call Slack refused (then nothing was posted)."""
        if call.error is None:
            return False
        self.print(f"[Slack refused {call.method}: {call.error}]")
        return True

    def on_post(self, args: dict[str, Any]) -> None:
        """chat.postMessage: a channel message, a DM or a thread reply."""
        channel = self._channel_of(str(args.get("channel", "")))
        stored = self._stored(channel, args)
        label = ("thread in " if args.get("thread_ts") else "") + self.place(channel)
        where = Where("message", channel, stored)
        self.show_message(self.numbered(label, channel, stored), stored or args, where)

    def on_update(self, args: dict[str, Any]) -> None:
        """chat.update: the new version of a bot message."""
        channel, ts = str(args.get("channel", "")), str(args.get("ts", ""))
        stored = self.refreshed(Where("message", channel, {"ts": ts})) or {"ts": ts}
        changed: dict[str, Any] = {k: args[k] for k in ("text", "blocks") if k in args}
        shown = {**stored, **changed}
        label = self.numbered(f"updated message in {self.place(channel)}", channel, stored)
        self.show_message(label, shown, Where("message", channel, stored))

    def on_ephemeral(self, args: dict[str, Any]) -> None:
        """chat.postEphemeral: seen by one person only."""
        channel = self._channel_of(str(args.get("channel", "")))
        person = self.workspace.by_id(str(args.get("user", "")))
        label = (
            "only you see" if person is self.me else f"only @{getattr(person, 'name', '?')} sees"
        )
        if channel != self.here:
            label += f" in {self.place(channel)}"
        self.show_message(label, args, Where("ephemeral", channel))

    def on_delete(self, args: dict[str, Any]) -> None:
        """chat.delete."""
        self.print(f"[deleted a message in {self.place(str(args.get('channel', '')))}]")

    def on_view_open(self, args: dict[str, Any]) -> None:
        """views.open/push: a new modal on top of the stack."""
        fresh = sorted(
            (v for v in self.emulator.views if v["id"] not in self._seen_views),
            key=lambda v: v["id"],
        )
        view = next((v for v in fresh if v.get("type") != "home"), args.get("view") or {})
        self._seen_views.add(view.get("id", ""))
        self.modals.append(view)
        self.show_modal(f"modal: {view_title(view)}", view)

    def on_view_update(self, args: dict[str, Any]) -> None:
        """views.update: the modal changes in place."""
        wanted = args.get("view_id") or args.get("external_id")
        stored = [v for v in self.emulator.views if wanted in (v["id"], v.get("external_id"))]
        view = stored[0] if stored else args.get("view") or {}
        self.modals = [view if m.get("id") == view.get("id") else m for m in self.modals]
        self.show_modal(f"modal updated: {view_title(view)}", view)

    def on_publish(self, args: dict[str, Any]) -> None:
        """views.publish: someone's App Home."""
        user = str(args.get("user_id", ""))
        view = self.emulator.home_view(user) or args.get("view") or {}
        self._seen_views.add(view.get("id", ""))
        self.show_modal(f"App Home of {self.place(user).removeprefix('DM to ')}", view)

    def show_ack(self, body: dict[str, Any], where: Where, kind: str = "command") -> None:
        """An ack's answer at `where`, as Slack shows it (or Slack's refusal of it)."""
        refusal = self.emulator.check_ack(kind, body)
        if refusal is not None:
            self.print(f"[Slack refused the answer: {refusal.error}]")
            for line in refusal.messages[:3]:
                self.print(f"  {line}")
            return
        if not (body.get("text") or body.get("blocks")):
            return
        if body.get("response_type") == "in_channel":
            channel = where.channel or self.here
            fields = {k: body[k] for k in ("text", "blocks") if body.get(k)}
            stored = self.emulator.post_as_app(channel, fields)
            label = self.numbered(self.place(channel), channel, stored)
            self.show_message(label, stored, Where("message", channel, stored))
        else:
            self.show_message("only you see", body, where)

    def show_response(self, post: ResponsePost, where: Where) -> None:
        """What a response_url post did, as the emulator applied it (Slack's rules)."""
        effect, body = post.effect, post.body
        if effect == "refused":
            self.print(f"[Slack refused a response: {post.error}]")
        elif effect == "ignored":
            self.print(f"[Slack ignored a response: {', '.join(post.ignored)} does nothing here]")
        elif effect == "deleted":
            self.print("[deleted the original message]")
            if post.ignored:
                self.print(f"(Slack ignored its {', '.join(post.ignored)}: delete goes alone)")
        elif effect == "replaced" and where.kind == "message" and where.channel and post.ts:
            self.on_update({"channel": where.channel, "ts": post.ts})
        elif effect == "replaced":
            self.show_message("only you see (replacing the earlier one)", body, where)
        elif effect == "in_channel":
            channel = where.channel or self.here
            stored = next((m for m in self.emulator.messages(channel) if m["ts"] == post.ts), None)
            label = self.numbered(self.place(channel), channel, stored)
            self.show_message(label, stored or body, Where("message", channel, stored))
        else:
            label = "only you see"
            if "replace_original" in post.ignored:
                label += ", a new message (Slack never replaces a command's answer)"
            self.show_message(label, body, where)
