package dev.tarjama.transforms.rank;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.tarjama.transforms.domain.Candidate;
import dev.tarjama.transforms.quality.QualityPolicy;
import java.io.Serializable;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.SortedMap;
import java.util.TreeMap;

/**
 * How a candidate's rank_score is computed and which scores a winner must reach. Immutable and
 * Serializable (it travels inside DoFns); the run report records {@link #toJson()}.
 *
 * <p><b>rank_score</b> = (w_lr·LR + w_scr·SCR + w_reward·reward) / (w_lr + w_scr + w_reward). The
 * reward term and its weight drop out when w_reward is 0 (the default) or the candidate has no
 * reward (NaN), so the default is exactly (LR + SCR)/2, the formula every published row of the
 * released SmolKalam data satisfies. The reward term is the reward model's raw score normalized per
 * record by {@link RewardNormalization} (z-score through the logistic function by default, or
 * min–max), so that it lies in [0, 1] like LR and SCR: {@link #withRankScores} does that for a
 * record's pool; {@link #rankScore(double, double, double)} takes an already normalized reward.
 *
 * <p><b>Thresholds</b> (optional): minimum LR, SCR and rank_score, globally and per split. A split's
 * thresholds override the global ones field by field: code-heavy splits legitimately score SCR
 * 0.01–0.05 (code is not Arabic), so {@code code_split:min-scr=0} keeps them while the global
 * {@code min-scr=0.8} still applies elsewhere.
 *
 * <p><b>Spec</b> (the CLI form, {@link #parse}): comma-separated {@code key=value} entries; keys
 * {@code w-lr}, {@code w-scr}, {@code w-reward}, {@code reward-normalization} ({@code logistic}, {@code zscore} or
 * {@code minmax}), {@code min-lr}, {@code min-scr}, {@code min-rank-score}; a threshold key may be prefixed by a split name and a colon, e.g. {@code
 * min-lr=0.6,min-scr=0.8,code_split:min-scr=0.0}. {@link #toSpec()} parses back to an equal policy.
 */
public final class RankingPolicy implements Serializable {
  private static final long serialVersionUID = 1L;
  private static final ObjectMapper JSON = new ObjectMapper();
  private static final RankingPolicy DEFAULT =
      new RankingPolicy(1, 1, 0, RewardNormalization.LOGISTIC, Thresholds.none(), new TreeMap<>(),
          QualityPolicy.defaults());

  static final String W_LR = "w-lr";
  static final String W_SCR = "w-scr";
  static final String W_REWARD = "w-reward";
  static final String REWARD_NORMALIZATION = "reward-normalization";

  private final double wLr;
  private final double wScr;
  private final double wReward;
  private final RewardNormalization rewardNormalization;
  private final Thresholds global;
  private final TreeMap<String, Thresholds> perSplit;
  private final QualityPolicy quality;

  private RankingPolicy(
      double wLr,
      double wScr,
      double wReward,
      RewardNormalization rewardNormalization,
      Thresholds global,
      Map<String, Thresholds> perSplit,
      QualityPolicy quality) {
    checkWeight(W_LR, wLr);
    checkWeight(W_SCR, wScr);
    checkWeight(W_REWARD, wReward);
    if (!(wLr + wScr > 0)) {
      throw new IllegalArgumentException("w-lr + w-scr must be > 0, got " + wLr + " + " + wScr);
    }
    this.wLr = wLr;
    this.wScr = wScr;
    this.wReward = wReward;
    this.rewardNormalization = Objects.requireNonNull(rewardNormalization);
    this.global = Objects.requireNonNull(global);
    this.perSplit = new TreeMap<>(perSplit);
    this.quality = Objects.requireNonNull(quality);
  }

  private static void checkWeight(String name, double w) {
    if (!(w >= 0) || Double.isInfinite(w)) {
      throw new IllegalArgumentException(name + " must be a finite weight >= 0, got " + w);
    }
  }

  /** rank_score = (LR + SCR)/2, no thresholds. */
  public static RankingPolicy defaults() {
    return DEFAULT;
  }

  /** The default policy with {@code spec} applied (see the class javadoc). */
  public static RankingPolicy parse(String spec) {
    return DEFAULT.withSpec(spec);
  }

