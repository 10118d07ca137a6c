package dev.tarjama.transforms.report;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import dev.tarjama.transforms.io.RecordJson;
import dev.tarjama.transforms.domain.Candidate;
import dev.tarjama.transforms.domain.QualityMeasures;
import dev.tarjama.transforms.quality.QualityPolicy;
import dev.tarjama.transforms.rank.RankedRecord;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import org.apache.beam.sdk.testing.PAssert;
import org.apache.beam.sdk.testing.TestPipeline;
import org.apache.beam.sdk.testing.TestPipelineExtension;
import org.apache.beam.sdk.transforms.Create;
import org.apache.beam.sdk.values.PCollection;
import org.apache.beam.sdk.values.PCollectionTuple;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

@ExtendWith(TestPipelineExtension.class)
class SampleRecordsTest {
  private static Candidate candidate(String id, String backend, int i, boolean valid, String text) {
    return new Candidate(id, "news", backend, i, "{}", valid, valid ? "" : "span missing",
        "source of " + id, text, 0.9, 1.0, false, Double.NaN, 0.95, 10, 12,
        QualityMeasures.none());
  }

  @Test
  void picksTheSameFewRecordsWithEveryCandidateAndTheWinner(TestPipeline p) {
    List<Candidate> candidates = new ArrayList<>();
    List<RankedRecord> chosen = new ArrayList<>();
    List<RankedRecord> rejected = new ArrayList<>();
    for (int r = 0; r < 40; r++) {
      String id = "in.jsonl#" + r;
      Candidate a = candidate(id, "a", 0, true, "ترجمة " + r);
      Candidate b = candidate(id, "b", 0, r % 4 != 0, "<script>alert(" + r + ")</script>");
      candidates.add(a);
      candidates.add(b);
      if (r % 10 == 9) {
        rejected.add(new RankedRecord(id, "news", a, 2, 1, "below threshold: LR 0.9 < 0.95"));
      } else {
        chosen.add(new RankedRecord(id, "news", a, 2, 2, ""));
      }
    }
    // Deterministic: the smallest hashes of the record ids, whatever the bundling.
    ArrayList<String> sortedLines = new ArrayList<>();
    chosen.forEach(c -> sortedLines.add(SampleRecords.line(c)));
    sortedLines.sort(null);
    ArrayList<String> firstThree = new ArrayList<>();
    sortedLines.subList(0, 3).forEach(l -> firstThree.add(l.split("\t")[1]));
    PCollection<String> sample = PCollectionTuple
        .of(SampleRecords.CANDIDATES, p.apply("C", Create.of(candidates)))
        .and(SampleRecords.CHOSEN, p.apply("Ch", Create.of(chosen)))
        .and(SampleRecords.REJECTED, p.apply("R", Create.of(rejected)))
        .apply(SampleRecords.of(3, 2, QualityPolicy.defaults()));
    PAssert.that(sample).satisfies(all -> {
      List<String> list = new ArrayList<>();
      all.forEach(list::add);
      assertEquals(1, list.size());
      JsonNode records;
      try {
        records = RecordJson.MAPPER.readTree(list.get(0)).get("records");
      } catch (Exception e) {
        throw new AssertionError(e);
      }
      assertEquals(5, records.size(), records.toString());
      int chosenSeen = 0;
      Set<String> ids = new HashSet<>();
      for (JsonNode r : records) {
        ids.add(r.get("record_id").asText());
        assertEquals(2, r.get("candidates").size(), r.toString());
        assertEquals("a", r.get("candidates").get(0).get("backend").asText(), "sorted by backend");
        assertTrue(r.get("source").asText().startsWith("source of "), r.toString());
        if (r.get("outcome").asText().equals("chosen")) {
          chosenSeen++;
          assertEquals("a", r.at("/winner/backend").asText());
        } else {
          assertTrue(r.get("reason").asText().startsWith("below threshold"), r.toString());
        }
      }
      assertEquals(3, chosenSeen);
      for (String id : firstThree) {
        assertTrue(ids.contains(id), id + " in " + ids);
      }
      return null;
    });
    p.run().waitUntilFinish();
  }

  @Test
  void longTextsAreCut() {
    String cut = SampleRecords.cut("x".repeat(SampleRecords.MAX_TEXT + 100));
    assertEquals(SampleRecords.MAX_TEXT + " […]".length(), cut.length());
    assertEquals("", SampleRecords.cut(null));
  }
}
