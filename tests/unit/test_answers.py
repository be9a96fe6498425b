from actions.answers import match_option, vulnerabilities_from
from actions.directory import queries


def test_situation_keywords(session):
    options = queries.form_options(session, "situation")
    assert match_option("I have no papers", options) == "irregular"
    assert match_option("i lost my job because of the war", options) == "lost_job"
    assert match_option("my asylum was rejected", options) == "rejected_asylum"
    assert match_option("banana", options) is None


def test_vulnerabilities_can_be_several_none_or_skipped(session):
    options = queries.form_options(session, "vulnerabilities")
    assert vulnerabilities_from("I'm pregnant and sick", options) == ["illness", "pregnancy"]
    assert vulnerabilities_from("skip", options) == ["skipped"]
    assert vulnerabilities_from("none", options) == ["none"]
    assert vulnerabilities_from("purple", options) is None


def test_still_in_country_typed_answers_in_every_language(session):
    options = queries.form_options(session, "still_in_country")
    left = ["no, I left already, I am back home now", "i'm not there anymore", "I went home last month",
            "non je suis déjà rentré au pays", "j'ai quitté la Libye", "je suis de retour chez moi",
            "لا خلاص رجعت بلدي", "طلعت من البلد الشهر الفات", "ما عدت هناك"]
    staying = ["yes I'm still there", "I didn't leave", "oui je suis toujours à Tripoli", "je ne suis pas parti",
               "لسه هنا في بنغازي", "ما طلعتش"]
    assert [match_option(text, options) for text in left] == ["no"] * len(left)
    assert [match_option(text, options) for text in staying] == ["yes"] * len(staying)
    assert match_option("banana", options) is None
