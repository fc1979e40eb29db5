"""Names a librarian would accept (issue 14): no role words, fragments or doubles among the
persons and organizations a document names, principals found, demonyms linked but not published.

Texts are invented in the shapes of the archive's pages (participant lists, copy lists,
telegram headers in capitals, editors' brackets, letter-spaced signatures, lines wrapped
mid-word); the names are real historical ones.
"""

from __future__ import annotations

import importlib.util
import sys
from pathlib import Path

import pytest

from lod.link.names import given_names_agree, name_parts
from lod.model import ORGANIZATION, PERSON, PLACE, Entity
from lod.read.fields import funders_from_credit
from test_link import link, linked_text, qids, record

ROOT = Path(__file__).resolve().parents[1]
KHRUSHCHEV, MOLOTOV, HONECKER, TITO, BREZHNEV = "Q35314", "Q132899", "Q2607", "Q9161", "Q765165"
KIM_IL_SUNG, JAPAN, USA, MOSCOW, FRANCE, DPRK, SOUTH_KOREA = "Q41117", "Q17", "Q30", "Q649", "Q142", "Q423", "Q884"


def people(rec) -> list[Entity]:
    return [e for e in rec.mentions if e.kind == PERSON]


def names(rec, kind: str = PERSON) -> set[str]:
    return {e.name for e in rec.mentions if e.kind == kind}


def printed_and_alternates(rec) -> set[str]:
    return {n for e in rec.mentions for n in (e.name, e.printed, *e.alternates)}


# --- role words ---------------------------------------------------------------------------------

@pytest.mark.parametrize("text", [
    "The plan was approved by the General Staff of the Soviet Army.",
    "He was received at the Consulate General in Shenyang.",
    "Ambassador Heads of the fraternal embassies were present.",
    "Present: Ambassador Extraordinaire and Plenipotentiary of the DPRK.",
    "Comrade Cde. was not named in the note.",
])
def test_a_role_word_is_never_a_person(tmp_path, text):
    assert not people(linked_text(tmp_path, text, "1960"))


@pytest.mark.parametrize("text, expected", [
    ("Copy No 1 to Cde. Stalin Copy No 2 to Cde. Molotov Copy No 3 to Cde. Bulganin", {"Bulganin"}),
    ("Present: Ambassador Sokolov Head of the Consular Department, and Cde. Petrov Interpreter.",
     {"Sokolov", "Petrov"}),
    ("Record of Chairman Liu Zhidan Meeting with the delegation.", {"Liu Zhidan"}),
    ("Dr. Robert T. Oliver wrote to the President.", {"Robert T. Oliver"}),
])
def test_role_words_and_ranks_are_trimmed_from_names(tmp_path, text, expected):
    found = names(linked_text(tmp_path, text, "1953"))
    assert expected <= found
    assert not {n for n in found if {"Copy", "Head", "Interpreter", "Meeting", "Dr.", "Ambassador"} & set(n.split())}


@pytest.mark.parametrize("text", [
    "I. Questions discussed during the official meetings",
    "[U.S. National Security Adviser] arrived in Beijing.",
    "Ambassador Stanis?aw Kiryluk arrived from Beijing.",
])
def test_headings_abbreviations_and_damaged_names_make_no_person(tmp_path, text):
    found = names(linked_text(tmp_path, text, "1971"))
    assert not found & {"I. Questions", "U.S. National", "Stanis", "Questions"}, found


# --- names cut short, glued or broken ----------------------------------------------------------------

def test_a_name_wrapped_at_a_line_end_is_one_name(tmp_path):
    rec = linked_text(tmp_path, "The talks with Comrade Kim Il\nSung lasted two hours.", "1960")
    assert KIM_IL_SUNG in qids(rec)
    assert names(rec) == {"Kim Il Sung"}


@pytest.mark.parametrize("text, qid", [
    ("A letter from Nikita S. Khrushchev to the Presidium.", KHRUSHCHEV),
    ("Copy to Cde. Vyach. M. Molotov for his information.", MOLOTOV),
])
def test_a_given_name_before_initials_belongs_to_the_name(tmp_path, text, qid):
    rec = linked_text(tmp_path, text, "1953")
    assert qid in qids(rec)
    assert not names(rec) & {"S. Khrushchev", "M. Molotov", "V. Molotov"}


def test_a_word_hyphenated_at_a_line_end_is_closed_up(tmp_path):
    assert KHRUSHCHEV in qids(linked_text(tmp_path, "In his reply Comrade Khru-\nshchev said no.", "1960"))


