"""Rasa checks every action server response against its JSON schema, as it should, but with
`jsonschema.validate`, which first validates the (large) schema itself against the JSON-Schema meta-schema
and builds a new validator: on every action call. Under load that was about 30 % of the Rasa process's CPU.

`install()` (called by scripts.serve_rasa before Rasa starts) replaces RemoteAction's check with the same
check by a validator built and checked once: the same schema, the same error chosen (`best_match`, as
`jsonschema.validate` does), the same message."""
from __future__ import annotations

from functools import lru_cache
from typing import Any, Dict, Text

from jsonschema import ValidationError
from jsonschema.exceptions import best_match
from jsonschema.validators import validator_for
from rasa.core.actions.action import RemoteAction
from rasa.shared.constants import DOCS_BASE_URL

_ORIGINAL = RemoteAction._validate_action_result


@lru_cache(maxsize=1)
def compiled_validator() -> Any:
    schema = RemoteAction.action_response_format_spec()
    validator_class = validator_for(schema)
    validator_class.check_schema(schema)
    return validator_class(schema)


def validate_action_result(self: RemoteAction, result: Dict[Text, Any]) -> bool:
    """RemoteAction._validate_action_result with the validator compiled once."""
    error = best_match(compiled_validator().iter_errors(result))
    if error is None:
        return True
    error.message += (
        f". Failed to validate Action server response from API, "
        f"make sure your response from the Action endpoint is valid. "
        f"For more information about the format visit "
        f"{DOCS_BASE_URL}/custom-actions"
    )
    raise error


def install() -> None:
    compiled_validator()
    RemoteAction._validate_action_result = validate_action_result  # type: ignore[method-assign]


def uninstall() -> None:
    RemoteAction._validate_action_result = _ORIGINAL  # type: ignore[method-assign]


__all__ = ["ValidationError", "compiled_validator", "install", "uninstall", "validate_action_result"]
