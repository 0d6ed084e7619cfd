#!/usr/bin/env bash
# The house's layers (docs/architecture.md), checked on the sources: every
# project include of a folder may name only the folders below it, the
# framework names no system under test (outside comments), and miroir/ (the
# stand-in) includes nothing of the harness. Run by ctest (test "layering").
set -uo pipefail
root="${1:-$(dirname "$0")/..}"
cd "$root" || exit 2

declare -A allowed=(
  [core]="core"
  [history]="core history"
  [generator]="core history generator"
  [cluster]="core history cluster"
  [nemesis]="core history generator cluster nemesis"
  [workloads]="core history generator cluster workloads"
  [checker]="core history generator checker"
  [cli]="core history generator cluster nemesis workloads checker cli"
)
framework="core history generator cluster nemesis workloads checker cli"
fail=0

# includes of "folder/..." in the given files, as "file:line:folder"
includes() {
  grep -HnoE '^[[:space:]]*#[[:space:]]*include[[:space:]]+"[A-Za-z0-9_]+/' "$@" 2>/dev/null |
    sed -E 's/#[[:space:]]*include[[:space:]]+"([A-Za-z0-9_]+)\//\1/; s/:[[:space:]]*/:/2'
}
sources() { find "$@" -type f \( -name '*.cpp' -o -name '*.hpp' -o -name '*.h' \); }

for layer in $framework; do
  while IFS=: read -r file line target; do
    [ -z "$file" ] && continue
    case " ${allowed[$layer]} " in
      *" $target "*) ;;
      *) echo "layering: $file:$line: $layer/ includes $target/ (allowed: ${allowed[$layer]})"; fail=1 ;;
    esac
  done < <(includes $(sources "$layer"))
done

# A pack: the framework, itself, and its own system's sources (miroir/ for
# systems/miroir, generated etcd/ protocol headers for systems/etcd); never
# another pack.
for pack in systems/*/; do
  name=$(basename "$pack")
  while IFS=: read -r file line target; do
    [ -z "$file" ] && continue
    case " $framework tests $name " in
      *" $target "*) ;;
      *) if [ "$target" = systems ]; then
           grep -n '#include "systems/' "$file" | grep -v "\"systems/$name/" | sed "s|^|layering: $file: includes another pack: |" && fail=1
         else
           echo "layering: $file:$line: pack $name includes $target/"; fail=1
         fi ;;
    esac
  done < <(includes $(sources "$pack"))
done

# miroir/ is the system under test: its own folders only.
while IFS=: read -r file line target; do
  [ -z "$file" ] && continue
  [ "$target" = miroir ] || { echo "layering: $file:$line: miroir/ includes $target/ (the stand-in links nothing of the harness)"; fail=1; }
done < <(includes $(sources miroir))

# The framework names no system: a mention of miroir or etcd outside a
# comment (C++ // or CMake #) is a system-specific part in a generic folder.
while IFS= read -r hit; do
  code=$(printf '%s' "$hit" | cut -d: -f3-)
  stripped=$(printf '%s' "$code" | sed -E 's/^[[:space:]]+//')
  case "$stripped" in
    //*|\#*|\**) continue ;;
  esac
  before=${code%%[Mm][Ii][Rr][Oo][Ii][Rr]*}
  before=${before%%[Ee][Tt][Cc][Dd]*}
  case "$before" in *//*) continue ;; esac
  echo "layering: ${hit%%:*}: the framework names a system: $stripped"; fail=1
done < <(grep -rniE 'miroir|etcd' $framework --include='*.cpp' --include='*.hpp' --include='CMakeLists.txt')

[ $fail -eq 0 ] && echo "layering: ok (framework: $framework; packs: $(ls systems | tr '\n' ' '))"
exit $fail
