package dev.tarjama.transforms.report;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.regex.Pattern;

/**
 * {@code report.html}: the run report for a person, in one self-contained file (inline CSS and
 * SVG, no script, nothing fetched). Sections: records and cost, distributions of LR, SCR,
 * rank_score and reward per split and backend, retention against thresholds (the sweep's chart),
 * quality-gate failures per backend and split, throughput and cost over time, backends, a sample
 * of records side by side (source, chosen, losing and rejected candidates with their reasons),
 * and provenance.
 *
 * <p>Every text from the data or the command line is escaped: a record holding {@code <script>}
 * shows as text. What varies between two runs of the same job (times, the runner, the timeline,
 * provenance) sits between {@link #VARIES_START} and {@link #VARIES_END}; {@link #stable} removes
 * it, so two runners' reports can be compared.
 */
public final class ReportHtml {
  public static final String VARIES_START = "<!--varies-->";
  public static final String VARIES_END = "<!--/varies-->";
  private static final Pattern VARIES =
      Pattern.compile(Pattern.quote(VARIES_START) + ".*?" + Pattern.quote(VARIES_END),
          Pattern.DOTALL);

  private final JsonNode report;
  private List<Distributions.Histogram> histograms = List.of();
  private String sweepSvg;
  private JsonNode sample;
  private List<Timeline.Sample> timeline = List.of();
  private Map<String, double[]> prices = Map.of();
  private JsonNode provenance;

  private ReportHtml(JsonNode report) {
    this.report = report;
  }

  /** A report over {@code report.json}'s content. */
  public static ReportHtml of(JsonNode report) {
    return new ReportHtml(report);
  }

  public ReportHtml withDistributions(List<Distributions.Histogram> histograms) {
    this.histograms = histograms;
    return this;
  }

  /** The sweep's SVG ({@code SweepTable.svg()}), or null when there is none. */
  public ReportHtml withSweep(String svg) {
    this.sweepSvg = svg;
    return this;
  }

  /** {@link SampleRecords}' JSON, or null. */
  public ReportHtml withSample(JsonNode sample) {
    this.sample = sample;
    return this;
  }

  /** The launcher's samples and each backend's prices (USD per 1M tokens in, out). */
  public ReportHtml withTimeline(List<Timeline.Sample> timeline, Map<String, double[]> prices) {
    this.timeline = timeline;
    this.prices = prices;
    return this;
  }

  public ReportHtml withProvenance(JsonNode provenance) {
    this.provenance = provenance;
    return this;
  }

  /** {@code html} without the parts that vary between runs of the same job. */
  public static String stable(String html) {
    return VARIES.matcher(html).replaceAll("");
  }

  public String html() {
    StringBuilder h = new StringBuilder(64 * 1024);
    h.append("<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n")
        .append("<meta http-equiv=\"Content-Security-Policy\" content=\"default-src 'none'; "
            + "style-src 'unsafe-inline'; img-src data:\">\n")
        .append("<title>Tarjama run report</title>\n<style>\n").append(CSS).append("</style>\n")
        .append("</head>\n<body>\n<h1>Tarjama run report</h1>\n");
    summary(h);
    distributions(h);
    retention(h);
    gates(h);
    overTime(h);
    backends(h);
    samples(h);
    provenance(h);
    h.append("</body>\n</html>\n");
    return h.toString();
  }