@pytest.mark.parametrize("text, printed", [
    ("Talks of [Leonid] Brezhnev and the Romanian delegation.", "Leonid Brezhnev"),
    ("Cde. [Zhou] Enlai arrived.", "Zhou Enlai"),
])
def test_an_editors_bracket_left_open_is_dropped(tmp_path, text, printed):
    rec = linked_text(tmp_path, text, "1970")
    assert printed in {e.printed for e in rec.mentions}
    assert not any("[" in n or "]" in n for n in printed_and_alternates(rec))


def test_a_name_over_a_line_break_is_printed_on_one_line(tmp_path):
    rec = linked_text(tmp_path, "A letter to the Central Committee\nof the CPSU was sent.", "1960")
    assert all("\n" not in n for n in printed_and_alternates(rec))
    assert "Q1971373" in qids(rec)


def test_a_gloss_keeps_its_brackets_in_print_but_is_no_alternate_name(tmp_path):
    rec = linked_text(tmp_path, "To Comrade Filippov [Stalin] from Mao Zedong.", "1950")
    (stalin,) = [e for e in rec.mentions if e.qid == "Q855"]
    assert stalin.printed == "Filippov [Stalin]" and not stalin.alternates


def test_a_country_named_ambiguously_stays_a_place(tmp_path):
    rec = linked_text(tmp_path, "The Republic of Korea and the DPRK both claim Korea.", "1960")
    korea = [e for e in rec.mentions if e.name == "Korea"]
    assert korea and all(e.kind == PLACE and e.qid is None for e in korea)


# --- one node per person ---------------------------------------------------------------------------

@pytest.mark.parametrize("text, qid", [
    ("Cde. J. Tito received the delegation. Tito said that Yugoslavia would help.", TITO),
    ("[Leonid] Brezhnev spoke first. Then Comrade Leonid spoke of the plan.", BREZHNEV),
])
def test_a_short_form_joins_the_linked_person(tmp_path, text, qid):
    rec = linked_text(tmp_path, text, "1970")
    assert [e.qid for e in people(rec)] == [qid]


def test_a_surname_and_initials_join_the_full_name_of_an_unknown_person(tmp_path):
    text = ("Present: Andrei Andreyevich Gromyko, Minister. Cde. A. A. Gromyko said ... "
            "Then Comrade Gromyko left.")
    rec = linked_text(tmp_path, text, "1960")
    assert len(people(rec)) == 1


def test_a_surname_shared_by_two_people_of_the_document_joins_neither(tmp_path):
    text = "Present: Kim Tu-bong and Kim Chang-man. Comrade Kim said that the plenum was over."
    assert {"Kim", "Kim Tu-bong", "Kim Chang-man"} <= names(linked_text(tmp_path, text, "1956"))


def test_two_different_given_names_stay_two_people(tmp_path):
    rec = linked_text(tmp_path, "Cde. Sergei Khrushchev and Cde. N. S. Khrushchev met.", "1960")
    assert [e.qid for e in people(rec)].count(KHRUSHCHEV) == 1 and len(people(rec)) == 2


@pytest.mark.parametrize("short, full, agree", [
    (("a", "a"), ("andrei", "andreyevich"), True),
    (("vyach", "m"), ("vyacheslav", "mikhailovich"), True),
    (("yu", "v"), ("yuri", "vladimirovich"), True),
    (("s",), ("nikita", "sergeyevich"), False),
    (("sergei",), ("nikita",), False),
])
def test_given_names_agree_by_initial_or_abbreviation(short, full, agree):
    assert given_names_agree(short, full) is agree


def test_family_names_printed_first_unless_initials_follow():
    assert name_parts("Choe Sang-muk") == ("choe", ("sang muk",))
    assert name_parts("Yu. V. Andropov") == ("andropov", ("yu", "v"))


# --- principals and initials -------------------------------------------------------------------------

@pytest.mark.parametrize("title, expected", [
    ("Record of Conversation between Kim Tu-bong and Pak Chang-ok", {"Kim Tu-bong", "Pak Chang-ok"}),
    ("Memorandum of Conversation with KIM Jong-pil", {"Kim Jong-pil"}),
    ("Participants: Ri Ju-yeon, Choe Yong-geon, Nam Il", {"Ri Ju-yeon", "Choe Yong-geon"}),
])
def test_romanized_names_in_titles_and_participant_lists_are_principals(tmp_path, title, expected):
    rec = link(record(tmp_path, title, original_publication_date="1961"))
    assert expected <= names(rec)


def test_he_at_a_sentence_start_is_no_family_name(tmp_path):
    assert not people(linked_text(tmp_path, "He Long-term plans were discussed.", "1961"))


