package dev.tarjama.models.langid;

import dev.tarjama.models.shared.Shared;
import java.nio.file.Path;

/**
 * Where language identifiers come from: one loaded model per file per JVM, shared by every DoFn
 * instance and thread of a worker ({@link Shared}): {@link #acquire} in {@code @Setup}, {@link
 * #release} in {@code @Teardown}, the native model freed by the last user.
 */
public final class LanguageIdentifiers {
  private static final Shared<Path, LanguageIdentifier> LOADED =
      Shared.of("language-ID model", LanguageIdentifier::load);

  private LanguageIdentifiers() {}

  /**
   * The identifier for a fastText model file, loaded on first use; pair with {@link #release}.
   *
   * @throws java.io.UncheckedIOException naming the file when it is missing or not a model
   *     (nothing is cached then, so a later call tries again)
   */
  public static LanguageIdentifier acquire(String path) {
    return LOADED.acquire(key(path));
  }

  /** Gives an identifier back; the last user's release frees it. */
  public static void release(String path) {
    LOADED.release(key(path));
  }

  /** How many users hold the identifier of {@code path}. */
  public static int users(String path) {
    return LOADED.users(key(path));
  }

  private static Path key(String path) {
    return Path.of(path).toAbsolutePath().normalize();
  }
}
