# A systemd unit setting merged as NixOS merges serviceConfig values
# (nixos/lib/systemd-unit-options.nix): definitions that are lists
# concatenate; single values must agree. mkForce and friends are resolved
# by the module system before this merge sees the definitions.
{ lib }:
lib.types.mkOptionType {
  name = "systemd option";
  merge =
    loc: defs:
    if lib.any (def: lib.isList def.value) defs then
      lib.concatMap (def: lib.toList def.value) defs
    else
      lib.mergeEqualOption loc defs;
}
