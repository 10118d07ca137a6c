package dev.tarjama.transforms.evaluate;

import java.io.Serializable;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * BLEU exactly as sacreBLEU 2.x computes it ({@link SacreBleu#VERSION}): the defaults are
 * sacreBLEU's ({@code tok:13a}, {@code smooth:exp}, 4-grams, no effective order, mixed case), so
 * {@link #sacreBleu()} is what {@code sacrebleu -m bleu} reports, with the same signature.
 *
 * <p>Corpus BLEU is computed from summed sufficient statistics, never by averaging sentence
 * scores: {@link #segmentStatistics} gives one segment's {@code [hyp_len, ref_len, correct_1..N,
 * total_1..N]} (the reference length is the one closest to the hypothesis, the shorter on ties;
 * n-gram matches are clipped by the largest count in any reference), statistics of many segments
 * are added element-wise, and {@link #score} turns the sum into BLEU. That is what lets {@code
 * EvaluateTranslations} compute it with a Beam combiner.
 */
public record Bleu(
    BleuTokenizer tokenizer,
    Smoothing smoothing,
    double smoothValue,
    int maxOrder,
    boolean effectiveOrder,
    boolean lowercase)
    implements Serializable {
  private static final long serialVersionUID = 1L;

  /** What sacreBLEU puts in place of log(0): a floor, so that a zero precision gives BLEU 0. */
  private static final double LOG_ZERO = -9999999999.0;

  /** Smoothing of zero n-gram precisions (Chen and Cherry 2014), with sacreBLEU's defaults. */
  public enum Smoothing {
    /** No smoothing: a zero precision makes BLEU 0. */
    NONE("none", Double.NaN),
    /** A zero count becomes {@code value} (0.1). */
    FLOOR("floor", 0.1),
    /** {@code value} (1) is added to the counts of orders above 1. */
    ADD_K("add-k", 1.0),
    /** mteval-v13a's: the k-th zero precision becomes 1 / (2^k × total). sacreBLEU's default. */
    EXP("exp", Double.NaN);

    private final String id;
    private final double defaultValue;

    Smoothing(String id, double defaultValue) {
      this.id = id;
      this.defaultValue = defaultValue;
    }

    public String id() {
      return id;
    }

    boolean takesValue() {
      return !Double.isNaN(defaultValue);
    }
  }

  /** BLEU of a corpus (or a sentence) and the figures sacreBLEU prints beside it. */
  public record Score(
      double score,
      double[] precisions,
      double brevityPenalty,
      long hypothesisLength,
      long referenceLength) {
    /** hyp_len / ref_len, 0 without reference words. */
    public double ratio() {
      return referenceLength == 0 ? 0 : (double) hypothesisLength / referenceLength;
    }
  }

  /** The settings of a BLEU as sacreBLEU names them; the factories below start from its defaults. */
  public Bleu {
    if (maxOrder < 1) {
      throw new IllegalArgumentException("BLEU's max n-gram order must be 1 or more");
    }
  }

  /** sacreBLEU's defaults: 13a, exp smoothing, 4-grams, no effective order, case-sensitive. */
  public static Bleu sacreBleu() {
    return new Bleu(BleuTokenizer.THIRTEEN_A, Smoothing.EXP, Double.NaN, 4, false, false);
  }

  public Bleu withTokenizer(BleuTokenizer tokenizer) {
    return new Bleu(tokenizer, smoothing, smoothValue, maxOrder, effectiveOrder, lowercase);
  }

  /** Smoothing with its default value (floor 0.1, add-k 1). */
  public Bleu withSmoothing(Smoothing smoothing) {
    return new Bleu(tokenizer, smoothing, smoothing.defaultValue, maxOrder, effectiveOrder,
        lowercase);
  }

  /** {@link Smoothing#FLOOR} or {@link Smoothing#ADD_K} with this value. */
  public Bleu withSmoothing(Smoothing smoothing, double value) {
    if (!smoothing.takesValue()) {
      throw new IllegalArgumentException(smoothing.id + " smoothing takes no value");
    }
    return new Bleu(tokenizer, smoothing, value, maxOrder, effectiveOrder, lowercase);
  }

  public Bleu withMaxOrder(int maxOrder) {
    return new Bleu(tokenizer, smoothing, smoothValue, maxOrder, effectiveOrder, lowercase);
  }

  /**
   * Stops at the highest order with any hypothesis n-gram (sacreBLEU's {@code effective_order});
   * meant for sentence BLEU. Corpus BLEU, and the signature {@code eff:no}, leave it off.
   */
  public Bleu withEffectiveOrder(boolean effectiveOrder) {
    return new Bleu(tokenizer, smoothing, smoothValue, maxOrder, effectiveOrder, lowercase);
  }

  public Bleu withLowercase(boolean lowercase) {
    return new Bleu(tokenizer, smoothing, smoothValue, maxOrder, effectiveOrder, lowercase);
  }

  public int maxOrder() {
    return maxOrder;
  }

  /** Length of {@link #segmentStatistics}' array: 2 + 2 × max order. */
  public int statisticsLength() {
    return 2 + 2 * maxOrder;
  }

  /** The words BLEU counts in a segment: lowercased if asked, right-stripped, tokenized. */
  public List<String> words(String segment) {
    String s = lowercase ? PythonText.lower(segment) : segment;
    return PythonText.split(tokenizer.tokenize(PythonText.rstrip(s)));
  }

  /**
   * One segment's sufficient statistics against its references: {@code [hyp_len, ref_len,
   * correct_1..N, total_1..N]}.
   */
  public long[] segmentStatistics(String hypothesis, List<String> references) {
    if (references.isEmpty()) {
      throw new IllegalArgumentException("BLEU needs at least one reference");
    }
    Map<String, Integer> referenceNgrams = new HashMap<>();
    List<Integer> referenceLengths = new ArrayList<>(references.size());
    for (String reference : references) {
      List<String> words = words(reference);
      referenceLengths.add(words.size());
      for (Map.Entry<String, Integer> e : ngrams(words).entrySet()) {
        referenceNgrams.merge(e.getKey(), e.getValue(), Math::max);
      }
    }
    List<String> words = words(hypothesis);
    long[] stats = new long[statisticsLength()];
    stats[0] = words.size();
    stats[1] = closestReferenceLength(words.size(), referenceLengths);
    for (Map.Entry<String, Integer> e : ngrams(words).entrySet()) {
      int order = order(e.getKey());
      int count = e.getValue();
      stats[2 + maxOrder + order - 1] += count;
      Integer inReference = referenceNgrams.get(e.getKey());
      if (inReference != null) {
        stats[2 + order - 1] += Math.min(count, inReference);
      }
    }
    return stats;
  }

  /** BLEU from (summed) statistics. */
  public Score score(long[] stats) {
    if (stats.length != statisticsLength()) {
      throw new IllegalArgumentException(
          "BLEU statistics have " + stats.length + " numbers, not " + statisticsLength());
    }
    long hypLen = stats[0];
    long refLen = stats[1];
    double[] correct = new double[maxOrder];
    double[] total = new double[maxOrder];
    boolean anyMatch = false;
    for (int n = 0; n < maxOrder; n++) {
      correct[n] = stats[2 + n];
      total[n] = stats[2 + maxOrder + n];
      anyMatch |= correct[n] != 0;
    }
    double bp = 1.0;
    if (hypLen < refLen) {
      bp = hypLen > 0 ? Math.exp(1 - (double) refLen / hypLen) : 0.0;
    }
    double[] precisions = new double[maxOrder];
    if (!anyMatch) {
      return new Score(0.0, precisions, bp, hypLen, refLen);
    }
    double smoothMteval = 1.0;
    int order = maxOrder;
    for (int n = 1; n <= maxOrder; n++) {
      if (smoothing == Smoothing.ADD_K && n > 1) {
        correct[n - 1] += smoothValue;
        total[n - 1] += smoothValue;
      }
      if (total[n - 1] == 0) {
        break;
      }
      if (effectiveOrder) {
        order = n;
      }
      if (correct[n - 1] == 0) {
        if (smoothing == Smoothing.EXP) {
          smoothMteval *= 2;
          precisions[n - 1] = 100.0 / (smoothMteval * total[n - 1]);
        } else if (smoothing == Smoothing.FLOOR) {
          precisions[n - 1] = 100.0 * smoothValue / total[n - 1];
        }
      } else {
        precisions[n - 1] = 100.0 * correct[n - 1] / total[n - 1];
      }
    }
    double logSum = 0;
    for (int n = 0; n < order; n++) {
      logSum += precisions[n] == 0.0 ? LOG_ZERO : Math.log(precisions[n]);
    }
    return new Score(bp * Math.exp(logSum / order), precisions, bp, hypLen, refLen);
  }

  /**
   * Corpus BLEU the way sacreBLEU's API takes it: {@code referenceStreams} holds one list per
   * reference set, each as long as {@code hypotheses}.
   */
  public Score corpusScore(List<String> hypotheses, List<List<String>> referenceStreams) {
    long[] sum = new long[statisticsLength()];
    for (int i = 0; i < hypotheses.size(); i++) {
      long[] s = segmentStatistics(hypotheses.get(i), SacreBleu.referencesOf(referenceStreams, i));
      for (int j = 0; j < sum.length; j++) {
        sum[j] += s[j];
      }
    }
    return score(sum);
  }

  /** BLEU of one segment (turn {@link #withEffectiveOrder effective order} on for this). */
  public Score sentenceScore(String hypothesis, List<String> references) {
    return score(segmentStatistics(hypothesis, references));
  }

  /**
   * sacreBLEU's signature, e.g. {@code nrefs:1|case:mixed|eff:no|tok:13a|smooth:exp|version:2.6.0}
   * (printed after {@code BLEU|}).
   */
  public String signature(int references) {
    return signature(String.valueOf(references));
  }

  /** The signature with sacreBLEU's {@code nrefs} value as given ({@code 1}, {@code var}, …). */
  public String signature(String references) {
    String smooth = smoothing.id;
    if (smoothing.takesValue()) {
      smooth += String.format(Locale.ROOT, "[%.2f]", smoothValue);
    }
    return "nrefs:" + references
        + "|case:" + (lowercase ? "lc" : "mixed")
        + "|eff:" + (effectiveOrder ? "yes" : "no")
        + "|tok:" + tokenizer.signature()
        + "|smooth:" + smooth
        + "|version:" + SacreBleu.VERSION;
  }

  private static int closestReferenceLength(int hypLen, List<Integer> referenceLengths) {
    int closestDiff = -1;
    int closest = -1;
    for (int len : referenceLengths) {
      int diff = Math.abs(hypLen - len);
      if (closestDiff == -1 || diff < closestDiff) {
        closestDiff = diff;
        closest = len;
      } else if (diff == closestDiff && len < closest) {
        closest = len;
      }
    }
    return closest;
  }

  /** All 1..N-grams of the words, each a string of words joined by single spaces. */
  private Map<String, Integer> ngrams(List<String> words) {
    Map<String, Integer> counts = new HashMap<>();
    for (int n = 1; n <= maxOrder; n++) {
      for (int i = 0; i + n <= words.size(); i++) {
        counts.merge(String.join(" ", words.subList(i, i + n)), 1, Integer::sum);
      }
    }
    return counts;
  }

  /** Words never hold a space (they come from a whitespace split), so spaces + 1 is the order. */
  private static int order(String ngram) {
    int spaces = 0;
    for (int i = 0; i < ngram.length(); i++) {
      if (ngram.charAt(i) == ' ') {
        spaces++;
      }
    }
    return spaces + 1;
  }
}
