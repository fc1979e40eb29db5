"""OAI-PMH (``lod/serve/oai.py``) on a real uvicorn server, harvested with sickle."""

from __future__ import annotations

import base64
import json
import xml.etree.ElementTree as ET

import pytest
import requests

sickle = pytest.importorskip("sickle")
pytest.importorskip("uvicorn")

from sickle import Sickle  # noqa: E402
from sickle import oaiexceptions  # noqa: E402

from conftest import document_file  # noqa: E402
from tests.test_serve_sparql import (  # noqa: E402
    APP_OPTIONS, BASE, INPUTS, REPO, LiveServer, export, make_app, next_second, void_title,
)

OAI = "{http://www.openarchives.org/OAI/2.0/}"
DC = "{http://purl.org/dc/elements/1.1/}"
RDF = "{http://www.w3.org/1999/02/22-rdf-syntax-ns#}"
EDM = "{http://www.europeana.eu/schemas/edm/}"
QDC = "{http://worldcat.org/xmlschemas/qdc-1.0/}"
WITH_EDM = "ttl,jsonld,nt,nq,edm"
PREFIXES = ("oai_dc", "rdf", "edm", "oai_qdc")
HOST = "archive.example.org"
PAGE = APP_OPTIONS.oai.page_size


def oai_id(key: str) -> str:
    return f"oai:{HOST}:{key}"


def datestamps(journal: list[dict]) -> dict[str, str]:
    """key -> the time of its latest journal entry."""
    return {entry["key"]: entry["time"] for entry in journal}


@pytest.fixture(scope="module")
def repo(tmp_path_factory):
    """A server over a fresh export; ``repo.folder``, ``repo.info``, ``repo.endpoint``."""
    folder = tmp_path_factory.mktemp("oai-export")
    info = export(folder, formats=WITH_EDM)
    app = make_app(folder)
    with LiveServer(app) as live:
        live.folder, live.info, live.endpoint = folder, info, f"{live.url}/oai"
        yield live


def get(repo, **params) -> requests.Response:
    return requests.get(repo.endpoint, params=params, timeout=30)


def parse(response: requests.Response) -> ET.Element:
    """Strict parse (sickle's parser recovers from errors; this one does not)."""
    assert response.status_code == 200
    assert response.headers["content-type"] == "text/xml; charset=utf-8"
    root = ET.fromstring(response.content)
    assert root.tag == f"{OAI}OAI-PMH"
    assert root.find(f"{OAI}responseDate").text.endswith("Z")
    return root


def error_code(response) -> str | None:
    error = parse(response).find(f"{OAI}error")
    return None if error is None else error.get("code")


# -- Identify, formats, sets ------------------------------------------------------------------

def test_identify(repo):
    identify = Sickle(repo.endpoint).Identify()
    assert identify.repositoryName == void_title(repo.folder)
    assert identify.baseURL == repo.endpoint
    assert identify.protocolVersion == "2.0"
    assert identify.adminEmail == "archive@example.org"
    assert identify.earliestDatestamp == min(e["time"] for e in repo.info["journal"])
    assert identify.deletedRecord == "persistent"
    assert identify.granularity == "YYYY-MM-DDThh:mm:ssZ"
    root = parse(get(repo, verb="Identify"))
    request = root.find(f"{OAI}request")
    assert request.attrib == {"verb": "Identify"} and request.text == repo.endpoint
    sample = root.find(".//{http://www.openarchives.org/OAI/2.0/oai-identifier}sampleIdentifier")
    assert sample.text == oai_id(repo.info["keys"][0])


def _identify_schema():
    """An XSD written for these tests from the constraints OAI-PMH 2.0 states for Identify
    (``tests/fixtures/oai/``: the official OAI-PMH.xsd states no licence, so it is not copied)."""
    etree = pytest.importorskip("lxml.etree")
    return etree.XMLSchema(etree.parse(str(REPO / "tests/fixtures/oai/identify.xsd")))


