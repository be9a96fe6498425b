"""Haven on WhatsApp: a Rasa input channel for the WhatsApp Business Cloud API (Meta's Graph API).

Webhook: GET/POST /webhooks/whatsapp/webhook. Configured in credentials.yml under
`bot.channels.whatsapp.WhatsAppInput` (verify_token, app_secret, access_token, phone_number_id,
api_base_url, state_database_url). What it guarantees, and why:
- Only Meta gets in: every POST is checked against its X-Hub-Signature-256 (HMAC of the raw body with the
  app secret) before anything else; the subscription check compares the verify token in constant time.
- Meta re-delivers messages; each message id is claimed once in a database table before it is handled, so
  nobody gets the same answer twice, even across a restart.
- Meta wants its 200 quickly; messages are handled in background tasks, one conversation at a time.
- The phone number is the Rasa sender id (the hotline finds conversations by it) but never appears in
  logs: they carry a short keyed hash.
- WhatsApp allows free-form messages only within 24 hours of the user's last message. Bot replies are
  always inside that window; messages sent through get_output_channel() (Rasa's HTTP API with
  output_channel=latest, e.g. the hotline console) raise OutsideServiceWindow outside it.
- Photos, voice messages and the like are not sent to the bot: the user is told what Haven can read.
- Every text goes through bot.channels.inbound.prepare: no character Rasa chokes on, and a shared location
  rounded to ~1 km before it reaches the tracker. Only the text, the message id and the type are passed on:
  the raw webhook (contact name, a location's name and address) never reaches Rasa.
- The sender must be a WhatsApp id (5-20 digits, bot.channels.ids): that is WhatsApp's conversation-id
  namespace, which no other channel can produce. Anything that is not Meta's payload shape (wrong types,
  nesting too deep to parse) is answered 200 or 400 with nothing handled, never 500.
"""
from __future__ import annotations

import asyncio
import copy
import hashlib
import hmac
import json
import logging
import os
import re
from dataclasses import dataclass, field
from datetime import datetime, timezone
from functools import lru_cache
from pathlib import Path
from typing import Any, Awaitable, Callable, Dict, List, Optional, Set, Text, Tuple, Union

import yaml
from rasa.core.channels.channel import InputChannel, OutputChannel, UserMessage
from sanic import Blueprint, response
from sanic.request import Request
from sanic.response import HTTPResponse

from bot.channels import guard, ids
from bot.channels.inbound import prepare
from bot.channels.whatsapp_api import (DEFAULT_API_BASE_URL, RE_ENGAGEMENT_ERROR, GraphClient, OutsideServiceWindow,
                                       RetryPolicy, WhatsAppDeliveryError, button_messages,
                                       envelope, split_text, text_message)
from bot.channels.whatsapp_store import SERVICE_WINDOW, WhatsAppStore, utcnow

logger = logging.getLogger(__name__)

ROOT = Path(__file__).resolve().parents[2]
TEXTS_FILE = ROOT / "data" / "channels" / "whatsapp.yml"
DEFAULT_LANGUAGE = "en"
SIGNATURE_HEADER = "X-Hub-Signature-256"
_SIGNATURE = re.compile(r"sha256=([0-9a-fA-F]{64})")
_ARABIC_SCRIPT = re.compile(r"[\u0600-\u06FF\u0750-\u077F\u08A0-\u08FF]")
#: Credentials keys and the environment variables read when a key is absent from credentials.yml.
CREDENTIAL_ENV = {
    "verify_token": "WHATSAPP_VERIFY_TOKEN",
    "app_secret": "WHATSAPP_APP_SECRET",
    "access_token": "WHATSAPP_ACCESS_TOKEN",
    "phone_number_id": "WHATSAPP_PHONE_NUMBER_ID",
}
#: Message types the bot understands; every other type from the user gets the "unsupported" answer.
SUPPORTED_TYPES = {"text", "interactive", "button", "location"}
#: Meta's message ids are ~60 characters; the handled-messages table keeps up to 255.
MAX_MESSAGE_ID = 255
#: Shared locations are passed on with this many decimals (0.01 degree, ~1 km; see bot.channels.inbound).
LOCATION_DECIMALS = 2
#: Notifications that are not from the user (e.g. "user changed number"): neither answered nor sent on.
IGNORED_TYPES = {"system"}


