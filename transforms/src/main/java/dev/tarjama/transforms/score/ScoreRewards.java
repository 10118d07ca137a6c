package dev.tarjama.transforms.score;

import dev.tarjama.transforms.DisplayValues;
import dev.tarjama.transforms.inference.RunInference;
import dev.tarjama.transforms.domain.Candidate;
import dev.tarjama.transforms.domain.DeadLetter;
import dev.tarjama.transforms.domain.ModelCoders;
import dev.tarjama.transforms.rank.RankingPolicy;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import org.apache.beam.sdk.coders.KvCoder;
import org.apache.beam.sdk.coders.StringUtf8Coder;
import org.apache.beam.sdk.metrics.Counter;
import org.apache.beam.sdk.metrics.Metrics;
import org.apache.beam.sdk.transforms.DoFn;
import org.apache.beam.sdk.transforms.Flatten;
import org.apache.beam.sdk.transforms.GroupByKey;
import org.apache.beam.sdk.transforms.PTransform;
import org.apache.beam.sdk.transforms.ParDo;
import org.apache.beam.sdk.transforms.WithKeys;
import org.apache.beam.sdk.transforms.display.DisplayData;
import org.apache.beam.sdk.values.KV;
import org.apache.beam.sdk.values.PCollection;
import org.apache.beam.sdk.values.PCollectionList;
import org.apache.beam.sdk.values.PCollectionTuple;
import org.apache.beam.sdk.values.TupleTag;
import org.apache.beam.sdk.values.TupleTagList;
import org.apache.beam.sdk.values.TypeDescriptors;

/**
 * Score with a reward model: fills {@code reward} into every valid candidate through {@link
 * RunInference} with a {@link RewardModelHandler}, then recomputes rank_score per record with the
 * rewards normalized over the record ({@link RankingPolicy#withRankScores}).
 *
 * <p>Input: scored candidates (LR, SCR, rank_score from {@link ScoreCandidates}), valid or not.
 *
 * <p>Outputs (a {@link PCollectionTuple}):
 *
 * <ul>
 *   <li>{@link #SCORED}: every input candidate, exactly once. A valid candidate carries its raw
 *       reward; an invalid one passes through without a reward (it cannot win, and the model was
 *       never meant to judge broken structure); a valid candidate the model failed on also passes
 *       through without a reward (NaN): inference failures never drop a candidate, the record is
 *       still ranked on LR and SCR. When the policy weighs the reward ({@code w-reward > 0}),
 *       rank_score is recomputed with the normalized reward (GroupByKey on the record id); with
 *       {@code w-reward = 0} rank_score is left as it is and there is no shuffle.
 *   <li>{@link #FAILURES}: a {@link DeadLetter} of stage {@value #STAGE} per candidate the model
 *       failed on: the record id, field "", the error (which names the candidate: backend/index)
 *       and the candidate's record JSON. It describes a candidate, not a lost record: a record is
 *       still chosen, rejected or dead-lettered by ranking, so these do not belong with the run's
 *       record-level dead letters.
 * </ul>
 *
 * <p>A model that cannot be loaded (missing files, wrong input/output names) fails the pipeline at
 * {@code @Setup}; check it at construction with {@code RewardModel.load} to fail before a run.
 *
 * <p>Metrics ({@code tarjama}): RunInference's under {@code reward/} ({@code reward/batches},
 * {@code reward/failures}, {@code reward/batch_latency_ms}, …), {@code reward/truncated}, {@code
 * reward/scored}, {@code reward/skipped_invalid}, distribution {@code reward/reward_x1000}.
 */
public final class ScoreRewards extends PTransform<PCollection<Candidate>, PCollectionTuple> {
  static final String NAMESPACE = RunInference.METRICS_NAMESPACE;

  /** The stage of a failure's dead letter. */
  public static final String STAGE = "reward";

  public static final TupleTag<Candidate> SCORED = new TupleTag<>() {};
  public static final TupleTag<DeadLetter> FAILURES = new TupleTag<>() {};

  private static final TupleTag<Candidate> TO_SCORE = new TupleTag<>() {};
  private static final TupleTag<Candidate> PASS_THROUGH = new TupleTag<>() {};

  private final RewardModelHandler handler;
  private final RankingPolicy policy;
  private final int shards;

  private ScoreRewards(RewardModelHandler handler, RankingPolicy policy, int shards) {
    this.handler = Objects.requireNonNull(handler);
    this.policy = Objects.requireNonNull(policy);
    this.shards = shards;
  }

  /** Rewards by {@code handler}'s model, rank_score by the default policy. */
  public static ScoreRewards with(RewardModelHandler handler) {
    return new ScoreRewards(handler, RankingPolicy.defaults(), 1);
  }

