#!/usr/bin/env bash
# The malformed-input battery (ctest test "bad_input"): every case of
# tests/bad_input/cases.tsv runs eclat on bad input and checks what the
# README promises for it: exit 3 (or the case's own code), a message naming
# the culprit, and nothing started or created.
#
#   bash tests/bad_input.sh ECLAT_BINARY SOURCE_DIR [CASE_NAME_PATTERN]
#
# Each case runs `timeout 20 eclat ARGS` from a fresh, empty working
# directory, with a results directory that does not exist yet, and passes
# when (a) the exit code is the expected one, (b) stdout+stderr contain the
# culprit, (c) nothing was created: the results directory is absent or
# empty, the working directory is still empty, the inputs are unchanged, and
# the host has no new network namespace (ip netns list), no new interface
# (ip -o link) and no new miroir-node, miroir-orchestrator or etcd process
# of this battery's runs (marked with, or working in, its scratch directory).
# It prints a FAIL line per failing case and "N of M cases as expected", and
# exits non-zero when any case fails. A third argument (a bash regex) runs
# only the cases whose names match it.
#
# The inputs (tests/bad_input/inputs/) are copied to a scratch directory
# first, so that a case that writes beside its input cannot touch the source
# tree; the large and binary inputs (deep nesting, invalid UTF-8, a 200 001
# line history) are generated there at test time.
#
# Safety: ECLAT_BIN_DIR points at a directory holding only `eclat` (for
# eclat suite), no miroir-node or miroir-orchestrator, so a case that is
# wrongly accepted fails at its first node instead of running a chaos test.
# The lab itself lives in private namespaces either way.
set -uo pipefail

