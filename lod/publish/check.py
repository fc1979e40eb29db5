"""``lod check --for europeana|dpla|dcat-ap DIR``: what an aggregator would reject or downgrade, and why.

No aggregator says this before ingest; each says it afterwards, in its own words. Here the
rules are stated once, in lod's words, with the reason and the input field that would fix it:

* **europeana**: every record's EDM file (``documents/<shard>/KEY.edm.xml``) against what Europeana's
  ingestion (Metis) rejects — the rules of its ``EDM.xsd`` and Schematron that a record of lod's
  can break — and the tiers of the Europeana Publishing Framework it would get: the metadata
  tier (the lowest of three measures: language tags, enabling elements, contextual classes) and
  the content tier, each with the rule that decided it (:func:`metadata_tier`,
  :func:`content_tier`; the rules as Europeana's indexing code applies them). Given Europeana's
  own files (``--official``), it also runs ``EDM.xsd`` (lxml) and the Schematron (an XSLT 2.0
  stylesheet: ``saxonche``), so the two verdicts can be compared record by record.
* **dpla**: the same records as DPLA's hubs get them over OAI-PMH (``oai_qdc``, made from the
  EDM file): what DPLA's model requires (title, rights, data provider, landing page, the
  original identifier) and what it shows less of without (media, a rights URI, dates ...).
* **dcat-ap**: the dataset description (``void.ttl``, and ``catalog.ttl`` when there is one)
  against the DCAT-AP 3.0.1 SHACL shapes, as data.europa.eu checks a catalogue. The shapes
  are SEMIC's (not lod's to ship): without ``--official`` this part cannot run, and says so.

Each finding is one line, ``FILE: rejected|downgraded: reason``, sorted; a summary follows.
"""

from __future__ import annotations

import re
import xml.etree.ElementTree as ET
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path

from lod.errors import ConfigError, Place
from lod.publish.layout import DOCUMENTS, VOID_TURTLE, document_files
from lod.serialize import EDM_RDF_XML
from lod.serialize.edm import CONTENT_TYPES, tag as _tag

TARGETS = ("europeana", "dpla", "dcat-ap")
REJECTED, DOWNGRADED = "rejected", "downgraded"
#: Where the aggregators' own files are found inside ``--official FOLDER`` (the layout of their
#: repositories' release folders: europeana/metis-schema, SEMICeu/DCAT-AP).
EDM_XSD = "europeana-edm/EDM.xsd"
EDM_SCHEMATRON = "europeana-edm/schematron/schematron.xsl"
DCAT_AP_SHAPES = ("dcat-ap-3.0.1/shapes.ttl", "dcat-ap-3.0.1/range.ttl")
DCAT_AP_RECOMMENDED = ("dcat-ap-3.0.1/shapes_recommended.ttl", "dcat-ap-3.0.1/deprecateduris.ttl")
CATALOG_TURTLE = "catalog.ttl"


ABOUT, RESOURCE, LANG = _tag("rdf", "about"), _tag("rdf", "resource"), "{http://www.w3.org/XML/1998/namespace}lang"
CHO, AGGREGATION = _tag("edm", "ProvidedCHO"), _tag("ore", "Aggregation")
AGENT, PLACE, TIMESPAN, CONCEPT = _tag("edm", "Agent"), _tag("edm", "Place"), _tag("edm", "TimeSpan"), \
    _tag("skos", "Concept")
PREF_LABEL = _tag("skos", "prefLabel")


@dataclass
class Finding:
    file: str
    level: str  # REJECTED or DOWNGRADED
    reason: str

    def __str__(self) -> str:
        return f"{self.file}: {self.level}: {self.reason}"


@dataclass
class Checked:
    """What one record (or the dataset description) would meet."""

    file: str
    findings: list[Finding] = field(default_factory=list)
    tiers: dict[str, str] = field(default_factory=dict)  # europeana: metadata, content and their rules
    official: list[str] = field(default_factory=list)  # what Europeana's own files say is wrong

    @property
    def rejected(self) -> bool:
        return any(f.level == REJECTED for f in self.findings) or bool(self.official)


