package dev.tarjama.pipelines;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import dev.tarjama.transforms.judge.TestCorpora;
import dev.tarjama.models.testing.DataKit;
import dev.tarjama.models.testing.FakeOpenAiServer;
import dev.tarjama.models.testing.JudgeAnswers;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code tarjama judge} end to end on the DirectRunner: real Tatoeba pairs, some misaligned on
 * purpose, in all three layouts, judged by a real loopback judge that is right except for a few
 * pairs it answers in words the strict grammar refuses.
 */
class JudgeCommandTest {
  static List<TestCorpora.Pair> pairs;
  static FakeOpenAiServer judge;
  /** English sentences the judge answers with a sentence instead of a verdict. */
  static Set<String> chatty = new TreeSet<>();

  @BeforeAll
  static void start() throws Exception {
    pairs = TestCorpora.slice(9000, 40);
    JudgeAnswers answers = JudgeAnswers.of(JudgeAnswers.tatoebaReferences(DataKit.tatoeba()));
    for (int i : new int[] {4, 15}) {
      chatty.add(pairs.get(i).en());
      answers.answer(pairs.get(i).en(), "I accept this translation.");
    }
    judge = FakeOpenAiServer.builder().judge(answers).start();
  }

  @AfterAll
  static void stop() {
    judge.close();
  }

  static String backend() {
    return "--backend=name=judge,url=" + judge.baseUrl() + ",model=qwen2.5-judge,retries=2,"
        + "backoff=10ms,temperature=0,max-tokens=8";
  }

  private static Set<String> english(RunOutputs outputs, String folder) {
    Set<String> out = new TreeSet<>();
    for (JsonNode line : outputs.lines(folder)) {
      out.add(line.get("en").asText() + "\t" + line.get("ar").asText());
    }
    return out;
  }

  /** What a right judge says, and what the chatty answers turn into. */
  private static void assertJudged(Path out, String expectedFormat) {
    Set<String> accepted = new TreeSet<>();
    Set<String> rejected = new TreeSet<>();
    Set<String> undecided = new TreeSet<>();
    for (TestCorpora.Pair p : pairs) {
      String key = p.en() + "\t" + p.ar();
      (chatty.contains(p.en()) ? undecided : p.aligned() ? accepted : rejected).add(key);
    }
    RunOutputs outputs = new RunOutputs(out);
    assertEquals(accepted, english(outputs, "accepted"));
    assertEquals(rejected, english(outputs, "rejected"));
    assertEquals(undecided, english(outputs, "undecided"));
    assertTrue(outputs.lines("dead_letter").isEmpty());
    for (JsonNode u : outputs.lines("undecided")) {
      assertEquals("I accept this translation.", u.get("answer").asText());
      assertEquals("undecided", u.get("verdict").asText());
    }
    JsonNode report = outputs.report();
    JsonNode counts = report.get("counts");
    assertEquals(pairs.size(), counts.get("input").asInt());
    assertEquals(accepted.size(), counts.get("accepted").asInt());
    assertEquals(rejected.size(), counts.get("rejected").asInt());
    assertEquals(undecided.size(), counts.get("undecided").asInt());
    assertEquals(0, counts.get("dead_letter").asInt());
    assertEquals(expectedFormat, report.get("format").asText());
    assertEquals("strict", report.at("/judge/prompt").asText());
    assertEquals(pairs.size(), report.at("/judge/api_calls").asInt());
    assertTrue(rejected.size() >= 4 && accepted.size() >= 30, counts.toString());
  }

  @Test
  void judgesATsvCorpusAndAddsUpWithBadLinesAsDeadLetters(@TempDir Path tmp) throws Exception {
    Path tsv = TestCorpora.writeTsv(tmp.resolve("slice.tsv"), pairs);
    Path out = tmp.resolve("tsv");
    JobTest.line("judge", "--input=" + tsv, "--output=" + out, backend()).runOnce();
    assertJudged(out, "tsv");
    String md = Files.readString(out.resolve("report.md"));
    assertTrue(md.contains("| 40 | "), md);

    // A line with one column is a dead letter, counted in input, naming file, line and field.
    Files.writeString(tsv, "Only the English side\n", java.nio.file.StandardOpenOption.APPEND);
    Path out2 = tmp.resolve("tsv2");
    RunOutputs outputs =
        JobTest.line("judge", "--input=" + tsv, "--output=" + out2, backend()).runOnce();
    JsonNode dead = outputs.lines("dead_letter").get(0);
    assertEquals("slice.tsv:41", dead.get("record_id").asText());
    assertEquals("/ar", dead.get("field").asText());
    assertEquals("read", dead.get("stage").asText());
    assertEquals(41, outputs.report().at("/counts/input").asInt());
    assertEquals(1, outputs.report().at("/counts/dead_letter").asInt());
  }

