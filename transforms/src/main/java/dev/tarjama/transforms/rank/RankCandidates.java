package dev.tarjama.transforms.rank;

import dev.tarjama.transforms.DisplayValues;
import dev.tarjama.transforms.domain.Candidate;
import dev.tarjama.transforms.domain.DeadLetter;
import dev.tarjama.transforms.domain.ModelCoders;
import java.util.Objects;
import org.apache.beam.sdk.coders.KvCoder;
import org.apache.beam.sdk.coders.StringUtf8Coder;
import org.apache.beam.sdk.metrics.Counter;
import org.apache.beam.sdk.metrics.Metrics;
import org.apache.beam.sdk.transforms.DoFn;
import org.apache.beam.sdk.transforms.GroupByKey;
import org.apache.beam.sdk.transforms.PTransform;
import org.apache.beam.sdk.transforms.ParDo;
import org.apache.beam.sdk.transforms.WithKeys;
import org.apache.beam.sdk.transforms.display.DisplayData;
import org.apache.beam.sdk.values.KV;
import org.apache.beam.sdk.values.PCollection;
import org.apache.beam.sdk.values.PCollectionTuple;
import org.apache.beam.sdk.values.TupleTag;
import org.apache.beam.sdk.values.TupleTagList;
import org.apache.beam.sdk.values.TypeDescriptors;

/**
 * Rank: chooses one candidate per record by a {@link RankingPolicy}.
 *
 * <p>Input: every scored {@link Candidate} of every record (valid and invalid; {@code rankScore}
 * filled by {@code ScoreCandidates} with the same policy). GroupByKey on the record id (a String
 * key, {@link StringUtf8Coder}), then {@link RecordDecision} per record.
 *
 * <p>Outputs — every record that has at least one candidate lands in exactly one of them:
 *
 * <ul>
 *   <li>{@link #CHOSEN}: {@link RankedRecord} with the best valid candidate that passes the
 *       thresholds of its split (ties: higher rank_score, higher reward, higher SCR, backend
 *       name, candidate index).
 *   <li>{@link #REJECTED}: {@link RankedRecord} with the best candidate that lost and why:
 *       {@code "no valid candidate: <backend/index: reason; …>"} or {@code "below threshold: LR 0.41
 *       < 0.6"}.
 *   <li>{@link #DEAD_LETTERS}: {@link DeadLetter} of stage {@code translate} when every candidate
 *       failed because translation failed (reason starts with {@value
 *       RecordDecision#TRANSLATION_FAILED}): the original record (the candidates' {@code json}),
 *       the field the reason names (JSON Pointer, else ""), and every candidate's error.
 * </ul>
 *
 * <p>Failure modes: none per element — every input ends in one output. A record whose candidates
 * were never scored (NaN rank_score) is rejected as "not scored", which points at a wiring error.
 *
 * <p>Counters ({@code tarjama} namespace): {@code rank.chosen}, {@code rank.chosen.<split>}, {@code
 * rank.rejected}, {@code rank.rejected.<split>}, {@code rank.dead_letter}, {@code
 * rank.wins.<backend>}; distributions {@code rank.chosen.lr_x1000.<split>} and {@code
 * rank.chosen.scr_x1000.<split>} (sum/count = the split's mean ×1000 for the report).
 */
public final class RankCandidates extends PTransform<PCollection<Candidate>, PCollectionTuple> {
  public static final TupleTag<RankedRecord> CHOSEN = new TupleTag<>() {};
  public static final TupleTag<RankedRecord> REJECTED = new TupleTag<>() {};
  public static final TupleTag<DeadLetter> DEAD_LETTERS = new TupleTag<>() {};

  private static final String NS = "tarjama";

  private final RankingPolicy policy;

  private RankCandidates(RankingPolicy policy) {
    this.policy = Objects.requireNonNull(policy);
  }

  /** Ranks by {@link RankingPolicy#defaults()}: (LR + SCR)/2, no thresholds. */
  public static RankCandidates create() {
    return new RankCandidates(RankingPolicy.defaults());
  }

  /** Ranks with {@code policy}'s thresholds (rank_score itself comes from ScoreCandidates). */
  public RankCandidates withPolicy(RankingPolicy policy) {
    return new RankCandidates(policy);
  }

  public RankingPolicy policy() {
    return policy;
  }

  @Override
  public void populateDisplayData(DisplayData.Builder builder) {
    super.populateDisplayData(builder);
    DisplayValues.rankingPolicy(builder, policy);
  }

  @Override
  public PCollectionTuple expand(PCollection<Candidate> candidates) {
    PCollectionTuple decided =
        candidates
            .apply("KeyByRecord",
                WithKeys.of((Candidate c) -> c.recordId()).withKeyType(TypeDescriptors.strings()))
            .setCoder(KvCoder.of(StringUtf8Coder.of(), candidates.getCoder()))
            .apply("GroupByRecord", GroupByKey.create())
            .apply("ChooseBest",
                ParDo.of(new ChooseFn(policy))
                    .withOutputTags(CHOSEN, TupleTagList.of(REJECTED).and(DEAD_LETTERS)));
    decided.get(CHOSEN).setCoder(new RankedRecord.RankedRecordCoder());
    decided.get(REJECTED).setCoder(new RankedRecord.RankedRecordCoder());
    decided.get(DEAD_LETTERS).setCoder(new ModelCoders.DeadLetterCoder());
    return decided;
  }

  private static final class ChooseFn extends DoFn<KV<String, Iterable<Candidate>>, RankedRecord> {
    private final RankingPolicy policy;
    private final Counter chosen = Metrics.counter(NS, "rank.chosen");
    private final Counter rejected = Metrics.counter(NS, "rank.rejected");
    private final Counter deadLetters = Metrics.counter(NS, "rank.dead_letter");

    ChooseFn(RankingPolicy policy) {
      this.policy = policy;
    }

    @ProcessElement
    public void process(@Element KV<String, Iterable<Candidate>> record, MultiOutputReceiver out) {
      RecordDecision d = RecordDecision.decide(record.getKey(), record.getValue(), policy);
      switch (d.outcome()) {
        case CHOSEN -> {
          RankedRecord r = d.ranked();
          chosen.inc();
          Metrics.counter(NS, "rank.chosen." + r.split()).inc();
          Metrics.counter(NS, "rank.wins." + r.winner().backend()).inc();
          Metrics.distribution(NS, "rank.chosen.lr_x1000." + r.split())
              .update(Math.round(r.winner().lr() * 1000));
          Metrics.distribution(NS, "rank.chosen.scr_x1000." + r.split())
              .update(Math.round(r.winner().scr() * 1000));
          out.get(CHOSEN).output(r);
        }
        case REJECTED -> {
          rejected.inc();
          Metrics.counter(NS, "rank.rejected." + d.ranked().split()).inc();
          out.get(REJECTED).output(d.ranked());
        }
        case DEAD_LETTER -> {
          deadLetters.inc();
          out.get(DEAD_LETTERS).output(d.deadLetter());
        }
      }
    }
  }
}