@dataclass
class CheckReport:
    target: str
    checked: list[Checked]
    not_run: list[str] = field(default_factory=list)  # parts that could not run, and why
    official: bool = False  # whether the aggregator's own files were run

    @property
    def status(self) -> int:
        """0: nothing rejected; 1: something would be rejected; 2: nothing could be checked."""
        if not self.checked:
            return 2
        return 1 if any(c.rejected for c in self.checked) else 0

    def lines(self) -> list[str]:
        out = []
        for checked in sorted(self.checked, key=lambda c: c.file):
            out += [str(f) for f in checked.findings]
            if not any(f.level == REJECTED for f in checked.findings):  # else they confirm lod's reasons
                out += [f"{checked.file}: {REJECTED}: {message}" for message in checked.official]
            if checked.tiers:
                out.append(f"{checked.file}: metadata tier {checked.tiers['metadata']} "
                           f"({checked.tiers['metadata_rule']}); content tier {checked.tiers['content']} "
                           f"({checked.tiers['content_rule']})")
        return out

    def summary(self) -> str:
        records = len(self.checked)
        rejected = [c for c in self.checked if c.rejected]
        if self.target == "dcat-ap":
            levels = Counter(f.level for c in self.checked for f in c.findings)
            text = f"lod check --for {self.target}: " + (
                f"{self.checked[0].file}: {levels[REJECTED]} violations (rejected), {levels[DOWNGRADED]} warnings "
                "(downgraded)" if self.checked else "nothing checked")
            return text + "".join(f"; not run: {part}" for part in self.not_run)
        text = (f"lod check --for {self.target}: {records} record{'s' if records != 1 else ''}, "
                f"{len(rejected)} would be rejected")
        reasons = Counter(f.reason.split(" (")[0] for c in self.checked for f in c.findings)
        if reasons:
            text += "; " + ", ".join(f"{reason}: {n}" for reason, n in sorted(reasons.items(), key=lambda i: (-i[1], i[0])))
        accepted = [c for c in self.checked if not c.rejected]
        if self.target == "europeana" and accepted:
            for name in ("metadata", "content"):
                tiers = Counter(c.tiers[name] for c in accepted)
                text += f"; {name} tiers of the accepted: " + ", ".join(f"{tier} {n}" for tier, n in sorted(tiers.items()))
        if self.official and self.target == "europeana":
            failing = sum(1 for c in self.checked if c.official)
            differ = sum(1 for c in self.checked
                         if bool(c.official) != any(f.level == REJECTED for f in c.findings))
            text += (f"; Europeana's EDM.xsd and Schematron: {failing} of {records} fail, "
                     + (f"lod's rules judge {differ} records otherwise" if differ
                        else "the records lod's rules reject"))
        return text + "".join(f"; not run: {part}" for part in self.not_run)

    def as_json(self) -> dict:
        return {
            "target": self.target,
            "checked": len(self.checked),
            "rejected": sum(1 for c in self.checked if c.rejected),
            "not_run": self.not_run,
            "official": self.official,
            "records": [{"file": c.file, "rejected": c.rejected,
                         "findings": [{"level": f.level, "reason": f.reason} for f in c.findings],
                         "official": c.official, **({"tiers": c.tiers} if c.tiers else {})}
                        for c in self.checked],
        }


def check(folder: Path, target: str, official: Path | None = None) -> CheckReport:
    """Check the export in ``folder`` for ``target``; ``official``: the aggregators' own files."""
    folder = Path(folder)
    if target not in TARGETS:
        raise ConfigError(f"unknown aggregator {target!r}; choose from {', '.join(TARGETS)}")
    if target == "dcat-ap":
        return _check_dcat_ap(folder, official)
    files = sorted(document_files(folder / DOCUMENTS, EDM_RDF_XML.extension), key=lambda path: path.name)
    if not files:
        raise ConfigError(f"no EDM records in {folder / DOCUMENTS} ({target} takes lod's EDM)",
                          Place(str(folder)), hint=f"export with `lod export --formats +{EDM_RDF_XML.name}`")
    rules = _europeana if target == "europeana" else _dpla
    report = CheckReport(target, [])
    validator = EuropeanaFiles.load(official, report.not_run) if target == "europeana" else None
    for path in files:
        name = str(path.relative_to(folder))
        try:
            record = EdmRecord.parse(path)
        except (OSError, ET.ParseError) as error:
            report.checked.append(Checked(name, [Finding(name, REJECTED, f"not readable EDM ({error})")]))
            continue
        checked = Checked(name)
        rules(record, checked)
        if validator is not None:
            checked.official = validator.failures(path.read_bytes())
        report.checked.append(checked)
    report.official = validator is not None
    return report


