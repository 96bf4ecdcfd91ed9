"""STAND-IN intel_extension_for_pytorch for tests (not IPEX): only a version."""
__version__ = "2.8.10+xpu"