  /**
   * This policy with every entry of {@code spec} applied in order (a later entry for the same key
   * wins).
   *
   * @throws IllegalArgumentException naming the entry that does not parse
   */
  public RankingPolicy withSpec(String spec) {
    RankingPolicy policy = this;
    if (spec == null || spec.isBlank()) {
      return policy;
    }
    for (String raw : spec.split(",")) {
      String entry = raw.trim();
      if (entry.isEmpty()) {
        continue;
      }
      int eq = entry.indexOf('=');
      if (eq < 0) {
        throw new IllegalArgumentException("policy entry '" + entry + "' is not key=value");
      }
      String key = entry.substring(0, eq).trim();
      if (key.equals(REWARD_NORMALIZATION)) {
        try {
          policy = policy.withRewardNormalization(
              RewardNormalization.parse(entry.substring(eq + 1)));
        } catch (IllegalArgumentException e) {
          throw new IllegalArgumentException("policy entry '" + entry + "': " + e.getMessage(), e);
        }
        continue;
      }
      int colon = key.lastIndexOf(':');
      String bare = key.substring(colon + 1).trim();
      if (QualityPolicy.accepts(bare)) {
        String split = colon >= 0 ? key.substring(0, colon).trim() : null;
        if (split != null && split.isEmpty()) {
          throw new IllegalArgumentException("policy entry '" + entry + "' has an empty split name");
        }
        policy = policy.withQuality(
            policy.quality.with(split, bare, entry.substring(eq + 1), entry));
        continue;
      }
      if (colon >= 0) {
        String split = key.substring(0, colon).trim();
        if (split.isEmpty()) {
          throw new IllegalArgumentException("policy entry '" + entry + "' has an empty split name");
        }
        String thresholdEntry = key.substring(colon + 1).trim() + "=" + entry.substring(eq + 1);
        if (isWeight(key.substring(colon + 1).trim())) {
          throw new IllegalArgumentException("policy entry '" + entry
              + "': weights are global (rank scores must stay comparable), only thresholds are per"
              + " split");
        }
        policy = policy.perSplit(split, policy.ownThresholds(split).with(thresholdEntry));
      } else if (isWeight(key)) {
        double w = number(entry, entry.substring(eq + 1));
        try {
          policy = switch (key) {
            case W_LR -> policy.withWeights(w, policy.wScr);
            case W_SCR -> policy.withWeights(policy.wLr, w);
            default -> policy.withRewardWeight(w);
          };
        } catch (IllegalArgumentException e) {
          throw new IllegalArgumentException("policy entry '" + entry + "': " + e.getMessage(), e);
        }
      } else {
        policy = policy.withThresholds(policy.global.with(entry));
      }
    }
    return policy;
  }

  private static boolean isWeight(String key) {
    return key.equals(W_LR) || key.equals(W_SCR) || key.equals(W_REWARD);
  }

  static double number(String entry, String text) {
    try {
      double value = Double.parseDouble(text.trim());
      if (Double.isNaN(value) || Double.isInfinite(value)) {
        throw new NumberFormatException();
      }
      return value;
    } catch (NumberFormatException e) {
      throw new IllegalArgumentException(
          "policy entry '" + entry + "': '" + text.trim() + "' is not a number");
    }
  }

  /** The quality gates and weights. */
  public RankingPolicy withQuality(QualityPolicy quality) {
    return new RankingPolicy(wLr, wScr, wReward, rewardNormalization, global, perSplit, quality);
  }

  public QualityPolicy quality() {
    return quality;
  }

  /** The quality gates {@code c} fails (empty: it may win). */
  public List<String> gateFailures(Candidate c) {
    return quality.gateFailures(c);
  }

  /** Weights of LR and SCR (each >= 0, not both 0). */
  public RankingPolicy withWeights(double wLr, double wScr) {
    return new RankingPolicy(wLr, wScr, wReward, rewardNormalization, global, perSplit, quality);
  }

  /** Weight of the normalized reward (0 = ignored, the default). */
  public RankingPolicy withRewardWeight(double wReward) {
    return new RankingPolicy(wLr, wScr, wReward, rewardNormalization, global, perSplit, quality);
  }

  /** How raw rewards are normalized per record ({@link RewardNormalization#ZSCORE} by default). */
  public RankingPolicy withRewardNormalization(RewardNormalization normalization) {
    return new RankingPolicy(wLr, wScr, wReward, normalization, global, perSplit, quality);
  }