# --- a record's EDM ---------------------------------------------------------------------------


@dataclass
class EdmRecord:
    """One EDM file: its ProvidedCHOs, aggregations and contextual entities by IRI."""

    chos: list[ET.Element]
    aggregations: list[ET.Element]
    entities: dict[str, tuple[str, ET.Element]]  # IRI -> (class tag, element)

    @classmethod
    def parse(cls, path: Path) -> EdmRecord:
        root = ET.parse(path).getroot()
        entities = {node.get(ABOUT, ""): (node.tag, node) for node in root
                    if node.tag in (AGENT, PLACE, TIMESPAN, CONCEPT)}
        return cls(root.findall(CHO), root.findall(AGGREGATION), entities)

    @property
    def cho(self) -> ET.Element:
        return self.chos[0] if self.chos else ET.Element(CHO)

    @property
    def aggregation(self) -> ET.Element:
        return self.aggregations[0] if self.aggregations else ET.Element(AGGREGATION)

    @staticmethod
    def values(node: ET.Element, prefix: str, name: str) -> list[ET.Element]:
        """The node's values of one property that say something (a link, or non-blank text)."""
        return [v for v in node.findall(_tag(prefix, name)) if v.get(RESOURCE) or (v.text or "").strip()]

    @staticmethod
    def links(node: ET.Element) -> set[str]:
        return {v.get(RESOURCE) for v in node if v.get(RESOURCE)}


# --- Europeana ---------------------------------------------------------------------------------

#: The rights statements Europeana accepts in ``edm:rights`` (its Schematron's list: Creative
#: Commons licences of every version and port, the public domain tools, six rightsstatements.org
#: statements). Reuse class of each (Europeana's indexing, ``LicenseType``): open ones allow
#: content tier 4, restricted ones 3, the others (closed) 2.
_CC = r"http://creativecommons\.org/"
_VERSION = r"(4\.0/|(1\.0|2\.0|2\.1|2\.5|3\.0)/([a-z]+/)?)\Z"  # 4.0 has no ports
_OPEN = re.compile(_CC + r"(publicdomain/(zero|mark)/1\.0/\Z|licenses/(by|by-sa)/" + _VERSION + ")")
_RESTRICTED = re.compile(_CC + r"licenses/(by-nc|by-nd|by-nc-sa|by-nc-nd|by-nd-nc)/" + _VERSION
                         + r"|http://rightsstatements\.org/vocab/(NoC-NC|NoC-OKLR|InC-EDU)/1\.0/\Z")
_CLOSED = re.compile(r"http://rightsstatements\.org/vocab/(InC|InC-OW-EU|CNE)/1\.0/\Z")
#: ``LicenseType``'s caps on the content tier, by reuse class.
CONTENT_CAPS = {"open": 4, "restricted": 3, "closed": 2}


def rights_class(uri: str) -> str | None:
    """``open``, ``restricted`` or ``closed`` for a statement Europeana accepts, else None."""
    for name, pattern in (("open", _OPEN), ("restricted", _RESTRICTED), ("closed", _CLOSED)):
        if pattern.match(uri):
            return name
    return None