  private void summary(StringBuilder h) {
    JsonNode c = report.path("counts");
    h.append("<section id=\"summary\"><p>Input <code>").append(esc(report.path("input").asText()))
        .append("</code>").append(VARIES_START).append(" → <code>")
        .append(esc(report.path("output").asText())).append("</code>, runner ")
        .append(esc(report.path("runner").asText())).append(", ")
        .append(esc(report.path("wall_time_s").asText())).append(" s").append(VARIES_END)
        .append("</p>\n<table><tr><th>input</th><th>chosen</th><th>rejected</th>"
            + "<th>dead letter</th>");
    if (c.has("not_selected")) {
      h.append("<th>not selected</th>");
    }
    h.append("<th>cost</th></tr>\n<tr>");
    for (String k : new String[] {"input", "chosen", "rejected", "dead_letter"}) {
      h.append("<td>").append(c.path(k).asLong()).append("</td>");
    }
    if (c.has("not_selected")) {
      h.append("<td>").append(c.path("not_selected").asLong()).append("</td>");
    }
    h.append("<td>").append(cost(report)).append("</td></tr></table>\n");
    JsonNode splits = report.path("splits");
    if (splits.size() > 0) {
      h.append("<table><tr><th>split</th><th>chosen</th><th>rejected</th><th>rejected share</th>"
          + "<th>LR</th><th>SCR</th><th>rank_score</th><th>reward</th></tr>\n");
      splits.fields().forEachRemaining(e -> {
        JsonNode s = e.getValue();
        h.append("<tr><td>").append(esc(e.getKey())).append("</td><td>")
            .append(s.path("chosen").asLong()).append("</td><td>")
            .append(s.path("rejected").asLong()).append("</td><td>")
            .append(pct(s.path("rejected_share").asDouble())).append("</td><td>")
            .append(fmt(s.get("LR_mean"))).append("</td><td>").append(fmt(s.get("SCR_mean")))
            .append("</td><td>").append(fmt(s.get("rank_score_mean"))).append("</td><td>")
            .append(fmt(s.get("reward_mean"))).append("</td></tr>\n");
      });
      h.append("</table>\n");
    }
    JsonNode stages = report.path("dead_letter_by_stage");
    if (stages.size() > 0) {
      h.append("<p>Dead letters by stage: ");
      stages.fields().forEachRemaining(e -> h.append(esc(e.getKey())).append(' ')
          .append(e.getValue().asLong()).append("; "));
      h.append("</p>\n");
    }
    h.append("</section>\n");
  }

  /** The run's cost where prices are known: the budget's spend, else priced backends' sums. */
  private static String cost(JsonNode report) {
    if (report.has("budget")) {
      return String.format(Locale.ROOT, "%.4f USD", report.at("/budget/spent_usd").asDouble());
    }
    if (report.has("cost_usd")) {
      return String.format(Locale.ROOT, "%.4f USD", report.get("cost_usd").asDouble());
    }
    return "no prices given";
  }

  private void distributions(StringBuilder h) {
    h.append("<section id=\"distributions\"><h2>Score distributions</h2>\n<p>Valid candidates "
        + "per split, one colour per backend (share of that backend's candidates per bucket).</p>\n"
        + "<div class=\"plots\">\n");
    Map<String, Map<String, List<Distributions.Histogram>>> byMetric = new LinkedHashMap<>();
    for (Distributions.Histogram hist : histograms) {
      byMetric.computeIfAbsent(hist.metric(), m -> new TreeMap<>())
          .computeIfAbsent(hist.split(), s -> new ArrayList<>()).add(hist);
    }
    if (byMetric.isEmpty()) {
      h.append("<p>No valid candidate was scored.</p>\n");
    }
    for (Map.Entry<String, Map<String, List<Distributions.Histogram>>> m : byMetric.entrySet()) {
      String metric = m.getKey();
      double width = metric.equals("reward") ? Distributions.REWARD_WIDTH
          : 1.0 / Distributions.BUCKETS;
      for (Map.Entry<String, List<Distributions.Histogram>> s : m.getValue().entrySet()) {
        // One set of buckets for every backend of the split: from the lowest to the highest seen.
        TreeSet<Integer> buckets = new TreeSet<>();
        s.getValue().forEach(x -> buckets.addAll(x.counts().keySet()));
        int lo = metric.equals("reward") ? buckets.first() : 0;
        int hi = metric.equals("reward") ? buckets.last() : Distributions.BUCKETS - 1;
        List<SvgCharts.Series> series = new ArrayList<>();
        for (Distributions.Histogram x : s.getValue()) {
          double[] edges = new double[hi - lo + 1];
          long[] counts = new long[hi - lo + 1];
          for (int b = lo; b <= hi; b++) {
            edges[b - lo] = Distributions.lowerEdge(metric, b);
            counts[b - lo] = x.counts().getOrDefault(b, 0L);
          }
          series.add(new SvgCharts.Series(x.backend(), edges, counts));
        }
        h.append(SvgCharts.histogram(metric + " — " + s.getKey(), metric, width, series));
      }
    }
    h.append("</div></section>\n");
  }

