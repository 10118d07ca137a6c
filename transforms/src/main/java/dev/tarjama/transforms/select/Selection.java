package dev.tarjama.transforms.select;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.tarjama.transforms.io.RecordJson;
import java.io.Serializable;
import java.util.ArrayList;
import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.TreeSet;
import java.util.regex.Pattern;

/**
 * What {@link SelectRecords} keeps of a source dataset (SmolKalam's and Hala's source selection).
 * Immutable and Serializable; every {@code with…} method returns a copy. {@link #none()} keeps
 * everything.
 *
 * <p>In order, a record is dropped by:
 *
 * <ol>
 *   <li><b>language</b> ({@link #withKeepLanguages}): the record's prose (text fields of every role
 *       but tool results, protected spans such as code, math, URLs and tool calls removed) is
 *       identified by a fastText model; a record confidently identified (probability ≥ {@link
 *       #withMinLanguageProbability}, default 0.5) as a language outside the kept set is dropped.
 *       A record with no letters or an unsure prediction is kept. Hala kept English only for Tulu
 *       3.
 *   <li><b>code</b> ({@link #withoutCodeSamples}): its code share — characters inside fenced code
 *       blocks (``` or ~~~, fences included) ÷ non-whitespace characters of its text fields — is
 *       above the maximum (default 0: any fenced code block makes a code sample). Hala dropped
 *       code samples from Hermes 3.
 *   <li><b>category</b>: with {@link #withStratify ratios}, a record whose category is none of the
 *       ratio's categories.
 *   <li><b>split_quota</b> ({@link #withSplitQuotas}): at most N records per split (exact name, or
 *       a {@code *} pattern; the first matching pattern in order; a split no entry matches is not
 *       limited).
 *   <li><b>quota</b>: at most the target of its <em>stratum</em>. Strata cross the mode ({@code
 *       think} / {@code no_think}, when {@link #withModeQuotas} is set) with the category (when
 *       {@link #withStratify} is set): {@code think/math}, {@code no_think}, {@code code}, … A mode
 *       quota is shared out over the categories by the ratios (largest remainder), or the {@link
 *       #withTotal total} is when no mode quota is set. A mode without a quota is not limited.
 * </ol>
 *
 * <p>Quotas keep, per split or stratum, the records with the lowest {@link SelectionRank rank}: a
 * keyed hash of (seed, record id). The selection is therefore the same on every runner and for
 * every arrival order, and changes with the seed. A stratum with fewer records than its target
 * keeps them all (its shortfall shows in the report); targets are not moved between strata.
 *
 * <p>A record is {@code think} when its {@code chat_template_kwargs.enable_thinking} is true
 * (SmolTalk2), {@code no_think} when it is false; without that flag, when it has reasoning (a typed
 * reasoning part or {@code <think>} in an assistant turn). Its category is the value of {@link
 * #withCategoryField the category field} (a top-level name or a JSON Pointer), else its split,
 * mapped through {@link #withCategories} ({@code *} patterns, first match; unmapped values are
 * their own category).
 */
public final class Selection implements Serializable {
  private static final long serialVersionUID = 1L;

  public static final String THINK = "think";
  public static final String NO_THINK = "no_think";
  /** Not selected because of the record's language. */
  public static final String LANGUAGE = "language";
  /** Not selected because the record is a code sample. */
  public static final String CODE = "code";
  /** Not selected because the record's category takes no part in the ratios. */
  public static final String CATEGORY = "category";
  /** Not selected because its split's quota was full. */
  public static final String SPLIT_QUOTA = "split_quota";
  /** Not selected because its stratum's target was full. */
  public static final String QUOTA = "quota";

  private static final Selection NONE =
      new Selection(new LinkedHashMap<>(), -1, -1, new LinkedHashMap<>(), -1, null,
          new LinkedHashMap<>(), new TreeSet<>(), null, 0.5, false, 0.0, 0L);

  private final LinkedHashMap<String, Long> splitQuotas;
  private final long thinkQuota;
  private final long noThinkQuota;
  private final LinkedHashMap<String, Long> ratios;
  private final long total;
  private final String categoryField;
  private final LinkedHashMap<String, String> categories;
  private final TreeSet<String> keepLanguages;
  private final String languageModel;
  private final double minLanguageProbability;
  private final boolean dropCodeSamples;
  private final double maxCodeShare;
  private final long seed;

  // Derived once per instance (and per worker after deserialization): asked for every record.
  private transient volatile LinkedHashMap<String, Long> targetsCache;
  private transient volatile Map<String, Pattern> patternCache;