def _europeana(record: EdmRecord, checked: Checked) -> None:
    def reject(reason: str) -> None:
        checked.findings.append(Finding(checked.file, REJECTED, reason))

    cho, aggregation = record.cho, record.aggregation
    if len(record.chos) != 1 or len(record.aggregations) != 1:
        reject(f"{len(record.chos)} edm:ProvidedCHO and {len(record.aggregations)} ore:Aggregation "
               "(Metis takes exactly one of each per record)")
    if not (record.values(cho, "dc", "title") or record.values(cho, "dc", "description")):
        reject("no title (a ProvidedCHO needs a dc:title or dc:description)")
    if not any(record.values(cho, p, n) for p, n in (("dc", "subject"), ("dc", "type"), ("dcterms", "spatial"),
                                                      ("dcterms", "temporal"))):
        reject("no subject, type, place or period (a ProvidedCHO needs one of dc:subject, dc:type, "
               "dcterms:spatial, dcterms:temporal)")
    types = [v.text for v in cho.findall(_tag("edm", "type"))]
    if len(types) != 1 or types[0] not in CONTENT_TYPES:
        reject("no edm:type (EDM.xsd requires exactly one)")
    if types == ["TEXT"] and not record.values(cho, "dc", "language"):
        reject("no language (Europeana requires dc:language for a TEXT record; the input's `language` "
               "field names the original's)")
    if not (record.values(aggregation, "edm", "isShownAt") or record.values(aggregation, "edm", "isShownBy")):
        reject("no landing page (an ore:Aggregation needs edm:isShownAt or edm:isShownBy; the input's "
               "`document_url` gives it)")
    for name in ("aggregatedCHO", "dataProvider", "provider"):
        if not record.values(aggregation, "edm", name):
            reject(f"no edm:{name} (an ore:Aggregation requires it; lod.toml [providers] names the providers)")
    statements = [v.get(RESOURCE) for v in record.values(aggregation, "edm", "rights")]
    if not statements:
        reject("no rights statement (edm:rights is required: " + (
            "the rights text matches no statement in vocab/rights.tsv)" if record.values(aggregation, "dc", "rights")
            else "the input has no `rights` text)"))
    elif rights_class(statements[0] or "") is None:
        reject(f"rights statement {statements[0]} is not one Europeana accepts (Creative Commons licences and "
               "public domain tools, rightsstatements.org's NoC-NC, NoC-OKLR, InC, InC-EDU, InC-OW-EU, CNE)")
    metadata, metadata_rule = metadata_tier(record)
    content, content_rule = content_tier(record)
    checked.tiers = {"metadata": metadata, "metadata_rule": metadata_rule,
                     "content": content, "content_rule": content_rule}
    if metadata == "0":
        reject(f"metadata tier 0 (Europeana publishes from tier A: {metadata_rule})")
    if content == "1":  # tier 0 (no landing page) is rejected above
        checked.findings.append(Finding(checked.file, DOWNGRADED, "no media (a TEXT record without a PDF or an "
                                        "image of the document, edm:isShownBy, stays at content tier 1: a "
                                        "link to the landing page)"))


# The Europeana Publishing Framework's tiers, as Europeana's indexing computes them (metis-framework,
# metis-indexing, eu.europeana.indexing.tiers): the metadata tier is the lowest of three.

#: Properties whose values count for the language measure (LanguageTagStatistics.PropertyType).
LANGUAGE_PROPERTIES = (
    *(("dc", n) for n in ("coverage", "description", "format", "relation", "rights", "source", "subject",
                          "title", "type")),
    *(("dcterms", n) for n in ("alternative", "hasPart", "isPartOf", "isReferencedBy", "medium", "provenance",
                               "references", "spatial", "tableOfContents", "temporal")),
    *(("edm", n) for n in ("currentLocation", "hasType", "isRelatedTo")),
)
TEMPORAL, CONCEPTUAL, PERSONAL, GEOGRAPHICAL = "temporal", "conceptual", "personal", "geographical"
GROUP_CLASSES = {TEMPORAL: TIMESPAN, CONCEPTUAL: CONCEPT, PERSONAL: AGENT, GEOGRAPHICAL: PLACE}
#: Enabling elements (EnablingElement): each counts for a fixed group, or for the groups of the
#: contextual entities it links to.
ENABLING_FIXED = {("dcterms", "created"): TEMPORAL, ("dcterms", "issued"): TEMPORAL,
                  ("dcterms", "temporal"): TEMPORAL, ("dc", "format"): CONCEPTUAL, ("dc", "type"): CONCEPTUAL,
                  ("dcterms", "medium"): CONCEPTUAL, ("dc", "creator"): PERSONAL, ("dc", "contributor"): PERSONAL,
                  ("dc", "publisher"): PERSONAL, ("dcterms", "spatial"): GEOGRAPHICAL,
                  ("edm", "currentLocation"): GEOGRAPHICAL}
