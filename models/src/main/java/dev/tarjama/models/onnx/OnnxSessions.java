package dev.tarjama.models.onnx;

import ai.onnxruntime.OrtEnvironment;
import ai.onnxruntime.OrtException;
import ai.onnxruntime.OrtSession;
import java.nio.file.Path;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Opens the ONNX Runtime sessions of one model (a Marian export, a reward model) on the execution
 * provider its configuration asks for: CUDA where asked and available, else CPU with a note that
 * says why (logged, and kept for the model's description).
 */
public final class OnnxSessions {
  private static final Logger LOG = LoggerFactory.getLogger(OnnxSessions.class);

  /** What was opened, where it runs ({@code CPU} or {@code CUDA:N}), and the fallback note. */
  public record Opened<T>(T sessions, String provider, String note) {}

  /** Opens a model's sessions with the options given; a model that cannot be opened throws. */
  @FunctionalInterface
  public interface Opener<T> {
    T open(OrtSession.SessionOptions options);
  }

  private OnnxSessions() {}

  /**
   * Opens {@code model}'s sessions ({@code model} names it in the note: "DIR" or "reward model
   * DIR"), on CUDA device {@code cudaDeviceId} when {@code cuda}, with {@code intraOpThreads}
   * threads per session (0: ONNX Runtime's default). {@code file} is the model file an ONNX
   * Runtime set-up error is reported against.
   */
  public static <T> Opened<T> open(String model, boolean cuda, int cudaDeviceId,
      int intraOpThreads, Path file, Opener<T> opener) {
    String provider = "CPU";
    String note = "";
    T sessions;
    try (OrtSession.SessionOptions options = options(intraOpThreads)) {
      if (cuda) {
        try {
          options.addCUDA(cudaDeviceId);
          provider = "CUDA:" + cudaDeviceId;
        } catch (OrtException | RuntimeException | LinkageError e) {
          note = cudaFallback(model, e);
        }
      }
      try {
        sessions = opener.open(options);
      } catch (ModelLoadException e) {
        if (provider.equals("CPU")) {
          throw e;
        }
        // The GPU jar adds the provider but may fail to create it (no driver, no cuDNN).
        note = cudaFallback(model, e);
        provider = "CPU";
        try (OrtSession.SessionOptions cpu = options(intraOpThreads)) {
          sessions = opener.open(cpu);
        }
      }
    } catch (OrtException e) {
      throw new ModelLoadException(file, "cannot set up ONNX Runtime: " + e.getMessage(), e);
    }
    return new Opened<>(sessions, provider, note);
  }

  /** One session of {@code file}; a file ONNX Runtime cannot load throws. */
  public static OrtSession session(
      OrtEnvironment env, OrtSession.SessionOptions options, Path file) {
    try {
      return env.createSession(file.toString(), options);
    } catch (OrtException | RuntimeException e) {
      throw new ModelLoadException(file, "not a loadable ONNX model: " + e.getMessage(), e);
    }
  }

  private static String cudaFallback(String model, Throwable e) {
    String note =
        "CUDA execution provider requested for " + model
            + " but not available (" + e.getMessage() + "); running on CPU. GPU workers need the"
            + " com.microsoft.onnxruntime:onnxruntime_gpu artifact (mvn -Pgpu) with CUDA 12 and"
            + " cuDNN 9.";
    LOG.warn(note);
    return note;
  }

  private static OrtSession.SessionOptions options(int intraOpThreads) throws OrtException {
    OrtSession.SessionOptions options = new OrtSession.SessionOptions();
    options.setOptimizationLevel(OrtSession.SessionOptions.OptLevel.ALL_OPT);
    // Idle intra-op threads would otherwise spin: with several DoFn threads (or other processes)
    // sharing the cores, spinning made greedy decoding several times slower on busy cores.
    options.addConfigEntry("session.intra_op.allow_spinning", "0");
    if (intraOpThreads > 0) {
      options.setIntraOpNumThreads(intraOpThreads);
    }
    return options;
  }
}