  @Test
  void judgesAnOpus100JsonlCorpus(@TempDir Path tmp) throws Exception {
    Path jsonl = TestCorpora.writeOpusJsonl(tmp.resolve("opus.jsonl"), pairs);
    Path out = tmp.resolve("out");
    String cache = "--cache=sqlite:" + tmp.resolve("judgements.db");
    JobTest.line("judge", "--input=" + jsonl, "--output=" + out, cache, backend()).runOnce();
    assertJudged(out, "jsonl");

    // The same corpus again with the same cache: every answer comes from it, the same verdicts
    // come out, and only pairs whose request failed (never stored) are sent again.
    int calls = judge.requestCount();
    long failed = new RunOutputs(out).lines("dead_letter").stream()
        .filter(d -> d.get("stage").asText().equals("judge")).count();
    Path again = tmp.resolve("again");
    JobTest.line("judge", "--input=" + jsonl, "--output=" + again, cache, backend()).runOnce();
    assertEquals(calls + failed, judge.requestCount());
    RunOutputs first = new RunOutputs(out);
    RunOutputs second = new RunOutputs(again);
    for (String verdict : List.of("accepted", "rejected", "undecided")) {
      assertEquals(english(first, verdict), english(second, verdict), verdict);
    }
    assertEquals(first.report().get("counts"), second.report().get("counts"));
    assertEquals(failed, second.report().at("/judge/api_calls").asLong());
  }

  @Test
  void judgesAMosesCorpusAndRefusesMisalignedFiles(@TempDir Path tmp) throws Exception {
    Path en = tmp.resolve("corpus.en");
    Path ar = tmp.resolve("corpus.ar");
    TestCorpora.writeMoses(en, ar, pairs);
    Path out = tmp.resolve("out");
    JobTest.line("judge", "--input-en=" + en, "--input-ar=" + ar, "--output=" + out,
        backend()).runOnce();
    assertJudged(out, "moses");
    // Pairs are named by the files' shared stem and the line both share.
    for (JsonNode accepted : new RunOutputs(out).lines("accepted")) {
      int line = accepted.get("line").asInt();
      assertEquals("corpus:" + line, accepted.get("id").asText());
      assertEquals(pairs.get(line - 1).en(), accepted.get("en").asText());
    }

    Files.write(ar, pairs.subList(0, 39).stream().map(TestCorpora.Pair::ar).toList());
    int calls = judge.requestCount();
    String message = JobTest.line("judge", "--input-en=" + en, "--input-ar=" + ar,
        "--output=" + tmp.resolve("bad"), backend()).exits(2).runOnce().stderr;
    assertTrue(message.contains(en + " has 40 lines, " + ar + " has 39 lines"), message);
    assertEquals(calls, judge.requestCount(), "nothing may be judged");
    assertFalse(Files.exists(tmp.resolve("bad/report.json")));
  }

  @Test
  void refusesOptionsThatCannotWork(@TempDir Path tmp) throws Exception {
    Path tsv = TestCorpora.writeTsv(tmp.resolve("slice.tsv"), pairs.subList(0, 2));
    String out = "--output=" + tmp.resolve("out");
    JobTest.line("judge", "--input=" + tsv, out).exits(2).runOnce();
    JobTest.line("judge", "--input=" + tsv, out, backend(), backend()).exits(2).runOnce();
    JobTest.line("judge", "--input=" + tsv, out, backend() + ",prompt=hala").exits(2).runOnce();
    JobTest.line("judge", "--input=" + tsv, out, backend(), "--judge-prompt=Judge {en}")
        .exits(2).runOnce();
    JobTest.line("judge", "--input=" + tsv, out, backend(), "--format=moses").exits(2).runOnce();
    JobTest.line("judge", "--input=" + tsv, out, backend(), "--columns=en,fr").exits(2).runOnce();
  }
}
