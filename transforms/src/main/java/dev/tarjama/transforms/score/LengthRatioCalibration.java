package dev.tarjama.transforms.score;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.Serializable;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Objects;

/**
 * Calibrates LR's r₀ (the expected len(target)/len(source), {@link LengthRatio}) for one language
 * pair from human parallel data, so that LR rewards a translation whose length matches what human
 * translators produce instead of an arbitrary 1.0.
 *
 * <p>Usage: {@code LengthRatioCalibration.forPair("en-ar").withTatoebaAnki(ara).withXquad(en, ar)
 * .calibrate()} → a {@link Calibration} whose {@code toJson()} goes into the run report.
 *
 * <p><b>Estimator: the source-length-weighted median of the per-pair ratios</b> len(t)/len(s)
 * (len exactly as LR counts it), each pair weighted by len(s); the spread is the weighted
 * interquartile range. Why this one:
 *
 * <ul>
 *   <li>a median, not a mean or the total ratio Σlen(t)/Σlen(s), so that misaligned or
 *       mistranslated pairs (they exist in crowd data such as Tatoeba) cannot pull r₀;
 *   <li>weighted by source length, because LR is applied to chunks and messages of hundreds of
 *       characters, and the ratio of a three-word sentence is quantized noise ("Hi." → "مرحبًا.":
 *       3 vs 7); weighting makes every source character count once, like the total ratio does,
 *       and makes the pooled estimate independent of how many tiny pairs a source has;
 *   <li>on the data kit it lands next to the total ratio (pooled: 0.817 vs 0.816), which says
 *       the median's robustness costs no bias there.
 * </ul>
 *
 * Pairs where either side has len 0 are skipped and counted. Readers fail loudly (with the line or
 * the JSON position) on malformed input: a calibration from silently partial data would be wrong
 * in every run report that quotes it.
 */
public final class LengthRatioCalibration {

  public static final String METHOD =
      "source-length-weighted median of per-pair len(target)/len(source); "
          + "len = code points excluding whitespace, combining marks (Mn, Me), format characters (Cf)"
          + " and tatweel; spread = weighted interquartile range";

  private static final ObjectMapper JSON = new ObjectMapper();

  /** One human translation: the source text and its target-language translation. */
  public record HumanPair(String source, String target) implements Serializable {
    public HumanPair {
      Objects.requireNonNull(source, "source");
      Objects.requireNonNull(target, "target");
    }
  }

  /** The estimate from one source of parallel data (also part of the pooled {@link Calibration}). */
  public record SourceEstimate(String name, String location, long pairs, long skipped, double r0,
      double q1, double q3) implements Serializable {}

  /**
   * The calibrated r₀ for a language pair: {@code pairs} used (plus {@code skipped} with an empty
   * side), the weighted median {@code r0} with its weighted quartiles {@code q1}/{@code q3}, the
   * total ratio Σlen(t)/Σlen(s) for comparison, the method, and the estimate per source.
   */
  public record Calibration(
      String languagePair,
      double r0,
      long pairs,
      long skipped,
      double q1,
      double q3,
      double totalRatio,
      String method,
      List<SourceEstimate> sources)
      implements Serializable {
    public Calibration {
      sources = List.copyOf(sources);
    }

    public double iqr() {
      return q3 - q1;
    }

    public ObjectNode toJsonNode() {
      ObjectNode node = JSON.createObjectNode();
      node.put("language_pair", languagePair);
      node.put("r0", r0);
      node.put("pairs", pairs);
      node.put("skipped", skipped);
      node.putArray("iqr").add(q1).add(q3);
      node.put("total_ratio", totalRatio);
      node.put("method", method);
      ArrayNode bySource = node.putArray("sources");
      for (SourceEstimate s : sources) {
        ObjectNode o = bySource.addObject();
        o.put("name", s.name());
        o.put("location", s.location());
        o.put("pairs", s.pairs());
        o.put("skipped", s.skipped());
        o.put("r0", s.r0());
        o.putArray("iqr").add(s.q1()).add(s.q3());
      }
      return node;
    }

    /** For the run report ({@code report.json} → {@code r0}). */
    public String toJson() {
      return toJsonNode().toString();
    }
  }

  /** A named set of pairs, read lazily when {@link #calibrate} runs. */
  private record Source(String name, String location, PairReader reader) {}

  @FunctionalInterface
  private interface PairReader {
    List<HumanPair> read() throws IOException;
  }

  private final String languagePair;
  private final List<Source> sources;

  private LengthRatioCalibration(String languagePair, List<Source> sources) {
    this.languagePair = languagePair;
    this.sources = List.copyOf(sources);
  }