  private void retention(StringBuilder h) {
    h.append("<section id=\"retention\"><h2>Retention against thresholds</h2>\n");
    if (sweepSvg == null) {
      h.append("<p>No sweep for this run.</p>\n");
    } else {
      h.append("<p>Share of translated records that a run with each min-lr / min-scr would have "
          + "kept: every record's candidates ranked again under each pair, with the run's other "
          + "settings (as <code>tarjama sweep</code> does).</p>\n<div class=\"plots\">")
          .append(sweepSvg).append("</div>\n");
    }
    h.append("</section>\n");
  }

  private void gates(StringBuilder h) {
    h.append("<section id=\"gates\"><h2>Quality-gate failures</h2>\n<p>Share of valid "
        + "candidates failing each gate, per backend and split (a candidate failing one cannot "
        + "win).</p>\n<div class=\"plots\">\n");
    JsonNode byBackend = report.path("quality").path("by_backend");
    int drawn = 0;
    for (var b = byBackend.fields(); b.hasNext(); ) {
      var backend = b.next();
      List<SvgCharts.Bar> bars = new ArrayList<>();
      backend.getValue().fields().forEachRemaining(split -> {
        JsonNode s = split.getValue();
        bars.add(new SvgCharts.Bar(split.getKey() + ": any gate", s.path("gated_share").asDouble(),
            s.path("gated").asLong() + " of " + s.path("measured").asLong()));
        s.path("failed_share").fields().forEachRemaining(f -> bars.add(new SvgCharts.Bar(
            split.getKey() + ": " + f.getKey(), f.getValue().asDouble(),
            s.path("failed").path(f.getKey()).asLong() + "")));
      });
      h.append(SvgCharts.bars("Gate failures — " + backend.getKey(), bars));
      drawn++;
    }
    if (drawn == 0) {
      h.append("<p>No quality measures in this run.</p>\n");
    }
    h.append("</div>\n");
    JsonNode examples = report.path("quality").path("examples");
    if (examples.size() > 0) {
      h.append("<details><summary>Examples per gate</summary><ul>\n");
      examples.fields().forEachRemaining(g -> {
        for (JsonNode e : g.getValue()) {
          h.append("<li><b>").append(esc(g.getKey())).append("</b> <code>")
              .append(esc(e.path("record_id").asText())).append("</code> ")
              .append(esc(e.path("backend").asText())).append('/')
              .append(e.path("candidate").asInt()).append(": ")
              .append(esc(e.path("detail").asText())).append("</li>\n");
        }
      });
      h.append("</ul></details>\n");
    }
    h.append("</section>\n");
  }

  private void overTime(StringBuilder h) {
    h.append("<section id=\"over-time\"><h2>Throughput and cost over time</h2>\n")
        .append(VARIES_START);
    if (timeline.size() < 2) {
      h.append("<p>No live counts: this process ran none of the work (a remote cluster), or the "
          + "run was too short to sample.</p>\n");
    } else {
      int n = timeline.size();
      double[] t = new double[n];
      double[] records = new double[n];
      double[] chunks = new double[n];
      double[] tokens = new double[n];
      double[] usd = new double[n];
      for (int i = 0; i < n; i++) {
        Timeline.Sample s = timeline.get(i);
        t[i] = s.seconds();
        records[i] = s.counts().getOrDefault(LiveCounts.RECORDS_DECIDED, 0L);
        chunks[i] = s.counts().getOrDefault(LiveCounts.CHUNKS_TRANSLATED, 0L);
        tokens[i] = s.counts().getOrDefault(LiveCounts.TOKENS_OUT, 0L);
        double cost = 0;
        for (Map.Entry<String, double[]> p : prices.entrySet()) {
          cost += (s.counts().getOrDefault(LiveCounts.backendTokens(p.getKey(), "in"), 0L)
              * p.getValue()[0]
              + s.counts().getOrDefault(LiveCounts.backendTokens(p.getKey(), "out"), 0L)
              * p.getValue()[1]) / 1_000_000d;
        }
        usd[i] = cost;
      }
      h.append("<div class=\"plots\">\n")
          .append(SvgCharts.lines("Done so far", "seconds", "count", List.of(
              new SvgCharts.Line("(chunk, backend) pairs done", t, chunks),
              new SvgCharts.Line("records decided", t, records))))
          .append(SvgCharts.lines("Completion tokens so far", "seconds", "tokens",
              List.of(new SvgCharts.Line("tokens out", t, tokens))));
      boolean priced = prices.values().stream().anyMatch(p -> p[0] > 0 || p[1] > 0);
      if (priced) {
        h.append(SvgCharts.lines("Cost so far (USD, at the backends' prices)", "seconds", "USD",
            List.of(new SvgCharts.Line("USD", t, usd))));
      }
      h.append("</div>\n");
      if (!priced) {
        h.append("<p>Cost: no backend has a price (<code>price-in</code>/<code>price-out</code>)."
            + "</p>\n");
      }
    }
    h.append(VARIES_END).append("</section>\n");
  }

