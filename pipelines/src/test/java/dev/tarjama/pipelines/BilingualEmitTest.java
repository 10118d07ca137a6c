package dev.tarjama.pipelines;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import dev.tarjama.transforms.io.RecordJson;
import dev.tarjama.models.testing.FakeOpenAiServer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code tarjama translate --emit=bilingual} end to end on the DirectRunner, on the data kit's
 * Orca-style preference records (ShareGPT, some with an Orca system prompt, some multi-turn),
 * Alpaca records and Self-Instruct seed tasks, translated by a real loopback server.
 */
class BilingualEmitTest {
  @Test
  void chosenSingleTurnRecordsBecomeTuplesAndTwoWayTranslatorTraining(@TempDir Path tmp)
      throws Exception {
    Path in = Files.createDirectories(tmp.resolve("in"));
    int dpo = JobTest.copyHead(in, "instruct/llamafactory/dpo_en_demo.json", 16);
    int alpaca = JobTest.copyHead(in, "instruct/llamafactory/alpaca_en_demo.json", 10);
    int seeds = JobTest.copyHead(in, "instruct/alpaca_seed/seed_tasks.jsonl", 6);
    // Independently of the code under test: a dpo record is multi-turn when a human speaks twice.
    JsonNode dpoRecords = RecordJson.parse(Files.readString(in.resolve("llamafactory/dpo_en_demo.json")));
    int multiTurn = 0;
    int withSystem = 0;
    for (JsonNode r : dpoRecords) {
      int humans = 0;
      for (JsonNode turn : r.get("conversations")) {
        humans += turn.get("from").asText().equals("human") ? 1 : 0;
      }
      if (humans > 1) {
        multiTurn++;
      } else if (r.get("conversations").get(0).get("from").asText().equals("system")) {
        withSystem++;
      }
    }
    assertTrue(multiTurn > 0 && withSystem > 0, multiTurn + " " + withSystem);
    int single = dpo + alpaca + seeds - multiTurn;

    Path out = tmp.resolve("out");
    try (FakeOpenAiServer server = FakeOpenAiServer.start()) {
      JobTest.line(
          "translate", "--input=" + in + "/*/*", "--output=" + out, "--emit=bilingual",
          "--backend=name=teacher,url=" + server.baseUrl() + ",model=command-a-translate,k=1")
              .runOnce();
    }

    RunOutputs outputs = new RunOutputs(out);
    JsonNode report = outputs.report();
    assertEquals(dpo + alpaca + seeds, report.at("/counts/chosen").asInt());
    JsonNode bilingual = report.get("bilingual");
    assertEquals(dpo + alpaca + seeds, bilingual.get("chosen").asInt());
    assertEquals(single, bilingual.get("tuples").asInt());
    assertEquals(multiTurn, bilingual.at("/skipped/multi_turn").asInt());
    assertEquals(2 * (2 * single + withSystem), bilingual.get("translator_training").asInt());
    assertTrue(Files.readString(out.resolve("report.md")).contains("multi_turn " + multiTurn));

    // Each record's chosen translation, by id (one backend, one candidate).
    Map<String, JsonNode> translated = new HashMap<>();
    for (JsonNode c : outputs.lines("candidates")) {
      translated.put(c.get("record_id").asText(), RunOutputs.record(c));
    }
    List<JsonNode> tuples = outputs.lines("bilingual");
    assertEquals(single, tuples.size());
    Map<String, JsonNode> tupleById = new HashMap<>();
    for (JsonNode t : tuples) {
      String id = t.get("id").asText();
      tupleById.put(id, t);
      JsonNode ar = translated.get(id);
      assertNotEquals(t.get("instr_en").asText(), t.get("instr_ar").asText(), id);
      // A response may be all digits ("355909190063 - 746 = 355909189317"): nothing to translate.
      if (t.get("resp_en").asText().chars().anyMatch(Character::isLetter)) {
        assertNotEquals(t.get("resp_en").asText(), t.get("resp_ar").asText(), id);
      }
      if (id.startsWith("llamafactory/alpaca_en_demo.json")) {
        String input = ar.path("input").asText("");
        assertEquals(ar.get("instruction").asText() + (input.isBlank() ? "" : "\n\n" + input),
            t.get("instr_ar").asText(), id);
        assertEquals(ar.get("output").asText(), t.get("resp_ar").asText(), id);
      } else if (id.startsWith("llamafactory/dpo_en_demo.json")) {
        JsonNode turns = ar.get("conversations");
        boolean system = turns.get(0).get("from").asText().equals("system");
        assertEquals(turns.get(system ? 1 : 0).get("value").asText(), t.get("instr_ar").asText());
        assertEquals(ar.at("/chosen/value").asText(), t.get("resp_ar").asText(), id);
        assertEquals(system, t.has("system_ar"), id);
        if (system) {
          assertEquals(turns.get(0).get("value").asText(), t.get("system_ar").asText());
        }
      } else {
        assertEquals(ar.at("/instances/0/output").asText(), t.get("resp_ar").asText(), id);
      }
    }

    List<JsonNode> training = outputs.lines("translator_training");
    assertEquals(bilingual.get("translator_training").asInt(), training.size());
    for (JsonNode r : training) {
      String direction = r.get("direction").asText();
      JsonNode t = tupleById.get(r.get("record_id").asText());
      assertEquals(r.get("record_id").asText() + "/" + r.get("part").asText() + "/" + direction,
          r.get("id").asText());
      String part = switch (r.get("part").asText()) {
        case "instruction" -> "instr";
        case "response" -> "resp";
        default -> "system";
      };
      String en = t.get(part + "_en").asText();
      String ar = t.get(part + "_ar").asText();
      JsonNode messages = r.get("messages");
      assertEquals(2, messages.size());
      if (direction.equals("en-ar")) {
        assertEquals("Translate from English to Arabic: " + en, messages.at("/0/content").asText());
        assertEquals(ar, messages.at("/1/content").asText());
      } else {
        assertEquals("Translate from Arabic to English: " + ar, messages.at("/0/content").asText());
        assertEquals(en, messages.at("/1/content").asText());
      }
      assertEquals("assistant", messages.at("/1/role").asText());
    }
  }

  @Test
  void anUnknownEmitIsRefused(@TempDir Path tmp) throws Exception {
    JobTest.line("translate", "--input=x.jsonl",
        "--output=" + tmp, "--emit=trilingual", "--backend=name=a,url=http://127.0.0.1:9/v1,model=m")
            .exits(2).runOnce();
  }
}