def test_identify_is_valid_against_the_protocol_schema(repo):
    from lxml import etree

    schema = _identify_schema()
    response = get(repo, verb="Identify")
    document = etree.fromstring(response.content)
    assert schema.validate(document), schema.error_log
    # what lod used to answer without --oai-admin-email: an invented, invalid address
    email = document.find(f".//{OAI}adminEmail")
    email.text = "admin@localhost"
    assert not schema.validate(document)
    assert "adminEmail" in str(schema.error_log)


def test_no_address_no_oai_pmh(tmp_path, repo):
    from lod.errors import ConfigError
    from lod.serve.options import OaiOptions, ServeOptions

    for invented in ("admin@localhost", "nobody", "a b@example.org"):
        with pytest.raises(ConfigError, match="--oai-admin-email"):
            OaiOptions(admin_email=invented)
    app = make_app(repo.folder, ServeOptions(sparql=APP_OPTIONS.sparql, oai=OaiOptions()))
    with LiveServer(app) as live:
        response = requests.get(f"{live.url}/oai", params={"verb": "Identify"}, timeout=30)
        assert response.status_code == 404
        assert "--oai-admin-email" in response.text and "adminEmail" in response.text
        home = requests.get(f"{live.url}/", timeout=30)
        assert home.status_code == 200 and "oai?verb=Identify" not in home.text


def test_list_metadata_formats(repo):
    formats = {f.metadataPrefix: f for f in Sickle(repo.endpoint).ListMetadataFormats()}
    assert set(formats) == set(PREFIXES)
    assert formats["oai_dc"].metadataNamespace == "http://www.openarchives.org/OAI/2.0/oai_dc/"
    assert formats["oai_dc"].schema == "http://www.openarchives.org/OAI/2.0/oai_dc.xsd"
    assert formats["rdf"].metadataNamespace == "http://www.w3.org/1999/02/22-rdf-syntax-ns#"
    assert formats["edm"].metadataNamespace == "http://www.europeana.eu/schemas/edm/"
    assert formats["oai_qdc"].metadataNamespace == "http://worldcat.org/xmlschemas/qdc-1.0/"
    one = list(Sickle(repo.endpoint).ListMetadataFormats(identifier=oai_id(repo.info["keys"][0])))
    assert len(one) == 4


def test_no_sets(repo):
    with pytest.raises(oaiexceptions.NoSetHierarchy):
        list(Sickle(repo.endpoint).ListSets())
    with pytest.raises(oaiexceptions.NoSetHierarchy):
        list(Sickle(repo.endpoint).ListRecords(metadataPrefix="oai_dc", set="letters"))


# -- harvesting ---------------------------------------------------------------------------------

def _names(graph, document, predicate: str) -> set[str]:
    """Names of the nodes ``document`` points to with dcterms:<predicate> (read with rdflib)."""
    import rdflib

    rows = graph.query(f"""
        PREFIX dcterms: <http://purl.org/dc/terms/>
        PREFIX schema: <http://schema.org/>
        PREFIX skos: <http://www.w3.org/2004/02/skos/core#>
        SELECT ?name WHERE {{ ?doc dcterms:{predicate} ?node .
            {{ ?node schema:name ?name }} UNION {{ ?node skos:prefLabel ?name }} }}""",
        initBindings={"doc": rdflib.URIRef(document)})
    return {str(row.name) for row in rows}


