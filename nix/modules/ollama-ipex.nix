# The seed's module name for Ollama on Intel GPUs: the same as ./ollama.nix
# (Ollama now reaches Intel GPUs through Vulkan, not IPEX).
{
  imports = [ ./ollama.nix ];
}
