"""The AI tagger against a local stand-in for the Messages API: the real SDK making real HTTP requests."""

from __future__ import annotations

import json
import logging
import subprocess
import sys
import time
from collections.abc import Iterator
from typing import Any

import pytest
from messages_server import MessagesServer, serve

from km_core import Content, Item, JobContext, Tag
from km_core.errors import ConfigError
from km_plugins import ai_tags
from km_plugins.ai_tags import AiUnavailable

KEY = "sk-ant-test-SECRET-0123456789"
ITEM = Item(path="/docs/bills/acme-invoice.txt", ext=".txt")
# The stand-in server's default reply, as the plugin turns it into tags.
OTHER = Tag(name="other", kind="type", weight=0.6, source="ai", why="claude-haiku-4-5")
TEXT = Content(text="Invoice 1042 from ACME GmbH. Total due: 120 EUR by 2024-05-01.", title="Invoice 1042")


@pytest.fixture
def server() -> Iterator[MessagesServer]:
    with serve() as state:
        yield state


@pytest.fixture(autouse=True)
def fresh(monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture) -> Iterator[None]:
    """A fresh plugin state and the key set; afterwards, the key is in no log line at any level."""
    ai_tags.reset()
    monkeypatch.setenv("ANTHROPIC_API_KEY", KEY)
    caplog.set_level(logging.DEBUG)  # the SDK's and httpx's debug lines too
    yield
    ai_tags.reset()
    # caplog.records would hold only this teardown's records by now: ask for the test's own.
    records = caplog.get_records("setup") + caplog.get_records("call")
    assert all(KEY not in caplog.handler.format(record) for record in records)


@pytest.fixture
def unused_url() -> str:
    """A local address nothing listens on: the port of a server that was just closed."""
    with serve() as state:
        url = state.url
    return url


def ctx(server: MessagesServer | None, **settings: Any) -> JobContext:
    ai = {"enabled": True, **({"base_url": server.url} if server else {}), **settings}
    return JobContext(job="daily", run_id="t", plugin_settings={"ai": ai})


def sent_key(headers: dict[str, str]) -> str:
    # SDK 2.x sends the key as a bearer token; older SDKs (and the API docs) use x-api-key.
    bearer = headers.get("authorization", "")
    return bearer.removeprefix("Bearer ") if bearer.startswith("Bearer ") else headers.get("x-api-key", "")


def api_warnings(caplog: pytest.LogCaptureFixture) -> list[str]:
    return [r.getMessage() for r in caplog.records if r.name == "km.api" and r.levelno >= logging.WARNING]


def test_tags_and_type_parsed_from_a_fenced_reply(server: MessagesServer, caplog: pytest.LogCaptureFixture) -> None:
    reply = {
        "type": "Invoice",
        "type_confidence": 0.9,
        "type_why": "has an invoice number and a total due",
        "tags": [
            {"name": "  ACME   GmbH ", "confidence": 0.8, "why": "the   sender"},
            {"name": 42, "confidence": 0.9, "why": "not a string"},
            {"name": "acme gmbh", "confidence": 0.5, "why": "duplicate"},
            "billing",
            {"name": "x" * 100, "confidence": 7, "why": "r" * 300},
            {"name": "one too many", "confidence": 0.4},
        ],
    }
    server.set("ok", reply="```json\n" + json.dumps(reply) + "\n```")
    text = Content(text="a" * 50 + "TAIL-NOT-SENT", title="Invoice 1042")
    tags = ai_tags.km_tag(ITEM, text, ctx(server, max_chars=50, max_tags=3))

    assert tags is not None
    keywords = [t for t in tags if t.kind == "keyword"]
    assert [t.name for t in keywords] == ["acme gmbh", "billing", "x" * 64]
    assert [t.weight for t in keywords] == [0.8, 0.6, 1.0]
    assert keywords[0].why == "claude-haiku-4-5: the sender"
    assert keywords[1].why == "claude-haiku-4-5"
    assert keywords[2].why == "claude-haiku-4-5: " + "r" * 200
    assert all(t.source == "ai" for t in tags)
    (kind,) = [t for t in tags if t.kind == "type"]
    assert (kind.name, kind.weight, kind.primary) == ("invoice", 0.9, False)
    assert kind.why.startswith("claude-haiku-4-5: has an invoice")

    (request,) = server.requests
    assert request.path.startswith("/v1/messages")
    assert sent_key(request.headers) == KEY
    body = request.body
    assert (body["model"], body["max_tokens"]) == ("claude-haiku-4-5", 400)
    assert "JSON only" in body["system"] and "invoice" in body["system"] and "at most 3 tags" in body["system"]
    (message,) = body["messages"]
    assert message["role"] == "user"
    assert "a" * 50 in message["content"] and "TAIL" not in message["content"]
    assert "acme-invoice.txt" in message["content"]

    # A second item reuses the client: one per key, base_url and timeout.
    server.set("ok", reply='{"type": "no-such-type", "tags": ["ok"]}')
    tags = ai_tags.km_tag(ITEM, TEXT, ctx(server, model="claude-test"))
    assert [(t.name, t.kind, t.why) for t in tags or []] == [("ok", "keyword", "claude-test")]
    assert len(ai_tags._clients) == 1 and len(server.requests) == 2
    assert any(r.name.startswith("anthropic") for r in caplog.records)  # the key check sees the SDK's debug lines


