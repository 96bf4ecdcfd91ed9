{
  description = "xpu: find a machine's accelerators and run local AI (Ollama, ComfyUI) on them";

  inputs.nixpkgs.url = "github:NixOS/nixpkgs/nixos-unstable";
  # huggingface/hf-nix: its overlay turns python3.pkgs.torch into PyTorch's
  # XPU wheel over Intel's oneAPI runtime when nixpkgs.config.xpuSupport is
  # set. Only python-xpu, comfyui-xpu, comfyui-ipex and overlays.xpu-torch
  # use it; it follows this flake's nixpkgs.
  inputs.hf-nix = {
    url = "github:huggingface/hf-nix";
    inputs.nixpkgs.follows = "nixpkgs";
  };

  outputs =
    {
      self,
      nixpkgs,
      hf-nix,
    }:
    let
      inherit (nixpkgs) lib;
      # xpu builds wherever Linux does; these two are the ones with GPUs to drive
      systems = [
        "x86_64-linux"
        "aarch64-linux"
      ];
      forAllSystems = f: lib.genAttrs systems (system: f system);
      overlay = import ./nix/overlay.nix;
      pkgsFor =
        system:
        import nixpkgs {
          inherit system;
          overlays = [ overlay ];
        };
      # nixpkgs' comfyui has a CUDA torch only with cudaSupport (unfree CUDA)
      pkgsCudaFor =
        system:
        import nixpkgs {
          inherit system;
          overlays = [ overlay ];
          config = {
            allowUnfree = true;
            cudaSupport = true;
          };
        };
      # An XPU torch: hf-nix's overlay with xpuSupport; Intel's runtime is unfree.
      # PyTorch publishes XPU wheels for x86_64-linux only.
      xpuTorch = lib.composeExtensions hf-nix.overlays.default overlay;
      pkgsXpu = import nixpkgs {
        system = "x86_64-linux";
        overlays = [ xpuTorch ];
        config = {
          allowUnfree = true;
          xpuSupport = true;
        };
      };
      # Modules are exported as { imports = [ path ]; }: NixOS imports each
      # file once however many exported names (and aliases) point at it.
      module = path: { imports = [ path ]; };
    in
    {
      packages = forAllSystems (
        system:
        let
          pkgs = pkgsFor system;
        in
        {
          default = pkgs.xpu;
          inherit (pkgs) xpu ollama-ipex;
          inherit (pkgsCudaFor system) comfyui-cuda;
        }
        // lib.optionalAttrs (system == "x86_64-linux") {
          inherit (pkgsXpu) python-xpu comfyui-xpu comfyui-ipex;
        }
      );

      overlays = {
        default = overlay;
        intel-xpu = overlay; # the seed's name
        # with an XPU torch in pkgs (python-xpu, comfyui-xpu): set
        # nixpkgs.config = { xpuSupport = true; allowUnfree = true; }
        xpu-torch = xpuTorch;
      };

      nixosModules = {
        xpu = module ./nix/modules/xpu.nix;
        ollama = module ./nix/modules/ollama.nix;
        comfyui = module ./nix/modules/comfyui.nix;
        exporter = module ./nix/modules/exporter.nix;
        # the seed's names
        ipex = module ./nix/modules/ipex.nix;
        ollama-ipex = module ./nix/modules/ollama-ipex.nix;
        default = {
          imports = [
            ./nix/modules/xpu.nix
            ./nix/modules/ollama.nix
            ./nix/modules/comfyui.nix
            ./nix/modules/exporter.nix
          ];
        };
      };

      homeManagerModules.default = module ./nix/modules/home-manager.nix;

      devShells = forAllSystems (
        system:
        let
          pkgs = pkgsFor system;
        in
        {
          default = pkgs.mkShell {
            inputsFrom = [ pkgs.xpu ];
            packages = with pkgs; [
              cmocka
              jq
              clang
              clang-tools
              clinfo
              vulkan-tools
              nix # nix-instantiate for tests/nix
            ];
            # tests/nix/eval.sh evaluates the modules with nixpkgs' lib and modules
            NIXPKGS_LIB = "${nixpkgs}";
          };
        }
      );

      checks = forAllSystems (
        system:
        let
          pkgs = pkgsFor system;
        in
        {
          xpu = pkgs.xpu;
        }
        // import ./nix/tests/vm.nix {
          inherit pkgs;
          inherit (self) nixosModules;
        }
      );
    };
}
