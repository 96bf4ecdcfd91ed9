# How the tests evaluate the flake's modules: with nixpkgs' lib and nixpkgs'
# own graphics, ollama and comfyui modules (NIXPKGS_LIB: a nixpkgs checkout,
# or ../shared/fixtures/nixpkgs), as NixOS would, plus stand-ins for only
# what those files do not hold (stubs/: systemd, users, environment, ...)
# and for the package set (fake-pkgs.nix). Nothing is built.
{ nixpkgs, root }:
let
  lib = import (nixpkgs + "/lib");
  rootPath = /. + root;

  # NixOS imports every module of its module list; these are the ones the
  # flake's modules extend or set options of.
  upstreamModules = map (m: nixpkgs + "/nixos/modules/${m}") [
    "hardware/graphics.nix"
    "services/misc/ollama.nix"
    "services/misc/comfyui.nix"
  ];

  mkPkgs =
    {
      overlays ? [ ],
      config ? { },
      system ? "x86_64-linux",
    }:
    import ./fake-pkgs.nix {
      inherit
        lib
        overlays
        config
        system
        ;
    };

  # lib.nixosSystem, as far as the tests need it: the module system over
  # the stand-ins and nixpkgs' modules.
  nixosSystem =
    {
      modules,
      specialArgs ? { },
      system ? "x86_64-linux",
      withUpstream ? true,
    }:
    let
      result = lib.evalModules {
        specialArgs = {
          inherit mkPkgs;
          modulesPath = nixpkgs + "/nixos/modules";
        }
        // specialArgs;
        modules = [ ./stubs/nixos.nix ] ++ lib.optionals withUpstream upstreamModules ++ modules;
      };
    in
    # the configuration remembers how it was made (eval.nix evaluates the
    # same modules again with the flake's enables off: nixpkgs' own units)
    result
    // {
      config = result.config // {
        _eval = { inherit modules specialArgs; };
      };
    };
  nixos = modules: (nixosSystem { inherit modules; }).config;

  homeManagerWith =
    {
      modules,
      specialArgs ? { },
    }:
    lib.evalModules {
      inherit specialArgs;
      modules = [
        ./stubs/home-manager.nix
        { _module.args.pkgs = mkPkgs { }; }
      ]
      ++ modules;
    };
  homeManager = modules: (homeManagerWith { inherit modules; }).config;

  # The flake's inputs: nixpkgs (this lib, lib.nixosSystem, and `import
  # nixpkgs { ... }` giving the stand-in package set) and hf-nix (its
  # overlay's interface: python3Packages.torch built for XPU when
  # nixpkgs.config.xpuSupport is set).
  nixpkgsInput = {
    outPath = ./fake-nixpkgs;
    lib = lib // {
      inherit nixosSystem;
    };
  };
  hfNixInput = {
    outPath = "/nix/store/00000000000000000000000000000000-source-hf-nix";
    overlays.default = import ./fake-hf-nix.nix;
  };
  flakeFile = import (rootPath + "/flake.nix");
  flake = flakeFile.outputs (
    {
      self = flake // {
        outPath = root;
      };
      nixpkgs = nixpkgsInput;
    }
    // lib.optionalAttrs (flakeFile.inputs ? hf-nix) { hf-nix = hfNixInput; }
  );
in
{
  inherit
    lib
    rootPath
    upstreamModules
    mkPkgs
    nixosSystem
    nixos
    homeManagerWith
    homeManager
    nixpkgsInput
    flakeFile
    flake
    hfNixInput
    ;
  renderUnit = import ./unit-file.nix { inherit lib; };
}