  /** A calibration for {@code languagePair} (e.g. {@code "en-ar"}), with no data yet. */
  public static LengthRatioCalibration forPair(String languagePair) {
    return new LengthRatioCalibration(Objects.requireNonNull(languagePair), List.of());
  }

  /** Adds a Tatoeba/ManyThings Anki export (TSV: source \t target \t attribution). */
  public LengthRatioCalibration withTatoebaAnki(Path tsv) {
    return with(new Source("tatoeba_anki", tsv.toString(), () -> readTatoebaAnki(tsv)));
  }

  /**
   * Adds an XQuAD pair of SQuAD-format files (source language, target language), parallel by
   * order and question id: every paragraph context and every question is one pair.
   */
  public LengthRatioCalibration withXquad(Path sourceJson, Path targetJson) {
    return with(new Source("xquad", sourceJson + " | " + targetJson,
        () -> readXquad(sourceJson, targetJson)));
  }

  /** Adds pairs from anywhere else (already read). */
  public LengthRatioCalibration withPairs(String name, List<HumanPair> pairs) {
    List<HumanPair> copy = List.copyOf(pairs);
    return with(new Source(name, "(in memory)", () -> copy));
  }

  /**
   * EN→AR from the data kit under {@code sharedData} ({@code parallel/tatoeba_anki/ara.txt} and
   * {@code eval/xquad/xquad.{en,ar}.json}).
   */
  public static LengthRatioCalibration enArDataKit(Path sharedData) {
    Path data = sharedData.resolve("data");
    return forPair("en-ar")
        .withTatoebaAnki(data.resolve("parallel/tatoeba_anki/ara.txt"))
        .withXquad(data.resolve("eval/xquad/xquad.en.json"), data.resolve("eval/xquad/xquad.ar.json"));
  }

  private LengthRatioCalibration with(Source source) {
    List<Source> next = new ArrayList<>(sources);
    next.add(source);
    return new LengthRatioCalibration(languagePair, next);
  }

  /**
   * Reads every source and estimates r₀ from all their pairs pooled.
   *
   * @throws UncheckedIOException when a file cannot be read
   * @throws IllegalArgumentException when a file is malformed or no usable pair is left
   */
  public Calibration calibrate() {
    if (sources.isEmpty()) {
      throw new IllegalStateException("no parallel data: add a source before calibrate()");
    }
    List<SourceEstimate> estimates = new ArrayList<>();
    List<Ratios> all = new ArrayList<>();
    for (Source source : sources) {
      List<HumanPair> pairs;
      try {
        pairs = source.reader().read();
      } catch (IOException e) {
        throw new UncheckedIOException("cannot read " + source.name() + " at " + source.location(), e);
      }
      Ratios ratios = Ratios.of(pairs);
      if (ratios.size() == 0) {
        throw new IllegalArgumentException(
            "no usable pair in " + source.name() + " at " + source.location());
      }
      all.add(ratios);
      estimates.add(new SourceEstimate(source.name(), source.location(), ratios.size(),
          ratios.skipped, ratios.quantile(50), ratios.quantile(25), ratios.quantile(75)));
    }
    Ratios pooled = Ratios.concat(all);
    return new Calibration(languagePair, pooled.quantile(50), pooled.size(), pooled.skipped,
        pooled.quantile(25), pooled.quantile(75), pooled.totalRatio(), METHOD, estimates);
  }

  /** Per-pair lengths sorted by their ratio len(t)/len(s); a pair's weight is len(s). */
  private static final class Ratios {
    final long[][] lengths;
    final long skipped;

    private Ratios(long[][] lengths, long skipped) {
      this.lengths = lengths;
      this.skipped = skipped;
      // Sorted on the exact fraction t/s (cross-multiplied), then by s: the order, and so every
      // quantile, is the same on every machine and for every input order.
      Arrays.sort(lengths, (a, b) -> {
        int c = Long.compare(a[1] * b[0], b[1] * a[0]);
        return c != 0 ? c : Long.compare(a[0], b[0]);
      });
    }

    static Ratios of(List<HumanPair> pairs) {
      List<long[]> lengths = new ArrayList<>(pairs.size());
      long skipped = 0;
      for (HumanPair p : pairs) {
        int s = LengthRatio.length(p.source());
        int t = LengthRatio.length(p.target());
        if (s == 0 || t == 0) {
          skipped++;
        } else {
          lengths.add(new long[] {s, t});
        }
      }
      return new Ratios(lengths.toArray(long[][]::new), skipped);
    }

    static Ratios concat(List<Ratios> parts) {
      List<long[]> lengths = new ArrayList<>();
      long skipped = 0;
      for (Ratios r : parts) {
        lengths.addAll(Arrays.asList(r.lengths));
        skipped += r.skipped;
      }
      return new Ratios(lengths.toArray(long[][]::new), skipped);
    }

