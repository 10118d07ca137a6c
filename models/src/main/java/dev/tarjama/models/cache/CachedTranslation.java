package dev.tarjama.models.cache;

import java.util.Objects;

/**
 * One stored translation candidate: the text as the pipeline used it (placeholders ⟦n⟧ kept) and
 * the tokens it cost when it was made, so that a cache hit can report the tokens it saved.
 */
public record CachedTranslation(String text, long tokensIn, long tokensOut) {
  public CachedTranslation {
    Objects.requireNonNull(text, "text");
    if (tokensIn < 0 || tokensOut < 0) {
      throw new IllegalArgumentException("token counts must be >= 0");
    }
  }

  /** Prompt and completion tokens together. */
  public long tokens() {
    return tokensIn + tokensOut;
  }
}
