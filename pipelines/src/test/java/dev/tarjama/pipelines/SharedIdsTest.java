package dev.tarjama.pipelines;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.tarjama.transforms.io.RecordJson;
import dev.tarjama.models.testing.TranslatorAnswers;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Records that share an {@code --id-field} value (as the shards and splits of HF datasets do) are
 * still separate records: each is translated from its own text, none is lost or mixed with
 * another, the user's id stays in the record, and the report counts the shared ids.
 */
class SharedIdsTest {
  /** 40 records, ids q0…q19 each twice, every record with its own text and its own {@code n}. */
  static Map<Integer, String> writeRecords(Path file) throws Exception {
    Map<Integer, String> textByN = new HashMap<>();
    List<String> lines = new ArrayList<>();
    String[] words = {"apples", "rivers", "engines", "poems", "stars", "bridges", "clocks", "maps"};
    for (int n = 0; n < 40; n++) {
      String text = "Tell me about " + words[n % words.length] + " number " + n
          + " and why they matter.";
      textByN.put(n, text);
      ObjectNode record = RecordJson.MAPPER.createObjectNode();
      record.put("id", "q" + (n % 20));
      record.put("n", n);
      var message = record.putArray("messages").addObject();
      message.put("role", "user");
      message.put("content", text);
      lines.add(record.toString());
    }
    Files.write(file, lines);
    return textByN;
  }

  @Test
  void recordsSharingAnIdAreEachTranslatedFromTheirOwnText(@TempDir Path tmp) throws Exception {
    Path in = tmp.resolve("shared_ids.jsonl");
    Map<Integer, String> textByN = writeRecords(in);
    Path out = tmp.resolve("out");

    RunOutputs outputs = JobTest.command("translate", "shared ids").servers(MatrixServers.shared())
        .args(run -> List.of("--input=" + in, "--output=" + out, "--progressSeconds=0",
            "--id-field=id", run.servers().chatBackend()))
        .runOnce();
    List<JsonNode> chosen = outputs.lines("chosen");
    assertEquals(40, chosen.size());
    Set<Integer> seen = new HashSet<>();
    Set<String> recordIds = new HashSet<>();
    for (JsonNode record : chosen) {
      int n = record.get("n").asInt();
      assertTrue(seen.add(n), "record n=" + n + " chosen twice");
      assertEquals("q" + (n % 20), record.get("id").asText(), "the user's id is kept as given");
      assertEquals(
          TranslatorAnswers.translate(textByN.get(n), 0),
          record.get("messages").get(0).get("content").asText(),
          "record n=" + n + " is translated from its own text");
    }
    for (JsonNode candidate : outputs.lines("candidates")) {
      recordIds.add(candidate.get("record_id").asText());
      assertEquals(
          RunOutputs.record(candidate).get("id").asText(),
          candidate.get("record_id").asText().replaceAll("^.*\\[(.*)]$", "$1"),
          "record_id names the user's id");
    }
    assertEquals(40, recordIds.size(), "every record has its own record_id: " + recordIds);
    JsonNode report = outputs.report();
    assertEquals(40, report.get("counts").get("chosen").asLong());
    JsonNode duplicates = report.get("duplicate_ids");
    assertEquals(20, duplicates.get("count").asLong(), duplicates.toString());
    assertEquals(40, duplicates.get("records").asLong(), duplicates.toString());
    assertTrue(duplicates.get("examples").size() > 0, duplicates.toString());
    assertTrue(duplicates.get("examples").get(0).get("id").asText().matches("q\\d+"));
    assertEquals(2, duplicates.get("examples").get(0).get("records").asLong());
    assertTrue(Files.readString(out.resolve("report.md")).contains("Shared ids"));
    assertFalse(Files.exists(out.resolve(RunDirectory.UNFINISHED)));
  }
}
