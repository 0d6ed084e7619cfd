#!/bin/bash
# Builds the seed corpora of the fuzz targets from the project's own test
# data: OUT/<target>/ for every target (default OUT: build-fuzz/corpus).
#   tests/fuzz/seeds.sh [OUT]
# Sources: tests/scenarios/ (scenarios), ../shared/data/histories/ (Jepsen
# etcd logs, EDN key-value histories), tests/bad_input/ (the malformed-input
# battery: histories, scenarios, run directories, eclat test arguments),
# results/*/ (recorded runs, if any), a few JSON Lines histories written
# here (the documented shape, history/history.hpp), and the regression
# corpus tests/fuzz/regressions/<target>/. Seeds are copied, never moved; a
# seed over 1 MB is left out (libFuzzer's -max_len is far below).
set -euo pipefail
cd "$(dirname "$0")/../.."
OUT=${1:-build-fuzz/corpus}
SHARED=${ECLAT_SHARED_DIR:-../shared}
HIST=$SHARED/data/histories
BAD=tests/bad_input
targets="fuzz_history fuzz_edn fuzz_fast_parse fuzz_set_history fuzz_scenario fuzz_args fuzz_faults"
for t in $targets; do mkdir -p "$OUT/$t"; done

n=0
put() {  # put TARGET FILE [PREFIX-BYTE-OCTAL]: FILE (prefixed) as a seed of TARGET
  local t=$1 f=$2 prefix=${3:-}
  [ -f "$f" ] || return 0
  [ "$(stat -c %s "$f")" -le 1048576 ] || return 0
  n=$((n + 1))
  local dest="$OUT/$t/seed-$(printf %04d $n)-$(basename "$f" | tr -c 'A-Za-z0-9._-' _)"
  if [ -n "$prefix" ]; then
    { printf "\\$prefix"; cat "$f"; } >"$dest"
  else
    cp "$f" "$dest"
  fi
}

# JSON Lines histories in the documented shape: a set run with a nemesis,
# a register, a truncated tail, the shapes the fast path leaves to nlohmann.
gen=$(mktemp -d)
trap 'rm -rf "$gen"' EXIT
cat >"$gen/set.jsonl" <<'EOF'
{"index":0,"type":"invoke","process":0,"f":"add","value":0,"time":1000}
{"index":1,"type":"invoke","process":"nemesis","f":"start-kill","value":{"nodes":["n2"]},"time":1500}
{"index":2,"type":"ok","process":0,"f":"add","value":0,"time":2000}
{"index":3,"type":"invoke","process":1,"f":"add","value":1,"time":3000}
{"index":4,"type":"info","process":1,"f":"add","value":1,"time":4000,"error":"timeout"}
{"index":5,"type":"info","process":"nemesis","f":"start-kill","value":{"nodes":["n2"]},"time":4500}
{"index":6,"type":"invoke","process":0,"f":"read","time":5000}
{"index":7,"type":"ok","process":0,"f":"read","value":[0,1,"x",{"a":[1.5,null]},-3,18446744073709551615],"time":6000}
{"index":8,"type":"invoke","process":2,"f":"add","value":[1,2],"time":7000}
{"index":9,"type":"fail","process":2,"f":"add","value":[1,2],"time":8000}
EOF
cat >"$gen/register.jsonl" <<'EOF'
{"index":0,"type":"invoke","process":0,"f":"write","key":"k1","value":3,"time":10}
{"index":1,"type":"invoke","process":1,"f":"read","key":"k1","time":11}
{"index":2,"type":"ok","process":0,"f":"write","key":"k1","value":3,"time":12}
{"index":3,"type":"ok","process":1,"f":"read","key":"k1","value":3,"time":13}
{"index":4,"type":"invoke","process":0,"f":"cas","key":"k1","value":[3,4],"time":14}
{"index":5,"type":"fail","process":0,"f":"cas","key":"k1","value":[3,4],"time":15}
{"index":6,"type":"invoke","process":1,"f":"read","key":2,"time":16}
{"index":7,"type":"ok","process":1,"f":"read","key":2,"value":null,"time":17}
EOF
printf '%s\n%s\n%s' '{"type":"invoke","process":0,"f":"add","value":7}' \
  '{"type":"ok","process":0,"f":"add","value":7,"key":null,"error":null}' \
  '{"type":"invoke","process":1,"f":"ad' >"$gen/truncated.jsonl"
printf '%s\r\n\n  \t\n%s\n' '{ "f" : "add" , "process" : 3 , "type" : "invoke" , "value" : 1e2 , "extra" : true }' \
  '{"type":"ok","process":3,"f":"add","value":"\u00e9\ud83d\ude00","time":-1,"index":9223372036854775807}' \
  >"$gen/shapes.jsonl"

# History targets: every history; fuzz_history's first byte picks the
# format (0 JSON Lines, 1 EDN, 2 etcd log, 3 detected).
for f in "$gen"/*.jsonl "$BAD"/inputs/hist/*.jsonl results/*/history.jsonl; do
  put fuzz_history "$f" 000; put fuzz_history "$f" 003
  put fuzz_fast_parse "$f"; put fuzz_set_history "$f"