  private Selection(
      Map<String, Long> splitQuotas, long thinkQuota, long noThinkQuota, Map<String, Long> ratios,
      long total, String categoryField, Map<String, String> categories,
      Collection<String> keepLanguages, String languageModel, double minLanguageProbability,
      boolean dropCodeSamples, double maxCodeShare, long seed) {
    this.splitQuotas = new LinkedHashMap<>(splitQuotas);
    this.thinkQuota = thinkQuota;
    this.noThinkQuota = noThinkQuota;
    this.ratios = new LinkedHashMap<>(ratios);
    this.total = total;
    this.categoryField = categoryField;
    this.categories = new LinkedHashMap<>(categories);
    this.keepLanguages = new TreeSet<>(keepLanguages);
    this.languageModel = languageModel;
    this.minLanguageProbability = minLanguageProbability;
    this.dropCodeSamples = dropCodeSamples;
    this.maxCodeShare = maxCodeShare;
    this.seed = seed;
  }

  private Selection copy(
      Map<String, Long> splitQuotas, long thinkQuota, long noThinkQuota, Map<String, Long> ratios,
      long total, String categoryField, Map<String, String> categories,
      Collection<String> keepLanguages, String languageModel, double minLanguageProbability,
      boolean dropCodeSamples, double maxCodeShare, long seed) {
    return new Selection(splitQuotas, thinkQuota, noThinkQuota, ratios, total, categoryField,
        categories, keepLanguages, languageModel, minLanguageProbability, dropCodeSamples,
        maxCodeShare, seed);
  }

  /** Keeps every record. */
  public static Selection none() {
    return NONE;
  }

  /**
   * At most N records per split: {@code "gsm8k_think=50,OpenThoughts3*=1000"} (blank = none).
   *
   * @throws IllegalArgumentException naming the entry that is not {@code split=N} with N ≥ 0
   */
  public Selection withSplitQuotas(String spec) {
    LinkedHashMap<String, Long> quotas = new LinkedHashMap<>();
    for (String entry : entries(spec)) {
      int eq = entry.lastIndexOf('=');
      if (eq <= 0) {
        throw new IllegalArgumentException("quota entry '" + entry + "' is not SPLIT=N");
      }
      quotas.put(entry.substring(0, eq).trim(), count("quota entry '" + entry + "'",
          entry.substring(eq + 1)));
    }
    return copy(quotas, thinkQuota, noThinkQuota, ratios, total, categoryField, categories,
        keepLanguages, languageModel, minLanguageProbability, dropCodeSamples, maxCodeShare, seed);
  }

  /**
   * At most {@code think} reasoning records and {@code noThink} others (SmolKalam: 50,000 and
   * 180,000); null = that mode is not limited.
   */
  public Selection withModeQuotas(Long think, Long noThink) {
    long t = think == null ? -1 : checkCount("think quota", think);
    long n = noThink == null ? -1 : checkCount("no-think quota", noThink);
    return copy(splitQuotas, t, n, ratios, total, categoryField, categories, keepLanguages,
        languageModel, minLanguageProbability, dropCodeSamples, maxCodeShare, seed);
  }

  /**
   * Category ratios, {@code "code:science:math=1:1:2"} (blank = none): each mode quota (or the
   * total) is shared out in these proportions; records of other categories are not selected.
   */
  public Selection withStratify(String spec) {
    LinkedHashMap<String, Long> r = new LinkedHashMap<>();
    if (spec != null && !spec.isBlank()) {
      int eq = spec.indexOf('=');
      if (eq <= 0) {
        throw new IllegalArgumentException(
            "stratify '" + spec + "' is not CATEGORY:CATEGORY…=N:N…, e.g. code:science:math=1:1:2");
      }
      String[] names = spec.substring(0, eq).split(":");
      String[] weights = spec.substring(eq + 1).split(":");
      if (names.length != weights.length) {
        throw new IllegalArgumentException("stratify '" + spec + "' names " + names.length
            + " categories but gives " + weights.length + " ratios");
      }
      for (int i = 0; i < names.length; i++) {
        String name = names[i].trim();
        if (name.isEmpty() || r.containsKey(name)) {
          throw new IllegalArgumentException(
              "stratify '" + spec + "': empty or repeated category '" + name + "'");
        }
        long w = count("stratify '" + spec + "'", weights[i]);
        if (w == 0) {
          throw new IllegalArgumentException("stratify '" + spec + "': ratio of " + name + " is 0");
        }
        r.put(name, w);
      }
    }
    return copy(splitQuotas, thinkQuota, noThinkQuota, r, total, categoryField, categories,
        keepLanguages, languageModel, minLanguageProbability, dropCodeSamples, maxCodeShare, seed);
  }

