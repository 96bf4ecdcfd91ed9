# nixpkgs' services.ollama and services.comfyui, cut down to what the xpu
# modules touch, with the values nixpkgs gives them, so the tests see our
# definitions merge with (and override) the real ones:
#   nixos/modules/services/misc/ollama.nix after NixOS/nixpkgs#466004
#     (acceleration removed; DynamicUser, CapabilityBoundingSet = [ "" ],
#     PrivateUsers, DevicePolicy = "closed", DeviceAllow incl. char-drm,
#     SupplementaryGroups = [ "render" ], ExecStart = "${ollama} serve")
#   nixos/modules/services/misc/comfyui.nix (NixOS/nixpkgs 24ccee2c):
#     extraArgs with mkBefore listen/port flags, ExecStart = finalPackage +
#     extraArgs, DeviceAllow = null, PrivateUsers, CapabilityBoundingSet = [ "" ]
{
  config,
  lib,
  pkgs,
  ...
}:
let
  inherit (lib) mkOption types;
  ollama = config.services.ollama;
  comfyui = config.services.comfyui;
in
{
  imports = [
    (lib.mkRemovedOptionModule [
      "services"
      "ollama"
      "acceleration"
    ] "Set `services.ollama.package` to one of `pkgs.ollama[,-vulkan,-rocm,-cuda,-cpu]` instead.")
  ];

  options.services.ollama = {
    enable = lib.mkEnableOption "ollama";
    package = lib.mkPackageOption pkgs "ollama" { };
    host = mkOption {
      type = types.str;
      default = "127.0.0.1";
    };
    port = mkOption {
      type = types.port;
      default = 11434;
    };
  };

  options.services.comfyui = {
    enable = lib.mkEnableOption "ComfyUI";
    package = lib.mkPackageOption pkgs "comfyui" { };
    finalPackage = mkOption {
      type = types.package;
      readOnly = true;
      default = comfyui.package;
    };
    listen = mkOption {
      type = types.listOf types.str;
      default = [
        "127.0.0.1"
        "::1"
      ];
    };
    port = mkOption {
      type = types.port;
      default = 8188;
    };
    extraArgs = mkOption {
      type = types.listOf types.str;
      default = [ ];
    };
  };

  config = lib.mkMerge [
    (lib.mkIf ollama.enable {
      systemd.services.ollama = {
        wantedBy = [ "multi-user.target" ];
        environment.OLLAMA_HOST = "${ollama.host}:${toString ollama.port}";
        serviceConfig = {
          Type = "exec";
          DynamicUser = true;
          ExecStart = "${lib.getExe ollama.package} serve";
          CapabilityBoundingSet = [ "" ];
          DeviceAllow = [
            "char-nvidiactl"
            "char-nvidia-caps"
            "char-nvidia-frontend"
            "char-nvidia-uvm"
            "char-drm"
            "char-fb"
            "char-kfd"
            "/dev/dxg"
          ];
          DevicePolicy = "closed";
          MemoryDenyWriteExecute = true;
          NoNewPrivileges = true;
          PrivateDevices = false;
          PrivateUsers = true;
          ProtectSystem = "strict";
          SupplementaryGroups = [ "render" ];
        };
      };
    })
    (lib.mkIf comfyui.enable {
      services.comfyui.extraArgs = lib.mkBefore [
        "--listen=${lib.concatStringsSep "," comfyui.listen}"
        "--port=${toString comfyui.port}"
      ];
      systemd.services.comfyui.serviceConfig = {
        ExecStart = "${lib.getExe comfyui.finalPackage} ${lib.escapeShellArgs comfyui.extraArgs}";
        User = "comfyui";
        Group = "comfyui";
        PrivateDevices = false;
        CapabilityBoundingSet = [ "" ];
        DeviceAllow = null;
        NoNewPrivileges = true;
        PrivateUsers = true;
        ProtectSystem = "strict";
      };
    })
  ];
}