# --- Pure functions: request checks, payload parsing, texts -------------------------------------------

def valid_signature(app_secret: str, body: bytes, header: Optional[str]) -> bool:
    """Meta signs the raw body with the app secret: `sha256=<hex HMAC-SHA256>`. Anything else is forged."""
    if not app_secret or not header:
        return False
    match = _SIGNATURE.fullmatch(header.strip())
    if not match:
        return False
    expected = hmac.new(app_secret.encode(), body, hashlib.sha256).hexdigest()
    return hmac.compare_digest(expected, match.group(1).lower())


def signature_header(app_secret: str, body: bytes) -> str:
    """The header Meta would send (for tests and local tools)."""
    return "sha256=" + hmac.new(app_secret.encode(), body, hashlib.sha256).hexdigest()


def subscription_challenge(args: Dict[str, Any], verify_token: str) -> Optional[str]:
    """The challenge to echo when Meta verifies the webhook with our token, else None."""
    mode, token, challenge = (args.get(k) for k in ("hub.mode", "hub.verify_token", "hub.challenge"))
    if mode != "subscribe" or not isinstance(token, str) or challenge is None or not verify_token:
        return None
    return str(challenge) if hmac.compare_digest(token.encode(), verify_token.encode()) else None


def pseudonym(wa_id: str, key: str = "", prefix: str = "wa") -> str:
    """A short keyed hash of a phone number: the same user is recognisable across log lines, the number is
    not (an unkeyed hash of a phone number is easily reversed)."""
    return f"{prefix}:" + hmac.new(f"haven-log:{key}".encode(), wa_id.encode(), hashlib.sha256).hexdigest()[:12]


def message_ref(message_id: str, key: str = "") -> str:
    """Message ids ("wamid.HBgL...") are base64 that contains the phone number: logged hashed too."""
    return pseudonym(message_id, key, prefix="msg")


def location_payload(latitude: Any, longitude: Any) -> Optional[str]:
    """The same message the web widget sends when a location is shared (web/widget/src/widget.js), rounded
    to ~1 km: enough to find the nearest centres, and the exact position is never stored."""
    try:
        lat, lon = float(latitude), float(longitude)
    except (TypeError, ValueError, OverflowError):
        return None
    if not (-90 <= lat <= 90 and -180 <= lon <= 180):
        return None
    rounded = {"latitude": round(lat, LOCATION_DECIMALS) + 0.0, "longitude": round(lon, LOCATION_DECIMALS) + 0.0}
    return "/share_location" + json.dumps(rounded)  # + 0.0 above: no "-0.0"


def webhook_payload(body: bytes) -> Tuple[Dict[str, Any], Optional[str]]:
    """The decoded body, or a reason to refuse it (400). A correctly signed body can still be anything: not
    JSON, not UTF-8, or nested so deep that the parser gives up (RecursionError)."""
    try:
        payload = json.loads(body)
    except RecursionError:
        return {}, "The body is nested too deeply."
    except (ValueError, UnicodeDecodeError):
        return {}, "The body must be JSON."
    if not isinstance(payload, dict):
        return {}, "The body must be a JSON object."
    return payload, None


@dataclass(frozen=True)
class InboundMessage:
    """A message from a user. `text` is what goes to the bot; None when the type is not supported."""
    message_id: str
    wa_id: str
    message_type: str
    text: Optional[str]
    timestamp: Optional[datetime] = None


@dataclass(frozen=True)
class StatusUpdate:
    """Meta's report on a message we sent (sent, delivered, read, failed)."""
    message_id: str
    status: str
    error_codes: Tuple[int, ...] = field(default_factory=tuple)


WebhookEvent = Union[InboundMessage, StatusUpdate]


def _dict(value: Any) -> Dict[str, Any]:
    """`value` if it is a JSON object, else an empty one: a payload of the wrong shape is skipped, not a 500."""
    return value if isinstance(value, dict) else {}


def _list(value: Any) -> List[Any]:
    return value if isinstance(value, list) else []