  /** The thresholds for every split that has none of its own (field by field). */
  public RankingPolicy withThresholds(Thresholds thresholds) {
    return new RankingPolicy(wLr, wScr, wReward, rewardNormalization, thresholds, perSplit, quality);
  }

  /** Thresholds for {@code split}, overriding the global ones field by field. */
  public RankingPolicy perSplit(String split, Thresholds thresholds) {
    TreeMap<String, Thresholds> next = new TreeMap<>(perSplit);
    next.put(Objects.requireNonNull(split), Objects.requireNonNull(thresholds));
    return new RankingPolicy(wLr, wScr, wReward, rewardNormalization, global, next, quality);
  }

  private Thresholds ownThresholds(String split) {
    return perSplit.getOrDefault(split, Thresholds.none());
  }

  public double lrWeight() {
    return wLr;
  }

  public double scrWeight() {
    return wScr;
  }

  public double rewardWeight() {
    return wReward;
  }

  public RewardNormalization rewardNormalization() {
    return rewardNormalization;
  }

  public Thresholds globalThresholds() {
    return global;
  }

  /** The splits with their own thresholds (as given, not merged), sorted by name. */
  public SortedMap<String, Thresholds> splitThresholds() {
    return Collections.unmodifiableSortedMap(perSplit);
  }

  /** The thresholds that apply to {@code split}: its own where set, else the global ones. */
  public Thresholds thresholdsFor(String split) {
    Thresholds own = perSplit.get(split);
    return own == null ? global : own.orElse(global);
  }

  /**
   * rank_score of a candidate's metrics (NaN when LR or SCR is NaN: not scored); {@code reward} is
   * the <em>normalized</em> reward, NaN for none.
   */
  public double rankScore(double lr, double scr, double reward) {
    if (wReward > 0 && !Double.isNaN(reward)) {
      return (wLr * lr + wScr * scr + wReward * reward) / (wLr + wScr + wReward);
    }
    return (wLr * lr + wScr * scr) / (wLr + wScr);
  }

  /** rank_score of a candidate taking its {@code reward} as already normalized. */
  public double rankScore(Candidate c) {
    return withQualityTerm(c, rankScore(c.lr(), c.scr(), c.reward()), c.reward());
  }

  /** {@code base} with the weighted quality signals of {@code c} folded in. */
  private double withQualityTerm(Candidate c, double base, double normalizedReward) {
    double[] q = quality.weightedScore(c);
    if (q[1] == 0) {
      return base;
    }
    double weights = wLr + wScr + (wReward > 0 && !Double.isNaN(normalizedReward) ? wReward : 0);
    return (base * weights + q[0]) / (weights + q[1]);
  }

  /**
   * One record's candidates with rank_score computed from their raw rewards normalized over the
   * record ({@link #rewardNormalization()}); a candidate without a reward in a record where others
   * have one is scored with the neutral reward 0.5 (same formula as its siblings). The
   * candidates keep their raw {@code reward}; the order is the input's.
   */
  public List<Candidate> withRankScores(Collection<Candidate> record) {
    List<Candidate> pool = new ArrayList<>(record);
    double[] raw = new double[pool.size()];
    for (int i = 0; i < raw.length; i++) {
      raw[i] = pool.get(i).reward();
    }
    double[] normalized = rewardNormalization.normalize(raw);
    boolean anyReward = false;
    for (double r : raw) {
      anyReward |= !Double.isNaN(r);
    }
    List<Candidate> out = new ArrayList<>(pool.size());
    for (int i = 0; i < raw.length; i++) {
      Candidate c = pool.get(i);
      // A sibling without a reward (the model failed on it) gets the record's neutral reward, so
      // that every candidate of the record is scored by the same formula.
      double reward = anyReward && Double.isNaN(normalized[i]) ? 0.5 : normalized[i];
      out.add(c.withRankScore(withQualityTerm(c, rankScore(c.lr(), c.scr(), reward), reward)));
    }
    return out;
  }

  /** Why {@code c} fails the thresholds of its split, or empty when it passes. */
  public Optional<String> violation(Candidate c) {
    return thresholdsFor(c.split()).violation(c);
  }

