package dev.tarjama.models.onnx;

import java.util.Locale;

/**
 * Where ONNX Runtime runs a model's sessions (local translators and reward models alike).
 */
public enum ExecutionProvider {
  /** The default CPU provider (the {@code onnxruntime} jar). */
  CPU,
  /**
   * NVIDIA CUDA ({@code onnxruntime_gpu} jar, CUDA 12 + cuDNN 9 on the worker); falls back to CPU,
   * with a message, where the provider cannot be added.
   */
  CUDA;

  /** {@code cpu} or {@code cuda}, any case. */
  public static ExecutionProvider parse(String name) {
    try {
      return valueOf(name.strip().toUpperCase(Locale.ROOT));
    } catch (IllegalArgumentException e) {
      throw new IllegalArgumentException(
          "unknown execution provider '" + name + "'; known: cpu, cuda", e);
    }
  }

  public String cliName() {
    return name().toLowerCase(Locale.ROOT);
  }
}
