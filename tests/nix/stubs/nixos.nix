# The few NixOS options the xpu modules read or set, declared with the
# types NixOS gives them, so that lib.evalModules can run the modules
# without a nixpkgs checkout.
{ lib, ... }:
let
  inherit (lib) mkOption types;
  unitOption = import ./unit-option.nix { inherit lib; };
  strings = mkOption {
    type = types.listOf types.str;
    default = [ ];
  };
  service = types.submodule {
    options = {
      description = mkOption {
        type = types.str;
        default = "";
      };
      wantedBy = strings;
      wants = strings;
      after = strings;
      bindsTo = strings;
      environment = mkOption {
        type = types.attrsOf types.str;
        default = { };
      };
      serviceConfig = mkOption {
        type = types.attrsOf unitOption;
        default = { };
      };
    };
  };
in
{
  options = {
    assertions = mkOption {
      type = types.listOf types.unspecified;
      default = [ ];
    };
    warnings = strings;
    systemd.services = mkOption {
      type = types.attrsOf service;
      default = { };
    };
    hardware.graphics = {
      enable = mkOption {
        type = types.bool;
        default = false;
      };
      extraPackages = mkOption {
        type = types.listOf types.package;
        default = [ ];
      };
    };
    users.users = mkOption {
      type = types.attrsOf (types.submodule { options.extraGroups = strings; });
      default = { };
    };
    environment.etc = mkOption {
      type = types.attrsOf (types.submodule { options.text = mkOption { type = types.lines; }; });
      default = { };
    };
    environment.systemPackages = mkOption {
      type = types.listOf types.package;
      default = [ ];
    };
    networking.firewall.allowedTCPPorts = mkOption {
      type = types.listOf types.port;
      default = [ ];
    };
    services.xserver.videoDrivers = strings;
    virtualisation.memorySize = mkOption {
      type = types.ints.positive;
      default = 1024;
    };
  };
}
