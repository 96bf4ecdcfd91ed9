# A NixOS service as its unit file, rendered the way nixos/lib/systemd-lib.nix
# does (serviceToUnit, commonUnitText, attrsToSection, toOption): true and
# false as words, a list as one line per element, null as an empty
# assignment, Environment= lines as JSON strings. Read by systemd-analyze.
{ lib }:
let
  toOption =
    x:
    if x == true then
      "true"
    else if x == false then
      "false"
    else
      toString x;
  attrsToSection =
    as:
    lib.concatStrings (
      lib.concatLists (
        lib.mapAttrsToList (
          name: value: map (x: "${name}=${toOption x}\n") (if lib.isList value then value else [ value ])
        ) as
      )
    );
in
def:
''
  [Unit]
  ${attrsToSection def.unitConfig}
''
+ "[Service]\n"
+ lib.concatMapStrings (
  n:
  lib.optionalString (
    def.environment.${n} != null
  ) "Environment=${builtins.toJSON "${n}=${def.environment.${n}}"}\n"
) (lib.attrNames def.environment)
+ attrsToSection def.serviceConfig
+ lib.optionalString (def.wantedBy != [ ]) ''

  [Install]
  WantedBy=${lib.concatStringsSep " " def.wantedBy}
''
