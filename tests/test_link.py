"""The offline linker (``lod.link.offline_linker``): mentions, the authority table, the traps.

Records are built the way an export builds them (``lod.read`` on a small JSON Lines line in
the archive's field names, or on a page), then linked. Every QID below is one that
``vocab/authorities.tsv`` carries on a verified row; none is written from memory.

Tests marked ``xfail(strict=True)`` pin down known bugs: they flip (and fail the run) once
the linker is fixed, so the marker can be removed.
"""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest

import lod.link
from lod.link.authority import AuthorityIndex, load_index, read_rows
from lod.model import ORGANIZATION, PERSON, PLACE, Entity, Record
from lod.read import read_file
from lod.vocab import SAMPLES_DIR, vocab_path

SHARED = Path(__file__).resolve().parents[2] / "shared"
SEED = SAMPLES_DIR / "seed-record.txt"
QID = re.compile(r"Q[1-9]\d*")

# QIDs of verified rows in vocab/authorities.tsv
KIM_IL_SUNG, STALIN, KHRUSHCHEV, FIDEL_CASTRO, SATO = "Q41117", "Q855", "Q35314", "Q11256", "Q179871"
WOODROW_WILSON = "Q34296"
CPSU, CPSU_CC, CPSU_POLITBURO = "Q79854", "Q1971373", "Q842008"
CCP, CCP_CC, SED = "Q17427", "Q50963", "Q49750"
WPK_POLITBURO, WPK_GENERAL_SECRETARY, DPRK_PREMIER = "Q7210127", "Q707631", "Q7240364"
DPRK, KOREA = "Q423", "Q18097"
PRC, CHINA_ITEM, TAIWAN_ROC, TAIWAN_ISLAND = "Q148", "Q29520", "Q865", "Q22502"
USSR, RUSSIA, USA = "Q15180", "Q159", "Q30"
IRELAND, IRELAND_ISLAND, UK, GREAT_BRITAIN_ISLAND = "Q27", "Q22890", "Q145", "Q23666"
GERMANY, WEST_GERMANY, BERLIN = "Q183", "Q713750", "Q64"
MOSCOW = "Q649"

def bug(reason: str):
    """A known bug: the test fails on an assertion until the linker is fixed, then must be unmarked."""
    return pytest.mark.xfail(strict=True, raises=AssertionError, reason=reason)


#: near-miss items that must never be linked for the names they are traps for
NEAR_MISSES = {KOREA, CHINA_ITEM, TAIWAN_ISLAND, IRELAND_ISLAND, GREAT_BRITAIN_ISLAND, WOODROW_WILSON,
               WPK_POLITBURO, WPK_GENERAL_SECRETARY, DPRK_PREMIER}


# --- helpers -------------------------------------------------------------------------------

def read_one(path: Path) -> Record:
    (record,) = list(read_file(str(path)))
    assert isinstance(record, Record), record
    return record


def record(tmp_path: Path, title: str = "A document", **fields) -> Record:
    """One record from a JSON Lines line in the archive's field names."""
    path = tmp_path / f"record-{len(list(tmp_path.glob('record-*.jsonl')))}.jsonl"
    path.write_text(json.dumps({"title": title, **fields}, ensure_ascii=False) + "\n", encoding="utf-8")
    return read_one(path)


def text_record(tmp_path: Path, text: str, date: str | None = None, **fields) -> Record:
    if date:
        fields["original_publication_date"] = date
    return record(tmp_path, text_body=text, **fields)


def link(rec: Record) -> Record:
    return lod.link.offline_linker()(rec)


def qids(rec: Record) -> set[str]:
    return {e.qid for _, e in rec.entities() if e.qid}


def linked_text(tmp_path: Path, text: str, date: str | None = None, **fields) -> Record:
    return link(text_record(tmp_path, text, date, **fields))


def named(rec: Record, name: str) -> list[tuple[str, Entity]]:
    return [(role, e) for role, e in rec.entities() if e.name == name]


@pytest.fixture(scope="module")
def seed() -> Record:
    return link(read_one(SEED))


# --- the seed ----------------------------------------------------------------------------------

