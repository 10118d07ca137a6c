package dev.tarjama.transforms.io;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;

import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.tarjama.transforms.domain.Candidate;
import dev.tarjama.transforms.domain.QualityMeasures;
import dev.tarjama.transforms.domain.QualityMeasures.Measure;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.TreeMap;
import org.junit.jupiter.api.Test;

/** {@link CandidateLines#withoutRecord} reads what {@link CandidateLines#parse} reads. */
class CandidateLinesTest {

  /** The line the sweep used to read: OutputRecords.candidate(c) without its record. */
  private static Candidate throughJson(Candidate c) {
    ObjectNode line = OutputRecords.candidate(c);
    line.remove("record");
    try {
      return CandidateLines.parse(line.toString());
    } catch (IllegalArgumentException e) {
      return null;
    }
  }

  private static Candidate candidate(double lr, double scr, double reward, double rank,
      String reason, Map<String, Measure> quality) {
    return new Candidate("f.jsonl:7", "code", "bench", 2, "{\"a\": [1, 2.50, \"x\"]}", true,
        reason, "the source", "الهدف", lr, scr, true, reward, rank, 17, 23,
        QualityMeasures.of(quality));
  }

  @Test
  void edgeValuesReadAsTheJsonLineReadsThem() {
    double[] values = {0.0, -0.0, 1.0, 0.5, 1e-5, 1e-7, 1e22, -3.25, Double.MIN_VALUE,
        Double.MAX_VALUE, 0.1 + 0.2, 2.0 / 3, Double.NaN};
    List<Candidate> cases = new ArrayList<>();
    for (double v : values) {
      cases.add(candidate(v, v, v, v, "", Map.of()));
      Map<String, Measure> q = new TreeMap<>();
      q.put("numbers", new Measure(v, true, "missing 1000"));
      q.put("lines", new Measure(v, false, ""));
      cases.add(candidate(0.7, 0.9, Double.NaN, 0.8, "translation failed", q));
    }
    for (double v : new double[] {Double.POSITIVE_INFINITY, Double.NEGATIVE_INFINITY}) {
      cases.add(candidate(v, 0.5, 0.5, 0.5, "", Map.of()));
      cases.add(candidate(0.5, v, 0.5, 0.5, "", Map.of()));
      cases.add(candidate(0.5, 0.5, v, 0.5, "", Map.of()));
      cases.add(candidate(0.5, 0.5, 0.5, v, "", Map.of()));
      cases.add(candidate(0.5, 0.5, 0.5, 0.5, "", Map.of("numbers", new Measure(v, true, ""))));
    }
    cases.add(candidate(0.5, 0.5, 0.5, 0.5, null, Map.of()));
    cases.add(new Candidate("f.jsonl:8", "s", "b", 0, "{}", false, "x", "", "", Double.NaN,
        Double.NaN, false, Double.NaN, Double.NaN, 0, 0, QualityMeasures.none()));
    for (Candidate c : cases) {
      assertEquals(throughJson(c), CandidateLines.withoutRecord(c), c.toString());
    }
    assertNull(CandidateLines.withoutRecord(
        candidate(Double.POSITIVE_INFINITY, 0.5, 0.5, 0.5, "", Map.of())));
    assertEquals(0L, Double.doubleToRawLongBits(
        CandidateLines.withoutRecord(candidate(-0.0, 0.5, 0.5, 0.5, "", Map.of())).lr()));
  }

  @Test
  void randomScoresReadAsTheJsonLineReadsThem() {
    Random random = new Random(17);
    for (int i = 0; i < 2000; i++) {
      double scale = Math.pow(10, random.nextInt(40) - 20);
      Map<String, Measure> q = new TreeMap<>();
      q.put("compression", new Measure(random.nextDouble() * scale, random.nextBoolean(), "d"));
      q.put("too_short", new Measure(-random.nextDouble(), true, ""));
      Candidate c = candidate(random.nextDouble(), random.nextDouble() * scale,
          Double.longBitsToDouble(random.nextLong()), random.nextGaussian(), "", q);
      assertEquals(throughJson(c), CandidateLines.withoutRecord(c), c.toString());
    }
  }
}
