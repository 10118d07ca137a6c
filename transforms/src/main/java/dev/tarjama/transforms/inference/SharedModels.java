package dev.tarjama.transforms.inference;

import dev.tarjama.models.shared.Shared;

/**
 * Loaded models, one per key per JVM, shared by every DoFn instance and thread that asks for it
 * (a worker holds one copy of a model's weights and one ONNX Runtime session, however many threads
 * run inference). Reference-counted ({@link Shared}): {@link #acquire} in {@code @Setup}, {@link
 * #release} in {@code @Teardown}; the model is closed when its last user leaves, and a slow load
 * blocks only the threads that wait for that same model.
 */
public final class SharedModels {
  /** Makes a model; called at most once per key while the key has users. */
  @FunctionalInterface
  public interface Loader<M extends AutoCloseable> {
    M load() throws Exception;
  }

  private static final Shared<String, AutoCloseable> MODELS =
      Shared.of("model", key -> {
        throw new IllegalStateException("model " + key + " is loaded by its handler's loader");
      });

  private SharedModels() {}

  /**
   * The model for {@code key}, loaded by {@code loader} on first use.
   *
   * @throws IllegalStateException when loading fails (the cause is the loader's exception); the
   *     next {@code acquire} tries again
   */
  @SuppressWarnings("unchecked")
  public static <M extends AutoCloseable> M acquire(String key, Loader<M> loader) {
    return (M) MODELS.acquire(key, k -> loader.load());
  }

  /** Gives a model back; the last user's release closes it. */
  public static void release(String key) {
    MODELS.release(key);
  }

  /** How many users hold the model for {@code key} (0 when none is loaded). */
  public static int users(String key) {
    return MODELS.users(key);
  }
}
