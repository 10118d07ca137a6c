package dev.tarjama.models.reward;

import java.util.Locale;

/**
 * Which end of a formatted (source, candidate) pair loses tokens when the pair is longer than the
 * reward model's maximum: {@link #LEFT} keeps the end (the candidate and its end-of-turn token,
 * which a last-token-pooling reward head reads), {@link #RIGHT} keeps the start.
 */
public enum TruncationSide {
  LEFT,
  RIGHT;

  /** {@code left} or {@code right}, any case. */
  public static TruncationSide parse(String name) {
    try {
      return valueOf(name.strip().toUpperCase(Locale.ROOT));
    } catch (IllegalArgumentException e) {
      throw new IllegalArgumentException(
          "unknown truncation side '" + name + "'; known: left, right", e);
    }
  }

  public String cliName() {
    return name().toLowerCase(Locale.ROOT);
  }
}
