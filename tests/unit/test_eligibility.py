from actions.directory import queries
from actions.eligibility import Verdict, assess_all, outcome, questions_still_needed

ORDER = ["host_country", "wants_return", "fears_persecution", "lacks_means", "situation", "vulnerabilities",
         "origin_country"]


def answers(**given):
    base = {f: None for f in ORDER}
    base.update(given)
    return base


def complete(**overrides):
    values = dict(host_country="LY", wants_return=True, fears_persecution=False, lacks_means=True,
                  situation="stranded", vulnerabilities=["none"], origin_country="ML")
    values.update(overrides)
    return answers(**values)


def test_stranded_migrant_without_means_is_eligible_for_assisted_return(session):
    result = outcome(queries.programmes(session), complete())
    assert [a.programme.id for a in result.eligible] == ["avrr"]
    assert "you cannot pay for the journey yourself" in result.eligible[0].reasons_met
    assert not result.refer_asylum


def test_vulnerable_migrant_also_gets_enhanced_assistance(session):
    result = outcome(queries.programmes(session), complete(situation="student", vulnerabilities=["pregnancy"]))
    assert {a.programme.id for a in result.eligible} == {"avrr", "avrr-enhanced"}


def test_rejected_asylum_seeker_is_eligible(session):
    result = outcome(queries.programmes(session), complete(situation="rejected_asylum"))
    assert [a.programme.id for a in result.eligible] == ["avrr"]


def test_someone_who_can_pay_is_not_eligible_and_told_why(session):
    result = outcome(queries.programmes(session), complete(lacks_means=False))
    assert result.eligible == []
    assert any("lack the means" in r for a in result.not_eligible for r in a.reasons_unmet)


def test_student_without_vulnerability_is_not_eligible(session):
    result = outcome(queries.programmes(session), complete(situation="student", vulnerabilities=["skipped"]))
    assert result.eligible == []


def test_fear_of_persecution_refers_to_asylum_and_never_to_return(session):
    programmes = queries.programmes(session)
    partial = answers(host_country="LY", wants_return=True, fears_persecution=True)
    assert questions_still_needed(programmes, partial, ORDER) == []
    result = outcome(programmes, partial)
    assert result.refer_asylum and result.eligible == []


def test_form_asks_only_what_is_still_needed_in_order(session):
    programmes = queries.programmes(session)
    assert questions_still_needed(programmes, answers(), ORDER) == ORDER
    assert questions_still_needed(programmes, answers(host_country="EG", wants_return=True), ORDER)[0] == \
        "fears_persecution"


def test_form_stops_when_the_person_does_not_want_to_return(session):
    programmes = queries.programmes(session)
    assert questions_still_needed(programmes, answers(host_country="LY", wants_return=False), ORDER) == []


def test_form_skips_vulnerability_question_when_situation_already_qualifies_only_for_enhanced(session):
    programmes = queries.programmes(session)
    asked = questions_still_needed(programmes, complete(vulnerabilities=None, origin_country=None), ORDER)
    # Enhanced assistance still depends on vulnerabilities, so it is asked, and it stays optional (skip).
    assert asked == ["vulnerabilities", "origin_country"]


def test_fear_is_asked_even_when_no_programme_fits(session):
    # "I can pay my own ticket": no programme fits, but someone going home may still be walking into harm
    programmes = queries.programmes(session)
    can_pay = answers(host_country="LY", wants_return=True, lacks_means=False)
    assert questions_still_needed(programmes, can_pay, ORDER) == ["fears_persecution"]
    assert questions_still_needed(programmes, {**can_pay, "fears_persecution": False}, ORDER) == []


def test_unanswered_programme_is_undecided(session):
    verdicts = {a.programme.id: a.verdict for a in assess_all(queries.programmes(session), answers())}
    assert set(verdicts.values()) == {Verdict.UNDECIDED}


def test_form_slots_keep_answered_questions_so_they_are_validated(session):
    from actions.eligibility import form_slots

    programmes = queries.programmes(session)
    assert form_slots(programmes, answers(host_country="LY"), ORDER) == ORDER
    stopped = form_slots(programmes, answers(host_country="LY", wants_return=True, fears_persecution=True), ORDER)
    assert stopped == ["host_country", "wants_return", "fears_persecution"]
