package dev.tarjama.transforms.bilingual;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import dev.tarjama.transforms.io.ConversationNormalizer;
import dev.tarjama.transforms.io.RecordJson;
import dev.tarjama.transforms.domain.Conversation;
import dev.tarjama.transforms.domain.SourceRecord;
import dev.tarjama.models.testing.DataKit;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import org.apache.beam.sdk.coders.CoderRegistry;
import org.apache.beam.sdk.util.CoderUtils;
import org.junit.jupiter.api.Test;

/** Which real data-kit records are one instruction and one response, and which are not, why. */
class InstructionTurnsTest {

  /** Every record of a data-kit file (JSON array or JSON Lines), normalized as the pipeline does. */
  static List<Conversation> conversations(String file) throws Exception {
    String text = Files.readString(DataKit.data(file), StandardCharsets.UTF_8);
    List<String> records = new ArrayList<>();
    if (text.stripLeading().startsWith("[")) {
      for (JsonNode n : RecordJson.parse(text)) {
        records.add(n.toString());
      }
    } else {
      text.lines().filter(l -> !l.isBlank()).forEach(records::add);
    }
    ConversationNormalizer normalizer = new ConversationNormalizer(null, null, "source");
    List<Conversation> out = new ArrayList<>();
    for (int i = 0; i < records.size(); i++) {
      ConversationNormalizer.Result r =
          normalizer.normalize(new SourceRecord(file + ":" + (i + 1), file, i + 1, records.get(i)));
      out.add(r.conversation);
    }
    return out;
  }

  static Map<String, Integer> reasons(String file) throws Exception {
    Map<String, Integer> counts = new TreeMap<>();
    for (Conversation c : conversations(file)) {
      InstructionTurns t = InstructionTurns.of(c);
      counts.merge(t.eligible() ? "eligible" : t.skipReason(), 1, Integer::sum);
    }
    return counts;
  }

  @Test
  void orcaStylePreferenceRecordsAreEligibleUnlessMultiTurn() throws Exception {
    // dpo_en_demo: 194 single human turns (80 with an Orca system prompt), 106 multi-turn.
    assertEquals(Map.of("eligible", 194, "multi_turn", 106),
        reasons("instruct/llamafactory/dpo_en_demo.json"));
    long withSystem = conversations("instruct/llamafactory/dpo_en_demo.json").stream()
        .map(InstructionTurns::of).filter(t -> t.eligible() && !t.systemEn().isEmpty()).count();
    assertEquals(80, withSystem);
    InstructionTurns first = conversations("instruct/llamafactory/dpo_en_demo.json").stream()
        .map(InstructionTurns::of).filter(t -> t.eligible() && !t.systemEn().isEmpty())
        .findFirst().orElseThrow();
    // The system turn is kept aside; the answer is the chosen one, never the rejected one.
    assertEquals(List.of("/conversations/0/value"), first.systemPointers());
    assertEquals(List.of("/conversations/1/value"), first.instructionPointers());
    assertEquals(List.of("/chosen/value"), first.responsePointers());
  }

  @Test
  void alpacaAndSelfInstructRecordsJoinInstructionAndInput() throws Exception {
    assertEquals(Map.of("eligible", 999), reasons("instruct/llamafactory/alpaca_en_demo.json"));
    assertEquals(Map.of("eligible", 175), reasons("instruct/alpaca_seed/seed_tasks.jsonl"));
    for (Conversation c : conversations("instruct/llamafactory/alpaca_en_demo.json")) {
      JsonNode record = RecordJson.parse(c.json());
      InstructionTurns t = InstructionTurns.of(c);
      String input = record.path("input").asText("");
      String expected = record.get("instruction").asText()
          + (input.isBlank() ? "" : "\n\n" + input);
      assertEquals(expected, t.instructionEn(), c.recordId());
      assertEquals(record.get("output").asText(), t.responseEn(), c.recordId());
    }
  }

  @Test
  void toolUseReasoningPartsAndBareQuestionsAreNotInstructionResponse() throws Exception {
    assertEquals(Map.of("tool_calls_or_typed_parts", 50),
        reasons("instruct/llamafactory/reason_tool_use_demo_50.jsonl"));
    assertEquals(Map.of("eligible", 1319), reasons("instruct/gsm8k/test.jsonl"));
    assertEquals(Map.of("eligible", 300), reasons("instruct/smoltalk2_style/gsm8k_think.jsonl"));
    // BFCL multi_turn_base: 197 records of 2-6 user turns; 3 have one user turn and no answer.
    assertEquals(Map.of("multi_turn", 197, "not_instruction_response", 3),
        reasons("instruct/bfcl/BFCL_v4_multi_turn_base.json"));
    Map<String, Integer> live = reasons("instruct/bfcl/BFCL_v4_live_simple.json");
    assertTrue(live.keySet().stream().noneMatch(k -> k.equals("eligible")), live.toString());
  }

  @Test
  void turnsRoundTripThroughTheirCoder() throws Exception {
    InstructionTurns t = InstructionTurns.of(
        conversations("instruct/llamafactory/dpo_en_demo.json").get(0));
    var coder = CoderRegistry.createDefault().getCoder(InstructionTurns.class);
    assertEquals(t, CoderUtils.decodeFromByteArray(coder, CoderUtils.encodeToByteArray(coder, t)));
  }
}
