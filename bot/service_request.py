"""A message that names a need is a request for it, whatever it is wrapped in.

"Bonjour, j'ai besoin d'un abri, je dors dehors depuis 3 jours", "بدي مساعدة قانونية بعمان", "salam, ana fi
benghazi w 3ayez doctor": the classifier, torn between a greeting and a need, is not sure enough and the message
would get "say it in other words", the greeting menu or a guess. After the fallback classifier:

* a message that names a kind of help (a shelter, legal aid, an embassy) the entity extractor found, and that
  the classifier took for a greeting, an unclear message or a guess it is not sure of, is a search for it;
* an unclear message whose best guess, once greetings and small talk are set aside, is a need (a doctor, food,
  going home...) with at least NEED_FLOOR confidence is that need (an unclear follow-up on centres just shown,
  "عندهم نمرة؟", is then read as a question about them by bot/follow_up_policy.py, which knows what was shown);
* a greeting or an unclear message that says the person wants to go back, in the questionnaire's own answer
  words (`options.wants_return` in data/directory/form_questions.yml: "dair arga3", "nebi nraja3", "il veut
  rentrer"), is a request to go back.

Safety intents are never changed here (bot/safety_components.py decides those before)."""
from __future__ import annotations

from typing import Any, Dict, List, Optional, Text

from rasa.engine.graph import ExecutionContext, GraphComponent
from rasa.engine.recipes.default_recipe import DefaultV1Recipe
from rasa.engine.storage.resource import Resource
from rasa.engine.storage.storage import ModelStorage
from rasa.shared.constants import DEFAULT_NLU_FALLBACK_INTENT_NAME as NLU_FALLBACK
from rasa.shared.nlu.constants import ENTITIES, INTENT, INTENT_RANKING_KEY, TEXT
from rasa.shared.nlu.training_data.message import Message
from rasa.shared.nlu.training_data.training_data import TrainingData

SEARCH_INTENT = "find_support_center"
#: "and my embassy?" after centres were shown names a new kind of help: a new search, not a detail.
FOLLOW_UP_INTENT = "ask_centre_details"
SERVICE_ENTITY = "service_type"
#: Intents that say nothing of what the person needs.
WRAPPING_INTENTS = {NLU_FALLBACK, "greet", "out_of_scope", "thank", "goodbye", "inform", "affirm", "deny",
                    "ask_capabilities"}
#: Needs a wrapped message may be taken for.
NEEDS = {"find_support_center", "ask_health", "ask_cash_assistance", "request_return", "ask_return_steps",
         "ask_wage_recovery", "request_human", "lost_documents", "ask_evacuation", "ask_family_tracing",
         "ask_visa_status", "ask_reintegration"}
#: A named service overrules a guess below this confidence.
SURE = 0.6
#: A need set free from its wrapping must still be this likely.
NEED_FLOOR = 0.15
#: Never changed: the safety rules and the classifier's safety intents decide them.
SAFETY_INTENTS = {"emergency", "report_exploitation", "fear_of_return", "forget_me", "ask_privacy"}
RETURN_INTENT = "request_return"
#: Help after a return; a person who says they want to go back is not back yet (unless the classifier is sure).
REINTEGRATION_INTENT = "ask_reintegration"
WAGES_INTENT = "ask_wage_recovery"
#: Intents a stated wish to go back overrules ("inform": facts given without a question, "jsui a sfax ... jveu
#: rentré a conakry"; inside a questionnaire the form still reads the answer in the words).
UNCLEAR_INTENTS = {NLU_FALLBACK, "greet", "out_of_scope", "inform"}


def states_return_wish(text: str, unless_conditional: bool = False) -> bool:
    """The message says, in the questionnaire's answer words and not negated, that someone wants to go back;
    with `unless_conditional`, not when it says so only as a condition ("if i go back home, can i still get my
    salary?"). The words are the directory's (editors change them without training); unreadable directory: no."""
    from sqlalchemy.exc import SQLAlchemyError

    from actions.answers import match_options, own_answer
    from actions.directory import queries
    from actions.directory.session import open_session

    try:
        with open_session() as session:
            words = queries.form_options(session, "wants_return")
            negations = queries.form_options(session, "yes_no").get("negation", ())
            conditions = queries.form_options(session, "conditional") if unless_conditional else {}
    except SQLAlchemyError:
        return False
    if conditions and match_options(text, conditions, names_are_keywords=False):
        return False
    return own_answer(text, words, negations) is True


def names_service(entities: Optional[List[Dict[str, Any]]]) -> bool:
    return any(e.get("entity") == SERVICE_ENTITY for e in entities or [])


def unwrapped_need(intent: Dict[str, Any], ranking: List[Dict[str, Any]],
                   entities: Optional[List[Dict[str, Any]]], text: str = "") -> Optional[Dict[str, Any]]:
    """The intent the message should be taken as, or None to leave it as the classifier said."""
    name, confidence = (intent or {}).get("name"), (intent or {}).get("confidence") or 0.0
    if name in SAFETY_INTENTS:
        return None
    unsure_after_return = name == REINTEGRATION_INTENT and confidence < SURE  # "i want go back to addis"
    if (name in UNCLEAR_INTENTS | {WAGES_INTENT} or unsure_after_return) and text and \
            states_return_wish(text, unless_conditional=name == WAGES_INTENT):
        # "salam ana sudani fi el gahira dair arga3", unpaid wages and going home in one message: the return
        # questions come first (whether the person has left decides the wage avenues too); the wages are
        # offered with the result.
        found = next((r.get("confidence") for r in ranking if r.get("name") == RETURN_INTENT), 0.0)
        return {"name": RETURN_INTENT, "confidence": found}
    wage_place = name == WAGES_INTENT and any(e.get("entity") == "city" for e in entities or [])
    if names_service(entities) and name != SEARCH_INTENT and (name in WRAPPING_INTENTS or confidence < SURE
                                                              or name == FOLLOW_UP_INTENT or wage_place):
        # ... and a wage question that names a service in a town ("i need lawyer in tripoli, agency take my
        # money") asks where to go; without a town ("can a lawyer get my salary back?") it stays a wage question.
        found = next((r.get("confidence") for r in ranking if r.get("name") == SEARCH_INTENT), 0.0)
        return {"name": SEARCH_INTENT, "confidence": found}
    if name != NLU_FALLBACK:
        return None
    guesses = [r for r in ranking if r.get("name") not in WRAPPING_INTENTS]
    if guesses and guesses[0].get("name") in NEEDS and (guesses[0].get("confidence") or 0.0) >= NEED_FLOOR:
        return {"name": guesses[0]["name"], "confidence": guesses[0]["confidence"]}
    return None


@DefaultV1Recipe.register(DefaultV1Recipe.ComponentType.INTENT_CLASSIFIER, is_trainable=False)
class ServiceRequestDetector(GraphComponent):
    """Takes a greeting or an unclear message that names a need as a request for it."""

    @classmethod
    def create(cls, config: Dict[Text, Any], model_storage: ModelStorage, resource: Resource,
               execution_context: ExecutionContext) -> "ServiceRequestDetector":
        return cls()

    def process(self, messages: List[Message]) -> List[Message]:
        for message in messages:
            need = unwrapped_need(message.get(INTENT), message.get(INTENT_RANKING_KEY) or [], message.get(ENTITIES),
                                  message.get(TEXT) or "")
            if need is not None:
                message.set(INTENT, need, add_to_output=True)
        return messages

    def process_training_data(self, training_data: TrainingData) -> TrainingData:
        return training_data
