"""Synthetic archive records for benchmarks: realistic shapes, deterministic, fast.

``generate(n, folder, seed=0)`` writes ``n`` records in the archive's field names
(``lod/read/archive_fields.py``) across every input format lod reads:

* ~70 % JSON Lines, ``records-0001.jsonl`` ... (10,000 records per file), with the
  scraper's extra keys (``_provenance``, ``page_number``, ``scraped_at``) and lists
  stored either as JSON arrays or as JSON-encoded strings, like the real data;
* ~25 % CSV, ``records-0001.csv`` ... (10,000 rows per file, the 19 archive columns,
  lists joined by ``|``);
* ~5 % page text, ``pages/record-<id>.txt``, one per record in the current site's
  L-B0 layout (date line, title, funder line, body lines, summary line, the
  metadata headings, and the two fixed rights paragraphs).

Bodies are log-normal in length (median ~1,500 characters, ~5 % over 10,000, ~0.1 %
near the 60,000 cap) and mix English with Cyrillic, CJK and Korean passages and
diacritics (ō ü ș ğ ă ł ő). Half of the names come from ``vocab/authorities.tsv``
(labels and aliases, verified rows or not), half are invented and checked not to
hit the table. The input never carries a Wikidata QID: only the table links.

Records are drawn one after another from one seeded ``random.Random``, and each
record's draws do not depend on ``n``: the records of ``generate(m)`` are the first
``m`` records of ``generate(n)`` for any ``m <= n`` (the benchmark relies on it to
run its slower reference exporter on a subset of the same input).

    python benchmarks/synthetic.py N FOLDER [--seed S]
"""

from __future__ import annotations

import argparse
import csv
import io
import json
import math
import random
import re
import time
from dataclasses import dataclass, field
from pathlib import Path

from lod.link.authority import load_index, read_rows
from lod.read.fields import surname_first, fold
from lod.vocab import SAMPLES_DIR, vocab_path

CHUNK = 10_000
SHARES = (("jsonl", 0.70), ("csv", 0.25), ("txt", 0.05))
BODY_MEDIAN = 1_500
BODY_SIGMA = 1.153  # P(length > 10,000) = 5 % for a median of 1,500
BODY_MIN, BODY_MAX = 150, 60_000
URL_PREFIX = "https://digitalarchive.wilsoncenter.org/document/"
CSV_COLUMNS = (
    "title", "original_publication_date", "summary", "text_body", "authors", "associated_people_orgs",
    "document_contributors", "associated_places", "subjects_discussed", "source", "original_archive_title",
    "language", "record_id", "donors", "rights", "credits", "document_url", "original_classification",
    "original_upload_date",
)
LIST_COLUMNS = ("authors", "associated_people_orgs", "document_contributors", "associated_places",
                "subjects_discussed", "original_archive_title", "language", "donors")
# Record IDs and URL numbers: affine permutations of the record index (unique, not sequential).
_ID_SPACE, _ID_STEP, _URL_STEP = 9_000_000, 7_919, 104_729

MONTHS = ("January", "February", "March", "April", "May", "June", "July", "August", "September",
          "October", "November", "December")


# --- the fixed rights text (as samples/seed-record.txt prints it) ----------------------------


def _rights_paragraphs() -> tuple[str, str]:
    lines = (SAMPLES_DIR / "seed-record.txt").read_text(encoding="utf-8").splitlines()
    first = next(i for i, line in enumerate(lines) if line.startswith("The History and Public Policy"))
    return lines[first].strip(), lines[first + 1].strip()


# --- name material ----------------------------------------------------------------------------

RU_GIVEN = (("Ivan", "Иван"), ("Pyotr", "Пётр"), ("Sergei", "Сергей"), ("Nikolai", "Николай"),
            ("Mikhail", "Михаил"), ("Grigory", "Григорий"), ("Fyodor", "Фёдор"), ("Dmitri", "Дмитрий"),
            ("Arkady", "Аркадий"), ("Yakov", "Яков"), ("Timofei", "Тимофей"), ("Semyon", "Семён"),
            ("Gennady", "Геннадий"), ("Vladlen", "Владлен"), ("Oleg", "Олег"), ("Yelena", "Елена"),
            ("Nadezhda", "Надежда"), ("Tamara", "Тамара"), ("Galina", "Галина"), ("Stepan", "Степан"))
RU_ROOTS = (("Zarub", "Заруб"), ("Kolot", "Колот"), ("Merkul", "Меркул"), ("Pestr", "Пестр"),
            ("Gorbun", "Горбун"), ("Lavrent", "Лаврент"), ("Yermol", "Ермол"), ("Tikhon", "Тихон"),
            ("Sviridn", "Свиридн"), ("Bulych", "Булыч"), ("Kudryash", "Кудряш"), ("Pronk", "Пронк"),
            ("Shchegl", "Щегл"), ("Dorof", "Дороф"), ("Ryabin", "Рябин"), ("Sukhod", "Суход"),
            ("Chernysh", "Черныш"), ("Ogurts", "Огурц"), ("Vetl", "Ветл"), ("Zhmur", "Жмур"))
RU_SUFFIXES = (("ov", "ов"), ("ev", "ев"), ("in", "ин"), ("sky", "ский"), ("enko", "енко"),
               ("ovich", "ович"))
