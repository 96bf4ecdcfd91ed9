# The flake's `nixpkgs` input in tests/nix (harness.nix): `import nixpkgs
# { ... }` gives the stand-in package set. eval.sh exports XPU_NIX_LIB
# (nixpkgs' lib).
{
  system,
  overlays ? [ ],
  config ? { },
}:
import ../fake-pkgs.nix {
  lib = import (builtins.getEnv "XPU_NIX_LIB");
  inherit overlays config system;
}
