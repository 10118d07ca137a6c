package dev.tarjama.pipelines;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import dev.tarjama.models.prompt.PromptTemplate;
import dev.tarjama.models.testing.FakeOpenAiServer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code tarjama translate} end to end on data-kit records against a loopback server that fails
 * 20% of its answers (429, 500, 503, timeouts, truncated, empty and non-JSON bodies), and under a
 * hard token budget.
 */
class TranslateUnderPressureTest {
  private static final Pattern CHUNK_FAILURE =
      Pattern.compile("\\(chunk (\\d+)\\): backend gemma: model g at \\S+ failed after 2 attempts: ");
  private static final Pattern PLACEHOLDER = Pattern.compile("⟦\\d+⟧");

  /** The record ids of a finished run's chosen, rejected and dead-letter outputs, in order. */
  static List<String> outcomeIds(RunOutputs outputs) {
    // Chosen lines are the input's own schema (no id): the candidate they were made from has it.
    Map<JsonNode, String> idByTranslation = new HashMap<>();
    for (JsonNode c : outputs.lines("candidates")) {
      if (c.get("valid").asBoolean()) {
        idByTranslation.put(RunOutputs.record(c).get("messages"), c.get("record_id").asText());
      }
    }
    List<String> ids = new ArrayList<>();
    for (JsonNode chosen : outputs.lines("chosen")) {
      String id = idByTranslation.get(chosen.get("messages"));
      assertTrue(id != null, "a chosen record matches no valid candidate: " + chosen);
      ids.add(id);
    }
    outputs.lines("rejected").forEach(r -> ids.add(r.get("record_id").asText()));
    outputs.lines("dead_letter").forEach(r -> ids.add(r.get("record_id").asText()));
    return ids;
  }

  static String gemma(FakeOpenAiServer server, String extra) {
    return "--backend=name=gemma,kind=openai-chat,url=" + server.baseUrl()
        + ",model=g,prompt=hala,k=2,label=SFT_Gemma3_ranked" + extra;
  }

  @Test
  void aRunAgainstAServerFailingOneAnswerInFiveLosesAndDoublesNothing(@TempDir Path tmp)
      throws Exception {
    Path in = Files.createDirectories(tmp.resolve("in"));
    int input = JobTest.copyHead(in, "instruct/smoltalk2_style/think_tools.jsonl", 10)
        + JobTest.copyHead(in, "instruct/smoltalk2_style/gsm8k_think.jsonl", 30);
    Path out = tmp.resolve("out");
    try (FakeOpenAiServer server =
        FakeOpenAiServer.builder()
            .randomFaults(FakeOpenAiServer.TWENTY_PERCENT, 2026,
                FakeOpenAiServer.everyFaultKind(Duration.ofMillis(3500)))
            .start()) {
      // Two attempts per request, so that some fail for good; a timeout generous enough that only
      // the injected delays time out on a busy machine.
      RunOutputs outputs = JobTest.line(
          "translate", "--input=" + in + "/*/*", "--output=" + out,
          "--tokenizer=" + JobTest.QWEN3, "--progress-seconds=0",
          gemma(server, ",retries=2,backoff=5ms,backoff-cap=10ms,timeout=2500ms,concurrency=8"))
              .runOnce();
      JsonNode report = outputs.report();
      JsonNode counts = report.get("counts");
      assertEquals(input, counts.get("input").asInt());
      List<String> ids = outcomeIds(outputs);
      assertEquals(input, ids.size(), "input = chosen + rejected + dead_letter");
      assertEquals(TranslateCommandTest.originalsById(in).keySet(), new HashSet<>(ids),
          "every record exactly once");
      assertTrue(report.get("backends").get("SFT_Gemma3_ranked").get("retries").asLong() > 0);

      // Every record whose translation failed for good is a dead letter naming the last error the
      // server gave for the chunk that failed (its prompt found in the server's own log).
      List<JsonNode> dead = outputs.lines("dead_letter");
      assertFalse(dead.isEmpty(), "with 2 attempts and 20% faults some records must fail");
      assertTrue(outputs.lines("chosen").size() > dead.size());
      Map<String, List<String>> answers = server.answersByPrompt();
      PromptTemplate hala = PromptTemplate.named("hala");
      String prefix = hala.render("");
      for (JsonNode d : dead) {
        assertEquals("translate", d.get("stage").asText());
        String error = d.get("error").asText();
        assertTrue(error.startsWith("every candidate failed to translate: "), error);
        String fieldText = dev.tarjama.transforms.io.RecordJson.parse(d.get("original").asText())
            .at(d.get("field").asText()).asText();
        assertFalse(fieldText.isEmpty(), "the dead letter names its field: " + d);
        Matcher m = CHUNK_FAILURE.matcher(error);
        assertTrue(m.find(), error);
        String lastError = error.substring(m.end());
        boolean matched = false;
        for (Map.Entry<String, List<String>> e : answers.entrySet()) {
          String chunk = e.getKey().substring(prefix.length());
          boolean fromThisField = PLACEHOLDER.splitAsStream(chunk).map(String::strip)
              .filter(p -> !p.isEmpty()).allMatch(fieldText::contains);
          List<String> sent = e.getValue();
          // A prompt of one chunk: its last answer. One repeated across records (the same system
          // prompt): their attempts interleave, so any of its faults.
          List<String> candidates =
              sent.size() <= 2 ? sent.subList(sent.size() - 1, sent.size()) : sent;
          if (fromThisField && candidates.stream().anyMatch(
              f -> f != null && lastError.startsWith(FakeOpenAiServer.clientErrorFor(f)))) {
            matched = true;
            break;
          }
        }
        assertTrue(matched, "no failed request of this field ended with: " + lastError);
      }
    }
  }

