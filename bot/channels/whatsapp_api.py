"""WhatsApp Business Cloud API, outgoing side: the shapes of the messages Haven sends (pure functions, so
WhatsApp's size limits are tested without a network) and a small Graph API client that retries what is
worth retrying. Used by bot/channels/whatsapp.py."""
from __future__ import annotations

import asyncio
import logging
from dataclasses import dataclass
from email.utils import parsedate_to_datetime
from datetime import datetime, timezone
from typing import Any, Dict, List, Optional, Sequence, Tuple

import aiohttp

logger = logging.getLogger(__name__)

DEFAULT_API_BASE_URL = "https://graph.facebook.com/v21.0"
# WhatsApp's limits (Cloud API reference, "Messages"): exceeding any of them makes Meta reject the message.
TEXT_LIMIT = 4096
INTERACTIVE_BODY_LIMIT = 1024
REPLY_BUTTONS_MAX = 3
REPLY_TITLE_LIMIT = 20
REPLY_ID_LIMIT = 256
LIST_BUTTON_LIMIT = 20
LIST_ROWS_MAX = 10
LIST_ROW_TITLE_LIMIT = 24
LIST_ROW_ID_LIMIT = 200
LIST_ROW_DESCRIPTION_LIMIT = 72
#: Graph API error code for "more than 24 hours have passed since the customer last replied".
RE_ENGAGEMENT_ERROR = 131047
ELLIPSIS = "…"


class WhatsAppDeliveryError(Exception):
    """A message could not be delivered to WhatsApp (after retries, or refused by Meta)."""


class OutsideServiceWindow(WhatsAppDeliveryError):
    """WhatsApp refuses free-form messages more than 24 hours after the user's last message; only
    pre-approved templates may be sent then. Raised so a caller (the hotline console) can say so."""

    def __init__(self, last_inbound_at: Optional[datetime] = None, detail: str = "") -> None:
        since = (f"last message was at {last_inbound_at:%Y-%m-%d %H:%M} UTC." if last_inbound_at
                 else "no message from this user is on record.")
        message = f"WhatsApp allows free-form messages only within 24 hours of the user's last message; {since}"
        super().__init__(f"{message} {detail}".strip())
        self.last_inbound_at = last_inbound_at


class GraphError(WhatsAppDeliveryError):
    """An error answer of the Graph API (status and Meta's error code; never the request, which holds the
    phone number)."""

    def __init__(self, status: int, code: Optional[int], message: str) -> None:
        super().__init__(f"Graph API answered {status} (code {code}): {message}")
        self.status, self.code, self.message = status, code, message


# --- Message shapes -------------------------------------------------------------------------------------

def cut(text: str, limit: int) -> str:
    """Shorten a label to WhatsApp's limit, showing that it was shortened."""
    text = " ".join(str(text).split())
    return text if len(text) <= limit else text[:limit - 1].rstrip() + ELLIPSIS


def split_text(text: str, limit: int = TEXT_LIMIT) -> List[str]:
    """Split a long text into parts of at most `limit` characters, on a paragraph, line or word boundary
    when there is one in the second half of the part (so no part is absurdly short), else hard."""
    text = text.strip()
    parts: List[str] = []
    while len(text) > limit:
        window = text[:limit + 1]  # a separator right after the limit is a clean cut too
        at = -1
        for separator in ("\n\n", "\n", " "):
            at = window.rfind(separator)
            if at >= limit // 2:
                break
        if at < limit // 2:
            at = limit
        head, text = text[:at].rstrip(), text[at:].strip()
        if head:
            parts.append(head)
    if text:
        parts.append(text)
    return parts