if [[ $# -lt 2 ]]; then
  echo "usage: $0 ECLAT_BINARY SOURCE_DIR [CASE_NAME_PATTERN]" >&2
  exit 2
fi
eclat=$(realpath "$1") || exit 2
src=$(realpath "$2") || exit 2
only="${3:-}"
battery="$src/tests/bad_input"
manifest="$battery/cases.tsv"
[[ -x "$eclat" ]] || { echo "bad_input: $eclat is not an executable" >&2; exit 2; }
[[ -f "$manifest" ]] || { echo "bad_input: no $manifest" >&2; exit 2; }

top=$(mktemp -d "${TMPDIR:-/tmp}/eclat-bad-input.XXXXXX") || exit 2
# BAD_INPUT_KEEP=1 keeps the scratch directory (inputs, generated files) to look at.
if [[ -n "${BAD_INPUT_KEEP:-}" ]]; then echo "bad_input: scratch directory $top" >&2; else trap 'rm -rf "$top"' EXIT; fi

# --- a bin directory with eclat alone (see "Safety" above)
mkdir -p "$top/bin"
ln -s "$eclat" "$top/bin/eclat"
export ECLAT_BIN_DIR="$top/bin"

# --- the inputs: the committed ones plus the generated ones, kept pristine
repeat() { awk -v s="$1" -v n="$2" 'BEGIN { for (i = 0; i < n; i++) printf "%s", s }'; }

generate() {  # $1: the directory that gets gen/
  local g="$1/gen"
  mkdir -p "$g/runs" "$g/emptydir"
  local o50=$(repeat '[' 50000) c50=$(repeat ']' 50000)
  local o60=$(repeat '[' 60000) c60=$(repeat ']' 60000)
  local inv='{"index":0,"type":"invoke","process":0,"f":"add","value":0,"time":1000}'
  local okv='{"index":1,"type":"ok","process":0,"f":"add","value":0,"time":2000}'
  local rd='{"index":2,"type":"invoke","process":0,"f":"read","time":5000}'
  local rdok='{"index":3,"type":"ok","process":0,"f":"read","value":[0],"time":6000}'
  local winv='{"index":0,"type":"invoke","process":0,"f":"write","key":"0","value":1,"time":1000}'
  local wok='{"index":1,"type":"ok","process":0,"f":"write","key":"0","value":1,"time":2000}'

  # scenarios
  printf '{"nemesis": %s"kill"%s}\n' "$o50" "$c50" >"$g/deep-nemesis.json"
  printf '{"set": {"shards": %s1%s}}\n' "$(repeat '{"a":' 50000)" "$(repeat '}' 50000)" >"$g/deep-set.json"
  printf '{"triggers": %s{"on": "at:1", "fault": "kill"}%s}\n' "$o50" "$c50" >"$g/deep-triggers.json"
  printf '{\n  "nodes": 1%s\n}\n' "$(repeat 0 100000)" >"$g/huge-digits.json"
  printf '{\n  "name": "badutf8",\n  "description": "caf\xe9 au lait \xff\xfe"\n}\n' >"$g/badutf8.json"
  printf '{"name": "%s", "time-limit": 1}\n' "$(repeat a 100000)" >"$g/long-name.json"

  # JSON Lines histories
  printf '%s\n{"index":1,"type":"ok","process":0,"f":"add","value":%s0%s,"time":2000}\n%s\n%s\n' \
    "$inv" "$o60" "$c60" "$rd" "$rdok" >"$g/deep.jsonl"
  printf '%s\n{"index":1,"type":"ok","process":0,"f":"write","key":"0","value":%s1%s,"time":2000}\n' \
    "$winv" "$o60" "$c60" >"$g/reg-deep.jsonl"
  printf '%s\n{"index":1,"type":"invoke","process":1,"f":"add","value":1%s,"time":1500}\n%s\n%s\n%s\n' \
    "$inv" "$(repeat 0 100000)" "$okv" "$rd" "$rdok" >"$g/longnum.jsonl"
  printf '%s\n{"index":1,"type":"info","process":0,"f":"add","value":0,"time":2000,"error":"timeout \xff\xfe \xc3\x28"}\n%s\n%s\n' \
    "$inv" "$rd" "$rdok" >"$g/badutf8.jsonl"
  printf '%s\n{"index":1,"type":"ok","process":0,"f":"write","key":"\xff\xfe","value":1,"time":2000}\n' \
    "$winv" >"$g/reg-badutf8.jsonl"
  printf '%s\n{"index":1,"type":"info","process":0,"f":"add","value":0,"time":2000,"error":"a\0b"}\n%s\n%s\n' \
    "$inv" "$rd" "$rdok" >"$g/nul.jsonl"
  # 200 000 good lines, a cut line 200 001, a good read after it
  awk 'BEGIN {
    for (i = 0; i < 100000; i++) {
      printf "{\"index\":%d,\"type\":\"invoke\",\"process\":0,\"f\":\"add\",\"value\":%d,\"time\":%d}\n", 2*i, i, 1000*(2*i+1)
      printf "{\"index\":%d,\"type\":\"ok\",\"process\":0,\"f\":\"add\",\"value\":%d,\"time\":%d}\n", 2*i+1, i, 1000*(2*i+2)
    }
    printf "{\"index\":200000,\"type\":\"invoke\",\"process\":0,\"f\":\"re\n"
    printf "{\"index\":200001,\"type\":\"invoke\",\"process\":1,\"f\":\"read\",\"time\":999999999}\n"
  }' >"$g/big.jsonl"

  # EDN and Porcupine logs
  printf '{:index 0, :type :invoke, :process 0, :f :write, :key "0", :value 1, :time 1000}\n{:index 1, :type :ok, :process 0, :f :write, :key "0", :value %s1%s, :time 2000}\n' \
    "$o60" "$c60" >"$g/deep.edn"
  printf '{:index 0, :type :invoke, :process 0, :f :write, :key "0", :value 1, :time 1000}\n{:index 1, :type :ok, :process 0, :f :write, :key "\xff\xfe", :value 1, :time 2000}\n' \
    >"$g/badutf8.edn"
  printf 'INFO  jepsen.util - 1\t:invoke\t:write\t1\nINFO  jepsen.util - 1\t:ok\t:write\t%s1%s\n' "$o60" "$c60" >"$g/deep.log"
  printf 'INFO  jepsen.util - 1\t:invoke\t:write\t"a"\nINFO  jepsen.util - 1\t:ok\t:write\t"\xff\xfe"\n' >"$g/badutf8.log"

  # run directories
  local good="$1/runs/good" r
  for r in faults-deep faults-badutf8 scenario-deep; do
    mkdir -p "$g/runs/$r"
    cp "$good/scenario.json" "$good/faults.jsonl" "$good/history.jsonl" "$g/runs/$r/"
  done
  printf '{"t": 0.5, "f": "start-kill", "value": %s"n1"%s, "source": "nemesis"}\n' "$o60" "$c60" \
    >"$g/runs/faults-deep/faults.jsonl"
  printf '{"t": 0.5, "f": "start-kill", "value": {"nodes": ["n1"]}, "source": "nemesis"}\n{"t": 1.5, "f": "stop-kill", "value": {"nodes": ["n\xff\xfe"]}, "source": "nemesis"}\n' \
    >"$g/runs/faults-badutf8/faults.jsonl"
  printf '{"name": "fake-run", "seed": 7, "workload": %s"set"%s}\n' "$o60" "$c60" \
    >"$g/runs/scenario-deep/scenario.json"
}

pristine="$top/pristine"
in="$top/in"
cp -a "$battery/inputs" "$pristine" || exit 2
generate "$pristine"
cp -a "$pristine" "$in"

tree_state() { (cd "$1" && find . -printf '%p %y %s %T@ %m\n' | LC_ALL=C sort); }
host_state() {
  echo "netns:"; ip netns list 2>/dev/null | awk '{print $1}' | LC_ALL=C sort
  echo "links:"; ip -o link 2>/dev/null | awk -F': ' '{print $2}' | LC_ALL=C sort
  # Node processes of this battery's runs only (others, say of a concurrent
  # ctest, are not ours to report): their run mark (ECLAT_RUN, the run
  # directory) or their working directory lies under the scratch directory.
  # comm is cut at 15 characters: miroir-orchestrator is "miroir-orchestr".
  echo "processes:"
  local pid comm
  while read -r pid comm; do
    if tr '\0' '\n' <"/proc/$pid/environ" 2>/dev/null | grep -qF "$top" ||
       [[ "$(readlink "/proc/$pid/cwd" 2>/dev/null)" == "$top"* ]]; then
      echo "$pid $comm"
    fi
  done < <(ps -e -o pid=,comm= | awk '$2 == "miroir-node" || $2 ~ /^miroir-orchestr/ || $2 == "etcd"') | LC_ALL=C sort
}
in_before=$(tree_state "$in")
host_before=$(host_state)

# --- the cases
subst() { local s="$1"; s="${s//@IN@/$in}"; s="${s//@RESULTS@/$results}"; s="${s//@WORK@/$work}"; printf '%s' "$s"; }
total=0 passed=0 n=0
declare -A seen=()
while IFS=$'\t' read -r name code culprit argline || [[ -n "${name:-}" ]]; do
  [[ -z "$name" || "$name" == \#* ]] && continue
  if [[ -n "${seen[$name]:-}" ]]; then echo "bad_input: case $name appears twice in $manifest" >&2; exit 2; fi
  seen[$name]=1
  [[ -n "$only" && ! "$name" =~ $only ]] && continue
  n=$((n + 1))
  total=$((total + 1))
  case_dir="$top/cases/$n"
  work="$case_dir/work"
  results="$case_dir/results"
  mkdir -p "$work"
  argline=$(subst "${argline:-}")
  culprit=$(subst "$culprit")
  code="${code:-3}"
  if ! eval "args=($argline)" 2>/dev/null; then
    echo "bad_input: case $name: cannot split its arguments" >&2; exit 2
  fi

  # The outer subshell reaps eclat, so a crash is reported here, not by bash.
  ( (cd "$work" && exec timeout -k 5 20 "$eclat" "${args[@]}" </dev/null >"$case_dir/out" 2>&1); exit $? ) 2>/dev/null
  rc=$?
  out=$(tr -d '\0' <"$case_dir/out")

  problems=()
  if [[ $rc -eq 124 || $rc -eq 137 ]]; then problems+=("timed out after 20 s (exit $rc)")
  elif [[ $rc -gt 128 ]]; then problems+=("crashed: signal $((rc - 128)) (exit $rc), expected exit $code")
  elif [[ $rc -ne $code ]]; then problems+=("exit $rc, expected $code")
  fi
  named=0
  IFS=$'\x1f' read -r -a alternatives <<<"${culprit//||/$'\x1f'}"
  for alt in "${alternatives[@]}"; do
    all=1
    IFS=$'\x1f' read -r -a needles <<<"${alt//;;/$'\x1f'}"
    for needle in "${needles[@]}"; do
      [[ "$out" == *"$needle"* ]] || { all=0; break; }
    done
    ((all)) && { named=1; break; }
  done
  ((named)) || problems+=("output does not name ${culprit//$top/…}")
  if [[ -e "$results" ]] && [[ -n "$(ls -A "$results" 2>/dev/null)" || ! -d "$results" ]]; then
    problems+=("created in the results dir: $(cd "$results" 2>/dev/null && find . -mindepth 1 -maxdepth 3 | head -5 | tr '\n' ' ')")
  fi
  if [[ -n "$(ls -A "$work")" ]]; then
    problems+=("created in the working dir: $(cd "$work" && find . -mindepth 1 -maxdepth 3 | head -5 | tr '\n' ' ')")
  fi
  in_after=$(tree_state "$in")
  if [[ "$in_after" != "$in_before" ]]; then
    changed=$(diff <(echo "$in_before") <(echo "$in_after") | grep '^[<>]' | awk '{print $2}' | sort -u | head -5 | tr '\n' ' ')
    problems+=("changed or created beside the inputs: $changed")
    rm -rf "$in" && cp -a "$pristine" "$in"
    in_before=$(tree_state "$in")
  fi
  host_after=$(host_state)
  if [[ "$host_after" != "$host_before" ]]; then
    new=$(diff <(echo "$host_before") <(echo "$host_after") | grep '^>' | cut -c3- | tr '\n' ' ')
    [[ -n "$new" ]] && problems+=("new on the host (namespace, interface or process): $new")
    host_before="$host_after"
  fi

  if [[ ${#problems[@]} -eq 0 ]]; then
    passed=$((passed + 1))
    # BAD_INPUT_VERBOSE=1: the passing cases' output too, to review the messages.
    [[ -n "${BAD_INPUT_VERBOSE:-}" ]] && printf 'ok   %s (exit %s): %s\n' "$name" "$rc" "$(printf '%s' "$out" | LC_ALL=C tr -c '[:print:]' ' ' | cut -c1-200 | sed "s|$top|…|g")"
  else
    reasons=$(IFS='; '; echo "${problems[*]}")
    shown=$(printf '%s' "$out" | LC_ALL=C tr -c '[:print:]' ' ' | cut -c1-300)
    printf 'FAIL %s [%s]: %s | output: %s\n' "$name" "${argline//$top/…}" "$reasons" "${shown//$top/…}"
  fi
  rm -rf "$case_dir"
done <"$manifest"

echo "$passed of $total cases as expected"
[[ $total -gt 0 && $passed -eq $total ]]
