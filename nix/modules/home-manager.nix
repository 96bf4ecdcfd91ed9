# Home Manager: xpu in the user's profile and the user's own config file
# ($XDG_CONFIG_HOME/xpu/config, which overrides /etc/xpu/config).
#
# Home Manager has its own services.ollama (a user unit). This module
# declares nothing under services.*; with programs.xpu.ollama.enable it only
# makes that unit start through `xpu run --app ollama`.
{
  config,
  lib,
  pkgs,
  ...
}:
let
  xpuLib = import ../lib.nix { inherit lib; };
  cfg = config.programs.xpu;
  configText = xpuLib.configText "the Home Manager option programs.xpu.settings" cfg.settings;
  hmOllama = config.services.ollama;
in
{
  options.programs.xpu = xpuLib.programOptions {
    inherit pkgs;
    file = "$XDG_CONFIG_HOME/xpu/config (it overrides /etc/xpu/config)";
    profileDir = "$XDG_CONFIG_HOME/xpu/profiles.d (first of the profile folders)";
  }
  // {
    enable = lib.mkEnableOption "the xpu command";

    launchers = lib.mkOption {
      type = lib.types.listOf lib.types.package;
      default = [ ];
      example = lib.literalExpression "[ pkgs.comfyui-xpu pkgs.ollama-ipex ]";
      description = "Launcher packages of the overlay to install as well.";
    };

    ollama = {
      enable = lib.mkEnableOption "starting Home Manager's services.ollama through `xpu run --app ollama`";
      backend = lib.mkOption {
        type = lib.types.enum [
          "auto"
          "cuda"
          "rocm"
          "vulkan"
          "cpu"
        ];
        default = "auto";
        description = "The backend passed to `xpu run --backend` (\"auto\": xpu chooses).";
      };
    };
  };

  config = lib.mkIf cfg.enable (
    lib.mkMerge [
      {
        home.packages = [ cfg.package ] ++ cfg.launchers;
        xdg.configFile = {
          "xpu/config" = lib.mkIf (configText != null) {
            text = configText;
          };
        }
        // lib.mapAttrs' (
          name: profile:
          lib.nameValuePair "xpu/profiles.d/${name}.ini" {
            text = xpuLib.profileText "the Home Manager option programs.xpu.profiles" name profile;
          }
        ) cfg.profiles;
      }
      (lib.mkIf (cfg.ollama.enable && hmOllama.enable) {
        systemd.user.services.ollama.Service.ExecStart = lib.mkForce (
          xpuLib.runCommandLine (lib.getExe cfg.package)
            {
              app = "ollama";
              inherit (cfg.ollama) backend;
            }
            [
              (lib.getExe hmOllama.package)
              "serve"
            ]
        );
      })
    ]
  );
}