def test_timeout_fails_fast_and_is_logged(server: MessagesServer, caplog: pytest.LogCaptureFixture) -> None:
    server.set("slow", delay=10)
    started = time.monotonic()
    with pytest.raises(AiUnavailable, match="APITimeoutError"):
        ai_tags.km_tag(ITEM, TEXT, ctx(server, timeout_s=0.3))
    assert time.monotonic() - started < 3  # no SDK retries
    assert len(server.requests) == 1
    (warning,) = api_warnings(caplog)
    assert "APITimeoutError" in warning and ITEM.path in warning and "0.3s" in warning


def test_rate_limit_pauses_for_retry_after(
    server: MessagesServer, caplog: pytest.LogCaptureFixture, monkeypatch: pytest.MonkeyPatch
) -> None:
    server.set("429", retry_after="30")
    with pytest.raises(AiUnavailable, match="429"):
        ai_tags.km_tag(ITEM, TEXT, ctx(server))
    (warning,) = api_warnings(caplog)
    assert "RateLimitError 429 rate_limit_error" in warning and "retry-after 30s" in warning

    server.set("ok")
    with pytest.raises(AiUnavailable, match="paused"):
        ai_tags.km_tag(ITEM, TEXT, ctx(server))
    assert len(server.requests) == 1  # the second call never reached the server

    later = time.monotonic() + 31
    monkeypatch.setattr(ai_tags, "_clock", lambda: later)
    assert ai_tags.km_tag(ITEM, TEXT, ctx(server)) == [OTHER]
    assert len(server.requests) == 2


def test_rate_limit_without_retry_after_pauses_30s(server: MessagesServer, monkeypatch: pytest.MonkeyPatch) -> None:
    server.set("429", retry_after=None)
    with pytest.raises(AiUnavailable):
        ai_tags.km_tag(ITEM, TEXT, ctx(server))
    later = time.monotonic() + 20
    monkeypatch.setattr(ai_tags, "_clock", lambda: later)
    with pytest.raises(AiUnavailable, match="paused"):
        ai_tags.km_tag(ITEM, TEXT, ctx(server))
    assert len(server.requests) == 1


@pytest.mark.parametrize(
    ("status", "hint"), [("401", "$ANTHROPIC_API_KEY"), ("403", "$ANTHROPIC_API_KEY"), ("404", "plugin.ai.model")]
)
def test_auth_error_stops_calls_for_the_process(
    server: MessagesServer, caplog: pytest.LogCaptureFixture, status: str, hint: str
) -> None:
    server.set(status)
    with pytest.raises(AiUnavailable, match=status):
        ai_tags.km_tag(ITEM, TEXT, ctx(server))
    (warning,) = api_warnings(caplog)
    assert status in warning and hint in warning and ITEM.path in warning

    server.set("ok")
    for _ in range(5):
        with pytest.raises(AiUnavailable, match="paused"):
            ai_tags.km_tag(ITEM, TEXT, ctx(server))
    assert len(server.requests) == 1
    assert len(api_warnings(caplog)) == 1  # skipped calls are not logged again

    ai_tags.reset()  # as a new process would
    assert ai_tags.km_tag(ITEM, TEXT, ctx(server)) == [OTHER]


