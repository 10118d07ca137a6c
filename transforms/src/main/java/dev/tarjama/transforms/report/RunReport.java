package dev.tarjama.transforms.report;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.tarjama.models.openai.SpendingLimit;
import dev.tarjama.transforms.io.RecordJson;
import dev.tarjama.transforms.select.Selection;
import dev.tarjama.transforms.translate.TranslateChunks;
import java.util.Iterator;
import dev.tarjama.transforms.backend.BackendSpec;
import dev.tarjama.transforms.sweep.SweepTable;
import dev.tarjama.transforms.sweep.ThresholdSweep;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;

/**
 * The run report of {@code tarjama translate}: report.json for tools and report.md for a person.
 * Counts and means come from the pipeline's own summary ({@link RunStatistics}); calls, retries
 * and latencies from Beam metrics in the {@code tarjama} namespace ({@link RunCounters}). The
 * launcher gives what it was asked ({@link Settings}) and writes the files; every figure is made
 * here.
 */
public final class RunReport {
  /**
   * What the run was asked for, as the report records it: {@code --input}, {@code --output}, the
   * runner's name, whether {@code --id-field} was given, and {@code --max-cost} / {@code
   * --max-tokens} (0: no limit).
   */
  public record Settings(
      String input, String output, String runner, boolean idField, double maxCost,
      long maxTokens) {}

  private final ObjectNode root = RecordJson.MAPPER.createObjectNode();
  private final Settings settings;
  private RunStatistics stats = RunStatistics.empty();
  private Map<String, Long> counters = Map.of();

  private RunReport(Settings settings) {
    this.settings = settings;
  }

  public static RunReport translate(
      Settings settings,
      RunStatistics stats,
      Map<String, Long> counters,
      JsonNode policy,
      JsonNode calibration,
      double wallSeconds) {
    RunReport report = new RunReport(settings);
    report.stats = stats;
    report.counters = counters;
    ObjectNode root = report.root;
    root.put("command", "translate");
    root.put("input", settings.input());
    root.put("output", settings.output());
    root.put("runner", settings.runner());

    long read = (long) stats.get(RunStatistics.READ);
    long unreadable = (long) stats.get(RunStatistics.READ_FAILED);
    long deadLetter = (long) stats.get(RunStatistics.DEAD_LETTER);
    long chosen = 0;
    long rejected = 0;
    for (String split : stats.names("split")) {
      chosen += (long) stats.get("split", split, "chosen");
      rejected += (long) stats.get("split", split, "rejected");
    }
    ObjectNode counts = root.putObject("counts");
    counts.put("input", read + unreadable);
    counts.put("chosen", chosen);
    counts.put("rejected", rejected);
    counts.put("dead_letter", deadLetter);

    if (settings.idField()) {
      root.set("duplicate_ids", SharedIds.json(stats));
    }

    ObjectNode stages = root.putObject("dead_letter_by_stage");
    for (String stage : stats.names("dead_letter")) {
      stages.put(stage, (long) stats.get("dead_letter", stage, "count"));
    }
    // Damaged input regions (one dead letter each) whose original could be kept only in part.
    root.put("dead_letter_truncated_payloads", (long) stats.get(RunStatistics.TRUNCATED_PAYLOADS));

    ObjectNode splits = root.putObject("splits");
    for (String split : stats.names("split")) {
      ObjectNode s = splits.putObject(split);
      long c = (long) stats.get("split", split, "chosen");
      long r = (long) stats.get("split", split, "rejected");
      s.put("chosen", c);
      s.put("rejected", r);
      s.put("rejected_share", c + r == 0 ? 0.0 : (double) r / (c + r));
      if (c > 0) {
        s.put("LR_mean", stats.get("split", split, "lr_sum") / c);
        s.put("SCR_mean", stats.get("split", split, "scr_sum") / c);
        s.put("rank_score_mean", stats.get("split", split, "rank_score_sum") / c);
        double reward = stats.get("split", split, "reward_sum");
        if (reward != 0.0) {
          s.put("reward_mean", reward / c);
        }
      }
    }

    ObjectNode backends = root.putObject("backends");
    long tokensIn = 0;
    long tokensOut = 0;
    for (String backend : stats.names("backend")) {
      ObjectNode b = backends.putObject(backend);
      long wins = (long) stats.get("backend", backend, "wins");
      b.put("candidates", (long) stats.get("backend", backend, "candidates"));
      b.put("valid", (long) stats.get("backend", backend, "valid"));
      b.put("wins", wins);
      b.put("win_rate", chosen == 0 ? 0.0 : (double) wins / chosen);
      long in = (long) stats.get("backend", backend, "tokens_in");
      long out = (long) stats.get("backend", backend, "tokens_out");
      b.put("tokens_in", in);
      b.put("tokens_out", out);
      tokensIn += in;
      tokensOut += out;
      for (String metric :
          new String[] {"api_calls", "retries", "failures", "truncated", "truncation_retries",
            "truncated_after_retry", "budget_refused"}) {
        Long value = counters.get(TranslateChunks.metricName(backend, metric));
        if (value != null) {
          b.put(metric, value);
        }
      }
    }
    ObjectNode tokens = root.putObject("tokens");
    tokens.put("in", tokensIn);
    tokens.put("out", tokensOut);

    ObjectNode metrics = root.putObject("metrics");
    counters.forEach(metrics::put);
    root.set("policy", policy);
    root.set("r0", calibration);
    root.put("wall_time_s", Math.round(wallSeconds * 10) / 10.0);
    return report;
  }

