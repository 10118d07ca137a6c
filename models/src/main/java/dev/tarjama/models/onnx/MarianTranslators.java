package dev.tarjama.models.onnx;

import dev.tarjama.models.shared.Shared;
import dev.tarjama.models.local.Decoding;
import dev.tarjama.models.local.Translation;
import dev.tarjama.models.local.Translator;
import java.util.List;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * One {@link MarianTranslator} (one set of ONNX Runtime sessions) per {@link MarianModelConfig}
 * per JVM, shared by every DoFn instance and thread that asks for it. Reference-counted ({@link
 * Shared}): {@link
 * #acquire} in {@code @Setup} returns a lease; closing the lease in {@code @Teardown} gives it back,
 * and the sessions close when the last lease is closed.
 */
public final class MarianTranslators {
  private static final Shared<MarianModelConfig, MarianTranslator> MODELS =
      Shared.of("model", MarianTranslator::load);

  private MarianTranslators() {}

  /**
   * A lease on the shared translator for {@code config}, loading it on first use (concurrent
   * first users load the model once).
   *
   * @throws ModelLoadException naming the file when the export cannot be loaded (nothing is cached)
   */
  public static Lease acquire(MarianModelConfig config) {
    return new Lease(config, MODELS.acquire(config));
  }

  /** How many leases on {@code config} are open (0 when its model is not loaded). */
  public static int users(MarianModelConfig config) {
    return MODELS.users(config);
  }

  private static void release(MarianModelConfig config) {
    MODELS.release(config);
  }

  /** A user's handle on a shared translator; {@link #close()} gives it back (once). */
  public static final class Lease implements Translator {
    private final MarianModelConfig config;
    private final MarianTranslator translator;
    private final AtomicBoolean released = new AtomicBoolean();

    private Lease(MarianModelConfig config, MarianTranslator translator) {
      this.config = config;
      this.translator = translator;
    }

    /** The shared translator (for {@link MarianTranslator#generate} and its scores). */
    public MarianTranslator translator() {
      return translator;
    }

    @Override
    public List<List<Translation>> translate(List<String> sources, Decoding decoding) {
      return translator.translate(sources, decoding);
    }

    @Override
    public int countSourceTokens(String text) {
      return translator.countSourceTokens(text);
    }

    @Override
    public String describe() {
      return translator.describe();
    }

    @Override
    public void close() {
      if (released.compareAndSet(false, true)) {
        release(config);
      }
    }
  }
}