    int size() {
      return lengths.length;
    }

    /** The smallest ratio whose cumulative weight reaches {@code percent}% of the total weight. */
    double quantile(int percent) {
      long total = 0;
      for (long[] l : lengths) {
        total += l[0];
      }
      long cumulative = 0;
      for (long[] l : lengths) {
        cumulative += l[0];
        if (cumulative * 100 >= total * percent) {
          return (double) l[1] / l[0];
        }
      }
      throw new IllegalStateException("no pairs");
    }

    double totalRatio() {
      long s = 0;
      long t = 0;
      for (long[] l : lengths) {
        s += l[0];
        t += l[1];
      }
      return (double) t / s;
    }
  }

  /**
   * Reads a ManyThings/Tatoeba Anki export: UTF-8 TSV, one pair per line, {@code source \t target
   * \t attribution} (the attribution column is optional). Blank lines are ignored.
   *
   * @throws IllegalArgumentException naming the line when it has fewer than two columns
   */
  public static List<HumanPair> readTatoebaAnki(Path tsv) throws IOException {
    List<HumanPair> pairs = new ArrayList<>();
    try (BufferedReader in = Files.newBufferedReader(tsv, StandardCharsets.UTF_8)) {
      String line;
      long lineNumber = 0;
      while ((line = in.readLine()) != null) {
        lineNumber++;
        if (line.isBlank()) {
          continue;
        }
        String[] columns = line.split("\t", -1);
        if (columns.length < 2) {
          throw new IllegalArgumentException(
              tsv + ":" + lineNumber + ": expected source<TAB>target[<TAB>attribution]");
        }
        pairs.add(new HumanPair(columns[0], columns[1]));
      }
    }
    return pairs;
  }

  /**
   * Reads two XQuAD (SQuAD v1.1) files that are translations of each other: same articles,
   * paragraphs and questions in the same order, same question ids. Every paragraph {@code context}
   * and every {@code question} becomes one pair (answers are spans of the context: not counted
   * twice).
   *
   * @throws IllegalArgumentException naming the position when the files are not parallel
   */
  public static List<HumanPair> readXquad(Path sourceJson, Path targetJson) throws IOException {
    JsonNode source = JSON.readTree(sourceJson.toFile()).path("data");
    JsonNode target = JSON.readTree(targetJson.toFile()).path("data");
    List<HumanPair> pairs = new ArrayList<>();
    requireSameSize(source, target, "data", sourceJson, targetJson);
    for (int a = 0; a < source.size(); a++) {
      JsonNode sp = source.get(a).path("paragraphs");
      JsonNode tp = target.get(a).path("paragraphs");
      String at = "data[" + a + "].paragraphs";
      requireSameSize(sp, tp, at, sourceJson, targetJson);
      for (int p = 0; p < sp.size(); p++) {
        String pat = at + "[" + p + "]";
        pairs.add(new HumanPair(text(sp.get(p), "context", pat, sourceJson),
            text(tp.get(p), "context", pat, targetJson)));
        JsonNode sq = sp.get(p).path("qas");
        JsonNode tq = tp.get(p).path("qas");
        requireSameSize(sq, tq, pat + ".qas", sourceJson, targetJson);
        for (int q = 0; q < sq.size(); q++) {
          String qat = pat + ".qas[" + q + "]";
          String sid = text(sq.get(q), "id", qat, sourceJson);
          String tid = text(tq.get(q), "id", qat, targetJson);
          if (!sid.equals(tid)) {
            throw new IllegalArgumentException("xquad files not parallel at " + qat + ": id " + sid
                + " in " + sourceJson + " vs " + tid + " in " + targetJson);
          }
          pairs.add(new HumanPair(text(sq.get(q), "question", qat, sourceJson),
              text(tq.get(q), "question", qat, targetJson)));
        }
      }
    }
    return pairs;
  }

  private static void requireSameSize(JsonNode a, JsonNode b, String at, Path pa, Path pb) {
    if (!a.isArray() || !b.isArray() || a.size() != b.size()) {
      throw new IllegalArgumentException("xquad files not parallel at " + at + ": "
          + describe(a) + " in " + pa + " vs " + describe(b) + " in " + pb);
    }
  }

  private static String describe(JsonNode n) {
    return n.isArray() ? n.size() + " entries" : "no array";
  }

  private static String text(JsonNode node, String field, String at, Path file) {
    JsonNode value = node.path(field);
    if (!value.isTextual()) {
      throw new IllegalArgumentException(file + ": " + at + "." + field + " is not a string");
    }
    return value.asText();
  }
}
