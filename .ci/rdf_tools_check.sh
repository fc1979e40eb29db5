#!/usr/bin/env bash
# Validate a lod export folder with two independent RDF parsers.
#
#   usage: bash .ci/rdf_tools_check.sh DIR
#
# Checks
#   DIR/dumps/*.nt.gz  gzip integrity, `rapper -i ntriples -c`, `serdi -i ntriples`
#   DIR/dumps/*.nq.gz  gzip integrity, `rapper -i nquads -c`,   `serdi -i nquads`
#   DIR/**/*.ttl       `rapper -i turtle -c`, `serdi -i turtle`
#   DIR/**/*.jsonld    well-formed JSON only (no JSON-LD parser in raptor/serd)
# For every file the statement counts of rapper and serdi must agree (serdi
# 0.30.16 can stop early on some bad N-Quads lines and still exit 0).  When
# DIR/manifest.json exists, each dump file must be listed there with the same
# byte size, sha256 and triple count, and every listed file must exist
# (SKIP_MANIFEST=1 turns that off).
#
# Prints one line per failed file and a final "N files ok, M failed" line;
# exit status 1 if anything failed, 2 on usage/setup errors.
# Installs raptor2-utils and serdi with apt-get when missing.
# JOBS=n sets the parallelism (default: number of CPUs).
set -uo pipefail

# ---------------------------------------------------------------- worker ---
# Internal mode: check one file, print exactly one line "OK<TAB>file" or
# "FAIL<TAB>file: reason".  Called through xargs by the main part below.
if [[ "${1:-}" == "--one" ]]; then
    kind=$2 f=$3 expected=${4:--}
    err=$(mktemp) || exit 2
    trap 'rm -f "$err"' EXIT
    fail() { printf 'FAIL\t%s: %s\n' "$f" "$1"; exit 0; }
    firstline() { grep -m1 -E "$1" "$err" | cut -c1-300; }
    case $kind in
        nt) fmt=ntriples ;;
        nq) fmt=nquads ;;
        ttl) fmt=turtle ;;
        *) fail "unknown kind $kind" ;;
    esac
    if [[ $kind == ttl ]]; then
        rapper -i turtle -c "$f" >/dev/null 2>"$err"; rc=$?
        ((rc == 0)) || fail "rapper -i turtle (exit $rc): $(firstline 'Error|Warning' || true)"
        rcount=$(sed -n 's/.*Parsing returned \([0-9]*\) triple.*/\1/p' "$err")
        scount=$(serdi -i turtle -o ntriples "$f" 2>"$err" | wc -l); rc=$?
        ((rc == 0)) || fail "serdi -i turtle (exit $rc): $(head -n1 "$err" | cut -c1-300)"
    else
        gzip -t "$f" 2>"$err" || fail "gzip -t: $(grep -m1 . "$err" | cut -c1-300)"
        uri="file://$f"
        gzip -dc "$f" | rapper -i "$fmt" -c - "$uri" >/dev/null 2>"$err"; rc=$?
        ((rc == 0)) || fail "rapper -i $fmt (exit $rc): $(firstline 'Error|Warning' || true)"
        rcount=$(sed -n 's/.*Parsing returned \([0-9]*\) triple.*/\1/p' "$err")
        # serdi writes one statement per line for N-Triples/N-Quads output
        scount=$(gzip -dc "$f" | serdi -i "$fmt" -o "$fmt" - 2>"$err" | wc -l); rc=$?
        ((rc == 0)) || fail "serdi -i $fmt (exit $rc): $(head -n1 "$err" | cut -c1-300)"
    fi
    [[ -n "$rcount" ]] || fail "could not read rapper's triple count"
    ((rcount == scount)) || fail "rapper counted $rcount statements but serdi $scount"
    if [[ "$expected" != "-" ]] && ((rcount != expected)); then
        fail "manifest says $expected triples, parsers found $rcount"
    fi
    printf 'OK\t%s\n' "$f"
    exit 0
fi

# ------------------------------------------------------------------ main ---
DIR=${1:-}
if [[ -z "$DIR" || ! -d "$DIR" ]]; then
    echo "usage: $0 DIR   (a lod export folder)" >&2
    exit 2
fi
DIR=$(cd "$DIR" && pwd -P)
SELF=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd -P)/$(basename "${BASH_SOURCE[0]}")
start=$(date +%s)

