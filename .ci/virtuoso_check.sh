#!/usr/bin/env bash
# Bulk-load lod's N-Quads dumps into a private, throw-away Virtuoso and compare
# the per-graph triple counts (and the total) with DIR/manifest.json.
#
#   usage: bash .ci/virtuoso_check.sh DIR
#
# - installs Debian's virtuoso-opensource (non-interactive, without letting the
#   package start its system service) when virtuoso-t / isql-vt are missing;
# - creates a database under a temp dir with its own virtuoso.ini, listening on
#   127.0.0.1 only, on two free ports (SQL/isql and HTTP);
# - ld_dir('<DIR>/dumps', '*.nq.gz', 'http://lod.invalid/default') +
#   rdf_loader_run() + checkpoint, then checks DB.DBA.load_list (state, errors);
# - counts triples per graph with SPARQL through isql-vt, subtracts what the
#   empty database already held, and compares with the manifest's "graphs"
#   maps of the .nq.gz entries (summed over chunk files) and the total.
# Always shuts the server down (trap).  Exit 0 = match, 1 = mismatch or load
# errors, 2 = setup problem (install, server start, timeout).
#
# Environment knobs:
#   VIRTUOSO_LOAD_TIMEOUT   seconds for loading + checkpoint   (default 600)
#   VIRTUOSO_START_TIMEOUT  seconds to wait for the server      (default 120)
#   VIRTUOSO_LOADERS        parallel rdf_loader_run() calls     (default nproc, max 4)
#   VIRTUOSO_BUFFERS        NumberOfBuffers, 8 KiB pages        (default 100000)
#   VIRTUOSO_MAX_LINES      detail lines printed on failure     (default 50)
#   KEEP_VIRTUOSO_TMP=1     keep the temp dir (db, ini, logs) for inspection
set -uo pipefail

DEFAULT_GRAPH=http://lod.invalid/default
LOAD_TIMEOUT=${VIRTUOSO_LOAD_TIMEOUT:-600}
START_TIMEOUT=${VIRTUOSO_START_TIMEOUT:-120}
BUFFERS=${VIRTUOSO_BUFFERS:-100000}
NCPU=$(nproc 2>/dev/null || echo 2)
LOADERS=${VIRTUOSO_LOADERS:-$((NCPU > 4 ? 4 : NCPU))}

say() { echo "virtuoso_check: $*"; }
die() { echo "virtuoso_check: ERROR: $*" >&2; exit 2; }