ZH_FAMILY = (("Wang", "王"), ("Li", "李"), ("Zhang", "张"), ("Chen", "陈"), ("Yang", "杨"),
             ("Huang", "黄"), ("Zhao", "赵"), ("Wu", "吴"), ("Xu", "徐"), ("Sun", "孙"), ("Ma", "马"),
             ("Guo", "郭"), ("Gao", "高"), ("Luo", "罗"), ("Zheng", "郑"), ("Liang", "梁"), ("Tang", "唐"))
ZH_SYLLABLES = (("Jian", "建"), ("guo", "国"), ("Xiao", "晓"), ("ming", "明"), ("Hong", "红"),
                ("wei", "伟"), ("Hua", "华"), ("ping", "平"), ("Zhi", "志"), ("qiang", "强"),
                ("Yong", "勇"), ("jun", "军"), ("Lin", "林"), ("hai", "海"), ("Dong", "东"),
                ("chun", "春"), ("Shan", "山"), ("wen", "文"), ("De", "德"), ("sheng", "生"))
KO_FAMILY = (("Pak", "박"), ("Ri", "리"), ("Choe", "최"), ("Han", "한"), ("Kang", "강"), ("Yun", "윤"),
             ("Jang", "장"), ("Hwang", "황"), ("Ryu", "류"), ("Jon", "전"), ("So", "서"), ("Om", "엄"))
KO_SYLLABLES = (("Song", "성"), ("chol", "철"), ("Chang", "창"), ("ok", "옥"), ("Yong", "용"),
                ("nam", "남"), ("Hyon", "현"), ("sun", "순"), ("Gil", "길"), ("man", "만"), ("Su", "수"),
                ("il", "일"), ("Ho", "호"), ("dok", "덕"), ("Myong", "명"), ("hui", "희"))
LATIN_NAMES = {
    "ro": (("Ion", "Vasile", "Gheorghe", "Constantin", "Mihai", "Ștefan", "Dumitru", "Petre", "Aurel",
            "Ileana"),
           ("Bădulescu", "Dragomirescu", "Tănăsoiu", "Pârvulescu", "Stănculeanu", "Bîrlădeanu",
            "Moldoveanu", "Țurcanu", "Ișfănescu", "Negrușeanu")),
    "tr": (("Mehmet", "Ahmet", "Oğuz", "Ülkü", "Şükrü", "Rüştü", "Ayşe", "Doğan", "Gürsel", "İhsan"),
           ("Yağcıoğlu", "Karaoğlan", "Erdoğdu", "Çelikkaya", "Gündüzalp", "Şahinler", "Öztürkmen",
            "Ağaoğlu", "Dağdelen", "Tekinalp")),
    "ja": (("Kōzō", "Shūichi", "Tōru", "Yūji", "Ryōhei", "Kenjirō", "Shōzō", "Jun'ichi", "Kōji", "Yōko"),
           ("Hashimura", "Ōkubota", "Matsumuro", "Kōnoike", "Saitōda", "Uchidate", "Fujiyoshi", "Ōtagaki",
            "Nishimaki", "Kurodate")),
    "de": (("Jürgen", "Günter", "Horst", "Käthe", "Dieter", "Jörg", "Wolfgang", "Ursula", "Björn",
            "Lothar"),
           ("Müllerbach", "Schröter", "Weißgerber", "Kühnel", "Böhmer", "Fröhlichs", "Grüneberg",
            "Strößner", "Hölzl", "Lübbers")),
    "pl": (("Łukasz", "Zbigniew", "Władysław", "Jerzy", "Stanisław", "Mieczysław", "Bożena", "Józef",
            "Zdzisław", "Grażyna"),
           ("Wiśniowski", "Kręcki", "Żuławski", "Ćwikliński", "Sągowski", "Błażyński", "Dąbrowiecki",
            "Łęczycki", "Śliwiński", "Mrożkiewicz")),
    "hu": (("Győző", "László", "Zoltán", "Ödön", "Miklós", "Ferenc", "Erzsébet", "Béla", "Imre", "Tibor"),
           ("Kovácsy", "Szőkefalvi", "Nagyváradi", "Fülöpházi", "Görgényi", "Bartóky", "Vértesi",
            "Hőgyes", "Süttő", "Kecskeméty")),
    "vi": (("Nguyễn Văn", "Trần Đức", "Lê Quang", "Phạm Thị", "Hoàng Minh", "Võ Đình"),
           ("Thành", "Hưng", "Dũng", "Lương", "Tường", "Khải")),
}
ORG_TEMPLATES = (
    "{nation} Ministry of {field}", "Ministry of {field} of the {state}", "{nation} Embassy in {city}",
    "Embassy of the {state} in {city}", "{ordinal} Department of the {nation} Foreign Ministry",
    "{state}. {Field} Committee", "{nation} State Committee for {field}", "{city} Municipal Party Committee",
    "{nation} Commission for {field}", "International Department of the {nation} Workers' Party",
    "{nation} Academy of Sciences. Institute of {field}", "{city} Bureau of {field}",
)
ORG_FIELDS = ("Foreign Trade", "Heavy Industry", "Agriculture", "Culture", "Education", "Public Security",
              "Railways", "Fisheries", "Light Industry", "Foreign Economic Relations", "Planning",
              "Propaganda", "Shipbuilding", "Geology", "Water Resources", "Labour", "Information")
