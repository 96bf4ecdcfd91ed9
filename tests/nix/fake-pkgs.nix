# A stand-in for nixpkgs' package set, enough to evaluate (never build) the
# package, the launchers, the overlay, the flake and, with nixpkgs' own
# modules (../shared/fixtures/nixpkgs), the NixOS modules: packages are
# attribute sets that look like derivations, with store paths that name
# them; the builders return their arguments so the tests can read them.
# What each stand-in mirrors of the real package is said beside it.
{
  lib,
  overlays ? [ ],
  config ? { },
  system ? "x86_64-linux",
}:
let
  storePath = name: "/nix/store/00000000000000000000000000000000-${name}";

  fakeDerivation =
    name: attrs:
    attrs
    // (attrs.passthru or { })
    // {
      type = "derivation";
      inherit name;
      outPath = storePath name;
      drvPath = storePath "${name}.drv";
      meta = {
        platforms = lib.platforms.linux;
      }
      // (attrs.meta or { });
    };

  program = name: mainProgram: fakeDerivation name { meta = { inherit mainProgram; }; };
  library = name: fakeDerivation name { };
  withDrivers = name: fakeDerivation name { drivers = library "${name}-drivers"; };

  # nixpkgs' ollama (pkgs/by-name/ol/ollama/package.nix, 0.32.0): one
  # package, `acceleration` null (follows config.cudaSupport and
  # config.rocmSupport), false, "cuda", "rocm" or "vulkan"; the description
  # says which ("..., using CUDA for NVIDIA GPU acceleration").
  ollamaWith =
    self: variant: acceleration:
    let
      cfg = self.config;
      rocm = acceleration == "rocm" || (acceleration == null && cfg.rocmSupport && !cfg.cudaSupport);
      cuda = acceleration == "cuda" || (acceleration == null && cfg.cudaSupport && !cfg.rocmSupport);
      vulkan = acceleration == "vulkan";
    in
    fakeDerivation "${variant}-0.32.0" {
      pname = "ollama";
      version = "0.32.0";
      meta = {
        mainProgram = "ollama";
        description =
          "Get up and running with large language models locally"
          + lib.optionalString rocm ", using ROCm for AMD GPU acceleration"
          + lib.optionalString cuda ", using CUDA for NVIDIA GPU acceleration"
          + lib.optionalString vulkan ", using Vulkan for generic GPU acceleration";
        maintainers = [ ];
      };
    };

  # nixpkgs' python3Packages, built like nixpkgs builds it: a fixed point
  # extended by pythonPackagesExtensions (how overlays such as hf-nix's
  # replace torch). torch's passthru says what it was built for, as nixpkgs'
  # torch (cudaSupport, rocmSupport) and hf-nix's torch-bin (xpuSupport) do.
  pythonSet =
    self:
    let
      base = py: {
        python = program "python3-3.13" "python3";
        torch = fakeDerivation "python3.13-torch-2.9.0" {
          pname = "torch";
          version = "2.9.0";
          passthru = {
            cudaSupport = self.config.cudaSupport;
            rocmSupport = self.config.rocmSupport;
          };
        };
        torchvision = fakeDerivation "python3.13-torchvision-0.24.0" {
          pname = "torchvision";
          propagatedBuildInputs = [ py.torch ];
        };
        torchaudio = fakeDerivation "python3.13-torchaudio-2.9.0" {
          pname = "torchaudio";
          propagatedBuildInputs = [ py.torch ];
        };
      };
    in
    lib.fix (lib.extends (lib.composeManyExtensions self.pythonPackagesExtensions) base);

  base = self: {
    inherit lib;
    config = {
      cudaSupport = false;
      rocmSupport = false;
      allowUnfree = false;
    }
    // config;
    path = ./fake-nixpkgs;

    stdenv = {
      hostPlatform = lib.systems.elaborate system;
      mkDerivation =
        attrsOrFunction:
        let
          attrs =
            if builtins.isFunction attrsOrFunction then
              lib.fix (final: attrsOrFunction final)
            else
              attrsOrFunction;
        in
        fakeDerivation "${attrs.pname}-${attrs.version}" attrs;
    };

    callPackage =
      fn: args:
      let
        f = if builtins.isFunction fn then fn else import fn;
      in
      lib.makeOverridable f (builtins.intersectAttrs (builtins.functionArgs f) self // args);

    runCommand = name: env: buildCommand: fakeDerivation name (env // { inherit buildCommand; });
    # nixpkgs' buildEnv: one store path holding the union of `paths`
    buildEnv =
      { name, paths, ... }@args:
      fakeDerivation "${builtins.substring 0 8 (builtins.hashString "sha256" (toString paths))}-${name}" args;
    symlinkJoin = { name, paths, ... }@args: fakeDerivation name args;
    mkShell = attrs: fakeDerivation "nix-shell" attrs;
    testers.runNixOSTest = test: fakeDerivation "vm-test-run-${test.name}" { inherit test; };

    ollama = ollamaWith self "ollama" null;
    ollama-cpu = ollamaWith self "ollama-cpu" false;
    ollama-cuda = ollamaWith self "ollama-cuda" "cuda";
    ollama-rocm = ollamaWith self "ollama-rocm" "rocm";
    ollama-vulkan = ollamaWith self "ollama-vulkan" "vulkan";

    # nixpkgs' comfyui: buildPythonApplication over python3Packages (torch
    # among its dependencies); its meta.maintainers is read by nixpkgs'
    # comfyui module.
    comfyui = lib.makeOverridable (
      { python3Packages }:
      fakeDerivation "comfyui-0.34.1" {
        pname = "comfyui";
        version = "0.34.1";
        propagatedBuildInputs = [
          python3Packages.torch
          python3Packages.torchvision
          python3Packages.torchaudio
        ];
        meta = {
          mainProgram = "comfyui";
          maintainers = [ ];
        };
      }
    ) { inherit (self) python3Packages; };

    pythonPackagesExtensions = [ ];
    python3Packages = pythonSet self;
    python3 = self.python3Packages.python // {
      pkgs = self.python3Packages;
      withPackages =
        f:
        fakeDerivation "python3-3.13-env" {
          packages = f self.python3Packages;
          meta.mainProgram = "python3";
        };
    };

    # read by nixpkgs' graphics module (hardware.graphics.package{,32})
    mesa.drivers = library "mesa-25.2-drivers";
    pkgsi686Linux.mesa.drivers = library "mesa-25.2-drivers-i686";
    # read by nixpkgs' ollama module (ollama-model-loader)
    parallel = program "parallel-20250922" "parallel";
    gawk = program "gawk-5.3" "awk";
    gnused = program "gnused-4.9" "sed";

    intel-compute-runtime = withDrivers "intel-compute-runtime-25.09.32961.5";
    intel-compute-runtime-legacy1 = withDrivers "intel-compute-runtime-legacy1-24.35.30872.32";
    level-zero = library "level-zero-1.28.0";
    ocl-icd = library "ocl-icd-2.3.3";
    vulkan-loader = library "vulkan-loader-1.4";
    jansson = library "jansson-2.14";
    pciutils = library "pciutils-3.13";
    inih = library "inih-62";
    curl = program "curl-8.17" "curl";
    libmicrohttpd = library "libmicrohttpd-1.0.2";
    ncurses = library "ncurses-6.5";
    cmocka = library "cmocka-1.1.8";
    meson = program "meson-1.9" "meson";
    ninja = program "ninja-1.13" "ninja";
    pkg-config = program "pkg-config-0.29" "pkg-config";
    makeWrapper = library "make-wrapper";
    addDriverRunpath = library "add-driver-runpath" // {
      driverLink = "/run/opengl-driver";
    };
    jq = program "jq-1.8" "jq";
    clang = program "clang-21" "clang";
    clang-tools = library "clang-tools-21";
    clinfo = program "clinfo-3.0" "clinfo";
    vulkan-tools = library "vulkan-tools-1.4";
    nix = program "nix-2.31" "nix";
  };
in
lib.fix (lib.extends (lib.composeManyExtensions overlays) base)
