#!/bin/bash
# Parses every .nix file of the source tree with `nix-instantiate --parse`
# (Debian's nix-bin): the check that needs neither a Nix store nor nixpkgs.
#   tests/nix/parse.sh [SOURCE_ROOT]
# Prints one line per file and "N passed, N failed, N skipped" (tests/lib.sh);
# exit 77 (skipped) when nix-instantiate is missing, 1 on any failure or when
# there is no file.
set -u
root=$(cd "${1:-$(dirname "$0")/../..}" && pwd)
. "$root/tests/lib.sh"
if ! command -v nix-instantiate >/dev/null; then
	echo "skipped: nix-instantiate not found; install it with: apt-get install nix-bin"
	exit 77
fi
# no build-users-group: parsing needs no builders (quiets a warning as root)
export NIX_CONFIG="build-users-group ="
while IFS= read -r -d '' file; do
	name=${file#"$root"/}
	if err=$(nix-instantiate --readonly-mode --parse "$file" 2>&1 >/dev/null); then
		ok "$name parses"
	else
		not_ok "$name parses: $err"
	fi
done < <(find "$root" \( -name '.git' -o -name 'build*' -o -name '.carry*' -o -name 'result*' \) -prune \
	-o -name '*.nix' -type f -print0 | sort -z)
[ $((pass + fail)) -gt 0 ] || not_ok "there is a .nix file under $root"
finish
