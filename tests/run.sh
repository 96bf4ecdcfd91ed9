#!/bin/bash
# Builds xpu (and, once per checkout, llama.cpp's llama-server: see
# tests/llm/llama.sh) and runs the whole test suite: the README's test command.
#   tests/run.sh [BUILD_DIR] [extra meson setup options...]
# Prints one closing line "N passed, N failed, N skipped (NAMES)" summing
# every test program (cmocka cases and the checks of the shell tests): a
# skipped check or test is named and counted apart, never as passed. Exits
# non-zero on any failure or when nothing ran.
set -u
cd "$(dirname "$0")/.."
build=${1:-build}
shift || true
# nixpkgs' lib and the upstream NixOS modules the flake's modules extend
# (tests/nix/eval.sh), kept beside the checkout: every Nix check runs.
if [ -z "${NIXPKGS_LIB:-}" ] && [ -d ../shared/fixtures/nixpkgs/lib ]; then
	NIXPKGS_LIB=$(cd ../shared/fixtures/nixpkgs && pwd)
	export NIXPKGS_LIB
fi
if [ ! -d "$build" ]; then
	meson setup "$build" -Dwerror=true "$@" || exit 1
fi
ninja -C "$build" || exit 1
# llama.cpp's llama-server for the test of `xpu bench llm` against a real
# engine: built once per checkout in build-llama/ (minutes), reused after;
# XPU_LLAMA=off skips the build, and that test then says SKIP.
if [ "${XPU_LLAMA:-on}" != off ]; then
	bash tests/llm/llama.sh ensure || { echo "tests/run.sh: llama.cpp did not build (XPU_LLAMA=off skips it)"; exit 1; }
fi
meson test -C "$build" --print-errorlogs --num-processes 2
status=$?
log="$build/meson-logs/testlog.txt"
# cmocka: "[  PASSED  ] N test(s)." / "[  FAILED  ] N test(s), listed below:" /
# "[  SKIPPED ] NAME" (once: not again in cmocka's closing list); tests/lib.sh: "N passed, N failed[, N skipped]" and
# "skip - NAME (WHY)"; meson: a test that exits 77 has "result: exit status 77".
summary=$(awk '
	/^test: / { test = $2; for (i = 3; i <= NF; i++) test = test " " $i }
	/^result: +exit status 77$/ { s++; names = names sep "test " test; sep = "; " }
	/^\[  PASSED  \] [0-9]+ test/ { p += $4 }
	/^\[  FAILED  \] [0-9]+ test\(s\), listed/ { f += $4 }
	/^\[==========\]/ { listing = 0 }
	/^\[  SKIPPED \] [0-9]+ test\(s\), listed below:/ { listing = 1 }
	!listing && /^\[  SKIPPED \] [^0-9]/ { s++; sub(/^\[  SKIPPED \] /, ""); names = names sep $0; sep = "; " }
	/^[0-9]+ passed, [0-9]+ failed(, [0-9]+ skipped)?$/ { p += $1; f += $3 }
	/^skip - / { s++; sub(/^skip - /, ""); names = names sep $0; sep = "; " }
	END { printf "%d %d %d %s\n", p, f, s, names }' "$log")
read -r passed failed skipped names <<<"$summary"
# A test program that crashed, or that UBSan stopped ("runtime error:"),
# prints no summary, and one that meson killed at its timeout none either:
# each counts as a failure, so that the line never says "0 failed" when the
# exit status says otherwise.
crashed=$(grep -c '^==[0-9]*==ERROR\|Segmentation fault\|: runtime error: ' "$log" || true)
timed_out=$(grep -cE '^result: +(timed out|killed by signal)' "$log" || true)
failed=$((failed + crashed + timed_out))
echo "$passed passed, $failed failed, $skipped skipped${names:+ ($names)}"
[ "$status" = 0 ] && [ "$failed" = 0 ] && [ "$passed" -gt 0 ]