DIR=${1:-}
[[ -n "$DIR" && -d "$DIR" ]] || { echo "usage: $0 DIR   (a lod export folder)" >&2; exit 2; }
DIR=$(cd "$DIR" && pwd -P)
DUMPS=$DIR/dumps
[[ -f "$DIR/manifest.json" ]] || die "$DIR/manifest.json not found"
[[ -d "$DUMPS" ]] || die "$DUMPS not found"
case $DUMPS in *[,\'\ ]*) die "dump path must not contain commas, quotes or spaces: $DUMPS" ;; esac
command -v python3 >/dev/null 2>&1 || die "python3 is required"
t0=$(date +%s)

# ------------------------------------------------------------- install ---
install_virtuoso() {
    # Debian's virtuoso-opensource-7 postinst runs `invoke-rc.d virtuoso-opensource-7
    # start`, i.e. a system server on 0.0.0.0:1111/8890 with dba/dba, and asks
    # for a DBA password through debconf.  We never want that server: keep it
    # from starting with a temporary policy-rc.d (unless one already exists),
    # leave the password blank (noninteractive frontend) and run our own.
    local guard=""
    export DEBIAN_FRONTEND=noninteractive
    if [[ ! -e /usr/sbin/policy-rc.d ]]; then
        printf '#!/bin/sh\nexit 101\n' >/usr/sbin/policy-rc.d && chmod 755 /usr/sbin/policy-rc.d && guard=1
    fi
    echo "virtuoso-opensource-7 virtuoso-opensource-7/dba-password password" | debconf-set-selections 2>/dev/null || true
    echo "virtuoso-opensource-7 virtuoso-opensource-7/dba-password-again password" | debconf-set-selections 2>/dev/null || true
    say "installing virtuoso-opensource (apt-get) ..."
    local rc=0
    apt-get update -qq >/dev/null 2>&1 || rc=$?
    ((rc == 0)) && { apt-get install -y -qq --no-install-recommends virtuoso-opensource >"${TMPDIR:-/tmp}/virtuoso-apt.log" 2>&1 || rc=$?; }
    [[ -n "$guard" ]] && rm -f /usr/sbin/policy-rc.d
    ((rc == 0)) || { tail -n 20 "${TMPDIR:-/tmp}/virtuoso-apt.log" >&2; die "apt-get install virtuoso-opensource failed"; }
    rm -f "${TMPDIR:-/tmp}/virtuoso-apt.log"
}
if ! command -v virtuoso-t >/dev/null 2>&1 || ! command -v isql-vt >/dev/null 2>&1; then
    install_virtuoso
fi
ISQL=$(command -v isql-vt || true)
[[ -n "$ISQL" ]] || die "isql-vt not found after install"
VERSION=$(dpkg-query -W -f='${Version}' virtuoso-opensource-7-bin 2>/dev/null || echo unknown)

# ---------------------------------------------------------- private db ---
TMP=$(mktemp -d "${TMPDIR:-/tmp}/lod-virtuoso.XXXXXX") || die "mktemp failed"
DB=$TMP/db
mkdir -p "$DB" "$TMP/vsp"
PID=""
cleanup() {
    local rc=$?
    if [[ -n "$PID" ]] && kill -0 "$PID" 2>/dev/null; then
        timeout 20 "$ISQL" "127.0.0.1:$SQL_PORT" dba dba -K >/dev/null 2>&1 || true
        for _ in $(seq 100); do kill -0 "$PID" 2>/dev/null || break; sleep 0.2; done
        if kill -0 "$PID" 2>/dev/null; then
            kill -TERM "$PID" 2>/dev/null; sleep 2
            kill -0 "$PID" 2>/dev/null && kill -KILL "$PID" 2>/dev/null
        fi
        wait "$PID" 2>/dev/null || true
    fi
    if [[ "${KEEP_VIRTUOSO_TMP:-0}" == 1 ]]; then
        echo "virtuoso_check: kept $TMP" >&2
    else
        rm -rf "$TMP"
    fi
    exit "$rc"
}
trap cleanup EXIT
trap 'exit 2' INT TERM

read -r SQL_PORT HTTP_PORT < <(python3 -c '
import socket
socks = []
for _ in range(2):
    s = socket.socket(); s.bind(("127.0.0.1", 0)); socks.append(s)
print(*(s.getsockname()[1] for s in socks))')
[[ -n "${HTTP_PORT:-}" ]] || die "could not pick free ports"

cat >"$DB/virtuoso.ini" <<EOF
; generated by lod .ci/virtuoso_check.sh - private throw-away instance
[Database]
DatabaseFile       = $DB/virtuoso.db
ErrorLogFile       = $DB/virtuoso.log
LockFile           = $DB/virtuoso.lck
TransactionFile    = $DB/virtuoso.trx
xa_persistent_file = $DB/virtuoso.pxa
ErrorLogLevel      = 7
FileExtend         = 200
MaxCheckpointRemap = 2000
Striping           = 0
TempStorage        = TempDatabase

[TempDatabase]
DatabaseFile       = $DB/virtuoso-temp.db
TransactionFile    = $DB/virtuoso-temp.trx
MaxCheckpointRemap = 2000
Striping           = 0

[Parameters]
ServerPort         = 127.0.0.1:$SQL_PORT
DisableUnixSocket  = 1
DisableTcpSocket   = 0
MaxClientConnections = 10
CheckpointInterval = 0
O_DIRECT           = 0
CaseMode           = 2
DirsAllowed        = ., $DUMPS
NumberOfBuffers    = $BUFFERS
MaxDirtyBuffers    = $((BUFFERS * 3 / 4))
ThreadsPerQuery    = $NCPU
AsyncQueueMaxThreads = 10

[HTTPServer]
ServerPort         = 127.0.0.1:$HTTP_PORT
ServerRoot         = $TMP/vsp
MaxClientConnections = 4
ServerThreads      = 4
EnabledDavVSP      = 0
HTTPProxyEnabled   = 0

[SPARQL]
ResultSetMaxRows           = 100000000
MaxQueryCostEstimationTime = 0
MaxQueryExecutionTime      = 0
EOF

( cd "$DB" && exec virtuoso-t +foreground +configfile "$DB/virtuoso.ini" ) >"$TMP/server.out" 2>&1 &
PID=$!

# Run SQL through isql-vt.  isql-vt exits 0 even when a statement fails, so
# output on stderr is what marks a failure.  Statements go through a file:
# isql-vt runs EXEC="..." through a printf-like formatter (%d, %s get eaten) and
# expands $words as macros everywhere unless MACRO_SUBSTITUTION is off.
sql() {  # sql TIMEOUT STATEMENTS...  -> stdout; returns 1 on SQL error
    local to=$1; shift
    SQL_N=$((${SQL_N:-0} + 1))
    local err=$TMP/isql.$SQL_N.$BASHPID.err script=$TMP/isql.$SQL_N.$BASHPID.sql
    # SET lines are line-oriented in isql: keep them on lines of their own
    printf 'SET MACRO_SUBSTITUTION OFF;\nSET BLOBS ON;\n%s\n' "$*" >"$script"
    timeout "$to" "$ISQL" "127.0.0.1:$SQL_PORT" dba dba VERBOSE=OFF BANNER=OFF PROMPT=OFF ECHO=OFF \
        "$script" 2>"$err"
    local rc=$?
    if ((rc == 124)); then echo "isql-vt timed out after ${to}s" >>"$err"; fi
    # any stderr output counts: isql-vt's own complaints (bad SET lines,
    # unknown macros) do not say "*** Error" and skip the statement
    if ((rc != 0)) || [[ -s "$err" ]]; then
        cat "$err" >&2; return 1
    fi
    return 0
}
server_log() { echo "--- virtuoso log (tail) ---" >&2; tail -n 30 "$DB/virtuoso.log" >&2 2>/dev/null; }

deadline=$(($(date +%s) + START_TIMEOUT))
until timeout 10 "$ISQL" "127.0.0.1:$SQL_PORT" dba dba VERBOSE=OFF BANNER=OFF PROMPT=OFF EXEC="select 1;" >/dev/null 2>&1; do
    if ! kill -0 "$PID" 2>/dev/null; then server_log; PID=""; die "virtuoso-t exited during start-up"; fi
    if (($(date +%s) > deadline)); then server_log; die "virtuoso-t did not answer within ${START_TIMEOUT}s"; fi
    sleep 0.5
done
say "server $VERSION up on 127.0.0.1:$SQL_PORT (sql) / 127.0.0.1:$HTTP_PORT (http) after $(($(date +%s) - t0))s"

COUNT_QUERY='SPARQL SELECT ?g (COUNT(*) AS ?n) WHERE { GRAPH ?g { ?s ?p ?o } } GROUP BY ?g;'
sql 120 "$COUNT_QUERY" >"$TMP/before.txt" || { server_log; die "baseline count query failed"; }

# ----------------------------------------------------------------- load ---
t1=$(date +%s)
sql 60 "ld_dir('$DUMPS', '*.nq.gz', '$DEFAULT_GRAPH');" || { server_log; die "ld_dir failed"; }
deadline=$(($(date +%s) + LOAD_TIMEOUT))
pids=()
for ((i = 0; i < LOADERS; i++)); do
    sql "$LOAD_TIMEOUT" "rdf_loader_run();" >/dev/null &
    pids+=($!)
done
load_ok=1
for p in "${pids[@]}"; do wait "$p" || load_ok=0; done
((load_ok)) || { server_log; die "rdf_loader_run() failed or timed out (VIRTUOSO_LOAD_TIMEOUT=${LOAD_TIMEOUT}s)"; }
left=$((deadline - $(date +%s))); ((left < 30)) && left=30
sql "$left" "checkpoint;" >/dev/null || { server_log; die "checkpoint failed"; }
say "loaded with $LOADERS loader(s) + checkpoint in $(($(date +%s) - t1))s"

sql 60 "SELECT concat('LL|', cast(ll_state AS varchar), '|', ll_file, '|', replace(replace(coalesce(ll_error, ''), chr(10), ' '), chr(13), ' ')) FROM DB.DBA.load_list;" \
    >"$TMP/load_list.txt" || { server_log; die "reading DB.DBA.load_list failed"; }
sql 300 "$COUNT_QUERY" >"$TMP/after.txt" || { server_log; die "count query failed"; }

# -------------------------------------------------------------- compare ---
python3 - "$DIR" "$DUMPS" "$TMP" "$DEFAULT_GRAPH" "$(($(date +%s) - t0))" <<'PY'
import glob, json, os, re, sys
d, dumps, tmp, default_graph, secs = sys.argv[1:6]
row = re.compile(r"^(\S+)\s+(\d+)\s*$")

def counts(name):
    out, junk = {}, []
    with open(os.path.join(tmp, name), encoding="utf-8", errors="replace") as fh:
        for line in fh:
            line = line.rstrip("\n")
            if not line.strip():
                continue
            m = row.match(line)
            if m:
                out[m.group(1)] = int(m.group(2))
            else:
                junk.append(line)
    if junk:
        print(f"virtuoso_check: ERROR: unparsable isql output in {name}: {junk[0][:200]!r}", file=sys.stderr)
        sys.exit(2)
    return out

problems = []
manifest = json.load(open(os.path.join(d, "manifest.json"), encoding="utf-8"))
want, want_total, listed = {}, 0, set()
for e in manifest.get("files", []):
    p = os.path.normpath(os.path.join(d, e.get("path", "")))
    if not p.endswith(".nq.gz"):
        continue
    listed.add(p)
    want_total += int(e.get("triples", 0))
    graphs = e.get("graphs")
    if not isinstance(graphs, dict):
        problems.append(f"manifest entry {e.get('path')} has no graphs map")
        continue
    if sum(graphs.values()) != e.get("triples"):
        problems.append(f"manifest entry {e.get('path')}: graphs sum {sum(graphs.values())} != triples {e.get('triples')}")
    for g, n in graphs.items():
        g = g.strip()
        if g.startswith("<") and g.endswith(">"):  # tolerate "<iri>" keys
            g = g[1:-1]
        want[g] = want.get(g, 0) + int(n)

on_disk = {os.path.normpath(p) for p in glob.glob(os.path.join(dumps, "*.nq.gz"))}
for p in sorted(on_disk - listed):
    problems.append(f"{os.path.relpath(p, d)} is in dumps/ (and was loaded) but not in manifest.json")
for p in sorted(listed - on_disk):
    problems.append(f"{os.path.relpath(p, d)} is in manifest.json but not a *.nq.gz file in dumps/")

ll = {}
for line in open(os.path.join(tmp, "load_list.txt"), encoding="utf-8", errors="replace"):
    if line.startswith("LL|"):
        _, state, rest = line.rstrip("\n").split("|", 2)
        f, _, err = rest.partition("|")
        ll[os.path.normpath(f)] = (int(state), err.strip())
for p in sorted(on_disk):
    if p not in ll:
        problems.append(f"{os.path.relpath(p, d)} was not registered by ld_dir")
any_err = any(err for _, err in ll.values())
for p, (state, err) in sorted(ll.items()):
    if err:
        problems.append(f"load error in {os.path.relpath(p, d)}: {err[:300]}")
    elif state != 2:
        hint = (" - Virtuoso leaves the file loaded just before a failing one at ll_state=1;"
                " its data was loaded" if any_err else "")
        problems.append(f"{os.path.relpath(p, d)} not finished by the loader (ll_state={state}){hint}")

before, after = counts("before.txt"), counts("after.txt")
got = {g: after.get(g, 0) - before.get(g, 0) for g in after}
got = {g: n for g, n in got.items() if n}
mism = []
for g in sorted(want):
    if got.get(g, 0) != want[g]:
        mism.append(f"graph <{g}>: manifest {want[g]}, virtuoso {got.get(g, 0)}")
extra = sorted(g for g in got if g not in want)
for g in extra:
    what = "quads without a graph (default graph)" if g == default_graph else "graph not in manifest.json"
    mism.append(f"graph <{g}>: {got[g]} triples loaded, {what}")
got_total = sum(got.get(g, 0) for g in want)

details = problems + mism
limit = int(os.environ.get("VIRTUOSO_MAX_LINES", "50"))
for p in details[:limit]:
    print("  " + p)
if len(details) > limit:
    print(f"  ... and {len(details) - limit} more (VIRTUOSO_MAX_LINES={limit})")
ok = not problems and not mism and got_total == want_total
summary = (f"{len(want)} graphs, {got_total} triples in virtuoso vs {want_total} in manifest "
           f"({len(on_disk)} .nq.gz files, {secs}s)")
if ok:
    print(f"virtuoso_check: OK - {summary}")
    sys.exit(0)
print(f"virtuoso_check: FAIL - {len(mism)} graph mismatches, {len(problems)} load/manifest problems; {summary}")
if mism and not problems:
    print("virtuoso_check: note: Virtuoso stores each distinct quad once and maps literals to values "
          "(\"01\"/\"1\"^^xsd:integer, 1.0/1 decimal, @EN/@en, Z/+00:00 collapse) - see .ci/ci_notes.md")
sys.exit(1)
PY
