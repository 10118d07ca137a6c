package dev.tarjama.transforms.rank;

import dev.tarjama.transforms.domain.ModelCoders;
import static dev.tarjama.transforms.rank.RankFixtures.invalid;
import static dev.tarjama.transforms.rank.RankFixtures.untranslated;
import static dev.tarjama.transforms.rank.RankFixtures.valid;
import static dev.tarjama.transforms.testing.PipelineMetrics.counter;
import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.tarjama.transforms.domain.Candidate;
import dev.tarjama.transforms.domain.DeadLetter;
import java.util.List;
import org.apache.beam.sdk.PipelineResult;
import org.apache.beam.sdk.testing.PAssert;
import org.apache.beam.sdk.testing.TestPipeline;
import org.apache.beam.sdk.testing.TestPipelineExtension;
import org.apache.beam.sdk.transforms.Create;
import org.apache.beam.sdk.values.PCollection;
import org.apache.beam.sdk.values.PCollectionTuple;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

@ExtendWith(TestPipelineExtension.class)
class RankCandidatesTest {

  private static PCollection<Candidate> pool(TestPipeline p, List<Candidate> candidates) {
    return p.apply(Create.of(candidates).withCoder(new ModelCoders.CandidateCoder()));
  }

  @Test
  void everyRecordEndsInExactlyOneOutput(TestPipeline p) throws Exception {
    // Global policy demands LR >= 0.6 and SCR >= 0.8; the code split keeps low SCR.
    RankingPolicy policy = RankingPolicy.parse("min-lr=0.6,min-scr=0.8,code_split:min-scr=0.0");

    // The winner has the best (LR + SCR)/2, not the best LR.
    Candidate meanWins = valid("mean", "chat", "gemma", 0, 0.80, 1.00); // 0.9
    Candidate betterLr = valid("mean", "chat", "seedx", 0, 0.95, 0.80); // 0.875
    Candidate lowerMean = valid("mean", "chat", "seedx", 1, 0.99, 0.80); // 0.895

    Candidate brokenTop = invalid("invalid", "chat", "gemma", 0, 1.0, 1.0, "span ⟦1⟧ altered");
    Candidate validLow = valid("invalid", "chat", "seedx", 0, 0.7, 0.9);

    // Equal rank_score and SCR: the stable tie hash of record, backend and index decides.
    Candidate tieB1 = valid("tie", "chat", "b", 1, 0.9, 0.9);
    Candidate tieB0 = valid("tie", "chat", "b", 0, 0.9, 0.9);
    Candidate tieA3 = valid("tie", "chat", "a", 3, 0.9, 0.9);

    Candidate short1 = valid("short", "chat", "gemma", 0, 0.41, 0.99);

    Candidate code = valid("code", "code_split", "seedx", 0, 0.97, 0.03);
    Candidate codeElsewhere = valid("notcode", "chat", "seedx", 0, 0.97, 0.03);

    Candidate failedA = untranslated("failed", "chat", "gemma", 0,
        "translation failed at /messages/0/content: HTTP 503 after 5 attempts");
    Candidate failedB = untranslated("failed", "chat", "seedx", 0,
        "translation failed at /messages/0/content: read timed out");

    PCollectionTuple ranked = pool(p, List.of(lowerMean, betterLr, meanWins, validLow, brokenTop,
            tieB1, tieB0, tieA3, short1, code, codeElsewhere, failedB, failedA))
        .apply(RankCandidates.create().withPolicy(policy));

    PAssert.that(ranked.get(RankCandidates.CHOSEN)).containsInAnyOrder(
        new RankedRecord("mean", "chat", meanWins, 3, 3, ""),
        new RankedRecord("invalid", "chat", validLow, 2, 1, ""),
        new RankedRecord("tie", "chat", tieHashWinner(tieB1, tieB0, tieA3), 3, 3, ""),
        new RankedRecord("code", "code_split", code, 1, 1, ""));
    PAssert.that(ranked.get(RankCandidates.REJECTED)).containsInAnyOrder(
        new RankedRecord("short", "chat", short1, 1, 1, "below threshold: LR 0.41 < 0.6"),
        new RankedRecord("notcode", "chat", codeElsewhere, 1, 1,
            "below threshold: SCR 0.03 < 0.8"));
    PAssert.that(ranked.get(RankCandidates.DEAD_LETTERS)).containsInAnyOrder(
        DeadLetter.of("failed", "translate", "/messages/0/content",
            "every candidate failed to translate:"
                + " gemma/0: translation failed at /messages/0/content: HTTP 503 after 5 attempts;"
                + " seedx/0: translation failed at /messages/0/content: read timed out",
            RankFixtures.ORIGINAL));

    PipelineResult result = p.run();
    result.waitUntilFinish();
    assertEquals(4, counter(result, "rank.chosen"));
    assertEquals(3, counter(result, "rank.chosen.chat"));
    assertEquals(2, counter(result, "rank.rejected.chat"));
    assertEquals(1, counter(result, "rank.dead_letter"));
    assertEquals(1, counter(result, "rank.wins.gemma"));
    assertEquals(2, counter(result, "rank.wins.seedx"));
    assertEquals(1, counter(result, "rank.wins.a") + counter(result, "rank.wins.b"));
  }

  private static Candidate tieHashWinner(Candidate... tied) {
    Candidate best = tied[0];
    for (Candidate c : tied) {
      if (RecordDecision.tieHash(c.recordId(), c.backend(), c.candidate())
          < RecordDecision.tieHash(best.recordId(), best.backend(), best.candidate())) {
        best = c;
      }
    }
    return best;
  }
}
