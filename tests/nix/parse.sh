#!/bin/bash
# Parses every .nix file of the source tree with `nix-instantiate --parse`
# (Debian's nix-bin): the check CI can run without a Nix store or nixpkgs.
#   tests/nix/parse.sh [SOURCE_ROOT]
# Prints one line per file and "N passed, N failed"; exit 77 (skipped) when
# nix-instantiate is missing, 1 on any failure or when there is no file.
set -u
root=${1:-$(cd "$(dirname "$0")/../.." && pwd)}
if ! command -v nix-instantiate >/dev/null; then
	echo "skipped: nix-instantiate not found; install it with: apt-get install nix-bin"
	exit 77
fi
# no build-users-group: parsing needs no builders (quiets a warning as root)
export NIX_CONFIG="build-users-group ="
passed=0 failed=0
while IFS= read -r -d '' file; do
	name=${file#"$root"/}
	if err=$(nix-instantiate --readonly-mode --parse "$file" 2>&1 >/dev/null); then
		echo "ok: $name"
		passed=$((passed + 1))
	else
		echo "FAIL: $name: $err"
		failed=$((failed + 1))
	fi
done < <(find "$root" \( -name '.git' -o -name 'build*' -o -name '.carry*' -o -name 'result*' \) -prune \
	-o -name '*.nix' -type f -print0 | sort -z)
if [ $((passed + failed)) = 0 ]; then
	echo "FAIL: no .nix file under $root"
	failed=1
fi
echo "$passed passed, $failed failed"
[ "$failed" = 0 ]