def test_seed_links_exactly_the_verified_names(seed):
    assert {KIM_IL_SUNG, CPSU_CC, DPRK, USSR} <= qids(seed)
    # 'Chinese' (ambassador) is the PRC; nothing else in the seed has a verified item
    assert qids(seed) == {KIM_IL_SUNG, CPSU_CC, DPRK, USSR, PRC}
    assert not qids(seed) & NEAR_MISSES


@pytest.mark.parametrize("label", [
    "Vasily Ivanovich Ivanov", "I. Vinogradov", "Peng Dehuai",
    "Workers' Party of Korea", "Central Committee of the Workers' Party of Korea",
])
def test_seed_unverified_names_are_entities_without_qid(seed, label):
    found = named(seed, label)
    assert found, f"{label} is not an entity of the seed"
    for role, entity in found:
        assert entity.qid is None
        assert entity.key and entity.link is not None
        assert entity.link.status == "unverified" and entity.link.qid is None


def test_seed_bare_unverified_surname_stays_in_its_document(seed):
    """'cde. Mikoyan' alone: no QID, and no claim to be the table's (unverified) Anastas Mikoyan."""
    (mikoyan,) = [e for _, e in seed.entities() if e.printed == "Mikoyan"]
    assert mikoyan.qid is None and mikoyan.link.status == "unknown"
    assert mikoyan.key.startswith("#")  # an IRI inside the document


def test_seed_mentions_come_from_text_and_not_from_the_rights_text(seed):
    assert {e.kind for e in seed.mentions} <= {PERSON, ORGANIZATION, PLACE}
    names = {e.name for _, e in seed.entities()}
    assert "History and Public Policy Program" not in names
    assert "Woodrow Wilson International Center for Scholars" not in names
    # the funder line names the foundation as a funder, not as a mention
    assert [e.name for e in seed.funders] == ["Leon Levy Foundation"]
    assert "Leon Levy Foundation" not in {e.name for e in seed.mentions}


# --- KWP: never the Politburo or an office -------------------------------------------------------

@pytest.mark.parametrize("text", [
    "The leadership of the KWP considers it pointless.",
    "the decree of the KWP CC September Plenum",
    "Chairman of the KWP CC Kim Il Sung received the delegation.",
    "The General Secretary of the WPK and the Premier of the DPRK Cabinet met.",
    "KWP",
])
def test_kwp_never_links_to_politburo_or_offices(tmp_path, text):
    linked = linked_text(tmp_path, text, "October 15, 1956")
    assert not qids(linked) & {WPK_POLITBURO, WPK_GENERAL_SECRETARY, DPRK_PREMIER}
    for _, entity in linked.entities():
        if entity.name in ("Workers' Party of Korea", "Central Committee of the Workers' Party of Korea"):
            assert entity.qid is None


def test_kwp_in_structured_fields_stays_unverified(tmp_path):
    linked = link(record(tmp_path, associated_people_orgs=["KWP", "Workers' Party of Korea", "KWP CC"],
                         original_publication_date="1956"))
    assert not qids(linked)
    assert {e.link.status for e in linked.associated} == {"unverified"}


# --- near-miss traps ---------------------------------------------------------------------------------