  /** Weights and reward normalization of rank_score (pass the same policy to RankCandidates). */
  public ScoreRewards withPolicy(RankingPolicy value) {
    return new ScoreRewards(handler, value, shards);
  }

  /** Keys per length bucket for RunInference ({@link RunInference#withShards}). */
  public ScoreRewards withShards(int value) {
    return new ScoreRewards(handler, policy, value);
  }

  public RewardModelHandler handler() {
    return handler;
  }

  public RankingPolicy policy() {
    return policy;
  }

  @Override
  public void populateDisplayData(DisplayData.Builder builder) {
    super.populateDisplayData(builder);
    builder.add(DisplayData.item("model", handler.description()).withLabel("Reward model"));
    builder.add(DisplayData.item("maxBatchSize", handler.batching().maxBatchSize())
        .withLabel("Most inputs per batch"));
    builder.add(DisplayData.item("maxBatchWeight", handler.batching().maxBatchWeight())
        .withLabel("Most tokens per batch"));
    builder.add(DisplayData.item("shards", shards).withLabel("Keys per length bucket"));
    DisplayValues.rankingPolicy(builder, policy);
  }

  @Override
  public PCollectionTuple expand(PCollection<Candidate> candidates) {
    PCollectionTuple split =
        candidates.apply(
            "ValidOrNot",
            ParDo.of(new SplitFn()).withOutputTags(TO_SCORE, TupleTagList.of(PASS_THROUGH)));
    split.get(TO_SCORE).setCoder(candidates.getCoder());
    split.get(PASS_THROUGH).setCoder(candidates.getCoder());

    RunInference<Candidate, Candidate, ?> inference =
        RunInference.of(handler).withShards(shards).withMetricPrefix("reward/");
    PCollectionTuple inferred = split.get(TO_SCORE).apply("RewardModel", inference);

    PCollectionTuple failed =
        inferred
            .get(inference.failuresTag())
            .apply(
                "KeepFailedCandidates",
                ParDo.of(new FailureFn())
                    .withOutputTags(PASS_THROUGH, TupleTagList.of(FAILURES)));
    failed.get(PASS_THROUGH).setCoder(candidates.getCoder());
    failed.get(FAILURES).setCoder(new ModelCoders.DeadLetterCoder());

    PCollection<Candidate> all =
        PCollectionList.of(inferred.get(inference.resultsTag()))
            .and(split.get(PASS_THROUGH))
            .and(failed.get(PASS_THROUGH))
            .apply("AllCandidates", Flatten.pCollections());

    PCollection<Candidate> scored = all;
    if (policy.rewardWeight() > 0) {
      scored =
          all.apply("KeyByRecord",
                  WithKeys.of((Candidate c) -> c.recordId()).withKeyType(TypeDescriptors.strings()))
              .setCoder(KvCoder.of(StringUtf8Coder.of(), candidates.getCoder()))
              .apply("GroupByRecord", GroupByKey.create())
              .apply("NormalizeRewards", ParDo.of(new NormalizeFn(policy)))
              .setCoder(candidates.getCoder());
    }
    return PCollectionTuple.of(SCORED, scored).and(FAILURES, failed.get(FAILURES));
  }

  private static final class SplitFn extends DoFn<Candidate, Candidate> {
    private final Counter skipped = Metrics.counter(NAMESPACE, "reward/skipped_invalid");

    @ProcessElement
    public void process(@Element Candidate c, MultiOutputReceiver out) {
      if (c.valid()) {
        out.get(TO_SCORE).output(c);
      } else {
        skipped.inc();
        out.get(PASS_THROUGH).output(c.withReward(Double.NaN));
      }
    }
  }

  private static final class FailureFn extends DoFn<KV<Candidate, String>, Candidate> {
    @ProcessElement
    public void process(@Element KV<Candidate, String> failure, MultiOutputReceiver out) {
      Candidate c = failure.getKey();
      out.get(PASS_THROUGH).output(c.withReward(Double.NaN));
      out.get(FAILURES).output(DeadLetter.of(c.recordId(), STAGE, "", failure.getValue(), c.json()));
    }
  }

  private static final class NormalizeFn extends DoFn<KV<String, Iterable<Candidate>>, Candidate> {
    private final RankingPolicy policy;

    NormalizeFn(RankingPolicy policy) {
      this.policy = policy;
    }

    @ProcessElement
    public void process(@Element KV<String, Iterable<Candidate>> record, OutputReceiver<Candidate> out) {
      List<Candidate> pool = new ArrayList<>();
      record.getValue().forEach(pool::add);
      for (Candidate c : policy.withRankScores(pool)) {
        out.output(c);
      }
    }
  }
}