  private void backends(StringBuilder h) {
    h.append("<section id=\"backends\"><h2>Backends</h2>\n<table><tr><th>backend</th>"
        + "<th>candidates</th><th>valid</th><th>wins</th><th>win rate</th><th>API calls</th>"
        + "<th>retries</th><th>tokens in</th><th>tokens out</th><th>cost</th></tr>\n");
    report.path("backends").fields().forEachRemaining(e -> {
      JsonNode b = e.getValue();
      h.append("<tr><td>").append(esc(e.getKey())).append("</td><td>")
          .append(b.path("candidates").asLong()).append("</td><td>")
          .append(b.path("valid").asLong()).append("</td><td>").append(b.path("wins").asLong())
          .append("</td><td>").append(pct(b.path("win_rate").asDouble())).append("</td><td>")
          .append(esc(b.path("api_calls").asText("-"))).append("</td><td>")
          .append(esc(b.path("retries").asText("-"))).append("</td><td>")
          .append(b.path("tokens_in").asLong()).append("</td><td>")
          .append(b.path("tokens_out").asLong()).append("</td><td>")
          .append(b.has("cost_usd")
              ? String.format(Locale.ROOT, "%.4f USD", b.get("cost_usd").asDouble()) : "-")
          .append("</td></tr>\n");
    });
    h.append("</table></section>\n");
  }

  private void samples(StringBuilder h) {
    h.append("<section id=\"samples\"><h2>Sample records</h2>\n");
    JsonNode records = sample == null ? null : sample.path("records");
    if (records == null || records.size() == 0) {
      h.append("<p>No record was ranked.</p></section>\n");
      return;
    }
    h.append("<p>The same records on every run of this job (smallest hash of the record id): the "
        + "source beside every candidate; the chosen one, and why each other one lost.</p>\n");
    for (JsonNode r : records) {
      boolean chosen = r.path("outcome").asText().equals("chosen");
      h.append("<article class=\"record ").append(chosen ? "chosen" : "rejected")
          .append("\"><h3><code>").append(esc(r.path("record_id").asText())).append("</code> ")
          .append(esc(r.path("split").asText())).append(" — ")
          .append(chosen ? "chosen" : "rejected: " + esc(r.path("reason").asText()))
          .append("</h3>\n<div class=\"side\">\n<div class=\"cand source\"><h4>source</h4><pre>")
          .append(esc(r.path("source").asText())).append("</pre></div>\n");
      JsonNode winner = r.path("winner");
      for (JsonNode c : r.path("candidates")) {
        boolean won = chosen && c.path("backend").asText().equals(winner.path("backend").asText())
            && c.path("candidate").asInt() == winner.path("candidate").asInt();
        String verdict;
        if (won) {
          verdict = "chosen";
        } else if (!c.path("valid").asBoolean()) {
          verdict = "invalid: " + c.path("reason").asText();
        } else if (c.path("gates").size() > 0) {
          List<String> gates = new ArrayList<>();
          c.path("gates").forEach(g -> gates.add(g.asText()));
          verdict = "failed gates: " + String.join("; ", gates);
        } else if (chosen) {
          verdict = "lost: lower rank_score";
        } else {
          verdict = "not kept: " + r.path("reason").asText();
        }
        h.append("<div class=\"cand ").append(won ? "won" : "lost").append("\"><h4>")
            .append(esc(c.path("backend").asText())).append(" #").append(c.path("candidate").asInt())
            .append("</h4><p class=\"verdict\">").append(esc(verdict)).append("</p><p class=\"scores\">")
            .append("LR ").append(fmt(c.get("LR"))).append(" · SCR ").append(fmt(c.get("SCR")))
            .append(" · rank_score ").append(fmt(c.get("rank_score")));
        if (c.path("reward").isNumber()) {
          h.append(" · reward ").append(fmt(c.get("reward")));
        }
        h.append("</p><pre dir=\"auto\">").append(esc(c.path("text").asText()))
            .append("</pre></div>\n");
      }
      h.append("</div></article>\n");
    }
    h.append("</section>\n");
  }

