# Stand-ins for the NixOS options that nixpkgs' own ollama, comfyui and
# graphics modules (../shared/fixtures/nixpkgs) and the flake's modules read
# or set, and that the fixtures do not hold: users, environment, networking,
# assertions, meta, nixpkgs.*, and a few options the docs' examples set
# (services.xserver.videoDrivers, hardware.nvidia.open). Each is declared
# with the type NixOS gives it. systemd is in ./systemd.nix.
#
# pkgs is made as NixOS makes it (nixos/modules/misc/nixpkgs.nix): from
# nixpkgs.overlays and nixpkgs.config, so an example's overlay and
# cudaSupport reach the packages it uses.
{
  config,
  lib,
  mkPkgs,
  ...
}:
let
  inherit (lib) mkOption types;
  strings = mkOption {
    type = types.listOf types.str;
    default = [ ];
  };
  bool = mkOption {
    type = types.bool;
    default = false;
  };
  user = types.submodule {
    options = {
      extraGroups = strings;
      group = mkOption {
        type = types.str;
        default = "";
      };
      home = mkOption {
        type = types.either types.path types.str;
        default = "/var/empty";
      };
      isSystemUser = bool;
      isNormalUser = bool;
      description = mkOption {
        type = types.str;
        default = "";
      };
    };
  };
in
{
  imports = [ ./systemd.nix ];

  options = {
    assertions = mkOption {
      type = types.listOf types.unspecified;
      default = [ ];
    };
    warnings = strings;
    # nixos/modules/misc/meta.nix
    meta.maintainers = mkOption {
      type = types.listOf types.attrs;
      default = [ ];
    };
    nixpkgs = {
      overlays = mkOption {
        type = types.listOf types.unspecified;
        default = [ ];
      };
      config = mkOption {
        type = types.attrs;
        default = { };
      };
    };
    users.users = mkOption {
      type = types.attrsOf user;
      default = { };
    };
    users.groups = mkOption {
      type = types.attrsOf (types.submodule { options.members = strings; });
      default = { };
    };
    environment.etc = mkOption {
      type = types.attrsOf (
        types.submodule {
          options.text = mkOption {
            type = types.nullOr types.lines;
            default = null;
          };
        }
      );
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
    hardware.nvidia.open = mkOption {
      type = types.nullOr types.bool;
      default = null;
    };
    boot.kernelParams = strings;
    boot.kernelPackages = mkOption {
      type = types.raw;
      default = { };
    };
    virtualisation.memorySize = mkOption {
      type = types.ints.positive;
      default = 1024;
    };
  };

  config._module.args.pkgs = mkPkgs {
    inherit (config.nixpkgs) overlays config;
  };
}