  /** Counters of the cache and of deduplication, per backend (absent when none was counted). */
  public static final String[] SAVING_METRICS = {
    "cache_hits", "cache_misses", "tokens_saved", "cache_errors", "dedupe_copies",
    "dedupe_tokens_saved"
  };

  /**
   * Adds what the run did not pay for: the cache it used, the share of chunks that were
   * duplicates of another (sent once, copied), and per backend cache hits, misses and the tokens
   * the cache and deduplication saved (from the counters, exact on the DirectRunner and Flink).
   */
  public void cache(String cacheUri, boolean dedupe, boolean resumed) {
    ObjectNode savings = root.putObject("savings");
    savings.put("cache", cacheUri);
    savings.put("resumed", resumed);
    savings.put("dedupe", dedupe);
    long chunks = (long) stats.get(RunStatistics.CHUNKS);
    long duplicates = (long) stats.get(RunStatistics.DUPLICATE_CHUNKS);
    long chunkTokens = (long) stats.get(RunStatistics.CHUNK_TOKENS);
    long duplicateTokens = (long) stats.get(RunStatistics.DUPLICATE_CHUNK_TOKENS);
    savings.put("chunks", chunks);
    savings.put("duplicate_chunks", duplicates);
    savings.put("duplicate_share", chunks == 0 ? 0.0 : (double) duplicates / chunks);
    savings.put("duplicate_chunk_tokens", duplicateTokens);
    savings.put("duplicate_token_share",
        chunkTokens == 0 ? 0.0 : (double) duplicateTokens / chunkTokens);
    long saved = 0;
    for (Iterator<Map.Entry<String, JsonNode>> it = root.get("backends").fields(); it.hasNext(); ) {
      Map.Entry<String, JsonNode> e = it.next();
      ObjectNode b = (ObjectNode) e.getValue();
      for (String metric : SAVING_METRICS) {
        boolean on = metric.startsWith("dedupe") ? dedupe : !"none".equals(cacheUri);
        if (on) {
          // A counter never incremented is not reported by every runner: it is 0.
          b.put(metric, counters.getOrDefault(TranslateChunks.metricName(e.getKey(), metric), 0L));
        }
      }
      saved += b.path("tokens_saved").asLong() + b.path("dedupe_tokens_saved").asLong();
    }
    savings.put("tokens_saved", saved);
  }

