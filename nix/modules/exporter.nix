# NixOS: services.xpu-exporter, `xpu exporter` (Prometheus /metrics and
# /healthz) as a hardened unit: a dynamic user, a read-only system, only the
# GPU device nodes, only loopback peers while it listens on loopback, no
# capabilities unless perfmon is asked for. systemd-analyze security scores
# it 1.1 on loopback, 1.3 on another address, 1.6 with perfmon (Debian 12's
# systemd 252; tests/nix/eval.sh renders and scores it).
#
# perfmon: CAP_PERFMON lets the sampler read Intel VRAM use and open the
# engine PMU with perf_event_open(2), a system call of systemd's @debug set,
# outside @system-service: the filter then allows exactly that call.
# SystemCallErrorNumber=EPERM makes any other filtered call fail with EPERM
# (which xpu reports as a reason) instead of killing the process with SIGSYS.
{
  config,
  lib,
  ...
}:
let
  xpuLib = import ../lib.nix { inherit lib; };
  cfg = config.services.xpu-exporter;
  loopback = lib.elem cfg.listenAddress [
    "127.0.0.1"
    "::1"
    "localhost"
  ];
in
{
  imports = [ ./xpu.nix ];

  options.services.xpu-exporter = {
    enable = lib.mkEnableOption "the xpu Prometheus exporter";

    package = lib.mkOption {
      type = lib.types.package;
      default = config.programs.xpu.package;
      defaultText = lib.literalExpression "config.programs.xpu.package";
      description = "The xpu package that serves the metrics.";
    };

    listenAddress = lib.mkOption {
      type = lib.types.str;
      default = "127.0.0.1";
      example = "::";
      description = "The address to listen on (loopback by default).";
    };

    port = lib.mkOption {
      type = lib.types.port;
      default = 9835;
      description = "The TCP port of /metrics and /healthz.";
    };

    interval = lib.mkOption {
      type = lib.types.strMatching "[0-9]+(ms|s|m)";
      default = "1s";
      description = "How often the devices are sampled; scrapes read the last sample.";
    };

    extraFlags = lib.mkOption {
      type = lib.types.listOf lib.types.str;
      default = [ ];
      description = "More arguments for `xpu exporter`.";
    };

    openFirewall = lib.mkOption {
      type = lib.types.bool;
      default = false;
      description = "Whether to open the port in the firewall (for a non-loopback listenAddress).";
    };

    perfmon = lib.mkEnableOption ''
      CAP_PERFMON for the exporter: values that need it (Intel memory use,
      some engine counters) are reported with that reason otherwise'';
  };

  config = lib.mkIf cfg.enable {
    networking.firewall.allowedTCPPorts = lib.mkIf cfg.openFirewall [ cfg.port ];

    systemd.services.xpu-exporter = {
      description = "Prometheus exporter for accelerators (xpu)";
      wantedBy = [ "multi-user.target" ];
      after = [ "network.target" ];
      serviceConfig = {
        ExecStart = lib.escapeShellArgs (
          [
            (lib.getExe cfg.package)
            "exporter"
            "--listen"
            (xpuLib.hostPort cfg.listenAddress cfg.port)
            "--interval"
            cfg.interval
          ]
          ++ cfg.extraFlags
        );
        Restart = "on-failure";
        RestartSec = "5s";

        DynamicUser = true;
        SupplementaryGroups = [ "render" ];
        CapabilityBoundingSet = [ "" ];
        DevicePolicy = "closed";
        DeviceAllow = xpuLib.gpuDeviceAllow;
        PrivateDevices = false; # would hide the GPUs
        ProtectSystem = "strict";
        ProtectHome = true;
        PrivateTmp = true;
        PrivateUsers = true;
        NoNewPrivileges = true;
        ProtectClock = true;
        ProtectControlGroups = true;
        ProtectHostname = true;
        ProtectKernelLogs = true;
        ProtectKernelModules = true;
        ProtectKernelTunables = true; # /sys stays readable
        PrivateMounts = true;
        ProtectProc = "invisible";
        ProcSubset = "all"; # /proc/meminfo, /proc/cpuinfo
        LockPersonality = true;
        MemoryDenyWriteExecute = true;
        RemoveIPC = true;
        RestrictAddressFamilies = [
          "AF_INET"
          "AF_INET6"
          "AF_UNIX"
        ];
        RestrictNamespaces = true;
        RestrictRealtime = true;
        RestrictSUIDSGID = true;
        SystemCallArchitectures = "native";
        SystemCallFilter = [
          "@system-service"
          "~@privileged"
          "~@resources"
        ]
        ++ lib.optional cfg.perfmon "perf_event_open"; # @debug: the engine PMU
        SystemCallErrorNumber = "EPERM";
        UMask = "0077";
      }
      // lib.optionalAttrs loopback {
        # only local scrapers can reach a loopback listener anyway
        IPAddressAllow = [ "localhost" ];
        IPAddressDeny = [ "any" ];
      }
      // xpuLib.perfmonServiceConfig cfg.perfmon;
    };
  };

  meta.maintainers = [ (import ../maintainers.nix).xpu ];
}
