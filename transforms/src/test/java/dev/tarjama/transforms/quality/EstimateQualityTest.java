package dev.tarjama.transforms.quality;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.tarjama.transforms.domain.Candidate;
import dev.tarjama.transforms.domain.ModelCoders;
import dev.tarjama.transforms.rank.RankCandidates;
import dev.tarjama.transforms.rank.RankedRecord;
import dev.tarjama.transforms.rank.RankingPolicy;
import dev.tarjama.transforms.rank.RecordDecision;
import dev.tarjama.transforms.score.ScoreCandidates;
import java.util.List;
import org.apache.beam.sdk.testing.PAssert;
import org.apache.beam.sdk.testing.TestPipeline;
import org.apache.beam.sdk.testing.TestPipelineExtension;
import org.apache.beam.sdk.transforms.Create;
import org.apache.beam.sdk.values.PCollection;
import org.apache.beam.sdk.values.PCollectionTuple;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/** The stage in a pipeline: measures on candidates, gates in ranking, code and tool calls kept. */
@ExtendWith(TestPipelineExtension.class)
class EstimateQualityTest {
  static final double R0 = QualitySignalsTest.R0;

  private static Candidate candidate(String record, String split, String backend, String source,
      String target) {
    return Candidate.unscored(record, split, backend, 0,
        "{\"messages\":[{\"role\":\"user\",\"content\":\"" + backend + "\"}]}", true, "", source,
        target, 3, 4);
  }

  @Test
  void gatesDecideTheWinnerAndRejectARecordWhoseCandidatesAllFail(TestPipeline p) {
    String en = "The train leaves at 7 and arrives at 9 in the evening.";
    Candidate good = candidate("mixed", "chat", "good", en, "يغادر القطار في 7 ويصل في 9 مساءً.");
    // Higher SCR and LR than the good one would not matter: the number is wrong.
    Candidate badNumbers = candidate("mixed", "chat", "bad", en, "يغادر القطار في 8 ويصل في 9 مساءً.");
    Candidate copy = candidate("corrupt", "chat", "copy", en, en);
    Candidate loop = candidate("corrupt", "chat", "loop", en, "يغادر القطار كيكيكيكيكيكيكيكيكي");
    // Code-heavy and tool-call records: little prose, identifiers kept; they must stay.
    Candidate code = candidate("code", "code_split", "good", "Here is the code:", "إليك الشيفرة:");
    Candidate tool = candidate("tool", "xlam", "good",
        "Find the weather in Berlin with get_weather and convert 5 USD.",
        "ابحث عن الطقس في برلين باستخدام get_weather وحوّل 5 USD.");
    RankingPolicy policy = RankingPolicy.defaults();
    PCollection<Candidate> scored = p.apply(Create.of(List.of(good, badNumbers, copy, loop, code,
            tool)).withCoder(new ModelCoders.CandidateCoder()))
        .apply(EstimateQuality.with(QualityEstimator.defaults("ar", R0))
            .withPolicy(policy.quality()))
        .apply(ScoreCandidates.forScript("Arab").withR0(R0).withPolicy(policy));
    PAssert.that(scored).satisfies(all -> {
      for (Candidate c : all) {
        assertTrue(c.quality().get("numbers") != null, "measured: " + c);
      }
      return null;
    });
    PCollectionTuple ranked = scored.apply(RankCandidates.create().withPolicy(policy));
    PAssert.that(ranked.get(RankCandidates.CHOSEN)).satisfies(chosen -> {
      java.util.Map<String, String> winners = new java.util.TreeMap<>();
      for (RankedRecord r : chosen) {
        winners.put(r.recordId(), r.winner().backend());
      }
      assertEquals(java.util.Map.of("mixed", "good", "code", "good", "tool", "good"), winners);
      return null;
    });
    PAssert.that(ranked.get(RankCandidates.REJECTED)).satisfies(rejected -> {
      RankedRecord r = rejected.iterator().next();
      assertEquals("corrupt", r.recordId());
      assertTrue(r.reason().startsWith(RecordDecision.QUALITY_GATES), r.reason());
      assertTrue(r.reason().contains("copy/0: ") && r.reason().contains("untranslated"), r.reason());
      assertTrue(r.reason().contains("loop/0: ") && r.reason().contains("repetition"), r.reason());
      return null;
    });
    p.run().waitUntilFinish();
  }

  @Test
  void aSignalThatThrowsLeavesANotJudgedMeasureAndTheOthersCount() {
    QualitySignal broken = new QualitySignal() {
      @Override
      public SignalSpec spec() {
        return SignalSpec.LANGUAGE;
      }

      @Override
      public dev.tarjama.transforms.domain.QualityMeasures.Measure measure(QualityInput in) {
        throw new IllegalStateException("model missing");
      }
    };
    Candidate c = QualityEstimator.defaults("ar", R0).withSignal(broken)
        .estimate(candidate("r", "chat", "b", "Hello there, friend.", "Hello there, friend."));
    assertEquals(false, c.quality().get("language").judged());
    assertTrue(c.quality().get("language").detail().contains("model missing"));
    assertTrue(RankingPolicy.defaults().gateFailures(c).stream()
        .anyMatch(g -> g.startsWith("untranslated")));
  }
}