  /**
   * Adds {@code cost_usd} to each API backend with a price ({@code price-in}/{@code price-out}),
   * at its tokens in and out, and the run's total {@code cost_usd}; nothing when no backend has a
   * price (a cost of 0 would claim the run was free).
   */
  public void withCosts(List<BackendSpec> backends) {
    double total = 0;
    boolean priced = false;
    for (BackendSpec backend : backends) {
      JsonNode b = root.path("backends").get(backend.label());
      if (backend.isLocal() || b == null || (backend.priceIn() == 0 && backend.priceOut() == 0)) {
        continue;
      }
      double cost = backend.costUsd(b.path("tokens_in").asLong(), b.path("tokens_out").asLong());
      ((ObjectNode) b).put("cost_usd", cost);
      total += cost;
      priced = true;
    }
    if (priced) {
      root.put("cost_usd", total);
    }
  }

  /**
   * The {@code budget} section, when {@code --max-cost} or {@code --max-tokens} was given or a
   * chunk was refused: the limits, what the API backends spent (their token counters at their
   * prices), and whether the limit stopped the run ({@code stopped}, {@code chunks_not_sent}: the
   * records of those chunks are dead letters "budget exhausted", replayable later). Spending is
   * counted per worker JVM, so on a distributed runner each worker stopped at the limit by itself.
   */
  public RunReport withBudget(
      List<BackendSpec> backends, Map<String, Long> counters, Path ledgerFile) {
    long notSent = 0;
    long tokens = 0;
    double cost = 0;
    for (BackendSpec backend : backends) {
      if (backend.isLocal()) {
        continue;
      }
      notSent += counters.getOrDefault(
          TranslateChunks.metricName(backend.label(), "budget_refused"), 0L);
      long in = counters.getOrDefault(TranslateChunks.metricName(backend.label(), "tokens_in"), 0L);
      long out =
          counters.getOrDefault(TranslateChunks.metricName(backend.label(), "tokens_out"), 0L);
      tokens += in + out;
      cost += backend.costUsd(in, out);
    }
    if (settings.maxCost() == 0 && settings.maxTokens() == 0 && notSent == 0) {
      return this;
    }
    ObjectNode budget = root.putObject("budget");
    budget.put("max_cost_usd", settings.maxCost());
    budget.put("max_tokens", settings.maxTokens());
    if (ledgerFile != null && Files.exists(ledgerFile)) {
      // Every paid attempt, bundles that failed and launches before a --resume included: what
      // counted against the limit. The counters above see committed bundles of this launch only.
      SpendingLimit.Spent spent = SpendingLimit.readLedgerFile(ledgerFile);
      budget.put("spent_usd", spent.usd());
      budget.put("spent_tokens", spent.tokens());
      budget.put("paid_attempts", spent.attempts());
      budget.put("launches", spent.launches());
      budget.put("ledger", ledgerFile.toString());
    } else {
      budget.put("spent_usd", cost);
      budget.put("spent_tokens", tokens);
    }
    budget.put("stopped", notSent > 0);
    budget.put("chunks_not_sent", notSent);
    budget.put("accounting", "per worker JVM");
    return this;
  }

  /** Whether {@code --max-cost} / {@code --max-tokens} stopped the run before every chunk was sent. */
  public boolean stoppedByBudget() {
    return root.path("budget").path("stopped").asBoolean(false);
  }

  public ObjectNode json() {
    return root;
  }

  /**
   * Adds source selection to the report when it was active: {@code counts.not_selected} and a
   * {@code selection} section (its configuration, not-selected counts by reason, input and selected
   * per split, target, available and selected per stratum). Without selection the report keeps
   * its old shape.
   */
  public RunReport withSelection(Selection selection, RunStatistics stats) {
    if (selection.isActive()) {
      ((ObjectNode) root.get("counts")).put("not_selected", (long) stats.get(RunStatistics.NOT_SELECTED));
      root.set("selection", selectionJson(selection, stats));
    }
    return this;
  }