NATIONS = ("Soviet", "Chinese", "Romanian", "Hungarian", "East German", "Polish", "Czechoslovak", "Bulgarian",
           "Mongolian", "Vietnamese", "North Korean", "Cuban", "Albanian", "Yugoslav", "Japanese", "Turkish")
STATES = ("Socialist Republic of Romania", "Hungarian People's Republic", "Mongolian People's Republic",
          "Czechoslovak Socialist Republic", "People's Republic of Bulgaria", "Democratic Republic of Vietnam",
          "Republic of Turkey", "Kingdom of Afghanistan", "Lao People's Democratic Republic")
ORDINALS = ("First", "Second", "Third", "Fourth", "Fifth", "Sixth", "Seventh", "Tenth", "Twelfth")
KNOWN_CITIES = ("Moscow", "Beijing", "Pyongyang", "Hanoi", "Bucharest", "Belgrade", "Berlin", "Havana",
                "Tokyo", "Ulaanbaatar", "Seoul", "Hà Nội", "București", "P'yŏngyang", "Peking")
PLACE_PARTS = {
    "ru": (("Novo", "Krasno", "Belo", "Ust-", "Verkhne", "Staro", "Nizhne", "Zlato", "Yasno"),
           ("zarechensk", "lesovsk", "gorsk", "sosnovka", "ozyorsk", "kamensk", "polyansk", "borsk",
            "rechye", "dolinsk")),
    "ko": (("Sinp'o", "Kanggye", "Hyesan", "Kilju", "Anju", "Sunch'ŏn", "Tanch'ŏn", "Ch'ŏngdan", "Kŭmya",
            "Yŏnggwang"),
           ("-ri", "-gun", "-dong", "-ŭp", " County", " Workers' District")),
    "zh": (("Huang", "Qing", "Bai", "Dong", "Xi", "Nan", "Jin", "Shui", "Long"),
           ("shanzhen", "hexian", "linzhuang", "pingcun", "quxian", "gouzi", "tanbao")),
    "ro": (("Tănă", "Bâr", "Drago", "Mără", "Vâlce", "Strâmbu", "Cârlo", "Moșo"),
           ("șești", "lădeni", "mirești", "șani", "ureni", "vița", "ieni")),
    "tr": (("Yeşil", "Kara", "Ak", "Çam", "Dağ", "Gök", "Taşlı", "Sarı"),
           ("köyü", "ağaçlı", "dereli", "pınarbaşı", "ovacık", "yayla", "çeşme")),
}
SUBJECT_PLACES = ("Soviet Union", "China", "Korea (North)", "Korea (South)", "Japan", "United States",
                  "Germany (East)", "Romania", "Vietnam", "Cuba", "Poland", "Hungary", "Mongolia", "Albania",
                  "Yugoslavia", "India", "Czechoslovakia", "Bulgaria", "Turkey", "Afghanistan")
SUBJECT_TOPICS = ("Foreign relations", "Politics and government", "Economic conditions", "Military policy",
                  "Foreign economic relations", "Armed Forces", "Boundaries", "Social conditions",
                  "Intellectual life", "Commerce")
SUBJECT_FIXED = ("Korean War, 1950-1953", "Korean War, 1950-1953--Diplomatic history", "Cold War",
                 "Nuclear weapons--Testing", "Nuclear nonproliferation", "Communism--China",
                 "Sino-Soviet split", "Cuban Missile Crisis, 1962", "Vietnam War, 1961-1975--Diplomatic history",
                 "Stalin, Joseph, 1878-1953--Death and burial", "Human rights", "Propaganda, Communist",
                 "Intelligence service--Soviet Union", "Espionage, Soviet", "Economic assistance, Soviet",
                 "Détente", "Korean reunification question (1945- )", "Hungary--History--Revolution, 1956",
                 "Czechoslovakia--History--Intervention, 1968", "Refugees, Korean", "Prisoners of war",
                 "Atomic bomb--Soviet Union", "World politics--1945-1989", "Kim, Il-sung, 1912-1994")
DONORS = ("Leon Levy Foundation", "Henry Luce Foundation", "ROK Ministry of Unification",
          "Carnegie Corporation of New York", "Blavatnik Family Foundation",
          "Chun & Jane Chiu Family Foundation", "MacArthur Foundation", "Korea Foundation",
          "Japan-United States Friendship Commission", "Smith Richardson Foundation")
LANGUAGES = ("Russian", "Chinese", "Korean", "Japanese", "German", "Romanian", "Hungarian", "Polish",
             "Czech", "Bulgarian", "Vietnamese", "Mongolian", "Albanian", "Serbian", "Turkish", "English")
CLASSIFICATIONS = ("Top Secret", "Secret", "Strictly Secret", "Confidential", "For Official Use Only",
                   None, None, None)
ARCHIVE_SIGNATURES = (
    "AVP RF, Fond 0{a}, Opis {b}, Delo {c}, Papka {d}, Listy {e}-{f}",
    "RGANI, Fond 5, Opis {b}, Delo {c}, Listy {e}-{f}",
    "PRC FMA 1{a}-0{c}-0{d}",
    "MfAA, A {c}{d}",
    "AMAE, Telegrams, {city}, {year}, folder {d}",
    "SAPMO-BArch, DY 30/{c}",
    "Diplomatic Archives of the Ministry of Foreign Affairs of Japan, File {year}-0{c}",
    "Archives of the Central Committee, Fond {a}, File {c}/{year}",
)
INVENTED_ARCHIVES = ("Archive of the Ministry of Foreign Affairs of Romania", "Central State Archive, Sofia",
                     "Hungarian National Archives (MNL OL)", "Mongolian Foreign Ministry Archive",
                     "Czech National Archive", "Albanian Central State Archive", "Archiwum Akt Nowych",
                     "State Archive of the Turkish Republic", "Vietnam National Archives Center III")