@pytest.mark.parametrize("text, date, expected", [
    # Korea: the DPRK only by context, never the item 'Korea'
    ("The Democratic People's Republic of Korea. A telegram to the ambassador in Korea.",
     "October 15, 1956", {DPRK}),
    ("A draft of the telegram to the ambassador in Korea is attached.", "October 15, 1956", set()),
    ("The situation in Korea is tense.", "1956", set()),
    # China: the PRC from October 1949, the item 'China' before; a year that spans both links neither
    ("China will send grain.", "November 1967", {PRC}),
    ("China will send grain.", "April 1949", {CHINA_ITEM}),
    ("China will send grain.", "September 1949", {CHINA_ITEM}),
    ("China will send grain.", "October 1949", {PRC}),
    ("China will send grain.", "1949", set()),
    # Taiwan is the ROC state, not the island
    ("The status of Taiwan was discussed.", "1967", {TAIWAN_ROC}),
    # Ireland and Great Britain are the states, not the islands
    ("Ireland will vote for the resolution.", "1958", {IRELAND}),
    ("Great Britain will vote for the resolution.", "1958", {UK}),
    # Russia is the Russian Federation: nothing in 1956, Q159 in 1997; the USSR no longer exists in 1997
    ("Russia will not agree.", "October 15, 1956", set()),
    ("Russia will not agree.", "1997", {RUSSIA}),
    ("The USSR will not agree.", "1997", set()),
    ("The USSR will not agree.", "1956", {USSR}),
    # Germany: unified Germany in 1997, West Germany between 1949 and 1990
    ("Germany will not agree.", "1997", {GERMANY}),
    ("Germany will not agree.", "October 15, 1956", {WEST_GERMANY}),
])
def test_near_miss_traps_in_text(tmp_path, text, date, expected):
    linked = linked_text(tmp_path, text, date)
    assert qids(linked) == expected
    assert not qids(linked) & (NEAR_MISSES - expected)


def test_korea_resolves_to_the_dprk_named_in_a_structured_field(tmp_path):
    linked = linked_text(tmp_path, "The ambassador in Korea reported.", "1956",
                         associated_places=["Democratic People's Republic of Korea"])
    assert qids(linked) == {DPRK}


def test_china_is_never_both_items(tmp_path):
    for date in ("April 1949", "1949", "November 1967"):
        assert len(qids(linked_text(tmp_path, "China and the Chinese side.", date)) & {PRC, CHINA_ITEM}) <= 1


@pytest.mark.parametrize("place, date, expected", [
    ("Taiwan", "1967", TAIWAN_ROC),
    ("Ireland", "1958", IRELAND),
    ("Great Britain", "1958", UK),
    ("China", "1967", PRC),
    ("China", "April 1949", CHINA_ITEM),
    ("Germany", "1997", GERMANY),
])
def test_near_miss_traps_in_the_places_field(tmp_path, place, date, expected):
    linked = link(record(tmp_path, associated_places=[place], original_publication_date=date))
    assert [e.qid for e in linked.places] == [expected]


@pytest.mark.parametrize("name", [
    "Wilson Center", "The Wilson Center", "Woodrow Wilson International Center for Scholars",
    "WOODROW WILSON INTERNATIONAL CENTER FOR SCHOLARS",
])
def test_wilson_center_is_never_woodrow_wilson(tmp_path, name):
    linked = linked_text(tmp_path, f"Obtained by the {name} and translated.", "1997",
                         donors=[name], original_archive_title=[name], associated_people_orgs=[name])
    assert WOODROW_WILSON not in qids(linked)
    assert not qids(linked)  # the Center itself is unverified


@pytest.mark.parametrize("text, person", [
    ("Published by the Woodrow Wilson Center.", WOODROW_WILSON),
    ("Published by the Woodrow Wilson International Center in Washington.", WOODROW_WILSON),
    ("Published by the Woodrow Wilson Center for Scholars.", WOODROW_WILSON),
    ("Students of Kim Il Sung University met the delegation.", KIM_IL_SUNG),
])
def test_person_name_inside_an_organization_name_links_no_person(tmp_path, text, person):
    assert person not in qids(linked_text(tmp_path, text, "1997"))


@pytest.mark.parametrize("text", [
    "Mikoyan arrived.", "cde. Mikoyan arrived.", "A. I. Mikoyan arrived.", "A.I. Mikoyan arrived.",
    "Anastas Mikoyan arrived.", "Artem Mikoyan designed the aircraft.", "MIKOYAN",
])
def test_mikoyan_never_gets_a_qid(tmp_path, text):
    linked = linked_text(tmp_path, text, "1956", associated_people_orgs=["Mikoyan, Anastas"])
    assert not qids(linked)


# --- surnames ------------------------------------------------------------------------------------

def test_bare_surname_unique_in_the_table_links(tmp_path):
    linked = linked_text(tmp_path, "Khrushchev said that the matter was closed.", "1960")
    assert qids(linked) == {KHRUSHCHEV}
    (entity,) = linked.mentions
    assert entity.link.status == "linked"