ENABLING_LINKED = {("edm", "hasMet"): (TEMPORAL, PERSONAL), ("dc", "subject"): (CONCEPTUAL, PERSONAL, GEOGRAPHICAL)}
#: What makes a contextual entity count (ContextualClassesClassifier), besides a skos:prefLabel.
QUALIFYING = {
    AGENT: ("a date or place of birth or death, or a profession (edm:begin/end, rdaGr2:dateOfBirth …)",
            lambda node: any(child.tag in (_tag("edm", "begin"), _tag("edm", "end")) or child.tag.endswith(
                ("dateOfBirth", "dateOfDeath", "placeOfBirth", "placeOfDeath", "professionOrOccupation"))
                for child in node)),
    CONCEPT: ("a note or a broader, narrower, related or matching concept",
              lambda node: any(child.tag in {_tag("skos", n) for n in ("note", "broader", "narrower", "related",
                                                                       "exactMatch", "closeMatch")}
                               for child in node)),
    PLACE: ("coordinates (wgs84_pos:lat and long)",
            lambda node: {c.tag.rpartition("}")[2] for c in node} >= {"lat", "long"}),
    TIMESPAN: ("a beginning and an end (edm:begin, edm:end)",
               lambda node: {c.tag for c in node} >= {_tag("edm", "begin"), _tag("edm", "end")}),
}
_CLASS_NAMES = {AGENT: "edm:Agent", PLACE: "edm:Place", TIMESPAN: "edm:TimeSpan", CONCEPT: "skos:Concept"}
_METADATA_ORDER = "0ABC"


def metadata_tier(record: EdmRecord) -> tuple[str, str]:
    """(tier, the rule that decided it): the lowest of the language, enabling-elements and
    contextual-classes measures; the deciding measure first, the others after it."""
    measures = [_language(record), _enabling(record), _contextual(record)]
    lowest = min(tier for tier, _ in measures)
    ordered = sorted(measures, key=lambda measure: measure[0] != lowest)
    return _METADATA_ORDER[lowest], "; ".join(f"{why}: {_METADATA_ORDER[tier]}" for tier, why in ordered)


def _language(record: EdmRecord) -> tuple[int, str]:
    tagged_entities = {iri for iri, (cls, node) in record.entities.items() if cls in (PLACE, TIMESPAN, CONCEPT)
                       and any(label.get(LANG) and (label.text or "").strip() for label in node.findall(PREF_LABEL))}
    present = tagged = 0
    for prefix, name in LANGUAGE_PROPERTIES:
        values = record.values(record.cho, prefix, name)
        if values:
            present += 1
            tagged += any(v.get(LANG) if not v.get(RESOURCE) else v.get(RESOURCE) in tagged_entities for v in values)
    ratio = tagged / present if present else 0.0
    tier = 0 if ratio < 0.25 else 1 if ratio < 0.5 else 2 if ratio < 0.75 else 3
    return tier, f"language: {tagged} of {present} kinds of property have a language tag"


def _enabling(record: EdmRecord) -> tuple[int, str]:
    classes = {iri: cls for iri, (cls, _) in record.entities.items()}
    elements, groups = 0, set()
    for (prefix, name), group in ENABLING_FIXED.items():
        if record.values(record.cho, prefix, name):
            elements += 1
            groups.add(group)
    for (prefix, name), candidates in ENABLING_LINKED.items():
        linked = {classes.get(v.get(RESOURCE)) for v in record.values(record.cho, prefix, name)}
        found = {group for group in candidates if GROUP_CLASSES[group] in linked}
        if found:
            elements += 1
            groups |= found
    tier = 3 if len(groups) >= 2 and elements >= 4 else 2 if len(groups) >= 2 and elements >= 3 else \
        1 if groups and elements else 0
    return tier, f"enabling elements: {elements} in {len(groups)} groups"


