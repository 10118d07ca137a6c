package dev.tarjama.transforms.quality;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.tarjama.transforms.domain.Candidate;
import dev.tarjama.transforms.domain.QualityMeasures.Measure;
import java.io.Serializable;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.TreeMap;

/**
 * The quality part of the ranking policy: per signal ({@link SignalSpec#KNOWN}) whether it is a
 * {@code gate} (a failing candidate cannot win; the default for every signal), a {@code weight}
 * (its score weighs into rank_score) or {@code off}, its threshold, and its weight. Immutable and
 * Serializable; part of {@code RankingPolicy}'s spec, so one {@code --policy} string holds it all.
 *
 * <p>Spec entries (each may carry a {@code SPLIT:} prefix except weights, which are global so
 * rank scores stay comparable): {@code qe=on|off} (every signal), {@code SIGNAL=gate|weight|off},
 * {@code SIGNAL-max=X} or {@code SIGNAL-min=X} (the threshold; which one a signal takes is its
 * direction), {@code w-SIGNAL=X} (its weight; {@code weight} mode without one weighs 1). E.g.
 * {@code numbers-max=1,code:untranslated=off,lines=weight,w-lines=0.5}.
 *
 * <p>A signal's score is 1 when it passes or was not judged, 0 when it fails; rank_score adds
 * {@code w·score} of every weighted signal to its numerator and {@code w} to its denominator.
 * Measures under names this policy does not know are carried but neither gate nor weigh.
 */
public final class QualityPolicy implements Serializable {
  private static final long serialVersionUID = 1L;
  private static final ObjectMapper JSON = new ObjectMapper();
  private static final String ALL = "qe";
  private static final String GLOBAL = "";

  public enum Mode {
    GATE,
    WEIGHT,
    OFF
  }

  /** scope ("" = global, else a split) → setting key → value, as given. */
  private final TreeMap<String, TreeMap<String, String>> settings;
  private final TreeMap<String, Double> weights;

  private QualityPolicy(TreeMap<String, TreeMap<String, String>> settings,
      TreeMap<String, Double> weights) {
    this.settings = settings;
    this.weights = weights;
  }

  /** Every known signal a gate at its default threshold, no weights. */
  public static QualityPolicy defaults() {
    return new QualityPolicy(new TreeMap<>(), new TreeMap<>());
  }

  /** Whether {@code key} (without a split prefix) is one of this policy's. */
  public static boolean accepts(String key) {
    if (key.equals(ALL)) {
      return true;
    }
    if (key.startsWith("w-")) {
      return SignalSpec.KNOWN.containsKey(key.substring(2));
    }
    if (SignalSpec.KNOWN.containsKey(key)) {
      return true;
    }
    for (SignalSpec s : SignalSpec.KNOWN.values()) {
      if (s.thresholdKey().equals(key)) {
        return true;
      }
    }
    return false;
  }

  /**
   * This policy with one entry applied; {@code split} is null for a global entry.
   *
   * @throws IllegalArgumentException naming the entry when it does not parse
   */
  public QualityPolicy with(String split, String key, String value, String entry) {
    String v = value.strip().toLowerCase(Locale.ROOT);
    if (key.startsWith("w-")) {
      if (split != null) {
        throw new IllegalArgumentException("policy entry '" + entry
            + "': weights are global (rank scores must stay comparable), only gates and"
            + " thresholds are per split");
      }
      double w = number(entry, v);
      if (w < 0) {
        throw new IllegalArgumentException("policy entry '" + entry + "': a weight must be >= 0");
      }
      TreeMap<String, Double> next = new TreeMap<>(weights);
      next.put(key.substring(2), w);
      return new QualityPolicy(settings, next);
    }
    if (key.equals(ALL) || SignalSpec.KNOWN.containsKey(key)) {
      boolean valid = key.equals(ALL) ? v.equals("on") || v.equals("off")
          : v.equals("gate") || v.equals("weight") || v.equals("off");
      if (!valid) {
        throw new IllegalArgumentException("policy entry '" + entry + "': expected "
            + (key.equals(ALL) ? "on or off" : "gate, weight or off"));
      }
    } else {
      number(entry, v);
    }
    TreeMap<String, TreeMap<String, String>> next = new TreeMap<>();
    settings.forEach((scope, m) -> next.put(scope, new TreeMap<>(m)));
    next.computeIfAbsent(split == null ? GLOBAL : split, s -> new TreeMap<>()).put(key, v);
    return new QualityPolicy(next, weights);
  }

  private static double number(String entry, String text) {
    try {
      double d = Double.parseDouble(text);
      if (Double.isNaN(d) || Double.isInfinite(d)) {
        throw new NumberFormatException();
      }
      return d;
    } catch (NumberFormatException e) {
      throw new IllegalArgumentException(
          "policy entry '" + entry + "': '" + text + "' is not a number");
    }
  }

