# The Nix checks: the flake, the package, the launchers and the NixOS and
# Home Manager modules, evaluated with nixpkgs' lib and nixpkgs' own modules
# (harness.nix), and what they generate. Nothing is built.
# Returns { checks = [ { name; ok; detail; } ]; artifacts = { ... }; }:
# tests/nix/eval.sh prints and counts the checks, and feeds the artifacts
# (config files, unit command lines, unit files) to xpu and systemd-analyze.
{
  nixpkgs,
  root,
  # a folder of docs/nixos.md's snippets, laid out by eval.sh ("" for none)
  docs ? "",
}:
let
  harness = import ./harness.nix { inherit nixpkgs root; };
  inherit (harness) lib rootPath homeManager nixos;
  # every enable of the flake's modules off: what nixpkgs' modules alone make
  # of the same configuration (modules do nothing unless enabled)
  flakeModulesOff =
    { options, ... }:
    {
      config = lib.mkMerge [
        (lib.optionalAttrs (options.hardware ? xpu) {
          hardware.xpu.enable = lib.mkForce false;
          programs.xpu.enable = lib.mkForce false;
        })
        (lib.optionalAttrs (options.services.ollama ? xpu) { services.ollama.xpu.enable = lib.mkForce false; })
        (lib.optionalAttrs (options.services.comfyui ? xpu) {
          services.comfyui.xpu.enable = lib.mkForce false;
        })
        (lib.optionalAttrs (options.services ? xpu-exporter) {
          services.xpu-exporter.enable = lib.mkForce false;
        })
      ];
    };
  # (with the example's packages, so that the units differ only by what the
  # flake's modules add; the package choice is compared on its own)
  again =
    config: extra:
    (harness.nixosSystem {
      inherit (config._eval) specialArgs;
      modules = config._eval.modules ++ extra;
    }).config;
  nixpkgsOnly =
    config:
    again config [
      flakeModulesOff
      {
        services.ollama.package = lib.mkForce config.services.ollama.package;
        services.comfyui.package = lib.mkForce config.services.comfyui.package;
      }
    ];
  nixpkgsDefaults = config: again config [ flakeModulesOff ];
  modulePath = name: rootPath + "/nix/modules/${name}.nix";

  overlay = import (rootPath + "/nix/overlay.nix");
  pkgs = harness.mkPkgs { overlays = [ overlay ]; };
  pkgsCuda = harness.mkPkgs {
    overlays = [ overlay ];
    config.cudaSupport = true;
  };
  cudaSupport = { nixpkgs.config.cudaSupport = true; };
  # with huggingface/hf-nix's overlay (its stand-in) and xpuSupport: an XPU torch
  xpuTorch = lib.composeExtensions harness.hfNixInput.overlays.default overlay;
  pkgsXpu = harness.mkPkgs {
    overlays = [ xpuTorch ];
    config = {
      xpuSupport = true;
      allowUnfree = true;
    };
  };

  names = map (p: p.name);
  # the torch a Python application was built with
  torchOf = p: lib.findFirst (d: (d.pname or "") == "torch") { } (p.propagatedBuildInputs or [ ]);
  failedAssertions = config: map (a: a.message) (lib.filter (a: !a.assertion) config.assertions);
  unit = config: name: config.systemd.services.${name}.serviceConfig;
  exe = drv: "${drv.outPath}/bin/${drv.meta.mainProgram}";
  xpuExe = exe pkgs.xpu;

  # a check that throws counts as failed, with the error left to stderr
  check = name: ok: detail: {
    inherit name;
    ok =
      let
        r = builtins.tryEval ok;
      in
      r.success && r.value == true;
    detail =
      let
        r = builtins.tryEval (builtins.toJSON detail);
      in
      if r.success then r.value else "(evaluation failed)";
  };

  # ---- the GPU compute base -------------------------------------------------
  intel = nixos [
    (modulePath "xpu")
    {
      hardware.xpu = {
        enable = true;
        backends = [ "level_zero" ];
        users = [ "alice" ];
      };
      programs.xpu.settings = {
        run = {
          backend = "level_zero";
          device = "0";
          fallback = true; # ollama has no level_zero: xpu run --app ollama takes vulkan
        };
        apps.ollama = "/run/current-system/sw/bin/ollama";
      };
      programs.xpu.profiles = ollamaProfile;
    }
  ];
  # a profile of the user's: the shipped one's vulkan section, models kept loaded
  ollamaProfile.ollama = {
    profile = {
      description = "Ollama, models kept loaded";
      commands = "ollama";
      command = "ollama";
    };
    vulkan = {
      "env.OLLAMA_VULKAN" = "1";
      "env.GGML_VK_VISIBLE_DEVICES" = "{vulkan.index}";
      "env.OLLAMA_IGPU_ENABLE" = "1";
      "env.OLLAMA_KEEP_ALIVE" = "-1";
      unset = "CUDA_VISIBLE_DEVICES";
    };
    cpu = {
      "env.OLLAMA_VULKAN" = "0";
      arg = [ ];
    };
  };
  legacy = nixos [
    (modulePath "xpu")
    {
      hardware.xpu = {
        enable = true;
        backends = [ "level_zero" ];
        intel.legacyRuntime = true;
      };
    }
  ];
  cpuOnly = nixos [
    (modulePath "xpu")
    { hardware.xpu.enable = true; }
  ];
  cudaNoDriver = nixos [
    (modulePath "xpu")
    {
      hardware.xpu.enable = true;
      hardware.xpu.backends = [ "cuda" ];
    }
  ];
  cudaDriver = nixos [
    (modulePath "xpu")
    {
      hardware.xpu.enable = true;
      hardware.xpu.backends = [ "cuda" ];
      services.xserver.videoDrivers = [ "nvidia" ];
    }
  ];
  expectedConfig = ''
    ; written by the NixOS option programs.xpu.settings; edit the Nix option, not this file
    [apps]
    ollama=/run/current-system/sw/bin/ollama

    [run]
    backend=level_zero
    device=0
    fallback=true
  '';

  # ---- Ollama ---------------------------------------------------------------
  ollamaOn =
    extra:
    nixos [
      (modulePath "ollama")
      {
        services.ollama.enable = true;
        services.ollama.xpu.enable = true;
      }
      extra
    ];
  ollamaBackends = backends: ollamaOn { hardware.xpu = { enable = true; inherit backends; }; };
  ollamaIntel = ollamaBackends [ "level_zero" ];
  ollamaPerfmon = ollamaOn {
    hardware.xpu.enable = true;
    services.ollama.xpu.perfmon = true;
  };
  ollamaPackage = config: config.services.ollama.package.name;

  # ---- ComfyUI --------------------------------------------------------------
  # a ComfyUI whose torch has XPU support, as a user would build it
  comfyuiWithXpuTorch = pkgs.comfyui // {
    name = "comfyui-with-xpu-torch";
    outPath = "/nix/store/00000000000000000000000000000000-comfyui-with-xpu-torch";
    propagatedBuildInputs = [ (pkgs.python3Packages.torch // { xpuSupport = true; }) ];
  };
  comfyuiOn =
    extra:
    nixos [
      (modulePath "comfyui")
      {
        services.comfyui.enable = true;
        services.comfyui.xpu.enable = true;
      }
      extra
    ];
  comfyuiCuda = comfyuiOn {
    imports = [ cudaSupport ];
    hardware.xpu.enable = true;
    hardware.xpu.backends = [ "cuda" ];
  };
  comfyuiXpu = comfyuiOn {
    hardware.xpu.enable = true;
    hardware.xpu.backends = [ "level_zero" ];
  };
  comfyuiXpuOwnPackage = comfyuiOn {
    hardware.xpu.enable = true;
    hardware.xpu.backends = [ "level_zero" ];
    services.comfyui.package = comfyuiWithXpuTorch;
  };
  comfyuiCudaNoSupport = comfyuiOn {
    hardware.xpu.enable = true;
    hardware.xpu.backends = [ "cuda" ];
  };
  comfyuiPerfmon = comfyuiOn { services.comfyui.xpu.perfmon = true; };
  # hardware.xpu warns on its own about cuda without the NVIDIA driver
  comfyuiWarnings = config: lib.filter (lib.hasPrefix "services.comfyui") config.warnings;

  # ---- the exporter ---------------------------------------------------------
  exporterOn =
    extra:
    nixos [
      (modulePath "exporter")
      { services.xpu-exporter.enable = true; }
      extra
    ];
  exporter = exporterOn { };
  exporterV6 = exporterOn {
    services.xpu-exporter = {
      listenAddress = "::";
      port = 9100;
      openFirewall = true;
    };
  };
  exporterPerfmon = exporterOn { services.xpu-exporter.perfmon = true; };

  # ---- aliases --------------------------------------------------------------
  baseSettings = {
    hardware.xpu = {
      enable = true;
      backends = [ "level_zero" ];
      users = [ "bob" ];
    };
    programs.xpu.settings.run.backend = "level_zero";
  };
  baseView = config: {
    packages = names config.hardware.graphics.extraPackages;
    config = config.environment.etc."xpu/config".text;
    users = config.users.users;
  };
  everything = nixos [
    (modulePath "xpu")
    (modulePath "ipex")
    (modulePath "ollama")
    (modulePath "ollama-ipex")
    (modulePath "comfyui")
    (modulePath "exporter")
    baseSettings
    {
      services.ollama = {
        enable = true;
        xpu.enable = true;
      };
      services.comfyui = {
        enable = true;
        xpu.enable = true;
        package = comfyuiWithXpuTorch;
      };
      services.xpu-exporter.enable = true;
    }
  ];

  # ---- modules do nothing unless their own enable is set --------------------
  # what a configuration does to the machine, as far as these modules reach
  machineView = config: {
    units = lib.mapAttrs (_: s: {
      inherit (s) serviceConfig environment;
    }) (lib.filterAttrs (n: _: lib.elem n xpuUnits) config.systemd.services);
    ollama = lib.mapNullable (p: p.name) (config.services.ollama.package or null);
    systemPackages = names config.environment.systemPackages;
    etc = builtins.attrNames config.environment.etc;
    graphics = names config.hardware.graphics.extraPackages;
    inherit (config) warnings;
    assertions = failedAssertions config;
  };
  servicesOnly = {
    services.ollama.enable = true;
    services.comfyui.enable = true;
  };
  nixpkgsAlone = nixos [ servicesOnly ];
  allImported = nixos [
    (modulePath "xpu")
    (modulePath "ipex")
    (modulePath "ollama")
    (modulePath "ollama-ipex")
    (modulePath "comfyui")
    (modulePath "exporter")
    servicesOnly
  ];

  # ---- Home Manager ---------------------------------------------------------
  home =
    extra:
    homeManager [
      (modulePath "home-manager")
      {
        programs.xpu = {
          enable = true;
          launchers = [ flakeOutputs.packages.x86_64-linux.comfyui-xpu ];
          settings.run.device = "0";
        };
        services.ollama.enable = true;
      }
      extra
    ];
  homePlain = home { };
  homeWrapped = home {
    programs.xpu.profiles = ollamaProfile;
    programs.xpu.ollama = {
      enable = true;
      backend = "vulkan";
    };
  };

  # ---- the package and the launchers ---------------------------------------
  mesonVersion =
    let
      lines = lib.splitString "\n" (builtins.readFile (rootPath + "/meson.build"));
      line = lib.findFirst (lib.hasPrefix "  version : '") null lines;
    in
    lib.head (lib.splitString "'" (lib.removePrefix "  version : '" line));
  launcherCommand = name: pkgsXpu.${name}.buildCommand;

  # ---- the flake --------------------------------------------------------------
  flakeOutputs = harness.flake;
  flakeChecks = flakeOutputs.checks.x86_64-linux;
  vmNode = name: nixos [ flakeChecks.${name}.test.nodes.machine ];
  vmScript = name: flakeChecks.${name}.test.testScript;
  vmOllamaLine = "/bin/xpu run --app ollama --backend cpu --strict -- ";
  checks = [
  (check "modules: importing every module, with only nixpkgs' services.ollama and services.comfyui enabled, changes nothing (units, package, packages, /etc, warnings)"
    (machineView allImported == machineView nixpkgsAlone)
    (machineView allImported)
  )
  (
    let
      options = (harness.nixosSystem { modules = map modulePath [ "xpu" "ollama" "comfyui" "exporter" ]; }).options;
      enables = {
        "hardware.xpu.enable" = options.hardware.xpu.enable;
        "programs.xpu.enable" = options.programs.xpu.enable;
        "services.ollama.xpu.enable" = options.services.ollama.xpu.enable;
        "services.ollama.xpu.perfmon" = options.services.ollama.xpu.perfmon;
        "services.comfyui.xpu.enable" = options.services.comfyui.xpu.enable;
        "services.comfyui.xpu.perfmon" = options.services.comfyui.xpu.perfmon;
        "services.xpu-exporter.enable" = options.services.xpu-exporter.enable;
        "services.xpu-exporter.perfmon" = options.services.xpu-exporter.perfmon;
      };
    in
    check "modules: every enable option is a mkEnableOption (false unless set)" (lib.all (
      o: o.default == false && o.type.name == "bool" && o.example == true
    ) (lib.attrValues enables)) (lib.mapAttrs (_: o: o.default) enables)
  )
  (check "xpu: level_zero adds intel-compute-runtime, its drivers output (Level Zero) and level-zero"
    (
      intel.hardware.graphics.enable
      &&
        names intel.hardware.graphics.extraPackages == [
          "intel-compute-runtime-25.09.32961.5"
          "intel-compute-runtime-25.09.32961.5-drivers"
          "level-zero-1.28.0"
        ]
    )
    (names intel.hardware.graphics.extraPackages)
  )
  (check "xpu: legacyRuntime puts intel-compute-runtime-legacy1 (Gen8-Gen11) in its place"
    (
      names legacy.hardware.graphics.extraPackages == [
        "intel-compute-runtime-legacy1-24.35.30872.32"
        "intel-compute-runtime-legacy1-24.35.30872.32-drivers"
        "level-zero-1.28.0"
      ]
    )
    (names legacy.hardware.graphics.extraPackages)
  )
  (check "xpu: a CPU-only machine gets no Intel runtime" (
    cpuOnly.hardware.graphics.extraPackages == [ ]
  ) (names cpuOnly.hardware.graphics.extraPackages))
  (check "xpu: hardware.xpu.users join render and video" (
    intel.users.users.alice.extraGroups == [
      "render"
      "video"
    ]
  ) intel.users.users)
  (check "xpu: programs.xpu.settings is written to /etc/xpu/config in xpu-config(1)'s sections" (
    intel.environment.etc."xpu/config".text == expectedConfig
  ) intel.environment.etc."xpu/config".text)
  (check "xpu: programs.xpu.profiles become /etc/xpu/profiles.d/NAME.ini" (
    lib.hasInfix "\n[vulkan]\n" intel.environment.etc."xpu/profiles.d/ollama.ini".text
    && lib.hasInfix "\nenv.OLLAMA_KEEP_ALIVE=-1\n" intel.environment.etc."xpu/profiles.d/ollama.ini".text
  ) intel.environment.etc."xpu/profiles.d/ollama.ini".text)
  (check "xpu: no settings, no /etc/xpu/config" (!(cpuOnly.environment.etc ? "xpu/config"))
    (builtins.attrNames cpuOnly.environment.etc)
  )
  (check "xpu: the xpu program is installed" (
    names cpuOnly.environment.systemPackages == [ "xpu-${mesonVersion}" ]
  ) (names cpuOnly.environment.systemPackages))
  (check "xpu: cuda without the NVIDIA driver warns, with it does not" (
    lib.length cudaNoDriver.warnings == 1
    && lib.hasInfix "videoDrivers" (lib.head cudaNoDriver.warnings)
    && cudaDriver.warnings == [ ]
  ) cudaNoDriver.warnings)

  (check "ollama: an Intel GPU runs ollama-vulkan, started through xpu run" (
    (unit ollamaIntel "ollama").ExecStart
    == "${xpuExe} run --app ollama --backend vulkan --strict -- ${exe pkgs.ollama-vulkan} serve"
  ) (unit ollamaIntel "ollama").ExecStart)
  (check "ollama: the package follows the declared backend (cuda, rocm, cpu; cuda first when both)"
    (
      map ollamaPackage [
        (ollamaBackends [ "cuda" ])
        (ollamaBackends [ "rocm" ])
        (ollamaBackends [ "cpu" ])
        (ollamaBackends [
          "level_zero"
          "cuda"
        ])
      ] == [
        "ollama-cuda-0.32.0"
        "ollama-rocm-0.32.0"
        "ollama-cpu-0.32.0"
        "ollama-cuda-0.32.0"
      ]
    )
    (
      map ollamaPackage [
        (ollamaBackends [ "cuda" ])
        (ollamaBackends [ "rocm" ])
        (ollamaBackends [ "cpu" ])
      ]
    )
  )
  (
    let
      config = ollamaOn {
        hardware.xpu.enable = true;
        services.ollama.package = pkgs.ollama-rocm;
      };
    in
    check "ollama: a services.ollama.package set by the user wins" (
      ollamaPackage config == "ollama-rocm-0.32.0"
      && lib.hasInfix (exe pkgs.ollama-rocm) (unit config "ollama").ExecStart
    ) (unit config "ollama").ExecStart
  )
  (check "ollama: no CAP_PERFMON unless asked (nixpkgs' empty capability set stays)" (
    (unit ollamaIntel "ollama").CapabilityBoundingSet == [ "" ]
    && !((unit ollamaIntel "ollama") ? AmbientCapabilities)
    && (unit ollamaIntel "ollama").PrivateUsers == true
  ) (unit ollamaIntel "ollama"))
  (check "ollama: perfmon grants CAP_PERFMON (bounding and ambient) and turns PrivateUsers off" (
    (unit ollamaPerfmon "ollama").CapabilityBoundingSet == [ "CAP_PERFMON" ]
    && (unit ollamaPerfmon "ollama").AmbientCapabilities == [ "CAP_PERFMON" ]
    && (unit ollamaPerfmon "ollama").PrivateUsers == false
  ) (unit ollamaPerfmon "ollama"))
  (check "ollama: DeviceAllow opens /dev/dri (char-drm) under a closed policy, with group render" (
    lib.any (lib.hasPrefix "char-drm") (unit ollamaIntel "ollama").DeviceAllow
    && (unit ollamaIntel "ollama").DevicePolicy == "closed"
    && lib.elem "render" (unit ollamaIntel "ollama").SupplementaryGroups
  ) (unit ollamaIntel "ollama").DeviceAllow)
  (
    let
      config = ollamaOn { services.ollama.xpu.backend = "level_zero"; };
    in
    check "ollama: backend level_zero is refused, pointing at vulkan" (
      lib.length (failedAssertions config) == 1 && lib.hasInfix "vulkan" (lib.head (failedAssertions config))
    ) (failedAssertions config)
  )
  (
    let
      config = ollamaOn {
        services.ollama.xpu = {
          backend = "cuda";
          device = "0000:03:00.0";
          strict = false;
        };
      };
    in
    check "ollama: device and --fallback reach the xpu run command line" (
      lib.hasInfix "xpu run --app ollama --backend cuda --fallback --device 0000:03:00.0 -- " (unit config "ollama").ExecStart
    ) (unit config "ollama").ExecStart
  )
  (
    let
      config = ollamaOn { };
    in
    check "ollama: auto (no hardware.xpu) keeps nixpkgs' package and lets xpu choose (no --backend)" (
      (unit config "ollama").ExecStart == "${xpuExe} run --app ollama -- ${exe pkgs.ollama} serve"
      && ollamaPackage config == "ollama-0.32.0"
      && failedAssertions config == [ ]
    ) (unit config "ollama").ExecStart
  )
  (
    let
      config = ollamaOn {
        hardware.xpu = {
          enable = true;
          backends = [ "cuda" ];
        };
        services.ollama.xpu.backend = "auto";
      };
    in
    check "ollama: auto where xpu picks cuda, with nixpkgs' CPU ollama: refused, naming pkgs.ollama-cuda" (
      ollamaPackage config == "ollama-0.32.0"
      && lib.length (failedAssertions config) == 1
      && lib.hasInfix "services.ollama.package = pkgs.ollama-cuda" (lib.head (failedAssertions config))
    ) (failedAssertions config)
  )
  (
    let
      config = ollamaOn {
        imports = [ cudaSupport ];
        hardware.xpu = {
          enable = true;
          backends = [ "cuda" ];
        };
        services.ollama.xpu.backend = "auto";
      };
    in
    check "ollama: auto keeps a package that drives the backend xpu picks (nixpkgs' ollama with cudaSupport)" (
      ollamaPackage config == "ollama-0.32.0"
      && failedAssertions config == [ ]
      && (unit config "ollama").ExecStart == "${xpuExe} run --app ollama -- ${exe pkgs.ollama} serve"
    ) (failedAssertions config)
  )
  (
    let
      config = ollamaOn {
        hardware.xpu = {
          enable = true;
          backends = [ "level_zero" ];
        };
        services.ollama.package = pkgs.ollama-cuda;
      };
    in
    check "ollama: a package that cannot drive the chosen backend is refused, naming the one to set" (
      lib.length (failedAssertions config) == 1
      && lib.hasInfix "services.ollama.package = pkgs.ollama-vulkan" (lib.head (failedAssertions config))
    ) (failedAssertions config)
  )
  (
    let
      config = ollamaOn {
        hardware.xpu = {
          enable = true;
          backends = [ "cpu" ];
        };
        services.ollama.xpu.backend = "cuda";
      };
    in
    check "ollama: a backend hardware.xpu.backends does not declare is refused" (
      lib.length (failedAssertions config) == 1
      && lib.hasInfix "hardware.xpu.backends" (lib.head (failedAssertions config))
    ) (failedAssertions config)
  )
  (
    let
      config = ollamaOn { services.ollama.xpu.enable = lib.mkForce false; };
    in
    check "ollama: xpu.enable = false leaves nixpkgs' unit as it was" (
      (unit config "ollama") == (unit (nixos [ { services.ollama.enable = true; } ]) "ollama")
    ) (unit config "ollama")
  )

  (check "comfyui: started through xpu run, keeping nixpkgs' listen and port flags" (
    (unit comfyuiCuda "comfyui").ExecStart
    == "${xpuExe} run --app comfyui --backend cuda --strict -- ${exe pkgsCuda.comfyui} '--base-directory=/var/lib/comfyui' '--database-url=sqlite:////var/lib/comfyui/user/comfyui.db' '--listen=127.0.0.1,::1' '--port=8188'"
  ) (unit comfyuiCuda "comfyui").ExecStart)
  (check "comfyui: nixpkgs' DeviceAllow = null becomes the GPU classes under a closed policy" (
    (unit comfyuiCuda "comfyui").DeviceAllow == [
      "char-drm rw"
      "char-nvidiactl rw"
      "char-nvidia-caps rw"
      "char-nvidia-frontend rw"
      "char-nvidia-uvm rw"
      "char-kfd rw"
    ]
    && (unit comfyuiCuda "comfyui").DevicePolicy == "closed"
  ) (unit comfyuiCuda "comfyui").DeviceAllow)
  (check "comfyui: level_zero with nixpkgs' comfyui (no XPU torch) is refused, naming the package to set; a ComfyUI on an XPU torch is not"
    (
      lib.length (failedAssertions comfyuiXpu) == 1
      && lib.hasInfix "services.comfyui.package" (lib.head (failedAssertions comfyuiXpu))
      && lib.hasInfix "python-xpu" (lib.head (failedAssertions comfyuiXpu))
      && failedAssertions comfyuiXpuOwnPackage == [ ]
      && lib.hasInfix "--backend level_zero --strict" (unit comfyuiXpuOwnPackage "comfyui").ExecStart
    )
    (failedAssertions comfyuiXpu)
  )
  (check "comfyui: cuda without nixpkgs.config.cudaSupport is refused, naming it; with it, not" (
    lib.length (failedAssertions comfyuiCudaNoSupport) == 1
    && lib.hasInfix "nixpkgs.config.cudaSupport = true" (lib.head (failedAssertions comfyuiCudaNoSupport))
    && failedAssertions comfyuiCuda == [ ]
  ) (failedAssertions comfyuiCudaNoSupport))
  (check "comfyui: no CAP_PERFMON unless asked; perfmon grants it" (
    (unit comfyuiCuda "comfyui").CapabilityBoundingSet == [ "" ]
    && (unit comfyuiPerfmon "comfyui").CapabilityBoundingSet == [ "CAP_PERFMON" ]
    && (unit comfyuiPerfmon "comfyui").AmbientCapabilities == [ "CAP_PERFMON" ]
    && (unit comfyuiPerfmon "comfyui").PrivateUsers == false
  ) (unit comfyuiPerfmon "comfyui"))

  (check "exporter: runs xpu exporter on 127.0.0.1:9835 every 1s" (
    (unit exporter "xpu-exporter").ExecStart
    == "${xpuExe} exporter --listen 127.0.0.1:9835 --interval 1s"
  ) (unit exporter "xpu-exporter").ExecStart)
  (check "exporter: an IPv6 listen address is bracketed" (
    lib.hasInfix "--listen '[::]:9100'" (unit exporterV6 "xpu-exporter").ExecStart
  ) (unit exporterV6 "xpu-exporter").ExecStart)
  (check "exporter: hardened: dynamic user, read-only system, no capabilities, GPU nodes only" (
    let
      s = unit exporter "xpu-exporter";
    in
    s.DynamicUser
    && s.ProtectSystem == "strict"
    && s.ProtectHome
    && s.NoNewPrivileges
    && s.CapabilityBoundingSet == [ "" ]
    && !(s ? AmbientCapabilities)
    && s.DevicePolicy == "closed"
    && lib.elem "char-drm rw" s.DeviceAllow
    && s.PrivateDevices == false
  ) (unit exporter "xpu-exporter"))
  (check "exporter: on a loopback address only loopback peers reach it; on another, any" (
    (unit exporter "xpu-exporter").IPAddressDeny == [ "any" ]
    && (unit exporter "xpu-exporter").IPAddressAllow == [ "localhost" ]
    && !((unit exporterV6 "xpu-exporter") ? IPAddressDeny)
  ) (unit exporterV6 "xpu-exporter"))
  (check "exporter: openFirewall opens the port, and only when set" (
    exporterV6.networking.firewall.allowedTCPPorts == [ 9100 ]
    && exporter.networking.firewall.allowedTCPPorts == [ ]
  ) exporterV6.networking.firewall.allowedTCPPorts)
  (check "exporter: perfmon grants CAP_PERFMON" (
    (unit exporterPerfmon "xpu-exporter").CapabilityBoundingSet == [ "CAP_PERFMON" ]
    && (unit exporterPerfmon "xpu-exporter").AmbientCapabilities == [ "CAP_PERFMON" ]
  ) (unit exporterPerfmon "xpu-exporter"))

  (check "aliases: the ipex module configures exactly what xpu does" (
    baseView (nixos [
      (modulePath "ipex")
      baseSettings
    ]) == baseView (nixos [
      (modulePath "xpu")
      baseSettings
    ])
  ) (baseView (nixos [ (modulePath "ipex") baseSettings ])))
  (check "aliases: the ollama-ipex module gives the same unit as ollama" (
    unit (nixos [
      (modulePath "ollama-ipex")
      baseSettings
      { services.ollama.enable = true; }
    ]) "ollama" == unit (nixos [
      (modulePath "ollama")
      baseSettings
      { services.ollama.enable = true; }
    ]) "ollama"
  ) "")
  (check "aliases: every module and alias imported together evaluates (each file once)" (
    lib.hasPrefix "${xpuExe} run --app ollama" (unit everything "ollama").ExecStart
    && lib.hasPrefix "${xpuExe} run --app comfyui" (unit everything "comfyui").ExecStart
    && lib.hasPrefix "${xpuExe} exporter" (unit everything "xpu-exporter").ExecStart
    && failedAssertions everything == [ ]
  ) (failedAssertions everything))

  (check "home-manager: xpu and the launchers in home.packages, settings in ~/.config/xpu/config" (
    lib.elem "xpu-${mesonVersion}" (names homePlain.home.packages)
    && lib.elem "comfyui-xpu" (names homePlain.home.packages)
    && homePlain.xdg.configFile."xpu/config".text == ''
      ; written by the Home Manager option programs.xpu.settings; edit the Nix option, not this file
      [run]
      device=0
    ''
  ) homePlain.xdg.configFile)
  (check "home-manager: beside Home Manager's services.ollama, its unit goes through xpu run only when asked"
    (
      homePlain.systemd.user.services.ollama.Service.ExecStart == "${exe pkgs.ollama} serve"
      &&
        homeWrapped.systemd.user.services.ollama.Service.ExecStart
        == "${xpuExe} run --app ollama --backend vulkan --strict -- ${exe pkgs.ollama} serve"
    )
    homeWrapped.systemd.user.services.ollama.Service.ExecStart
  )

  (check "package: the version is meson.build's" (
    pkgs.xpu.version == mesonVersion && mesonVersion != ""
  ) pkgs.xpu.version)
  (check "package: RUNPATH gets the loaders (level-zero, ocl-icd, vulkan-loader) and /run/opengl-driver/lib" (
    lib.hasInfix "addDriverRunpath $out/bin/xpu" pkgs.xpu.postFixup
    && lib.all (l: lib.hasInfix "${l.outPath}/lib" pkgs.xpu.postFixup) [
      pkgs.level-zero
      pkgs.ocl-icd
      pkgs.vulkan-loader
    ]
  ) pkgs.xpu.postFixup)
  (
    let
      reference = lib.mkPackageOption pkgs "xpu" { };
      same = option: option.description == reference.description && option.defaultText == reference.defaultText;
      nixosOption = (harness.nixosSystem { modules = [ (modulePath "xpu") ]; }).options.programs.xpu.package;
      homeOption = (harness.homeManagerWith { modules = [ (modulePath "home-manager") ]; }).options.programs.xpu.package;
    in
    check "conventions: programs.xpu.package is lib.mkPackageOption pkgs \"xpu\" (NixOS and Home Manager)" (
      same nixosOption && same homeOption && nixosOption.default == pkgs.xpu
    ) [ nixosOption.description homeOption.description ]
  )
  (check "conventions: the package and the launchers name their maintainers (meta.maintainers)" (
    lib.all (p: (p.meta.maintainers or [ ]) != [ ]) [
      pkgs.xpu
      pkgs.ollama-ipex
      pkgsXpu.comfyui-ipex
      pkgsXpu.python-xpu
      pkgs.comfyui-cuda
    ]
  ) (map (p: p.meta.maintainers or [ ]) [ pkgs.xpu pkgs.ollama-ipex ]))
  (
    let
      # (nixpkgs' own modules name theirs from lib.maintainers, whose list the
      # fixture lacks: only the flake's definitions are read)
      defs =
        (harness.nixosSystem {
          modules = map modulePath [
            "xpu"
            "ollama"
            "comfyui"
            "exporter"
          ];
        }).options.meta.maintainers.definitionsWithLocations;
      ours = lib.filter (d: lib.hasPrefix "${root}/nix/" (toString d.file)) defs;
      files = map (d: baseNameOf (toString d.file)) ours;
    in
    check "conventions: each NixOS module names its maintainers (meta.maintainers)" (
      lib.all (f: lib.elem f files) [
        "xpu.nix"
        "ollama.nix"
        "comfyui.nix"
        "exporter.nix"
      ]
      && lib.all (d: d.value != [ ]) ours
    ) files
  )
  (check "conventions: the flake builds xpu for x86_64-linux and aarch64-linux (meta.platforms: Linux)" (
    lib.all (system: flakeOutputs.packages ? ${system} && flakeOutputs.packages.${system}.xpu.meta.platforms == lib.platforms.linux) [
      "x86_64-linux"
      "aarch64-linux"
    ]
    && flakeOutputs.devShells ? aarch64-linux
  ) (builtins.attrNames flakeOutputs.packages))
  (check "package: the test suite is off in the sandbox (doCheck = false gives -Dtests=false)" (
    pkgs.xpu.mesonFlags == [ "-Dtests=false" ] && pkgs.xpu.doCheck == false
  ) pkgs.xpu.mesonFlags)
  (check "launchers: comfyui-cuda and comfyui-xpu force their backend, comfyui-ipex lets xpu choose, ollama-ipex takes vulkan or else the policy"
    (
      lib.hasInfix "'run --app comfyui --backend cuda --strict -- ${exe pkgsXpu.comfyui}'" (
        launcherCommand "comfyui-cuda"
      )
      && lib.hasInfix "'run --app comfyui --backend level_zero --strict -- ${exe pkgsXpu.comfyui-xpu.package}'" (
        launcherCommand "comfyui-xpu"
      )
      && lib.hasInfix "'run --app comfyui -- ${exe pkgsXpu.comfyui-xpu.package}'" (launcherCommand "comfyui-ipex")
      && lib.hasInfix "'run --app ollama --backend vulkan --fallback -- ${exe pkgs.ollama-vulkan}'" (
        launcherCommand "ollama-ipex"
      )
    )
    (map launcherCommand [
      "comfyui-cuda"
      "comfyui-xpu"
      "comfyui-ipex"
      "ollama-ipex"
    ])
  )
  (check "launchers: the wrapper runs xpu as argv[0] xpu, named bin/NAME, wrapping the given package" (
    lib.all (
      n:
      lib.hasInfix "makeWrapper ${xpuExe} \"$out/bin/${n}\"" (launcherCommand n)
      && lib.hasInfix "--argv0 xpu" (launcherCommand n)
      && pkgsXpu.${n}.meta.mainProgram == n
    ) [ "comfyui-cuda" "comfyui-xpu" "comfyui-ipex" "ollama-ipex" ]
    && pkgsXpu.comfyui-xpu.package.unwrapped.name == "comfyui-0.34.1"
  ) (launcherCommand "comfyui-xpu"))

  # ---- python-xpu and ComfyUI on it (defect 4) ----------------------------
  (
    let
      python = flakeOutputs.packages.x86_64-linux.python-xpu;
    in
    check "python-xpu: a Python whose torch is built for XPU (hf-nix's torch-bin from PyTorch's XPU wheel), x86_64-linux only" (
      python.torch.xpuSupport
      && lib.hasPrefix "https://download.pytorch.org/whl/xpu/" python.torch.src.url
      && lib.elem python.torch python.env.packages
      && python.meta.platforms == [ "x86_64-linux" ]
      && !(flakeOutputs.packages.aarch64-linux ? python-xpu)
    ) python.torch.name
  )
  (
    let
      comfyui = flakeOutputs.packages.x86_64-linux.comfyui-xpu.package;
    in
    check "comfyui-xpu and comfyui-ipex: nixpkgs' ComfyUI built on python-xpu's torch (it drives level_zero)" (
      (torchOf comfyui.unwrapped).xpuSupport
      && torchOf comfyui.unwrapped == flakeOutputs.packages.x86_64-linux.python-xpu.torch
      && flakeOutputs.packages.x86_64-linux.comfyui-ipex.package == comfyui
      && lib.elem "level_zero" flakeOutputs.packages.x86_64-linux.comfyui-xpu.xpuBackends
    ) (torchOf comfyui.unwrapped).name
  )
  (
    let
      ldPath = "${pkgsXpu.level-zero}/lib:/run/opengl-driver/lib:${pkgsXpu.intel-compute-runtime.drivers}/lib";
      wrapped = p: lib.hasInfix "--prefix LD_LIBRARY_PATH : ${ldPath}" p.buildCommand;
    in
    check "python-xpu and comfyui-xpu: the wrapper puts the Level Zero loader, then /run/opengl-driver/lib, then intel-compute-runtime's drivers output on LD_LIBRARY_PATH" (
      wrapped pkgsXpu.python-xpu && wrapped pkgsXpu.comfyui-xpu.package
    ) pkgsXpu.python-xpu.buildCommand
  )
  (check "python-xpu and comfyui-xpu: without an XPU torch (nixpkgs' own) they refuse to evaluate, rather than run on the CPU" (
    # (a stand-in derivation's outPath is its name: its build command is
    # what depends on the package, as a real derivation's outPath does)
    !(builtins.tryEval pkgs.python-xpu.outPath).success
    && !(builtins.tryEval pkgs.comfyui-xpu.buildCommand).success
    && (builtins.tryEval pkgs.comfyui-cuda.buildCommand).success
  ) "")
  (
    let
      onCuda = nixos [
        (modulePath "xpu")
        {
          hardware.xpu = {
            enable = true;
            backends = [ "cuda" ];
          };
          services.xserver.videoDrivers = [ "nvidia" ];
          environment.systemPackages = [ flakeOutputs.packages.x86_64-linux.comfyui-xpu ];
        }
      ];
      onIntel = nixos [
        (modulePath "xpu")
        {
          hardware.xpu = {
            enable = true;
            backends = [ "level_zero" ];
          };
          environment.systemPackages = [ flakeOutputs.packages.x86_64-linux.comfyui-xpu ];
        }
      ];
    in
    check "comfyui-xpu asked for on a machine with no Level Zero backend is refused; on an Intel one it is not" (
      lib.length (failedAssertions onCuda) == 1
      && lib.hasInfix "comfyui-xpu" (lib.head (failedAssertions onCuda))
      && lib.hasInfix "level_zero" (lib.head (failedAssertions onCuda))
      && failedAssertions onIntel == [ ]
    ) (failedAssertions onCuda)
  )
  (
    let
      config = comfyuiOn {
        hardware.xpu.enable = true;
        hardware.xpu.backends = [ "level_zero" ];
        services.comfyui.package = flakeOutputs.packages.x86_64-linux.comfyui-xpu.package;
      };
    in
    check "comfyui: services.comfyui.package = comfyui-xpu.package runs on level_zero, nixpkgs' share/ kept" (
      failedAssertions config == [ ]
      && lib.hasInfix "--backend level_zero --strict" (unit config "comfyui").ExecStart
      && lib.hasInfix "ln -s ${pkgsXpu.comfyui}/share" flakeOutputs.packages.x86_64-linux.comfyui-xpu.package.buildCommand
    ) (failedAssertions config)
  )

  (check "flake: the outputs carry the issue's names" (
    builtins.attrNames flakeOutputs.packages.x86_64-linux == [
      "comfyui-cuda"
      "comfyui-ipex"
      "comfyui-xpu"
      "default"
      "ollama-ipex"
      "python-xpu"
      "xpu"
    ]
    && builtins.attrNames flakeOutputs.packages.aarch64-linux == [
      "comfyui-cuda"
      "default"
      "ollama-ipex"
      "xpu"
    ]
    && builtins.attrNames flakeOutputs.overlays == [
      "default"
      "intel-xpu"
      "xpu-torch"
    ]
    && builtins.attrNames flakeOutputs.nixosModules == [
      "comfyui"
      "default"
      "exporter"
      "ipex"
      "ollama"
      "ollama-ipex"
      "xpu"
    ]
    && builtins.attrNames flakeOutputs.homeManagerModules == [ "default" ]
    && builtins.attrNames flakeOutputs.devShells.x86_64-linux == [ "default" ]
    && builtins.attrNames flakeChecks == [
      "vm-doctor"
      "vm-exporter"
      "vm-ollama"
      "xpu"
    ]
  ) (lib.mapAttrs (_: builtins.attrNames) (removeAttrs flakeOutputs [ "outPath" ])))
  (check "flake: comfyui-cuda wraps a comfyui from nixpkgs with cudaSupport; the default package is xpu" (
    (torchOf flakeOutputs.packages.x86_64-linux.comfyui-cuda.package).cudaSupport
    && flakeOutputs.packages.x86_64-linux.default.name == "xpu-${mesonVersion}"
  ) flakeOutputs.packages.x86_64-linux.default.name)
  (check "flake: the vm-ollama node's unit is the command line its test script expects" (
    lib.hasInfix vmOllamaLine (unit (vmNode "vm-ollama") "ollama").ExecStart
    && lib.hasInfix vmOllamaLine (vmScript "vm-ollama")
    && ollamaPackage (vmNode "vm-ollama") == "ollama-cpu-0.32.0"
  ) (unit (vmNode "vm-ollama") "ollama").ExecStart)
  (check "flake: the vm-doctor node writes backend=cpu, the line its test script greps" (
    lib.elem "backend=cpu" (lib.splitString "\n" (vmNode "vm-doctor").environment.etc."xpu/config".text)
    && lib.hasInfix "grep -qx 'backend=cpu' /etc/xpu/config" (vmScript "vm-doctor")
  ) (vmNode "vm-doctor").environment.etc."xpu/config".text)
  (check "flake: the vm-exporter node listens where its test script looks" (
    lib.hasInfix "--listen 127.0.0.1:9835" (unit (vmNode "vm-exporter") "xpu-exporter").ExecStart
    && lib.hasInfix "wait_for_open_port(9835)" (vmScript "vm-exporter")
    && lib.hasInfix "http://127.0.0.1:9835/metrics" (vmScript "vm-exporter")
  ) (unit (vmNode "vm-exporter") "xpu-exporter").ExecStart)
];

  # ---- what the modules generate, for eval.sh to feed to its consumers ------
  # Each example is an evaluated configuration and the machine (a sysroot
  # fixture of tests/fixtures, and the backends declared usable there) its
  # command lines are run against: `xpu config` reads its /etc/xpu/config,
  # `xpu run --dry-run --explain` its units' and launchers' command lines,
  # systemd-analyze its unit files.
  machines = {
    intel = {
      sysroot = "tests/fixtures/i915-igpu";
      assume = "0:level_zero=0,0:vulkan=0";
    };
    nvidia = {
      sysroot = "tests/fixtures/h200";
      assume = "0:cuda=0,0:vulkan=0";
    };
    both = {
      sysroot = "tests/fixtures/igpu-plus-nvidia";
      assume = "0:level_zero=0,0:vulkan=0,1:cuda=0,1:vulkan=1";
    };
    cpu = {
      sysroot = "tests/fixtures/no-drm";
      assume = "";
    };
  };
  # the settings as `xpu config --json` shows them: "section.key" = value
  flatSettings =
    settings:
    lib.concatMapAttrs (
      section: keys:
      lib.mapAttrs' (key: value: {
        name = "${section}.${key}";
        value = if lib.isBool value then lib.boolToString value else toString value;
      }) (lib.filterAttrs (_: v: v != null) keys)
    ) settings;
  xpuUnits = [
    "ollama"
    "comfyui"
    "xpu-exporter"
  ];
  nixosExample = machine: config: {
    machine = machines.${machine};
    config = lib.mapNullable (etc: {
      inherit (etc) text;
      settings = flatSettings config.programs.xpu.settings;
    }) (config.environment.etc."xpu/config" or null);
    profiles = profilesIn (config.environment.etc or { });
    units = lib.mapAttrs (
      name: service:
      let
        upstream = (nixpkgsOnly config).systemd.services.${name} or null;
      in
      {
        text = harness.renderUnit service;
        execStart = service.serviceConfig.ExecStart or "";
        # nixpkgs' own unit for the same configuration, when nixpkgs has one
        upstream = lib.mapNullable harness.renderUnit upstream;
        # with perfmon: the same unit but for the two settings CAP_PERFMON
        # cannot do without (the ambient capability, the host's user
        # namespace), as nixpkgs has them
        withoutCapability =
          if upstream != null && service.serviceConfig ? AmbientCapabilities then
            harness.renderUnit (
              service
              // {
                serviceConfig =
                  removeAttrs service.serviceConfig [
                    "AmbientCapabilities"
                    "PrivateUsers"
                  ]
                  // lib.getAttrs (lib.filter (k: upstream.serviceConfig ? ${k}) [ "PrivateUsers" ]) upstream.serviceConfig;
              }
            )
          else
            null;
      }
    ) (lib.filterAttrs (name: _: lib.elem name xpuUnits) config.systemd.services);
    launchers = launchersIn config.environment.systemPackages;
  };
  # ---- each serviceConfig key of ollama and comfyui against nixpkgs' own ----
  # One check per key that differs from what nixpkgs' module alone gives the
  # same configuration: ok when it is a difference the flake means (and has
  # the value it means), not ok otherwise.
  serviceConfigDiffs =
    exampleName: config:
    lib.concatMap (
      app:
      let
        ours = config.systemd.services.${app}.serviceConfig;
        theirs = (nixpkgsOnly config).systemd.services.${app}.serviceConfig;
        perfmon = config.services.${app}.xpu.perfmon;
        keys = lib.filter (k: (ours.${k} or null) != (theirs.${k} or null)) (
          lib.unique (builtins.attrNames ours ++ builtins.attrNames theirs)
        );
        get = set: k: set.${k} or null;
        meant =
          k:
          let
            o = get ours k;
            t = get theirs k;
          in
          {
            ExecStart =
              lib.optionalString (
                lib.hasPrefix "${xpuExe} run --app ${app} " o && lib.hasSuffix " -- ${lib.trim t}" o
              ) "the xpu run wrapper around nixpkgs' own command line";
            DeviceAllow = lib.optionalString (
              app == "comfyui" && t == null && o == xpuGpuDeviceAllow
            ) "the GPU device classes (/dev/dri, NVIDIA's nodes, /dev/kfd) instead of every device";
            DevicePolicy = lib.optionalString (
              app == "comfyui" && t == null && o == "closed"
            ) "a closed device policy, so DeviceAllow is all there is";
            SupplementaryGroups = lib.optionalString (
              app == "comfyui" && t == null && o == [ "render" ]
            ) "the render group, for /dev/dri/renderD* (nixpkgs' static comfyui user has none)";
            CapabilityBoundingSet = lib.optionalString (
              perfmon && o == [ "CAP_PERFMON" ]
            ) "CAP_PERFMON, asked for by xpu.perfmon";
            AmbientCapabilities = lib.optionalString (
              perfmon && o == [ "CAP_PERFMON" ]
            ) "CAP_PERFMON, asked for by xpu.perfmon";
            PrivateUsers = lib.optionalString (
              perfmon && o == false
            ) "off with xpu.perfmon: a capability inside a user namespace does not reach the host's checks";
            PrivateMounts = lib.optionalString (
              perfmon && o == true && t == null
            ) "private mounts, with xpu.perfmon, in place of the private user namespace";
          }
          .${k} or "";
      in
      lib.optional (app == "ollama" && config.services.ollama.package != (nixpkgsDefaults config).services.ollama.package) (
        let
          chosen = config.services.ollama.package;
          default = (nixpkgsDefaults config).services.ollama.package;
        in
        check "serviceConfig: ${exampleName}: services.ollama.package differs from nixpkgs' default (${default.name} -> ${chosen.name}): picked by services.ollama.xpu.backend = \"${config.services.ollama.xpu.backend}\"" (
          config.services.ollama.xpu.backend != "auto"
          && lib.elem config.services.ollama.xpu.backend (xpuLibrary.ollamaBackends chosen)
        ) chosen.name
      )
      ++ map (
        k:
        check "serviceConfig: ${exampleName}: ${app}'s ${k} differs from nixpkgs' (${builtins.toJSON (get theirs k)} -> ${builtins.toJSON (get ours k)}): ${
          if meant k != "" then meant k else "no difference the flake means"
        }" (meant k != "") (get ours k)
      ) keys
    ) (lib.filter (app: config.systemd.services ? ${app}) [
      "ollama"
      "comfyui"
    ]);
  xpuLibrary = import (rootPath + "/nix/lib.nix") { inherit lib; };
  xpuGpuDeviceAllow = xpuLibrary.gpuDeviceAllow;
  diffChecks = lib.concatLists (
    lib.mapAttrsToList serviceConfigDiffs (lib.mapAttrs' (name: _: lib.nameValuePair "docs-${name}" (docsConfig name)) docsNixos // {
      inherit
        ollamaIntel
        ollamaPerfmon
        comfyuiCuda
        comfyuiPerfmon
        everything
        ;
      vm-ollama = vmNode "vm-ollama";
    })
  );

  # NAME = text of each xpu/profiles.d/NAME.ini among /etc or ~/.config files
  profilesIn =
    files:
    lib.mapAttrs' (
      file: value: lib.nameValuePair (lib.removeSuffix ".ini" (lib.removePrefix "xpu/profiles.d/" file)) value.text
    ) (lib.filterAttrs (file: _: lib.hasPrefix "xpu/profiles.d/" file) files);
  launchersIn = packages: map (p: {
    inherit (p) name;
    argv = p.xpuArgv;
  }) (lib.filter (p: p ? xpuArgv) packages);
  # ---- docs/nixos.md's snippets, as written (defect 5) ----------------------
  # eval.sh lays each snippet out in its own folder NN-KIND: a configuration.nix
  # beside the docs' flake.nix (and a stand-in hardware-configuration.nix),
  # the flake.nix itself with an empty configuration.nix, or a home.nix.
  docsDir = /. + docs;
  docsSnippets =
    if docs == "" then
      { }
    else
      lib.filterAttrs (name: type: type == "directory") (builtins.readDir docsDir);
  docsKind = name: lib.last (lib.splitString "-" name);
  docsConfig =
    name:
    let
      dir = docsDir + "/${name}";
    in
    if docsKind name == "home" then
      (harness.homeManagerWith {
        modules = [ (dir + "/home.nix") ];
        specialArgs.xpu = harness.flake;
      }).config
    else
      let
        outputs = (import (dir + "/flake.nix")).outputs {
          self = outputs;
          nixpkgs = harness.nixpkgsInput;
          xpu = harness.flake;
        };
      in
      (lib.head (lib.attrValues outputs.nixosConfigurations)).config;
  docsChecks = lib.mapAttrsToList (
    name: _:
    let
      config = docsConfig name;
      home = docsKind name == "home";
      failed = if home then [ ] else failedAssertions config;
    in
    check "docs: snippet ${name} of docs/nixos.md evaluates as written, no assertion failing, no warning" (
      failed == [ ] && (home || config.warnings == [ ])
    ) (failed ++ lib.optionals (!home) config.warnings)
  ) docsSnippets;
  machineFor =
    backends:
    if lib.elem "cuda" backends && lib.elem "level_zero" backends then
      "both"
    else if lib.elem "cuda" backends then
      "nvidia"
    else if lib.elem "level_zero" backends then
      "intel"
    else
      "cpu";
  docsNixos = lib.filterAttrs (name: _: docsKind name != "home") docsSnippets;
  docsExamples = lib.mapAttrs' (
    name: _:
    let
      config = docsConfig name;
    in
    lib.nameValuePair "docs-${name}" (nixosExample (machineFor (config.hardware.xpu.backends or [ ])) config)
  ) docsNixos;
  docsHomeExamples = lib.mapAttrs' (
    name: _:
    let
      config = docsConfig name;
    in
    lib.nameValuePair "docs-${name}" {
      machine = machines.intel;
      config = lib.mapNullable (file: {
        inherit (file) text;
        settings = flatSettings config.programs.xpu.settings;
      }) (config.xdg.configFile."xpu/config" or null);
      units = lib.mapAttrs (_: service: {
        text = "";
        execStart = service.Service.ExecStart or "";
      }) config.systemd.user.services;
      launchers = launchersIn config.home.packages;
      profiles = profilesIn config.xdg.configFile;
    }
  ) (lib.filterAttrs (name: _: docsKind name == "home") docsSnippets);

  examples = docsExamples // {
    intel = nixosExample "intel" intel;
    ollama-intel = nixosExample "intel" ollamaIntel;
    ollama-perfmon = nixosExample "cpu" ollamaPerfmon;
    comfyui-cuda = nixosExample "nvidia" comfyuiCuda;
    comfyui-perfmon = nixosExample "cpu" comfyuiPerfmon;
    exporter = nixosExample "cpu" exporter;
    exporter-perfmon = nixosExample "intel" exporterPerfmon;
    exporter-public = nixosExample "cpu" exporterV6;
    everything = nixosExample "intel" everything;
    vm-doctor = nixosExample "cpu" (vmNode "vm-doctor");
    vm-ollama = nixosExample "cpu" (vmNode "vm-ollama");
    vm-exporter = nixosExample "cpu" (vmNode "vm-exporter");
  };
  homeExamples = docsHomeExamples // {
    home = {
      machine = machines.intel;
      config = {
        inherit (homeWrapped.xdg.configFile."xpu/config") text;
        settings = flatSettings homeWrapped.programs.xpu.settings;
      };
      units.ollama = {
        text = "";
        execStart = homeWrapped.systemd.user.services.ollama.Service.ExecStart;
      };
      launchers = launchersIn homeWrapped.home.packages;
      profiles = profilesIn homeWrapped.xdg.configFile;
    };
  };

  # The libraries xpu dlopens (eval.sh reads their names from the binary):
  # each one the package must put on xpu's RUNPATH, from the nixpkgs
  # package that provides it, or one that is found elsewhere on purpose.
  # The pkg-config names of meson.build's dependency() calls, and the nixpkgs
  # package that provides each (null: the compiler does). With strictDeps a
  # library pkg-config finds for the host must be a host input (buildInputs,
  # or checkInputs for the tests), never a native one.
  mesonDependencies = {
    providers = {
      jansson = "jansson-2.14";
      libpci = "pciutils-3.13";
      inih = "inih-62";
      libmicrohttpd = "libmicrohttpd-1.0.2";
      ncursesw = "ncurses-6.5";
      libcurl = "curl-8.17";
      cmocka = "cmocka-1.1.8";
      threads = null;
      openmp = null;
    };
    host = names ((pkgs.xpu.buildInputs or [ ]) ++ (pkgs.xpu.checkInputs or [ ]));
    native = names ((pkgs.xpu.nativeBuildInputs or [ ]) ++ (pkgs.xpu.nativeCheckInputs or [ ]));
  };
  sonames = {
    package = lib.mapAttrs (_: p: "${p}/lib") {
      "libpci.so.3" = pkgs.pciutils; # PCI names (src/core/pci.c)
      "libmicrohttpd.so.12" = pkgs.libmicrohttpd; # xpu exporter
      "libcurl.so.4" = pkgs.curl; # xpu doctor --app, bench of servers
      "libze_loader.so.1" = pkgs.level-zero;
      "libOpenCL.so.1" = pkgs.ocl-icd;
      "libvulkan.so.1" = pkgs.vulkan-loader;
    };
    elsewhere = {
      "libcuda.so.1" = "the NVIDIA driver, in /run/opengl-driver/lib (addDriverRunpath)";
      "libnvidia-ml.so.1" = "the NVIDIA driver, in /run/opengl-driver/lib (addDriverRunpath)";
      "libze_intel_gpu.so.1" = "intel-compute-runtime.drivers, linked into /run/opengl-driver/lib by hardware.xpu";
      "libcurl-gnutls.so.4" = "Debian's other libcurl; nixpkgs' curl gives libcurl.so.4";
      "libamdhip64.so.5" = "ROCm: xpu.override { extraRuntimeLibraries = [ rocmPackages.clr ]; }";
      "libamdhip64.so.6" = "ROCm: xpu.override { extraRuntimeLibraries = [ rocmPackages.clr ]; }";
      "libamdhip64.so.7" = "ROCm: xpu.override { extraRuntimeLibraries = [ rocmPackages.clr ]; }";
      "libcublas.so.11" = "cuBLAS of the app's CUDA toolkit or PyTorch wheels (XPU_CUBLAS)";
      "libcublas.so.12" = "cuBLAS of the app's CUDA toolkit or PyTorch wheels (XPU_CUBLAS)";
      "libcublas.so.13" = "cuBLAS of the app's CUDA toolkit or PyTorch wheels (XPU_CUBLAS)";
      "libcublasLt.so.12" = "cuBLASLt beside cuBLAS (XPU_CUBLAS)";
      "libcublasLt.so.13" = "cuBLASLt beside cuBLAS (XPU_CUBLAS)";
      "libnccl.so.2" = "NCCL of the app's CUDA toolkit or PyTorch wheels (XPU_NCCL)";
      "librccl.so.1" = "RCCL of ROCm (XPU_RCCL)";
      "libopenblas.so.0" = "xpu bench's host BLAS, any of several (XPU_BLAS)";
      "libmkl_rt.so.2" = "xpu bench's host BLAS, any of several (XPU_BLAS)";
      "libblis.so.4" = "xpu bench's host BLAS, any of several (XPU_BLAS)";
      "libblas.so.3" = "xpu bench's host BLAS, any of several (XPU_BLAS)";
      "libdnnl.so.2" = "xpu bench's oneDNN GEMM (XPU_DNNL)";
      "libdnnl.so.3" = "xpu bench's oneDNN GEMM (XPU_DNNL)";
    };
    inherit (pkgs.xpu) postFixup;
  };
in
{
  checks = checks ++ docsChecks ++ diffChecks;
  # a docs snippet's configuration, forced: eval.sh evaluates it alone to
  # show why a snippet fails
  docsProbe = lib.mapAttrs (
    name: _:
    let
      config = docsConfig name;
    in
    if docsKind name == "home" then
      names config.home.packages
    else
      {
        assertions = failedAssertions config;
        inherit (config) warnings;
      }
  ) docsSnippets;
  artifacts = {
    inherit xpuExe sonames mesonDependencies;
    examples = examples;
    homeExamples = homeExamples;
  };
}
