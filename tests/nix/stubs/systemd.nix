# A stand-in for NixOS's systemd.services and systemd.tmpfiles.settings,
# with the types and conversions of nixos/lib/systemd-unit-options.nix
# (serviceOptions: script and preStart become ExecStart and ExecStartPre,
# through a job script) and nixos/lib/systemd-lib.nix (unitConfig from
# description, after, wants, ...). ../unit-file.nix renders a service the
# way systemd-lib.nix's serviceToUnit does, for systemd-analyze.
{ lib, ... }:
let
  inherit (lib) mkOption types;
  unitOption = import ./unit-option.nix { inherit lib; };
  units = mkOption {
    type = types.listOf types.str;
    default = [ ];
  };
  lines = mkOption {
    type = types.lines;
    default = "";
  };
  # NixOS: makeJobScript writes a script to the store and names it
  jobScript = name: "/nix/store/00000000000000000000000000000000-unit-script-${name}/bin/${name}";
  service = types.submodule (
    { name, config, ... }:
    {
      options = {
        enable = mkOption {
          type = types.bool;
          default = true;
        };
        description = mkOption {
          type = types.singleLineStr;
          default = "";
        };
        wantedBy = units;
        requiredBy = units;
        wants = units;
        requires = units;
        after = units;
        before = units;
        bindsTo = units;
        partOf = units;
        environment = mkOption {
          type = types.attrsOf (
            types.nullOr (
              types.oneOf [
                types.str
                types.path
                types.package
              ]
            )
          );
          default = { };
        };
        path = mkOption {
          type = types.listOf (types.either types.package types.str);
          default = [ ];
        };
        serviceConfig = mkOption {
          type = types.attrsOf unitOption;
          default = { };
        };
        unitConfig = mkOption {
          type = types.attrsOf unitOption;
          default = { };
        };
        script = lines;
        scriptArgs = mkOption {
          type = types.str;
          default = "";
        };
        preStart = lines;
        postStart = lines;
        preStop = lines;
        postStop = lines;
        reload = lines;
        restartIfChanged = mkOption {
          type = types.bool;
          default = true;
        };
      };
      config = lib.mkMerge [
        (lib.mkIf (config.preStart != "") {
          serviceConfig.ExecStartPre = [ (jobScript "${name}-pre-start") ];
        })
        (lib.mkIf (config.script != "") {
          serviceConfig.ExecStart = jobScript "${name}-start" + " " + config.scriptArgs;
        })
        (lib.mkIf (config.postStart != "") {
          serviceConfig.ExecStartPost = [ (jobScript "${name}-post-start") ];
        })
        {
          unitConfig =
            lib.optionalAttrs (config.description != "") { Description = config.description; }
            // lib.optionalAttrs (config.wants != [ ]) { Wants = toString config.wants; }
            // lib.optionalAttrs (config.requires != [ ]) { Requires = toString config.requires; }
            // lib.optionalAttrs (config.after != [ ]) { After = toString config.after; }
            // lib.optionalAttrs (config.before != [ ]) { Before = toString config.before; }
            // lib.optionalAttrs (config.bindsTo != [ ]) { BindsTo = toString config.bindsTo; }
            // lib.optionalAttrs (config.partOf != [ ]) { PartOf = toString config.partOf; };
        }
      ];
    }
  );
in
{
  options.systemd = {
    services = mkOption {
      type = types.attrsOf service;
      default = { };
    };
    # nixos/modules/system/boot/systemd/tmpfiles.nix: path -> type -> fields
    tmpfiles.settings = mkOption {
      type = types.attrsOf (types.attrsOf (types.attrsOf (types.attrsOf types.str)));
      default = { };
    };
  };
}
