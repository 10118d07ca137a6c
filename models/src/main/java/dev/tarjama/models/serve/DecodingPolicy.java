package dev.tarjama.models.serve;

import dev.tarjama.models.local.Decoding;
import dev.tarjama.models.local.Decoding.Strategy;
import java.util.Locale;

/**
 * How a request's OpenAI sampling fields become a {@link Decoding}, given the server's configured
 * decoding ({@code --decoding}):
 *
 * <ul>
 *   <li>{@code temperature} absent: the configured strategy.
 *   <li>{@code temperature = 0}: deterministic. Greedy for {@code n = 1} (or the configured beam);
 *       the n best of a beam search of width {@code max(n, configured width)} for {@code n > 1}.
 *   <li>{@code temperature > 0}: sampling at that temperature with {@code top_p} and {@code seed}.
 * </ul>
 *
 * <p>A greedy configuration asked for {@code n > 1} candidates returns the beam's n best (greedy
 * has only one). Absent {@code top_p}/{@code seed} take the configured values (seed 0 unless
 * configured): a request without a seed is reproducible, and requests that agree on their
 * decoding can share one model batch. {@code max_tokens} bounds each candidate of the response as a
 * whole (the server passes it to {@link dev.tarjama.models.local.Translator#translateWithin});
 * it also lowers the configured absolute length limit, which holds per model call (per sentence
 * for a sentence-wise model), never raises it; the limit relative to the source always applies.
 */
final class DecodingPolicy {
  private final Decoding configured;

  DecodingPolicy(Decoding configured) {
    this.configured = configured;
  }

  Decoding configured() {
    return configured;
  }

  /** {@code greedy}, {@code beam:W} (width W ≥ 1), or {@code sample} (temperature 1, top-p 1). */
  static Decoding parse(String spec) {
    String s = spec.strip().toLowerCase(Locale.ROOT);
    if (s.equals("greedy")) {
      return Decoding.greedy();
    }
    if (s.equals("sample")) {
      return Decoding.sample(1, 1.0, 1.0, 0L);
    }
    if (s.startsWith("beam:")) {
      int width;
      try {
        width = Integer.parseInt(s.substring("beam:".length()));
      } catch (NumberFormatException e) {
        width = 0;
      }
      if (width >= 1) {
        return Decoding.beam(width, 1);
      }
    }
    throw new IllegalArgumentException(
        "unknown decoding '" + spec + "'; use greedy, beam:WIDTH (e.g. beam:4) or sample");
  }

  Decoding forRequest(ApiRequest request) {
    int n = request.n();
    Double temperature = request.temperature();
    boolean sample =
        temperature == null ? configured.strategy() == Strategy.SAMPLE : temperature > 0;
    Decoding decoding;
    if (sample) {
      decoding =
          Decoding.sample(
              n,
              temperature != null ? temperature : configured.temperature(),
              request.topP() != null ? request.topP() : configured.topP(),
              request.seed() != null ? request.seed() : configured.seed());
    } else if (configured.strategy() == Strategy.BEAM || n > 1) {
      int width = configured.strategy() == Strategy.BEAM ? configured.beamWidth() : 1;
      decoding = Decoding.beam(Math.max(width, n), n);
    } else {
      decoding = Decoding.greedy();
    }
    int absolute =
        request.maxTokens() == null
            ? configured.maxLength()
            : Math.min(configured.maxLength(), request.maxTokens());
    return decoding.withMaxLength(configured.maxLengthRatio(), configured.maxLengthSlack(), absolute);
  }
}