def test_get_record_oai_dc(repo):
    import rdflib

    key = next(k for k in repo.info["keys"] if k.startswith("letter-jawaharlal-nehru"))
    record = Sickle(repo.endpoint).GetRecord(identifier=oai_id(key), metadataPrefix="oai_dc")
    assert record.header.identifier == oai_id(key)
    assert not record.header.deleted
    graph = rdflib.Graph().parse(document_file(repo.folder, key, ".ttl"))
    document = f"{BASE}id/document/{key}"
    dc = record.metadata
    assert dc["title"] == ["Letter from Jawaharlal Nehru to Zhou Enlai on the Sino-Indian Boundary"]
    assert dc["date"] == ["1959-12-14"]
    assert dc["creator"] == ["Jawaharlal Nehru"]
    assert dc["type"] == ["Text"]
    assert dc["language"] == ["en"]
    assert set(dc["coverage"]) == _names(graph, document, "spatial")
    assert "India" in dc["coverage"] and len(dc["coverage"]) == 3
    assert set(dc["subject"]) == _names(graph, document, "subject")
    assert "China--Boundaries--India" in dc["subject"]
    assert dc["description"][0].startswith("Nehru rejects Zhou Enlai")
    # the dcterms profile's identifiers, then the document and its landing page
    landing_page = str(graph.value(rdflib.URIRef(document), rdflib.URIRef("http://schema.org/url")))
    assert dc["identifier"] == ["300705", document, landing_page]
    assert dc["relation"] == [f"{BASE}id/dataset"]
    assert dc["source"] == ["Nehru Memorial Museum and Library, File No. JNSG, vol. 47-2."]
    assert dc["rights"][0] == "http://rightsstatements.org/vocab/InC-EDU/1.0/"
    assert dc["rights"][1].startswith("The History and Public Policy Program welcomes reuse")
    title = ET.fromstring(record.raw.encode()).find(f".//{DC}title")
    assert title.get("{http://www.w3.org/XML/1998/namespace}lang") == "en"


def test_get_record_rdf(repo):
    import rdflib

    key = repo.info["keys"][0]
    response = get(repo, verb="GetRecord", identifier=oai_id(key), metadataPrefix="rdf")
    rdf = parse(response).find(f".//{OAI}metadata/{RDF}RDF")
    assert rdf is not None
    graph = rdflib.Graph().parse(data=ET.tostring(rdf), format="xml")
    expected = rdflib.Graph().parse(document_file(repo.folder, key, ".ttl"))
    assert len(graph) == len(expected) and len(graph) > 10
    assert set(graph) == set(expected)  # no blank nodes: the same triples


def test_oai_dc_is_the_dcterms_profile_in_simple_dublin_core():
    """One place says which field goes where: each dcterms-profile property lands in the DC element it
    refines, so a new rule in the profile reaches oai_dc without a table here."""
    from lod.map.profiles.dcterms import PROFILE, element
    from lod.serve.oai import DC_ELEMENTS

    assert {element(rule.predicate) for rule in PROFILE.rules} <= set(DC_ELEMENTS)
    refined = {rule.field: element(rule.predicate) for rule in PROFILE.rules}
    assert (refined["summary"], refined["places"], refined["citation"], refined["dataset"]) == (
        "description", "coverage", "identifier", "relation")


def _nehru(repo) -> str:
    return next(k for k in repo.info["keys"] if k.startswith("letter-jawaharlal-nehru"))


def _served_edm(repo, key: str) -> ET.Element:
    record = Sickle(repo.endpoint).GetRecord(identifier=oai_id(key), metadataPrefix="edm")
    return ET.fromstring(record.raw.encode()).find(f".//{OAI}metadata/{RDF}RDF")


def test_get_record_edm_is_the_records_edm_file(repo):
    import rdflib

    key = _nehru(repo)
    served = rdflib.Graph().parse(data=ET.tostring(_served_edm(repo, key)), format="xml")
    written = rdflib.Graph().parse(document_file(repo.folder, key, ".edm.xml"), format="xml")
    assert set(served) == set(written) and len(written) > 20


def test_served_edm_passes_europeanas_schema_and_schematron(repo, europeana_files):
    served = ET.tostring(_served_edm(repo, _nehru(repo)), encoding="utf-8", xml_declaration=True)
    assert europeana_files.failures(served) == []