TRANSLATORS = ("Sergey Radchenko", "Gary Goldberg", "Charles Kraus", "Eliza Gheorghe", "Mircea Munteanu",
               "Jae-Hoon Shim", "Yuki Matsuda", "Ayşe Karaca", "Kinga Szőke", "Oksana Vovk", "Đỗ Minh Tú")
CLAUSES = (
    "the situation along the border remained tense", "the shipment of grain would arrive before the end of the month",
    "the question of unity of action should be settled at the next meeting",
    "the treaty must be ratified by both parliaments", "the negotiations on the trade agreement had reached an impasse",
    "the party organizations had discussed the decree of the plenum",
    "anti-aircraft weapons and specialists were urgently needed",
    "the delegation would leave for the capital on the morning train",
    "the newspapers should not publish the full text of the resolution",
    "the students sent abroad had returned without completing their studies",
    "the harvest in the northern provinces had been poor for the second year",
    "the embassy had not been informed of the decision in advance",
    "the construction of the hydroelectric station was behind schedule",
    "the fraternal parties must avoid open polemics in the press",
    "the loan should be repaid in goods rather than in hard currency",
    "the leadership considered the proposal premature", "the visit should be postponed until the autumn",
    "several officials had been removed from their posts for factionalism",
    "the transit of equipment through the port had been delayed again",
    "the military advisers had been withdrawn without explanation",
    "the joint communiqué would mention neither side by name",
    "the radio broadcasts from the south had to be jammed", "the census figures could not be published",
    "the factory had fulfilled its plan ahead of time", "the talks had been frank and useful",
)
SUBJECTS = ("The Soviet side", "The Chinese comrades", "The Korean comrades", "The delegation", "The Embassy",
            "Our ambassador", "The Ministry", "The Central Committee", "The Politburo", "He", "She",
            "The government", "The first secretary", "The military attaché", "The trade representative")
VERBS = ("stated", "noted", "reported", "stressed", "explained", "emphasized", "pointed out", "proposed",
         "informed us", "remarked", "insisted", "admitted", "replied")
HONORIFICS = ("Comrade", "Cde.", "Ambassador", "Premier", "Chairman", "Minister", "Mr.", "Marshal",
              "Deputy Minister", "Counselor", "General", "Secretary")
RU_TEXT = ("сообщил, что делегация прибудет в Москву в конце месяца",
           "заявил, что вопрос будет рассмотрен на заседании Президиума",
           "подчеркнул необходимость единства действий братских партий",
           "просил передать благодарность советским товарищам за помощь",
           "отметил, что обстановка на границе остаётся напряжённой")
ZH_TEXT = ("中苏两国人民的伟大友谊万岁。", "关于朝鲜问题的会谈纪要。", "请即转告中央并告外交部。",
           "我们同意代表团于下月初启程。", "此件只发至省军级。")
KO_TEXT = ("조선민주주의인민공화국 정부는 이 제안을 지지한다.", "평양에서 회담이 진행되었다.",
           "대표단은 다음 달 초에 출발할 것이다.", "동지들의 형제적 원조에 감사를 드린다.")
JA_TEXT = ("日本政府は中国との国交正常化を望んでいる。", "本件は極秘扱いとされたい。",
           "会談は友好的な雰囲気の中で行われた。")
MARKS = ("[…]", "[sic]", "[[illegible signature]]", "[Translator’s note: the figure is illegible in the original.]",
         "[Handwritten in the margin: “Agree.”]")


@dataclass
class Name:
    printed: str  # as the archive's pills print it ("Zarubov, Ivan", "Kim Il Sung")
    display: str  # as running text prints it ("Ivan Zarubov")
    native: str | None = None  # the same name in its own script, for non-English passages


@dataclass
class Material:
    known: tuple[list[Name], list[Name], list[Name]]  # persons, organizations, places in the table
    invented: tuple[list[Name], list[Name], list[Name]]  # and the same kinds that it does not know
    text_names: dict[str, list[str]]  # kind -> every label and alias in the table (any script)
    rights: tuple[str, str]
    sentences: list[str] = field(default_factory=list)
    sentence_length: float = 120.0


_TITLED = re.compile(r"^(?:Cde|Com|Comrade|comrades|Ambassador|Premier|Chairman|President|Président|Präsident|"
                     r"Prime|Mr|Marshal|Marschall|Chancellor|Filippov|Feng Xi|Fyn-Si)\b", re.I)


def _pill_ok(name: str) -> bool:
    """Values a page can print as pills (short, not a sentence) and CSV can hold (no ``|``)."""
    return (3 <= len(name) <= 100 and not name.endswith((".", "!", "?")) and "|" not in name
            and "\\" not in name and "@" not in name)


def _latin(name: str) -> bool:
    return all(ord(c) < 0x370 or 0x1E00 <= ord(c) <= 0x1EFF for c in name)