done
for f in "$HIST"/porcupine/kv/*.txt "$BAD"/inputs/hist/*.edn; do put fuzz_history "$f" 001; put fuzz_history "$f" 003; done
for f in "$HIST"/porcupine/jepsen/*.log "$BAD"/inputs/hist/*.log; do put fuzz_history "$f" 002; done
# The EDN reader: the EDN histories, and one file per syntax element.
for f in "$HIST"/porcupine/kv/*.txt "$BAD"/inputs/hist/*.edn; do put fuzz_edn "$f"; done
i=0
while IFS= read -r line; do
  i=$((i + 1))
  printf '%s' "$line" >"$gen/edn-$i.edn"
  put fuzz_edn "$gen/edn-$i.edn"
done <<'EOF'
#jepsen.history.Op{:index 0, :time 12, :type :invoke, :process 0, :f :write, :value 1}
({:type :invoke, :process 0, :f :cas, :value [3 [1 2]]} ; a comment
 #_ {:discarded 1} {:type :ok, :process 0, :f :cas, :value [3 [1 2]]})
[nil true false 0 -7 +5 42N 123456789012345678901234567890N 0x1F 2.5 1e3 1.5M 1/2 -6/4 ##Inf ##NaN]
"t\tr\rn\nq\"b\\s\bf\f \u00e9 \ud83d\ude00 é"
[\a \newline \space \tab \return \u00e9 \é \o101 \( \\]
{:a 1, "b" 2, 3 4, [5] 6, nil 7, #{1 2} #:user{:a 1, :b/c 2, :_/d 3}}
#inst "2026-12-07T10:00:00.000-00:00" #uuid "f81d4fae-7dec-11d0-a765-00a0c91e6bf6"
#object[java.lang.Exception 0x1f "boom"] #my/tag {:a 1} #knossos.model.CASRegister{:value 3}
[[[[[[[[[[[[[[[[1]]]]]]]]]]]]]]]]
sym a.b/c + - ... <=> *x* !y? -z / :kw :ns/kw
EOF

# Scenarios: the project's, the battery's, recorded runs' scenario.json.
for f in tests/scenarios/*.json tests/scenarios/*/*.json "$BAD"/inputs/scen/*.json "$BAD"/inputs/runs/*/scenario.json \
         results/*/scenario.json; do
  put fuzz_scenario "$f"
done

# Fault logs: the battery's run directories, recorded runs, and one with
# every field (the fixed scenario of fuzz_faults has two triggers).
cat >"$gen/faults.jsonl" <<'EOF'
{"t": 0.5, "f": "start-kill", "value": {"nodes": ["n1"], "targets": "one"}, "source": "nemesis"}
{"t": 1.5, "f": "stop-kill", "value": {"nodes": ["n1"]}, "source": "nemesis"}
{"t": 2.0, "f": "start-partition", "value": {"grudge": {"n1": ["n2", "n3"]}}, "source": "nemesis"}
{"t": 5.0, "f": "start-pause", "value": {"nodes": ["n2"]}, "source": "trigger 1"}
{"t": 7.0, "f": "stop-pause", "value": null, "source": "trigger 1"}
{"t": 8.0, "f": "start-loss", "value": {"nodes": ["n3"]}, "source": "trigger 2", "error": "boom"}
{"t": 15.0, "f": "stop-partition", "value": {}, "source": "nemesis", "note": "end of the main phase"}
{"t": 15.1, "f": "heal-kill", "source": "nemesis"}
EOF
for f in "$gen/faults.jsonl" "$BAD"/inputs/runs/*/faults.jsonl results/*/faults.jsonl; do put fuzz_faults "$f"; done

# eclat test arguments: the battery's `test` cases, NUL-separated (quotes
# unwrapped, placeholders made plain words), and the project's defaults.
grep -P '^[a-z0-9-]+\t\d\t[^\t]*\ttest( |$)' "$BAD/cases.tsv" | cut -f4 | while IFS= read -r line; do
  line=${line//@RESULTS@/results}; line=${line//@IN@/in}; line=${line//@WORK@/work}
  eval "set -- ${line#test}" 2>/dev/null || continue
  n=$((n + 1))
  : >"$OUT/fuzz_args/seed-args-$n"
  for a in "$@"; do printf '%s\0' "$a" >>"$OUT/fuzz_args/seed-args-$n"; done
done
printf '%s\n' --system miroir --workload set --nemesis kill,partition --nodes 3 --time-limit 30 --concurrency 10 \
  --rate 500 --seed 1 --results results --bug ack-before-durable --checker lost-writes --name x --expected valid \
  --set nemesis-interval=2 >"$OUT/fuzz_args/seed-defaults"
printf '%s\n' --nemesis none --set nemesis-duration=1.5 --seed 18446744073709551615 >"$OUT/fuzz_args/seed-none"

# The regressions: every finding so far (they are inputs like any other).
for t in $targets; do
  for f in tests/fuzz/regressions/$t/*; do put "$t" "$f"; done
done
for t in $targets; do echo "$t: $(ls "$OUT/$t" | wc -l) seeds in $OUT/$t"; done