def test_get_record_oai_qdc_for_dpla(repo):
    """What a DPLA hub needs, each under a name that says what it is."""
    key = _nehru(repo)
    record = Sickle(repo.endpoint).GetRecord(identifier=oai_id(key), metadataPrefix="oai_qdc")
    root = ET.fromstring(record.raw.encode()).find(f".//{OAI}metadata/{QDC}qualifieddc")
    assert root is not None

    def texts(tag: str) -> list[str]:
        return [element.text for element in root.findall(tag)]

    landing_page = "https://digitalarchive.wilsoncenter.org/document/letter-jawaharlal-nehru-zhou-enlai-sino-indian-boundary"
    assert texts(f"{DC}title") == ["Letter from Jawaharlal Nehru to Zhou Enlai on the Sino-Indian Boundary"]
    assert texts(f"{EDM}dataProvider") == ["History and Public Policy Program, Wilson Center"]
    assert texts(f"{EDM}isShownAt") == [landing_page]
    assert texts(f"{EDM}rights") == ["http://rightsstatements.org/vocab/InC-EDU/1.0/"]
    assert texts(f"{DC}rights")[0].startswith("The History and Public Policy Program welcomes reuse")
    assert texts(f"{DC}identifier") == ["300705", landing_page]  # the archive's record ID: the original identifier
    assert texts(f"{DC}creator") == ["Jawaharlal Nehru"]
    assert "India" in texts("{http://purl.org/dc/terms/}spatial")
    assert "China--Boundaries--India" in texts(f"{DC}subject")
    assert texts(f"{DC}type") == ["Text"]
    assert texts("{http://purl.org/dc/terms/}created") == ["1959-12-14"]
    assert root.find(f"{DC}title").get("{http://www.w3.org/XML/1998/namespace}lang") == "en"


@pytest.mark.parametrize("prefix", PREFIXES)
@pytest.mark.parametrize("method", ["GET", "POST"])
def test_full_harvest_pages_through_every_record(repo, prefix, method):
    harvester = Sickle(repo.endpoint, http_method=method)
    records = list(harvester.ListRecords(metadataPrefix=prefix))
    keys = repo.info["keys"]
    assert len(keys) > 2 * PAGE  # several pages
    assert [r.header.identifier for r in records] == [oai_id(k) for k in keys]
    assert all(not r.deleted for r in records)
    dates = datestamps(repo.info["journal"])
    assert [r.header.datestamp for r in records] == [dates[k] for k in keys]
    if prefix in ("oai_dc", "oai_qdc"):
        assert all(r.metadata.get("title") for r in records)
    else:
        assert all(ET.fromstring(r.raw.encode()).find(f".//{RDF}RDF") is not None for r in records)
    headers = list(harvester.ListIdentifiers(metadataPrefix=prefix))
    assert [h.identifier for h in headers] == [oai_id(k) for k in keys]


def test_resumption_token_attributes(repo):
    keys = repo.info["keys"]
    root = parse(get(repo, verb="ListIdentifiers", metadataPrefix="oai_dc"))
    token = root.find(f".//{OAI}resumptionToken")
    assert token.get("completeListSize") == str(len(keys)) and token.get("cursor") == "0"
    assert len(root.findall(f".//{OAI}header")) == PAGE
    cursor, seen = 0, PAGE
    while token is not None and token.text:
        root = parse(get(repo, verb="ListIdentifiers", resumptionToken=token.text))
        assert root.find(f"{OAI}request").attrib["resumptionToken"] == token.text
        cursor += PAGE
        token = root.find(f".//{OAI}resumptionToken")
        assert token.get("cursor") == str(cursor)
        seen += len(root.findall(f".//{OAI}header"))
    assert seen == len(keys)
    assert token.text is None  # the last page: an empty token


