package dev.tarjama.transforms.io;

import java.util.Locale;
import org.apache.beam.sdk.io.Compression;

/** The file format of output folders ({@code --output-format}). */
public enum OutputFormat {
  PARQUET("parquet", ".parquet", Compression.UNCOMPRESSED),
  JSONL("jsonl", ".jsonl", Compression.UNCOMPRESSED),
  JSONL_GZ("jsonl.gz", ".jsonl", Compression.GZIP);

  private final String label;
  private final String suffix;
  private final Compression compression;

  OutputFormat(String label, String suffix, Compression compression) {
    this.label = label;
    this.suffix = suffix;
    this.compression = compression;
  }

  public String label() {
    return label;
  }

  /** The file name's ending before compression's own ({@code .gz} is added by the writer). */
  String suffix() {
    return suffix;
  }

  Compression compression() {
    return compression;
  }

  /** The whole file name ending, e.g. {@code .jsonl.gz}. */
  public String extension() {
    return suffix + compression.getSuggestedSuffix();
  }

  public static OutputFormat parse(String label) {
    for (OutputFormat f : values()) {
      if (f.label.equals(label.strip().toLowerCase(Locale.ROOT))) {
        return f;
      }
    }
    throw new IllegalArgumentException(
        "--output-format=" + label + " is not known; known: parquet, jsonl, jsonl.gz");
  }

  /**
   * {@code option} when given, else Parquet for a Parquet input (as SmolKalam publishes) and JSON
   * Lines for any other.
   */
  public static OutputFormat choose(String option, String input) {
    if (option != null && !option.isBlank()) {
      return parse(option);
    }
    return input != null && input.strip().toLowerCase(Locale.ROOT).endsWith(".parquet")
        ? PARQUET : JSONL;
  }
}
