package dev.tarjama.models.tokenize;

/**
 * Counts the tokens a text takes for one tokenizer: what a chunk costs in a translator's context
 * window and in an API bill. Implementations are thread-safe.
 */
public interface TokenCounter extends AutoCloseable {

  /** The number of tokens of {@code text} as sent: no special tokens, never truncated. */
  int count(String text);

  /** What counts the tokens, for reports (a tokenizer file, or an estimate). */
  String describe();

  /** Frees what the counter holds (a native tokenizer); nothing by default. */
  @Override
  default void close() {}
}
