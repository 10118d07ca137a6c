package dev.tarjama.transforms.io;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import dev.tarjama.transforms.domain.Candidate;
import dev.tarjama.transforms.domain.QualityMeasures;

/**
 * Reads a line of a finished run's {@code candidates/} back into a {@link Candidate} (the reverse of
 * {@link OutputRecords#candidate}), so that a run can be re-ranked without translating again. The
 * translated prose ({@code sourceText}, {@code targetText}) is not in the output and comes back
 * empty; {@code json} is the candidate's record (JSON text, or an object as older runs wrote it).
 */
public final class CandidateLines {
  private CandidateLines() {}

  /**
   * @throws IllegalArgumentException naming the field that is missing or of the wrong type
   */
  public static Candidate parse(String line) {
    JsonNode node;
    try {
      node = RecordJson.parse(line);
    } catch (JsonProcessingException e) {
      throw new IllegalArgumentException("not JSON: " + e.getOriginalMessage());
    }
    if (!node.isObject()) {
      throw new IllegalArgumentException("not a JSON object");
    }
    JsonNode record = node.get("record");
    return new Candidate(
        text(node, "record_id"),
        text(node, "split"),
        text(node, "backend"),
        integer(node, "candidate"),
        record == null ? "{}" : record.isTextual() ? record.asText() : record.toString(),
        bool(node, "valid"),
        node.path("reason").asText(""),
        "",
        "",
        score(node, "LR"),
        score(node, "SCR"),
        node.path("SCR_flagged").asBoolean(false),
        score(node, "reward"),
        score(node, "rank_score"),
        node.path("tokens_in").asLong(0),
        node.path("tokens_out").asLong(0),
        quality(node.path("quality")));
  }

  /**
   * What {@link #parse} reads back from the line {@link OutputRecords#candidate} writes for {@code
   * c} with its {@code record} removed, without the JSON text in between: a translate run's sweep
   * re-ranks its own candidates this way, and printing each one (its record parsed and printed
   * again) only to parse it back cost a share of the run's tail. As the line would read: record
   * {@code {}}, prose empty, a null reason empty, every score and measure value as its
   * JSON number reads back (so {@code -0.0} is 0; BigDecimal has no negative zero). Null where
   * {@link #parse} refuses that line: an infinite score, or a measure value that is not finite,
   * is written as a JSON string, and a missing id, split or backend as null.
   */
  public static Candidate withoutRecord(Candidate c) {
    if (c.recordId() == null || c.split() == null || c.backend() == null
        || Double.isInfinite(c.lr()) || Double.isInfinite(c.scr())
        || Double.isInfinite(c.reward()) || Double.isInfinite(c.rankScore())) {
      return null;
    }
    java.util.Map<String, QualityMeasures.Measure> measures = new java.util.TreeMap<>();
    for (var e : c.quality().asMap().entrySet()) {
      QualityMeasures.Measure m = e.getValue();
      if (!Double.isFinite(m.value())) {
        return null;
      }
      measures.put(e.getKey(), new QualityMeasures.Measure(asRead(m.value()), m.judged(),
          m.detail()));
    }
    return new Candidate(c.recordId(), c.split(), c.backend(), c.candidate(), "{}", c.valid(),
        c.reason() == null ? "" : c.reason(), "", "", asRead(c.lr()), asRead(c.scr()), c.scrFlagged(),
        asRead(c.reward()), asRead(c.rankScore()), c.tokensIn(), c.tokensOut(),
        QualityMeasures.of(measures));
  }

  /** A double as its JSON text reads back: the same value, except -0.0 reads 0 (NaN stays NaN). */
  private static double asRead(double v) {
    return v == 0 ? 0.0 : v;
  }

  /** The {@code quality} object back into measures (absent in runs made before the stage). */
  private static QualityMeasures quality(JsonNode quality) {
    if (!quality.isObject()) {
      return QualityMeasures.none();
    }
    java.util.Map<String, QualityMeasures.Measure> measures = new java.util.TreeMap<>();
    quality.fields().forEachRemaining(e -> {
      JsonNode m = e.getValue();
      if (!m.path("value").isNumber()) {
        throw new IllegalArgumentException(
            "field /quality/" + e.getKey() + "/value is missing or not a number");
      }
      measures.put(e.getKey(), new QualityMeasures.Measure(m.path("value").doubleValue(),
          m.path("judged").asBoolean(true), m.path("detail").asText("")));
    });
    return QualityMeasures.of(measures);
  }

  private static String text(JsonNode node, String field) {
    JsonNode v = node.get(field);
    if (v == null || !v.isTextual()) {
      throw new IllegalArgumentException("field /" + field + " is missing or not a string");
    }
    return v.asText();
  }

  private static int integer(JsonNode node, String field) {
    JsonNode v = node.get(field);
    if (v == null || !v.canConvertToInt()) {
      throw new IllegalArgumentException("field /" + field + " is missing or not an integer");
    }
    return v.intValue();
  }

  private static boolean bool(JsonNode node, String field) {
    JsonNode v = node.get(field);
    if (v == null || !v.isBoolean()) {
      throw new IllegalArgumentException("field /" + field + " is missing or not a boolean");
    }
    return v.booleanValue();
  }

  /** A score, or NaN where the output wrote null (never scored). */
  private static double score(JsonNode node, String field) {
    JsonNode v = node.get(field);
    if (v == null || v.isNull()) {
      return Double.NaN;
    }
    if (!v.isNumber()) {
      throw new IllegalArgumentException("field /" + field + " is not a number");
    }
    return v.doubleValue();
  }
}