def test_selective_harvest_from_until(repo):
    dates = datestamps(repo.info["journal"])
    times = sorted(set(dates.values()))
    harvester = Sickle(repo.endpoint)
    low, high = times[0], times[-1]
    records = list(harvester.ListIdentifiers(metadataPrefix="oai_dc", **{"from": low, "until": high}))
    assert [r.identifier for r in records] == [oai_id(k) for k in sorted(dates)]
    records = list(harvester.ListIdentifiers(metadataPrefix="oai_dc", until=low))
    assert [r.identifier for r in records] == [oai_id(k) for k in sorted(dates) if dates[k] == low]
    day = low[:10]
    records = list(harvester.ListIdentifiers(metadataPrefix="oai_dc", **{"from": day, "until": day}))
    assert len(records) == sum(1 for t in dates.values() if t.startswith(day))
    with pytest.raises(oaiexceptions.NoRecordsMatch):
        list(harvester.ListRecords(metadataPrefix="oai_dc", until="2000-01-01"))
    after = high[:-3] + f"{int(high[-3:-1]) + 1:02d}Z" if high[-3:-1] != "59" else None
    if after:
        with pytest.raises(oaiexceptions.NoRecordsMatch):
            list(harvester.ListRecords(metadataPrefix="oai_dc", **{"from": after}))


def test_every_error_code(repo):
    key = repo.info["keys"][0]
    cases = {
        "badVerb": [{}, {"verb": "Harvest"}, [("verb", "Identify"), ("verb", "Identify")]],
        "badArgument": [
            {"verb": "Identify", "extra": "1"},
            {"verb": "ListRecords"},  # missing metadataPrefix
            [("verb", "ListRecords"), ("metadataPrefix", "oai_dc"), ("metadataPrefix", "rdf")],
            {"verb": "GetRecord", "identifier": oai_id(key)},
            {"verb": "ListRecords", "metadataPrefix": "oai_dc", "from": "2026-13-01"},
            {"verb": "ListRecords", "metadataPrefix": "oai_dc", "from": "2026-01-01T00:00Z"},
            {"verb": "ListRecords", "metadataPrefix": "oai_dc", "from": "2026-02-01",
             "until": "2026-01-01"},
            {"verb": "ListRecords", "metadataPrefix": "oai_dc", "from": "2026-01-01",
             "until": "2026-02-01T00:00:00Z"},
            {"verb": "ListRecords", "resumptionToken": "abc", "metadataPrefix": "oai_dc"},
            {"verb": "ListRecords", "metadataPrefix": ""},
        ],
        "cannotDisseminateFormat": [
            {"verb": "ListRecords", "metadataPrefix": "marc21"},
            {"verb": "GetRecord", "identifier": oai_id(key), "metadataPrefix": "mods"},
        ],
        "idDoesNotExist": [
            {"verb": "GetRecord", "identifier": oai_id("no-such-document"), "metadataPrefix": "oai_dc"},
            {"verb": "GetRecord", "identifier": f"oai:other.example:{key}", "metadataPrefix": "oai_dc"},
            {"verb": "ListMetadataFormats", "identifier": "oai:x:../../etc/passwd"},
        ],
        "noRecordsMatch": [
            {"verb": "ListIdentifiers", "metadataPrefix": "oai_dc", "until": "1999-12-31"},
            {"verb": "ListRecords", "metadataPrefix": "rdf", "from": "2999-01-01T00:00:00Z"},
        ],
        "badResumptionToken": [
            {"verb": "ListRecords", "resumptionToken": "not-a-token"},
            {"verb": "ListIdentifiers", "resumptionToken": base64.urlsafe_b64encode(json.dumps(
                {"v": "ListIdentifiers", "m": "oai_dc", "f": None, "u": None, "o": 3,
                 "h": "0" * 16}).encode()).decode().rstrip("=")},
        ],
        "noSetHierarchy": [
            {"verb": "ListSets"},
            {"verb": "ListIdentifiers", "metadataPrefix": "oai_dc", "set": "x"},
        ],
    }
    for code, requests_ in cases.items():
        for params in requests_:
            response = get(repo, **params) if isinstance(params, dict) else requests.get(
                repo.endpoint, params=params, timeout=30)
            assert error_code(response) == code, (code, params, response.text)
            request = parse(response).find(f"{OAI}request")
            if code in ("badVerb", "badArgument"):
                assert request.attrib == {}
            else:
                assert request.attrib["verb"] == (params.get("verb") if isinstance(params, dict)
                                                  else params[0][1])


