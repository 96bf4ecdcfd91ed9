# NixOS: the GPU compute base (hardware.xpu) and the xpu program with its
# system configuration file (programs.xpu).
#
# Intel: nixpkgs' intel-compute-runtime (12th gen and newer) keeps its Level
# Zero driver (libze_intel_gpu) in a separate output, `drivers`; both go into
# hardware.graphics.extraPackages, which NixOS links into
# /run/opengl-driver, where the level-zero loader and xpu look.
# intel-compute-runtime-legacy1 (24.35.30872.x) is the last runtime for
# Gen8, Gen9 and Gen11; the two cannot both be linked there (same file
# names), so it replaces the current one.
{
  config,
  lib,
  pkgs,
  ...
}:
let
  xpuLib = import ../lib.nix { inherit lib; };
  hw = config.hardware.xpu;
  cfg = config.programs.xpu;
  configText = xpuLib.configText "the NixOS option programs.xpu.settings" cfg.settings;

  intelRuntime =
    if hw.intel.legacyRuntime then pkgs.intel-compute-runtime-legacy1 else pkgs.intel-compute-runtime;
in
{
  options.hardware.xpu = {
    enable = lib.mkEnableOption "GPU compute for local AI: drivers, runtimes and render-node access";

    backends = lib.mkOption {
      type = lib.types.listOf (lib.types.enum xpuLib.backends);
      default = [ "cpu" ];
      example = [
        "cuda"
        "level_zero"
      ];
      description = ''
        The backends this machine has. They choose the runtimes installed
        here and the default backend (and package) of the Ollama and ComfyUI
        modules. `level_zero` is an Intel GPU (Level Zero, OpenCL, and Vulkan
        through Mesa); `cuda` an NVIDIA GPU, whose driver you enable yourself
        (`services.xserver.videoDrivers = [ "nvidia" ]`); `rocm` an AMD GPU.
      '';
    };

    intel = {
      enable = lib.mkOption {
        type = lib.types.bool;
        default = lib.elem "level_zero" hw.backends;
        defaultText = lib.literalExpression ''lib.elem "level_zero" config.hardware.xpu.backends'';
        description = "Whether to install Intel's compute runtime (OpenCL and Level Zero) and the Level Zero loader.";
      };
      legacyRuntime = lib.mkOption {
        type = lib.types.bool;
        default = false;
        description = ''
          Use intel-compute-runtime-legacy1, the last runtime for Gen8, Gen9
          and Gen11 GPUs (Broadwell to Ice Lake), instead of
          intel-compute-runtime (12th gen, Xe and newer).
        '';
      };
    };

    users = lib.mkOption {
      type = lib.types.listOf lib.types.str;
      default = [ ];
      example = [ "alice" ];
      description = ''
        Users who may use the GPUs: they join the `render` group (the
        /dev/dri/renderD* nodes that compute uses) and `video`.
      '';
    };
  };

  options.programs.xpu = {
    enable = lib.mkEnableOption "the xpu command";
  }
  // xpuLib.programOptions {
    inherit pkgs;
    file = "/etc/xpu/config";
    profileDir = "/etc/xpu/profiles.d";
  };

  config = lib.mkMerge [
    (lib.mkIf hw.enable {
      programs.xpu.enable = lib.mkDefault true;

      hardware.graphics.enable = true;
      hardware.graphics.extraPackages = lib.optionals hw.intel.enable [
        intelRuntime
        intelRuntime.drivers
        pkgs.level-zero
      ];

      users.users = lib.genAttrs hw.users (_: {
        extraGroups = [
          "render"
          "video"
        ];
      });

      # The launchers installed here (comfyui-xpu, ollama-ipex, ...) against
      # the declared backends: the one xpu will pick must be on this machine
      # and driven by the launcher's package.
      assertions = lib.concatMap (
        launcher:
        let
          app = xpuLib.apps.${launcher.xpuApp};
        in
        xpuLib.backendAssertions {
          app = launcher.xpuApp;
          what = "${launcher.name} (in environment.systemPackages)";
          backend = xpuLib.predictedBackend {
            backend = launcher.xpuBackend;
            hardware = hw;
            inherit (app) order;
            declared = app.declared hw.backends;
          };
          available = app.available hw.backends;
          hardware = hw;
          packageText = "its ${launcher.package.name or "package"}";
          drives = launcher.xpuBackends;
          fix = b: "Install the launcher for ${b} instead (comfyui-cuda, comfyui-xpu, ollama-ipex).";
          otherwise = "install the launcher of a backend it has";
        }
      ) (lib.filter (p: p ? xpuApp && xpuLib.apps ? ${p.xpuApp}) config.environment.systemPackages);

      warnings =
        lib.optional
          (lib.elem "cuda" hw.backends && !(lib.elem "nvidia" config.services.xserver.videoDrivers))
          ''
            hardware.xpu.backends contains "cuda" but the NVIDIA driver is not enabled: set
            services.xserver.videoDrivers = [ "nvidia" ] (and hardware.nvidia.open) so that
            libcuda and /dev/nvidia* exist.'';
    })

    (lib.mkIf cfg.enable {
      environment.systemPackages = [ cfg.package ];
      environment.etc = {
        "xpu/config" = lib.mkIf (configText != null) {
          text = configText;
        };
      }
      // lib.mapAttrs' (
        name: profile:
        lib.nameValuePair "xpu/profiles.d/${name}.ini" {
          text = xpuLib.profileText "the NixOS option programs.xpu.profiles" name profile;
        }
      ) cfg.profiles;
    })
  ];

  meta.maintainers = [ (import ../maintainers.nix).xpu ];
}
