# The Home Manager options the xpu Home Manager module reads or sets, and
# Home Manager's own services.ollama (modules/services/ollama.nix: a user
# unit whose ExecStart is "${ollama} serve"), declared here so that a clash
# with it would show.
{
  config,
  lib,
  pkgs,
  ...
}:
let
  inherit (lib) mkOption types;
  unitOption = import ./unit-option.nix { inherit lib; };
  ollama = config.services.ollama;
in
{
  options = {
    home.packages = mkOption {
      type = types.listOf types.package;
      default = [ ];
    };
    xdg.configFile = mkOption {
      type = types.attrsOf (types.submodule { options.text = mkOption { type = types.lines; }; });
      default = { };
    };
    systemd.user.services = mkOption {
      type = types.attrsOf (
        types.submodule {
          options.Unit = mkOption {
            type = types.attrsOf unitOption;
            default = { };
          };
          options.Service = mkOption {
            type = types.attrsOf unitOption;
            default = { };
          };
          options.Install = mkOption {
            type = types.attrsOf unitOption;
            default = { };
          };
        }
      );
      default = { };
    };
    services.ollama = {
      enable = lib.mkEnableOption "ollama";
      package = lib.mkPackageOption pkgs "ollama" { };
    };
  };

  config = lib.mkIf ollama.enable {
    systemd.user.services.ollama = {
      Service.ExecStart = "${lib.getExe ollama.package} serve";
      Install.WantedBy = [ "default.target" ];
    };
    home.packages = [ ollama.package ];
  };
}