def _inverted(label: str) -> str:
    """``Nikita Khrushchev`` -> ``Khrushchev, Nikita`` as the archive prints persons; East Asian
    names stay surname first (``Kim Il Sung`` -> ``Kim, Il Sung``)."""
    words = label.split()
    if len(words) < 2:
        return label
    if fold(words[0]) in surname_first():
        return f"{words[0]}, {' '.join(words[1:])}"
    return f"{words[-1]}, {' '.join(words[:-1])}"


def _known_names() -> tuple[list[Name], list[Name], list[Name], dict[str, list[str]]]:
    persons, organizations, places = [], [], []
    text_names: dict[str, list[str]] = {"person": [], "organization": [], "place": []}
    for row in read_rows(vocab_path("authorities.tsv")):
        kind = (row.get("kind") or "").strip().lower()
        label = (row.get("label") or "").strip()
        aliases = [a.strip() for a in (row.get("aliases") or "").split("|") if a.strip()]
        if kind not in ("person", "organization", "place") or not label:
            continue
        forms = list(dict.fromkeys([label, *aliases]))
        text_names[kind] += [f for f in forms if "\\" not in f and "@" not in f]
        latin = [f for f in forms if _latin(f) and _pill_ok(f)]
        native = next((f for f in forms if not _latin(f)), None)
        if kind == "person":
            for form in latin:
                if " " not in form or _TITLED.match(form):
                    continue  # bare surnames and titled forms ("Premier Zhou") are text forms, not pills
                if "," in form:  # already printed the archive's way ("Satō, Eisaku")
                    persons.append(Name(form, label, native))
                else:
                    inverted = _inverted(form)
                    persons.append(Name(inverted if _pill_ok(inverted) else form, form, native))
        else:
            target = organizations if kind == "organization" else places
            target += [Name(form, form, native) for form in latin if len(form) > 3 or form.isupper()]
    return persons, organizations, places, text_names


def _invented_names(rng: random.Random) -> tuple[list[Name], list[Name], list[Name]]:
    """Names no row of the authority table knows (checked against the index)."""
    index = load_index()
    known = set(index.by_name) | set(index.by_context_name)

    def fresh(name: str) -> bool:
        return fold(name) not in known and _pill_ok(name)

    persons: dict[str, Name] = {}
    while len(persons) < 3_000:
        culture = rng.random()
        if culture < 0.30:
            (given, given_cy), (root, root_cy), (suffix, suffix_cy) = (
                rng.choice(RU_GIVEN), rng.choice(RU_ROOTS), rng.choice(RU_SUFFIXES))
            family = root + suffix
            name = Name(f"{family}, {given}", f"{given} {family}", f"{given_cy} {root_cy}{suffix_cy}")
        elif culture < 0.45:
            (family, family_zh), (a, a_zh), (b, b_zh) = (
                rng.choice(ZH_FAMILY), rng.choice(ZH_SYLLABLES[0::2]), rng.choice(ZH_SYLLABLES[1::2]))
            name = Name(f"{family}, {a}{b}", f"{family} {a}{b}", f"{family_zh}{a_zh}{b_zh}")
        elif culture < 0.60:
            (family, family_ko), (a, a_ko), (b, b_ko) = (
                rng.choice(KO_FAMILY), rng.choice(KO_SYLLABLES[0::2]), rng.choice(KO_SYLLABLES[1::2]))
            name = Name(f"{family}, {a}-{b}", f"{family} {a}-{b}", f"{family_ko}{a_ko}{b_ko}")
        else:
            given_pool, family_pool = LATIN_NAMES[rng.choice(sorted(LATIN_NAMES))]
            given, family = rng.choice(given_pool), rng.choice(family_pool)
            name = Name(f"{family}, {given}", f"{given} {family}")
        if fresh(name.display) and fresh(name.printed):
            persons.setdefault(name.display, name)
    organizations: dict[str, Name] = {}
    while len(organizations) < 800:
        text = rng.choice(ORG_TEMPLATES).format(
            nation=rng.choice(NATIONS), field=rng.choice(ORG_FIELDS).lower(), Field=rng.choice(ORG_FIELDS),
            state=rng.choice(STATES), city=rng.choice(KNOWN_CITIES), ordinal=rng.choice(ORDINALS))
        if fresh(text):
            organizations.setdefault(text, Name(text, text))
    places: dict[str, Name] = {}
    while len(places) < 300:
        heads, tails = PLACE_PARTS[rng.choice(sorted(PLACE_PARTS))]
        text = rng.choice(heads) + rng.choice(tails)
        text = text[0].upper() + text[1:]
        if fresh(text):
            places.setdefault(text, Name(text, text))
    return list(persons.values()), list(organizations.values()), list(places.values())


def _material(seed: int) -> Material:
    rng = random.Random(f"lod-synthetic-material-{seed}")
    known_persons, known_orgs, known_places, text_names = _known_names()
    persons, orgs, places = _invented_names(rng)
    material = Material(known=(known_persons, known_orgs, known_places), invented=(persons, orgs, places),
                        text_names=text_names, rights=_rights_paragraphs())
    material.sentences = [_sentence(rng, material) for _ in range(6_000)]
    material.sentence_length = sum(map(len, material.sentences)) / len(material.sentences) + 1
    return material


