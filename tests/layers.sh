#!/bin/bash
# The include rule of docs/design.md ("Layers"), checked on the source tree:
# every `#include "..."` in src/ and include/ must be one the table allows,
# and a `*_int.h` header is included only from its own folder.  The table is
# read from docs/design.md itself, so the rule and the check cannot drift.
# Then the check is run on a copy of the tree with a forbidden include
# planted, and must fail: a checker that passes everything proves nothing.
#   tests/layers.sh [SOURCE_ROOT]
set -u
root=${1:-$(cd "$(dirname "$0")/.." && pwd)}
. "$(dirname "$0")/lib.sh"

# "folder allowed..." lines from the table between the layers markers.
rules() {
	sed -n '/<!-- layers:begin -->/,/<!-- layers:end -->/p' "$1/docs/design.md" |
		grep '^| `' | sed 's/`//g; s/|/ /g; s/nothing else//; s/^ *//; s/ *$//' |
		awk '{ printf "%s", $1; for (i = 2; i <= NF; i++) printf " %s", $i; print "" }'
}

# check_tree ROOT: prints one line per violation; exits 1 when there is one.
# One awk pass over every include line: the table first, then "file:line:text".
check_tree() {
	local tree=$1 table
	table=$(rules "$tree")
	[ -n "$table" ] || { echo "no layers table in $tree/docs/design.md"; return 2; }
	local files
	files=$(find "$tree/src" "$tree/include" -name '*.[ch]' | sort)
	{
		sed 's/^/FILE /' <<<"$files"
		# shellcheck disable=SC2086 # one file name per word: the tree has no spaces
		grep -Hn '^[[:space:]]*#[[:space:]]*include[[:space:]]*"' $files | sed 's/^/INC /'
	} | awk -v tree="$tree/" -v table="$table" '
	BEGIN {
		n = split(table, rows, "\n")
		for (i = 1; i <= n; i++) {
			k = split(rows[i], w, " ")
			known[w[1]] = 1
			allowed[w[1]] = ""
			for (j = 2; j <= k; j++) allowed[w[1]] = allowed[w[1]] " " w[j]
		}
	}
	function folder(file,   rel) { rel = substr(file, length(tree) + 1); sub(/\/[^\/]*$/, "", rel); return rel }
	$1 == "FILE" {
		f = folder($2)
		if (!(f in known)) { print $2 ": folder " f " is not in the layers table of docs/design.md"; bad = 1 }
		next
	}
	$1 == "INC" {
		rest = substr($0, 5)
		split(rest, p, ":"); file = p[1]; line = p[2]
		inc = rest; sub(/^[^"]*"/, "", inc); sub(/".*$/, "", inc)
		f = folder(file); short = f; sub(/.*\//, "", short)
		if (!(f in known)) next
		if (inc == "config.h") next
		if (index(inc, "/") == 0) { print file ":" line ": includes " inc ", which names no layer"; bad = 1; next }
		target = inc; sub(/\/.*/, "", target)
		if (inc ~ /_int\.h$/ && target != short) { print file ":" line ": includes " inc ", private to src/" target; bad = 1; next }
		if (target == short) next
		if (index(allowed[f] " ", " " target " ") == 0) {
			print file ":" line ": includes " inc ", but " f " may include only:" (allowed[f] == "" ? " nothing else" : allowed[f]); bad = 1
		}
	}
	END { exit bad }'
}

out=$(check_tree "$root")
status=$?
[ -n "$out" ] && echo "$out" | sed 's/^/  /'
check "every include in src/ and include/ is allowed by docs/design.md's layers table" \
	test "$status" = 0

# A planted violation must be caught: base including core, sys including the
# public model, and a capability including another's private header.
plant() {
	local what=$1 file=$2 line=$3 tmp
	tmp=$(mktemp -d)
	cp -r "$root/src" "$root/include" "$tmp/"
	mkdir -p "$tmp/docs" && cp "$root/docs/design.md" "$tmp/docs/"
	sed -i "1i $line" "$tmp/$file"
	local got rc
	got=$(check_tree "$tmp")
	rc=$?
	check "a planted forbidden include is caught and named ($what)" \
		test "$rc" = 1 -a "$(grep -c "^$tmp/$file:1: includes" <<<"$got")" = 1
	rm -rf "$tmp"
}
plant "base -> core" src/base/util.c '#include "core/cache.h"'
plant "sys -> xpu" src/sys/sys.c '#include "xpu/xpu.h"'
plant "runtimes -> core" src/runtimes/cuda.c '#include "core/pci.h"'
plant "cli -> core" src/cli/main.c '#include "core/cache.h"'
plant "bench -> doctor's private header" src/bench/bench.c '#include "doctor/doctor_int.h"'
plant "doctor -> telemetry" src/doctor/report.c '#include "telemetry/pmu.h"'

# Controls: an allowed include passes; a new folder the table does not name fails.
tmp=$(mktemp -d)
cp -r "$root/src" "$root/include" "$tmp/" && mkdir -p "$tmp/docs" && cp "$root/docs/design.md" "$tmp/docs/"
sed -i '1i #include "base/util.h"' "$tmp/src/core/json.c"
got=$(check_tree "$tmp"); rc=$?
check "an allowed include (core -> base) passes" test "$rc" = 0 -a -z "$got"
mkdir -p "$tmp/src/newfolder" && echo '#include "base/util.h"' >"$tmp/src/newfolder/x.c"
got=$(check_tree "$tmp")
check "a folder the table does not name is refused" grep -q 'src/newfolder is not in the layers table' <<<"$got"
rm -rf "$tmp"
finish
