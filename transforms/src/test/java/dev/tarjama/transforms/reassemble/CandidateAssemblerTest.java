package dev.tarjama.transforms.reassemble;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.tarjama.transforms.domain.Candidate;
import dev.tarjama.transforms.domain.Chunk;
import dev.tarjama.transforms.domain.ChunkTranslation;
import dev.tarjama.transforms.domain.Conversation;
import dev.tarjama.transforms.domain.FieldPlan;
import dev.tarjama.transforms.domain.PlanPart;
import dev.tarjama.transforms.domain.RecordPlan;
import dev.tarjama.transforms.domain.TextField;
import java.util.List;
import org.junit.jupiter.api.Test;

class CandidateAssemblerTest {
  private static final String SOURCE =
      "<think>\nUse `ls` now.\n</think>\n\nDone.\n<tool_call>\n{\"name\": \"ls\", \"arguments\": {}}\n</tool_call>";

  private static RecordPlan plan() {
    String json =
        "{\"messages\":[{\"role\":\"assistant\",\"content\":"
            + com.fasterxml.jackson.databind.node.TextNode.valueOf(SOURCE)
            + "}],\"source\":\"s\",\"n\":1.50}";
    TextField field = new TextField("/messages/0/content", "assistant", "text", SOURCE);
    Conversation c = new Conversation("r1", "s", "messages", json, List.of(field));
    Chunk c0 = new Chunk("r1", "s", 0, 0, "Use ⟦0⟧ now.", List.of("`ls`"), List.of("inline_code"), 5);
    Chunk c1 = new Chunk("r1", "s", 1, 0, "Done.", List.of(), List.of(), 2);
    FieldPlan fp =
        new FieldPlan(
            0,
            List.of(
                PlanPart.verbatim("<think>"),
                PlanPart.verbatim("\n"),
                PlanPart.chunk(0),
                PlanPart.verbatim("\n"),
                PlanPart.verbatim("</think>"),
                PlanPart.verbatim("\n\n"),
                PlanPart.chunk(1),
                PlanPart.verbatim("\n"),
                PlanPart.verbatim(
                    "<tool_call>\n{\"name\": \"ls\", \"arguments\": {}}\n</tool_call>")));
    return new RecordPlan(c, List.of(fp), List.of(c0, c1));
  }

  private static ChunkTranslation t(RecordPlan p, int chunk, String text) {
    return ChunkTranslation.success(p.chunks().get(chunk), "a", 0, text, 3, 4);
  }

  @Test
  void restoresSpansAndKeepsTheRestOfTheRecord() {
    RecordPlan p = plan();
    Candidate c =
        CandidateAssembler.assemble(
            p, "a", 0, List.of(t(p, 0, " استخدم ⟦0⟧ الآن.\n"), t(p, 1, "تم.")));
    assertTrue(c.valid(), c.reason());
    assertTrue(
        c.json().contains(
            "<think>\\nاستخدم `ls` الآن.\\n</think>\\n\\nتم.\\n<tool_call>\\n{\\\"name\\\": \\\"ls\\\", \\\"arguments\\\": {}}\\n</tool_call>"),
        c.json());
    assertTrue(c.json().endsWith("\"source\":\"s\",\"n\":1.50}"), c.json());
    assertEquals("Use  now.\nDone.", c.sourceText());
    assertEquals("استخدم  الآن.\nتم.", c.targetText());
    assertEquals(6, c.tokensIn());
    assertEquals(8, c.tokensOut());
  }

  @Test
  void aMissingOrAlteredPlaceholderInvalidatesTheCandidate() {
    RecordPlan p = plan();
    Candidate dropped =
        CandidateAssembler.assemble(p, "a", 0, List.of(t(p, 0, "استخدم الآن."), t(p, 1, "تم.")));
    assertFalse(dropped.valid());
    assertTrue(dropped.reason().contains("/messages/0/content chunk 0: protected span ⟦0⟧ missing"),
        dropped.reason());
    Candidate damaged =
        CandidateAssembler.assemble(p, "a", 0, List.of(t(p, 0, "استخدم ⟦٠⟧ الآن."), t(p, 1, "تم.")));
    assertFalse(damaged.valid());
    assertTrue(damaged.reason().contains("damaged placeholder"), damaged.reason());
  }

