package dev.tarjama.models.tokenize;

import dev.tarjama.models.shared.Shared;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Optional;

/**
 * Where token counters come from. A loaded tokenizer costs tens of MB and up to a second, so
 * {@link #acquire} keeps one per file per JVM while it has users ({@link Shared}): every DoFn
 * instance and thread of a worker shares it, and the last {@link #release} frees it.
 */
public final class TokenCounters {
  private static final Shared<Path, TokenCounter> LOADED =
      Shared.of("tokenizer", TokenCounters::load);

  private TokenCounters() {}

  /**
   * The counter for a tokenizer.json file or a directory holding one, loaded on first use; pair
   * with {@link #release}.
   *
   * @throws java.io.UncheckedIOException naming the file when it is missing or not a tokenizer
   *     (nothing is cached then, so a later call tries again)
   */
  public static TokenCounter acquire(String path) {
    return LOADED.acquire(key(path));
  }

  /** Gives a counter back; the last user's release frees the tokenizer. */
  public static void release(String path) {
    LOADED.release(key(path));
  }

  /** How many users hold the counter of {@code path}. */
  public static int users(String path) {
    return LOADED.users(key(path));
  }

  /**
   * A byte-level BPE file (Qwen, Llama 3, GPT-2 style) counted in plain Java, exactly and without a
   * native call per text ({@link ByteLevelBpeCounter}); any other tokenizer.json through the
   * native tokenizers library ({@link HfTokenCounter}), which also names the file when it is
   * missing or broken.
   */
  static TokenCounter load(Path file) {
    if (Files.isRegularFile(file)) {
      try {
        Optional<ByteLevelBpeCounter> plain = ByteLevelBpeCounter.load(file);
        if (plain.isPresent()) {
          return plain.get();
        }
      } catch (IOException | RuntimeException e) {
        // Not a readable tokenizer: the native loader below reports it with the file's name.
      }
    }
    return HfTokenCounter.load(file);
  }

  /** An estimate without any tokenizer: ceil(UTF-8 bytes / 4). */
  public static TokenCounter approximate() {
    return ApproximateTokenCounter.INSTANCE;
  }

  private static Path key(String path) {
    Path key = Path.of(path).toAbsolutePath().normalize();
    return Files.isDirectory(key) ? key.resolve("tokenizer.json") : key;
  }
}