def _pick(rng: random.Random, material: Material, kind: int) -> Name:
    """Half from the authority table, half invented. kind: 0 person, 1 organization, 2 place."""
    pool = material.known[kind] if rng.random() < 0.5 else material.invented[kind]
    return rng.choice(pool)


def _sentence(rng: random.Random, material: Material) -> str:
    """One sentence of running text; ~10 % in Russian, Chinese, Korean or Japanese."""
    roll = rng.random()
    if roll < 0.04:
        person = _pick(rng, material, 0)
        who = person.native if person.native and not _latin(person.native) else rng.choice(
            ("Товарищ Заруб" + rng.choice(("ов", "ин")), "Посол", "Тов. Иванов", "Молотов"))
        return f"{who} {rng.choice(RU_TEXT)}."
    if roll < 0.07:
        return f"(Original: “{rng.choice(ZH_TEXT + JA_TEXT)}”)"
    if roll < 0.10:
        return f"[In Korean in the original: {rng.choice(KO_TEXT)}]"
    if roll < 0.22:
        name = rng.choice(material.text_names["person"]) if rng.random() < 0.5 else _pick(rng, material, 0).display
        return f"{rng.choice(HONORIFICS)} {name} {rng.choice(VERBS)} that {rng.choice(CLAUSES)}."
    if roll < 0.30:
        place = rng.choice(material.text_names["place"]) if rng.random() < 0.3 else _pick(rng, material, 2).display
        return f"In {place}, {rng.choice(CLAUSES)}, and {rng.choice(CLAUSES)}."
    if roll < 0.34:
        return rng.choice(MARKS)
    if roll < 0.40:
        return (f"On {rng.randint(1, 28)} {rng.choice(MONTHS)} at {rng.randint(8, 22)}:{rng.choice(('00', '30'))} "
                f"the {rng.choice(NATIONS)} delegation met the {_pick(rng, material, 1).display}.")
    clause = rng.choice(CLAUSES)
    tail = f" and that {rng.choice(CLAUSES)}" if rng.random() < 0.4 else ""
    return f"{rng.choice(SUBJECTS)} {rng.choice(VERBS)} that {clause}{tail}."


# --- one record -----------------------------------------------------------------------------


def _date(rng: random.Random, iso_allowed: bool) -> str | None:
    roll = rng.random()
    year = rng.randint(1945, 1991) if rng.random() < 0.9 else rng.randint(1917, 2005)
    month = rng.randint(1, 12)
    day = rng.randint(1, 28)
    if roll < 0.02:
        return None
    if roll < 0.07:
        return str(year)
    if roll < 0.13:
        return f"{MONTHS[month - 1]} {year}"
    if roll < 0.15:
        return f"{MONTHS[month - 1]}, {year}"
    if roll < 0.20:
        return f"{MONTHS[month - 1]} {day:02d}, {year}"
    if roll < 0.23 and iso_allowed:
        return f"{year}-{month:02d}-{day:02d}"
    return f"{MONTHS[month - 1]} {day}, {year}"


def _body(rng: random.Random, material: Material, people: list[Name], places: list[Name]) -> str:
    target = int(min(BODY_MAX, max(BODY_MIN, rng.lognormvariate(math.log(BODY_MEDIAN), BODY_SIGMA))))
    lines = [rng.choice(("TOP SECRET", "SECRET", "Strictly Secret", "Copy No. 2", "CIPHERED TELEGRAM",
                         f"TELEGRAM No. {rng.randint(10, 999)}.{rng.randint(100, 999)}", "Memorandum"))]
    if people:
        lines.append(f"To: {rng.choice(HONORIFICS)} {people[0].display}")
    own = [f"{rng.choice(HONORIFICS)} {p.display} {rng.choice(VERBS)} that {rng.choice(CLAUSES)}."
           for p in people[:4]]
    own += [f"The talks in {p.display} brought nothing new." for p in places[:2]]
    fixed = sum(map(len, lines)) + sum(len(s) + 1 for s in own) + 40  # header, own sentences, signature
    count = max(1, int((target - fixed) / material.sentence_length))
    sentences = rng.choices(material.sentences, k=count)
    for sentence in own:
        sentences.insert(rng.randrange(len(sentences) + 1), sentence)
    step = rng.choice((1, 2, 3, 4))
    lines += [" ".join(sentences[i:i + step]) for i in range(0, len(sentences), step)]
    if rng.random() < 0.2:
        lines.append(f"No. {rng.randint(1, 99)}-{rng.choice('ABCKSZ')}-{rng.randint(100, 9999)}")
    if people:
        lines.append(f"{rng.choice(('Ambassador', 'Chargé d’affaires', 'Head of Department', 'Secretary'))}, "
                     f"{people[-1].display}")
    return "\n".join(lines)


def _title(rng: random.Random, people: list[Name], places: list[Name], orgs: list[Name]) -> str:
    p1 = people[0].display if people else "the Ambassador"
    p2 = people[1].display if len(people) > 1 else rng.choice(("Kim Il Sung", "Mao Zedong", "Nicolae Ceaușescu"))
    place = places[0].display if places else rng.choice(KNOWN_CITIES)
    org = orgs[0].display if orgs else "the Central Committee"
    nation, city = rng.choice(NATIONS), rng.choice(KNOWN_CITIES)
    return rng.choice((
        f"Telegram from the {nation} Embassy in {city} to the Ministry of Foreign Affairs on a Conversation with {p1}",
        f"Record of Conversation between {p1} and {p2}",
        f"Report by {p1} on the Situation in {place}",
        f"Letter from {p1} to {p2}",
        f"Minutes of the {rng.choice(ORDINALS)} Meeting of the {org}",
        f"Ciphered Telegram No. {rng.randint(100, 9999)}, {p1} to {p2}",
        f"Note on the Visit of the {nation} Delegation to {place}",
        f"Information on the Talks in {place} concerning {rng.choice(ORG_FIELDS)}",
        f"Memorandum of Conversation with {p1} on {rng.choice(SUBJECT_TOPICS)}",
    ))