def test_bare_surname_shared_in_the_table_links_nothing_but_stays_an_entity(tmp_path):
    linked = linked_text(tmp_path, "Castro said that the matter was closed.", "1962")
    assert not qids(linked)
    (entity,) = linked.mentions
    assert entity.printed == "Castro" and entity.key
    assert entity.link.status == "ambiguous" and entity.link.qid is None
    assert set(entity.link.candidates) == {"Q11256", "Q46809"}  # Fidel and Raúl, both in the table


def test_bare_surname_links_when_the_document_names_the_person_in_full(tmp_path):
    linked = linked_text(tmp_path, "Fidel Castro arrived on Monday. Later Castro spoke.", "1962")
    assert qids(linked) == {FIDEL_CASTRO}
    assert all(e.qid == FIDEL_CASTRO for _, e in linked.entities())
    # and in a structured field, with the full name in the text
    linked = linked_text(tmp_path, "Fidel Castro spoke.", "1962", associated_people_orgs=["Castro"])
    (castro,) = linked.associated
    assert castro.qid == FIDEL_CASTRO and castro.link.method == "authority:in-context"


def test_bare_given_or_family_name_kim_links_nothing(tmp_path):
    linked = linked_text(tmp_path, "Kim said that the matter was closed.", "1956")
    assert not qids(linked)


def test_initials_that_contradict_the_table_link_nothing(tmp_path):
    linked = linked_text(tmp_path, "S. Khrushchev said that his father was ill.", "1990")
    assert KHRUSHCHEV not in qids(linked)


# --- kind must agree ---------------------------------------------------------------------------

def test_person_name_in_a_place_field_never_links(tmp_path):
    linked = link(record(tmp_path, associated_places=["Kim Il Sung"], original_publication_date="1956"))
    (place,) = linked.places
    assert place.qid is None and place.kind == PLACE and place.key


def test_place_name_in_an_authors_field_never_links(tmp_path):
    linked = link(record(tmp_path, authors=["Moscow"], original_publication_date="1956"))
    (author,) = linked.authors
    assert author.qid is None and author.key
    assert MOSCOW not in qids(linked)


# --- forms of names ------------------------------------------------------------------------------

@pytest.mark.parametrize("text, expected", [
    ("He had a discussion with Cde. Kim Il Sung on 8 October.", KIM_IL_SUNG),
    ("Comrade Kim Il Sung received the ambassador.", KIM_IL_SUNG),
    ("Today at 16:00 KIM IL SUNG invited me.", KIM_IL_SUNG),
    ("To Cde. N. S. Khrushchev", KHRUSHCHEV),
    ("Comrade N.S. Khrushchev replied.", KHRUSHCHEV),
    ("Please give instructions.\nS T A L I N", STALIN),
    ("To Comrade Filippov [Stalin]", STALIN),
    ("He asked me to transmit to Comrade Feng Xi (Stalin) the request.", STALIN),
])
def test_honorifics_initials_capitals_and_glosses(tmp_path, text, expected):
    assert qids(linked_text(tmp_path, text, "1950")) == {expected}


def test_plural_honorific_names_every_person(tmp_path):
    linked = linked_text(tmp_path, "There was no agreement with comrades Mikoyan and Peng Dehuai about it.",
                         "1956")
    names = {e.name: e for e in linked.mentions}
    assert {"Mikoyan", "Peng Dehuai"} <= set(names)
    assert all(e.qid is None for e in names.values())
    assert names["Peng Dehuai"].link.status == "unverified" and names["Mikoyan"].link.status == "unknown"


def test_initials_with_unverified_person(tmp_path):
    linked = linked_text(tmp_path, "Ciphered telegram from A.I. Mikoyan to the CPSU CC.", "1956")
    (mikoyan,) = [e for e in linked.mentions if e.kind == PERSON]
    assert mikoyan.name == "Anastas Mikoyan" and mikoyan.qid is None
    assert qids(linked) == {CPSU_CC}


