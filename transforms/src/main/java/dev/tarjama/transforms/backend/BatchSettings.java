package dev.tarjama.transforms.backend;

import java.io.Serializable;
import java.util.Map;
import java.util.TreeMap;

/**
 * How a batch backend ({@code kind=openai-batch} or {@code kind=batch-file}) sends its requests:
 * batch prices (USD per 1M prompt / completion tokens), the most lines and bytes per batch file,
 * how often a line that came back without an answer is submitted again, the folder a {@code
 * batch-file} backend exchanges files with the local engine through, whether the backend has a
 * server to probe, and, once the launcher's batch phase is over, the chunks it could not get an
 * answer for (chunk text hash → reason), which the translate pipeline turns into named failures.
 */
public record BatchSettings(
    double priceIn,
    double priceOut,
    int lines,
    long bytes,
    int retries,
    String path,
    boolean hasServer,
    TreeMap<String, String> failures) implements Serializable {

  /** OpenAI's limits per batch input file: 50,000 requests, 200 MB. */
  public static final int MAX_LINES = 50_000;
  public static final long MAX_BYTES = 200L * 1024 * 1024;

  public BatchSettings {
    failures = new TreeMap<>(failures);
  }

  /** These settings with the batch phase's final failures. */
  public BatchSettings withFailures(Map<String, String> value) {
    return new BatchSettings(priceIn, priceOut, lines, bytes, retries, path, hasServer,
        new TreeMap<>(value));
  }

  /**
   * The hash a batch line's {@code custom_id} names a chunk text by: the first 32 hex digits of
   * its SHA-256 (128 bits: no two chunk texts of a run share one in practice).
   */
  public static String textHash(String text) {
    try {
      byte[] d = java.security.MessageDigest.getInstance("SHA-256")
          .digest(text.getBytes(java.nio.charset.StandardCharsets.UTF_8));
      return java.util.HexFormat.of().formatHex(d, 0, 16);
    } catch (java.security.NoSuchAlgorithmException e) {
      throw new IllegalStateException(e);
    }
  }

  /** USD for this many tokens at the batch prices. */
  public double costUsd(long tokensIn, long tokensOut) {
    return (tokensIn * priceIn + tokensOut * priceOut) / 1_000_000d;
  }
}
