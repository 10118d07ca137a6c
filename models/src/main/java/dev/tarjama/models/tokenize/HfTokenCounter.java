package dev.tarjama.models.tokenize;

import ai.djl.huggingface.tokenizers.HuggingFaceTokenizer;
import ai.djl.huggingface.tokenizers.jni.TokenizersLibrary;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * Counts tokens with a Hugging Face {@code tokenizer.json} through DJL's native tokenizers
 * library, offline.
 *
 * <p>DJL truncates to 512 tokens by default when it loads a bare tokenizer.json, which would make
 * every long text "fit" a budget; this counter disables truncation and padding and adds no
 * special tokens, so the count is the length of the text itself. The native tokenizer is
 * thread-safe for encoding; one instance may serve every thread of a worker (see {@link
 * TokenCounters#acquire}).
 */
public final class HfTokenCounter implements TokenCounter, AutoCloseable {
  private final Path file;
  private final HuggingFaceTokenizer tokenizer;

  private HfTokenCounter(Path file, HuggingFaceTokenizer tokenizer) {
    this.file = file;
    this.tokenizer = tokenizer;
  }

  /**
   * Loads {@code path}: a tokenizer.json file or a directory that contains one.
   *
   * @throws UncheckedIOException when the file is missing, unreadable or not a tokenizer; the
   *     message names the file
   */
  public static HfTokenCounter load(Path path) {
    Path file = Files.isDirectory(path) ? path.resolve("tokenizer.json") : path;
    if (!Files.isRegularFile(file)) {
      throw new UncheckedIOException(
          new IOException("Tokenizer file not found: " + file.toAbsolutePath()));
    }
    // DJL would otherwise try to download its native library or configs; the jar carries them.
    if (System.getProperty("ai.djl.offline") == null) {
      System.setProperty("ai.djl.offline", "true");
    }
    try {
      HuggingFaceTokenizer tokenizer =
          HuggingFaceTokenizer.builder()
              .optTokenizerPath(file)
              .optAddSpecialTokens(false)
              .optTruncation(false)
              .optPadding(false)
              .optWithOverflowingTokens(false)
              .build();
      return new HfTokenCounter(file, tokenizer);
    } catch (IOException | RuntimeException e) {
      throw new UncheckedIOException(
          new IOException(
              "Cannot load tokenizer " + file.toAbsolutePath() + ": " + e.getMessage(), e));
    }
  }

  @Override
  public int count(String text) {
    if (text.isEmpty()) {
      return 0;
    }
    // Straight to the native encoder: Encoding's constructor also copies type ids, tokens, word
    // ids, masks and char spans across JNI, which made counting ~1.5x slower.
    long encoding = TokenizersLibrary.LIB.encode(tokenizer.getHandle(), text, false);
    try {
      return TokenizersLibrary.LIB.getTokenIds(encoding).length;
    } finally {
      TokenizersLibrary.LIB.deleteEncoding(encoding);
    }
  }

  /** The token ids of {@code text}, without special tokens (for tests and diagnostics). */
  public long[] ids(String text) {
    return tokenizer.encode(text, false, false).getIds();
  }

  public Path file() {
    return file;
  }

  @Override
  public String describe() {
    return "tokenizer " + file;
  }

  @Override
  public void close() {
    tokenizer.close();
  }

  @Override
  public String toString() {
    return describe();
  }
}
