package dev.tarjama.transforms.judge;

import static org.junit.jupiter.api.Assertions.assertEquals;

import org.junit.jupiter.api.Test;

/** The documented grammar, answer by answer: what passes and what stays undecided. */
class VerdictParserTest {
  @Test
  void aLoneWordInAnyCaseWithAnOptionalPeriodIsAVerdict() {
    assertEquals(Verdict.ACCEPT, VerdictParser.parse("ACCEPT"));
    assertEquals(Verdict.ACCEPT, VerdictParser.parse("accept"));
    assertEquals(Verdict.ACCEPT, VerdictParser.parse("Accept."));
    assertEquals(Verdict.ACCEPT, VerdictParser.parse("  ACCEPT\n"));
    assertEquals(Verdict.REJECT, VerdictParser.parse("REJECT"));
    assertEquals(Verdict.REJECT, VerdictParser.parse("Reject."));
    assertEquals(Verdict.REJECT, VerdictParser.parse("\treject \r\n"));
  }

  @Test
  void aClosedThinkBlockBeforeTheWordIsDropped() {
    assertEquals(Verdict.REJECT,
        VerdictParser.parse("<think>\nThe Arabic says \"I accept\" but…\n</think>\n\nREJECT"));
    assertEquals(Verdict.ACCEPT, VerdictParser.parse("<think></think>ACCEPT"));
    // Never closed: the model ran out of tokens while thinking.
    assertEquals(Verdict.UNDECIDED, VerdictParser.parse("<think>Let me compare ACCEPT"));
  }

  @Test
  void anythingElseIsUndecided() {
    for (String answer : new String[] {
        "I accept this", "Accept, but the tense is off", "**ACCEPT**", "\"ACCEPT\"", "ACCEPT!",
        "ACCEPTED", "Accept..", "Reject.\nReason: the Arabic drops the date.", "ACCEPT REJECT",
        "ACCEPT\nREJECT", "Yes", "No", "قبول", "رفض", "", "   ", "A C C E P T",
        "Verdict: ACCEPT", "reject it", "ACCEPTİ"}) {
      assertEquals(Verdict.UNDECIDED, VerdictParser.parse(answer), answer);
    }
    assertEquals(Verdict.UNDECIDED, VerdictParser.parse(null));
  }
}
