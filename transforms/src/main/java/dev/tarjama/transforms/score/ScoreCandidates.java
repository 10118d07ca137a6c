package dev.tarjama.transforms.score;

import dev.tarjama.transforms.DisplayValues;
import dev.tarjama.transforms.domain.Candidate;
import dev.tarjama.transforms.rank.RankingPolicy;
import java.util.Objects;
import org.apache.beam.sdk.metrics.Counter;
import org.apache.beam.sdk.metrics.Distribution;
import org.apache.beam.sdk.metrics.Metrics;
import org.apache.beam.sdk.transforms.DoFn;
import org.apache.beam.sdk.transforms.PTransform;
import org.apache.beam.sdk.transforms.ParDo;
import org.apache.beam.sdk.transforms.SerializableBiFunction;
import org.apache.beam.sdk.transforms.display.DisplayData;
import org.apache.beam.sdk.values.PCollection;

/**
 * Score: fills LR, SCR (+ its flag) and rank_score into every candidate.
 *
 * <p>Input: reassembled {@link Candidate}s, valid or not. Output: the same candidates, one each,
 * with {@code lr} = {@link LengthRatio} of {@code sourceText} → {@code targetText} under r₀, {@code
 * scr}/{@code scrFlagged} = SCR of {@code targetText} for the target script ({@link
 * ScriptPurity#measure} by default), and {@code rankScore} by the {@link RankingPolicy} ((LR +
 * SCR)/2 by default). Invalid candidates are scored too: they stay in the candidate pool with their
 * scores and cannot win (that is the ranker's rule).
 *
 * <p>Configuration: {@code ScoreCandidates.forScript("Arab").withR0(0.817)} (r₀ from {@link
 * LengthRatioCalibration}; required, so that no run scores against an uncalibrated ratio), {@code
 * withPolicy(policy)}, {@code withScriptPurity(fn)} to swap the SCR implementation.
 *
 * <p>Failure modes: none per element, both metrics are total functions of two strings. A missing
 * r₀ fails at pipeline construction.
 *
 * <p>Metrics ({@code tarjama}): distributions {@code score.lr_x1000} and {@code score.scr_x1000}
 * (scores ×1000, rounded), counters {@code score.candidates}, {@code score.scr_flagged} (no
 * letters left after whitelisting) and {@code score.lr_flagged} (source and target both empty).
 */
public final class ScoreCandidates extends PTransform<PCollection<Candidate>, PCollection<Candidate>> {
  private static final String NS = "tarjama";

  private final String script;
  private final double r0;
  private final RankingPolicy policy;
  private final SerializableBiFunction<String, String, ScriptPurity.Result> scriptPurity;

  private ScoreCandidates(
      String script,
      double r0,
      RankingPolicy policy,
      SerializableBiFunction<String, String, ScriptPurity.Result> scriptPurity) {
    this.script = script;
    this.r0 = r0;
    this.policy = policy;
    this.scriptPurity = scriptPurity;
  }

  /**
   * Scores translations into {@code script} (ISO 15924 code or Unicode script name, e.g. {@code
   * "Arab"}), with the default policy and {@link ScriptPurity#measure}; set r₀ with {@link #withR0}.
   */
  public static ScoreCandidates forScript(String script) {
    return new ScoreCandidates(
        Objects.requireNonNull(script), Double.NaN, RankingPolicy.defaults(), ScriptPurity::measure);
  }

  /** The calibrated len(target)/len(source) for the language pair (> 0). */
  public ScoreCandidates withR0(double r0) {
    return new ScoreCandidates(script, LengthRatio.checkR0(r0), policy, scriptPurity);
  }

  /** How rank_score is computed (pass the same policy to RankCandidates). */
  public ScoreCandidates withPolicy(RankingPolicy policy) {
    return new ScoreCandidates(script, r0, Objects.requireNonNull(policy), scriptPurity);
  }

  /** SCR as {@code (text, script) -> result}; {@link ScriptPurity#measure} by default. */
  public ScoreCandidates withScriptPurity(
      SerializableBiFunction<String, String, ScriptPurity.Result> scriptPurity) {
    return new ScoreCandidates(script, r0, policy, Objects.requireNonNull(scriptPurity));
  }

  public double r0() {
    return r0;
  }

  public RankingPolicy policy() {
    return policy;
  }

  /** One candidate scored: the plain logic that {@link #expand} runs per element. */
  public Candidate score(Candidate c) {
    return score(c, script, r0, policy, scriptPurity).candidate();
  }

  private record Scored(Candidate candidate, boolean lrFlagged) {}

  private static Scored score(Candidate c, String script, double r0, RankingPolicy policy,
      SerializableBiFunction<String, String, ScriptPurity.Result> scriptPurity) {
    LengthRatio.Result lr = LengthRatio.measure(c.sourceText(), c.targetText(), r0);
    ScriptPurity.Result scr = scriptPurity.apply(c.targetText(), script);
    Candidate scored = c.withMetrics(lr.score(), scr.score(), scr.flagged());
    return new Scored(scored.withRankScore(policy.rankScore(scored)), lr.flagged());
  }

  @Override
  public void populateDisplayData(DisplayData.Builder builder) {
    super.populateDisplayData(builder);
    builder.add(DisplayData.item("script", script).withLabel("Target script"));
    if (!Double.isNaN(r0)) {
      builder.add(DisplayData.item("r0", r0).withLabel("r₀ (calibrated length ratio)"));
    }
    DisplayValues.rankingPolicy(builder, policy);
  }

  @Override
  public PCollection<Candidate> expand(PCollection<Candidate> candidates) {
    if (Double.isNaN(r0)) {
      throw new IllegalStateException(
          "ScoreCandidates needs r0: withR0(LengthRatioCalibration...calibrate().r0())");
    }
    return candidates
        .apply("ScoreLrScr", ParDo.of(new ScoreFn(script, r0, policy, scriptPurity)))
        .setCoder(candidates.getCoder());
  }

  private static final class ScoreFn extends DoFn<Candidate, Candidate> {
    private final String script;
    private final double r0;
    private final RankingPolicy policy;
    private final SerializableBiFunction<String, String, ScriptPurity.Result> scriptPurity;
    private final Counter scoredCount = Metrics.counter(NS, "score.candidates");
    private final Counter scrFlagged = Metrics.counter(NS, "score.scr_flagged");
    private final Counter lrFlagged = Metrics.counter(NS, "score.lr_flagged");
    private final Distribution lrX1000 = Metrics.distribution(NS, "score.lr_x1000");
    private final Distribution scrX1000 = Metrics.distribution(NS, "score.scr_x1000");

    ScoreFn(String script, double r0, RankingPolicy policy,
        SerializableBiFunction<String, String, ScriptPurity.Result> scriptPurity) {
      this.script = script;
      this.r0 = r0;
      this.policy = policy;
      this.scriptPurity = scriptPurity;
    }

    @ProcessElement
    public void process(@Element Candidate c, OutputReceiver<Candidate> out) {
      Scored result = score(c, script, r0, policy, scriptPurity);
      Candidate scored = result.candidate();
      scoredCount.inc();
      lrX1000.update(Math.round(scored.lr() * 1000));
      scrX1000.update(Math.round(scored.scr() * 1000));
      if (scored.scrFlagged()) {
        scrFlagged.inc();
      }
      if (result.lrFlagged()) {
        lrFlagged.inc();
      }
      out.output(scored);
    }
  }
}
