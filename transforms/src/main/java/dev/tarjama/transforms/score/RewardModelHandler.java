package dev.tarjama.transforms.score;

import dev.tarjama.models.reward.RewardModel;
import dev.tarjama.models.reward.RewardModelConfig;
import dev.tarjama.transforms.inference.Batching;
import dev.tarjama.transforms.inference.ModelHandler;
import dev.tarjama.transforms.domain.Candidate;
import dev.tarjama.transforms.domain.ModelCoders;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import org.apache.beam.sdk.Pipeline;
import org.apache.beam.sdk.coders.Coder;
import org.apache.beam.sdk.metrics.Counter;
import org.apache.beam.sdk.metrics.Distribution;
import org.apache.beam.sdk.metrics.Metrics;

/**
 * Runs a {@link RewardModel} on batches of candidates for {@link ScoreRewards}: each candidate
 * comes back with its raw {@code reward}.
 *
 * <p>The pair a candidate is scored as is ({@code sourceText}, {@code targetText}): the record's
 * translated prose, every translated field's chunks in record order joined by line breaks, with
 * the protected spans (code, math, URLs, tool calls, tags) removed — they are byte-identical in
 * source and candidate, so they tell the model nothing about the translation and would only cost
 * tokens. It is the text LR and SCR measure, and the text {@link
 * dev.tarjama.transforms.rank.PreferencePair preference pairs} carry.
 *
 * <p>Weights (for batching) are an estimate made without the tokenizer, so that keying by length
 * needs no model: source characters / 4 + candidate characters / 3 + 16 for the template, at most
 * the model's {@code max_tokens}. The model is loaded once per JVM per {@link
 * RewardModelConfig#key()}. Metrics ({@code tarjama}): {@code reward/scored} (candidates that got a
 * reward), {@code reward/truncated} (pairs cut to {@code max_tokens}), distribution {@code
 * reward/reward_x1000}.
 */
public final class RewardModelHandler extends ModelHandler<Candidate, Candidate, RewardModel> {
  private static final long serialVersionUID = 1L;

  /** 32 pairs, 16,384 tokens per batch; no buffering limit. */
  public static final Batching DEFAULT_BATCHING = Batching.of(32, 16_384, Duration.ZERO);

  private final RewardModelConfig config;
  private final Batching batching;
  private transient Counter truncated;
  private transient Counter scored;
  private transient Distribution rewardsX1000;

  private RewardModelHandler(RewardModelConfig config, Batching batching) {
    this.config = Objects.requireNonNull(config);
    this.batching = Objects.requireNonNull(batching);
  }

  /** The reward model in {@code dir}, with its own settings, on CPU. */
  public static RewardModelHandler of(Path dir) {
    return of(RewardModelConfig.of(dir));
  }

  public static RewardModelHandler of(RewardModelConfig config) {
    return new RewardModelHandler(config, DEFAULT_BATCHING);
  }

  public RewardModelHandler withBatching(Batching value) {
    return new RewardModelHandler(config, value);
  }

  public RewardModelHandler withConfig(RewardModelConfig value) {
    return new RewardModelHandler(value, batching);
  }

  public RewardModelConfig config() {
    return config;
  }

  @Override
  public String modelKey() {
    return "reward|" + config.key();
  }

  /** The model directory, provider and token limit (the key also holds the whole chat template). */
  @Override
  public String description() {
    return "reward model " + config.modelDir() + " (" + config.provider().cliName()
        + ", max " + config.maxTokens() + " tokens, truncate " + config.truncationSide().cliName()
        + ")";
  }

  @Override
  protected RewardModel loadModel() {
    return RewardModel.load(config);
  }

  @Override
  public Batching batching() {
    return batching;
  }

  @Override
  public long weigh(Candidate c) {
    long estimate = c.sourceText().length() / 4 + c.targetText().length() / 3 + 16;
    return Math.max(1, Math.min(config.maxTokens(), estimate));
  }

  @Override
  public String describe(Candidate c) {
    return "reward model: record " + c.recordId() + " candidate " + c.backend() + "/" + c.candidate();
  }

  @Override
  public Coder<Candidate> outputCoder(Pipeline pipeline) {
    return new ModelCoders.CandidateCoder();
  }

  @Override
  public List<Candidate> run(RewardModel model, List<Candidate> batch) throws Exception {
    List<RewardModel.Encoded> encoded = new ArrayList<>(batch.size());
    long cut = 0;
    for (Candidate c : batch) {
      RewardModel.Encoded e = model.encode(c.sourceText(), c.targetText());
      if (e.truncated()) {
        cut++;
      }
      encoded.add(e);
    }
    double[] rewards = model.score(encoded);
    if (cut > 0) {
      if (truncated == null) {
        truncated = Metrics.counter(ScoreRewards.NAMESPACE, "reward/truncated");
      }
      truncated.inc(cut);
    }
    List<Candidate> out = new ArrayList<>(batch.size());
    for (int i = 0; i < batch.size(); i++) {
      if (!Double.isFinite(rewards[i])) {
        throw new IllegalStateException("the reward model returned " + rewards[i] + " for "
            + describe(batch.get(i)));
      }
      out.add(batch.get(i).withReward(rewards[i]));
    }
    if (scored == null) {
      scored = Metrics.counter(ScoreRewards.NAMESPACE, "reward/scored");
      rewardsX1000 = Metrics.distribution(ScoreRewards.NAMESPACE, "reward/reward_x1000");
    }
    scored.inc(out.size());
    for (Candidate c : out) {
      rewardsX1000.update(Math.round(c.reward() * 1000));
    }
    return out;
  }
}