  /** The formula, e.g. {@code (LR + SCR)/2}. */
  public String formula() {
    String f = baseFormula();
    return quality.weighs()
        ? f + "; each weighted quality signal adds w*score to the numerator and w to the denominator"
        : f;
  }

  private String baseFormula() {
    if (wLr == wScr && wReward == 0) {
      return "(LR + SCR)/2";
    }
    String base = Thresholds.format(wLr) + "*LR + " + Thresholds.format(wScr) + "*SCR";
    String f = "(" + base + ")/" + Thresholds.format(wLr + wScr);
    if (wReward > 0) {
      f = "(" + base + " + " + Thresholds.format(wReward) + "*" + rewardNormalization.cliName()
          + "(reward))/" + Thresholds.format(wLr + wScr + wReward) + ", or " + f
          + " without a reward";
    }
    return f;
  }

  /** One line for a person, e.g. {@code rank_score = (LR + SCR)/2; min-lr=0.6; code: min-scr=0}. */
  public String describe() {
    List<String> parts = new ArrayList<>();
    parts.add("rank_score = " + formula());
    parts.add(global.isEmpty() ? "no thresholds" : "thresholds " + global.toSpec());
    perSplit.forEach((split, t) -> parts.add(split + ": " + t.orElse(global)));
    if (!quality.equals(QualityPolicy.defaults())) {
      parts.add(quality.describe());
    }
    return String.join("; ", parts);
  }

  /** The spec that {@link #parse} turns back into an equal policy. */
  public String toSpec() {
    List<String> parts = new ArrayList<>();
    if (wLr != 1) {
      parts.add(W_LR + "=" + Thresholds.format(wLr));
    }
    if (wScr != 1) {
      parts.add(W_SCR + "=" + Thresholds.format(wScr));
    }
    if (wReward != 0) {
      parts.add(W_REWARD + "=" + Thresholds.format(wReward));
    }
    if (rewardNormalization != RewardNormalization.LOGISTIC) {
      parts.add(REWARD_NORMALIZATION + "=" + rewardNormalization.cliName());
    }
    if (!global.isEmpty()) {
      parts.add(global.toSpec());
    }
    perSplit.forEach((split, t) -> {
      for (String e : t.toSpec().split(",")) {
        if (!e.isEmpty()) {
          parts.add(split + ":" + e);
        }
      }
    });
    parts.addAll(quality.toSpecEntries());
    return String.join(",", parts);
  }

  /** For the run report: formula, weights, global and effective per-split thresholds, spec. */
  public ObjectNode toJsonNode() {
    ObjectNode node = JSON.createObjectNode();
    node.put("rank_score", formula());
    ObjectNode weights = node.putObject("weights");
    weights.put("lr", wLr);
    weights.put("scr", wScr);
    weights.put("reward", wReward);
    node.put("reward_normalization", rewardNormalization.cliName());
    thresholdsJson(node.putObject("thresholds"), global);
    ObjectNode splits = node.putObject("per_split");
    perSplit.forEach((split, t) -> thresholdsJson(splits.putObject(split), t.orElse(global)));
    node.set("quality", quality.toJsonNode());
    node.put("spec", toSpec());
    return node;
  }

  public String toJson() {
    return toJsonNode().toString();
  }

  private static void thresholdsJson(ObjectNode node, Thresholds t) {
    putIfSet(node, "min_lr", t.minLr());
    putIfSet(node, "min_scr", t.minScr());
    putIfSet(node, "min_rank_score", t.minRankScore());
  }

  private static void putIfSet(ObjectNode node, String name, double value) {
    if (!Double.isNaN(value)) {
      node.put(name, value);
    }
  }

  @Override
  public boolean equals(Object o) {
    return o instanceof RankingPolicy p
        && Double.compare(wLr, p.wLr) == 0
        && Double.compare(wScr, p.wScr) == 0
        && Double.compare(wReward, p.wReward) == 0
        && rewardNormalization == p.rewardNormalization
        && global.equals(p.global)
        && perSplit.equals(p.perSplit)
        && quality.equals(p.quality);
  }

  @Override
  public int hashCode() {
    return Objects.hash(wLr, wScr, wReward, rewardNormalization, global, perSplit, quality);
  }

  @Override
  public String toString() {
    return describe();
  }
}
