#!/bin/bash
# The Nix checks: evaluates the flake, the package, the launchers and the
# modules with nixpkgs' lib and nixpkgs' own NixOS modules
# (tests/nix/eval.nix), prints each check, then feeds what the modules
# generate to its consumers.
#   NIXPKGS_LIB=DIR tests/nix/eval.sh [SOURCE_ROOT [XPU_BINARY]]
# DIR is a nixpkgs checkout, or ../shared/fixtures/nixpkgs (nixpkgs' lib and
# the upstream modules; the default when it is beside the checkout).
# Prints "N passed, N failed, N skipped" (tests/lib.sh); exit 77 (skipped,
# not passed) without nix-instantiate or nixpkgs; 1 on any failure.
set -u
root=$(cd "${1:-$(dirname "$0")/../..}" && pwd)
xpu=${2:-}
here=$(cd "$(dirname "$0")" && pwd)
. "$root/tests/lib.sh"
if ! command -v nix-instantiate >/dev/null; then
	echo "skipped: nix-instantiate not found; install it with: apt-get install nix-bin"
	exit 77
fi
if [ -z "${NIXPKGS_LIB:-}" ] && [ -d "$root/../shared/fixtures/nixpkgs/lib" ]; then
	NIXPKGS_LIB=$root/../shared/fixtures/nixpkgs
fi
if [ -z "${NIXPKGS_LIB:-}" ]; then
	echo "skipped: NIXPKGS_LIB is not set and ../shared/fixtures/nixpkgs is absent; the modules"
	echo "need nixpkgs' lib and its NixOS modules to be evaluated: point NIXPKGS_LIB at a nixpkgs checkout"
	exit 77
fi
nixpkgs=$(cd "$NIXPKGS_LIB" && pwd)
[ -f "$nixpkgs/lib/modules.nix" ] || [ ! -f "$nixpkgs/modules.nix" ] || nixpkgs=$(cd "$nixpkgs/.." && pwd)
for f in lib/modules.nix nixos/modules/services/misc/ollama.nix nixos/modules/services/misc/comfyui.nix nixos/modules/hardware/graphics.nix; do
	if ! [ -f "$nixpkgs/$f" ]; then
		not_ok "NIXPKGS_LIB=$NIXPKGS_LIB holds nixpkgs' $f (point it at a nixpkgs checkout or ../shared/fixtures/nixpkgs)"
		finish
	fi
done
if ! command -v jq >/dev/null; then
	not_ok "jq is installed (apt-get install jq): it reads the results"
	finish
fi
export NIX_CONFIG="build-users-group ="
export XPU_NIX_LIB="$nixpkgs/lib" # for tests/nix/fake-nixpkgs (the flake's nixpkgs input)
TMP=$(mktemp -d /tmp/xpu-nix-XXXXXX)
trap 'rm -rf "$TMP"' EXIT
# --readonly-mode: evaluation only, nothing is written to (or read from) a store
evaluate() { # EXPR (over `r`, the result of eval.nix) -> JSON on stdout
	nix-instantiate --readonly-mode --eval --strict --json \
		-E "{ nixpkgs, root }: let r = import $here/eval.nix { inherit nixpkgs root; }; in $1" \
		--argstr nixpkgs "$nixpkgs" --argstr root "$root" 2>"$TMP/errors"
}
report() { # reads {name, ok, detail} objects
	while IFS=$'\t' read -r good name detail; do
		if [ "$good" = true ]; then ok "$name"; else not_ok "$name"; echo "  got: $detail"; fi
	done < <(jq -r '.[] | [.ok, .name, .detail] | @tsv')
}
echo "nixpkgs: $nixpkgs (lib $(cat "$nixpkgs/lib/.version" 2>/dev/null || echo 'version unknown'))"
if evaluate r >"$TMP/results.json"; then
	report < <(jq .checks "$TMP/results.json")
else
	# an evaluation error (not a throw) stops the whole evaluation: evaluate
	# each check alone, to say which one fails and why
	if ! n=$(evaluate "builtins.length r.checks"); then
		grep -v '^warning: ' "$TMP/errors" | sed 's/^/  /'
		not_ok "the flake, the package and the modules evaluate"
		finish
	fi
	for ((i = 0; i < n; i++)); do
		if evaluate "[ (builtins.elemAt r.checks $i) ]" >"$TMP/one.json"; then
			report <"$TMP/one.json"
		else
			not_ok "$(evaluate "(builtins.elemAt r.checks $i).name" | jq -r . 2>/dev/null || echo "check $i")"
			grep -v '^warning: ' "$TMP/errors" | sed 's/^/  /'
		fi
	done
	finish
fi
finish