  /** How many records the ratios share out when no mode quota is set; null = none. */
  public Selection withTotal(Long total) {
    long t = total == null ? -1 : checkCount("select total", total);
    return copy(splitQuotas, thinkQuota, noThinkQuota, ratios, t, categoryField, categories,
        keepLanguages, languageModel, minLanguageProbability, dropCodeSamples, maxCodeShare, seed);
  }

  /** The record field that holds its category (a name or a JSON Pointer); null = the split. */
  public Selection withCategoryField(String field) {
    String f = field == null || field.isBlank() ? null : field.trim();
    return copy(splitQuotas, thinkQuota, noThinkQuota, ratios, total, f, categories,
        keepLanguages, languageModel, minLanguageProbability, dropCodeSamples, maxCodeShare, seed);
  }

  /**
   * Maps split names (or category-field values) to categories: {@code
   * "OpenThoughts3*=math,*python*=code"} ({@code *} matches any text; first match wins).
   */
  public Selection withCategories(String spec) {
    LinkedHashMap<String, String> map = new LinkedHashMap<>();
    for (String entry : entries(spec)) {
      int eq = entry.lastIndexOf('=');
      if (eq <= 0 || entry.substring(eq + 1).isBlank()) {
        throw new IllegalArgumentException("category entry '" + entry + "' is not PATTERN=CATEGORY");
      }
      map.put(entry.substring(0, eq).trim(), entry.substring(eq + 1).trim());
    }
    return copy(splitQuotas, thinkQuota, noThinkQuota, ratios, total, categoryField, map,
        keepLanguages, languageModel, minLanguageProbability, dropCodeSamples, maxCodeShare, seed);
  }

  /**
   * Keeps records in these languages only (fastText codes, e.g. {@code en}), identified by the
   * fastText model at {@code modelPath} (e.g. {@code lid.176.ftz}; local or any Beam file system).
   */
  public Selection withKeepLanguages(Collection<String> languages, String modelPath) {
    TreeSet<String> langs = new TreeSet<>();
    for (String l : languages) {
      if (!l.isBlank()) {
        langs.add(l.trim().toLowerCase(Locale.ROOT));
      }
    }
    if (!langs.isEmpty() && (modelPath == null || modelPath.isBlank())) {
      throw new IllegalArgumentException(
          "keeping languages " + langs + " needs a language-ID model (--langid-model=lid.176.ftz)");
    }
    return copy(splitQuotas, thinkQuota, noThinkQuota, ratios, total, categoryField, categories,
        langs, langs.isEmpty() ? null : modelPath, minLanguageProbability, dropCodeSamples,
        maxCodeShare, seed);
  }

  /** How sure the model must be before a record is dropped for its language (default 0.5). */
  public Selection withMinLanguageProbability(double p) {
    if (!(p >= 0 && p <= 1)) {
      throw new IllegalArgumentException("min language probability must be in [0, 1], got " + p);
    }
    return copy(splitQuotas, thinkQuota, noThinkQuota, ratios, total, categoryField, categories,
        keepLanguages, languageModel, p, dropCodeSamples, maxCodeShare, seed);
  }

  /** Drops code samples: records whose code share is above {@code maxCodeShare} (0 = any fence). */
  public Selection withoutCodeSamples(double maxCodeShare) {
    if (!(maxCodeShare >= 0 && maxCodeShare < 1)) {
      throw new IllegalArgumentException("max code share must be in [0, 1), got " + maxCodeShare);
    }
    return copy(splitQuotas, thinkQuota, noThinkQuota, ratios, total, categoryField, categories,
        keepLanguages, languageModel, minLanguageProbability, true, maxCodeShare, seed);
  }

  /** The seed of the ranking hash (default 0). */
  public Selection withSeed(long seed) {
    return copy(splitQuotas, thinkQuota, noThinkQuota, ratios, total, categoryField, categories,
        keepLanguages, languageModel, minLanguageProbability, dropCodeSamples, maxCodeShare, seed);
  }

