"""A fake Wikidata Action API on 127.0.0.1, for testing the online reconciler.

It answers ``wbsearchentities`` and ``wbgetentities`` in the shapes the real
API uses (``format=json``, formatversion 1): search hits with ``match``
objects, entity records with language maps and statement lists, merged items
answered under the requested id with ``redirects: {from, to}``, and
``{"id": …, "missing": ""}`` for unknown ids.  Faults can be switched on to
exercise the client's etiquette: 429/503 with ``Retry-After``, the maxlag
error (HTTP 200 + JSON error + ``Retry-After``), a slow answer, garbage JSON;
and its robustness: valid JSON of the wrong shape (``WRONG_SHAPES``, in turn), a
connection dropped halfway through the body, a broken chunked body, a body that
claims gzip and is not, a redirect loop, and an answer that drips in a byte at a
time (each byte well within a read timeout, the whole never).

The entity table is tiny.  QIDs in the Q900000001… range are made up.  The
real QIDs used (Q41117 Kim Il Sung, Q15180 Soviet Union, Q423 DPRK, Q18097
Korea, Q1971373 CPSU Central Committee, Q5 human) are verified identities, but
their records here are trimmed, illustrative fixtures, not copies of Wikidata.
"""

from __future__ import annotations

import json
import socket
import threading
import time
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import parse_qsl, urlsplit

API_PATH = "/w/api.php"
MAX_IDS = 50
FAULTS = ("429", "503", "maxlag", "slow", "garbage", "wrong-shape", "drop", "broken-chunked", "bad-gzip",
          "redirect-loop", "drip")
#: Valid JSON the real API never gives, per action (the fake answers them in turn).
WRONG_SHAPES = {
    "wbsearchentities": (
        {"search": [{"label": "Kim Il Sung"}], "success": 1},  # a hit without an id
        {"search": {"id": "Q41117"}, "success": 1},  # not a list
        {"search": [{"id": 41117}], "success": 1},  # a number for an id
        {"search": [{"id": "P31"}], "success": 1},  # not an item
        [{"id": "Q41117"}],  # not an object
    ),
    "wbgetentities": (
        {"entities": {"Q41117": ["Kim Il Sung"]}, "success": 1},  # a record that is a list
        {"entities": {"Q41117": {"id": "Q41117", "labels": {"en": "Kim Il Sung"}}}, "success": 1},
        {"entities": {"Q41117": {"id": "Q41117", "claims": {"P31": [{"mainsnak": "value"}]}}}, "success": 1},
        {"entities": {"Q41117": {"id": "Q41117", "aliases": {"en": [{"value": 7}]}}}, "success": 1},
        {"entities": ["Q41117"], "success": 1},
    ),
}


@dataclass(frozen=True)
class FakeItem:
    """One item of the fake table; ``dates`` maps P569/P570/P571/P576 to ISO years."""

    qid: str
    labels: dict[str, str]
    descriptions: dict[str, str] = field(default_factory=dict)
    aliases: dict[str, list[str]] = field(default_factory=dict)
    instance_of: tuple[str, ...] = ()
    dates: dict[str, str] = field(default_factory=dict)

    def record(self, languages: set[str] | None) -> dict[str, Any]:
        """The wbgetentities record, restricted to ``languages`` like the real API."""

        def keep(lang: str) -> bool:
            return languages is None or lang in languages

        claims: dict[str, list[dict[str, Any]]] = {}
        for value in self.instance_of:
            claims.setdefault("P31", []).append(
                _statement(
                    self.qid,
                    "P31",
                    {
                        "value": {
                            "entity-type": "item",
                            "numeric-id": int(value[1:]),
                            "id": value,
                        },
                        "type": "wikibase-entityid",
                    },
                    "wikibase-item",
                )
            )
        for prop, day in self.dates.items():
            claims.setdefault(prop, []).append(
                _statement(
                    self.qid,
                    prop,
                    {
                        "value": {
                            "time": f"+{day}T00:00:00Z",
                            "timezone": 0,
                            "before": 0,
                            "after": 0,
                            "precision": 11,
                            "calendarmodel": "http://www.wikidata.org/entity/Q1985727",
                        },
                        "type": "time",
                    },
                    "time",
                )
            )
        return {
            "pageid": int(self.qid[1:]) % 100_000_000,
            "ns": 0,
            "title": self.qid,
            "lastrevid": 1,
            "modified": "2024-01-01T00:00:00Z",
            "type": "item",
            "id": self.qid,
            "labels": {
                lang: {"language": lang, "value": text}
                for lang, text in self.labels.items()
                if keep(lang)
            },
            "descriptions": {
                lang: {"language": lang, "value": text}
                for lang, text in self.descriptions.items()
                if keep(lang)
            },
            "aliases": {
                lang: [{"language": lang, "value": text} for text in texts]
                for lang, texts in self.aliases.items()
                if keep(lang)
            },
            "claims": claims,
        }


