package dev.tarjama.transforms.io;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import dev.tarjama.transforms.domain.Candidate;
import dev.tarjama.transforms.domain.DeadLetter;
import org.junit.jupiter.api.Test;

/** The JSON lines users read: SmolKalam's columns on chosen records, nothing lost elsewhere. */
class OutputRecordsTest {
  private static final String RECORD =
      "{\"messages\":[{\"role\":\"user\",\"content\":\"مرحبا\"}],\"source\":\"gsm8k_think\",\"n\":1.50}";

  private static Candidate winner() {
    return Candidate.unscored("f:1", "gsm8k_think", "SFT_SeedX_ranked", 1, RECORD, true, "",
            "Hi", "مرحبا", 3, 4)
        .withMetrics(0.783572, 0.988602, false)
        .withRankScore(0.886087);
  }

  /** The record the candidates translate, as read. */
  private static dev.tarjama.transforms.domain.Conversation source() {
    return new dev.tarjama.transforms.domain.Conversation("f:1", "gsm8k_think", "messages",
        RECORD.replace("مرحبا", "Hi"), java.util.List.of(new dev.tarjama.transforms.domain.TextField(
            "/messages/0/content", "user", "text", "Hi")));
  }

  @Test
  void chosenKeepsTheRecordAndAddsTheRankingColumns() throws Exception {
    JsonNode chosen = RecordJson.parse(OutputRecords.chosen(winner()));
    assertEquals("SFT_SeedX_ranked", chosen.get("source").asText());
    assertEquals("gsm8k_think", chosen.get("original_source").asText());
    assertEquals(0.783572, chosen.get("LR").asDouble());
    assertEquals(0.988602, chosen.get("SCR").asDouble());
    assertEquals(0.886087, chosen.get("rank_score").asDouble());
    assertFalse(chosen.has("reward"), "no reward model, no reward column");
    assertEquals("مرحبا", chosen.at("/messages/0/content").asText());
    assertTrue(OutputRecords.chosen(winner()).contains("\"n\":1.50"), "decimals untouched");
  }

  @Test
  void rejectedAndDeadLettersKeepWhatIsNeededToReplay() throws Exception {
    JsonNode rejected =
        RecordJson.parse(OutputRecords.rejected("f:1", "gsm8k_think", "below threshold", winner()));
    assertEquals("below threshold", rejected.get("reason").asText());
    assertEquals(RecordJson.parse(RECORD), RecordJson.parse(rejected.at("/best/record").asText()),
        "the record as JSON text: one column type whatever the record format");
    assertFalse(
        RecordJson.parse(OutputRecords.rejected("f:2", "s", "no candidate", null)).has("best"));

    JsonNode bytes =
        RecordJson.parse(OutputRecords.deadLetter(new DeadLetter("f:3", "read", "", "not UTF-8", "wyg=", true)));
    assertEquals("wyg=", bytes.get("original_base64").asText());
    assertFalse(bytes.has("original"));
    JsonNode text = RecordJson.parse(OutputRecords.deadLetter(
        DeadLetter.of("f:4", "normalize", "/messages/0/content", "content is a number", "{}")));
    assertEquals("/messages/0/content", text.get("field").asText());
    assertEquals("{}", text.get("original").asText());
  }

  @Test
  void preferenceLinesAreTrlConversationalPairs() throws Exception {
    Candidate better = winner().withReward(1.5);
    Candidate worse = Candidate.unscored("f:1", "gsm8k_think", "SFT_Gemma3_ranked", 0,
            RECORD.replace("مرحبا", "هاي"), true, "", "Hi", "هاي", 3, 4)
        .withMetrics(0.5, 1.0, false).withRankScore(0.75).withReward(-0.5);
    JsonNode line = RecordJson.parse(OutputRecords.preference(
        new dev.tarjama.transforms.rank.PreferencePair("f:1", "gsm8k_think", source(), better,
            worse)));
    assertEquals(RecordJson.parse("[{\"role\":\"user\",\"content\":\"Hi\"}]"), line.get("prompt"));
    assertEquals(RecordJson.parse("[{\"role\":\"assistant\",\"content\":\"مرحبا\"}]"),
        line.get("chosen"));
    assertEquals(RecordJson.parse("[{\"role\":\"assistant\",\"content\":\"هاي\"}]"),
        line.get("rejected"));
    assertEquals("SFT_SeedX_ranked", line.get("chosen_source").asText());
    assertEquals(0.886087, line.get("score_chosen").asDouble());
    assertEquals(0.75, line.get("score_rejected").asDouble());
    assertEquals(1.5, RecordJson.parse(OutputRecords.chosen(better)).get("reward").asDouble());
    assertEquals(-0.5, OutputRecords.candidate(worse).get("reward").asDouble());
  }
}