  static ObjectNode selectionJson(Selection selection, RunStatistics stats) {
    ObjectNode node = RecordJson.MAPPER.createObjectNode();
    node.set("config", selection.toJson());
    ObjectNode reasons = node.putObject("not_selected");
    for (String reason : stats.names("not_selected")) {
      reasons.put(reason, (long) stats.get("not_selected", reason, "count"));
    }
    ObjectNode splits = node.putObject("splits");
    for (String split : stats.names("selection_split")) {
      ObjectNode s = splits.putObject(split);
      s.put("input", (long) stats.get("selection_split", split, "input"));
      s.put("selected", (long) stats.get("selection_split", split, "selected"));
      long quota = selection.splitQuota(split);
      if (quota >= 0) {
        s.put("quota", quota);
      }
    }
    if (selection.hasStrata()) {
      ObjectNode strata = node.putObject("strata");
      Map<String, Long> targets = selection.targets();
      java.util.TreeSet<String> names = new java.util.TreeSet<>(targets.keySet());
      names.addAll(stats.names("selection_stratum"));
      for (String stratum : targets.keySet().isEmpty() ? names : orderedStrata(targets, names)) {
        ObjectNode s = strata.putObject(stratum);
        Long target = targets.get(stratum);
        if (target == null || target < 0) {
          s.putNull("target");
        } else {
          s.put("target", target);
        }
        s.put("available", (long) stats.get("selection_stratum", stratum, "available"));
        s.put("selected", (long) stats.get("selection_stratum", stratum, "selected"));
      }
    }
    return node;
  }

  /** The configured strata in their own order, then any other seen, sorted. */
  private static Iterable<String> orderedStrata(Map<String, Long> targets, java.util.Set<String> all) {
    java.util.LinkedHashSet<String> ordered = new java.util.LinkedHashSet<>(targets.keySet());
    ordered.addAll(all);
    return ordered;
  }

  /**
   * input = chosen + rejected + dead_letter (+ not_selected with source selection), or a message
   * saying what does not add up.
   */
  public String countsProblem() {
    JsonNode c = root.get("counts");
    long input = c.get("input").asLong();
    long notSelected = c.path("not_selected").asLong(0);
    long sum = c.get("chosen").asLong() + c.get("rejected").asLong() + c.get("dead_letter").asLong()
        + notSelected;
    return input == sum
        ? null
        : String.format(
            Locale.ROOT,
            "counts do not add up: input %d != chosen %d + rejected %d + dead_letter %d%s",
            input, c.get("chosen").asLong(), c.get("rejected").asLong(),
            c.get("dead_letter").asLong(),
            c.has("not_selected") ? " + not_selected " + notSelected : "");
  }

