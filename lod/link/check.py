"""``lod link --check``: re-check the authority table's QIDs against Wikidata.

Items get merged (the QID becomes a redirect) or deleted; this reports both, and
items whose type no longer fits the row's kind, without changing the table.
"""

from __future__ import annotations

from lod.link.authority import AuthorityIndex
from lod.link.reconcile import HUMAN, PLACE_CLASSES
from lod.link.wikidata import WikidataClient


def check_table(index: AuthorityIndex, client: WikidataClient) -> list[str]:
    """One line per problem found; an empty list means every QID still stands."""
    qids = sorted(index.by_qid, key=lambda q: int(q[1:]))
    entities = client.get_entities(qids)
    problems = []
    for qid in qids:
        entry = index.by_qid[qid][0]
        entity = entities.get(qid)
        if entity is None or entity.missing:
            problems.append(f"{qid} ({entry.label}): deleted or missing on Wikidata")
            continue
        if entity.redirected_from:
            problems.append(f"{qid} ({entry.label}): merged into {entity.qid}; update the table")
        types = set(entity.instance_of)
        if entry.kind == "person" and HUMAN not in types:
            problems.append(f"{qid} ({entry.label}): not an instance of human (Q5) any more")
        if entry.kind == "place" and HUMAN in types:
            problems.append(f"{qid} ({entry.label}): a human, but the table says place")
        if entry.kind == "organization" and types & ({HUMAN} | set(PLACE_CLASSES)):
            problems.append(f"{qid} ({entry.label}): typed as a person or place on Wikidata")
    return problems
