package dev.tarjama.pipelines;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.tarjama.transforms.io.RecordJson;
import dev.tarjama.transforms.select.SelectionRank;
import dev.tarjama.models.testing.DataKit;
import dev.tarjama.models.testing.FakeOpenAiServer;
import dev.tarjama.models.testing.TranslatorAnswers;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code tarjama translate} with source selection: SmolTalk2-shaped records and Arabic XQuAD
 * records, English kept, think / no-think quotas, against a real translation server on loopback.
 */
class SelectionRunTest {

  @Test
  void theReportCarriesTheSelectionAndTheCountsAddUp(@TempDir Path tmp) throws Exception {
    Path input = Files.createDirectories(tmp.resolve("in"));
    List<String> gsm8k =
        Files.readAllLines(DataKit.data("instruct/smoltalk2_style/gsm8k_think.jsonl")).subList(0, 40);
    Files.write(input.resolve("gsm8k_think.jsonl"), gsm8k);
    List<String> tools =
        Files.readAllLines(DataKit.data("instruct/smoltalk2_style/think_tools.jsonl")).subList(0, 10);
    Files.write(input.resolve("think_tools.jsonl"), tools);
    Files.write(input.resolve("xquad_ar.jsonl"), arabicXquad(5));

    // The oracle: per mode, the lowest keyed hashes of seed 11 and the record ids.
    List<String> think = new ArrayList<>();
    List<String> noThink = new ArrayList<>();
    for (int i = 0; i < gsm8k.size(); i++) {
      boolean thinking = RecordJson.parse(gsm8k.get(i)).get("chat_template_kwargs")
          .get("enable_thinking").asBoolean();
      (thinking ? think : noThink).add("gsm8k_think.jsonl:" + (i + 1));
    }
    for (int i = 0; i < tools.size(); i++) {
      think.add("think_tools.jsonl:" + (i + 1));
    }
    Set<String> expected = new HashSet<>(lowest(think, 6, 11));
    expected.addAll(lowest(noThink, 4, 11));

    Path output = tmp.resolve("out");
    try (FakeOpenAiServer server =
        FakeOpenAiServer.builder().promptPrefix(TranslatorAnswers.HALA_PREFIX).start()) {
      JobTest.line(
          "translate",
          "--input=" + input + "/*.jsonl",
          "--output=" + output,
          "--progress-seconds=0",
          "--backend=name=gemma,kind=openai-chat,url=" + server.baseUrl()
              + ",model=gemma-3-27b,prompt=hala,k=1",
          "--keep-language=en",
          "--langid-model=" + DataKit.langid(),
          "--think=6", "--no-think=4", "--seed=11").runOnce();
    }

    RunOutputs outputs = new RunOutputs(output);
    JsonNode report = outputs.report();
    JsonNode counts = report.get("counts");
    assertEquals(55, counts.get("input").asLong());
    assertEquals(45, counts.get("not_selected").asLong());
    assertEquals(10, counts.get("chosen").asLong() + counts.get("rejected").asLong()
        + counts.get("dead_letter").asLong());

    JsonNode selection = report.get("selection");
    assertEquals(5, selection.get("not_selected").get("language").asLong());
    assertEquals(40, selection.get("not_selected").get("quota").asLong());
    assertEquals(stratum(6, 30, 6), selection.get("strata").get("think").toString());
    assertEquals(stratum(4, 20, 4), selection.get("strata").get("no_think").toString());
    assertEquals(5, selection.get("splits").get("xquad_ar").get("input").asLong());
    assertEquals(0, selection.get("splits").get("xquad_ar").get("selected").asLong());
    assertEquals(11, selection.get("config").get("seed").asLong());
    assertEquals("en", selection.get("config").get("language").get("keep").get(0).asText());

    Set<String> translated = new HashSet<>();
    for (JsonNode candidate : outputs.lines("candidates")) {
      translated.add(candidate.get("record_id").asText());
    }
    assertEquals(expected, translated);

    String md = Files.readString(output.resolve("report.md"));
    assertTrue(md.contains("| input | chosen | rejected | dead letter | not selected |"), md);
    assertTrue(md.contains("## Source selection"), md);
    assertTrue(md.contains("| think | 6 | 30 | 6 |"), md);
  }

  static List<String> lowest(List<String> ids, int n, long seed) {
    List<String> sorted = new ArrayList<>(ids);
    sorted.sort(Comparator.<String>comparingLong(id -> SelectionRank.of(seed, id))
        .thenComparing(Comparator.naturalOrder()));
    return sorted.subList(0, n);
  }

  static String stratum(long target, long available, long selected) {
    ObjectNode node = RecordJson.MAPPER.createObjectNode();
    node.put("target", target);
    node.put("available", available);
    node.put("selected", selected);
    return node.toString();
  }

  /** XQuAD's professional Arabic as chat records: question, then the paragraph. */
  static List<String> arabicXquad(int n) throws Exception {
    JsonNode root = RecordJson.parse(Files.readString(DataKit.data("eval/xquad/xquad.ar.json")));
    List<String> lines = new ArrayList<>();
    for (JsonNode paragraph : root.get("data").get(0).get("paragraphs")) {
      if (lines.size() == n) {
        break;
      }
      ObjectNode record = RecordJson.MAPPER.createObjectNode();
      record.putArray("messages")
          .add(RecordJson.MAPPER.createObjectNode().put("role", "user")
              .put("content", paragraph.get("qas").get(0).get("question").asText()))
          .add(RecordJson.MAPPER.createObjectNode().put("role", "assistant")
              .put("content", paragraph.get("context").asText().strip()));
      record.put("source", "xquad_ar");
      lines.add(record.toString());
    }
    return lines;
  }
}
