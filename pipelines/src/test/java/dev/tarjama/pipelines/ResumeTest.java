package dev.tarjama.pipelines;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import dev.tarjama.transforms.testing.FakeOpenAiServer;
import dev.tarjama.transforms.testing.TranslatorAnswers;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
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
  static FakeOpenAiServer chat;
  static FakeOpenAiServer completions;

  @BeforeAll
  static void startServers() throws Exception {
    chat = FakeOpenAiServer.start();
    completions = FakeOpenAiServer.builder()
        .promptPrefix(TranslatorAnswers.SEED_X_PREFIX)
        .promptSuffix(TranslatorAnswers.SEED_X_SUFFIX)
        .start();
  }

  @AfterAll
  static void stopServers() {
    chat.close();
    completions.close();
  }

  static String[] args(String input, Path output, String... extra) {
    List<String> args = new java.util.ArrayList<>(List.of(
        "translate", "--input=" + input, "--output=" + output, "--progressSeconds=0",
        "--backend=name=gemma,kind=openai-chat,url=" + chat.baseUrl()
            + ",model=gemma-3-27b,prompt=hala,k=1,label=SFT_Gemma3_ranked",
        "--backend=name=seedx,kind=openai-completions,url=" + completions.baseUrl()
            + ",model=seed-x,prompt=seed-x,k=2,candidates=seeds,label=SFT_SeedX_ranked"));
    args.addAll(List.of(extra));
    return args.toArray(String[]::new);
  }

  record Outcome(int code, String err) {}

  static Outcome run(String... args) throws Exception {
    ByteArrayOutputStream err = new ByteArrayOutputStream();
    int code = Tarjama.run(args, System.out, new PrintStream(err, true, StandardCharsets.UTF_8));
    String text = err.toString(StandardCharsets.UTF_8);
    System.err.print(text);
    return new Outcome(code, text);
  }

  static int requests() {
    return chat.requestCount() + completions.requestCount();
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
    int records = TranslateCommandTest.copyHead(in, "instruct/smoltalk2_style/think_tools.jsonl", 8);
    Path out = tmp.resolve("out");

    assertEquals(0, run(args(in + "/*/*", out)).code());
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

    assertEquals(0, run(args(in + "/*/*", out)).code());
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
    int records = TranslateCommandTest.copyHead(in, "instruct/smoltalk2_style/gsm8k_think.jsonl", 6);
    Path out = tmp.resolve("out");
    assertEquals(0, run(args(in + "/*/*", out)).code());
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

    Outcome refused = run(args(in + "/*/*", out));
    assertEquals(2, refused.code());
    assertTrue(refused.err().contains("--resume"), refused.err());
    assertTrue(Files.exists(chosen.resolve("part-00003-of-00007.jsonl")), "refusing touched OUT");

    assertEquals(0, run(args(in + "/*/*", out, "--resume")).code());
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
    TranslateCommandTest.copyHead(in, "instruct/gsm8k/test.jsonl", 2);
    Outcome bad = run(args(in + "/*/*", tmp.resolve("out"), "--cache=memcached://x"));
    assertEquals(2, bad.code());
    assertTrue(bad.err().contains("sqlite:PATH"), bad.err());
    assertFalse(Files.exists(tmp.resolve("out").resolve(RunDirectory.UNFINISHED)));
  }
}