def test_inverted_name_in_associated_people(tmp_path):
    linked = link(record(tmp_path, associated_people_orgs=["Satō, Eisaku"],
                         original_publication_date="1967"))
    (sato,) = linked.associated
    assert sato.qid == SATO and sato.printed == "Satō, Eisaku" and sato.name == "Eisaku Satō"


@pytest.mark.parametrize("text, printed", [
    ("To Comrade Filippov [Stalin] from Mao.", "Filippov [Stalin]"),
    ("To Comrade Feng Xi (Stalin) from Shtykov.", "Feng Xi (Stalin)"),
])
def test_gloss_is_printed_with_both_brackets(tmp_path, printed, text):
    linked = linked_text(tmp_path, text, "1950")
    assert printed in {e.printed for e in linked.mentions}


@pytest.mark.parametrize("text, expected", [
    ("Report on Kim Il Sung's rejection to publish the decree.", KIM_IL_SUNG),
    ("In Stalin's time we were offered joint companies.", STALIN),
    ("During Khrushchev’s visit the question was raised.", KHRUSHCHEV),
])
def test_possessive_names(tmp_path, text, expected):
    assert expected in qids(linked_text(tmp_path, text, "1958"))


def test_hyphenated_pair_of_demonyms(tmp_path):
    linked = linked_text(tmp_path, "the absence of Soviet-Chinese unity of action", "1965")
    assert {USSR, PRC} <= qids(linked)


# --- abbreviations -------------------------------------------------------------------------------

@pytest.mark.parametrize("text, expected", [
    ("The CPSU CC agrees with the proposal.", CPSU_CC),
    ("The CCP will send a delegation.", CCP),
    ("The SED will send a delegation.", SED),
    ("The Presidium of the CPSU CC decided.", CPSU_POLITBURO),
])
def test_organization_abbreviations(tmp_path, text, expected):
    assert qids(linked_text(tmp_path, text, "1960")) == {expected}


@pytest.mark.parametrize("text, wrong", [
    ("The CCP Central Committee discussed your request.", CCP),
    ("The SED Central Committee discussed your request.", SED),
    ("The SED Politburo decided.", SED),
    ("The CPSU Politburo decided.", CPSU),
    ("To the CPSU CC Presidium.", CPSU_CC),
])
def test_party_abbreviation_before_an_organ_word(tmp_path, text, wrong):
    assert wrong not in qids(linked_text(tmp_path, text, "1961"))


def test_west_berlin_is_not_berlin(tmp_path):
    assert BERLIN not in qids(linked_text(tmp_path, "Measures against West Berlin", "1961"))


@pytest.mark.parametrize("text", [
    "PLEASE LET US KNOW YOUR OPINION BY TELEGRAM",
    "IT IS NECESSARY TO LET US KNOW",
    "Please let us know your opinion.",
])
def test_all_capitals_telegram_line_does_not_link_the_usa(tmp_path, text):
    assert USA not in qids(linked_text(tmp_path, text, "1960"))


def test_us_printed_as_an_abbreviation_links(tmp_path):
    linked = linked_text(tmp_path, "PLEASE LET US KNOW.\nThe US will agree after the new US president "
                                   "takes office.", "1960")
    assert qids(linked) == {USA}


# --- rights boilerplate ----------------------------------------------------------------------------

def test_rights_text_is_not_scanned(tmp_path):
    rights = ("The History and Public Policy Program welcomes reuse of Digital Archive materials for "
              "research and educational purposes. Some documents may be subject to copyright, which is "
              "retained by the rights holders in accordance with US and international copyright laws. "
              "To enquire about this document's rights status, please contact the History and Public "
              "Policy Program at HAPP@wilsoncenter.org.")
    linked = link(record(tmp_path, rights=rights, text_body="Nothing to see.",
                         original_publication_date="1997"))
    assert not list(linked.entities())


# --- role by source -------------------------------------------------------------------------------