def split_for_body(text: str, limit: int = INTERACTIVE_BODY_LIMIT) -> Tuple[List[str], str]:
    """Text too long for an interactive message's body: the leading parts go first as plain text, the last
    paragraph (line, words) that fits - usually the question the buttons answer - becomes the body."""
    text = (text or "").strip()
    if len(text) <= limit:
        return [], text
    start = len(text) - limit
    for separator in ("\n\n", "\n", " "):
        at = text.find(separator, max(0, start - len(separator)))
        if at != -1:
            head, body = text[:at], text[at + len(separator):]
            break
    else:
        head, body = text[:start], text[start:]
    return split_text(head), body.strip()


def text_message(body: str) -> Dict[str, Any]:
    return {"type": "text", "text": {"body": body, "preview_url": False}}


def _button_id(button: Dict[str, Any], limit: int) -> str:
    """The Rasa payload is the id WhatsApp sends back when the button is chosen; a cut payload would be
    meaningless, so it is only cut (and logged) when it cannot fit."""
    payload = str(button.get("payload") or button.get("title") or "")
    if len(payload) > limit:
        logger.warning("A button payload is longer than WhatsApp's %d characters; it was cut.", limit)
        payload = payload[:limit]
    return payload


def unique_titles(titles: Sequence[str], limit: int) -> List[str]:
    """Titles cut to `limit` and made distinct (Meta refuses a message whose button titles repeat, which
    long titles with a common beginning would do once cut)."""
    result: List[str] = []
    for title in titles:
        candidate, n = cut(title, limit), 1
        while candidate in result:
            n += 1
            candidate = cut(title, limit - len(f" {n}")) + f" {n}"
        result.append(candidate)
    return result


def _title(button: Dict[str, Any]) -> str:
    return str(button.get("title") or button.get("payload") or "")


def reply_buttons_message(body: str, buttons: Sequence[Dict[str, Any]]) -> Dict[str, Any]:
    """Up to three buttons: WhatsApp's reply buttons."""
    buttons = buttons[:REPLY_BUTTONS_MAX]
    titles = unique_titles([_title(b) for b in buttons], REPLY_TITLE_LIMIT)
    return {"type": "interactive", "interactive": {
        "type": "button",
        "body": {"text": body},
        "action": {"buttons": [{"type": "reply", "reply": {"id": _button_id(b, REPLY_ID_LIMIT), "title": title}}
                               for b, title in zip(buttons, titles)]},
    }}


def list_message(body: str, buttons: Sequence[Dict[str, Any]], label: str) -> Dict[str, Any]:
    """More than three buttons: a list message (one section, at most ten rows) opened by `label`."""
    if len(buttons) > LIST_ROWS_MAX:
        logger.warning("%d buttons, WhatsApp lists hold %d; the rest were left out.", len(buttons), LIST_ROWS_MAX)
    rows = []
    buttons = buttons[:LIST_ROWS_MAX]
    for b, short in zip(buttons, unique_titles([_title(b) for b in buttons], LIST_ROW_TITLE_LIMIT)):
        title = _title(b)
        row = {"id": _button_id(b, LIST_ROW_ID_LIMIT), "title": short}
        if len(" ".join(title.split())) > LIST_ROW_TITLE_LIMIT:  # the whole title stays readable
            row["description"] = cut(title, LIST_ROW_DESCRIPTION_LIMIT)
        rows.append(row)
    return {"type": "interactive", "interactive": {
        "type": "list",
        "body": {"text": body},
        "action": {"button": cut(label, LIST_BUTTON_LIMIT), "sections": [{"rows": rows}]},
    }}


def button_messages(text: str, buttons: Sequence[Dict[str, Any]], menu_label: str,
                    fallback_body: str) -> List[Dict[str, Any]]:
    """A Rasa text with buttons as the WhatsApp messages to send, in order."""
    leading, body = split_for_body(text)
    messages = [text_message(part) for part in leading]
    body = body or fallback_body  # WhatsApp requires a body
    if not buttons:
        return messages + [text_message(body)]
    if len(buttons) <= REPLY_BUTTONS_MAX:
        return messages + [reply_buttons_message(body, buttons)]
    return messages + [list_message(body, buttons, menu_label)]


