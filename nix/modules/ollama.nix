# NixOS: nixpkgs' services.ollama, started through `xpu run --app ollama`.
#
# nixpkgs removed services.ollama.acceleration (NixOS/nixpkgs#466004); the
# backend is now the package: ollama-cpu, ollama-cuda, ollama-rocm,
# ollama-vulkan. nixpkgs has no SYCL/oneAPI Ollama, so an Intel GPU runs
# Ollama through Vulkan. This module picks the package from the declared
# backend, replaces the unit's ExecStart, and grants CAP_PERFMON only when
# asked (Ollama's Vulkan VRAM query on Intel needs it; nixpkgs' unit drops
# every capability).
{
  config,
  lib,
  pkgs,
  ...
}:
let
  xpuLib = import ../lib.nix { inherit lib; };
  ollama = config.services.ollama;
  cfg = ollama.xpu;

  # The Ollama build that can drive each backend.
  packageFor = {
    auto = pkgs.ollama-vulkan;
    cuda = pkgs.ollama-cuda;
    rocm = pkgs.ollama-rocm;
    vulkan = pkgs.ollama-vulkan;
    cpu = pkgs.ollama-cpu;
  };

  # Intel (level_zero) reaches Ollama through Vulkan.
  declared = map (b: if b == "level_zero" then "vulkan" else b) config.hardware.xpu.backends;
  defaultBackend =
    if config.hardware.xpu.enable then
      xpuLib.firstDeclared [ "cuda" "rocm" "vulkan" "cpu" ] declared
    else
      "auto";
in
{
  imports = [ ./xpu.nix ];

  options.services.ollama.xpu = xpuLib.serviceOptions {
    app = "ollama";
    backendChoices = xpuLib.backends;
    inherit defaultBackend;
    defaultBackendText = ''
      the first of cuda, rocm, vulkan (also for level_zero), cpu in
      config.hardware.xpu.backends; "auto" without hardware.xpu'';
    backendDescription = ''
      The backend Ollama runs on. It picks services.ollama.package
      (pkgs.ollama-cuda, -rocm, -vulkan, -cpu; "auto" takes ollama-vulkan
      and lets xpu choose the device). Intel GPUs use "vulkan".
    '';
    perfmonWhy = "Ollama's Vulkan backend reads the free VRAM of Intel GPUs with it";
  };

  config = lib.mkIf (ollama.enable && cfg.enable) {
    assertions = [
      {
        assertion = cfg.backend != "level_zero";
        message = ''
          services.ollama.xpu.backend = "level_zero": nixpkgs has no Level Zero (SYCL) build
          of Ollama; Ollama reaches Intel GPUs through Vulkan. Set it to "vulkan".'';
      }
    ];

    services.ollama.package = lib.mkIf (cfg.backend != "level_zero") (
      lib.mkDefault packageFor.${cfg.backend}
    );

    systemd.services.ollama.serviceConfig =
      xpuLib.serviceConfig {
        xpu = config.programs.xpu.package;
        app = "ollama";
        inherit cfg;
        command = [
          (lib.getExe ollama.package)
          "serve"
        ];
      }
      // {
        # nixpkgs' unit allows these today; repeated so that GPU access does
        # not hang on that list (duplicates are harmless to systemd)
        DeviceAllow = xpuLib.gpuDeviceAllow;
      };
  };
}
