#!/usr/bin/env python3
"""Desk bot: a Bullpen bot written from docs/API.md and docs/PROTOCOL.md alone, with Python's
standard library only.

It listens on the gateway (a websocket) to one channel and:
  !help               answers with what it can do
  !quote AAPL         answers with the latest price
  !poll Q? | A | B    asks a poll
  !close              closes the last poll it asked and pins the result
and reports any message that reads like spam to the community's moderators.

    BULLPEN_URL=http://127.0.0.1:3000 BULLPEN_TOKEN=bp_… BULLPEN_CHANNEL=<channel id> \\
        python3 examples/bots/deskbot.py

The token needs chat:read, chat:write and community:moderate (pinning is a moderator's act,
so its person must be allowed to pin there). It stops when its token is revoked, when someone
says "!bye", or after BOT_SECONDS (default: never).
"""

import base64
import json
import os
import re
import socket
import struct
import sys
import time
import urllib.error
import urllib.parse
import urllib.request

SPAM = re.compile(
    r"free (signals|money|crypto)|guaranteed (returns|profit)|join my (group|channel)|"
    r"dm me for|100x|pump incoming",
    re.IGNORECASE,
)


class Api:
    """The REST API: JSON in, JSON out, errors raised with the server's sentence."""

    def __init__(self, base, token):
        self.base = base.rstrip("/")
        self.token = token

    def call(self, method, path, body=None):
        data = None if body is None else json.dumps(body).encode()
        request = urllib.request.Request(self.base + path, data=data, method=method)
        request.add_header("Authorization", "Bearer " + self.token)
        if data is not None:
            request.add_header("Content-Type", "application/json")
        try:
            with urllib.request.urlopen(request, timeout=30) as response:
                text = response.read()
                return json.loads(text) if text else None
        except urllib.error.HTTPError as error:
            answer = json.loads(error.read() or b"{}")
            raise RuntimeError(f"{method} {path}: {error.code} {answer.get('error')}") from None

    def say(self, channel, body):
        return self.call("POST", f"/api/v1/channels/{channel}/messages", {"body": body})


class Gateway:
    """The gateway: a websocket whose frames are one tag byte (0: ok) and JSON, one event a
    line (docs/PROTOCOL.md)."""

    def __init__(self, base, token, intents):
        parts = urllib.parse.urlsplit(base)
        self.sock = socket.create_connection((parts.hostname, parts.port or 80), timeout=None)
        key = base64.b64encode(os.urandom(16)).decode()
        self.sock.sendall(
            (
                f"GET /api/v1/gateway?intents={intents} HTTP/1.1\r\n"
                f"Host: {parts.netloc}\r\n"
                "Upgrade: websocket\r\nConnection: Upgrade\r\n"
                f"Sec-WebSocket-Key: {key}\r\nSec-WebSocket-Version: 13\r\n"
                f"Authorization: Bearer {token}\r\n\r\n"
            ).encode()
        )
        self.buffer = b""
        head = self._until(b"\r\n\r\n")
        status = head.split(b" ", 2)[1]
        if status != b"101":
            raise RuntimeError(f"the gateway refused: {head.decode(errors='replace')}")
        self.pending = []

    def _until(self, marker):
        while marker not in self.buffer:
            self._fill()
        head, self.buffer = self.buffer.split(marker, 1)
        return head

    def _fill(self):
        chunk = self.sock.recv(65536)
        if not chunk:
            raise EOFError("the gateway closed")
        self.buffer += chunk

    def _take(self, n):
        while len(self.buffer) < n:
            self._fill()
        taken, self.buffer = self.buffer[:n], self.buffer[n:]
        return taken

    def _frame(self, opcode, payload):
        mask = os.urandom(4)
        header = bytes([0x80 | opcode])
        size = len(payload)
        if size < 126:
            header += bytes([0x80 | size])
        elif size < 65536:
            header += bytes([0x80 | 126]) + struct.pack(">H", size)
        else:
            header += bytes([0x80 | 127]) + struct.pack(">Q", size)
        masked = bytes(b ^ mask[i % 4] for i, b in enumerate(payload))
        self.sock.sendall(header + mask + masked)

    def send(self, event):
        self._frame(0x2, b"\x00" + json.dumps(event).encode())

    def next_event(self):
        while not self.pending:
            message = b""
            while True:
                first, second = self._take(2)
                size = second & 0x7F
                if size == 126:
                    size = struct.unpack(">H", self._take(2))[0]
                elif size == 127:
                    size = struct.unpack(">Q", self._take(8))[0]
                payload = self._take(size)
                opcode = first & 0x0F
                if opcode == 0x8:
                    raise EOFError("the gateway closed")
                if opcode == 0x9:
                    self._frame(0xA, payload)
                    continue
                if opcode in (0x1, 0x2, 0x0):
                    message += payload
                    if first & 0x80:
                        break
            if message[:1] != b"\x00":
                raise RuntimeError(f"an error frame: {message[1:].decode(errors='replace')}")
            self.pending = [json.loads(line) for line in message[1:].split(b"\n") if line]
        return self.pending.pop(0)


