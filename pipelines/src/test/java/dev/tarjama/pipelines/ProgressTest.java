package dev.tarjama.pipelines;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.tarjama.transforms.translate.LoopbackTranslator;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.nio.file.Files;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.junit.jupiter.api.io.TempDir;

/**
 * The progress line moves while the server answers, on the DirectRunner and on Flink embedded
 * (whose {@code run()} blocks until the job is done): it reads live counts, not the committed
 * metrics of a {@code PipelineResult}.
 */
class ProgressTest {
  private static final Pattern LINE =
      Pattern.compile("\\[\\s*(\\d+)s\\] (\\w+)\\s*\\| records (\\d+) read.*backends: (\\d+)/(\\d+) done"
          + ".*requests (\\d+) in flight, (\\d+) failed.*\\| ETA (.+)");

  @ParameterizedTest
  @ValueSource(strings = {"direct", "flink"})
  void progressMovesWhileTheServerAnswers(String runner, @TempDir Path tmp) throws Exception {
    Path input = TranslateMistakesTest.head(tmp.resolve("in"), "a.jsonl", 12);
    try (LoopbackTranslator slow =
        LoopbackTranslator.builder().promptPrefix(LoopbackTranslator.HALA_PREFIX)
            .models("gemma-3-27b").serviceTime(Duration.ofMillis(400)).threads(2).start()) {
      String[] flink = runner.equals("flink")
          ? new String[] {"@" + FlinkRunnerTest.RUNNERS_CONFIG.resolve("flink-local.options")}
          : new String[0];
      List<String> args = new java.util.ArrayList<>(List.of(
          "--input=" + input, "--output=" + tmp.resolve("out"),
          TranslateMistakesTest.backend(slow, "gemma-3-27b") + ",concurrency=2",
          "--progress-seconds=1"));
      args.addAll(List.of(flink));
      TranslateMistakesTest.Result r = TranslateMistakesTest.translate(args.toArray(String[]::new));
      assertEquals(0, r.code(), r.err());
      int served = slow.requestCount();
      assertTrue(served > 10, "the run sent " + served + " requests");

      long linesWhileTranslating = 0;
      long maxCandidates = 0;
      boolean inFlightSeen = false;
      boolean etaSeen = false;
      for (String line : r.out().lines().toList()) {
        Matcher m = LINE.matcher(line);
        if (!m.find()) {
          continue;
        }
        long done = Long.parseLong(m.group(4));
        long expected = Long.parseLong(m.group(5));
        if (m.group(2).equals("translating")) {
          linesWhileTranslating++;
          assertTrue(done <= expected, line);
          inFlightSeen |= Long.parseLong(m.group(6)) > 0;
          etaSeen |= m.group(8).matches("\\d+s.*|\\d+m\\d+s.*");
        }
        assertTrue(done >= maxCandidates, "work done never goes back: " + line);
        maxCandidates = done;
      }
      // At 400 ms a request and 2 at once, the run translates for several seconds.
      assertTrue(linesWhileTranslating >= 2, r.out());
      assertTrue(inFlightSeen, "requests in flight were shown:\n" + r.out());
      assertTrue(etaSeen, "an ETA was shown:\n" + r.out());
      assertTrue(maxCandidates > 0, r.out());
    }
  }
  /**
   * Work done counts each (unique chunk, backend) pair once, so that it ends at the total: chunks
   * that wait for an identical chunk's answer, answers cut at the length limit and asked again,
   * and an in-process model's candidates (counted as the model returns them) included.
   */
  @Test
  void workDoneEndsAtTheTotalWithCopiesRetriesAndALocalModel(@TempDir Path tmp) throws Exception {
    Path in = Files.createDirectories(tmp.resolve("in"));
    TranslateCommandTest.copyHead(in, FlinkRunnerTest.THINK_TOOLS, 8);
    try (LoopbackTranslator cutting =
        LoopbackTranslator.builder().promptPrefix(LoopbackTranslator.HALA_PREFIX)
            .models("gemma-3-27b").lengthLimit(40).start()) {
      TranslateMistakesTest.Result r = TranslateMistakesTest.translate(
          "--input=" + in + "/*/*", "--output=" + tmp.resolve("out"),
          TranslateMistakesTest.backend(cutting, "gemma-3-27b"),
          "--backend=name=tiny-a,kind=local,path="
              + RewardTranslateTest.MODELS.resolve("tiny-en-ar-a") + ",k=1,decoding=greedy",
          "--progress-seconds=1");
      assertEquals(0, r.code(), r.err());
      RunOutputs outputs = new RunOutputs(tmp.resolve("out"));
      assertTrue(outputs.report().at("/savings/duplicate_chunks").asLong() > 0,
          "the input must repeat chunks: " + outputs.report().get("savings"));
      long lastDone = -1;
      long total = -1;
      for (String line : r.out().lines().toList()) {
        Matcher m = LINE.matcher(line);
        if (m.find()) {
          lastDone = Long.parseLong(m.group(4));
          total = Long.parseLong(m.group(5));
          assertTrue(lastDone <= total, line);
        }
      }
      assertTrue(total > 0, r.out());
      // Two backends: total / 2 unique chunks, and more requests than that (cut ones again).
      assertTrue(cutting.requestCount() > total / 2,
          cutting.requestCount() + " requests: no answer was cut and asked again");
      assertEquals(total, lastDone, r.out());
    }
  }
}
