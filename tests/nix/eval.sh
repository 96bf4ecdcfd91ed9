#!/bin/bash
# Evaluates the flake, package, launchers and modules with nixpkgs' lib
# (tests/nix/eval.nix) and prints each check.
#   NIXPKGS_LIB=DIR tests/nix/eval.sh [SOURCE_ROOT]
# DIR is a checkout of nixpkgs' lib: the nix-community/nixpkgs.lib
# repository (or a nixpkgs checkout), or its lib/ folder itself.
# Prints "N passed, N failed"; exit 77 (skipped, not passed) without
# nix-instantiate or NIXPKGS_LIB; 1 on any failure.
set -u
root=${1:-$(cd "$(dirname "$0")/../.." && pwd)}
here=$(cd "$(dirname "$0")" && pwd)
if ! command -v nix-instantiate >/dev/null; then
	echo "skipped: nix-instantiate not found; install it with: apt-get install nix-bin"
	exit 77
fi
if [ -z "${NIXPKGS_LIB:-}" ]; then
	echo "skipped: NIXPKGS_LIB is not set; the modules need nixpkgs' lib to be evaluated:"
	echo "  git clone https://github.com/nix-community/nixpkgs.lib /tmp/nixpkgs-lib"
	echo "  NIXPKGS_LIB=/tmp/nixpkgs-lib bash tests/nix/eval.sh"
	exit 77
fi
for lib in "$NIXPKGS_LIB/lib" "$NIXPKGS_LIB"; do
	[ -f "$lib/default.nix" ] && [ -f "$lib/modules.nix" ] && break
done
if ! [ -f "$lib/modules.nix" ]; then
	echo "FAIL: NIXPKGS_LIB=$NIXPKGS_LIB holds no nixpkgs lib (no lib/modules.nix); point it at a nixpkgs.lib checkout"
	echo "0 passed, 1 failed"
	exit 1
fi
if ! command -v jq >/dev/null; then
	echo "FAIL: jq not found (apt-get install jq): it reads the results"
	echo "0 passed, 1 failed"
	exit 1
fi
lib=$(cd "$lib" && pwd)
export NIX_CONFIG="build-users-group ="
export XPU_NIX_LIB="$lib" # for tests/nix/fake-nixpkgs (the flake's nixpkgs input)
errors=$(mktemp)
trap 'rm -f "$errors"' EXIT
# --readonly-mode: evaluation only, nothing is written to (or read from) a store
if ! results=$(nix-instantiate --readonly-mode --eval --strict --json "$here/eval.nix" \
	--argstr libPath "$lib" --argstr root "$root" 2>"$errors"); then
	echo "FAIL: the evaluation stopped:"
	grep -v '^warning: ' "$errors" | sed 's/^/  /'
	echo "0 passed, 1 failed"
	exit 1
fi
jq -r '.[] | if .ok then "ok: \(.name)" else "FAIL: \(.name)\n  got: \(.detail)" end' <<<"$results"
passed=$(jq '[.[] | select(.ok)] | length' <<<"$results")
failed=$(jq '[.[] | select(.ok | not)] | length' <<<"$results")
echo "nixpkgs lib: $lib ($(cat "$lib/.version" 2>/dev/null || echo 'version unknown'))"
echo "$passed passed, $failed failed"
[ "$failed" = 0 ] && [ "$passed" -gt 0 ]