def _subject(rng: random.Random) -> str:
    roll = rng.random()
    if roll < 0.45:
        a, b = rng.sample(SUBJECT_PLACES, 2)
        return f"{a}--Foreign relations--{b}"
    if roll < 0.70:
        return f"{rng.choice(SUBJECT_PLACES)}--{rng.choice(SUBJECT_TOPICS)}"
    if roll < 0.80:
        start = rng.choice((1945, 1953, 1956, 1960, 1964, 1968, 1976, 1985))
        return f"{rng.choice(SUBJECT_PLACES)}--History--{start}-{start + rng.choice((3, 8, 10))}"
    return rng.choice(SUBJECT_FIXED)


def _record(rng: random.Random, material: Material, index: int, fmt: str) -> dict:
    people = [_pick(rng, material, 0) for _ in range(rng.choice((0, 1, 2, 2, 3, 3, 4, 5, 6, 8)))]
    places = [_pick(rng, material, 2) for _ in range(rng.choice((0, 1, 1, 2, 2, 3, 4, 5)))]
    orgs = [_pick(rng, material, 1) for _ in range(rng.choice((0, 1, 1, 2, 3)))]
    authors = [(_pick(rng, material, 0) if rng.random() < 0.5 else _pick(rng, material, 1)).printed
               for _ in range(rng.choice((0, 1, 1, 1, 2)))]
    contributors = [_pick(rng, material, 0).printed for _ in range(rng.choice((0, 0, 0, 1, 2, 3)))]
    donors = rng.sample(DONORS, rng.choice((1, 1, 1, 2)))
    archive = (_pick(rng, material, 1).display if rng.random() < 0.3 else
               rng.choice(INVENTED_ARCHIVES + ("Archive of Foreign Policy of the Russian Federation",
                                               "Russian State Archive of Contemporary History",
                                               "Diplomatic Archives of the Ministry of Foreign Affairs of Japan",
                                               "German Federal Archives", "National Archives of Ireland")))
    year = rng.randint(1950, 1990)
    signature = rng.choice(ARCHIVE_SIGNATURES).format(
        a=rng.randint(1, 9), b=rng.randint(1, 80), c=rng.randint(10, 999), d=rng.randint(1, 60),
        e=rng.randint(1, 100), f=rng.randint(101, 200), year=year, city=rng.choice(KNOWN_CITIES))
    translator = rng.choice(TRANSLATORS)
    source = rng.choice((f"{signature}. Translated by {translator}.",
                         f"{signature}. Obtained and translated by {translator}.",
                         f"{signature}. Contributed by {rng.choice(TRANSLATORS)} and translated by {translator}."))
    summary_who = people[0].display if people else "The embassy"
    summary = (f"{summary_who} {rng.choice(VERBS)} that {rng.choice(CLAUSES)}"
               + (f", and discusses {rng.choice(SUBJECT_TOPICS).lower()} in {places[0].display}" if places else "")
               + ".")
    number = 100_000 + (index * _ID_STEP) % _ID_SPACE
    return {
        "title": _title(rng, people, places, orgs),
        "original_publication_date": _date(rng, iso_allowed=fmt != "txt"),
        "summary": summary,
        "text_body": _body(rng, material, people, places),
        "authors": authors,
        "associated_people_orgs": [n.printed for n in people] + [n.printed for n in orgs],
        "document_contributors": contributors,
        "associated_places": [n.printed for n in places],
        "subjects_discussed": list(dict.fromkeys(_subject(rng) for _ in range(rng.choice((0, 1, 2, 2, 3, 4, 5))))),
        "source": source,
        "original_archive_title": [archive],
        "language": rng.sample(LANGUAGES, rng.choice((1, 1, 1, 2))),
        "record_id": str(number),
        "donors": donors,
        "rights": "\n".join(material.rights),
        "credits": "This document was made possible with support from " + ", ".join(donors),
        "document_url": f"{URL_PREFIX}{100_000 + (index * _URL_STEP) % _ID_SPACE}",
        "original_classification": rng.choice(CLASSIFICATIONS),
        "original_upload_date": f"{rng.randint(2011, 2024)}-{rng.randint(1, 12):02d}-{rng.randint(1, 28):02d}",
    }


# --- writers ----------------------------------------------------------------------------------


def _jsonl_line(rng: random.Random, record: dict, index: int) -> str:
    values = {"_provenance": {"repo": "lod synthetic benchmark", "file": "synthetic", "table": "documents"},
              "document_url": record["document_url"], "page_number": index // 20 + 1,
              "page_position": index % 20 + 1}
    as_strings = rng.random() < 0.5  # the scraper stored some rows' lists as JSON-encoded strings
    for name, value in record.items():
        if name in LIST_COLUMNS:
            if not value:
                value = None
            elif as_strings:
                value = json.dumps(value)
        values[name] = value
    values["scraped_at"] = f"2025-10-{rng.randint(1, 28):02d}T{rng.randint(0, 23):02d}:{rng.randint(0, 59):02d}:00"
    return json.dumps(values, ensure_ascii=False) + "\n"