  @Test
  void maxTokensStopsSendingAndTheRunEndsCleanlyWithAReport(@TempDir Path tmp) throws Exception {
    Path in = Files.createDirectories(tmp.resolve("in"));
    int input =
        JobTest.copyHead(in, "instruct/smoltalk2_style/gsm8k_think.jsonl", 30);
    Path out = tmp.resolve("out");
    try (FakeOpenAiServer server = FakeOpenAiServer.start()) {
      // The run did what was asked and every record is accounted for: exit 0.
      RunOutputs outputs = JobTest.line(
          "translate", "--input=" + in + "/*/*", "--output=" + out,
          "--tokenizer=" + JobTest.QWEN3, "--progress-seconds=0",
          "--max-tokens=2000",
          gemma(server, ",concurrency=2,price-in=0.5,price-out=1.5")).runOnce();
      assertTrue(outputs.stdout.contains("stopped by the budget"), outputs.stdout);

      JsonNode report = outputs.report();
      JsonNode counts = report.get("counts");
      assertEquals(input, counts.get("input").asInt());
      assertEquals(input, counts.get("chosen").asInt() + counts.get("rejected").asInt()
          + counts.get("dead_letter").asInt());
      JsonNode budget = report.get("budget");
      assertTrue(budget.get("stopped").asBoolean(), report.toPrettyString());
      assertEquals(2000, budget.get("max_tokens").asLong());
      long notSent = budget.get("chunks_not_sent").asLong();
      assertTrue(notSent > 0);
      long spent = budget.get("spent_tokens").asLong();
      // A request reserves its estimate (about 600 tokens here) and settles at its real cost. At
      // most the limit plus what the 2 requests in flight cost over their estimates; at least the
      // limit less the refused chunk's estimate and what the 2 in flight cost under theirs (which
      // chunks come first, and so how far under, is the runner's order).
      assertTrue(spent >= 2000 - 3 * 600 && spent <= 2000 + 2 * 600, "spent " + spent);
      JsonNode gemma = report.get("backends").get("SFT_Gemma3_ranked");
      assertEquals(spent, gemma.get("tokens_in").asLong() + gemma.get("tokens_out").asLong());
      assertEquals((gemma.get("tokens_in").asLong() * 0.5 + gemma.get("tokens_out").asLong() * 1.5)
          / 1e6, budget.get("spent_usd").asDouble(), 1e-12);
      // Refused chunks never reached the server.
      assertEquals(gemma.get("api_calls").asLong(), server.requestCount());

      List<JsonNode> dead = outputs.lines("dead_letter");
      assertEquals(counts.get("dead_letter").asInt(), dead.size());
      assertFalse(dead.isEmpty());
      Set<String> ids = new HashSet<>();
      for (JsonNode d : dead) {
        assertTrue(ids.add(d.get("record_id").asText()));
        assertTrue(d.get("error").asText().contains(
            "budget exhausted (--max-tokens=2000 reached in this worker"), d.toString());
        assertTrue(d.has("original"), "replayable: the original record is kept");
      }
      String md = Files.readString(out.resolve("report.md"));
      assertTrue(md.contains("**Stopped by the budget** (--max-tokens=2000): " + notSent
          + " chunks were not sent"), md);

      // What was paid before the stop is kept: the same job run again without a budget is
      // answered from the cache for every chunk the first run sent, and pays only for the rest.
      long paidCalls = server.requestCount();
      JsonNode again = JobTest.line(
          "translate", "--input=" + in + "/*/*", "--output=" + out,
          "--tokenizer=" + JobTest.QWEN3, "--progress-seconds=0",
          gemma(server, ",concurrency=2,price-in=0.5,price-out=1.5")).runOnce().report();
      assertEquals(input, again.get("counts").get("chosen").asInt()
          + again.get("counts").get("rejected").asInt());
      JsonNode backend = again.get("backends").get("SFT_Gemma3_ranked");
      assertEquals(paidCalls, backend.get("cache_hits").asLong(), again.toPrettyString());
      assertEquals(paidCalls + backend.get("api_calls").asLong(), server.requestCount());
    }
  }

  @Test
  void aNegativeBudgetIsAUsageError(@TempDir Path tmp) throws Exception {
    try (FakeOpenAiServer server = FakeOpenAiServer.start()) {
      JobTest.line("translate", "--input=x.jsonl",
          "--output=" + tmp, "--max-cost=-1", gemma(server, "")).exits(2).runOnce();
    }
  }
}
