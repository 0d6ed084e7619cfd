#!/bin/sh
# Runs a test program as an ordinary user (nobody), so the integration tests
# also prove that Éclat works unprivileged, in a user namespace (issue 6).
#   unprivileged.sh PROGRAM [COMPANION...] [-- ARGS...]
# The program and its companions (the node binaries it starts from beside
# itself) are copied into a fresh directory the user can read: the build
# tree may sit under a home directory nobody else may enter. Run as an
# ordinary user already, the program runs as is.
set -eu
prog="$1"; shift
companions=""
while [ $# -gt 0 ] && [ "$1" != "--" ]; do companions="$companions $1"; shift; done
[ $# -gt 0 ] && shift
if [ "$(id -u)" -ne 0 ]; then exec "$prog" "$@"; fi
command -v setpriv >/dev/null || { echo "setpriv (util-linux) is missing"; exit 1; }
dir=$(mktemp -d /tmp/eclat-unpriv.XXXXXX)
trap 'rm -rf "$dir"' EXIT
cp "$prog" $companions "$dir/"
chmod -R a+rX "$dir"
work="$dir/work"
mkdir "$work" && chown 65534:65534 "$work"
cd "$work"
# Not exec: the trap removes the copies afterwards.
HOME="$work" TMPDIR="$work" setpriv --reuid=65534 --regid=65534 --clear-groups \
  "$dir/$(basename "$prog")" "$@"