def _csv_row(record: dict) -> list[str]:
    row = []
    for name in CSV_COLUMNS:
        value = record[name]
        if isinstance(value, list):
            value = "|".join(value)
        row.append(value or "")
    return row


def _page(record: dict) -> str:
    """The current site's L-B0 capture: one line per block, headings without colons."""
    lines = [record["original_publication_date"], record["title"], record["credits"],
             record["text_body"], record["summary"]]
    if record["authors"]:
        lines += ["Author(s)", *record["authors"]]
    if record["document_contributors"]:
        lines += ["Document Contributors", *record["document_contributors"]]
    lines += ["Associated People & Organizations", *record["associated_people_orgs"]]
    lines += ["Associated Places", *record["associated_places"]]
    lines += ["Associated Topics", *record["subjects_discussed"]]
    lines += ["Document Information", "Source", record["source"], "Original Archive",
              *record["original_archive_title"], "Language", *record["language"],
              "Rights", record["rights"], "Original Uploaded Date", record["original_upload_date"],
              "Record ID", record["record_id"]]
    if record["original_classification"]:
        lines += ["Original Classification", record["original_classification"]]
    return "\n".join(lines) + "\n"


class _Chunks:
    """Files of CHUNK records each: records-0001.jsonl, records-0002.jsonl ..."""

    def __init__(self, folder: Path, extension: str, header: str = ""):
        self.folder, self.extension, self.header = folder, extension, header
        self.paths: list[Path] = []
        self.handle = None
        self.count = 0

    def write(self, text: str) -> None:
        if self.handle is None or self.count == CHUNK:
            self.close()
            path = self.folder / f"records-{len(self.paths) + 1:04d}.{self.extension}"
            self.paths.append(path)
            self.handle = path.open("w", encoding="utf-8", newline="")
            self.handle.write(self.header)
            self.count = 0
        self.handle.write(text)
        self.count += 1

    def close(self) -> None:
        if self.handle is not None:
            self.handle.close()
            self.handle = None


def generate(n: int, folder: Path | str, seed: int = 0, stats: dict | None = None) -> list[Path]:
    """Write ``n`` synthetic records into ``folder``; return the files written (sorted).

    ``stats``, when given, is filled with counts per format, body lengths and bytes.
    """
    folder = Path(folder)
    folder.mkdir(parents=True, exist_ok=True)
    material = _material(seed)
    rng = random.Random(f"lod-synthetic-records-{seed}")
    header_buffer = io.StringIO()
    csv.writer(header_buffer, lineterminator="\n").writerow(CSV_COLUMNS)
    jsonl = _Chunks(folder, "jsonl")
    csvs = _Chunks(folder, "csv", header_buffer.getvalue())
    pages: list[Path] = []
    row_buffer = io.StringIO()
    row_writer = csv.writer(row_buffer, lineterminator="\n")
    counts = {"jsonl": 0, "csv": 0, "txt": 0}
    lengths: list[int] = []
    try:
        for index in range(n):
            roll = rng.random()
            fmt = "jsonl" if roll < SHARES[0][1] else "csv" if roll < SHARES[0][1] + SHARES[1][1] else "txt"
            record = _record(rng, material, index, fmt)
            counts[fmt] += 1
            lengths.append(len(record["text_body"]))
            if fmt == "jsonl":
                jsonl.write(_jsonl_line(rng, record, index))
            elif fmt == "csv":
                row_buffer.seek(0)
                row_buffer.truncate()
                row_writer.writerow(_csv_row(record))
                csvs.write(row_buffer.getvalue())
            else:
                if record["original_publication_date"] is None:
                    record["original_publication_date"] = f"{MONTHS[index % 12]} {1950 + index % 40}"
                path = folder / "pages" / f"record-{record['record_id']}.txt"
                path.parent.mkdir(exist_ok=True)
                path.write_text(_page(record), encoding="utf-8")
                pages.append(path)
    finally:
        jsonl.close()
        csvs.close()
    paths = sorted([*jsonl.paths, *csvs.paths, *pages])
    if stats is not None:
        ordered = sorted(lengths) or [0]
        stats.update({
            "records": n, "jsonl": counts["jsonl"], "csv": counts["csv"], "txt": counts["txt"],
            "files": len(paths), "bytes": sum(p.stat().st_size for p in paths),
            "body_median": ordered[len(ordered) // 2], "body_mean": sum(ordered) / len(ordered),
            "body_over_10k": sum(1 for x in ordered if x > 10_000),
            "body_over_50k": sum(1 for x in ordered if x > 50_000), "body_max": ordered[-1],
        })
    return paths


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description="Write N synthetic archive records.")
    parser.add_argument("n", type=int)
    parser.add_argument("folder")
    parser.add_argument("--seed", type=int, default=0)
    args = parser.parse_args(argv)
    started = time.perf_counter()
    stats: dict = {}
    paths = generate(args.n, args.folder, args.seed, stats)
    print(f"{len(paths)} files, {stats['bytes'] / 1e6:.1f} MB in {time.perf_counter() - started:.1f}s: {stats}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
