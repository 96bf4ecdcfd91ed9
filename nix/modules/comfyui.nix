# NixOS: nixpkgs' services.comfyui, started through `xpu run --app comfyui`
# once services.comfyui.xpu.enable is set (nothing changes before).
#
# nixpkgs' comfyui (pkgs/by-name/co/comfyui) has a CUDA torch only with
# nixpkgs.config.cudaSupport = true (otherwise a CPU torch), and nixpkgs has
# no XPU torch: this flake's comfyui-xpu puts ComfyUI on python-xpu. So the
# backend here does not pick a package; it is what `xpu run` forces, and the
# package's torch must drive it (an assertion names what to set otherwise).
#
# nixpkgs' unit sets DeviceAllow = null (every device, no device policy)
# and runs as the static user comfyui, which is in no GPU group: this one
# closes the device policy to the GPU nodes and adds the render group.
{
  config,
  lib,
  pkgs,
  ...
}:
let
  xpuLib = import ../lib.nix { inherit lib; };
  comfyui = config.services.comfyui;
  cfg = comfyui.xpu;
  hw = config.hardware.xpu;

  # torch has no Vulkan backend
  inherit (xpuLib.apps.comfyui) order;
  backend = xpuLib.predictedBackend {
    inherit (cfg) backend order;
    hardware = hw;
  };
  package = comfyui.finalPackage or comfyui.package; # newer nixpkgs runs finalPackage
  drives = xpuLib.pythonAppBackends comfyui.package;
  fix =
    b:
    {
      cuda = "Set nixpkgs.config.cudaSupport = true (nixpkgs' comfyui then has a CUDA torch).";
      rocm = "Set nixpkgs.config.rocmSupport = true (nixpkgs' comfyui then has a ROCm torch).";
      level_zero = ''
        Set services.comfyui.package = xpu.packages.${pkgs.stdenv.hostPlatform.system}.comfyui-xpu.package
        (ComfyUI on the flake's python-xpu, a torch built for XPU).'';
      cpu = "Set services.comfyui.xpu.backend to one it drives.";
    }
    .${b};
in
{
  imports = [ ./xpu.nix ];

  options.services.comfyui.xpu = xpuLib.serviceOptions {
    app = "comfyui";
    backendChoices = order;
    defaultBackend = if hw.enable then xpuLib.firstDeclared order hw.backends else "auto";
    defaultBackendText = ''
      the first of cuda, level_zero, rocm, cpu in config.hardware.xpu.backends;
      "auto" without hardware.xpu'';
    backendDescription = ''
      The backend `xpu run` starts ComfyUI on ("auto": xpu chooses).
      services.comfyui.package's torch must drive it: "level_zero" (torch.xpu)
      needs the flake's comfyui-xpu package (python-xpu), "cuda"
      nixpkgs.config.cudaSupport = true.
    '';
    perfmonWhy = "torch.xpu.mem_get_info reads free VRAM through Level Zero sysman";
  };

  # `or false`: a nixpkgs without services.comfyui leaves only .xpu here
  config = lib.mkIf ((comfyui.enable or false) && cfg.enable) {
    assertions = xpuLib.backendAssertions {
      app = "comfyui";
      inherit backend drives fix;
      available = xpuLib.apps.comfyui.available hw.backends;
      hardware = hw;
      packageText = "the torch of services.comfyui.package (${comfyui.package.name})";
    };

    systemd.services.comfyui.serviceConfig =
      xpuLib.serviceConfig {
        xpu = config.programs.xpu.package;
        app = "comfyui";
        inherit cfg;
        command = [ (lib.getExe package) ] ++ comfyui.extraArgs;
      }
      // {
        DevicePolicy = "closed";
        DeviceAllow = lib.mkForce xpuLib.gpuDeviceAllow; # nixpkgs: null, every device
        SupplementaryGroups = [ "render" ]; # /dev/dri/renderD*
      };
  };

  meta.maintainers = [ (import ../maintainers.nix).xpu ];
}