@pytest.mark.parametrize(
    ("mode", "error"), [("500", "InternalServerError 500"), ("garbage", "not JSON"), ("broken", "no text block")]
)
def test_server_error_and_garbage(
    server: MessagesServer, caplog: pytest.LogCaptureFixture, mode: str, error: str
) -> None:
    server.set(mode)
    with pytest.raises(AiUnavailable) as raised:
        ai_tags.km_tag(ITEM, TEXT, ctx(server))
    assert "\n" not in str(raised.value)
    (warning,) = api_warnings(caplog)
    assert error in warning and ITEM.path in warning
    with pytest.raises(AiUnavailable):  # one failure trips no breaker: the next item is tried
        ai_tags.km_tag(ITEM, TEXT, ctx(server))
    assert len(server.requests) == 2


def test_repeated_outage_pauses(server: MessagesServer, monkeypatch: pytest.MonkeyPatch) -> None:
    # Without this, a server that hangs would cost timeout_s for every item of a large run.
    server.set("500")
    for _ in range(3):
        with pytest.raises(AiUnavailable, match="500"):
            ai_tags.km_tag(ITEM, TEXT, ctx(server))
    with pytest.raises(AiUnavailable, match="paused"):
        ai_tags.km_tag(ITEM, TEXT, ctx(server))
    assert len(server.requests) == 3

    later = time.monotonic() + 61
    monkeypatch.setattr(ai_tags, "_clock", lambda: later)
    server.set("ok")
    assert ai_tags.km_tag(ITEM, TEXT, ctx(server)) == [OTHER]


def test_connection_refused(unused_url: str, caplog: pytest.LogCaptureFixture) -> None:
    with pytest.raises(AiUnavailable, match="APIConnectionError"):
        ai_tags.km_tag(ITEM, TEXT, ctx(None, base_url=unused_url))
    (warning,) = api_warnings(caplog)
    assert "APIConnectionError" in warning and ITEM.path in warning


def test_disabled_by_default_sends_nothing(server: MessagesServer) -> None:
    plain = JobContext(job="daily", run_id="t", plugin_settings={"ai": {"base_url": server.url}})
    assert ai_tags.km_tag(ITEM, TEXT, plain) is None
    assert ai_tags.km_tag(ITEM, TEXT, JobContext(job="daily", run_id="t")) is None
    assert server.requests == []


def test_disabled_does_not_import_the_sdk() -> None:
    code = (
        "import sys\n"
        "from km_core import Content, Item, JobContext\n"
        "from km_plugins import ai_tags\n"
        "ctx = JobContext(job='daily', run_id='t')\n"
        "assert ai_tags.km_tag(Item(path='a.txt'), Content(text='hello'), ctx) is None\n"
        "print(sorted(m for m in sys.modules if m.startswith(('anthropic', 'httpx'))))\n"
    )
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=60, check=True)
    assert done.stdout.strip() == "[]"


def test_enabled_without_key_warns_once(
    server: MessagesServer, caplog: pytest.LogCaptureFixture, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.delenv("ANTHROPIC_API_KEY")
    for _ in range(3):
        assert ai_tags.km_tag(ITEM, TEXT, ctx(server)) is None
    (warning,) = api_warnings(caplog)
    assert "export ANTHROPIC_API_KEY=" in warning
    assert server.requests == []

    monkeypatch.setenv("MY_KEY", KEY)  # api_key_env names another variable
    assert ai_tags.km_tag(ITEM, TEXT, ctx(server, api_key_env="MY_KEY")) == [OTHER]
    assert sent_key(server.requests[0].headers) == KEY


def test_blank_text_is_not_sent(server: MessagesServer) -> None:
    assert ai_tags.km_tag(ITEM, Content(text=" \n ", status="empty"), ctx(server)) is None
    assert server.requests == []


@pytest.mark.parametrize(
    ("key", "value"),
    [
        ("enabled", "yes"),
        ("model", 3),
        ("base_url", None),
        ("timeout_s", "30"),
        ("timeout_s", 0),
        ("max_chars", True),
        ("max_tags", 2.5),
        ("api_key_env", ""),
    ],
)
def test_bad_setting_is_a_config_error(key: str, value: Any) -> None:
    with pytest.raises(ConfigError) as raised:
        ai_tags.km_tag(ITEM, TEXT, ctx(None, **{key: value}))
    assert raised.value.key == f"plugin.ai.{key}"
    assert "plugins.toml" in raised.value.message and "expected" in raised.value.message
    assert raised.value.hint.startswith("set it to")