missing=()
command -v rapper >/dev/null 2>&1 || missing+=(raptor2-utils)
command -v serdi >/dev/null 2>&1 || missing+=(serdi)
if ((${#missing[@]})); then
    echo "installing ${missing[*]} ..." >&2
    export DEBIAN_FRONTEND=noninteractive
    aptlog=$(mktemp)
    if ! { apt-get update -qq >"$aptlog" 2>&1 &&
           apt-get install -y -qq --no-install-recommends "${missing[@]}" >>"$aptlog" 2>&1; }; then
        tail -n 20 "$aptlog" >&2
        echo "error: apt-get install ${missing[*]} failed" >&2
        rm -f "$aptlog"
        exit 2
    fi
    rm -f "$aptlog"
fi
command -v python3 >/dev/null 2>&1 || { echo "error: python3 is required" >&2; exit 2; }

work=$(mktemp -d) || exit 2
trap 'rm -rf "$work"' EXIT

# File list: kind <TAB> absolute path <TAB> expected triples (or -)
# plus manifest-level failures, all produced by one python3 run.
SKIP_MANIFEST=${SKIP_MANIFEST:-0} python3 - "$DIR" >"$work/list" 2>"$work/pyerr" <<'PY'
import hashlib, json, os, sys
d = sys.argv[1]
skip = os.environ.get("SKIP_MANIFEST") == "1"
files = []
for root, dirs, names in os.walk(d):
    dirs.sort()
    for n in sorted(names):
        p = os.path.join(root, n)
        rel = os.path.relpath(p, d)
        if rel.startswith("dumps" + os.sep) and n.endswith(".nt.gz"):
            files.append(("nt", rel))
        elif rel.startswith("dumps" + os.sep) and n.endswith(".nq.gz"):
            files.append(("nq", rel))
        elif n.endswith(".ttl"):
            files.append(("ttl", rel))
        elif n.endswith(".jsonld"):
            files.append(("jsonld", rel))
expected, manifest = {}, None
mpath = os.path.join(d, "manifest.json")
if not skip:
    try:
        with open(mpath, encoding="utf-8") as fh:
            manifest = json.load(fh)
        entries = manifest["files"]
    except Exception as e:  # noqa: BLE001
        print(f"M\t{mpath}\tFAIL\t{mpath}: unreadable manifest ({type(e).__name__}: {e})")
        entries = []
    for e in entries:
        rel = os.path.normpath(str(e.get("path", "")))
        p = os.path.join(d, rel)
        if not os.path.isfile(p):
            print(f"M\t{p}\tFAIL\t{p}: listed in manifest.json but missing")
            continue
        problems = []
        size = os.path.getsize(p)
        if e.get("bytes") != size:
            problems.append(f"manifest bytes {e.get('bytes')} != actual {size}")
        h = hashlib.sha256()
        with open(p, "rb") as fh:
            for block in iter(lambda: fh.read(1 << 20), b""):
                h.update(block)
        if e.get("sha256") != h.hexdigest():
            problems.append("sha256 differs from manifest")
        if rel.endswith(".nq.gz"):
            g = e.get("graphs")
            if not isinstance(g, dict) or sum(g.values()) != e.get("triples"):
                problems.append("graphs counts missing or not summing to triples")
        if problems:
            print(f"M\t{p}\tFAIL\t{p}: " + "; ".join(problems))
        expected[rel] = e.get("triples")
for kind, rel in files:
    p = os.path.join(d, rel)
    if kind == "jsonld":
        try:
            with open(p, encoding="utf-8") as fh:
                json.load(fh)
            print(f"J\t{p}\tOK\t{p}")
        except Exception as e:  # noqa: BLE001
            print(f"J\t{p}\tFAIL\t{p}: not well-formed JSON ({e})")
        continue
    exp = "-"
    if kind in ("nt", "nq") and manifest is not None:
        if rel in expected:
            exp = str(expected[rel])
        else:
            print(f"M\t{p}\tFAIL\t{p}: dump file not listed in manifest.json")
    print(f"{kind}\t{p}\t{exp}")
PY
if [[ -s "$work/pyerr" ]] || ! [[ -s "$work/list" ]]; then
    cat "$work/pyerr" >&2
    [[ -s "$work/list" ]] || { echo "error: no dump, .ttl or .jsonld files found under $DIR" >&2; exit 2; }
fi

# Direct results (manifest and JSON checks)
awk -F'\t' '$1=="M" || $1=="J" {print $3 "\t" $4}' "$work/list" >"$work/results"
# Parser checks, in parallel; NUL-separated argument triples for xargs
awk -F'\t' '$1=="nt" || $1=="nq" || $1=="ttl" {printf "%s%c%s%c%s%c", $1, 0, $2, 0, $3, 0}' "$work/list" |
    xargs -0 -r -n3 -P "${JOBS:-$(nproc 2>/dev/null || echo 2)}" bash "$SELF" --one >>"$work/results"

# A file counts once: failed if any of its checks failed
python3 - "$work/results" "$(($(date +%s) - start))" <<'PY'
import sys
status, reasons = {}, []
for line in open(sys.argv[1], encoding="utf-8", errors="replace"):
    line = line.rstrip("\n")
    if not line:
        continue
    st, _, rest = line.partition("\t")
    if st == "OK":
        status.setdefault(rest, True)
    else:
        f = rest.split(": ", 1)[0]
        status[f] = False
        reasons.append(rest)
for r in sorted(reasons):
    print("FAIL " + r)
ok = sum(1 for v in status.values() if v)
bad = len(status) - ok
print(f"rdf_tools_check: {len(status)} files checked in {sys.argv[2]}s")
print(f"{ok} files ok, {bad} failed")
sys.exit(1 if bad else 0)
PY
