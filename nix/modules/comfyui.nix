# NixOS: nixpkgs' services.comfyui, started through `xpu run --app comfyui`.
#
# nixpkgs' comfyui (pkgs/by-name/co/comfyui) builds its torch against
# cudaPackages_13, which gives CUDA only with nixpkgs.config.cudaSupport =
# true (otherwise a CPU torch); nixpkgs has no XPU torch. So the backend here
# does not pick a package: it is what `xpu run` forces, and the module warns
# when the default package cannot drive it. nixpkgs' unit sets DeviceAllow =
# null (every device); this one closes the device policy to the GPU nodes.
{
  config,
  options,
  lib,
  pkgs,
  ...
}:
let
  xpuLib = import ../lib.nix { inherit lib; };
  comfyui = config.services.comfyui;
  cfg = comfyui.xpu;

  # torch has no Vulkan backend
  defaultBackend =
    if config.hardware.xpu.enable then
      xpuLib.firstDeclared [ "cuda" "level_zero" "rocm" "cpu" ] config.hardware.xpu.backends
    else
      "auto";

  # newer nixpkgs runs finalPackage (package + extraPackages)
  program = lib.getExe (comfyui.finalPackage or comfyui.package);
  packageIsDefault = options.services.comfyui.package.highestPrio >= (lib.mkOptionDefault { }).priority;
  cudaSupport = pkgs.config.cudaSupport or false;
in
{
  imports = [ ./xpu.nix ];

  options.services.comfyui.xpu = xpuLib.serviceOptions {
    app = "comfyui";
    backendChoices = [
      "cuda"
      "level_zero"
      "rocm"
      "cpu"
    ];
    inherit defaultBackend;
    defaultBackendText = ''
      the first of cuda, level_zero, rocm, cpu in config.hardware.xpu.backends;
      "auto" without hardware.xpu'';
    backendDescription = ''
      The backend `xpu run` starts ComfyUI on ("auto": xpu chooses).
      "level_zero" (torch.xpu) needs services.comfyui.package built with an
      XPU torch; "cuda" needs nixpkgs.config.cudaSupport = true (or such a package).
    '';
    perfmonWhy = "torch.xpu.mem_get_info reads free VRAM through Level Zero sysman";
  };

  # `or false`: a nixpkgs without services.comfyui leaves only .xpu here
  config = lib.mkIf ((comfyui.enable or false) && cfg.enable) {
    warnings =
      lib.optional (cfg.backend == "level_zero" && packageIsDefault) ''
        services.comfyui.xpu.backend = "level_zero" but services.comfyui.package is nixpkgs'
        comfyui, whose torch has no XPU support: ComfyUI will not start (strict) or run on
        another backend. Set services.comfyui.package to a ComfyUI with an XPU torch.''
      ++ lib.optional (cfg.backend == "cuda" && packageIsDefault && !cudaSupport) ''
        services.comfyui.xpu.backend = "cuda" but nixpkgs.config.cudaSupport is off, so
        nixpkgs' comfyui has a CPU torch. Set nixpkgs.config.cudaSupport = true.'';

    systemd.services.comfyui.serviceConfig =
      xpuLib.serviceConfig {
        xpu = config.programs.xpu.package;
        app = "comfyui";
        inherit cfg;
        command = [ program ] ++ comfyui.extraArgs;
      }
      // {
        DeviceAllow = lib.mkForce xpuLib.gpuDeviceAllow; # nixpkgs: null, every device
      };
  };
}