def _scalar(value: Any) -> str:
    """A string or number as text; anything else (a list, an object, however deep) as ""."""
    return str(value) if isinstance(value, (str, int, float)) and not isinstance(value, bool) else ""


def _raw_text(message: Dict[str, Any]) -> Optional[str]:
    kind = message.get("type")
    if kind == "text":
        body = _dict(message.get("text")).get("body")
        return body if isinstance(body, str) else None
    if kind == "interactive":
        interactive = _dict(message.get("interactive"))
        chosen = interactive.get("type")
        if chosen in ("button_reply", "list_reply"):
            reply_id = _dict(interactive.get(chosen)).get("id")
            return reply_id if isinstance(reply_id, str) else None
        return None
    if kind == "button":  # a quick-reply button of a template message
        button = _dict(message.get("button"))
        value = button.get("payload") or button.get("text")
        return value if isinstance(value, str) else None
    if kind == "location":  # only the position: the place's name and address are not passed on
        location = _dict(message.get("location"))
        return location_payload(location.get("latitude"), location.get("longitude"))
    return None


def message_text(message: Dict[str, Any]) -> Optional[str]:
    """The text the bot gets for a supported message: typed text, the payload of a chosen button or list
    row (our buttons' ids are Rasa payloads), or the share_location payload; cleaned and with any location
    rounded (bot.channels.inbound), as on every channel."""
    text = _raw_text(message)
    return prepare(text) if text is not None else None


def _timestamp(value: Any) -> Optional[datetime]:
    try:
        at = datetime.fromtimestamp(int(value), tz=timezone.utc).replace(tzinfo=None)
    except (TypeError, ValueError, OverflowError, OSError):
        return None
    return min(at, utcnow())  # a clock ahead of ours must not stretch the 24-hour window


def parse_webhook(payload: Any, phone_number_id: Optional[str] = None) -> List[WebhookEvent]:
    """Meta's webhook payload as typed events, in order. Malformed parts are skipped, as are changes for
    another business phone number than ours (one Meta app may serve several)."""
    events: List[WebhookEvent] = []
    if not isinstance(payload, dict) or payload.get("object") != "whatsapp_business_account":
        return events
    for entry in _list(payload.get("entry")):
        for change in _list(_dict(entry).get("changes")):
            value = _dict(change).get("value")
            if not isinstance(value, dict):
                continue
            ours = _dict(value.get("metadata")).get("phone_number_id")
            if phone_number_id and ours and _scalar(ours) != str(phone_number_id):
                logger.info("Ignoring a WhatsApp event for another phone number id.")
                continue
            for message in _list(value.get("messages")):
                event = _inbound_message(message)
                if event is not None:
                    events.append(event)
            for status in _list(value.get("statuses")):
                if isinstance(status, dict):
                    codes = tuple(e.get("code") for e in _list(status.get("errors"))
                                  if isinstance(e, dict) and isinstance(e.get("code"), int)
                                  and not isinstance(e.get("code"), bool))
                    events.append(StatusUpdate(_scalar(status.get("id")), _scalar(status.get("status")), codes))
    return events


def _inbound_message(message: Any) -> Optional[InboundMessage]:
    """One entry of `messages`, or None when it is malformed, not from a user, or from a sender id that is
    not a WhatsApp id (digits only: WhatsApp's conversation-id namespace, see bot.channels.ids)."""
    if not isinstance(message, dict):
        return None
    message_id, wa_id, kind = message.get("id"), message.get("from"), message.get("type")
    if not (isinstance(message_id, str) and 0 < len(message_id) <= MAX_MESSAGE_ID and isinstance(wa_id, str)
            and isinstance(kind, str) and kind):
        return None
    try:
        ids.conversation_id(ids.WHATSAPP, wa_id)
    except ids.InvalidSenderId:
        logger.warning("A WhatsApp message whose sender id is not 5-20 digits was skipped.")
        return None
    if kind in IGNORED_TYPES:
        return None
    if kind in SUPPORTED_TYPES and not isinstance(message.get(kind), dict):
        logger.info("A malformed WhatsApp %s message was skipped.", kind)  # Meta never sends one
        return None
    text = message_text(message) if kind in SUPPORTED_TYPES else None
    return InboundMessage(message_id, wa_id, kind, text, _timestamp(message.get("timestamp")))


