package dev.tarjama.pipelines;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.tarjama.models.testing.FakeOpenAiServer;
import dev.tarjama.models.testing.TranslatorAnswers;
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
    try (FakeOpenAiServer slow =
        FakeOpenAiServer.builder().promptPrefix(TranslatorAnswers.HALA_PREFIX)
            .models("gemma-3-27b").serviceTime(Duration.ofMillis(400)).threads(2).start()) {
      String[] flink = runner.equals("flink")
          ? new String[] {"@" + FlinkRunnerTest.RUNNERS_CONFIG.resolve("flink-local.options")}
          : new String[0];
      List<String> args = new java.util.ArrayList<>(List.of("translate",
          "--input=" + input, "--output=" + tmp.resolve("out"),
          TranslateMistakesTest.backend(slow, "gemma-3-27b") + ",concurrency=2",
          "--progress-seconds=1"));
      args.addAll(List.of(flink));
      RunOutputs r = JobTest.line(args).runOnce();
      int served = slow.requestCount();
      assertTrue(served > 10, "the run sent " + served + " requests");

      long linesWhileTranslating = 0;
      long maxCandidates = 0;
      boolean inFlightSeen = false;
      boolean etaSeen = false;
      for (String line : r.stdout.lines().toList()) {
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
      assertTrue(linesWhileTranslating >= 2, r.stdout);
      assertTrue(inFlightSeen, "requests in flight were shown:\n" + r.stdout);
      assertTrue(etaSeen, "an ETA was shown:\n" + r.stdout);
      assertTrue(maxCandidates > 0, r.stdout);
    }
  }
  /**
   * Work done ends at the total: each (chunk, backend) pair counts once, whether the backend
   * answered it, the cache did, or an identical chunk's answer was copied to it; answers cut at
   * the length limit and asked again count once, and an in-process model's candidates count as
   * the model returns them. The API backend (with a cache) is given every chunk, the local one
   * each distinct text once. The second run finds everything in the first run's cache, the
   * duplicates included.
   */
  @Test
  void workDoneEndsAtTheTotalWithCopiesRetriesAndALocalModel(@TempDir Path tmp) throws Exception {
    Path in = Files.createDirectories(tmp.resolve("in"));
    JobTest.copyHead(in, FlinkRunnerTest.THINK_TOOLS, 8);
    try (FakeOpenAiServer cutting =
        FakeOpenAiServer.builder().promptPrefix(TranslatorAnswers.HALA_PREFIX)
            .models("gemma-3-27b").lengthLimit(40).start()) {
      String[] first = progress(cutting, in, tmp.resolve("out"), tmp.resolve("cache.db"));
      long sent = cutting.requestCount();
      long chunks = Long.parseLong(first[2]);
      long unique = Long.parseLong(first[3]);
      assertTrue(unique < chunks, "the input must repeat chunks: " + first[4]);
      // An API backend with a cache is given every chunk, the local one each distinct text once.
      assertEquals(chunks + unique, Long.parseLong(first[1]), first[4]);
      assertEquals(first[1], first[0], first[4]);
      assertTrue(sent > unique, sent + " requests: no answer was cut and asked again");

      String[] again = progress(cutting, in, tmp.resolve("again"), tmp.resolve("cache.db"));
      assertEquals(sent, cutting.requestCount(), "the second run found everything in the cache");
      assertEquals(first[1], again[1], again[4]);
      assertEquals(again[1], again[0], again[4]);
    }
  }

  /** The last progress line's done, total, chunks and unique chunks, and the whole output. */
  private static String[] progress(FakeOpenAiServer server, Path in, Path out, Path cache)
      throws Exception {
    RunOutputs r = JobTest.line("translate",
        "--input=" + in + "/*/*", "--output=" + out, "--cache=sqlite:" + cache,
        TranslateMistakesTest.backend(server, "gemma-3-27b"),
        "--backend=name=tiny-a,kind=local,path="
            + RewardTranslateTest.MODELS.resolve("tiny-en-ar-a") + ",k=1,decoding=greedy",
        "--progress-seconds=1").runOnce();
    Pattern counts = Pattern.compile("chunks (\\d+) \\((\\d+) unique\\), 2 backends: (\\d+)/(\\d+) done");
    String[] last = null;
    for (String line : r.stdout.lines().toList()) {
      Matcher m = counts.matcher(line);
      if (m.find()) {
        last = new String[] {m.group(3), m.group(4), m.group(1), m.group(2), r.stdout};
        assertTrue(Long.parseLong(last[0]) <= Long.parseLong(last[1]), line);
      }
    }
    assertTrue(last != null, r.stdout);
    return last;
  }
}
