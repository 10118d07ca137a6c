package dev.tarjama.models.local;

import java.io.Serializable;

/**
 * How to decode: greedy, beam search or temperature/top-p sampling; how many candidates per
 * source; and the length limit, relative to the source ({@code maxLengthRatio} × source tokens +
 * {@code maxLengthSlack}) and absolute ({@code maxLength}).
 */
public record Decoding(
    Strategy strategy,
    int beamWidth,
    int candidates,
    double temperature,
    double topP,
    long seed,
    double maxLengthRatio,
    int maxLengthSlack,
    int maxLength)
    implements Serializable {

  public enum Strategy {
    GREEDY,
    BEAM,
    SAMPLE
  }

  public Decoding {
    if (candidates < 1) {
      throw new IllegalArgumentException("candidates must be at least 1, not " + candidates);
    }
    if (strategy == Strategy.BEAM && beamWidth < candidates) {
      throw new IllegalArgumentException(
          "beam search returns at most beam-width candidates: " + beamWidth + " < " + candidates);
    }
    if (strategy == Strategy.GREEDY && candidates != 1) {
      throw new IllegalArgumentException("greedy decoding gives one candidate; use beam or sample");
    }
  }

  public static Decoding greedy() {
    return new Decoding(Strategy.GREEDY, 1, 1, 1.0, 1.0, 0L, 2.0, 10, 256);
  }

  public static Decoding beam(int width, int candidates) {
    return new Decoding(Strategy.BEAM, width, candidates, 1.0, 1.0, 0L, 2.0, 10, 256);
  }

  public static Decoding sample(int candidates, double temperature, double topP, long seed) {
    return new Decoding(Strategy.SAMPLE, 1, candidates, temperature, topP, seed, 2.0, 10, 256);
  }

  public Decoding withMaxLength(double ratio, int slack, int absolute) {
    return new Decoding(
        strategy, beamWidth, candidates, temperature, topP, seed, ratio, slack, absolute);
  }
}
