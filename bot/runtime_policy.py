"""A policy that learns nothing from the stories: it decides from data read at run time (the safety rules, the
languages), above the learnt policies. Haven's SafetyPolicy and LanguagePolicy share this much."""
from __future__ import annotations

from typing import Any, Dict, List, Optional, Text

from rasa.core.policies.policy import Policy
from rasa.engine.storage.resource import Resource
from rasa.shared.core.domain import Domain
from rasa.shared.core.generator import TrackerWithCachedStates

#: Above RulePolicy (6): what these policies predict outranks what the stories taught.
RUNTIME_POLICY_PRIORITY = 7


class RuntimePolicy(Policy):
    """Nothing to train and nothing stored in the model; subclasses predict from the tracker alone."""

    @staticmethod
    def get_default_config() -> Dict[Text, Any]:
        return {"priority": RUNTIME_POLICY_PRIORITY}

    def train(self, training_trackers: List[TrackerWithCachedStates], domain: Domain,
              **kwargs: Any) -> Resource:
        return self._resource

    def _metadata(self) -> Dict[Text, Any]:
        return {}

    @classmethod
    def _metadata_filename(cls) -> Optional[Text]:
        return None
