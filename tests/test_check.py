"""``lod check --for europeana|dpla|dcat-ap``: each rule can fail, tiers follow Europeana's thresholds."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from lod.cli import main
from lod.errors import ConfigError
from conftest import document_file
from lod.publish import layout
from lod.publish.check import check, rights_class
from lod.serialize import edm
from lod.terms import literal
from lod.vocab import DC, DCMITYPE, DCTERMS, EDM, ORE, OWL, RDF, SKOS

BASE = "http://archive.example.org/id/"
CHO = f"{BASE}document/a-letter"
AGGREGATION = f"{CHO}#aggregation"
PERSON, PLACE, CONCEPT, BROADER = f"{BASE}person/p", f"{BASE}place/q", f"{BASE}concept/a-b", f"{BASE}concept/a"
INC_EDU = "http://rightsstatements.org/vocab/InC-EDU/1.0/"


def record(drop: tuple = (), add: tuple = ()) -> set:
    """A complete record of lod's shape (what the edm profile writes), less ``drop``, plus ``add``."""
    triples = {
        (CHO, str(RDF.type), str(EDM.ProvidedCHO)), (CHO, str(DC.title), literal("A letter", "en")),
        (CHO, str(DC.description), literal("What it says.", "en")), (CHO, str(DC.creator), PERSON),
        (CHO, str(DC.subject), CONCEPT), (CHO, str(DC.type), str(DCMITYPE.Text)),
        (CHO, str(DC.language), literal("ru")), (CHO, str(DC.identifier), literal("100")),
        (CHO, str(DC.source), literal("An archive, fond 1.", "en")), (CHO, str(DCTERMS.created), literal("1956-10-15")),
        (CHO, str(DCTERMS.spatial), PLACE), (CHO, str(EDM.type), literal("TEXT")),
        (PERSON, str(RDF.type), str(EDM.Agent)), (PERSON, str(SKOS.prefLabel), literal("P", "en")),
        (PERSON, str(OWL.sameAs), "http://www.wikidata.org/entity/Q1"),
        (PLACE, str(RDF.type), str(EDM.Place)), (PLACE, str(SKOS.prefLabel), literal("Q", "en")),
        (CONCEPT, str(RDF.type), str(SKOS.Concept)), (CONCEPT, str(SKOS.prefLabel), literal("A--B", "en")),
        (CONCEPT, str(SKOS.broader), BROADER),
        (BROADER, str(RDF.type), str(SKOS.Concept)), (BROADER, str(SKOS.prefLabel), literal("A", "en")),
        (AGGREGATION, str(RDF.type), str(ORE.Aggregation)), (AGGREGATION, str(EDM.aggregatedCHO), CHO),
        (AGGREGATION, str(EDM.dataProvider), literal("An Archive")), (AGGREGATION, str(EDM.provider), literal("An Archive")),
        (AGGREGATION, str(EDM.isShownAt), "https://archive.example.org/document/a-letter"),
        (AGGREGATION, str(DC.rights), literal("Reuse for research and education.", "en")),
        (AGGREGATION, str(EDM.rights), INC_EDU),
    }
    return (triples - {t for t in triples if t[:2] in drop or t in drop}) | set(add)


def export(folder: Path, *records: set) -> Path:
    for number, triples in enumerate(records):
        write_edm(folder, f"r{number}", edm.serialize(triples, CHO))
    return folder


def write_edm(folder: Path, key: str, xml: str) -> None:
    path = document_file(folder, key, ".edm.xml")
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(xml, encoding="utf-8")


def name(key: str) -> str:
    """How the check names a record's EDM file."""
    return f"documents/{layout.document_file(key, '.edm.xml')}"


def reasons(report, level: str = "rejected") -> list[str]:
    return [f.reason.split(" (")[0] for c in report.checked for f in c.findings if f.level == level]


def test_a_complete_record_is_accepted_at_metadata_tier_b_and_content_tier_1(tmp_path):
    report = check(export(tmp_path, record()), "europeana")
    (checked,) = report.checked
    assert reasons(report) == [] and report.status == 0
    assert reasons(report, "downgraded") == ["no media"]
    assert (checked.tiers["metadata"], checked.tiers["content"]) == ("B", "1")
    assert checked.tiers["metadata_rule"].startswith("contextual classes: 1 kind of entity qualifies (skos:Concept")
    assert "an edm:Agent needs a date" in checked.tiers["metadata_rule"]
    assert checked.tiers["content_rule"] == "TEXT with a landing page and no media"
    assert "not run: Europeana's EDM.xsd and Schematron" in report.summary()


