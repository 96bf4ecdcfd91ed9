# A systemd unit setting merged as NixOS merges serviceConfig values
# (nixos/lib/systemd-unit-options.nix, unitOption): when the first
# definition is a list, every definition must be one and they concatenate
# (repeatable settings); single values must agree. mkForce and friends are
# resolved by the module system before this merge sees the definitions.
{ lib }:
lib.types.mkOptionType {
  name = "systemd option";
  merge =
    loc: defs:
    if lib.isList (lib.head defs).value then
      lib.concatMap (
        def:
        if lib.isList def.value then
          def.value
        else
          throw "The definitions for systemd unit options should be either all lists or all non-lists, but for ${lib.showOption loc} they are a mix"
      ) defs
    else
      lib.mergeEqualOption loc defs;
}
