"""TED is asked for the next action only when no rule decides it.

Rasa runs every policy at every prediction (two or three a turn) and then keeps the most confident one, the
higher priority winning ties. When a rule applies, RulePolicy predicts its action with confidence 1.0 at
priority 6; TED (priority 1, at most 1.0) can never win against it, yet its transformer still ran: about 12 ms
of a 60 ms turn in a py-spy profile of Haven's Rasa process, most of it TensorFlow's per-call cost.

So the prediction graph is given one more edge: TED's prediction node receives RulePolicy's prediction
(`rules_first`, applied to a loaded model's graph in the Rasa process: `install()`, called by
scripts/serve_rasa.py like bot.rasa_speedups), and `RulesFirstTEDPolicy` returns "no opinion" without running
its model when a rule has decided. The action chosen is the same as before (tests/unit/test_rules_first.py):
only a prediction that could not win is skipped. Loaded without the edge (an `Agent` in a test or a script),
the policy is exactly Rasa's TEDPolicy."""
from __future__ import annotations

from typing import Any, Dict, List, Optional, Text, Type

from rasa.core.policies.policy import PolicyPrediction
from rasa.core.policies.rule_policy import RulePolicy
from rasa.core.policies.ted_policy import TEDPolicy
from rasa.engine import loader
from rasa.engine.graph import GraphSchema
from rasa.engine.recipes.default_recipe import DefaultV1Recipe
from rasa.engine.runner.interface import GraphRunner
from rasa.shared.core.domain import Domain
from rasa.shared.core.trackers import DialogueStateTracker

#: The parameter of TED's prediction that receives RulePolicy's prediction.
RULE_INPUT = "rule_prediction"
PREDICT = "predict_action_probabilities"
#: RulePolicy's confidence for an action a rule decided (its core fallback is below: core_fallback_threshold).
RULE_CONFIDENCE = 1.0

_original_load_predict_graph_runner = loader.load_predict_graph_runner
_installed = False


def decided_by_rule(prediction: Optional[PolicyPrediction]) -> bool:
    """A rule (or a form's happy path, or a Rasa default action) decided the next action."""
    return prediction is not None and prediction.max_confidence >= RULE_CONFIDENCE


@DefaultV1Recipe.register(DefaultV1Recipe.ComponentType.POLICY_WITH_END_TO_END_SUPPORT, is_trainable=True)
class RulesFirstTEDPolicy(TEDPolicy):
    """Rasa's TEDPolicy, which does not run its model when a rule has already decided the next action."""

    def predict_action_probabilities(self, tracker: DialogueStateTracker, domain: Domain,
                                     rule_only_data: Optional[Dict[Text, Any]] = None,
                                     **kwargs: Any) -> PolicyPrediction:
        if decided_by_rule(kwargs.pop(RULE_INPUT, None)):
            return self._prediction(self._default_predictions(domain))
        return super().predict_action_probabilities(tracker, domain, rule_only_data, **kwargs)


def _prediction_nodes(schema: GraphSchema, policy: Type[Any]) -> List[Text]:
    return [name for name, node in schema.nodes.items()
            if node.fn == PREDICT and isinstance(node.uses, type) and issubclass(node.uses, policy)]


def rules_first(schema: GraphSchema) -> GraphSchema:
    """Give RulesFirstTEDPolicy's prediction node RulePolicy's prediction (in place; the schema is returned).
    A graph without exactly one of each is left as it is."""
    rules, teds = _prediction_nodes(schema, RulePolicy), _prediction_nodes(schema, RulesFirstTEDPolicy)
    if len(rules) == 1 and len(teds) == 1:
        schema.nodes[teds[0]].needs[RULE_INPUT] = rules[0]
    return schema


def _load_predict_graph_runner(storage_path: Any, model_archive_path: Any, model_storage_class: Any,
                               graph_runner_class: Type[GraphRunner]) -> Any:
    """Rasa's loader, with `rules_first` applied to the graph before the runner is built from it."""

    class RulesFirstRunner(graph_runner_class):  # type: ignore[valid-type,misc]
        @classmethod
        def create(cls, graph_schema: GraphSchema, *args: Any, **kwargs: Any) -> GraphRunner:
            return graph_runner_class.create(rules_first(graph_schema), *args, **kwargs)

    return _original_load_predict_graph_runner(storage_path, model_archive_path, model_storage_class,
                                               RulesFirstRunner)


def install() -> None:
    """Apply `rules_first` to every model this process loads (once per process)."""
    global _installed
    if not _installed:
        loader.load_predict_graph_runner = _load_predict_graph_runner
        _installed = True