@pytest.mark.parametrize("drop, reason", [
    (((CHO, str(DC.language)),), "no language"),
    (((AGGREGATION, str(EDM.isShownAt)),), "no landing page"),
    (((AGGREGATION, str(EDM.rights)),), "no rights statement"),
    (((AGGREGATION, str(EDM.dataProvider)),), "no edm:dataProvider"),
    (((AGGREGATION, str(EDM.provider)),), "no edm:provider"),
    (((CHO, str(DC.title)), (CHO, str(DC.description))), "no title"),
    (((CHO, str(DC.type)), (CHO, str(DC.subject)), (CHO, str(DCTERMS.spatial))), "no subject, type, place or period"),
    (((CHO, str(EDM.type)),), "no edm:type"),
])
def test_each_rejection_names_its_reason(tmp_path, drop, reason):
    report = check(export(tmp_path, record(drop)), "europeana")
    assert reason in reasons(report) and report.status == 1


def test_rights_statements_europeana_does_not_take(tmp_path):
    wrong = record(((AGGREGATION, str(EDM.rights)),), ((AGGREGATION, str(EDM.rights),
                                                       "https://rightsstatements.org/vocab/InC-EDU/1.0/"),))
    assert "rights statement https://rightsstatements.org/vocab/InC-EDU/1.0/ is not one Europeana accepts" \
        in reasons(check(export(tmp_path, wrong), "europeana"))
    assert rights_class(INC_EDU) == "restricted"
    assert rights_class("http://creativecommons.org/licenses/by/4.0/") == "open"
    assert rights_class("http://creativecommons.org/publicdomain/zero/1.0/") == "open"
    assert rights_class("http://creativecommons.org/licenses/by-nc/3.0/de/") == "restricted"
    assert rights_class("http://rightsstatements.org/vocab/InC/1.0/") == "closed"
    assert rights_class("http://creativecommons.org/licenses/by/4.0/de/") is None  # 4.0 has no ports
    assert rights_class("http://rightsstatements.org/vocab/UND/1.0/") is None


def _tier(tmp_path: Path, triples: set) -> tuple[str, str]:
    (checked,) = check(export(tmp_path, triples), "europeana").checked
    return checked.tiers["metadata"], checked.tiers["metadata_rule"]


def test_contextual_classes_decide_c_when_two_kinds_qualify(tmp_path):
    # lod knows no coordinates, so its writer writes none: a place with them is added to its output
    wgs84 = 'xmlns:wgs84_pos="http://www.w3.org/2003/01/geo/wgs84_pos#"'
    xml = edm.serialize(record(), CHO).replace(
        '<skos:prefLabel xml:lang="en">Q</skos:prefLabel>',
        f'<skos:prefLabel xml:lang="en">Q</skos:prefLabel><wgs84_pos:lat {wgs84}>40.0</wgs84_pos:lat>'
        f'<wgs84_pos:long {wgs84}>116.4</wgs84_pos:long>')
    write_edm(tmp_path, "r", xml)
    (checked,) = check(tmp_path, "europeana").checked
    assert checked.tiers["metadata"] == "C"
    assert "contextual classes: 2 kinds of entity qualify (edm:Place, skos:Concept" in checked.tiers["metadata_rule"]


def test_contextual_classes_give_a_without_a_qualifying_entity(tmp_path):
    tier, rule = _tier(tmp_path, record(((CONCEPT, str(SKOS.broader)),)))
    assert tier == "A" and rule.startswith("contextual classes: 0 kinds")


def test_language_tags_below_a_quarter_give_tier_0_and_a_rejection(tmp_path):
    untagged = record(((CHO, str(DC.title)), (CHO, str(DC.description)), (CHO, str(DC.source)),
                       (CHO, str(DC.subject)), (CHO, str(DCTERMS.spatial))),
                      ((CHO, str(DC.title), literal("A letter")), (CHO, str(DC.source), literal("An archive"))))
    tier, rule = _tier(tmp_path, untagged)
    assert tier == "0" and rule.startswith("language: 0 of 3 kinds of property")
    assert "metadata tier 0" in reasons(check(tmp_path, "europeana"))


@pytest.mark.parametrize("keep, expected", [
    ((), "5 in 4 groups: C"),  # the subject counts for its concept's group
    (("type",), "1 in 1 groups: A"),
    (("type", "created"), "2 in 2 groups: A"),  # below B's three elements
    (("type", "created", "creator"), "3 in 3 groups: B"),
    (("type", "created", "creator", "subject"), "4 in 3 groups: C"),  # type and subject: one group
])
def test_enabling_elements(tmp_path, keep, expected):
    properties = {"type": str(DC.type), "created": str(DCTERMS.created), "creator": str(DC.creator),
                  "subject": str(DC.subject), "spatial": str(DCTERMS.spatial)}
    drop = tuple((CHO, p) for name, p in properties.items() if keep and name not in keep)
    _, rule = _tier(tmp_path, record(drop))
    assert f"enabling elements: {expected}" in rule