def _contextual(record: EdmRecord) -> tuple[int, str]:
    linked = record.links(record.cho)
    kinds = sorted({cls for iri, (cls, node) in record.entities.items() if iri in linked
                    and any((label.text or "").strip() for label in node.findall(PREF_LABEL))
                    and QUALIFYING[cls][1](node)}, key=list(_CLASS_NAMES).index)
    tier = 3 if len(kinds) > 1 else 2 if kinds else 1
    missing = [f"an {_CLASS_NAMES[cls]} needs {QUALIFYING[cls][0]}" for cls in (AGENT, PLACE)
               if cls not in kinds and any(c == cls for c, _ in record.entities.values())]
    qualifying = ", ".join(_CLASS_NAMES[cls] for cls in kinds) or "none"
    many = len(kinds) != 1
    return tier, (f"contextual classes: {len(kinds)} kind{'s' if many else ''} of entity "
                  f"qualif{'y' if many else 'ies'} ({qualifying}{'; ' if missing else ''}{'; '.join(missing)})")


def content_tier(record: EdmRecord) -> tuple[str, str]:
    """(tier, the rule that decided it) for a TEXT record (TextClassifier): without media, 1 with a
    landing page and 0 without; with media, Europeana measures the files (a PDF or an image of at
    least 0.95 megapixels: 4), capped by the rights statement's reuse class."""
    types = [v.text for v in record.cho.findall(_tag("edm", "type"))]
    if types != ["TEXT"]:
        return "?", f"edm:type {', '.join(filter(None, types)) or 'missing'}: only TEXT is estimated"
    aggregation = record.aggregation
    media = record.values(aggregation, "edm", "isShownBy") + record.values(aggregation, "edm", "hasView")
    landing_page = bool(record.values(aggregation, "edm", "isShownAt"))
    if not media:
        return ("1", "TEXT with a landing page and no media") if landing_page else \
            ("0", "TEXT with neither a landing page nor media")
    statements = [v.get(RESOURCE) for v in record.values(aggregation, "edm", "rights")]
    reuse = rights_class(statements[0]) if statements else None
    cap = CONTENT_CAPS.get(reuse or "closed", 2)
    return f"1-{cap}", (f"TEXT with media: Europeana measures the files (a PDF, or an image of 0.95 megapixels or "
                        f"more: 4; 0.42: 2); the rights statement ({reuse or 'closed'} reuse) caps it at {cap}")


class EuropeanaFiles:
    """Europeana's own validation: ``EDM.xsd`` with lxml, the Schematron with saxonche."""

    def __init__(self, schema, schematron, processor):
        self.schema, self.schematron, self.processor = schema, schematron, processor

    @classmethod
    def load(cls, folder: Path | None, not_run: list[str]) -> EuropeanaFiles | None:
        why = None
        if folder is None:
            why = "Europeana's EDM.xsd and Schematron: give --official FOLDER holding europeana-edm/"
        elif not (folder / EDM_XSD).exists() or not (folder / EDM_SCHEMATRON).exists():
            why = f"Europeana's EDM.xsd and Schematron: {folder / EDM_XSD} or {folder / EDM_SCHEMATRON} is missing"
        if why is None:
            try:
                from lxml import etree
                from saxonche import PySaxonProcessor
            except ImportError:
                why = "Europeana's EDM.xsd and Schematron: install lxml and saxonche (pip install 'lod[check]')"
        if why is not None:
            not_run.append(why)
            return None
        processor = PySaxonProcessor(license=False)
        stylesheet = processor.new_xslt30_processor().compile_stylesheet(
            stylesheet_file=str(folder / EDM_SCHEMATRON))
        return cls(etree.XMLSchema(etree.parse(str(folder / EDM_XSD))), stylesheet, processor)

    def failures(self, record: bytes) -> list[str]:
        """What EDM.xsd and the Schematron say is wrong with one record's EDM ([] when it passes both)."""
        from lxml import etree

        document = etree.fromstring(record)
        found = [] if self.schema.validate(document) else \
            [f"EDM.xsd: {error.message}" for error in self.schema.error_log]
        source = self.processor.parse_xml(xml_text=record.decode("utf-8"))
        report = etree.fromstring(self.schematron.transform_to_string(xdm_node=source).encode("utf-8"))
        svrl = "{http://purl.oclc.org/dsdl/svrl}"
        found += [f"Schematron: {' '.join((failed.findtext(svrl + 'text') or '').split())}"
                  for failed in report.iter(svrl + "failed-assert")]
        return found


