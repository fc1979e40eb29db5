"""Invented archive records for the site's tests: a small collection worth browsing.

``records()`` gives 64 records in the archive's JSON Lines field names (the shape of the
scraper's rows): documents from 1945 to 1990 (two undated), in four original languages,
naming people linked to Wikidata by the authority table (Eisaku Satō, Zhou Enlai, Mao
Zedong), one in the table without a QID (Andrei Gromyko) and invented ones, places and
subject headings. Satō is printed with his macron in titles, summaries and bodies, and
without it in some bodies, like the archive's translations. Every title, text and record
ID is invented; the people and places are real, so that the linker links them.

The collection is made for the tests to count on: 44 documents name Moscow, 36 of them
carry the subject ``Japan--Foreign relations--Soviet Union`` (so two facets leave more
than one page of 20); 56 name Satō, some printing his name only without the macron; 8
name no one the table links (no document of theirs is "linked").
"""

from __future__ import annotations

import json
from pathlib import Path

PEOPLE = ("Eisaku Satō", "Zhou Enlai", "Mao Zedong", "Andrei Gromyko", "Pyotr Zarubinsky", "Heinrich Vollmerhaus")
PLACES = ("Moscow", "Tokyo", "Beijing")
SUBJECTS = ("Japan--Foreign relations--Soviet Union", "Nuclear weapons", "Fisheries--Japan")
LANGUAGES = ("Japanese", "Russian", "Chinese", "German")
MONTHS = ("January", "February", "March", "April", "May", "June", "July", "August", "September",
          "October", "November", "December")
RIGHTS = ("The History and Public Policy Program welcomes reuse of Digital Archive materials for research "
          "and educational purposes.")
COUNT = 64


def record(i: int) -> dict:
    unlinked = i % 8 == 5  # names no one the table links, and no place
    people = PEOPLE[3:] if unlinked else PEOPLE
    author = people[i % len(people)]
    other = people[(i * 5 + 1) % len(people)]
    year = 1945 + (i * 7) % 46
    date = None if i in (13, 41) else (f"{MONTHS[i % 12]} {1 + i % 28}, {year}" if i % 3 else str(year))
    places = [] if unlinked else [PLACES[1]] if i % 16 in (9, 11, 15) else [PLACES[0]]
    if i % 3 == 0 and places:
        places.append(PLACES[2])
    subjects = [SUBJECTS[0]] if i % 4 != 3 and "Moscow" in places else [SUBJECTS[1 + i % 2]]
    visitor = "the trade delegation" if unlinked else "Prime Minister " + ("Sato" if i % 8 == 0 else "Satō")
    body = (f"Top Secret\nRecord No. {7100 + i}\n"
            f"{author}: We have studied the question of the fishing grounds near the islands once more.\n"
            f"{other}: The visit of {visitor} will begin on the fourth day.\n"
            f"The sides agreed to meet again {('in ' + places[0]) if places else 'soon'} after the harvest of "
            f"{year}.\n")
    summary = f"{author} and {other} discuss the fishing grounds" + (
        " and the visit of Eisaku Satō." if i % 4 == 1 and not unlinked else ".")
    return {
        "_provenance": {"repo": "hand-written fixture (lod site tests)", "file": "site.jsonl", "blob": None,
                        "commit": None, "table": "documents"},
        "document_url": f"https://digitalarchive.wilsoncenter.org/document/{990100 + i}",
        "original_publication_date": date,
        "title": f"Record of Conversation between {author} and {other}, No. {i + 1}",
        "summary": summary,
        "text_body": body,
        "authors": [author],
        "associated_people_orgs": [other],
        "associated_places": places,
        "subjects_discussed": subjects,
        "language": [LANGUAGES[i % len(LANGUAGES)]],
        "record_id": str(990100 + i),
        "rights": RIGHTS,
    }


def records() -> list[dict]:
    return [record(i) for i in range(COUNT)]


def write(folder: Path, count: int = COUNT) -> Path:
    """``folder/site.jsonl`` with the first ``count`` records."""
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / "site.jsonl"
    path.write_text("".join(json.dumps(r, ensure_ascii=False) + "\n" for r in records()[:count]), encoding="utf-8")
    return path