  /**
   * Checks that the parts fit together.
   *
   * @throws IllegalArgumentException when ratios have nothing to share out, or a total is given
   *     next to mode quotas (which one would apply?)
   */
  public Selection validated() {
    boolean modes = thinkQuota >= 0 || noThinkQuota >= 0;
    if (!ratios.isEmpty() && !modes && total < 0) {
      throw new IllegalArgumentException(
          "stratify ratios need something to share out: --think/--no-think quotas or --select-total");
    }
    if (total >= 0 && modes) {
      throw new IllegalArgumentException(
          "--select-total is shared out by the ratios only without --think/--no-think quotas");
    }
    if (total >= 0 && ratios.isEmpty()) {
      throw new IllegalArgumentException("--select-total needs --stratify ratios to share it out");
    }
    return this;
  }

  /** False for {@link #none()}: the pipeline then applies no selection at all. */
  public boolean isActive() {
    return !splitQuotas.isEmpty() || thinkQuota >= 0 || noThinkQuota >= 0 || !ratios.isEmpty()
        || !keepLanguages.isEmpty() || dropCodeSamples;
  }

  public boolean filtersLanguage() {
    return !keepLanguages.isEmpty();
  }

  public TreeSet<String> keepLanguages() {
    return new TreeSet<>(keepLanguages);
  }

  /** Whether records identified as {@code language} are kept by the language filter. */
  public boolean keepsLanguage(String language) {
    return keepLanguages.contains(language);
  }

  public String languageModel() {
    return languageModel;
  }

  public double minLanguageProbability() {
    return minLanguageProbability;
  }

  public boolean dropsCodeSamples() {
    return dropCodeSamples;
  }

  public double maxCodeShare() {
    return maxCodeShare;
  }

  public long seed() {
    return seed;
  }

  public String categoryField() {
    return categoryField;
  }

  public boolean hasSplitQuotas() {
    return !splitQuotas.isEmpty();
  }

  /** The strata are crossed with the mode. */
  public boolean byMode() {
    return thinkQuota >= 0 || noThinkQuota >= 0;
  }

  /** The strata are crossed with the category. */
  public boolean byCategory() {
    return !ratios.isEmpty();
  }

  public boolean hasStrata() {
    return byMode() || byCategory();
  }

  /** The largest per-split quota (0 when none is set). */
  public long largestSplitQuota() {
    return splitQuotas.values().stream().mapToLong(Long::longValue).max().orElse(0);
  }

  /** The quota of {@code split}, or -1 when no entry limits it. */
  public long splitQuota(String split) {
    Long exact = splitQuotas.get(split);
    if (exact != null) {
      return exact;
    }
    for (Map.Entry<String, Long> e : splitQuotas.entrySet()) {
      if (pattern(e.getKey()).matcher(split).matches()) {
        return e.getValue();
      }
    }
    return -1;
  }

  /** {@code value} (a split name or category-field value) mapped to its category. */
  public String categoryOf(String value) {
    String exact = categories.get(value);
    if (exact != null) {
      return exact;
    }
    for (Map.Entry<String, String> e : categories.entrySet()) {
      if (pattern(e.getKey()).matcher(value).matches()) {
        return e.getValue();
      }
    }
    return value;
  }

  /** Whether records of {@code category} take part (always, without ratios). */
  public boolean usesCategory(String category) {
    return ratios.isEmpty() || ratios.containsKey(category);
  }

  /** The stratum of a record, e.g. {@code think/math}; "" when the selection has no strata. */
  public String stratum(String mode, String category) {
    if (byMode() && byCategory()) {
      return mode + "/" + category;
    }
    return byMode() ? mode : byCategory() ? category : "";
  }

  /**
   * Every stratum with its target (-1 = not limited), in a stable order: modes think, no_think,
   * then categories in ratio order.
   */
  public LinkedHashMap<String, Long> targets() {
    LinkedHashMap<String, Long> cached = targetsCache;
    if (cached == null) {
      cached = computeTargets();
      targetsCache = cached;
    }
    return new LinkedHashMap<>(cached);
  }

  /** The target of {@code stratum}, or -1 when it is not limited or not a stratum. */
  public long target(String stratum) {
    if (targetsCache == null) {
      targets();
    }
    Long t = targetsCache.get(stratum);
    return t == null ? -1 : t;
  }

  private LinkedHashMap<String, Long> computeTargets() {
    LinkedHashMap<String, Long> targets = new LinkedHashMap<>();
    if (byMode()) {
      for (String mode : List.of(THINK, NO_THINK)) {
        long quota = mode.equals(THINK) ? thinkQuota : noThinkQuota;
        if (byCategory()) {
          LinkedHashMap<String, Long> share = quota < 0 ? null : shareOut(quota);
          for (String category : ratios.keySet()) {
            targets.put(stratum(mode, category), share == null ? -1L : share.get(category));
          }
        } else {
          targets.put(mode, quota);
        }
      }
    } else if (byCategory()) {
      targets.putAll(shareOut(total));
    }
    return targets;
  }