# --- DPLA --------------------------------------------------------------------------------------


def _dpla(record: EdmRecord, checked: Checked) -> None:
    """DPLA's model (MAP) as its hubs map lod's oai_qdc: required, then what DPLA shows less of without."""
    cho, aggregation = record.cho, record.aggregation

    def note(level: str, reason: str) -> None:
        checked.findings.append(Finding(checked.file, level, reason))

    if not record.values(cho, "dc", "title"):
        note(REJECTED, "no title (DPLA requires dc:title)")
    if not record.values(aggregation, "edm", "dataProvider"):
        note(REJECTED, "no data provider (DPLA requires it; lod.toml [providers] data_provider)")
    if not record.values(aggregation, "edm", "isShownAt"):
        note(REJECTED, "no landing page (DPLA requires isShownAt; the input's `document_url` gives it)")
    statements = record.values(aggregation, "edm", "rights")
    if not statements and not record.values(aggregation, "dc", "rights"):
        note(REJECTED, "no rights (DPLA requires a rights statement URI or a rights text; the input's `rights`)")
    elif not statements:
        note(DOWNGRADED, "rights as text only (no statement in vocab/rights.tsv matches it: DPLA's reuse filters "
                         "need a rightsstatements.org or Creative Commons URI)")
    if not record.values(cho, "dc", "identifier"):
        note(DOWNGRADED, "no record ID of the archive's (dc:identifier): DPLA keeps only the OAI-PMH identifier")
    if not (record.values(aggregation, "edm", "object") or record.values(aggregation, "edm", "isShownBy")):
        note(DOWNGRADED, "no media (no thumbnail or file: DPLA shows the record without an image)")
    for prefix, name, what in (("dcterms", "created", "date"), ("dc", "language", "language"),
                               ("dc", "subject", "subject"), ("dcterms", "spatial", "place")):
        if not record.values(cho, prefix, name):
            note(DOWNGRADED, f"no {what} (DPLA's {what} facet and filters leave the record out)")


# --- DCAT-AP -----------------------------------------------------------------------------------


def _check_dcat_ap(folder: Path, official: Path | None) -> CheckReport:
    """The dataset description against DCAT-AP 3.0.1's shapes: violations reject, warnings downgrade."""
    report = CheckReport("dcat-ap", [])
    descriptions = [name for name in (VOID_TURTLE, CATALOG_TURTLE) if (folder / name).exists()]
    if not descriptions:
        raise ConfigError(f"no dataset description ({VOID_TURTLE}) in {folder}", Place(str(folder)),
                          hint=f"run `lod export --out {folder}` first")
    shapes = [official / name for name in (*DCAT_AP_SHAPES, *DCAT_AP_RECOMMENDED)] if official else []
    if not shapes or not all(path.exists() for path in shapes):
        report.not_run.append("DCAT-AP 3.0.1 shapes: give --official FOLDER holding dcat-ap-3.0.1/ (SEMIC's "
                              "SHACL shapes are not lod's to ship; see docs/aggregators.md)")
        return report
    from pyshacl import validate
    from rdflib import Graph
    from rdflib.namespace import SH

    data = Graph()
    for name in descriptions:
        data.parse(folder / name, format="turtle")
    shacl = Graph()
    for path in shapes:
        shacl.parse(path, format="turtle")
    _, results, _ = validate(data, shacl_graph=shacl, inference="none", advanced=True, allow_warnings=True,
                             meta_shacl=False)
    checked = Checked(" + ".join(descriptions))
    for result in results.objects(None, SH.result):
        severity = results.value(result, SH.resultSeverity)
        level = REJECTED if severity == SH.Violation else DOWNGRADED
        focus, path = results.value(result, SH.focusNode), results.value(result, SH.resultPath)
        message = " ".join(str(results.value(result, SH.resultMessage) or "does not conform").split())
        where = f"<{focus}>" + (f" {path.n3(data.namespace_manager)}" if path is not None else "")
        checked.findings.append(Finding(checked.file, level, f"{where}: {message}"))
    checked.findings.sort(key=str)
    report.checked.append(checked)
    report.official = True
    return report