def test_role_by_source(tmp_path):
    linked = link(record(
        tmp_path,
        original_publication_date="1956",
        authors=["Kim Il Sung"],
        document_contributors=["Mao Zedong"],
        associated_people_orgs=["Communist Party of the Soviet Union"],
        associated_places=["Moscow"],
        original_archive_title=["Archive of Foreign Policy of the Russian Federation"],
        donors=["Leon Levy Foundation"],
        text_body="Kim Il Sung met Mao Zedong in Moscow, where Walter Ulbricht waited for the CPSU.",
    ))
    assert [e.qid for e in linked.authors] == [KIM_IL_SUNG]
    assert [e.qid for e in linked.contributors] == ["Q5816"]
    assert [e.qid for e in linked.associated] == [CPSU]
    assert [e.qid for e in linked.places] == [MOSCOW]
    assert [e.name for e in linked.archives] == ["Archive of Foreign Policy of the Russian Federation"]
    assert [e.name for e in linked.funders] == ["Leon Levy Foundation"]
    # only the name no structured field holds is a mention; the others are not repeated
    assert [e.qid for e in linked.mentions] == ["Q2628"]
    keys = [e.key for _, e in linked.entities()]
    assert len(keys) == len(set(keys))


# --- entities for what is not linked ----------------------------------------------------------------

def test_unknown_ambiguous_and_unverified_names_are_entities(tmp_path):
    linked = linked_text(tmp_path, "Cde. Zorin met Castro and Ambassador Ivanov.", "1962",
                         associated_people_orgs=["Ponomarev, Boris"])
    by_printed = {e.printed: e for _, e in linked.entities()}
    expected = {"Zorin": "unknown", "Castro": "ambiguous", "Ambassador Ivanov": "unverified",
                "Ponomarev, Boris": "unknown"}
    assert set(expected) <= set(by_printed)
    for printed, status in expected.items():
        entity = by_printed[printed]
        assert entity.link is not None and entity.link.status == status
        assert entity.qid is None and entity.link.qid is None
        assert entity.key  # an IRI of its own
    assert not qids(linked)


# --- determinism ------------------------------------------------------------------------------

def test_linking_is_deterministic(tmp_path):
    rec = read_one(SEED)
    first = lod.link.offline_linker()(rec)
    assert first == lod.link.offline_linker()(rec)
    assert first == link(rec)
    other = text_record(tmp_path, "Fidel Castro met Castro, Kim Il Sung and Cde. Zorin in Moscow.", "1962")
    assert link(other) == link(other)


# --- the authority table -------------------------------------------------------------------------

def table_rows() -> list[dict[str, str]]:
    return read_rows(vocab_path("authorities.tsv"))


def test_packaged_table_loads():
    index = load_index()
    assert index.entries
    assert [a.qid for a in index.by_name["kim il sung"]] == [KIM_IL_SUNG]


def test_every_qid_in_the_table_is_well_formed():
    for row in table_rows():
        qid = (row.get("qid") or "").strip()
        assert not qid or QID.fullmatch(qid), row


def test_every_qid_in_the_table_is_verified_in_the_shared_table():
    shared = SHARED / "wikidata" / "authorities.tsv"
    if not shared.exists():
        pytest.skip("shared/wikidata/authorities.tsv is not here")
    verified = {row["qid"].strip() for row in read_rows(shared)
                if (row.get("confidence") or "").strip() == "verified" and (row.get("qid") or "").strip()}
    ours = {(row.get("qid") or "").strip() for row in table_rows()} - {""}
    assert ours <= verified, sorted(ours - verified)


def test_one_label_with_two_qids_is_refused():
    rows = [
        {"label": "China", "kind": "Place", "qid": PRC, "aliases": "China"},
        {"label": "China", "kind": "Place", "qid": CHINA_ITEM, "aliases": "Chine"},
    ]
    with pytest.raises(ValueError):
        AuthorityIndex(rows)


def test_rows_with_one_label_and_one_qid_are_one_entity():
    rows = [
        {"label": "Germany", "kind": "Place", "qid": GERMANY, "aliases": "Germany", "until": "1949-05"},
        {"label": "Germany", "kind": "Place", "qid": GERMANY, "aliases": "Deutschland", "from": "1990-10"},
    ]
    index = AuthorityIndex(rows)
    (entry,) = index.entries.values()
    assert entry.qid == GERMANY and set(entry.aliases) == {"Germany", "Deutschland"}
    assert len(entry.periods) == 2