def _statement(qid: str, prop: str, datavalue: dict[str, Any], datatype: str) -> dict[str, Any]:
    return {
        "mainsnak": {
            "snaktype": "value",
            "property": prop,
            "datavalue": datavalue,
            "datatype": datatype,
        },
        "type": "statement",
        "id": f"{qid.lower()}$00000000-0000-0000-0000-000000000000",
        "rank": "normal",
    }


HUMAN = ("Q5",)
FAKE_ORGAN_CLASS = "Q900000901"  # made up: stands in for "central committee"
FAKE_SQUARE_CLASS = "Q900000902"  # made up: stands in for "square"

ITEMS: tuple[FakeItem, ...] = (
    FakeItem(
        "Q41117",
        {"en": "Kim Il Sung", "ru": "Ким Ир Сен", "ko": "김일성"},
        {"en": "leader of North Korea (1948–1994)"},
        {"en": ["Kim Il-sung"]},
        HUMAN,
        {"P569": "1912-04-15", "P570": "1994-07-08"},
    ),
    FakeItem(
        "Q15180",
        {"en": "Soviet Union", "ru": "СССР", "de": "Sowjetunion"},
        {"en": "1922–1991 country in Europe and Asia"},
        {"en": ["USSR", "U.S.S.R.", "Soviets"]},
        ("Q3024240",),
        {"P571": "1922-12-30", "P576": "1991-12-26"},
    ),
    FakeItem(
        "Q423",
        {"en": "North Korea"},
        {"en": "country in East Asia"},
        {"en": ["DPRK", "Democratic People's Republic of Korea"]},
        ("Q3624078",),
        {"P571": "1948-09-09"},
    ),
    FakeItem("Q18097", {"en": "Korea"}, {"en": "region in East Asia"}, {}, ("Q82794",)),
    FakeItem(
        "Q1971373",
        {"en": "Central Committee of the Communist Party of the Soviet Union"},
        {"en": "highest body of the CPSU between congresses"},
        {"en": ["CPSU Central Committee", "CC of the CPSU", "CPSU CC"]},
        (FAKE_ORGAN_CLASS,),
    ),
    FakeItem(
        "Q900000002",
        {"en": "Korea"},
        {"en": "made-up second 'Korea' item (ambiguity fixture)"},
        {},
        ("Q82794",),
    ),
    FakeItem(
        "Q900000003",
        {"en": "Kim Il Sung"},
        {"en": "made-up namesake born after the documents"},
        {},
        HUMAN,
        {"P569": "1990-01-01"},
    ),
    FakeItem(
        "Q900000004",
        {"en": "Ivan Fakeov"},
        {"en": "made-up person born in 1970"},
        {},
        HUMAN,
        {"P569": "1970-05-01"},
    ),
    FakeItem(
        "Q900000005",
        {"en": "Kim Il Sung Square"},
        {"en": "made-up square named after a person"},
        {},
        (FAKE_SQUARE_CLASS,),
    ),
)

#: Merged items: the old (made-up) id now redirects to a real one.
REDIRECTS = {"Q900000099": "Q41117"}


@dataclass(frozen=True)
class SeenRequest:
    """A request as the fake received it."""

    params: dict[str, str]
    headers: dict[str, str]


