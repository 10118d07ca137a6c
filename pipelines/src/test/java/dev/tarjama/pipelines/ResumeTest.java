package dev.tarjama.pipelines;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code tarjama translate} twice into one output directory, in-process on the DirectRunner,
 * against real loopback servers: the second run is paid by the default cache (OUT/_cache/), an
 * unfinished run is refused without {@code --resume} and finished with it, and a resumed run
 * never leaves a record in the outputs twice. The crash itself (kill -9 of the JVM) is {@link
 * CrashResumeTest}.
 */
class ResumeTest {
  /**
   * {@code translate} of {@code input} into {@code output} against the shared loopback
   * translators, no progress lines, then {@code extra}.
   */
  static JobTest translate(String input, Path output, String... extra) {
    return JobTest.command("translate", "translate " + input + " " + String.join(" ", extra))
        .out(output).servers(MatrixServers.shared())
        .args(run -> {
          List<String> line = new java.util.ArrayList<>(List.of(
              "--input=" + input, "--output=" + output, "--progressSeconds=0"));
          line.addAll(run.translators());
          line.addAll(List.of(extra));
          return line;
        });
  }

  static int requests() {
    return MatrixServers.shared().translatorRequests();
  }

  /** Record ids across chosen, rejected and dead letters; fails on an id seen twice. */
  static Set<String> recordIdsOnce(RunOutputs outputs) {
    Set<String> ids = new HashSet<>();
    for (String folder : List.of("chosen", "rejected", "dead_letter")) {
      for (JsonNode line : outputs.lines(folder)) {
        String id = folder.equals("chosen") ? null : line.path("record_id").asText(null);
        if (id == null) {
          // chosen/ holds records in their input schema: identify them by their content.
          id = line.toString();
        }
        assertTrue(ids.add(id), "a record is in the outputs twice: " + id);
      }
    }
    return ids;
  }

  @Test
  void aSecondRunIntoTheSameOutputIsPaidByTheCache(@TempDir Path tmp) throws Exception {
    Path in = Files.createDirectories(tmp.resolve("in"));
    int records = JobTest.copyHead(in, "instruct/smoltalk2_style/think_tools.jsonl", 8);
    Path out = tmp.resolve("out");

    translate(in + "/*/*", out).runOnce();
    int paid = requests();
    RunOutputs first = new RunOutputs(out);
    JsonNode savings = first.report().get("savings");
    assertTrue(savings.get("cache").asText().startsWith("sqlite:"), savings.toString());
    assertTrue(Files.exists(out.resolve("_cache/translations.db")));
    // The shared system prompt of think_tools: duplicates sent once, their tokens saved.
    assertTrue(savings.get("duplicate_chunks").asLong() >= records - 1, savings.toString());
    JsonNode gemma = first.report().get("backends").get("SFT_Gemma3_ranked");
    // No grouping before the calls: a duplicate waits for its twin's request in flight (a dedupe
    // copy) or finds its answer already stored (a hit); either way it is not sent.
    assertTrue(gemma.get("dedupe_tokens_saved").asLong() + gemma.get("tokens_saved").asLong() > 0,
        gemma.toString());
    long looked = gemma.get("cache_hits").asLong() + gemma.get("cache_misses").asLong();
    assertTrue(gemma.get("api_calls").asLong() > 0);

    translate(in + "/*/*", out).runOnce();
    assertEquals(paid, requests(), "the warm run sent requests");
    RunOutputs second = new RunOutputs(out);
    for (String output : List.of("chosen", "candidates", "rejected", "dead_letter")) {
      assertEquals(first.recordSet(output), second.recordSet(output), output);
    }
    JsonNode warm = second.report().get("backends").get("SFT_Gemma3_ranked");
    assertEquals(looked, warm.get("cache_hits").asLong());
    assertEquals(0, warm.get("cache_misses").asLong());
    assertEquals(gemma.get("tokens_in").asLong(), warm.get("tokens_in").asLong(),
        "candidates carry what their translations cost");
    assertTrue(warm.get("tokens_saved").asLong() > 0);
    assertEquals(records, recordIdsOnce(second).size());
    String md = Files.readString(out.resolve("report.md"));
    assertTrue(md.contains("## Never paying twice"), md);
  }

  @Test
  void anUnfinishedRunIsRefusedWithoutResumeAndFinishedWithIt(@TempDir Path tmp)
      throws Exception {
    Path in = Files.createDirectories(tmp.resolve("in"));
    int records = JobTest.copyHead(in, "instruct/smoltalk2_style/gsm8k_think.jsonl", 6);
    Path out = tmp.resolve("out");
    translate(in + "/*/*", out).runOnce();
    assertFalse(Files.exists(out.resolve(RunDirectory.UNFINISHED)));
    // What a run killed while writing leaves: its marker, and an output file of another
    // sharding next to the files the resumed run will write.
    new RunDirectory(out + "/").markStarted(in + "/*/*", false);
    Path chosen = out.resolve("chosen");
    Path written;
    try (var files = Files.list(chosen)) {
      written = files.filter(Files::isRegularFile).findFirst().orElseThrow();
    }
    Files.copy(written, chosen.resolve("part-00003-of-00007.jsonl"));
    int before = requests();

    String refused = translate(in + "/*/*", out).exits(2).runOnce().stderr;
    assertTrue(refused.contains("--resume"), refused);
    assertTrue(Files.exists(chosen.resolve("part-00003-of-00007.jsonl")), "refusing touched OUT");

    translate(in + "/*/*", out, "--resume").runOnce();
    assertEquals(before, requests(), "everything was in the cache");
    assertFalse(Files.exists(out.resolve(RunDirectory.UNFINISHED)));
    RunOutputs resumed = new RunOutputs(out);
    assertEquals(records, recordIdsOnce(resumed).size());
    assertEquals(records, resumed.report().get("counts").get("input").asInt());
    assertTrue(resumed.report().get("savings").get("resumed").asBoolean());
  }

  @Test
  void aCacheThatIsNoneOfTheFormsIsRefusedBeforeAnythingRuns(@TempDir Path tmp) throws Exception {
    Path in = Files.createDirectories(tmp.resolve("in"));
    JobTest.copyHead(in, "instruct/gsm8k/test.jsonl", 2);
    String bad =
        translate(in + "/*/*", tmp.resolve("out"), "--cache=memcached://x").exits(2).runOnce()
            .stderr;
    assertTrue(bad.contains("sqlite:PATH"), bad);
    assertFalse(Files.exists(tmp.resolve("out").resolve(RunDirectory.UNFINISHED)));
  }
}
