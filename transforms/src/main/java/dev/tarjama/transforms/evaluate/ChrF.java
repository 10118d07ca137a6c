package dev.tarjama.transforms.evaluate;

import java.io.Serializable;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * chrF and chrF++ exactly as sacreBLEU 2.x computes them ({@link SacreBleu#VERSION}). {@link
 * #chrFPlusPlus()} is {@code sacrebleu -m chrf --chrf-word-order 2}: character n-grams of order
 * 1–6 over the segment with its whitespace removed, word uni- and bigrams (punctuation split off
 * the ends of words as chrF++.py does), beta 2, and sacreBLEU's default averaging: precision and
 * recall are averaged over the orders that have both hypothesis and reference n-grams ("effective
 * order", signature {@code eff:yes}), then combined into one F-beta. {@link #withEpsSmoothing}
 * gives chrF++.py's averaging of per-order F-scores instead.
 *
 * <p>Characters are Unicode code points, so Arabic letters and their marks each count once.
 * Corpus chrF sums the per-order {@code [hyp, ref, match]} counts of all segments ({@link
 * #segmentStatistics}; with several references, each segment keeps the reference with the best
 * sentence F-score), then scores the sum ({@link #score}).
 */
public record ChrF(
    int charOrder,
    int wordOrder,
    double beta,
    boolean lowercase,
    boolean whitespace,
    boolean epsSmoothing)
    implements Serializable {
  private static final long serialVersionUID = 1L;

  /** Python's {@code string.punctuation}, which chrF++ splits off word ends. */
  private static final String PUNCTUATION = "!\"#$%&'()*+,-./:;<=>?@[\\]^_`{|}~";

  /** The settings of a chrF as sacreBLEU names them; the factories below start from its defaults. */
  public ChrF {
    if (charOrder < 1) {
      throw new IllegalArgumentException("chrF's character order must be 1 or more");
    }
    if (wordOrder < 0) {
      throw new IllegalArgumentException("chrF's word order must be 0 or more");
    }
  }

  /** chrF++: character order 6, word order 2, beta 2, sacreBLEU's defaults otherwise. */
  public static ChrF chrFPlusPlus() {
    return new ChrF(6, 2, 2, false, false, false);
  }

  /** chrF (sacreBLEU's {@code -m chrf} default): character order 6, no word n-grams, beta 2. */
  public static ChrF chrF() {
    return new ChrF(6, 0, 2, false, false, false);
  }

  public ChrF withCharOrder(int charOrder) {
    return new ChrF(charOrder, wordOrder, beta, lowercase, whitespace, epsSmoothing);
  }

  public ChrF withWordOrder(int wordOrder) {
    return new ChrF(charOrder, wordOrder, beta, lowercase, whitespace, epsSmoothing);
  }

  public ChrF withBeta(double beta) {
    return new ChrF(charOrder, wordOrder, beta, lowercase, whitespace, epsSmoothing);
  }

  public ChrF withLowercase(boolean lowercase) {
    return new ChrF(charOrder, wordOrder, beta, lowercase, whitespace, epsSmoothing);
  }

  /** Keeps whitespace inside character n-grams (sacreBLEU's {@code --chrf-whitespace}). */
  public ChrF withWhitespace(boolean whitespace) {
    return new ChrF(charOrder, wordOrder, beta, lowercase, whitespace, epsSmoothing);
  }

  /** chrF++.py / NLTK / Moses averaging (signature {@code eff:no}). */
  public ChrF withEpsSmoothing(boolean epsSmoothing) {
    return new ChrF(charOrder, wordOrder, beta, lowercase, whitespace, epsSmoothing);
  }

  /** Length of {@link #segmentStatistics}' array: 3 × (character order + word order). */
  public int statisticsLength() {
    return 3 * (charOrder + wordOrder);
  }

  /**
   * One segment's statistics: for each character order then each word order, {@code [hypothesis
   * n-grams, reference n-grams, matches]}, against the best-scoring reference.
   */
  public long[] segmentStatistics(String hypothesis, List<String> references) {
    if (references.isEmpty()) {
      throw new IllegalArgumentException("chrF needs at least one reference");
    }
    List<Map<String, Integer>> hyp = ngrams(hypothesis);
    long[] best = null;
    double bestF = -1.0;
    for (String reference : references) {
      List<Map<String, Integer>> ref = ngrams(reference);
      long[] stats = new long[statisticsLength()];
      for (int i = 0; i < hyp.size(); i++) {
        Map<String, Integer> h = hyp.get(i);
        Map<String, Integer> r = ref.get(i);
        long hypCount = 0;
        long match = 0;
        for (Map.Entry<String, Integer> e : h.entrySet()) {
          hypCount += e.getValue();
          Integer inRef = r.get(e.getKey());
          if (inRef != null) {
            match += Math.min(e.getValue(), inRef);
          }
        }
        long refCount = 0;
        for (int c : r.values()) {
          refCount += c;
        }
        // sacreBLEU counts no hypothesis n-grams where the reference has none of that order.
        stats[3 * i] = r.isEmpty() ? 0 : hypCount;
        stats[3 * i + 1] = refCount;
        stats[3 * i + 2] = match;
      }
      double f = fScore(stats);
      if (f > bestF) {
        bestF = f;
        best = stats;
      }
    }
    return best;
  }

  /** chrF in [0, 100] from (summed) statistics. */
  public double score(long[] stats) {
    if (stats.length != statisticsLength()) {
      throw new IllegalArgumentException(
          "chrF statistics have " + stats.length + " numbers, not " + statisticsLength());
    }
    return fScore(stats);
  }

  /** Corpus chrF in sacreBLEU's layout: one reference list per reference set. */
  public double corpusScore(List<String> hypotheses, List<List<String>> referenceStreams) {
    long[] sum = new long[statisticsLength()];
    for (int i = 0; i < hypotheses.size(); i++) {
      long[] s = segmentStatistics(hypotheses.get(i), SacreBleu.referencesOf(referenceStreams, i));
      for (int j = 0; j < sum.length; j++) {
        sum[j] += s[j];
      }
    }
    return score(sum);
  }

  public double sentenceScore(String hypothesis, List<String> references) {
    return score(segmentStatistics(hypothesis, references));
  }

  /** sacreBLEU's score name: {@code chrF2}, {@code chrF2++}. */
  public String name() {
    String b = beta == Math.rint(beta) ? String.valueOf((long) beta) : String.valueOf(beta);
    return "chrF" + b + "+".repeat(wordOrder);
  }

  /**
   * sacreBLEU's signature, e.g. {@code nrefs:1|case:mixed|eff:yes|nc:6|nw:2|space:no|version:2.6.0}.
   */
  public String signature(int references) {
    return signature(String.valueOf(references));
  }

  /** The signature with sacreBLEU's {@code nrefs} value as given ({@code 1}, {@code var}, …). */
  public String signature(String references) {
    return "nrefs:" + references
        + "|case:" + (lowercase ? "lc" : "mixed")
        + "|eff:" + (epsSmoothing ? "no" : "yes")
        + "|nc:" + charOrder
        + "|nw:" + wordOrder
        + "|space:" + (whitespace ? "yes" : "no")
        + "|version:" + SacreBleu.VERSION;
  }

  private double fScore(long[] stats) {
    double eps = 1e-16;
    double factor = beta * beta;
    int orders = charOrder + wordOrder;
    double score = 0;
    double avgPrecision = 0;
    double avgRecall = 0;
    int effectiveOrder = 0;
    for (int i = 0; i < orders; i++) {
      long nHyp = stats[3 * i];
      long nRef = stats[3 * i + 1];
      long nMatch = stats[3 * i + 2];
      double precision = nHyp > 0 ? (double) nMatch / nHyp : eps;
      double recall = nRef > 0 ? (double) nMatch / nRef : eps;
      double denominator = factor * precision + recall;
      score += denominator > 0 ? (1 + factor) * precision * recall / denominator : eps;
      if (nHyp > 0 && nRef > 0) {
        avgPrecision += precision;
        avgRecall += recall;
        effectiveOrder++;
      }
    }
    if (epsSmoothing) {
      return 100 * score / orders;
    }
    if (effectiveOrder == 0) {
      return 0.0;
    }
    avgPrecision /= effectiveOrder;
    avgRecall /= effectiveOrder;
    if (avgPrecision + avgRecall == 0) {
      return 0.0;
    }
    return 100 * (1 + factor) * avgPrecision * avgRecall / (factor * avgPrecision + avgRecall);
  }

  /** Character n-gram counts of orders 1..charOrder, then word n-grams of 1..wordOrder. */
  private List<Map<String, Integer>> ngrams(String segment) {
    String s = lowercase ? PythonText.lower(segment) : segment;
    List<Map<String, Integer>> all = new ArrayList<>(charOrder + wordOrder);
    int[] chars = whitespace ? s.codePoints().toArray() : PythonText.codePointsWithoutSpace(s);
    for (int n = 1; n <= charOrder; n++) {
      Map<String, Integer> counts = new HashMap<>();
      for (int i = 0; i + n <= chars.length; i++) {
        counts.merge(new String(chars, i, n), 1, Integer::sum);
      }
      all.add(counts);
    }
    if (wordOrder > 0) {
      List<String> words = words(s);
      for (int n = 1; n <= wordOrder; n++) {
        Map<String, Integer> counts = new HashMap<>();
        for (int i = 0; i + n <= words.size(); i++) {
          counts.merge(String.join(" ", words.subList(i, i + n)), 1, Integer::sum);
        }
        all.add(counts);
      }
    }
    return all;
  }

  /**
   * chrF++'s words: whitespace-separated, with one punctuation character split off the end of a
   * word, or else off its start (so {@code "(hi)"} gives {@code "(hi"} and {@code ")"}, as in
   * sacreBLEU).
   */
  static List<String> words(String segment) {
    List<String> out = new ArrayList<>();
    for (String w : PythonText.split(segment)) {
      int length = w.codePointCount(0, w.length());
      if (length == 1) {
        out.add(w);
        continue;
      }
      int last = w.codePointBefore(w.length());
      int first = w.codePointAt(0);
      if (isPunctuation(last)) {
        int cut = w.length() - Character.charCount(last);
        out.add(w.substring(0, cut));
        out.add(w.substring(cut));
      } else if (isPunctuation(first)) {
        int cut = Character.charCount(first);
        out.add(w.substring(0, cut));
        out.add(w.substring(cut));
      } else {
        out.add(w);
      }
    }
    return out;
  }

  private static boolean isPunctuation(int cp) {
    return cp < 128 && PUNCTUATION.indexOf(cp) >= 0;
  }
}