  /** {@code n} shared out by the ratios, largest remainder (ties: ratio order), summing to n. */
  LinkedHashMap<String, Long> shareOut(long n) {
    long weightSum = ratios.values().stream().mapToLong(Long::longValue).sum();
    LinkedHashMap<String, Long> share = new LinkedHashMap<>();
    List<String> names = new ArrayList<>(ratios.keySet());
    long given = 0;
    double[] remainders = new double[names.size()];
    for (int i = 0; i < names.size(); i++) {
      long w = ratios.get(names.get(i));
      long base = Math.floorDiv(Math.multiplyExact(n, w), weightSum);
      share.put(names.get(i), base);
      given += base;
      remainders[i] = (double) (n * w - base * weightSum) / weightSum;
    }
    List<Integer> order = new ArrayList<>();
    for (int i = 0; i < names.size(); i++) {
      order.add(i);
    }
    order.sort((a, b) -> Double.compare(remainders[b], remainders[a]));
    for (int k = 0; given < n; k++, given++) {
      String name = names.get(order.get(k % names.size()));
      share.put(name, share.get(name) + 1);
    }
    return share;
  }

  /** For the run report: every part of the selection, and the strata targets. */
  public ObjectNode toJson() {
    ObjectNode node = RecordJson.MAPPER.createObjectNode();
    node.put("seed", seed);
    ObjectNode quotas = node.putObject("split_quotas");
    splitQuotas.forEach(quotas::put);
    ObjectNode modes = node.putObject("mode_quotas");
    if (thinkQuota >= 0) {
      modes.put(THINK, thinkQuota);
    }
    if (noThinkQuota >= 0) {
      modes.put(NO_THINK, noThinkQuota);
    }
    ObjectNode r = node.putObject("ratios");
    ratios.forEach(r::put);
    if (total >= 0) {
      node.put("total", total);
    }
    node.put("category_from", categoryField == null ? "split" : "field " + categoryField);
    ObjectNode map = node.putObject("categories");
    categories.forEach(map::put);
    ObjectNode language = node.putObject("language");
    ArrayNode keep = language.putArray("keep");
    keepLanguages.forEach(keep::add);
    if (languageModel != null) {
      language.put("model", languageModel);
      language.put("min_probability", minLanguageProbability);
    }
    ObjectNode code = node.putObject("code_samples");
    code.put("drop", dropCodeSamples);
    if (dropCodeSamples) {
      code.put("max_code_share", maxCodeShare);
    }
    ObjectNode t = node.putObject("strata_targets");
    targets().forEach((s, n) -> {
      if (n < 0) {
        t.putNull(s);
      } else {
        t.put(s, n);
      }
    });
    return node;
  }

  private static List<String> entries(String spec) {
    List<String> out = new ArrayList<>();
    if (spec == null) {
      return out;
    }
    for (String raw : spec.split(",")) {
      if (!raw.isBlank()) {
        out.add(raw.trim());
      }
    }
    return out;
  }

  private static long count(String what, String text) {
    try {
      return checkCount(what, Long.parseLong(text.trim().replace("_", "")));
    } catch (NumberFormatException e) {
      throw new IllegalArgumentException(what + ": '" + text.trim() + "' is not a whole number");
    }
  }

  private static long checkCount(String what, long n) {
    if (n < 0) {
      throw new IllegalArgumentException(what + " must be >= 0, got " + n);
    }
    return n;
  }

  private Pattern pattern(String glob) {
    Map<String, Pattern> cache = patternCache;
    if (cache == null) {
      cache = new java.util.concurrent.ConcurrentHashMap<>();
      patternCache = cache;
    }
    return cache.computeIfAbsent(glob, Selection::glob);
  }

  /** A pattern where {@code *} matches any text and everything else matches itself. */
  static Pattern glob(String pattern) {
    String[] parts = pattern.split("\\*", -1);
    StringBuilder regex = new StringBuilder();
    for (int i = 0; i < parts.length; i++) {
      if (i > 0) {
        regex.append(".*");
      }
      regex.append(Pattern.quote(parts[i]));
    }
    return Pattern.compile(regex.toString(), Pattern.DOTALL);
  }

  @Override
  public boolean equals(Object o) {
    return o instanceof Selection s && toJson().equals(s.toJson());
  }

  @Override
  public int hashCode() {
    return Objects.hash(toJson().toString());
  }

  @Override
  public String toString() {
    return toJson().toString();
  }
}