def test_token_from_another_list_is_refused(repo):
    root = parse(get(repo, verb="ListIdentifiers", metadataPrefix="oai_dc"))
    token = root.find(f".//{OAI}resumptionToken").text
    assert error_code(get(repo, verb="ListRecords", resumptionToken=token)) == "badResumptionToken"


@pytest.mark.parametrize("data,headers", [
    ("verb=Identify", {"Content-Type": "application/x-www-form-urlencoded"}),
    ("verb=Identify", {"Content-Type": "text/plain"}),
    (b"verb=Identify&x=%FF", {"Content-Type": "application/x-www-form-urlencoded"}),
])
def test_post(repo, data, headers):
    response = requests.post(repo.endpoint, data=data, headers=headers, timeout=30)
    code = error_code(response)
    if headers["Content-Type"] == "application/x-www-form-urlencoded" and data == "verb=Identify":
        assert code is None
    else:
        assert code == "badArgument"


def test_hostile_arguments_stay_well_formed(repo):
    for value in ["<&>\"'", "\x01\x02", "\ufffe", "x" * 2000]:
        response = get(repo, verb="GetRecord", identifier=value, metadataPrefix="oai_dc")
        assert error_code(response) == "idDoesNotExist"
    assert error_code(get(repo, verb="<script>")) == "badVerb"


# -- changes: an incremental harvest ------------------------------------------------------------

def _edited_inputs(folder, drop: int | None = None, edit: int | None = None) -> list:
    """A copy of sample.jsonl with record ``edit`` changed (its summary) and ``drop`` removed."""
    lines = INPUTS[0].read_text(encoding="utf-8").split("\n")  # not splitlines(): U+2028
    records = [json.loads(line) for line in lines if line.strip()]
    if edit is not None:
        records[edit]["summary"] = "An edited summary of this document."
    if drop is not None:
        del records[drop]
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / "sample.jsonl"
    path.write_text("".join(json.dumps(r, ensure_ascii=False) + "\n" for r in records),
                    encoding="utf-8")
    return [path, *INPUTS[1:]]