  public String markdown() {
    StringBuilder md = new StringBuilder();
    JsonNode c = root.get("counts");
    md.append("# Tarjama run report\n\n");
    md.append("- input: `").append(root.path("input").asText()).append("`\n");
    md.append("- output: `").append(root.path("output").asText()).append("`\n");
    md.append("- runner: ").append(root.path("runner").asText()).append('\n');
    md.append("- wall time: ").append(root.path("wall_time_s").asText()).append(" s\n\n");
    if (c.has("not_selected")) {
      md.append("## Records\n\n| input | chosen | rejected | dead letter | not selected |\n"
          + "|---:|---:|---:|---:|---:|\n");
      md.append(String.format(Locale.ROOT, "| %d | %d | %d | %d | %d |\n\n",
          c.get("input").asLong(), c.get("chosen").asLong(), c.get("rejected").asLong(),
          c.get("dead_letter").asLong(), c.get("not_selected").asLong()));
    } else {
      md.append("## Records\n\n| input | chosen | rejected | dead letter |\n|---:|---:|---:|---:|\n");
      md.append(String.format(Locale.ROOT, "| %d | %d | %d | %d |\n\n",
          c.get("input").asLong(), c.get("chosen").asLong(), c.get("rejected").asLong(),
          c.get("dead_letter").asLong()));
    }
    DeadLetterReasons.byStage(md, root.get("dead_letter_by_stage"));
    if (root.has("duplicate_ids")) {
      md.append(SharedIds.markdown(root.get("duplicate_ids"))).append('\n');
    }
    JsonNode budget = root.get("budget");
    if (budget != null) {
      md.append("## Budget\n\n");
      if (budget.get("stopped").asBoolean()) {
        md.append(String.format(Locale.ROOT,
            "**Stopped by the budget** (%s): %d chunks were not sent; their records are dead "
                + "letters \"budget exhausted\" and can be run again later.\n\n",
            limits(budget), budget.get("chunks_not_sent").asLong()));
      } else {
        md.append("Within the budget (").append(limits(budget)).append(").\n\n");
      }
      md.append(String.format(Locale.ROOT,
          "Spent: %.4f USD, %d tokens (API backends, at their prices; counted per worker JVM).%n%n",
          budget.get("spent_usd").asDouble(), budget.get("spent_tokens").asLong()));
    }
    md.append("## Splits\n\n| split | chosen | rejected | rejected share | LR | SCR | rank_score |\n");
    md.append("|---|---:|---:|---:|---:|---:|---:|\n");
    root.get("splits").fields().forEachRemaining(e -> {
      JsonNode s = e.getValue();
      md.append(String.format(Locale.ROOT, "| %s | %d | %d | %.1f%% | %s | %s | %s |\n",
          e.getKey(), s.get("chosen").asLong(), s.get("rejected").asLong(),
          100 * s.get("rejected_share").asDouble(), fmt(s.get("LR_mean")),
          fmt(s.get("SCR_mean")), fmt(s.get("rank_score_mean"))));
    });
    md.append("\n## Backends\n\n| backend | candidates | valid | wins | win rate | API calls | retries | tokens in | tokens out |\n");
    md.append("|---|---:|---:|---:|---:|---:|---:|---:|---:|\n");
    root.get("backends").fields().forEachRemaining(e -> {
      JsonNode b = e.getValue();
      md.append(String.format(Locale.ROOT, "| %s | %d | %d | %d | %.1f%% | %s | %s | %d | %d |\n",
          e.getKey(), b.get("candidates").asLong(),
          b.get("valid").asLong(), b.get("wins").asLong(), 100 * b.get("win_rate").asDouble(),
          b.path("api_calls").asText("-"), b.path("retries").asText("-"),
          b.get("tokens_in").asLong(), b.get("tokens_out").asLong()));
    });
    if (root.has("selection")) {
      selectionMarkdown(md, root.get("selection"));
    }
    JsonNode savings = root.get("savings");
    if (savings != null) {
      md.append(String.format(Locale.ROOT,
          "\n## Never paying twice\n\n- cache: `%s`%s\n- duplicate chunks: %d of %d (%.1f%%; "
              + "%.1f%% of chunk tokens), translated once and copied\n- tokens saved: %d\n\n",
          savings.get("cache").asText(), savings.get("resumed").asBoolean() ? " (resumed run)" : "",
          savings.get("duplicate_chunks").asLong(), savings.get("chunks").asLong(),
          100 * savings.get("duplicate_share").asDouble(),
          100 * savings.get("duplicate_token_share").asDouble(),
          savings.get("tokens_saved").asLong()));
      md.append("| backend | cache hits | cache misses | tokens saved by cache | copies of "
          + "duplicates | tokens saved by dedupe |\n|---|---:|---:|---:|---:|---:|\n");
      root.get("backends").fields().forEachRemaining(e -> {
        JsonNode b = e.getValue();
        md.append(String.format(Locale.ROOT, "| %s | %s | %s | %s | %s | %s |\n", e.getKey(),
            b.path("cache_hits").asText("-"), b.path("cache_misses").asText("-"),
            b.path("tokens_saved").asText("-"), b.path("dedupe_copies").asText("-"),
            b.path("dedupe_tokens_saved").asText("-")));
      });
    }
    md.append("\n## Policy\n\n```json\n").append(root.get("policy").toPrettyString())
        .append("\n```\n\n## r0 (LR calibration)\n\n```json\n")
        .append(root.get("r0").toPrettyString()).append("\n```\n");
    return md.toString();
  }