  private void provenance(StringBuilder h) {
    h.append("<section id=\"provenance\"><h2>Provenance</h2>\n");
    if (report.has("policy")) {
      h.append("<details><summary>Policy and r₀</summary><pre>")
          .append(esc(report.get("policy").toPrettyString())).append("\n")
          .append(esc(report.path("r0").toPrettyString())).append("</pre></details>\n");
    }
    h.append(VARIES_START);
    if (provenance != null) {
      h.append("<table><tr><th>version</th><td>").append(esc(provenance.path("version").asText()))
          .append("</td></tr>\n<tr><th>started</th><td>")
          .append(esc(provenance.path("started").asText())).append("</td></tr>\n")
          .append("<tr><th>finished</th><td>").append(esc(provenance.path("finished").asText()))
          .append("</td></tr>\n<tr><th>command line</th><td><code>");
      List<String> args = new ArrayList<>();
      provenance.path("command_line").forEach(a -> args.add(a.asText()));
      h.append(esc(String.join(" ", args))).append("</code></td></tr>\n");
      provenance.path("backends").fields().forEachRemaining(e -> h.append("<tr><th>backend ")
          .append(esc(e.getKey())).append("</th><td><code>").append(esc(e.getValue().asText()))
          .append("</code></td></tr>\n"));
      h.append("</table>\n");
    }
    h.append(VARIES_END).append("</section>\n");
  }

  private static String esc(String s) {
    return SvgCharts.escape(s);
  }

  private static String pct(double share) {
    return String.format(Locale.ROOT, "%.1f%%", 100 * share);
  }

  private static String fmt(JsonNode v) {
    return v == null || !v.isNumber() ? "-" : String.format(Locale.ROOT, "%.3f", v.asDouble());
  }

  private static final String CSS = String.join("\n",
      "body{font-family:system-ui,sans-serif;margin:24px;max-width:1240px;color:#222}",
      "h1{font-size:24px}h2{font-size:19px;border-bottom:1px solid #ccc;padding-bottom:4px;"
          + "margin-top:28px}",
      "table{border-collapse:collapse;margin:8px 0}td,th{border:1px solid #ccc;padding:3px 8px;"
          + "text-align:right}th{background:#f3f3f3}td:first-child{text-align:left}",
      ".plots{display:flex;flex-wrap:wrap;gap:12px}svg.plot{border:1px solid #eee;"
          + "background:#fff;max-width:100%;height:auto}",
      ".record{border:1px solid #ccc;border-radius:6px;margin:12px 0;padding:8px}",
      ".record.rejected{border-color:#D55E00}.record h3{font-size:14px;margin:2px 0 8px}",
      ".side{display:grid;grid-template-columns:repeat(auto-fit,minmax(260px,1fr));gap:8px}",
      ".cand{border:1px solid #ddd;border-radius:4px;padding:6px;background:#fafafa}",
      ".cand.won{border:2px solid #009E73;background:#f0fbf6}.cand.lost{opacity:.9}",
      ".cand h4{margin:0 0 4px;font-size:13px}.verdict{font-size:12px;margin:2px 0;color:#555}",
      ".scores{font-size:12px;margin:2px 0;color:#333}",
      "pre{white-space:pre-wrap;word-break:break-word;font-size:12px;max-height:320px;"
          + "overflow:auto;margin:4px 0}",
      "code{font-size:12px;word-break:break-all}", "");
}