def test_incremental_harvest_after_an_edit_and_a_delete(tmp_path):
    out = tmp_path / "export"
    before = export(out, _edited_inputs(tmp_path / "in1"))
    next_second()  # the first harvest's responseDate is later than every Create
    app = make_app(out)
    with LiveServer(app) as live:
        endpoint = f"{live.url}/oai"
        harvester = Sickle(endpoint)
        first = harvester.ListRecords(metadataPrefix="oai_dc")
        response_date = first.oai_response.xml.find(f".//{OAI}responseDate").text
        # an export without EDM offers neither edm nor oai_qdc
        assert [f.metadataPrefix for f in harvester.ListMetadataFormats()] == ["oai_dc", "rdf"]
        with pytest.raises(oaiexceptions.CannotDisseminateFormat):
            harvester.GetRecord(identifier=oai_id(before["keys"][0]), metadataPrefix="edm")
        assert len(list(first)) == len(before["keys"])
        assert len(list(harvester.ListRecords(metadataPrefix="rdf"))) == len(before["keys"])
        page_one = ET.fromstring(requests.get(endpoint, timeout=30, params={
            "verb": "ListIdentifiers", "metadataPrefix": "oai_dc"}).content)
        token = page_one.find(f".//{OAI}resumptionToken").text
        ttl = {k: document_file(out, k, ".ttl").read_bytes() for k in before["keys"]}

        # one record edited, one removed from the input; the archive re-exports
        after = export(out, _edited_inputs(tmp_path / "in2", drop=3, edit=0))
        (deleted,) = set(before["keys"]) - set(after["keys"])
        (edited,) = [k for k in after["keys"]
                     if document_file(out, k, ".ttl").read_bytes() != ttl.get(k)]
        new_entries = after["journal"][len(before["journal"]):]
        assert sorted((e["type"], e["key"]) for e in new_entries) == sorted(
            [("Update", edited), ("Delete", deleted)])

        changed = list(harvester.ListRecords(metadataPrefix="oai_dc", **{"from": response_date}))
        assert [r.header.identifier for r in changed] == sorted([oai_id(edited), oai_id(deleted)])
        update = next(r for r in changed if r.header.identifier == oai_id(edited))
        tombstone = next(r for r in changed if r.header.identifier == oai_id(deleted))
        assert not update.deleted
        assert update.metadata["description"][0] == "An edited summary of this document."
        assert update.header.datestamp >= response_date
        assert tombstone.deleted and tombstone.header.deleted
        assert ET.fromstring(tombstone.raw.encode()).find(f"{OAI}metadata") is None
        raw = requests.get(endpoint, timeout=30, params={
            "verb": "ListIdentifiers", "metadataPrefix": "rdf", "from": response_date}).content
        headers = {h.find(f"{OAI}identifier").text: h.get("status")
                   for h in ET.fromstring(raw).findall(f".//{OAI}header")}
        assert headers == {oai_id(edited): None, oai_id(deleted): "deleted"}

        # deletes persist: a full harvest still reports the deleted record
        everything = list(harvester.ListRecords(metadataPrefix="rdf"))
        assert len(everything) == len(before["keys"])
        assert [r.header.identifier for r in everything if r.deleted] == [oai_id(deleted)]
        assert harvester.GetRecord(identifier=oai_id(deleted), metadataPrefix="oai_dc").deleted

        # a token from before the change is refused
        response = requests.get(endpoint, timeout=30,
                                params={"verb": "ListIdentifiers", "resumptionToken": token})
        assert error_code(response) == "badResumptionToken"


def test_hostile_text_stays_well_formed(tmp_path):
    """Markup, quotes, non-BMP characters and a control character XML 1.0 cannot carry
    give well-formed responses in both formats (and in SPARQL XML results)."""
    hostile = REPO / "tests/fixtures/records/bad/hostile.jsonl"
    record = json.loads(hostile.read_text(encoding="utf-8").split("\n")[0])
    record["title"] = "Ctrl \x01 <&> " + record["title"]
    source = tmp_path / "hostile.jsonl"
    source.write_text(json.dumps(record) + "\n", encoding="utf-8")
    info = export(tmp_path / "export", [source])
    key = info["keys"][0]
    assert "\\u0001" in document_file(tmp_path / "export", key, ".ttl").read_text()
    app = make_app(tmp_path / "export")
    with LiveServer(app) as live:
        endpoint = f"{live.url}/oai"
        for prefix in ("oai_dc", "rdf"):
            root = parse(requests.get(endpoint, timeout=30, params={
                "verb": "ListRecords", "metadataPrefix": prefix}))
            assert len(root.findall(f".//{OAI}record")) == 1
        record = parse(requests.get(endpoint, timeout=30, params={
            "verb": "GetRecord", "identifier": oai_id(key), "metadataPrefix": "oai_dc"}))
        title = record.find(f".//{DC}title").text
        assert title.startswith("Ctrl \ufffd <&> The \"Hostile\" Record")
        assert "𝔘😀" in title
        response = requests.get(f"{live.url}/sparql", timeout=60, params={
            "query": "SELECT ?t WHERE { ?d <http://purl.org/dc/terms/title> ?t }"},
            headers={"Accept": "application/sparql-results+xml"})
        assert response.status_code == 200
        ET.fromstring(response.content)