def test_content_tier_with_media_is_capped_by_the_rights_statement(tmp_path):
    with_media = record(add=((AGGREGATION, str(EDM.isShownBy), "https://archive.example.org/a-letter.pdf"),))
    (checked,) = check(export(tmp_path, with_media), "europeana").checked
    assert checked.tiers["content"] == "1-3" and "restricted reuse" in checked.tiers["content_rule"]
    assert "no media" not in reasons(check(tmp_path, "europeana"), "downgraded")


def test_dpla(tmp_path):
    text_only = record(((AGGREGATION, str(EDM.rights)), (CHO, str(DC.language))))
    bare = record(((AGGREGATION, str(EDM.isShownAt)), (AGGREGATION, str(EDM.rights)), (AGGREGATION, str(DC.rights)),
                   (AGGREGATION, str(EDM.dataProvider)), (CHO, str(DC.title))))
    report = check(export(tmp_path, record(), text_only, bare), "dpla")
    by_file = {c.file: ([f.reason.split(" (")[0] for f in c.findings if f.level == "rejected"],
                        [f.reason.split(" (")[0] for f in c.findings if f.level == "downgraded"])
               for c in report.checked}
    assert by_file[name("r0")] == ([], ["no media"])
    assert by_file[name("r1")] == ([], ["rights as text only", "no media", "no language"])
    assert by_file[name("r2")][0] == ["no title", "no data provider", "no landing page", "no rights"]
    assert report.status == 1 and "1 would be rejected" in report.summary()


def test_the_command(tmp_path, capsys):
    folder = export(tmp_path / "good", record())
    assert main(["check", "--for", "europeana", str(folder), "--report", str(tmp_path / "r.json")]) == 0
    out = capsys.readouterr().out.splitlines()
    assert out[-1].startswith("lod check --for europeana: 1 record, 0 would be rejected")
    assert out[0].startswith(f"{name('r0')}: downgraded: no media")
    saved = json.loads((tmp_path / "r.json").read_text(encoding="utf-8"))
    assert saved["checked"] == 1 and saved["records"][0]["tiers"]["metadata"] == "B"
    bad = export(tmp_path / "bad", record(((CHO, str(DC.language)),)))
    assert main(["check", "--for", "europeana", str(bad)]) == 1
    (tmp_path / "plain" / "documents").mkdir(parents=True)
    assert main(["check", "--for", "dpla", str(tmp_path / "plain")]) == 2  # an export without EDM
    assert "--formats" in capsys.readouterr().err
    with pytest.raises(ConfigError):
        check(tmp_path / "plain", "dcat-ap")  # no dataset description


def test_dcat_ap_needs_semics_shapes(tmp_path, sample_export, capsys):
    """Without the shapes nothing can be said (exit 2); with them every result is a finding."""
    assert main(["check", "--for", "dcat-ap", str(sample_export.out)]) == 2
    assert "not run: DCAT-AP 3.0.1 shapes" in capsys.readouterr().out


def test_dcat_ap_with_the_shapes(sample_export, aggregator_files):
    report = check(sample_export.out, "dcat-ap", aggregator_files)
    (checked,) = report.checked
    assert checked.file == "void.ttl" and report.official
    assert all(line.startswith("void.ttl: ") for line in report.lines())
    levels = [f.level for f in checked.findings]
    assert report.status == (1 if "rejected" in levels else 0)
    assert report.summary() == (f"lod check --for dcat-ap: void.ttl: {levels.count('rejected')} violations (rejected), "
                                f"{levels.count('downgraded')} warnings (downgraded)")


def test_europeanas_files_agree_with_lods_rules(tmp_path, aggregator_files, europeana_files):
    """Each record lod rejects fails EDM.xsd or the Schematron too, and the complete one passes both."""
    cases = [record()] + [record(drop) for drop in (
        ((CHO, str(DC.language)),), ((AGGREGATION, str(EDM.isShownAt)),), ((AGGREGATION, str(EDM.rights)),),
        ((AGGREGATION, str(EDM.dataProvider)),), ((AGGREGATION, str(EDM.provider)),),
        ((CHO, str(DC.title)), (CHO, str(DC.description))), ((CHO, str(EDM.type)),))]
    report = check(export(tmp_path, *cases), "europeana", aggregator_files)
    verdicts = [(bool(reasons_of(c)), bool(c.official)) for c in report.checked]
    assert verdicts == [(False, False)] + [(True, True)] * (len(cases) - 1)
    assert "the records lod's rules reject" in report.summary()


def reasons_of(checked) -> list[str]:
    return [f.reason for f in checked.findings if f.level == "rejected"]