class FakeWikidata:
    """Threaded HTTP server answering like the Wikidata Action API.

    Use as a context manager; ``url`` is the api.php endpoint, ``requests``
    lists every request received (faulty answers included).
    """

    def __init__(
        self,
        items: tuple[FakeItem, ...] = ITEMS,
        redirects: dict[str, str] | None = None,
        slow_seconds: float = 2.0,
        drip_seconds: float = 0.1,
    ) -> None:
        self.items = {item.qid: item for item in items}
        self.redirects = dict(REDIRECTS if redirects is None else redirects)
        self.slow_seconds = slow_seconds
        self.drip_seconds = drip_seconds
        self.dripped: list[int] = []  # bytes of each dripped answer sent before the client left
        self._shapes = 0
        self.requests: list[SeenRequest] = []
        self._faults: list[tuple[str, int | None]] = []
        self._always: tuple[str, int | None] | None = None
        self._lock = threading.Lock()
        self._stopping = threading.Event()
        self._server = ThreadingHTTPServer(("127.0.0.1", 0), _handler_for(self))
        self._server.daemon_threads = True
        self._thread = threading.Thread(
            target=self._server.serve_forever, kwargs={"poll_interval": 0.02}, daemon=True
        )

    @property
    def url(self) -> str:
        host, port = self._server.server_address[:2]
        return f"http://{host}:{port}{API_PATH}"

    def __enter__(self) -> FakeWikidata:
        self._thread.start()
        return self

    def __exit__(self, *exc_info: object) -> None:
        self._stopping.set()
        self._server.shutdown()
        self._server.server_close()
        self._thread.join(timeout=5)

    def fail_next(self, fault: str, times: int = 1, retry_after: int | None = None) -> None:
        """Answer the next ``times`` requests with ``fault`` (one of FAULTS)."""
        self._check(fault)
        with self._lock:
            self._faults.extend([(fault, retry_after)] * times)

    def fail_always(self, fault: str | None, retry_after: int | None = None) -> None:
        """Answer every request with ``fault``: the service is down (None: up again)."""
        if fault is None:
            self._always = None
            return
        self._check(fault)
        self._always = (fault, retry_after)

    def requests_for(self, action: str) -> list[SeenRequest]:
        return [r for r in self.requests if r.params.get("action") == action]

    @staticmethod
    def _check(fault: str) -> None:
        if fault not in FAULTS:
            raise ValueError(f"unknown fault {fault!r}; use one of {FAULTS}")

    def _next_fault(self) -> tuple[str, int | None] | None:
        with self._lock:
            if self._faults:
                return self._faults.pop(0)
        return self._always

    def _wrong_shape(self, params: dict[str, str]) -> Any:
        with self._lock:
            shapes = WRONG_SHAPES.get(params.get("action", ""), WRONG_SHAPES["wbsearchentities"])
            self._shapes += 1
            return shapes[self._shapes % len(shapes)]

    def _answer(self, params: dict[str, str]) -> dict[str, Any]:
        action = params.get("action")
        if action == "wbsearchentities":
            return self._search(params)
        if action == "wbgetentities":
            return self._get_entities(params)
        return _error("badvalue", f'Unrecognized value for parameter "action": {action}.')

    def _search(self, params: dict[str, str]) -> dict[str, Any]:
        """Case-insensitive prefix match on labels and aliases in one language."""
        text = params.get("search", "")
        language = params.get("language", "")
        limit = int(params.get("limit", "7"))
        prefix = text.casefold()
        hits = []
        for item in self.items.values():
            names = [("label", item.labels.get(language))] + [
                ("alias", alias) for alias in item.aliases.get(language, [])
            ]
            for kind, name in names:
                if name and prefix and name.casefold().startswith(prefix):
                    hits.append(_hit(item, language, kind, name))
                    break
        answer: dict[str, Any] = {
            "searchinfo": {"search": text},
            "search": hits[:limit],
            "success": 1,
        }
        if len(hits) > limit:
            answer["search-continue"] = limit
        return answer

    def _get_entities(self, params: dict[str, str]) -> dict[str, Any]:
        ids = [i for i in params.get("ids", "").split("|") if i]
        if len(ids) > MAX_IDS:
            return _error(
                "toomanyvalues",
                f'Too many values supplied for parameter "ids". The limit is {MAX_IDS}.',
            )
        languages = set(params["languages"].split("|")) if "languages" in params else None
        entities: dict[str, Any] = {}
        for qid in ids:
            target = self.redirects.get(qid, qid)
            item = self.items.get(target)
            if item is None:
                entities[qid] = {"id": qid, "missing": ""}
                continue
            record = item.record(languages)
            if target != qid:
                record["redirects"] = {"from": qid, "to": target}
            entities[qid] = record
        return {"entities": entities, "success": 1}


def _hit(item: FakeItem, language: str, kind: str, name: str) -> dict[str, Any]:
    hit: dict[str, Any] = {
        "id": item.qid,
        "title": item.qid,
        "pageid": int(item.qid[1:]) % 100_000_000,
        "repository": "wikidata",
        "url": f"//www.wikidata.org/wiki/{item.qid}",
        "concepturi": f"http://www.wikidata.org/entity/{item.qid}",
        "display": {},
        "match": {"type": kind, "language": language, "text": name},
    }
    if language in item.labels:
        hit["label"] = item.labels[language]
    if language in item.descriptions:
        hit["description"] = item.descriptions[language]
    if kind == "alias":
        hit["aliases"] = [name]
    return hit


