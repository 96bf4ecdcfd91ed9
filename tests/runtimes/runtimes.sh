#!/bin/bash
# The runtime table as users meet it: every runtime of `xpu list --json` is
# named by --help, by xpu(1) and by the message for an unknown one, and
# --runtimes takes it; XPU_DEBUG=timing times each probe and all of them,
# side by side or (XPU_DEBUG=serial) one after another.  No timing is
# asserted.
# Usage: runtimes.sh XPU_BINARY SOURCE_DIR
set -u
XPU=$1
SRC=$2
TMP=$(mktemp -d /tmp/xpu-runtimes-XXXXXX)
trap 'rm -rf "$TMP"' EXIT
export XPU_CACHE_DIR=
. "$SRC/tests/lib.sh"

"$XPU" --no-runtimes list --json >"$TMP/list.json"
mapfile -t names < <(jq -r '.runtimes | keys_unsorted[]' "$TMP/list.json")
check "list --json names six runtimes" test "${#names[@]}" = 6
"$XPU" --help >"$TMP/help"
"$XPU" --runtimes=bogus list >/dev/null 2>"$TMP/bogus"
check "--runtimes=bogus exits 2" test $? = 2
for name in "${names[@]}"; do
	check "--help lists $name for --runtimes" grep -q "some of .*\\b$name\\b" "$TMP/help"
	check "xpu(1) lists $name for --runtimes" grep -q "^\\.BR\\? $name\\( [;,]\\)\\?\$" "$SRC/doc/xpu.1"
	check "the unknown-runtime message lists $name" grep -q "runtimes: .*\\b$name\\b" "$TMP/bogus"
	"$XPU" --runtimes="$name" --no-cache list --json >"$TMP/one.json"
	check "--runtimes=$name probes $name alone" \
		jq -e --arg n "$name" '[.runtimes | to_entries[] | select(.key != $n) | .value.reason]
			| all(. == "not_probed")' "$TMP/one.json"
done

for mode in timing serial,timing; do
	XPU_DEBUG=$mode "$XPU" --no-cache list >/dev/null 2>"$TMP/timing"
	for name in "${names[@]}"; do
		check "XPU_DEBUG=$mode times $name" grep -q "^xpu: timing: $name  *[0-9.]* ms\$" "$TMP/timing"
	done
	check "XPU_DEBUG=$mode times all runtimes" grep -q "^xpu: timing: runtimes (wall)  *[0-9.]* ms\$" "$TMP/timing"
done
finish
