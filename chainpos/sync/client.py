"""A signed HTTP client for talking to the tier above."""

from __future__ import annotations

import json
from typing import Any
from urllib.parse import urlencode

import requests

from chainpos.signing import Credentials, sign


class UpstreamError(Exception):
    """The tier above could not be reached or answered with an error."""

    def __init__(self, message: str, status: int | None = None, body: Any = None):
        super().__init__(message)
        self.status = status
        self.body = body


class SignedClient:
    """JSON over HTTP with every request signed by this tier's credentials."""

    def __init__(self, base_url: str, credentials: Credentials, timeout: float = 5.0):
        self.base_url = base_url.rstrip("/")
        self.credentials = credentials
        self.timeout = timeout
        self._http = requests.Session()

    def request(
        self, method: str, path: str, *, params: dict[str, Any] | None = None, body: Any = None
    ) -> Any:
        target = path + ("?" + urlencode(params) if params else "")
        data = b"" if body is None else json.dumps(body, ensure_ascii=False).encode()
        headers = sign(self.credentials, method, target, data)
        if body is not None:
            headers["Content-Type"] = "application/json"
        try:
            response = self._http.request(
                method,
                self.base_url + target,
                data=data or None,
                headers=headers,
                timeout=self.timeout,
            )
        except requests.RequestException as err:
            raise UpstreamError(f"{self.base_url} unreachable: {err.__class__.__name__}") from err
        try:
            payload = response.json()
        except ValueError:
            payload = response.text[:500]
        if response.status_code >= 400:
            raise UpstreamError(
                f"{method} {path} answered {response.status_code}: {payload}",
                status=response.status_code,
                body=payload,
            )
        return payload

    def get(self, path: str, params: dict[str, Any] | None = None) -> Any:
        return self.request("GET", path, params=params)

    def post(self, path: str, body: Any) -> Any:
        return self.request("POST", path, body=body)

    def close(self) -> None:
        self._http.close()
