package dev.tarjama.models.reward;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import org.junit.jupiter.api.Test;

class ChatTemplateTest {
  @Test
  void qwenFormatPutsTheSourceInTheUserTurnAndTheCandidateInTheAssistantTurn() {
    assertEquals(
        "<|im_start|>user\nHi.<|im_end|>\n<|im_start|>assistant\nمرحبا.<|im_end|>\n",
        ChatTemplate.QWEN.format("Hi.", "مرحبا."));
  }

  @Test
  void textsAreInsertedVerbatimEvenWhenTheyLookLikePlaceholders() {
    ChatTemplate t = ChatTemplate.of("S: {source}\nC: {candidate}");
    assertEquals("S: {candidate}\nC: $1 {source}", t.format("{candidate}", "$1 {source}"));
  }

  @Test
  void aTemplateNeedsBothPlaceholdersOnceSourceFirst() {
    for (String bad : new String[] {"{source}", "{candidate} {source}", "{source}{source}{candidate}",
        "{source}{candidate}{candidate}"}) {
      assertThrows(IllegalArgumentException.class, () -> ChatTemplate.of(bad), bad);
    }
  }
}