  @Test
  void aChunkStillCutAfterItsRetryFailsTheCandidateWithTheReasonTruncated() {
    RecordPlan p = plan();
    ChunkTranslation cut = ChunkTranslation.truncated(p.chunks().get(1), "a", 0, "تم", 3, 4);
    Candidate c = CandidateAssembler.assemble(p, "a", 0, List.of(t(p, 0, "استخدم ⟦0⟧ الآن."), cut));
    assertFalse(c.valid());
    assertTrue(c.reason().startsWith(Candidate.TRUNCATED + ": /messages/0/content chunk 1"), c.reason());
    // The cut text is kept in the candidate for inspection.
    assertTrue(c.targetText().endsWith("تم"), c.targetText());
    Candidate whole =
        CandidateAssembler.assemble(p, "a", 0, List.of(t(p, 0, "استخدم ⟦0⟧ الآن."), t(p, 1, "تم.")));
    assertTrue(whole.valid(), whole.reason());
  }

  @Test
  void aChunkTheQualityJudgeRejectedFailsTheCandidateWithTheReasonMeaning() {
    RecordPlan p = plan();
    ChunkTranslation unrelated = t(p, 1, "القطار يغادر.").withMeaning(ChunkTranslation.MEANING_REJECT);
    Candidate c =
        CandidateAssembler.assemble(p, "a", 0, List.of(t(p, 0, "استخدم ⟦0⟧ الآن."), unrelated));
    assertFalse(c.valid());
    assertTrue(c.reason().startsWith(Candidate.MEANING + ": /messages/0/content chunk 1"), c.reason());
    for (String notAGate : List.of(ChunkTranslation.MEANING_ACCEPT,
        ChunkTranslation.MEANING_UNDECIDED, ChunkTranslation.MEANING_FAILED, "")) {
      Candidate kept = CandidateAssembler.assemble(
          p, "a", 0, List.of(t(p, 0, "استخدم ⟦0⟧ الآن."), t(p, 1, "تم.").withMeaning(notAGate)));
      assertTrue(kept.valid(), notAGate + ": " + kept.reason());
    }
  }

  @Test
  void placeholderChecks() {
    assertNull(CandidateAssembler.checkPlaceholders("a ⟦0⟧ b ⟦1⟧", 2));
    assertTrue(CandidateAssembler.checkPlaceholders("a ⟦1⟧ b ⟦0⟧", 2).contains("out of order"));
    assertTrue(CandidateAssembler.checkPlaceholders("⟦0⟧ ⟦0⟧ ⟦1⟧", 2).contains("repeated"));
    assertTrue(CandidateAssembler.checkPlaceholders("⟦0⟧ ⟦2⟧", 1).contains("unknown"));
  }

  @Test
  void structureChecks() {
    assertNull(CandidateAssembler.checkStructure("<think>a</think>b", "<think>ا</think>ب"));
    assertTrue(
        CandidateAssembler.checkStructure("<think>a</think>b", "<think>ا</think></think>ب")
            .contains("think tags"));
    // A source's own stray tag is kept as it is, not held against the translation.
    assertNull(CandidateAssembler.checkStructure("<think>a</think>b</think>", "<think>ا</think>ب</think>"));
    assertTrue(
        CandidateAssembler.checkStructure(
                "<tool_call>{\"a\": 1}</tool_call>", "<tool_call>{\"a\": 2}</tool_call>")
            .contains("JSON differs"));
    assertNull(
        CandidateAssembler.checkStructure(
            "<tool_call>{\"a\": 1}</tool_call>", "<tool_call>{\"a\":1}</tool_call>"));
  }

  @Test
  void aFailedChunkMarksTheCandidateAsNotTranslatedAndKeepsTheOriginal() {
    RecordPlan p = plan();
    ChunkTranslation failed = ChunkTranslation.failure(p.chunks().get(1), "a", 0, "HTTP 503 after 6 attempts");
    Candidate c = CandidateAssembler.assemble(p, "a", 0, List.of(t(p, 0, "⟦0⟧"), failed));
    assertFalse(c.valid());
    assertTrue(c.reason().startsWith(CandidateAssembler.TRANSLATION_FAILED), c.reason());
    assertTrue(c.reason().contains("at /messages/0/content (chunk 1): HTTP 503"), c.reason());
    assertEquals(p.conversation().json(), c.json());
  }

  @Test
  void aTranslationOfAnotherRecordsChunkIsNeverUsed() {
    RecordPlan p = plan();
    // Same record id and chunk index, another text: what a shared id used to produce.
    Chunk other = new Chunk("r1", "s", 1, 0, "Something else.", List.of(), List.of(), 3);
    ChunkTranslation foreign = ChunkTranslation.success(other, "a", 0, "شيء آخر.", 3, 4);
    Candidate c = CandidateAssembler.assemble(p, "a", 0, List.of(t(p, 0, "⟦0⟧"), foreign));
    assertFalse(c.valid());
    assertTrue(c.reason().contains("(chunk 1): the translation that arrived is of another text"),
        c.reason());
    assertEquals(p.conversation().json(), c.json());
  }
}
