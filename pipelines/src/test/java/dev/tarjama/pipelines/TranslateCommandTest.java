package dev.tarjama.pipelines;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import dev.tarjama.transforms.io.RecordJson;
import dev.tarjama.transforms.segment.ProtectedSpans;
import dev.tarjama.models.testing.DataKit;
import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code tarjama translate} end to end on the DirectRunner, on the real files of the data kit,
 * against two real translation servers on loopback (one chat, one completions endpoint).
 */
class TranslateCommandTest {
  @Test
  void everyFormatOfTheDataKitComesOutAccountedForWithStructureIntact(@TempDir Path tmp)
      throws Exception {
    Path in = Files.createDirectories(tmp.resolve("in"));
    // The head of each file keeps the suite fast; the records themselves are untouched.
    int expectedInput = 0;
    expectedInput += JobTest.copyHead(in, "instruct/smoltalk2_style/think_tools.jsonl", 50);
    expectedInput += JobTest.copyHead(in, "instruct/smoltalk2_style/gsm8k_think.jsonl", 40);
    expectedInput += JobTest.copyHead(in, "instruct/llamafactory/reason_tool_use_demo_50.jsonl", 20);
    expectedInput += JobTest.copyHead(in, "instruct/llamafactory/dpo_en_demo.json", 40);
    expectedInput += JobTest.copyHead(in, "instruct/llamafactory/alpaca_en_demo.json", 60);
    expectedInput += JobTest.copyHead(in, "instruct/bfcl/BFCL_v4_live_simple.json", 40);
    expectedInput += JobTest.copyHead(in, "instruct/bfcl/BFCL_v4_multi_turn_base.json", 10);
    expectedInput += JobTest.copyHead(in, "instruct/gsm8k/test.jsonl", 20);
    expectedInput += JobTest.copyHead(in, "eval/math500/test.jsonl", 40);
    Path out = tmp.resolve("out");

    RunOutputs outputs = JobTest.translate(in + "/*/*", out).runOnce();
    JsonNode report = outputs.report();
    JsonNode counts = report.get("counts");
    assertEquals(expectedInput, counts.get("input").asInt());
    List<JsonNode> chosen = outputs.lines("chosen");
    List<JsonNode> rejected = outputs.lines("rejected");
    List<JsonNode> dead = outputs.lines("dead_letter");
    assertEquals(counts.get("chosen").asInt(), chosen.size());
    assertEquals(counts.get("rejected").asInt(), rejected.size());
    assertEquals(counts.get("dead_letter").asInt(), dead.size());
    assertEquals(expectedInput, chosen.size() + rejected.size() + dead.size());
    assertTrue(dead.isEmpty(), "no data-kit record is malformed: " + dead);
    // The loopback translators keep every placeholder, so no candidate may fail validation.
    assertTrue(rejected.isEmpty(), "rejected: " + rejected);
    // 3 candidates per record: gemma k=1, seedx k=2.
    assertEquals(3 * expectedInput, outputs.lines("candidates").size());

    Map<String, JsonNode> originals = originalsById(in);
    Set<String> seen = new HashSet<>();
    for (JsonNode record : chosen) {
      String source = record.get("source").asText();
      assertTrue(source.equals("SFT_Gemma3_ranked") || source.equals("SFT_SeedX_ranked"), source);
      double lr = record.get("LR").asDouble();
      double scr = record.get("SCR").asDouble();
      assertEquals((lr + scr) / 2, record.get("rank_score").asDouble(), 1e-12);
    }
    for (JsonNode candidate : outputs.lines("candidates")) {
      String id = candidate.get("record_id").asText();
      JsonNode original = originals.get(id);
      assertTrue(original != null, "unknown record id " + id);
      JsonNode translated = RunOutputs.record(candidate);
      if (candidate.get("valid").asBoolean()) {
        seen.add(id);
        assertStructureKept(id, original, translated);
      }
    }
    assertEquals(originals.keySet(), seen, "every record has a valid candidate");

    // Protected structure is byte-exact in the chosen data too, and text really was translated.
    JsonNode thinkTools = chosen.stream()
        .filter(r -> r.path("original_source").asText().equals("reason_tool_use_demo_50"))
        .findFirst().orElseThrow();
    String assistant = thinkTools.get("messages").get(1).get("content").asText();
    assertTrue(assistant.startsWith("<think>\n"), assistant);
    assertTrue(Pattern.compile("\\p{IsArabic}{3,}").matcher(assistant).find(), assistant);
    assertEquals(report.get("splits").size() > 3, true, report.toPrettyString());
    assertTrue(report.get("backends").has("SFT_Gemma3_ranked"));
    assertTrue(report.get("backends").get("SFT_SeedX_ranked").get("api_calls").asLong() > 0);
  }

