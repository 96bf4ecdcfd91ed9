# Helpers shared by the package, the launchers and the modules: the
# backend names and order of `xpu run`, the command line that starts an app
# through it, and the INI text of /etc/xpu/config and ~/.config/xpu/config.
{ lib }:
let
  inherit (lib) types;
in
rec {
  # The backends `xpu run --backend` accepts, in xpu's default policy order
  # (DESIGN.md: cuda > level_zero > rocm > vulkan > cpu).
  backends = [
    "cuda"
    "level_zero"
    "rocm"
    "vulkan"
    "cpu"
  ];

  # The first of `preferred` (in policy order) that `declared` contains.
  firstDeclared = preferred: declared: lib.findFirst (b: lib.elem b declared) null preferred;

  # What xpu's policy can pick for each app: the policy order over the
  # backends its profile (profiles/*.ini) has a section for, the machine's
  # declared backends as the app reaches them, and those it could run on.
  apps = {
    # Ollama has no Level Zero backend: an Intel GPU is a Vulkan device to it
    ollama = rec {
      order = [
        "cuda"
        "rocm"
        "vulkan"
        "cpu"
      ];
      declared = map (b: if b == "level_zero" then "vulkan" else b);
      # Vulkan drives any GPU (Mesa's ANV and RADV, NVIDIA's driver)
      available =
        backends:
        let
          d = declared backends;
        in
        lib.unique (d ++ lib.optional (lib.any (b: b != "cpu") d) "vulkan" ++ [ "cpu" ]);
    };
    # torch has no Vulkan backend
    comfyui = {
      order = [
        "cuda"
        "level_zero"
        "rocm"
        "cpu"
      ];
      declared = backends: backends;
      available = backends: lib.unique (backends ++ [ "cpu" ]);
    };
  };

  # The environment a program using Level Zero needs outside NixOS's
  # /run/opengl-driver, as makeWrapper arguments: the Level Zero loader
  # (torch's SYCL runtime dlopens libze_loader.so.1, which nothing puts on a
  # Nix library path) and, after the system's own drivers in
  # /run/opengl-driver/lib (hardware.xpu links the right runtime there, the
  # legacy one included), intel-compute-runtime's `drivers` output
  # (libze_intel_gpu) for machines without it.
  levelZeroWrapperArgs =
    {
      level-zero,
      intel-compute-runtime,
      driverLink ? "/run/opengl-driver",
    }:
    [
      "--prefix"
      "LD_LIBRARY_PATH"
      ":"
      (lib.concatStringsSep ":" [
        "${lib.getLib level-zero}/lib"
        "${driverLink}/lib"
        "${intel-compute-runtime.drivers}/lib"
      ])
    ];

  # argv of `xpu run` for one app, up to and including the "--" that ends
  # xpu's own options.
  #   backend: null or "auto" lets xpu choose; otherwise forced.
  #   strict:  only with a forced backend: refuse to start on another one
  #            (--strict) or fall back to the next usable one (--fallback).
  runArgs =
    {
      app,
      backend ? null,
      device ? null,
      strict ? true,
    }:
    let
      forced = backend != null && backend != "auto";
    in
    [
      "run"
      "--app"
      app
    ]
    ++ lib.optionals forced [
      "--backend"
      backend
      (if strict then "--strict" else "--fallback")
    ]
    ++ lib.optionals (device != null) [
      "--device"
      device
    ]
    ++ [ "--" ];

  # One shell-quoted command line (for systemd's ExecStart=):
  # xpu run ... -- COMMAND ARGS
  runCommandLine =
    xpuExe: runOptions: command:
    lib.escapeShellArgs ([ xpuExe ] ++ runArgs runOptions ++ command);

  # host:port for a listen option; IPv6 addresses get brackets.
  hostPort =
    host: port:
    if lib.hasInfix ":" host && !(lib.hasPrefix "[" host) then
      "[${host}]:${toString port}"
    else
      "${host}:${toString port}";

  # The xpu config file (xpu-config(1)): INI, read with inih, two sections
  # and nothing else, since xpu refuses unknown sections and keys:
  #   [run]   backend = auto|cuda|level_zero|rocm|vulkan|cpu, device = ...,
  #           fallback = yes|no
  #   [apps]  NAME = the command `xpu run --app NAME` (and its launcher) starts
  # The option mirrors it, so that a key xpu would refuse fails evaluation.
  settingsType = types.submodule {
    options = {
      run = {
        backend = lib.mkOption {
          type = types.nullOr (types.enum ([ "auto" ] ++ backends));
          default = null;
          example = "level_zero";
          description = "The backend `xpu run` and the launchers use (`auto`: the policy order).";
        };
        device = lib.mkOption {
          type = types.nullOr types.str;
          default = null;
          example = "0000:03:00.0";
          description = "The device: its `xpu list` index, PCI address, UUID, `cpu`, or part of its name.";
        };
        fallback = lib.mkOption {
          type = types.nullOr types.bool;
          default = null;
          description = "Whether a forced backend that is not usable gives way to the policy order.";
        };
      };
      apps = lib.mkOption {
        type = types.attrsOf (types.strMatching "[^[:space:]].*");
        default = { };
        example = {
          comfyui = "/srv/comfyui/venv/bin/python /srv/comfyui/main.py";
        };
        description = ''
          The command each app's launcher (or `xpu run --app NAME` without a
          command) starts, split on blanks (no shell quoting).
        '';
      };
    };
  };

  settingsExample = {
    run = {
      backend = "level_zero";
      device = "0";
    };
    apps.ollama = "/run/current-system/sw/bin/ollama";
  };

  # The file's text, or null when the settings set nothing.
  configText =
    origin: settings:
    let
      run = lib.filterAttrs (_: v: v != null) settings.run;
      sections =
        lib.optionalAttrs (run != { }) { inherit run; }
        // lib.optionalAttrs (settings.apps != { }) { inherit (settings) apps; };
    in
    if sections == { } then
      null
    else
      "; written by ${origin}; edit the Nix option, not this file\n" + lib.generators.toINI { } sections;

  # An app profile (xpu-run(1), PROFILES): a [profile] section and one per
  # backend (cuda, level_zero, rocm, vulkan, cpu), with xpu's keys: "env.NAME",
  # "unset", "arg" (a list: one line each), "require", ...
  profileType = types.attrsOf (types.attrsOf (types.either types.str (types.listOf types.str)));

  profileText =
    origin: name: profile:
    "; the ${name} profile, written by ${origin}; edit the Nix option, not this file\n"
    + lib.generators.toINI { listsAsDuplicateKeys = true; } profile;

  # programs.xpu.package, settings and profiles, for NixOS and Home Manager
  # alike; `file` names the config file the settings become, `profileDir`
  # the folder of the profiles.
  programOptions =
    {
      pkgs,
      file,
      profileDir,
    }:
    {
      # pkgs.xpu with the overlay; the same package built here without it
      package = lib.mkPackageOption (
        pkgs // { xpu = pkgs.xpu or (pkgs.callPackage ./package.nix { }); }
      ) "xpu" { };
      settings = lib.mkOption {
        type = settingsType;
        default = { };
        example = settingsExample;
        description = ''
          ${file}, as xpu-config(1) describes it: `run.backend`, `run.device`,
          `run.fallback` and, per app, `apps.NAME` (the command its launcher
          starts). Later sources override it: $XDG_CONFIG_HOME/xpu/config over
          /etc/xpu/config, then `XPU_BACKEND`/`XPU_DEVICE`/`XPU_FALLBACK`, then
          the command line. No file is written while nothing is set.
        '';
      };
      profiles = lib.mkOption {
        type = types.attrsOf profileType;
        default = { };
        example = lib.literalExpression ''
          {
            ollama = {
              profile = { description = "Ollama, models kept loaded"; commands = "ollama"; command = "ollama"; };
              vulkan = {
                "env.OLLAMA_VULKAN" = "1";
                "env.GGML_VK_VISIBLE_DEVICES" = "{vulkan.index}";
                "env.OLLAMA_KEEP_ALIVE" = "-1";
              };
              cpu."env.OLLAMA_VULKAN" = "0";
            };
          }
        '';
        description = ''
          App profiles, written to ${profileDir}/NAME.ini: what `xpu run --app NAME`
          (and doctor) apply on each backend, as xpu-run(1) describes them. A
          profile replaces the shipped one of the same name whole; `xpu config`
          lists the profiles in effect and where each comes from.
        '';
      };
    };

  # services.APP.xpu for the service modules (ollama, comfyui): whether the
  # unit starts through `xpu run`, on which backend and device, and whether
  # it gets CAP_PERFMON (perfmonWhy: what needs it). Off unless enabled:
  # importing a module changes nothing by itself.
  serviceOptions =
    {
      app,
      backendChoices,
      defaultBackend,
      defaultBackendText,
      backendDescription,
      perfmonWhy,
    }:
    {
      enable = lib.mkEnableOption "starting services.${app} through `xpu run --app ${app}`, on the backend and device below";
      backend = lib.mkOption {
        type = types.enum ([ "auto" ] ++ backendChoices);
        default = defaultBackend;
        defaultText = lib.literalExpression defaultBackendText;
        description = backendDescription;
      };
      device = lib.mkOption {
        type = types.nullOr types.str;
        default = null;
        example = "0000:03:00.0";
        description = "The device (index, PCI address, UUID or name), passed as `xpu run --device`.";
      };
      strict = lib.mkOption {
        type = types.bool;
        default = true;
        description = ''
          With a chosen backend: fail to start when it is not usable (`--strict`),
          rather than fall back to the next usable one (`--fallback`).
        '';
      };
      perfmon = lib.mkEnableOption "CAP_PERFMON for the ${app} service (${perfmonWhy}); it also turns PrivateUsers off";
    };

  # The backend xpu will run a service on, as far as evaluation can tell:
  # the forced one, else (with hardware.xpu) the first of the declared
  # backends in `order` (the policy order over what the app's profile
  # knows), else null (xpu decides on the machine).
  predictedBackend =
    {
      backend,
      hardware,
      order,
      declared ? hardware.backends,
    }:
    if backend != "auto" then
      backend
    else if hardware.enable then
      firstDeclared order declared
    else
      null;

  # What a service's backend needs of the machine and of its package, as
  # assertions: the backend is one hardware.xpu.backends declares (when
  # hardware.xpu is on), and the package can drive it. `drives` is the list
  # of backends the package drives, or null when that cannot be told;
  # `fix` says what to set for a backend.
  backendAssertions =
    {
      app,
      what ? "services.${app}.xpu",
      backend,
      available,
      hardware,
      packageText,
      drives,
      fix,
      otherwise ? "choose services.${app}.xpu.backend among ${lib.concatStringsSep ", " available}",
    }:
    [
      {
        assertion = backend == null || !hardware.enable || lib.elem backend available;
        message = ''
          ${what}: xpu is to run ${app} on ${toString backend}, but hardware.xpu.backends
          (${lib.concatStringsSep ", " hardware.backends}) has no such device. Add it to
          hardware.xpu.backends, or ${otherwise}.'';
      }
      {
        assertion = backend == null || drives == null || lib.elem backend drives;
        message = ''
          ${what}: xpu is to run ${app} on ${toString backend}, but ${packageText}
          drives only ${lib.concatStringsSep ", " (if drives == null then [ ] else drives)}. ${fix backend}'';
      }
    ];

  # The backends a ComfyUI (or any Python application) drives: its own
  # passthru.xpuBackends, else its torch's, else null (unknown).
  pythonAppBackends =
    package:
    package.xpuBackends or (
      let
        torch = torchOf package;
      in
      if torch == null then null else torchBackends torch
    );

  # The torch a Python application was built with (nixpkgs' comfyui lists
  # it among its dependencies), or null.
  torchOf =
    package:
    lib.findFirst (d: (d.pname or "") == "torch") null (package.propagatedBuildInputs or [ ]);

  # The backends a torch drives: nixpkgs' torch says cudaSupport and
  # rocmSupport, hf-nix's XPU torch xpuSupport.
  torchBackends =
    torch:
    lib.optional (torch.cudaSupport or false) "cuda"
    ++ lib.optional (torch.xpuSupport or false) "level_zero"
    ++ lib.optional (torch.rocmSupport or false) "rocm"
    ++ [ "cpu" ];

  # The backends an Ollama build drives: passthru.xpuBackends when a build
  # says so; otherwise what nixpkgs' package says of itself in its
  # description (pkgs/by-name/ol/ollama: ", using CUDA for NVIDIA GPU
  # acceleration", "using ROCm", "using Vulkan"; none: CPU only).
  ollamaBackends =
    package:
    package.xpuBackends or (
      let
        description = package.meta.description or "";
      in
      lib.optional (lib.hasInfix "using CUDA" description) "cuda"
      ++ lib.optional (lib.hasInfix "using ROCm" description) "rocm"
      ++ lib.optional (lib.hasInfix "using Vulkan" description) "vulkan"
      ++ [ "cpu" ]
    );

  # The systemd settings that give one service CAP_PERFMON, or keep it off.
  # A capability granted inside a private user namespace does not reach the
  # host's perf and DRM checks (perfmon_capable() asks the initial user
  # namespace), so PrivateUsers= goes off with it; the unit's mounts are
  # made private instead (PrivateMounts=), which costs the service nothing.
  perfmonServiceConfig =
    enabled:
    if enabled then
      {
        CapabilityBoundingSet = lib.mkForce [ "CAP_PERFMON" ];
        AmbientCapabilities = [ "CAP_PERFMON" ];
        PrivateUsers = lib.mkForce false;
        PrivateMounts = true;
      }
    else
      { };

  # A service's settings under services.APP.xpu (see serviceOptions), as
  # systemd settings: ExecStart through `xpu run` and CAP_PERFMON when
  # asked. Device access is the caller's: nixpkgs' units differ there.
  serviceConfig =
    {
      xpu,
      app,
      cfg,
      command,
    }:
    {
      ExecStart = lib.mkForce (
        runCommandLine (lib.getExe xpu) {
          inherit app;
          inherit (cfg) backend device strict;
        } command
      );
    }
    // perfmonServiceConfig cfg.perfmon;

  # Device classes (from /proc/devices) a GPU compute service needs:
  # /dev/dri/* (Intel, AMD, any render node), NVIDIA's nodes, AMD's KFD.
  gpuDeviceAllow = [
    "char-drm rw"
    "char-nvidiactl rw"
    "char-nvidia-caps rw"
    "char-nvidia-frontend rw"
    "char-nvidia-uvm rw"
    "char-kfd rw"
  ];
}