def _error(code: str, info: str) -> dict[str, Any]:
    return {
        "error": {
            "code": code,
            "info": info,
            "*": "See https://www.wikidata.org/w/api.php for API usage.",
        }
    }


def _handler_for(fake: FakeWikidata) -> type[BaseHTTPRequestHandler]:
    class Handler(BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1"

        def do_GET(self) -> None:  # noqa: N802 (http.server naming)
            url = urlsplit(self.path)
            if url.path != API_PATH:
                self._send(404, b"not found", "text/plain")
                return
            params = dict(parse_qsl(url.query, keep_blank_values=True))
            with fake._lock:
                fake.requests.append(SeenRequest(params, dict(self.headers.items())))
            if "lodloop" in params:  # a redirect loop, once begun, goes on
                self._send(302, b"", "text/plain", {"Location": self.path})
                return
            fault = fake._next_fault()
            if fault is None:
                self._send_json(fake._answer(params))
                return
            name, retry_after = fault
            headers = {} if retry_after is None else {"Retry-After": str(retry_after)}
            if name in ("429", "503"):
                self._send(int(name), f"HTTP {name}".encode(), "text/plain", headers)
            elif name == "maxlag":
                headers["X-Database-Lag"] = "7"
                self._send_json(
                    _error("maxlag", "Waiting for db1234: 7 seconds lagged"), headers
                )
            elif name == "garbage":
                self._send(200, b'{"entities": {"Q1": <html>', "application/json")
            elif name == "wrong-shape":
                self._send_json(fake._wrong_shape(params))
            elif name == "redirect-loop":
                self._send(302, b"", "text/plain", {"Location": self.path + "&lodloop=1"})
            elif name == "bad-gzip":
                self._send(200, b"this is not gzip at all", "application/json", {"Content-Encoding": "gzip"})
            elif name == "drop":
                body = json.dumps(fake._answer(params)).encode("utf-8")
                self._start(200, "application/json", {"Content-Length": str(len(body))})
                self.wfile.write(body[: len(body) // 2])
                self.wfile.flush()
                self.close_connection = True
                self.connection.shutdown(socket.SHUT_RDWR)
            elif name == "broken-chunked":
                self._start(200, "application/json", {"Transfer-Encoding": "chunked"})
                self.wfile.write(b'5\r\n{"ent\r\nzz\r\nities"\r\n')
                self.wfile.flush()
                self.close_connection = True
            elif name == "drip":
                body = json.dumps(fake._answer(params)).encode("utf-8")
                self._start(200, "application/json", {"Content-Length": str(len(body))})
                sent = 0
                try:
                    for byte in body:
                        if fake._stopping.wait(fake.drip_seconds):
                            break
                        self.wfile.write(bytes((byte,)))
                        self.wfile.flush()
                        sent += 1
                except OSError:
                    pass  # the client gave up: that is the point
                with fake._lock:
                    fake.dripped.append(sent)
                self.close_connection = True
            else:  # slow: stall past the client's timeout, then answer normally
                deadline = time.monotonic() + fake.slow_seconds
                while time.monotonic() < deadline and not fake._stopping.is_set():
                    time.sleep(0.02)
                try:
                    self._send_json(fake._answer(params))
                except OSError:
                    pass  # the client gave up waiting; that is the point

        def _send_json(self, payload: Any, headers: dict[str, str] | None = None) -> None:
            body = json.dumps(payload, ensure_ascii=False).encode("utf-8")
            self._send(200, body, "application/json; charset=utf-8", headers)

        def _send(
            self,
            status: int,
            body: bytes,
            content_type: str,
            headers: dict[str, str] | None = None,
        ) -> None:
            self._start(status, content_type, {"Content-Length": str(len(body)), **(headers or {})})
            self.wfile.write(body)

        def _start(self, status: int, content_type: str, headers: dict[str, str]) -> None:
            self.send_response(status)
            self.send_header("Content-Type", content_type)
            for key, value in headers.items():
                self.send_header(key, value)
            self.end_headers()

        def log_message(self, format: str, *args: object) -> None:
            """Keep test output quiet."""

    return Handler