  private String setting(String split, String key) {
    TreeMap<String, String> own = settings.get(split);
    if (own != null && own.containsKey(key)) {
      return own.get(key);
    }
    TreeMap<String, String> global = settings.get(GLOBAL);
    return global == null ? null : global.get(key);
  }

  /** How {@code signal} counts in {@code split}. */
  public Mode mode(String signal, String split) {
    if ("off".equals(setting(split, ALL))) {
      return Mode.OFF;
    }
    String m = setting(split, signal);
    return m == null ? Mode.GATE : Mode.valueOf(m.toUpperCase(Locale.ROOT));
  }

  /** The threshold of {@code signal} in {@code split}. */
  public double threshold(SignalSpec spec, String split) {
    String t = setting(split, spec.thresholdKey());
    return t == null ? spec.defaultThreshold() : Double.parseDouble(t);
  }

  /** The weight of {@code signal} (1 in weight mode without an explicit one, else 0). */
  public double weight(String signal, String split) {
    Mode mode = mode(signal, split);
    if (mode == Mode.OFF) {
      return 0;
    }
    Double w = weights.get(signal);
    return w != null ? w : mode == Mode.WEIGHT ? 1 : 0;
  }

  /** Whether {@code m} fails {@code spec}'s threshold in {@code split} (never when not judged). */
  public boolean fails(SignalSpec spec, Measure m, String split) {
    return m.judged() && spec.fails(m.value(), threshold(spec, split));
  }

  /** The gates {@code c} fails, as {@code "numbers (missing 1000; extra 13)"}, in name order. */
  public List<String> gateFailures(Candidate c) {
    List<String> out = new ArrayList<>();
    for (Map.Entry<String, Measure> e : c.quality().asMap().entrySet()) {
      SignalSpec spec = SignalSpec.KNOWN.get(e.getKey());
      if (spec != null && mode(spec.name(), c.split()) == Mode.GATE
          && fails(spec, e.getValue(), c.split())) {
        String detail = e.getValue().detail();
        out.add(detail.isEmpty() ? spec.name() : spec.name() + " (" + detail + ")");
      }
    }
    return out;
  }

  /** {Σ w·score, Σ w} over the weighted signals of {@code c}. */
  public double[] weightedScore(Candidate c) {
    double sum = 0;
    double weight = 0;
    for (Map.Entry<String, Measure> e : c.quality().asMap().entrySet()) {
      SignalSpec spec = SignalSpec.KNOWN.get(e.getKey());
      if (spec == null) {
        continue;
      }
      double w = weight(spec.name(), c.split());
      if (w > 0) {
        weight += w;
        sum += fails(spec, e.getValue(), c.split()) ? 0 : w;
      }
    }
    return new double[] {sum, weight};
  }

  /** Whether any signal weighs into rank_score. */
  public boolean weighs() {
    return weights.values().stream().anyMatch(w -> w > 0) || settings.values().stream()
        .anyMatch(m -> m.containsValue("weight"));
  }

  /** The entries that {@link #with} turns back into an equal policy. */
  public List<String> toSpecEntries() {
    List<String> out = new ArrayList<>();
    settings.forEach((scope, m) -> m.forEach((k, v) ->
        out.add((scope.isEmpty() ? "" : scope + ":") + k + "=" + v)));
    weights.forEach((signal, w) -> out.add("w-" + signal + "=" + dev.tarjama.transforms.rank
        .Thresholds.format(w)));
    return out;
  }

  /** Every signal with its mode, threshold and weight, globally and for each split named. */
  public ObjectNode toJsonNode() {
    ObjectNode node = JSON.createObjectNode();
    describe(node.putObject("signals"), GLOBAL);
    ObjectNode splits = node.putObject("per_split");
    for (String split : settings.keySet()) {
      if (!split.isEmpty()) {
        describe(splits.putObject(split), split);
      }
    }
    return node;
  }

  private void describe(ObjectNode node, String split) {
    for (SignalSpec spec : SignalSpec.KNOWN.values()) {
      ObjectNode s = node.putObject(spec.name());
      s.put("mode", mode(spec.name(), split).name().toLowerCase(Locale.ROOT));
      s.put(spec.failsAbove() ? "fails_above" : "fails_below", threshold(spec, split));
      s.put("weight", weight(spec.name(), split));
      s.put("what", spec.doc());
    }
  }

  /** One line for a person: the gates and what differs per split. */
  public String describe() {
    List<String> entries = toSpecEntries();
    return "quality gates: " + (entries.isEmpty() ? "the defaults" : String.join(",", entries));
  }

  @Override
  public boolean equals(Object o) {
    return o instanceof QualityPolicy q && settings.equals(q.settings) && weights.equals(q.weights);
  }

  @Override
  public int hashCode() {
    return Objects.hash(settings, weights);
  }
}
