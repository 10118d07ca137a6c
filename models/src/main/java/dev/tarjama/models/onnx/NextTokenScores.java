package dev.tarjama.models.onnx;

import java.util.Arrays;
import java.util.List;
import java.util.SplittableRandom;

/**
 * The next token's scores at one decoding step of {@link MarianTranslator}: log-probabilities with
 * the tokens a model must never generate masked out, the greedy choice, and a draw for sampling.
 * Plain arithmetic on a step's logits, shared by greedy decoding, sampling and beam search.
 */
final class NextTokenScores {
  private final int[] bannedTokens;
  private final List<int[]> bannedSequences;
  private final int forcedBos;

  /**
   * @param bannedTokens never generated (Marian's {@code <pad>}, one-token bad words)
   * @param bannedSequences bad words of several tokens: the last is banned after the others
   * @param forcedBos the token forced at the first step, or -1
   */
  NextTokenScores(int[] bannedTokens, List<int[]> bannedSequences, int forcedBos) {
    this.bannedTokens = bannedTokens.clone();
    this.bannedSequences = List.copyOf(bannedSequences);
    this.forcedBos = forcedBos;
  }

  /**
   * Log-softmax of {@code logits} (in a new array) with the banned tokens, the bad-word
   * continuations of {@code generated} and, at the first step, everything but a forced first
   * token set to -∞.
   */
  float[] logProbabilities(float[] logits, int[] generated, int length, int step) {
    float[] lp = logits.clone();
    for (int banned : bannedTokens) {
      if (banned < lp.length) {
        lp[banned] = Float.NEGATIVE_INFINITY;
      }
    }
    for (int[] bad : bannedSequences) {
      int prefix = bad.length - 1;
      if (length >= prefix
          && Arrays.equals(generated, length - prefix, length, bad, 0, prefix)
          && bad[prefix] < lp.length) {
        lp[bad[prefix]] = Float.NEGATIVE_INFINITY;
      }
    }
    if (step == 0 && forcedBos >= 0 && forcedBos < lp.length) {
      Arrays.fill(lp, Float.NEGATIVE_INFINITY);
      lp[forcedBos] = 0f;
      return lp;
    }
    float max = Float.NEGATIVE_INFINITY;
    for (float x : lp) {
      max = Math.max(max, x);
    }
    double sum = 0;
    for (float x : lp) {
      sum += Math.exp(x - max);
    }
    float norm = (float) (max + Math.log(sum));
    for (int v = 0; v < lp.length; v++) {
      lp[v] -= norm;
    }
    return lp;
  }

  static int argmax(float[] values) {
    int best = 0;
    for (int v = 1; v < values.length; v++) {
      if (values[v] > values[best]) {
        best = v;
      }
    }
    return best;
  }

  /** Draws from softmax(logits / temperature) restricted to its top-p nucleus (masks from lp). */
  static int sample(
      float[] logits, float[] lp, double temperature, double topP, SplittableRandom random) {
    int vocab = logits.length;
    double[] p = new double[vocab];
    double max = Double.NEGATIVE_INFINITY;
    for (int v = 0; v < vocab; v++) {
      if (lp[v] != Float.NEGATIVE_INFINITY) {
        max = Math.max(max, logits[v] / temperature);
      }
    }
    double sum = 0;
    for (int v = 0; v < vocab; v++) {
      p[v] = lp[v] == Float.NEGATIVE_INFINITY ? 0 : Math.exp(logits[v] / temperature - max);
      sum += p[v];
    }
    for (int v = 0; v < vocab; v++) {
      p[v] /= sum;
    }
    if (topP < 1.0) {
      // The smallest set of most likely tokens whose mass reaches topP; tokens below 1e-9 never
      // matter for a nucleus and are left out of the sort.
      int count = 0;
      int[] candidates = new int[vocab];
      for (int v = 0; v < vocab; v++) {
        if (p[v] > 1e-9) {
          candidates[count++] = v;
        }
      }
      Integer[] order = new Integer[count];
      for (int i = 0; i < count; i++) {
        order[i] = candidates[i];
      }
      Arrays.sort(order, (a, b) -> Double.compare(p[b], p[a]));
      double mass = 0;
      int kept = 0;
      while (kept < count && mass < topP) {
        mass += p[order[kept++]];
      }
      double draw = random.nextDouble() * mass;
      for (int i = 0; i < kept; i++) {
        draw -= p[order[i]];
        if (draw < 0) {
          return order[i];
        }
      }
      return order[Math.max(0, kept - 1)];
    }
    double draw = random.nextDouble();
    int last = 0;
    for (int v = 0; v < vocab; v++) {
      if (p[v] > 0) {
        last = v;
        draw -= p[v];
        if (draw < 0) {
          return v;
        }
      }
    }
    return last;
  }
}
