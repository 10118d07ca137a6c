package dev.tarjama.models.openai;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNotSame;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

class SpendingLimitTest {

  @Test
  void requestsGoWhileSpentPlusInFlightIsUnderTheLimitThenNoneEver() {
    SpendingLimit limit = SpendingLimit.of(0.01, 0); // one US cent
    SpendingLimit.Ledger ledger = limit.ledger();
    SpendingLimit.Reservation a = ledger.tryReserve(0.004, 400);
    SpendingLimit.Reservation b = ledger.tryReserve(0.004, 400);
    SpendingLimit.Reservation c = ledger.tryReserve(0.004, 400);
    assertNotNull(a);
    assertNotNull(b);
    assertNotNull(c, "0.008 reserved is still under 0.01");
    assertNull(ledger.tryReserve(0.004, 400), "0.012 spent or in flight");
    String why = ledger.exhaustion();
    assertTrue(why.startsWith("budget exhausted (--max-cost=0.01 USD reached in this worker"), why);

    // The requests in flight turn out cheaper: the budget is not spent, but the run has stopped.
    a.settle(0.001, 100);
    b.settle(0.001, 100);
    c.settle(0.001, 100);
    c.settle(0.001, 100); // settling twice counts once
    assertEquals(0.003, ledger.spentUsd(), 1e-12);
    assertEquals(300, ledger.spentTokens());
    assertNull(ledger.tryReserve(0.0001, 1), "once stopped, stopped");
    assertEquals(2, ledger.refused());
  }

  @Test
  void aTokenLimitCountsPromptAndCompletionTokens() {
    SpendingLimit limit = SpendingLimit.of(0, 1_000);
    SpendingLimit.Ledger ledger = limit.ledger();
    ledger.tryReserve(0, 600).settle(0, 999);
    assertNotNull(ledger.tryReserve(0, 600), "999 < 1,000");
    assertNull(ledger.tryReserve(0, 1));
    assertTrue(ledger.exhaustion().contains("--max-tokens=1000"), ledger.exhaustion());
    assertEquals("--max-cost=2.5 USD, --max-tokens=7", SpendingLimit.of(2.5, 7).describe());
  }

  @Test
  void oneLedgerPerRunPerJvm() {
    SpendingLimit limit = SpendingLimit.of(1, 0);
    assertSame(limit.ledger(), new SpendingLimit(limit.runId(), 1, 0).ledger());
    assertNotSame(limit.ledger(), SpendingLimit.of(1, 0).ledger());
    assertFalse(SpendingLimit.none().isLimited());
    assertThrows(IllegalArgumentException.class, () -> SpendingLimit.of(-1, 0));
    assertThrows(IllegalArgumentException.class, () -> SpendingLimit.of(Double.NaN, 0));
    assertThrows(IllegalArgumentException.class, () -> SpendingLimit.of(0, -5));
  }
}