@lru_cache(maxsize=4)
def load_texts(path: Path = TEXTS_FILE) -> Dict[str, Dict[str, str]]:
    with open(path, encoding="utf-8") as f:
        return yaml.safe_load(f)


def channel_text(key: str, language: Optional[str], texts: Optional[Dict[str, Dict[str, str]]] = None,
                 **values: Any) -> str:
    texts = texts if texts is not None else load_texts()
    text = (texts.get(language or DEFAULT_LANGUAGE) or {}).get(key) or texts[DEFAULT_LANGUAGE][key]
    return text.format(**values) if values else text


def guess_language(text: str) -> Optional[str]:
    return "ar" if _ARABIC_SCRIPT.search(text or "") else None


# --- Output ---------------------------------------------------------------------------------------------

LanguageLookup = Callable[[], Awaitable[Optional[str]]]


class WhatsAppOutput(OutputChannel):
    """Sends bot messages through the Graph API; receives nothing.

    In a bot turn (`strict=False`) the user has just written, so the window is open, and a failed send is
    logged: the bot carries on. Through get_output_channel() (`strict=True`) nobody has just written: the
    window is checked first and failures are raised for the caller to report."""

    @classmethod
    def name(cls) -> Text:
        return "whatsapp"

    def __init__(self, client: GraphClient, store: Optional[WhatsAppStore] = None, strict: bool = False,
                 language_lookup: Optional[LanguageLookup] = None, log_key: str = "") -> None:
        self.client = client
        self.store = store
        self.strict = strict
        self._language_lookup = language_lookup
        self._language: Optional[str] = None
        self._log_key = log_key

    async def _language_of(self, text: str) -> str:
        if self._language is None and self._language_lookup is not None:
            self._language = await self._language_lookup() or ""
        return self._language or guess_language(text) or DEFAULT_LANGUAGE

    async def _last_inbound(self, recipient_id: str) -> Optional[datetime]:
        return await asyncio.to_thread(self.store.last_inbound, recipient_id) if self.store else None

    async def _check_window(self, recipient_id: str) -> None:
        if not self.strict or self.store is None:
            return
        last = await self._last_inbound(recipient_id)
        if last is None or utcnow() - last >= SERVICE_WINDOW:
            raise OutsideServiceWindow(last)

    async def _post(self, recipient_id: str, payload: Dict[str, Any]) -> Optional[Dict[str, Any]]:
        """Post one message: checked against the window (strict), retried by the client; failures logged
        without the phone number, and raised only in strict mode."""
        who, kind = pseudonym(recipient_id, self._log_key), payload.get("type")
        try:
            await self._check_window(recipient_id)
            return await self.client.post(payload)
        except OutsideServiceWindow as e:
            if e.last_inbound_at is None and self.store is not None:  # Meta's 131047: say since when
                e = OutsideServiceWindow(await self._last_inbound(recipient_id),
                                         f"(Graph API error {RE_ENGAGEMENT_ERROR})")
            logger.warning("WhatsApp %s message to %s not sent: %s", kind, who, e)
            if self.strict:
                raise e
        except WhatsAppDeliveryError as e:
            logger.error("WhatsApp %s message to %s failed: %s", kind, who, e)
            if self.strict:
                raise
        except Exception as e:
            logger.exception("WhatsApp %s message to %s failed.", kind, who)
            if self.strict:
                raise WhatsAppDeliveryError(f"Sending failed: {type(e).__name__}") from e
        return None

    async def send_message(self, recipient_id: Text, message: Dict[str, Any]) -> Optional[Dict[str, Any]]:
        """Post one WhatsApp message given without its envelope (messaging_product, to)."""
        return await self._post(recipient_id, envelope(recipient_id, message))

    async def send_text_message(self, recipient_id: Text, text: Text, **kwargs: Any) -> None:
        for part in split_text(text or ""):
            await self.send_message(recipient_id, text_message(part))

    async def send_text_with_buttons(self, recipient_id: Text, text: Text, buttons: List[Dict[str, Any]],
                                     **kwargs: Any) -> None:
        language = await self._language_of(text)
        for message in button_messages(text or "", buttons, channel_text("menu", language),
                                       channel_text("choose", language)):
            await self.send_message(recipient_id, message)

    async def send_quick_replies(self, recipient_id: Text, text: Text, quick_replies: List[Dict[str, Any]],
                                 **kwargs: Any) -> None:
        await self.send_text_with_buttons(recipient_id, text, quick_replies, **kwargs)

    async def send_image_url(self, recipient_id: Text, image: Text, **kwargs: Any) -> None:
        await self.send_message(recipient_id, {"type": "image", "image": {"link": image}})

    async def send_attachment(self, recipient_id: Text, attachment: Any, **kwargs: Any) -> None:
        """Rasa attachments have no fixed shape: a link is sent as text, anything else as its JSON."""
        if isinstance(attachment, dict):
            attachment = attachment.get("url") or attachment.get("link") or json.dumps(attachment)
        await self.send_text_message(recipient_id, str(attachment))

    async def send_custom_json(self, recipient_id: Text, json_message: Dict[str, Any], **kwargs: Any) -> None:
        """A WhatsApp message written by hand in a response (`custom:`): posted as it is, to this user. A custom
        message that is not a WhatsApp message (no `type`, e.g. the web widget's {"data": {"haven": ...}}) is
        not for this channel and is not sent."""
        if "type" not in json_message:
            logger.debug("Skipped a custom message that is not a WhatsApp message.")
            return
        message = {k: v for k, v in json_message.items() if k not in ("messaging_product", "to")}
        await self._post(recipient_id, {"messaging_product": "whatsapp", "to": recipient_id, **message})


