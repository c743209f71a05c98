"""OVHcloud's SMS API (https://api.ovh.com/console/#/sms): POST /sms/{service}/jobs,
requests signed as OVH's API documents ("First steps with the OVHcloud APIs"):
X-Ovh-Signature = "$1$" + SHA1(secret+consumer key+method+URL+body+timestamp joined by
"+"), the timestamp read from the API's /auth/time once per client."""

from __future__ import annotations

import hashlib
import json
import time

import requests

from .sms import SmsError, SmsOutcome, SmsProvider

TIMEOUT = 15


class OvhSmsProvider(SmsProvider):
    name = "ovh"

    def __init__(self, *, endpoint: str, application_key: str, application_secret: str,
                 consumer_key: str, service_name: str, sender: str = "") -> None:
        self.endpoint = endpoint.rstrip("/")
        self.application_key, self.application_secret = application_key, application_secret
        self.consumer_key, self.service_name, self.sender = consumer_key, service_name, sender
        self.session = requests.Session()
        self._time_delta: int | None = None

    def _timestamp(self) -> str:
        if self._time_delta is None:
            response = self.session.get(f"{self.endpoint}/auth/time", timeout=TIMEOUT)
            response.raise_for_status()
            self._time_delta = int(response.text) - int(time.time())
        return str(int(time.time()) + self._time_delta)

    def _signed_post(self, path: str, payload: dict) -> dict:
        url = f"{self.endpoint}{path}"
        body = json.dumps(payload, ensure_ascii=False)
        timestamp = self._timestamp()
        signature = hashlib.sha1(  # noqa: S324 - OVH's documented signature scheme
            "+".join([self.application_secret, self.consumer_key, "POST", url, body,
                      timestamp]).encode()).hexdigest()
        response = self.session.post(url, data=body.encode(), timeout=TIMEOUT, headers={
            "Content-Type": "application/json; charset=utf-8",
            "X-Ovh-Application": self.application_key,
            "X-Ovh-Consumer": self.consumer_key,
            "X-Ovh-Timestamp": timestamp,
            "X-Ovh-Signature": f"$1${signature}"})
        if response.status_code >= 400:
            raise SmsError(f"OVH {response.status_code}: {response.text[:300]}")
        return response.json()

    def send(self, *, numbers: list[str], text: str) -> SmsOutcome:
        payload = {"message": text, "receivers": numbers, "charset": "UTF-8",
                   "coding": "7bit", "priority": "high", "validityPeriod": 2880,
                   # Public-safety alerts, not marketing: no "STOP" line appended.
                   "noStopClause": True}
        if self.sender:
            payload["sender"] = self.sender
        else:
            payload["senderForResponse"] = True
        try:
            answer = self._signed_post(f"/sms/{self.service_name}/jobs", payload)
        except (requests.RequestException, ValueError) as error:
            raise SmsError(f"{type(error).__name__}: {error}") from error
        return SmsOutcome(refused=set(answer.get("invalidReceivers") or []))