def main():
    base = os.environ["BULLPEN_URL"]
    token = os.environ["BULLPEN_TOKEN"]
    channel = os.environ["BULLPEN_CHANNEL"]
    stop_at = time.time() + float(os.environ.get("BOT_SECONDS", "inf"))
    api = Api(base, token)
    me = api.call("GET", "/api/v1/me")
    gateway = Gateway(base, token, "messages")
    ready = gateway.next_event()
    assert ready["type"] == "ready", ready
    gateway.send({"type": "subscribe", "channelId": channel, "afterSeq": None})
    print(f"deskbot: listening as {me['username']}", flush=True)
    last_poll = None
    while time.time() < stop_at:
        try:
            event = gateway.next_event()
        except EOFError:
            break
        if event["type"] == "sessionEnded":
            print("deskbot: the token was revoked", flush=True)
            break
        if event["type"] == "error":
            print(f"deskbot: {event['error']}", flush=True)
            continue
        if event["type"] != "messageCreated":
            continue
        message = event["message"]
        if message["author"]["id"] == me["id"] or message["channelId"] != channel:
            continue
        body = (message.get("body") or "").strip()
        try:
            if body == "!help":
                api.say(channel, "I answer `!quote AAPL`, `!poll Question? | A | B` and `!close`; I report spam.")
            elif body.startswith("!quote "):
                symbol = body.split()[1].upper()
                quote = api.call("GET", f"/api/v1/market/quotes/{urllib.parse.quote(symbol)}")
                api.say(channel, f"${quote['symbol']} last {quote['price']:.2f}")
            elif body.startswith("!poll "):
                question, *options = [p.strip() for p in body[len("!poll "):].split("|")]
                poll = api.call(
                    "POST",
                    f"/api/v1/channels/{channel}/polls",
                    {"question": question, "options": options},
                )
                last_poll = poll["id"]
            elif body == "!close" and last_poll:
                result = api.call("POST", f"/api/v1/polls/{last_poll}/close")
                api.call("PUT", f"/api/v1/messages/{last_poll}/pin")
                best = max(result["options"], key=lambda o: o["votes"])
                api.say(channel, f"Poll closed: “{best['label']}” leads with {best['votes']}. Pinned.")
                last_poll = None
            elif body == "!bye":
                break
            elif SPAM.search(body):
                api.call(
                    "POST",
                    f"/api/v1/messages/{message['id']}/reports",
                    {"reason": "spam", "note": "deskbot: reads like spam"},
                )
                print(f"deskbot: reported {message['id']}", flush=True)
        except RuntimeError as error:
            print(f"deskbot: {error}", file=sys.stderr, flush=True)


if __name__ == "__main__":
    main()
