package dev.tarjama.transforms.sweep;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.tarjama.transforms.domain.Candidate;
import dev.tarjama.transforms.domain.ModelCoders;
import dev.tarjama.transforms.domain.QualityMeasures;
import dev.tarjama.transforms.domain.QualityMeasures.Measure;
import dev.tarjama.transforms.io.OutputRecords;
import dev.tarjama.transforms.rank.RankingPolicy;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import org.apache.beam.sdk.coders.StringUtf8Coder;
import org.apache.beam.sdk.testing.TestPipeline;
import org.apache.beam.sdk.testing.TestPipelineExtension;
import org.apache.beam.sdk.transforms.Create;
import org.apache.beam.sdk.transforms.DoFn;
import org.apache.beam.sdk.transforms.ParDo;
import org.apache.beam.sdk.values.PCollection;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/** The sweep of a run's own candidates is the sweep of their candidates/ lines. */
@ExtendWith(TestPipelineExtension.class)
class SweepThresholdsTest {
  private static final Map<String, String> SUMMARIES = new ConcurrentHashMap<>();

  private static final class Keep extends DoFn<String, Void> {
    private final String name;

    Keep(String name) {
      this.name = name;
    }

    @ProcessElement
    public void process(@Element String summary) {
      SUMMARIES.put(name, summary);
    }
  }

  private static Candidate candidate(String record, String split, int k, boolean valid,
      double lr, double scr, double numbers) {
    return new Candidate(record, split, "bench", k, "{\"messages\": []}", valid,
        valid ? "" : Candidate.TRANSLATION_FAILED, "source prose", "target prose", lr, scr,
        false, Double.NaN, (lr + scr) / 2, 10, 12,
        QualityMeasures.of(Map.of("numbers", new Measure(numbers, true, ""))));
  }

  @Test
  void candidatesSweepAsTheirLinesDo(TestPipeline p) {
    List<Candidate> candidates = new ArrayList<>();
    String[] splits = {"code", "math", "chat"};
    for (int r = 0; r < 30; r++) {
      for (int k = 0; k < 1 + r % 3; k++) {
        double lr = 0.55 + 0.015 * ((r * 7 + k * 3) % 30);
        double scr = 0.75 + 0.01 * ((r * 5 + k) % 25);
        candidates.add(candidate("f.jsonl:" + r, splits[r % 3], k, r % 11 != 0, lr, scr,
            (r + k) % 4 == 0 ? 2 : 0));
      }
    }
    // Lines the sweep cannot read (an infinite score is a JSON string) and a negative zero.
    candidates.add(candidate("f.jsonl:40", "code", 0, true, Double.POSITIVE_INFINITY, 0.9, 0));
    candidates.add(candidate("f.jsonl:41", "code", 0, true, -0.0, 0.9, Double.NaN));
    candidates.add(candidate("f.jsonl:41", "code", 1, true, 0.8, 0.95, 0));
    List<String> lines = new ArrayList<>();
    for (Candidate c : candidates) {
      ObjectNode line = OutputRecords.candidate(c);
      line.remove("record");
      lines.add(line.toString());
    }
    ThresholdSweep sweep = new ThresholdSweep(RankingPolicy.defaults(),
        ThresholdGrid.parse("--min-lr", "0.60:0.90:0.05"),
        ThresholdGrid.parse("--min-scr", "0.8,0.9,0.95"));

    p.apply("Lines", Create.of(lines).withCoder(StringUtf8Coder.of()))
        .apply("OverLines", SweepThresholds.over(sweep))
        .get(SweepThresholds.SUMMARY)
        .apply("KeepLines", ParDo.of(new Keep("lines")));
    PCollection<Candidate> input =
        p.apply("Candidates", Create.of(candidates).withCoder(new ModelCoders.CandidateCoder()));
    input.apply("OverCandidates", SweepThresholds.overCandidates(sweep))
        .apply("KeepCandidates", ParDo.of(new Keep("candidates")));
    p.run().waitUntilFinish();

    assertTrue(SUMMARIES.get("lines").contains("chosen"), SUMMARIES.get("lines"));
    assertEquals(SUMMARIES.get("lines"), SUMMARIES.get("candidates"));
  }
}
