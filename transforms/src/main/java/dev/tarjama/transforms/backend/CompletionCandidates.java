package dev.tarjama.transforms.backend;

import dev.tarjama.models.openai.Completion;
import dev.tarjama.transforms.domain.Chunk;
import dev.tarjama.transforms.domain.ChunkTranslation;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * How one completion of a translation request becomes a chunk's k candidates: the text with the
 * source's edge whitespace ({@link #keepEdgeWhitespace}), the usage spread over the candidates so
 * that their sums equal what the server reported ({@link #apportion}), a candidate cut at the
 * length limit marked. The live call, the cache entries ({@link BackendCaching}), the shared calls
 * and the batch phase all make candidates here, so that a hit or a copy is exactly what the call
 * gave.
 */
public final class CompletionCandidates {
  private CompletionCandidates() {}

  /** The k candidates {@code c} gives {@code chunk}, labelled {@code label}, cut ones marked. */
  public static List<ChunkTranslation> of(Chunk chunk, String label, int k, Completion c) {
    long[] in = promptTokensPerCandidate(c, k);
    long[] out = completionTokensPerCandidate(c, k);
    List<ChunkTranslation> candidates = new ArrayList<>(k);
    for (int i = 0; i < k; i++) {
      String text = keepEdgeWhitespace(chunk.text(), c.texts().get(i));
      candidates.add(isTruncated(c, i)
          ? ChunkTranslation.truncated(chunk, label, i, text, in[i], out[i])
          : ChunkTranslation.success(chunk, label, i, text, in[i], out[i]));
    }
    return candidates;
  }

  /** Whether candidate {@code i} of {@code c} stopped at the length limit. */
  public static boolean isTruncated(Completion c, int i) {
    return LENGTH.equals(c.finishReasons().get(i));
  }

  /** Whether any candidate of {@code c} stopped at the length limit. */
  public static boolean anyTruncated(Completion c) {
    return c.finishReasons().contains(LENGTH);
  }

  /** The OpenAI finish reason of an answer cut at {@code max_tokens}. */
  private static final String LENGTH = "length";

  /** The prompt tokens of {@code c} shared evenly by its {@code k} candidates (one prompt). */
  public static long[] promptTokensPerCandidate(Completion c, int k) {
    long[] even = new long[k];
    Arrays.fill(even, 1);
    return apportion(c.promptTokens(), even);
  }

  /** The completion tokens of {@code c} split by the length of each candidate's text. */
  public static long[] completionTokensPerCandidate(Completion c, int k) {
    long[] lengths = new long[k];
    for (int i = 0; i < k; i++) {
      lengths[i] = c.texts().get(i).length();
    }
    return apportion(c.completionTokens(), lengths);
  }

  /**
   * The translation with the source chunk's leading and trailing whitespace instead of its own:
   * chat models add or drop edge newlines and spaces at will, while the chunk plan puts the
   * chunk back between verbatim parts that expect the source's edges.
   */
  public static String keepEdgeWhitespace(String source, String translation) {
    int start = 0;
    while (start < source.length() && Character.isWhitespace(source.charAt(start))) {
      start++;
    }
    if (start == source.length()) {
      return source; // all whitespace: nothing to translate
    }
    int end = source.length();
    while (end > start && Character.isWhitespace(source.charAt(end - 1))) {
      end--;
    }
    return source.substring(0, start) + translation.strip() + source.substring(end);
  }

  /** Splits {@code total} into {@code weights.length} parts proportional to the weights, exactly. */
  public static long[] apportion(long total, long[] weights) {
    long[] parts = new long[weights.length];
    long sum = 0;
    for (long w : weights) {
      sum += Math.max(w, 0);
    }
    long given = 0;
    for (int i = 0; i < weights.length; i++) {
      parts[i] =
          sum == 0 ? total / weights.length : (long) Math.floor((double) total * weights[i] / sum);
      given += parts[i];
    }
    // The remainder (rounding) goes to the first candidates, one each.
    for (int i = 0; given < total; i = (i + 1) % weights.length) {
      parts[i]++;
      given++;
    }
    return parts;
  }
}
