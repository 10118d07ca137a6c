package dev.tarjama.transforms.report;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.tarjama.transforms.io.RecordJson;
import dev.tarjama.transforms.judge.JudgeParallelPairs;
import dev.tarjama.transforms.judge.JudgePrompt;
import dev.tarjama.transforms.judge.SummarizeJudgement;
import dev.tarjama.transforms.backend.BackendSpec;
import java.util.Locale;
import java.util.Map;

/**
 * The run report of {@code tarjama judge}: report.json (counts, accepted share, dead letters by
 * stage, the judge, its prompt and calls) and report.md, from the run's summary ({@link
 * SummarizeJudgement}) and counters.
 */
public final class JudgeReport {
  /**
   * What the run was asked for, as the report records it: the input (a glob, or the two Moses
   * files as "EN + AR"), the corpus format's label, {@code --output} and the runner's name.
   */
  public record Settings(String input, String format, String output, String runner) {}

  private JudgeReport() {}

  /** report.json of a judge run. */
  public static ObjectNode json(
      Settings settings,
      BackendSpec backend,
      JudgePrompt prompt,
      RunStatistics stats,
      Map<String, Long> counters,
      double wallSeconds) {
    ObjectNode root = RecordJson.MAPPER.createObjectNode();
    root.put("command", "judge");
    root.put("input", settings.input());
    root.put("format", settings.format());
    root.put("output", settings.output());
    root.put("runner", settings.runner());
    long read = (long) stats.get(SummarizeJudgement.READ_PAIRS);
    long unreadable = (long) stats.get("dead_letter", "read", "count");
    long accepted = (long) stats.get("accepted");
    long rejected = (long) stats.get("rejected");
    long undecided = (long) stats.get("undecided");
    ObjectNode counts = root.putObject("counts");
    counts.put("input", read + unreadable);
    counts.put("accepted", accepted);
    counts.put("rejected", rejected);
    counts.put("undecided", undecided);
    counts.put("dead_letter", (long) stats.get(RunStatistics.DEAD_LETTER));
    long judged = accepted + rejected + undecided;
    root.put("accepted_share", judged == 0 ? 0.0 : (double) accepted / judged);
    ObjectNode stages = root.putObject("dead_letter_by_stage");
    for (String stage : stats.names("dead_letter")) {
      stages.put(stage, (long) stats.get("dead_letter", stage, "count"));
    }
    ObjectNode judge = root.putObject("judge");
    judge.put("backend", backend.name());
    judge.put("model", backend.config().model());
    judge.put("url", backend.config().baseUrl());
    judge.put("spec", backend.toString()); // names a key's variable at most, never a key
    judge.put("prompt", prompt.name());
    judge.put("prompt_template", prompt.template());
    judge.put("verdict_grammar",
        "[<think>…</think>] ws* (ACCEPT|REJECT) [.] ws*, any case; anything else is undecided");
    for (String metric : new String[] {"api_calls", "retries", "tokens_in", "tokens_out",
        "tokens_estimated", "failures"}) {
      Long value = counters.get(JudgeParallelPairs.metricName(metric));
      judge.put(metric, value == null ? 0 : value);
    }
    ObjectNode metrics = root.putObject("metrics");
    counters.forEach(metrics::put);
    root.put("wall_time_s", Math.round(wallSeconds * 10) / 10.0);
    return root;
  }

  /** input = accepted + rejected + undecided + dead_letter, or what does not add up. */
  public static String countsProblem(JsonNode c) {
    long input = c.get("input").asLong();
    long sum = c.get("accepted").asLong() + c.get("rejected").asLong()
        + c.get("undecided").asLong() + c.get("dead_letter").asLong();
    return input == sum ? null : String.format(Locale.ROOT,
        "counts do not add up: input %d != accepted %d + rejected %d + undecided %d"
            + " + dead_letter %d", input, c.get("accepted").asLong(), c.get("rejected").asLong(),
        c.get("undecided").asLong(), c.get("dead_letter").asLong());
  }

  /** report.md of a judge run, from its report.json. */
  public static String markdown(JsonNode root) {
    JsonNode c = root.get("counts");
    JsonNode j = root.get("judge");
    StringBuilder md = new StringBuilder("# Tarjama judge report\n\n");
    md.append("- input: `").append(root.path("input").asText()).append("` (")
        .append(root.path("format").asText()).append(")\n");
    md.append("- output: `").append(root.path("output").asText()).append("`\n");
    md.append("- judge: ").append(j.path("backend").asText()).append(" (model `")
        .append(j.path("model").asText()).append("`), prompt `").append(j.path("prompt").asText())
        .append("`\n");
    md.append("- wall time: ").append(root.path("wall_time_s").asText()).append(" s\n\n");
    md.append("## Pairs\n\n| input | accepted | rejected | undecided | dead letter | accepted share |\n");
    md.append("|---:|---:|---:|---:|---:|---:|\n");
    md.append(String.format(Locale.ROOT, "| %d | %d | %d | %d | %d | %.1f%% |\n\n",
        c.get("input").asLong(), c.get("accepted").asLong(), c.get("rejected").asLong(),
        c.get("undecided").asLong(), c.get("dead_letter").asLong(),
        100 * root.get("accepted_share").asDouble()));
    DeadLetterReasons.byStage(md, root.get("dead_letter_by_stage"));
    md.append(String.format(Locale.ROOT,
        "## Calls\n\n| API calls | retries | failures | tokens in | tokens out |\n"
            + "|---:|---:|---:|---:|---:|\n| %d | %d | %d | %d | %d |\n\n",
        j.get("api_calls").asLong(), j.get("retries").asLong(), j.get("failures").asLong(),
        j.get("tokens_in").asLong(), j.get("tokens_out").asLong()));
    md.append("Undecided answers (anything but the grammar `")
        .append(j.get("verdict_grammar").asText())
        .append("`) are in `undecided/` with the raw answer.\n\n## Prompt\n\n```\n")
        .append(j.get("prompt_template").asText()).append("\n```\n");
    return md.toString();
  }
}