# --- Input ----------------------------------------------------------------------------------------------

OnNewMessage = Callable[[UserMessage], Awaitable[Any]]


class WhatsAppInput(InputChannel):
    @classmethod
    def name(cls) -> Text:
        return "whatsapp"

    @classmethod
    def from_credentials(cls, credentials: Optional[Dict[Text, Any]]) -> "WhatsAppInput":
        """Every key is optional, so Rasa starts even when WhatsApp is not set up yet (the webhook then
        answers 503). A secret absent from credentials.yml is read from the WHATSAPP_* variable."""
        credentials = credentials or {}

        def value(key: str) -> str:
            found = credentials.get(key)
            if found is None and key in CREDENTIAL_ENV:
                found = os.environ.get(CREDENTIAL_ENV[key])
            return str(found).strip() if found is not None else ""

        defaults = RetryPolicy()
        policy = RetryPolicy(retries=int(credentials.get("retries", defaults.retries)),
                             base_delay=float(credentials.get("retry_base_delay", defaults.base_delay)),
                             max_delay=float(credentials.get("retry_max_delay", defaults.max_delay)),
                             timeout=float(credentials.get("timeout", defaults.timeout)))
        return cls(verify_token=value("verify_token"), app_secret=value("app_secret"),
                   access_token=value("access_token"), phone_number_id=value("phone_number_id"),
                   api_base_url=value("api_base_url") or DEFAULT_API_BASE_URL,
                   state_database_url=value("state_database_url") or None, retry_policy=policy)

    def __init__(self, verify_token: str = "", app_secret: str = "", access_token: str = "",
                 phone_number_id: str = "", api_base_url: str = DEFAULT_API_BASE_URL,
                 state_database_url: Optional[str] = None, retry_policy: RetryPolicy = RetryPolicy(),
                 max_message_chars: Optional[int] = None) -> None:
        self.verify_token = verify_token
        self.app_secret = app_secret
        self.phone_number_id = phone_number_id
        self.client = GraphClient(api_base_url, phone_number_id, access_token, retry_policy)
        self.store = WhatsAppStore(state_database_url)
        self.max_message_chars = max_message_chars or int(os.environ.get("HAVEN_MAX_MESSAGE_CHARS", "2000"))
        self._tasks: Set[asyncio.Task] = set()
        self._locks: Dict[str, Tuple[asyncio.Lock, int]] = {}
        settings = {"verify_token": verify_token, "app_secret": app_secret, "access_token": access_token,
                    "phone_number_id": phone_number_id}
        missing = [k for k, v in settings.items() if not v]
        if missing:
            logger.warning("WhatsApp channel: %s empty; the webhook answers 503 until they are set.",
                           ", ".join(missing))

    def who(self, wa_id: str) -> str:
        return pseudonym(wa_id, self.app_secret)

    def get_output_channel(self) -> OutputChannel:
        """For messages nobody is answering (Rasa's HTTP API, output_channel=latest): window enforced."""
        return WhatsAppOutput(self.client, self.store, strict=True, log_key=self.app_secret)

    def blueprint(self, on_new_message: OnNewMessage) -> Blueprint:
        webhook = Blueprint(f"custom_webhook_{type(self).__name__}", __name__)

        @webhook.route("/", methods=["GET"])
        async def health(request: Request) -> HTTPResponse:
            return response.json({"status": "ok"})

        @webhook.route("/webhook", methods=["GET"])
        async def verify(request: Request) -> HTTPResponse:
            if not self.verify_token:
                return response.text("WhatsApp channel not configured: verify_token is empty.", status=503)
            challenge = subscription_challenge({k: request.args.get(k) for k in request.args}, self.verify_token)
            if challenge is None:
                logger.warning("WhatsApp webhook verification refused (wrong mode or token).")
                return response.text("Verification failed.", status=403)
            return response.text(challenge)

        @webhook.route("/webhook", methods=["POST"])
        async def receive(request: Request) -> HTTPResponse:
            if not self.app_secret:
                return response.text("WhatsApp channel not configured: app_secret is empty, so signatures "
                                     "cannot be checked.", status=503)
            if not valid_signature(self.app_secret, request.body or b"", request.headers.get(SIGNATURE_HEADER)):
                logger.warning("WhatsApp webhook call with a missing or wrong signature refused.")
                return response.text("Invalid signature.", status=403)
            payload, problem = webhook_payload(request.body or b"")
            if problem is not None:
                logger.warning("Signed WhatsApp webhook call refused: %s", problem)  # never the body itself
                return response.text(problem, status=400)
            try:
                events = parse_webhook(payload, self.phone_number_id)
            except Exception as error:  # a shape parse_webhook did not foresee: refuse it whole, not a 500
                logger.warning("Signed WhatsApp webhook call with an unexpected shape refused (%s).",
                               type(error).__name__)
                return response.text("The body is not a WhatsApp webhook payload.", status=400)
            agent = getattr(request.app.ctx, "agent", None)
            for event in events:
                if isinstance(event, StatusUpdate):
                    self._log_status(event)
                else:
                    # Meta wants its 200 at once: the message is handled in the background.
                    self._spawn(self._handle(event, agent, on_new_message))
            return response.text("EVENT_RECEIVED")

        @webhook.listener("before_server_stop")
        async def finish(app: Any, loop: Any) -> None:
            await self.close()

        return webhook

    # --- Background work ---

    def _spawn(self, coroutine: Awaitable[None]) -> None:
        task = asyncio.ensure_future(coroutine)
        self._tasks.add(task)
        task.add_done_callback(self._task_done)

    def _task_done(self, task: asyncio.Task) -> None:
        self._tasks.discard(task)
        if not task.cancelled() and task.exception() is not None:
            logger.error("Handling a WhatsApp message failed.", exc_info=task.exception())

    async def wait_idle(self) -> None:
        """Until every message received so far has been handled (tests; shutdown)."""
        while self._tasks:
            await asyncio.gather(*list(self._tasks), return_exceptions=True)

    async def close(self, timeout: float = 10.0) -> None:
        try:
            await asyncio.wait_for(self.wait_idle(), timeout)
        except asyncio.TimeoutError:
            logger.warning("%d WhatsApp messages still being handled at shutdown.", len(self._tasks))
        await self.client.close()

    async def _handle(self, message: InboundMessage, agent: Any, on_new_message: OnNewMessage) -> None:
        """One conversation's messages are handled one at a time, in the order Meta sent them."""
        lock, users = self._locks.get(message.wa_id) or (asyncio.Lock(), 0)
        self._locks[message.wa_id] = (lock, users + 1)
        try:
            async with lock:
                await self._handle_once(message, agent, on_new_message)
        finally:
            lock, users = self._locks[message.wa_id]
            if users <= 1:
                del self._locks[message.wa_id]
            else:
                self._locks[message.wa_id] = (lock, users - 1)

    async def _handle_once(self, message: InboundMessage, agent: Any, on_new_message: OnNewMessage) -> None:
        who = self.who(message.wa_id)
        try:
            if not await asyncio.to_thread(self.store.claim, message.message_id):
                logger.info("WhatsApp message %s from %s was already handled; re-delivery ignored.",
                            message_ref(message.message_id, self.app_secret), who)
                return
        except Exception:  # better a rare double answer than silence
            logger.exception("Could not record WhatsApp message %s; handling it anyway.",
                             message_ref(message.message_id, self.app_secret))
        try:
            await asyncio.to_thread(self.store.record_inbound, message.wa_id, message.timestamp)
            await asyncio.to_thread(self.store.prune)
        except Exception:
            logger.exception("Could not record the time of %s's message.", who)

        async def language() -> Optional[str]:
            return await self._conversation_language(agent, message.wa_id)

        output = WhatsAppOutput(self.client, self.store, strict=False, language_lookup=language,
                                log_key=self.app_secret)
        if message.text is None:
            logger.info("WhatsApp %s message from %s is not supported; the user was told.", message.message_type, who)
            await output.send_text_message(message.wa_id, channel_text("unsupported", await language()))
            return
        if len(message.text) > self.max_message_chars:
            await output.send_response(message.wa_id, await self._too_long(agent, message.wa_id))
            return
        user_message = UserMessage(message.text, output, message.wa_id, input_channel=self.name(),
                                   message_id=message.message_id,
                                   metadata={"whatsapp": {"message_id": message.message_id,
                                                          "type": message.message_type}})
        try:
            await on_new_message(user_message)
        except Exception:
            logger.exception("Handling a WhatsApp message from %s failed.", who)
        if agent is not None:
            tracker = await guard.needs_apology(agent, message.wa_id, user_message.message_id)
            if tracker is not None:
                for apology in await guard.apology_messages(agent, tracker, self.name()):
                    await output.send_response(message.wa_id, apology)

    async def _conversation_language(self, agent: Any, wa_id: str) -> Optional[str]:
        """The `language` slot of the stored conversation, if any (one tracker-store read)."""
        tracker_store = getattr(agent, "tracker_store", None)
        if tracker_store is None:
            return None
        try:
            tracker = await tracker_store.retrieve(wa_id)
        except Exception:
            logger.exception("Could not read the conversation's language.")
            return None
        language = tracker.get_slot("language") if tracker is not None else None
        return language if isinstance(language, str) else None

    async def _too_long(self, agent: Any, wa_id: str) -> Dict[str, Any]:
        """The bot's own utter_message_too_long (as the other channels), without changing the conversation;
        the channel's text when there is no bot to ask."""
        nlg, domain = getattr(agent, "nlg", None), getattr(agent, "domain", None)
        if nlg is not None and domain is not None:
            from rasa.shared.core.trackers import DialogueStateTracker

            try:
                tracker = await agent.tracker_store.retrieve(wa_id) if agent.tracker_store else None
                tracker = tracker or DialogueStateTracker(wa_id, domain.slots)
                message = await nlg.generate("utter_message_too_long", tracker, self.name(),
                                             max_chars=self.max_message_chars)
                if message:
                    return copy.deepcopy(message)
            except Exception:
                logger.exception("utter_message_too_long failed; using the channel's text.")
        language = await self._conversation_language(agent, wa_id)
        return {"text": channel_text("too_long", language, max_chars=self.max_message_chars)}

    def _log_status(self, status: StatusUpdate) -> None:
        if status.status != "failed":
            return
        if RE_ENGAGEMENT_ERROR in status.error_codes:
            logger.warning("WhatsApp message %s not delivered: outside the 24-hour window.",
                           message_ref(status.message_id, self.app_secret))
        else:
            logger.warning("WhatsApp message %s not delivered (errors %s).",
                           message_ref(status.message_id, self.app_secret), list(status.error_codes))
