package dev.tarjama.pipelines;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import dev.tarjama.models.testing.DataKit;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code tarjama sweep} on a real run: SmolTalk2-shaped GSM8K records (a think and a no-think
 * split) translated by both bundled tiny models in-process, ranked with min-lr=0.7,min-scr=0.85.
 */
class SweepCommandTest {
  static final Path MODELS = Path.of(System.getProperty("tarjama.testdata")).resolve("models");

  @Test
  void retentionFallsWithEachThresholdAndMatchesTheRunAtItsOwnThresholds(@TempDir Path tmp)
      throws Exception {
    List<String> lines =
        Files.readAllLines(DataKit.data("instruct/smoltalk2_style/gsm8k_think.jsonl"));
    Path input = tmp.resolve("gsm8k_think.jsonl");
    Files.write(input, lines.subList(0, 30));
    Path runDir = tmp.resolve("run");
    JsonNode report = JobTest.line("translate", "--input=" + input, "--output=" + runDir,
        "--progress-seconds=0",
        "--backend=name=tiny-a,kind=local,path=" + MODELS.resolve("tiny-en-ar-a")
            + ",k=1,decoding=greedy",
        "--backend=name=tiny-b,kind=local,path=" + MODELS.resolve("tiny-en-ar-b")
            + ",k=1,decoding=greedy",
        // The quality gates off: this grid is about LR and SCR (the tiny models fail the gates).
        "--policy=qe=off,min-lr=0.7,min-scr=0.85").runOnce().report();

    JobTest.line("sweep", "--run=" + runDir).runOnce();
    Path sweep = runDir.resolve("sweep");

    // split -> (min-lr, min-scr) -> chosen, read from sweep.csv
    Map<String, TreeMap<Double, TreeMap<Double, Long>>> chosen = new HashMap<>();
    Map<String, Long> records = new HashMap<>();
    List<String> csv = Files.readAllLines(sweep.resolve("sweep.csv"));
    assertEquals("split,min_lr,min_scr,records,chosen,retention", csv.get(0));
    for (String row : csv.subList(1, csv.size())) {
      String[] f = row.split(",");
      chosen.computeIfAbsent(f[0], s -> new TreeMap<>())
          .computeIfAbsent(Double.parseDouble(f[1]), x -> new TreeMap<>())
          .put(Double.parseDouble(f[2]), Long.parseLong(f[4]));
      records.put(f[0], Long.parseLong(f[3]));
      assertEquals((double) Long.parseLong(f[4]) / Long.parseLong(f[3]),
          Double.parseDouble(f[5]), 1e-4, row);
    }
    assertEquals(List.of("(all)", "gsm8k_no_think", "gsm8k_think"),
        chosen.keySet().stream().sorted().toList());
    // 7 min-lr values x 4 min-scr values per split.
    assertEquals(3 * 7 * 4, csv.size() - 1);

    for (var split : chosen.entrySet()) {
      List<Double> lrs = new ArrayList<>(split.getValue().keySet());
      List<Double> scrs = new ArrayList<>(split.getValue().firstEntry().getValue().keySet());
      assertEquals(List.of(0.6, 0.65, 0.7, 0.75, 0.8, 0.85, 0.9), lrs);
      assertEquals(List.of(0.8, 0.85, 0.9, 0.95), scrs);
      for (int i = 0; i < lrs.size(); i++) {
        for (int j = 0; j < scrs.size(); j++) {
          long here = split.getValue().get(lrs.get(i)).get(scrs.get(j));
          if (i > 0) {
            assertTrue(here <= split.getValue().get(lrs.get(i - 1)).get(scrs.get(j)),
                split.getKey() + " grows with min-lr at " + lrs.get(i));
          }
          if (j > 0) {
            assertTrue(here <= split.getValue().get(lrs.get(i)).get(scrs.get(j - 1)),
                split.getKey() + " grows with min-scr at " + scrs.get(j));
          }
        }
      }
      // At the run's own thresholds the sweep chooses what the run chose.
      long atRun = split.getValue().get(0.7).get(0.85);
      JsonNode counts = split.getKey().equals("(all)")
          ? report.get("counts") : report.get("splits").get(split.getKey());
      assertEquals(counts.get("chosen").asLong(), atRun, split.getKey());
      assertEquals(counts.get("chosen").asLong() + counts.get("rejected").asLong(),
          (long) records.get(split.getKey()), split.getKey());
    }
    long loosest = chosen.get("(all)").get(0.6).get(0.8);
    long strictest = chosen.get("(all)").get(0.9).get(0.95);
    assertTrue(loosest > strictest, "the grid changes nothing: " + loosest + " vs " + strictest);

    String svg = Files.readString(sweep.resolve("sweep.svg"));
    assertTrue(svg.startsWith("<svg xmlns=\"http://www.w3.org/2000/svg\""), svg);
    assertEquals(2 * 3, svg.split("<polyline").length - 1);
    String md = Files.readString(sweep.resolve("sweep.md"));
    assertTrue(md.contains("## gsm8k_think"), md);
    assertTrue(md.contains("chosen under the run's own policy, recomputed: "
        + report.get("counts").get("chosen").asLong()), md);
  }
}