  static void selectionMarkdown(StringBuilder md, JsonNode selection) {
    md.append("\n## Source selection\n\nNot selected (not dead letters): ");
    JsonNode reasons = selection.get("not_selected");
    if (reasons.size() == 0) {
      md.append("none");
    }
    reasons.fields().forEachRemaining(
        e -> md.append(e.getKey()).append(' ').append(e.getValue().asLong()).append("; "));
    md.append("\n\n| split | input | quota | selected |\n|---|---:|---:|---:|\n");
    selection.get("splits").fields().forEachRemaining(e -> md.append(String.format(Locale.ROOT,
        "| %s | %d | %s | %d |\n", e.getKey(), e.getValue().get("input").asLong(),
        e.getValue().path("quota").asText("-"), e.getValue().get("selected").asLong())));
    if (selection.has("strata")) {
      md.append("\n| stratum | target | available | selected |\n|---|---:|---:|---:|\n");
      selection.get("strata").fields().forEachRemaining(e -> {
        JsonNode s = e.getValue();
        md.append(String.format(Locale.ROOT, "| %s | %s | %d | %d |\n",
            e.getKey().isEmpty() ? "-" : e.getKey(),
            s.get("target").isNull() ? "-" : s.get("target").asText(),
            s.get("available").asLong(), s.get("selected").asLong()));
      });
    }
    md.append("\n```json\n").append(selection.get("config").toPrettyString()).append("\n```\n");
  }

  /** Every record that was to be translated is a dead letter (and there was at least one). */
  public static boolean everyRecordDead(JsonNode counts) {
    long translatable = counts.path("input").asLong() - counts.path("not_selected").asLong(0);
    return translatable > 0 && counts.path("dead_letter").asLong() == translatable;
  }

  /**
   * report.html from report.json's content, the run summary's histograms, the sweep and sample
   * summaries the pipeline wrote (empty objects when it wrote none), the launcher's timeline, the
   * API backends' prices and the provenance.
   */
  public static String html(JsonNode json, RunStatistics stats, JsonNode sweepSummary,
      ThresholdSweep sweep, JsonNode sampleSummary, Timeline timeline, List<BackendSpec> backends,
      JsonNode provenance) throws IOException {
    String sweepSvg = null;
    if (sweepSummary.size() > 0) {
      SweepTable table = SweepTable.parse(sweepSummary.toString(), sweep);
      if (!table.rows().isEmpty()) {
        sweepSvg = table.svg();
      }
    }
    Map<String, double[]> prices = new TreeMap<>();
    for (BackendSpec b : backends) {
      if (!b.isLocal()) {
        prices.put(b.label(), new double[] {b.priceIn(), b.priceOut()});
      }
    }
    return ReportHtml.of(json)
        .withDistributions(Distributions.read(stats))
        .withSweep(sweepSvg)
        .withSample(sampleSummary)
        .withTimeline(timeline.samples(), prices)
        .withProvenance(provenance)
        .html();
  }

  private static String limits(JsonNode budget) {
    StringBuilder s = new StringBuilder();
    if (budget.get("max_cost_usd").asDouble() > 0) {
      s.append("--max-cost=").append(budget.get("max_cost_usd").asText()).append(" USD");
    }
    if (budget.get("max_tokens").asLong() > 0) {
      s.append(s.isEmpty() ? "" : ", ").append("--max-tokens=")
          .append(budget.get("max_tokens").asLong());
    }
    return s.isEmpty() ? "no limit" : s.toString();
  }

  private static String fmt(JsonNode value) {
    return value == null ? "-" : String.format(Locale.ROOT, "%.3f", value.asDouble());
  }
}