  /** Every protected span of every original string is in the translation, byte-exact and in order. */
  static void assertStructureKept(String id, JsonNode original, JsonNode translated) {
    if (original.isTextual()) {
      List<String> spans = spans(original.asText());
      String text = translated.asText();
      int from = 0;
      for (String span : spans) {
        int at = text.indexOf(span, from);
        assertTrue(at >= 0, id + ": protected span missing or out of order: " + span
            + "\nin: " + text);
        from = at + span.length();
      }
      return;
    }
    assertEquals(original.getNodeType(), translated.getNodeType(), id);
    if (original.isObject()) {
      original.fields().forEachRemaining(e -> {
        if (!e.getKey().equals("source")) {
          assertTrue(translated.has(e.getKey()), id + " lost field " + e.getKey());
          assertStructureKept(id, e.getValue(), translated.get(e.getKey()));
        }
      });
    } else if (original.isArray()) {
      assertEquals(original.size(), translated.size(), id);
      for (int i = 0; i < original.size(); i++) {
        assertStructureKept(id, original.get(i), translated.get(i));
      }
    } else {
      assertEquals(original, translated, id);
    }
  }

  /** The spans the segmenter protects (its own tests check it finds every one on the data kit). */
  static List<String> spans(String text) {
    List<String> spans = new ArrayList<>();
    for (ProtectedSpans.Span span : ProtectedSpans.find(text, ProtectedSpans.TRANSLATION_DEFAULT)) {
      spans.add(span.text(text));
    }
    return spans;
  }

  /** The original records keyed the way the reader names them (file:line or file#index). */
  static Map<String, JsonNode> originalsById(Path dir) throws Exception {
    Map<String, JsonNode> byId = new HashMap<>();
    try (var files = Files.walk(dir)) {
      for (Path file : files.filter(Files::isRegularFile).toList()) {
        String name = dir.relativize(file).toString();
        String text = Files.readString(file);
        if (text.stripLeading().startsWith("[")) {
          JsonNode array = RecordJson.parse(text);
          for (int i = 0; i < array.size(); i++) {
            byId.put(name + "#" + i, array.get(i));
          }
        } else {
          String[] lines = text.split("\n", -1);
          for (int i = 0; i < lines.length; i++) {
            if (!lines[i].isBlank()) {
              byId.put(name + ":" + (i + 1), RecordJson.parse(lines[i]));
            }
          }
        }
      }
    }
    return byId;
  }

