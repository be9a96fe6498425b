"""WhatsApp webhook bodies shaped as Meta documents them (Cloud API, `messages` field), for every test."""
from __future__ import annotations

from typing import Any, Dict, Iterable


def webhook(*messages: Dict[str, Any], wa_id: str, phone_number_id: str, statuses: Iterable[dict] = (),
            name: str = "Amina") -> Dict[str, Any]:
    value: Dict[str, Any] = {"messaging_product": "whatsapp",
                             "metadata": {"display_phone_number": "15550001111", "phone_number_id": phone_number_id},
                             "contacts": [{"profile": {"name": name}, "wa_id": wa_id}]}
    if messages:
        value["messages"] = list(messages)
    statuses = list(statuses)
    if statuses:
        value["statuses"] = statuses
    return {"object": "whatsapp_business_account",
            "entry": [{"id": "WABA_ID", "changes": [{"value": value, "field": "messages"}]}]}
