# NixOS VM tests of the flake (checks.x86_64-linux.vm-*). They need a Nix
# with KVM: `nix flake check` or `nix build .#checks.x86_64-linux.vm-exporter`.
# The VMs have no GPU, so the CPU backend is what xpu must report and use.
{ pkgs, nixosModules }:
let
  tools = {
    environment.systemPackages = [
      pkgs.curl
      pkgs.jq
    ];
  };
in
{
  # The exporter serves /metrics and /healthz from a hardened unit.
  vm-exporter = pkgs.testers.runNixOSTest {
    name = "xpu-exporter";
    nodes.machine = {
      imports = [
        nixosModules.exporter
        tools
      ];
      services.xpu-exporter.enable = true;
    };
    testScript = ''
      machine.wait_for_unit("xpu-exporter.service")
      machine.wait_for_open_port(9835)
      metrics = machine.succeed("curl -fsS http://127.0.0.1:9835/metrics")
      assert "xpu_device_info" in metrics, metrics
      machine.succeed("curl -fsS http://127.0.0.1:9835/healthz")
      machine.succeed("systemctl show -p DynamicUser --value xpu-exporter | grep -qx yes")
      machine.succeed("systemctl show -p ProtectSystem --value xpu-exporter | grep -qx strict")
      caps = machine.succeed("systemctl show -p CapabilityBoundingSet --value xpu-exporter").strip()
      assert caps == "", f"the exporter keeps capabilities: {caps}"
    '';
  };

  # `xpu doctor` and `xpu list` run and name the CPU backend; the settings
  # became /etc/xpu/config.
  vm-doctor = pkgs.testers.runNixOSTest {
    name = "xpu-doctor";
    nodes.machine = {
      imports = [
        nixosModules.xpu
        tools
      ];
      hardware.xpu.enable = true;
      programs.xpu.settings.run.backend = "cpu";
    };
    testScript = ''
      machine.wait_for_unit("multi-user.target")
      machine.succeed("grep -qx 'backend=cpu' /etc/xpu/config")
      machine.succeed("xpu list --json | jq -e '.default.backend == \"cpu\"'")
      machine.succeed("xpu doctor --json | jq -e '.schema_version'")
      report = machine.succeed("xpu doctor")
      assert "cpu" in report.lower(), report
    '';
  };

  # The Ollama unit starts through `xpu run`, which exec()s Ollama.
  vm-ollama = pkgs.testers.runNixOSTest {
    name = "xpu-ollama";
    nodes.machine = {
      imports = [
        nixosModules.ollama
        tools
      ];
      virtualisation.memorySize = 4096;
      hardware.xpu.enable = true; # backends = [ "cpu" ]: pkgs.ollama-cpu
      services.ollama = {
        enable = true;
        xpu.enable = true;
      };
    };
    testScript = ''
      machine.wait_for_unit("ollama.service")
      machine.wait_for_open_port(11434)
      machine.succeed("curl -fsS http://127.0.0.1:11434/api/version")
      exec_start = machine.succeed("systemctl show -p ExecStart ollama.service")
      assert "/bin/xpu run --app ollama --backend cpu --strict -- " in exec_start, exec_start
      pid = machine.succeed("systemctl show -p MainPID --value ollama.service").strip()
      exe = machine.succeed(f"readlink /proc/{pid}/exe").strip()
      assert exe.endswith("/bin/ollama"), exe
    '';
  };
}
