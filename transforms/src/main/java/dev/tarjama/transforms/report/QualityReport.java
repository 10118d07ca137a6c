package dev.tarjama.transforms.report;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.tarjama.transforms.io.RecordJson;
import java.util.Iterator;
import java.util.Locale;
import java.util.Map;

/**
 * The {@code quality} section of a translate report: per backend and split the valid candidates
 * measured, the share failing any gate and each gate, and a few examples per gate, from what
 * {@link dev.tarjama.transforms.quality.QualitySummary} wrote (its summary, read by the launcher).
 */
public final class QualityReport {
  private QualityReport() {}

  /** report.json's section, from the quality summary (an empty object: nothing was measured). */
  public static ObjectNode section(JsonNode summary) {
    ObjectNode section = RecordJson.MAPPER.createObjectNode();
    ObjectNode byBackend = section.putObject("by_backend");
    for (Iterator<Map.Entry<String, JsonNode>> b = summary.path("counts").fields(); b.hasNext(); ) {
      Map.Entry<String, JsonNode> backend = b.next();
      ObjectNode out = byBackend.putObject(backend.getKey());
      backend.getValue().fields().forEachRemaining(split -> {
        JsonNode s = split.getValue();
        long measured = s.path("measured").asLong();
        ObjectNode o = out.putObject(split.getKey());
        o.put("measured", measured);
        o.put("gated", s.path("gated").asLong());
        o.put("gated_share", share(s.path("gated").asLong(), measured));
        ObjectNode failed = o.putObject("failed_share");
        s.path("failed").fields().forEachRemaining(
            f -> failed.put(f.getKey(), share(f.getValue().asLong(), measured)));
        o.set("failed", s.path("failed").deepCopy());
      });
    }
    section.set("examples", summary.path("examples").isObject()
        ? summary.path("examples").deepCopy() : RecordJson.MAPPER.createObjectNode());
    return section;
  }

  private static double share(long n, long of) {
    return of == 0 ? 0.0 : (double) n / of;
  }

  /** At or above this share of gated candidates, the report says plainly that a backend fails. */
  static final double WEAK = 0.5;

  /**
   * One plain sentence per backend whose candidates mostly failed a gate (over every split), with
   * its most frequent gate: a reader of a run with weak translators (the demo's tiny models) must
   * not mistake the rejections for a pipeline fault.
   */
  private static void weakBackends(StringBuilder md, JsonNode byBackend) {
    StringBuilder out = new StringBuilder();
    byBackend.fields().forEachRemaining(b -> {
      long measured = 0;
      long gated = 0;
      java.util.TreeMap<String, Long> failed = new java.util.TreeMap<>();
      for (JsonNode s : b.getValue()) {
        measured += s.path("measured").asLong();
        gated += s.path("gated").asLong();
        s.path("failed").fields().forEachRemaining(
            f -> failed.merge(f.getKey(), f.getValue().asLong(), Long::sum));
      }
      if (measured == 0 || (double) gated / measured < WEAK) {
        return;
      }
      long of = measured;
      String top = failed.entrySet().stream().sorted((x, y) -> Long.compare(y.getValue(),
          x.getValue())).limit(3).map(e -> String.format(Locale.ROOT, "%s %.0f%%", e.getKey(),
          100.0 * e.getValue() / of)).collect(java.util.stream.Collectors.joining(", "));
      out.append(String.format(Locale.ROOT, "- **%s** failed a gate on %.0f%% of its valid "
          + "candidates (%d of %d; most often %s): this translator often fails on this data. "
          + "Its failures cannot win; a record none of whose candidates passed is in rejected/ "
          + "with every candidate's reasons.\n", b.getKey(), 100.0 * gated / measured, gated,
          measured, top));
    });
    if (out.length() > 0) {
      md.append("\n").append(out);
    }
  }

  /** report.md's section, from report.json's. */
  public static String markdown(JsonNode q) {
    StringBuilder md = new StringBuilder("\n## Quality gates\n\n");
    md.append("Share of valid candidates failing each gate (a candidate failing one cannot win).\n\n");
    md.append("| backend | split | measured | any gate | failing gates |\n|---|---|---:|---:|---|\n");
    q.get("by_backend").fields().forEachRemaining(b -> b.getValue().fields().forEachRemaining(s -> {
      StringBuilder gates = new StringBuilder();
      s.getValue().get("failed_share").fields().forEachRemaining(f -> gates
          .append(gates.length() == 0 ? "" : ", ")
          .append(String.format(Locale.ROOT, "%s %.1f%%", f.getKey(), 100 * f.getValue().asDouble())));
      md.append(String.format(Locale.ROOT, "| %s | %s | %d | %.1f%% | %s |\n", b.getKey(),
          s.getKey(), s.getValue().get("measured").asLong(),
          100 * s.getValue().get("gated_share").asDouble(), gates));
    }));
    weakBackends(md, q.get("by_backend"));
    if (q.get("examples").size() > 0) {
      md.append("\nExamples per gate (what the gate saw, and the start of the translation):\n\n");
      q.get("examples").fields().forEachRemaining(g -> {
        for (JsonNode e : g.getValue()) {
          md.append(String.format(Locale.ROOT, "- **%s** `%s` %s/%d, split %s: %s", g.getKey(),
              e.path("record_id").asText(), e.path("backend").asText(),
              e.path("candidate").asInt(), e.path("split").asText(),
              e.path("detail").asText().replace("|", "\\|")));
          String excerpt = e.path("excerpt").asText("");
          if (!excerpt.isEmpty()) {
            md.append(" — «").append(excerpt.replace("|", "\\|").replace("`", "'")).append('»');
          }
          md.append('\n');
        }
      });
    }
    return md.toString();
  }
}
