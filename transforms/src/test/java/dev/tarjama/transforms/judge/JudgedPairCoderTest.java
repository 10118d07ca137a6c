package dev.tarjama.transforms.judge;

import static org.junit.jupiter.api.Assertions.assertEquals;

import org.apache.beam.sdk.coders.Coder;
import org.apache.beam.sdk.coders.CoderRegistry;
import org.apache.beam.sdk.util.CoderUtils;
import org.junit.jupiter.api.Test;

/** The judge's types travel through their registered, deterministic coders. */
class JudgedPairCoderTest {
  private static <T> T roundTrip(Class<T> type, T value) throws Exception {
    Coder<T> coder = CoderRegistry.createDefault().getCoder(type);
    coder.verifyDeterministic();
    return CoderUtils.decodeFromByteArray(coder, CoderUtils.encodeToByteArray(coder, value));
  }

  @Test
  void pairsAndVerdictsRoundTrip() throws Exception {
    ParallelPair pair = new ParallelPair("ara.txt:1", "Hi.", "مرحبًا.", "ara.txt", 1);
    assertEquals(pair, roundTrip(ParallelPair.class, pair));
    for (Verdict v : Verdict.values()) {
      JudgedPair judged = new JudgedPair(pair, v, "<think>…</think> " + v);
      assertEquals(judged, roundTrip(JudgedPair.class, judged));
    }
  }
}
