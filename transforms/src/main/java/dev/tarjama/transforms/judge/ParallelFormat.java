package dev.tarjama.transforms.judge;

import java.util.Locale;

/** How a parallel corpus is laid out on disk. */
public enum ParallelFormat {
  /** Tab-separated lines, columns named by {@link PairParser#tsv}. */
  TSV,
  /** JSON Lines, fields named by JSON Pointers ({@link PairParser#jsonl}). */
  JSONL,
  /** Two line-aligned plain text files, one per language (Moses / OPUS "moses" downloads). */
  MOSES;

  public static ParallelFormat parse(String value) {
    try {
      return valueOf(value.toUpperCase(Locale.ROOT));
    } catch (IllegalArgumentException | NullPointerException e) {
      throw new IllegalArgumentException(
          "unknown parallel format '" + value + "'; known: tsv, jsonl, moses");
    }
  }

  public String label() {
    return name().toLowerCase(Locale.ROOT);
  }
}
