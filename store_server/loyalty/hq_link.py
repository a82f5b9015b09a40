"""Calling HQ's loyalty endpoints for the store: signed, short timeout, refusals passed on."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, Protocol

from chainpos.sync.client import UpstreamError
from store_server.loyalty.errors import HqRefused

STORE_API = "/api/v1/loyalty/store"


class HqClient(Protocol):
    """What the relay needs of `chainpos.sync.client.SignedClient` (tests pass a fake)."""

    def get(self, path: str, params: dict[str, Any] | None = None) -> Any: ...

    def post(self, path: str, body: Any) -> Any: ...


HqClientFactory = Callable[[], HqClient]


class Unreachable(Exception):
    """HQ did not answer (network, timeout, or a 5xx on the way): the offline policy applies."""


def call(client: HqClient, method: str, path: str, payload: dict[str, Any]) -> dict[str, Any]:
    """One call to HQ's store API; raises `Unreachable` or `HqRefused` (HQ's 4xx)."""
    try:
        if method == "GET":
            answer = client.get(STORE_API + path, payload)
        else:
            answer = client.post(STORE_API + path, payload)
    except UpstreamError as err:
        if err.status is None or err.status >= 500:
            raise Unreachable(str(err)) from err
        raise HqRefused(err.status, err.body) from None
    if not isinstance(answer, dict):
        raise Unreachable(f"HQ answered {path} with {answer!r}")
    return answer