@pytest.mark.parametrize("text, qid", [
    ("E. Honecker received the delegation.", HONECKER),
    ("The report was signed by N. Khrushchev.", KHRUSHCHEV),
])
def test_an_initial_with_a_surname_links_the_one_verified_person_it_fits(tmp_path, text, qid):
    assert qid in qids(linked_text(tmp_path, text, "1960"))


def test_an_initial_that_contradicts_links_nothing(tmp_path):
    assert KHRUSHCHEV not in qids(linked_text(tmp_path, "S. Khrushchev visited the plant.", "1960"))


# --- demonyms and weak links ------------------------------------------------------------------------

@pytest.mark.parametrize("text, date, qid", [
    ("The Japanese delegation arrived in Pyongyang.", "1958", JAPAN),
    ("American planes bombed the area.", "1951", USA),
    ("The North Korean side refused.", "1968", DPRK),
    ("South Korean units withdrew.", "1950", SOUTH_KOREA),
])
def test_demonyms_link_their_state(tmp_path, text, date, qid):
    assert qid in qids(linked_text(tmp_path, text, date))


def test_a_demonym_is_no_alternate_name_and_no_context(tmp_path):
    rec = linked_text(tmp_path, "The French and South Korean delegates spoke of Korea.", "1955")
    assert FRANCE in qids(rec)
    assert not {"French", "South Korean"} & {a for e in rec.mentions for a in e.alternates}
    assert SOUTH_KOREA not in {e.qid for e in rec.mentions if e.printed == "Korea"}


def test_an_abbreviation_keeps_its_last_dot(tmp_path):
    rec = linked_text(tmp_path, "The U.S. side insisted.", "1971")
    (usa,) = [e for e in rec.mentions if e.qid == USA]
    assert usa.printed == "U.S."


@pytest.mark.parametrize("text, qid", [
    ("TO THE MOSCOW CITY COMMITTEE OF THE CPSU", MOSCOW),
    ("The loan of 10 million US dollars was approved.", USA),
    ("The Latin American parties sent greetings.", USA),
])
def test_a_place_inside_a_body_currency_or_region_name_is_not_linked(tmp_path, text, qid):
    assert qid not in qids(linked_text(tmp_path, text, "1961"))


# --- funders ----------------------------------------------------------------------------------------

@pytest.mark.parametrize("credit, expected", [
    ("This record was made possible with support from the MacArthur Foundation and the Leon Levy "
     "Foundation. Original language: Russian Contents: English translation",
     ["MacArthur Foundation", "Leon Levy Foundation"]),
    ("This record was made possible with support from Leon Levy Foundation, the History and Public "
     "Policy Program welcomes reuse of", ["Leon Levy Foundation"]),
])
def test_a_credit_ends_at_its_sentence(credit, expected):
    assert funders_from_credit(credit) == expected


def test_a_block_that_names_no_body_is_no_funder(tmp_path):
    rec = link(record(tmp_path, "A document", donors=["Leon Levy Foundation", "Meeting Minutes", "Original"]))
    assert [e.name for e in rec.funders] == ["Leon Levy Foundation"]
    assert all(e.kind == ORGANIZATION for e in rec.funders)


# --- the judge ----------------------------------------------------------------------------------------

def _junk_names():
    spec = importlib.util.spec_from_file_location("junk_names", ROOT / "benchmarks" / "junk_names.py")
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module  # dataclasses look their module up
    spec.loader.exec_module(module)
    return module


junk_names = _junk_names()


@pytest.mark.parametrize("rule", junk_names.RULES, ids=lambda rule: rule.name)
def test_each_junk_rule_fires_on_its_example(rule):
    assert rule.check(*rule.example)


@pytest.mark.parametrize("name, kind", [
    ("Kim Il Sung", "person"), ("Choe Chang-ik", "person"), ("A. A. Gromyko", "person"),
    ("Robert T. Oliver", "person"), ("Charles de Gaulle", "person"), ("Yu. V. Andropov", "person"),
    ("Workers' Party of Korea", "organization"), ("Socialist Unity Party of Germany", "organization"),
    ("ROK Ministry of Unification", "organization"), ("Korean Peninsula", "place"), ("U.S.", "place"),
    ("Filippov", "person"),
])
def test_clean_names_break_no_junk_rule(name, kind):
    assert junk_names.broken_rules(name, kind) == []


def test_same_person_twice_needs_exactly_one_fuller_name():
    found = junk_names.same_person_twice([("a", "Tito"), ("b", "J. Tito"), ("c", "Kim"),
                                          ("d", "Kim Il Sung"), ("e", "Kim Jong Il"), ("f", "Leonid"),
                                          ("g", "Leonid Brezhnev")])
    assert {name for _, name in found} == {"Tito", "Leonid"}
