package dev.tarjama.pipelines;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.tarjama.transforms.io.JsonPointers;
import dev.tarjama.transforms.io.RecordJson;
import dev.tarjama.transforms.report.RunStatistics;
import dev.tarjama.transforms.translate.TranslateChunks;
import dev.tarjama.transforms.translate.BackendSpec;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;
import org.apache.beam.sdk.PipelineResult;
import org.apache.beam.sdk.metrics.MetricNameFilter;
import org.apache.beam.sdk.metrics.MetricQueryResults;
import org.apache.beam.sdk.metrics.MetricResult;
import org.apache.beam.sdk.metrics.MetricsFilter;

/**
 * The run report of {@code tarjama translate}: report.json for tools and report.md for a person.
 * Counts and means come from the pipeline's own summary ({@link RunStatistics}); calls, retries
 * and latencies from Beam metrics in the {@code tarjama} namespace.
 */
final class RunReport {
  private final ObjectNode root = RecordJson.MAPPER.createObjectNode();

  private RunReport() {}

  /** Counter values of the run, committed where the runner has them, else attempted. */
  static Map<String, Long> counters(PipelineResult result) {
    Map<String, Long> counters = new TreeMap<>();
    MetricQueryResults metrics =
        result
            .metrics()
            .queryMetrics(
                MetricsFilter.builder()
                    .addNameFilter(MetricNameFilter.inNamespace("tarjama"))
                    .build());
    for (MetricResult<Long> counter : metrics.getCounters()) {
      long value;
      try {
        value = counter.getCommitted();
      } catch (UnsupportedOperationException e) {
        value = counter.getAttempted();
      }
      // Steps that run the same DoFn report separately: sum them per name.
      counters.merge(counter.getName().getName(), value, Long::sum);
    }
    return counters;
  }

  static RunReport translate(
      TranslateOptions options,
      RunStatistics stats,
      Map<String, Long> counters,
      JsonNode policy,
      JsonNode calibration,
      double wallSeconds) {
    RunReport report = new RunReport();
    ObjectNode root = report.root;
    root.put("command", "translate");
    root.put("input", options.getInput());
    root.put("output", options.getOutput());
    root.put("runner", options.getRunner().getSimpleName());

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

    ObjectNode stages = root.putObject("dead_letter_by_stage");
    for (String stage : stats.names("dead_letter")) {
      stages.put(stage, (long) stats.get("dead_letter", stage, "count"));
    }

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
          new String[] {"api_calls", "retries", "failures", "truncated", "budget_refused"}) {
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

  /**
   * The {@code budget} section, when {@code --max-cost} or {@code --max-tokens} was given or a
   * chunk was refused: the limits, what the API backends spent (their token counters at their
   * prices), and whether the limit stopped the run ({@code stopped}, {@code chunks_not_sent}: the
   * records of those chunks are dead letters "budget exhausted", replayable later). Spending is
   * counted per worker JVM, so on a distributed runner each worker stopped at the limit by itself.
   */
  RunReport withBudget(
      TranslateOptions options, List<BackendSpec> backends, Map<String, Long> counters) {
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
    if (options.getMaxCost() == 0 && options.getMaxTokens() == 0 && notSent == 0) {
      return this;
    }
    ObjectNode budget = root.putObject("budget");
    budget.put("max_cost_usd", options.getMaxCost());
    budget.put("max_tokens", options.getMaxTokens());
    budget.put("spent_usd", cost);
    budget.put("spent_tokens", tokens);
    budget.put("stopped", notSent > 0);
    budget.put("chunks_not_sent", notSent);
    budget.put("accounting", "per worker JVM");
    return this;
  }

  /** Whether {@code --max-cost} / {@code --max-tokens} stopped the run before every chunk was sent. */
  boolean stoppedByBudget() {
    return root.path("budget").path("stopped").asBoolean(false);
  }

  ObjectNode json() {
    return root;
  }

  /** input = chosen + rejected + dead_letter, or a message saying what does not add up. */
  String countsProblem() {
    JsonNode c = root.get("counts");
    long input = c.get("input").asLong();
    long sum = c.get("chosen").asLong() + c.get("rejected").asLong() + c.get("dead_letter").asLong();
    return input == sum
        ? null
        : String.format(
            Locale.ROOT,
            "counts do not add up: input %d != chosen %d + rejected %d + dead_letter %d",
            input, c.get("chosen").asLong(), c.get("rejected").asLong(),
            c.get("dead_letter").asLong());
  }

  String markdown() {
    StringBuilder md = new StringBuilder();
    JsonNode c = root.get("counts");
    md.append("# Tarjama run report\n\n");
    md.append("- input: `").append(root.path("input").asText()).append("`\n");
    md.append("- output: `").append(root.path("output").asText()).append("`\n");
    md.append("- runner: ").append(root.path("runner").asText()).append('\n');
    md.append("- wall time: ").append(root.path("wall_time_s").asText()).append(" s\n\n");
    md.append("## Records\n\n| input | chosen | rejected | dead letter |\n|---:|---:|---:|---:|\n");
    md.append(String.format(Locale.ROOT, "| %d | %d | %d | %d |\n\n",
        c.get("input").asLong(), c.get("chosen").asLong(), c.get("rejected").asLong(),
        c.get("dead_letter").asLong()));
    JsonNode stages = root.get("dead_letter_by_stage");
    if (stages.size() > 0) {
      md.append("Dead letters by stage: ");
      stages.fields().forEachRemaining(
          e -> md.append(e.getKey()).append(' ').append(e.getValue().asLong()).append("; "));
      md.append("\n\n");
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
    md.append("\n## Policy\n\n```json\n").append(root.get("policy").toPrettyString())
        .append("\n```\n\n## r0 (LR calibration)\n\n```json\n")
        .append(root.get("r0").toPrettyString()).append("\n```\n");
    return md.toString();
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