  @Test
  void malformedLinesBecomeNamedDeadLettersAndTheRestCompletes(@TempDir Path tmp) throws Exception {
    List<String> good = Files.readAllLines(DataKit.data("instruct/smoltalk2_style/gsm8k_think.jsonl"))
        .subList(0, 5);
    ByteArrayOutputStream bytes = new ByteArrayOutputStream();
    List<String> lines = new ArrayList<>(good);
    lines.add(2, "{\"messages\": [{\"role\": \"user\", \"content\": \"unterminated\"");
    lines.add(4, "{\"source\": \"x\", \"chat_template_kwargs\": {}}");
    lines.add(5, "{\"messages\": [{\"role\": \"user\", \"content\": 42}]}");
    lines.add(6, "{\"messages\": [{\"role\": \"user\", \"content\": \"\"}]}");
    for (String line : lines) {
      bytes.write(line.getBytes(StandardCharsets.UTF_8));
      bytes.write('\n');
    }
    bytes.write("{\"messages\": [{\"role\": \"user\", \"content\": \"caf".getBytes(StandardCharsets.UTF_8));
    bytes.write(new byte[] {(byte) 0xC3, (byte) 0x28});
    bytes.write("\"}]}\n".getBytes(StandardCharsets.UTF_8));
    Path in = tmp.resolve("mixed.jsonl");
    Files.write(in, bytes.toByteArray());
    Path out = tmp.resolve("out");

    RunOutputs outputs = JobTest.translate(in.toString(), out).runOnce();
    JsonNode counts = outputs.report().get("counts");
    assertEquals(10, counts.get("input").asInt());
    assertEquals(5, counts.get("dead_letter").asInt());
    assertEquals(5, counts.get("chosen").asInt() + counts.get("rejected").asInt());
    Map<String, JsonNode> dead = new HashMap<>();
    for (JsonNode d : outputs.lines("dead_letter")) {
      dead.put(d.get("record_id").asText(), d);
    }
    assertEquals(Set.of("mixed.jsonl:3", "mixed.jsonl:5", "mixed.jsonl:6", "mixed.jsonl:7",
        "mixed.jsonl:10"), dead.keySet());
    assertEquals("read", dead.get("mixed.jsonl:3").get("stage").asText());
    assertEquals("normalize", dead.get("mixed.jsonl:5").get("stage").asText());
    assertEquals("/messages/0/content", dead.get("mixed.jsonl:6").get("field").asText());
    assertEquals("/messages/0/content", dead.get("mixed.jsonl:7").get("field").asText());
    assertTrue(dead.get("mixed.jsonl:10").has("original_base64"));
    assertFalse(dead.get("mixed.jsonl:6").get("error").asText().isEmpty());
  }

  @Test
  void runsWithTheDirectRunnersEnforcementsOn(@TempDir Path tmp) throws Exception {
    // Immutability and encodability checks: every element survives its coder unchanged and no
    // DoFn mutates its input (the CLI turns the slow immutability check off unless asked).
    Path in = tmp.resolve("think_tools.jsonl");
    Files.write(in, Files.readAllLines(
        DataKit.data("instruct/smoltalk2_style/think_tools.jsonl")).subList(0, 6));
    Path out = tmp.resolve("out");
    JobTest.translate(in.toString(), out,
        "--enforceImmutability=true", "--enforceEncodability=true").runOnce();
    assertEquals(6, new RunOutputs(out).report().get("counts").get("chosen").asInt());
  }

  @Test
  void dryRunEstimatesCallsTokensAndCostWithoutTranslating(@TempDir Path tmp) throws Exception {
    int before = MatrixServers.shared().translatorRequests();
    Path out = tmp.resolve("out");
    JobTest.translate(
        DataKit.data("instruct/smoltalk2_style/think_tools.jsonl").toString(), out, "--dry-run")
            .runOnce();
    assertFalse(Files.exists(out.resolve("report.json")), "an estimate goes beside a run");
    out = out.resolve(TranslateCommand.ESTIMATE);
    assertEquals(before, MatrixServers.shared().translatorRequests(), "no request was sent");
    JsonNode report = new RunOutputs(out).report();
    long chunks = report.get("counts").get("chunks").asLong();
    assertTrue(chunks > 50, report.toPrettyString());
    assertEquals(50, report.get("counts").get("input").asInt());
    // Identical chunks (the shared system prompt) are sent once.
    long sent = chunks - report.get("counts").get("duplicate_chunks").asLong();
    assertTrue(sent < chunks, report.toPrettyString());
    assertEquals(sent, report.get("backends").get("SFT_Gemma3_ranked").get("calls").asLong());
    assertEquals(2 * sent, report.get("backends").get("SFT_SeedX_ranked").get("calls").asLong());
  }
}