def envelope(recipient: str, message: Dict[str, Any]) -> Dict[str, Any]:
    return {"messaging_product": "whatsapp", "recipient_type": "individual", "to": recipient, **message}


# --- Graph API client -----------------------------------------------------------------------------------

@dataclass(frozen=True)
class RetryPolicy:
    """How often and how patiently to retry 429, 5xx and connection errors (tests make it tiny)."""
    retries: int = 3
    base_delay: float = 0.5
    max_delay: float = 30.0
    timeout: float = 20.0

    def delay(self, attempt: int, retry_after: Optional[float] = None) -> float:
        wait = retry_after if retry_after is not None else self.base_delay * (2 ** attempt)
        return max(0.0, min(wait, self.max_delay))


def retry_after_seconds(value: Optional[str]) -> Optional[float]:
    """Retry-After is either seconds or an HTTP date."""
    if not value:
        return None
    try:
        return float(value)
    except ValueError:
        pass
    try:
        return (parsedate_to_datetime(value) - datetime.now(timezone.utc)).total_seconds()
    except (TypeError, ValueError):
        return None


def graph_error(status: int, body: Any) -> GraphError:
    error = body.get("error") if isinstance(body, dict) else None
    if isinstance(error, dict):
        code = error.get("code")
        return GraphError(status, code if isinstance(code, int) else None, str(error.get("message", ""))[:300])
    return GraphError(status, None, str(body)[:300])


class GraphClient:
    """Posts messages to {api_base_url}/{phone_number_id}/messages. One aiohttp session, created on first
    use (it must be created inside the running event loop) and reused."""

    def __init__(self, api_base_url: str, phone_number_id: str, access_token: str,
                 policy: RetryPolicy = RetryPolicy()) -> None:
        self.url = f"{api_base_url.rstrip('/')}/{phone_number_id}/messages"
        self.access_token = access_token
        self.policy = policy
        self.configured = bool(access_token and phone_number_id)
        self._session: Optional[aiohttp.ClientSession] = None

    def _get_session(self) -> aiohttp.ClientSession:
        if self._session is None or self._session.closed:
            self._session = aiohttp.ClientSession(timeout=aiohttp.ClientTimeout(total=self.policy.timeout))
        return self._session

    async def close(self) -> None:
        if self._session is not None and not self._session.closed:
            await self._session.close()

    async def post(self, payload: Dict[str, Any]) -> Dict[str, Any]:
        """Send one message; retries 429, 5xx and connection errors with exponential backoff. Raises
        GraphError (or OutsideServiceWindow for error 131047) once it gives up."""
        if not self.configured:
            raise GraphError(0, None, "WhatsApp is not configured (access_token or phone_number_id is empty)")
        headers = {"Authorization": f"Bearer {self.access_token}"}
        attempt = 0
        while True:
            retry_after: Optional[float] = None
            try:
                async with self._get_session().post(self.url, json=payload, headers=headers) as reply:
                    try:
                        body = await reply.json(content_type=None)
                    except ValueError:
                        body = None
                    if reply.status < 300:
                        return body if isinstance(body, dict) else {}
                    error = graph_error(reply.status, body)
                    if error.code == RE_ENGAGEMENT_ERROR:
                        raise OutsideServiceWindow(detail=f"(Graph API error {RE_ENGAGEMENT_ERROR})")
                    if reply.status != 429 and reply.status < 500:
                        raise error
                    retry_after = retry_after_seconds(reply.headers.get("Retry-After"))
            except (aiohttp.ClientConnectionError, asyncio.TimeoutError) as exc:
                error = GraphError(0, None, f"connection failed: {type(exc).__name__}")
            if attempt >= self.policy.retries:
                raise error
            delay = self.policy.delay(attempt, retry_after)
            logger.warning("WhatsApp send failed (%s); retry %d of %d in %.1f s.", error, attempt + 1,
                           self.policy.retries, delay)
            await asyncio.sleep(delay)
            attempt += 1
