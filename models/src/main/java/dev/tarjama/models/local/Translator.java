package dev.tarjama.models.local;

import java.util.List;

/**
 * A local translation model: translates a batch of source texts, giving {@link Decoding#candidates()}
 * candidates per text. Implementations are thread-safe (one loaded model serves every DoFn
 * instance and thread of a worker) and are shared through a per-JVM cache keyed by their
 * configuration.
 */
public interface Translator extends AutoCloseable {
  /**
   * Translates {@code sources} in one batch.
   *
   * @return one list per source, in order, each holding {@code decoding.candidates()} translations
   */
  List<List<Translation>> translate(List<String> sources, Decoding decoding);

  /**
   * Translates {@code sources} in one batch with at most {@code maxTokens} target tokens per
   * candidate of each text (a response's {@code max_tokens}), on top of the decoding's own limits;
   * a candidate cut by that budget is {@link Translation#truncated()}. For a model that translates
   * each text whole this is the decoding's absolute limit; a model that translates texts piece by
   * piece ({@link SentenceWiseTranslator}) spends the budget over the pieces.
   */
  default List<List<Translation>> translateWithin(
      List<String> sources, Decoding decoding, int maxTokens) {
    if (maxTokens >= decoding.maxLength()) {
      return translate(sources, decoding);
    }
    return translate(
        sources,
        decoding.withMaxLength(decoding.maxLengthRatio(), decoding.maxLengthSlack(), maxTokens));
  }

  /** Tokens of {@code text} as the model's source tokenizer counts them (for batching by weight). */
  int countSourceTokens(String text);

  /** A short description for reports: model path, execution provider. */
  String describe();

  @Override
  void close();
}
