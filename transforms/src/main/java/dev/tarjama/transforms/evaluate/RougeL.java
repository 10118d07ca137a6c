package dev.tarjama.transforms.evaluate;

import java.io.Serializable;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * ROUGE-L F1 (Lin 2004, sentence level: the longest common subsequence of words) with a tokenizer
 * that keeps Arabic.
 *
 * <p>Why not Google's {@code rouge-score} as it is: its tokenizer lowercases, replaces everything
 * that is not {@code [a-z0-9]} by a space and drops what is left over, so every Arabic word (and
 * every accented Latin word) disappears. On Arabic hypotheses and references both sides become
 * empty and ROUGE-L is 0 for every system, which says nothing; numbers alone would survive and
 * make it look like a score. This tokenizer instead keeps maximal runs of Unicode letters,
 * combining marks and digits ({@code [\p{L}\p{M}\p{N}]+}, so a vocalized Arabic word stays one
 * word with its harakat) and lowercases them ({@link java.util.Locale#ROOT}). On ASCII text it
 * gives exactly rouge-score's tokens, so scores there equal rouge-score's ({@code rougeL}, no
 * stemmer); the unit tests pin its published cases. No stemming: rouge-score's Porter stemmer is
 * English-only.
 *
 * <p>A segment's score is {@code F1 = 2PR / (P + R)} with P = LCS / hypothesis words, R = LCS /
 * reference words (0 when either side has no words); with several references the best F1. A
 * corpus's ROUGE-L is the mean segment F1 × 100, as Hala and rouge-score's aggregators report it:
 * {@link #segmentStatistics} is {@code [F1, 1]}, summed over segments, and {@link #score} divides.
 */
public final class RougeL implements Serializable {
  private static final long serialVersionUID = 1L;

  /** The rouge-score release whose rougeL definition (LCS F-measure) this follows. */
  public static final String ROUGE_SCORE_VERSION = "0.1.2";

  private static final Pattern WORD = Pattern.compile("[\\p{L}\\p{M}\\p{N}]+");

  private RougeL() {}

  public static RougeL unicode() {
    return new RougeL();
  }

  /** Lowercased runs of letters, marks and digits; everything else separates words. */
  public static List<String> tokenize(String text) {
    List<String> words = new ArrayList<>();
    Matcher m = WORD.matcher(PythonText.lower(text));
    while (m.find()) {
      words.add(m.group());
    }
    return words;
  }

  /** ROUGE-L precision, recall and F1 of one hypothesis against one reference. */
  public record Score(double precision, double recall, double f1) {}

  public Score sentenceScore(String hypothesis, String reference) {
    List<String> hyp = tokenize(hypothesis);
    List<String> ref = tokenize(reference);
    if (hyp.isEmpty() || ref.isEmpty()) {
      return new Score(0, 0, 0);
    }
    int lcs = longestCommonSubsequence(ref, hyp);
    double precision = (double) lcs / hyp.size();
    double recall = (double) lcs / ref.size();
    double f1 = precision + recall > 0 ? 2 * precision * recall / (precision + recall) : 0;
    return new Score(precision, recall, f1);
  }

  /** {@code [best F1 over the references, 1 segment]}. */
  public double[] segmentStatistics(String hypothesis, List<String> references) {
    if (references.isEmpty()) {
      throw new IllegalArgumentException("ROUGE-L needs at least one reference");
    }
    double best = 0;
    for (String reference : references) {
      best = Math.max(best, sentenceScore(hypothesis, reference).f1());
    }
    return new double[] {best, 1};
  }

  /** Mean segment F1 × 100 from (summed) statistics; 0 for no segments. */
  public double score(double[] stats) {
    return stats[1] == 0 ? 0 : 100 * stats[0] / stats[1];
  }

  public double corpusScore(List<String> hypotheses, List<List<String>> referenceStreams) {
    double[] sum = new double[2];
    for (int i = 0; i < hypotheses.size(); i++) {
      double[] s =
          segmentStatistics(hypotheses.get(i), SacreBleu.referencesOf(referenceStreams, i));
      sum[0] += s[0];
      sum[1] += s[1];
    }
    return score(sum);
  }

  /**
   * A sacreBLEU-style signature: {@code
   * nrefs:1|case:lc|tok:unicode-lmn|stem:no|f:1|agg:mean|version:rouge-score-0.1.2}. {@code
   * tok:unicode-lmn} says the tokenizer is this class's, not rouge-score's ASCII one.
   */
  public String signature(int references) {
    return signature(String.valueOf(references));
  }

  /** The signature with sacreBLEU's {@code nrefs} value as given ({@code 1}, {@code var}, …). */
  public String signature(String references) {
    return "nrefs:" + references
        + "|case:lc|tok:unicode-lmn|stem:no|f:1|agg:mean|version:rouge-score-"
        + ROUGE_SCORE_VERSION;
  }

  static int longestCommonSubsequence(List<String> a, List<String> b) {
    int[] previous = new int[b.size() + 1];
    int[] current = new int[b.size() + 1];
    for (int i = 1; i <= a.size(); i++) {
      for (int j = 1; j <= b.size(); j++) {
        current[j] =
            a.get(i - 1).equals(b.get(j - 1))
                ? previous[j - 1] + 1
                : Math.max(previous[j], current[j - 1]);
      }
      int[] swap = previous;
      previous = current;
      current = swap;
    }
    return previous[b.size()];
  }
}
