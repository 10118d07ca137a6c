package dev.tarjama.pipelines;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The translate pipeline, unchanged, on the Flink runner's embedded cluster (runners-config/
 * flink-local.options: {@code [local]}, parallelism 2): every output and the report must equal
 * the DirectRunner's for the same input, against the same deterministic loopback translators.
 * The input repeats chunks (SmolTalk2's tool-calling records share their system prompt), so
 * deduplication groups several chunks under one key: Flink batch hands a GroupByKey result over
 * once, and a second pass over it fails the job. The whole matrix of runners, commands and
 * features is {@link RunnerMatrixTest}; this is its quick guard in the default suite.
 */
class FlinkRunnerTest {
  static final String GSM8K_THINK = "instruct/smoltalk2_style/gsm8k_think.jsonl";
  static final String THINK_TOOLS = "instruct/smoltalk2_style/think_tools.jsonl";
  /** The repository's runners-config/: the test runs with the options file the guide gives. */
  static final Path RUNNERS_CONFIG =
      Path.of(System.getProperty("tarjama.testdata")).resolveSibling("runners-config");
  static final List<String> OUTPUTS = List.of("chosen", "candidates", "rejected", "dead_letter");

  @Test
  void flinkEmbeddedClusterWritesWhatTheDirectRunnerWrites(@TempDir Path tmp) throws Exception {
    Path in = Files.createDirectories(tmp.resolve("in"));
    int records = JobTest.copyHead(in, GSM8K_THINK, 12)
        + JobTest.copyHead(in, THINK_TOOLS, 6);
    // One unreadable line and a policy that rejects one split: every output has records.
    Files.writeString(
        in.resolve("smoltalk2_style/gsm8k_think.jsonl"),
        "{\"messages\": [\n",
        java.nio.file.StandardOpenOption.APPEND);
    String input = in + "/*/*";
    String policy = "--policy=gsm8k_think:min-lr=1.0";

    Path direct = tmp.resolve("direct");
    JobTest.translate(input, direct, policy).runOnce();
    Path flink = tmp.resolve("flink");
    RunOutputs onFlink = JobTest.translate(input, flink, policy,
        "@" + RUNNERS_CONFIG.resolve("flink-local.options"), "--progressSeconds=0").runOnce();
    RunOutputs onDirect = new RunOutputs(direct);
    assertEquals(records + 1, onDirect.report().get("counts").get("input").asLong());
    assertTrue(onDirect.report().at("/savings/duplicate_chunks").asLong() > 0,
        "the input must repeat chunks: " + onDirect.report().get("savings"));
    for (String output : OUTPUTS) {
      assertFalse(onDirect.lines(output).isEmpty(), "the DirectRunner wrote no " + output);
      assertEquals(
          onDirect.recordSet(output), onFlink.recordSet(output), output + " differs");
    }
    assertEquals("FlinkRunner", onFlink.report().get("runner").asText());
    // Counters included: on Flink they come from attempted metrics (no committed values).
    RunOutputs.assertSameReport(
        onDirect.stableReportWithoutSavingsSplit(), onFlink.stableReportWithoutSavingsSplit());
  }

  /** A user's command line names no runner: translate runs on Flink embedded, one slot a core. */
  @Test
  void withoutRunnerOptionsTranslateRunsOnFlinkEmbedded(@TempDir Path tmp) throws Exception {
    Path in = Files.createDirectories(tmp.resolve("in"));
    int records = JobTest.copyHead(in, GSM8K_THINK, 3);
    String before = System.getProperty(DefaultRunner.PROPERTY);
    System.clearProperty(DefaultRunner.PROPERTY);
    try {
      Path out = tmp.resolve("out");
      RunOutputs outputs = JobTest.translate(in + "/*/*", out, "--progressSeconds=0").runOnce();
      assertEquals("FlinkRunner", outputs.report().get("runner").asText());
      assertEquals(records, outputs.report().get("counts").get("input").asLong());
      assertEquals(records, outputs.lines("chosen").size() + outputs.lines("rejected").size());
    } finally {
      if (before != null) {
        System.setProperty(DefaultRunner.PROPERTY, before);
      }
    }
  }
}
