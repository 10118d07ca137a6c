package dev.tarjama.transforms.sweep;

import com.fasterxml.jackson.databind.JsonNode;
import dev.tarjama.transforms.io.RecordJson;
import java.io.IOException;
import java.math.BigDecimal;
import java.math.RoundingMode;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;

/**
 * The result of a threshold sweep, per split and over all splits ({@link #ALL}): records
 * translated, chosen under the run's own policy, and chosen at every (min-lr, min-scr) pair. It
 * renders sweep.csv, sweep.md and an SVG plot (plain text, no plotting library).
 *
 * <p><b>Retention</b> = chosen ÷ records translated (chosen or rejected; a record whose every
 * candidate failed to translate is a dead letter under any threshold and is left out).
 */
public final class SweepTable {
  /** The row for all splits together. */
  public static final String ALL = "(all)";

  private static final String[] COLORS = {
    "#1f77b4", "#d62728", "#2ca02c", "#ff7f0e", "#9467bd", "#8c564b", "#e377c2", "#7f7f7f",
    "#bcbd22", "#17becf"
  };

  /**
   * One split's counts.
   *
   * @param records the records of the split
   * @param untranslated those never translated
   * @param runChosen those chosen under the run's own policy
   * @param chosen [i][j]: chosen at min-lr grid i, min-scr grid j (compared by reference, as
   *     records compare arrays; nothing compares rows)
   */
  public record Row(long records, long untranslated, long runChosen, long[][] chosen) {
    public double retention(int i, int j) {
      return records == 0 ? 0.0 : (double) chosen[i][j] / records;
    }
  }

  private final ThresholdGrid minLr;
  private final ThresholdGrid minScr;
  private final String runPolicy;
  private final LinkedHashMap<String, Row> rows;

  private SweepTable(ThresholdGrid minLr, ThresholdGrid minScr, String runPolicy,
      LinkedHashMap<String, Row> rows) {
    this.minLr = minLr;
    this.minScr = minScr;
    this.runPolicy = runPolicy;
    this.rows = rows;
  }

  static String key(String what, String split) {
    return what + "\t" + split;
  }

  static String key(String what, String split, int i, int j) {
    return what + "\t" + split + "\t" + i + "\t" + j;
  }

  /** Reads {@link SweepThresholds#SUMMARY} back ("" when there was no candidate at all). */
  public static SweepTable parse(String summary, ThresholdSweep sweep) throws IOException {
    ThresholdGrid lr = sweep.minLr();
    ThresholdGrid scr = sweep.minScr();
    TreeMap<String, long[]> counts = new TreeMap<>(); // split -> records, untranslated, run
    TreeMap<String, long[][]> chosen = new TreeMap<>();
    if (!summary.isBlank()) {
      JsonNode node = RecordJson.MAPPER.readTree(summary);
      for (Iterator<Map.Entry<String, JsonNode>> it = node.fields(); it.hasNext(); ) {
        Map.Entry<String, JsonNode> e = it.next();
        String[] k = e.getKey().split("\t", -1);
        long v = e.getValue().asLong();
        String split = k[1];
        long[] c = counts.computeIfAbsent(split, s -> new long[3]);
        chosen.computeIfAbsent(split, s -> new long[lr.size()][scr.size()]);
        switch (k[0]) {
          case "records" -> c[0] += v;
          case "untranslated" -> c[1] += v;
          case "run_chosen" -> c[2] += v;
          case "chosen" -> chosen.get(split)[Integer.parseInt(k[2])][Integer.parseInt(k[3])] += v;
          default -> throw new IOException("unknown sweep statistic " + e.getKey());
        }
      }
    }
    LinkedHashMap<String, Row> rows = new LinkedHashMap<>();
    long[] total = new long[3];
    long[][] totalChosen = new long[lr.size()][scr.size()];
    for (String split : counts.keySet()) {
      long[] c = counts.get(split);
      long[][] ch = chosen.get(split);
      rows.put(split, new Row(c[0], c[1], c[2], ch));
      for (int x = 0; x < 3; x++) {
        total[x] += c[x];
      }
      for (int i = 0; i < lr.size(); i++) {
        for (int j = 0; j < scr.size(); j++) {
          totalChosen[i][j] += ch[i][j];
        }
      }
    }
    rows.put(ALL, new Row(total[0], total[1], total[2], totalChosen));
    return new SweepTable(lr, scr, sweep.runPolicy().describe(), rows);
  }

  public Map<String, Row> rows() {
    return rows;
  }

  public ThresholdGrid minLr() {
    return minLr;
  }

  public ThresholdGrid minScr() {
    return minScr;
  }

  /** {@code split,min_lr,min_scr,records,chosen,retention}, one line per split and pair. */
  public String csv() {
    StringBuilder out = new StringBuilder("split,min_lr,min_scr,records,chosen,retention\n");
    rows.forEach((split, row) -> {
      for (int i = 0; i < minLr.size(); i++) {
        for (int j = 0; j < minScr.size(); j++) {
          out.append(csvField(split)).append(',').append(threshold(minLr.get(i))).append(',')
              .append(threshold(minScr.get(j))).append(',').append(row.records).append(',')
              .append(row.chosen[i][j]).append(',')
              .append(String.format(Locale.ROOT, "%.4f", row.retention(i, j))).append('\n');
        }
      }
    });
    return out.toString();
  }

  /** Per split, a matrix of retention (rows min-lr, columns min-scr) with chosen counts. */
  public String markdown(String run) {
    StringBuilder md = new StringBuilder("# Threshold sweep\n\n");
    md.append("- run: `").append(run).append("`\n");
    md.append("- run's policy: ").append(runPolicy).append('\n');
    Row all = rows.get(ALL);
    md.append(String.format(Locale.ROOT,
        "- records translated: %d (records whose every candidate failed to translate, left out: %d)\n",
        all.records, all.untranslated));
    md.append(String.format(Locale.ROOT,
        "- chosen under the run's own policy, recomputed: %d\n", all.runChosen));
    md.append("- each pair sets min-lr and min-scr for every split (the run's per-split LR/SCR "
        + "overrides are replaced); retention = chosen / records translated\n\n");
    rows.forEach((split, row) -> {
      md.append("## ").append(split).append(String.format(Locale.ROOT,
          " (%d records)\n\n| min-lr \\ min-scr |", row.records));
      for (int j = 0; j < minScr.size(); j++) {
        md.append(' ').append(threshold(minScr.get(j))).append(" |");
      }
      md.append("\n|---|");
      md.append("---:|".repeat(minScr.size())).append('\n');
      for (int i = 0; i < minLr.size(); i++) {
        md.append("| ").append(threshold(minLr.get(i))).append(" |");
        for (int j = 0; j < minScr.size(); j++) {
          md.append(String.format(Locale.ROOT, " %.1f%% (%d) |", 100 * row.retention(i, j),
              row.chosen[i][j]));
        }
        md.append('\n');
      }
      md.append('\n');
    });
    return md.toString();
  }

  /**
   * Two panels: retention vs min-lr (min-scr at its lowest grid value) and retention vs min-scr
   * (min-lr at its lowest), one line per split and a thick one for all splits.
   */
  public String svg() {
    int panelW = 420;
    int panelH = 300;
    int left = 60;
    int top = 50;
    int gap = 90;
    int legendH = 20 * (rows.size() + 1);
    int width = left + 2 * panelW + gap + 30;
    int height = top + panelH + 60 + legendH;
    StringBuilder svg = new StringBuilder();
    svg.append(String.format(Locale.ROOT,
        "<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"%d\" height=\"%d\" "
            + "viewBox=\"0 0 %d %d\" font-family=\"sans-serif\" font-size=\"12\">\n",
        width, height, width, height));
    svg.append("<rect width=\"100%\" height=\"100%\" fill=\"white\"/>\n");
    svg.append(String.format(Locale.ROOT,
        "<text x=\"%d\" y=\"22\" font-size=\"15\">Retention vs threshold, per split</text>\n", left));
    List<String> splits = new ArrayList<>(rows.keySet());
    // Panel 1: vary min-lr at the loosest min-scr.
    double[] lrX = new double[minLr.size()];
    for (int i = 0; i < lrX.length; i++) {
      lrX[i] = minLr.get(i);
    }
    double[] scrX = new double[minScr.size()];
    for (int j = 0; j < scrX.length; j++) {
      scrX[j] = minScr.get(j);
    }
    panel(svg, left, top, panelW, panelH, lrX,
        "min-lr (min-scr = " + threshold(minScr.get(0)) + ")", splits,
        (row, i) -> row.retention(i, 0));
    panel(svg, left + panelW + gap, top, panelW, panelH, scrX,
        "min-scr (min-lr = " + threshold(minLr.get(0)) + ")", splits,
        (row, j) -> row.retention(0, j));
    int y = top + panelH + 55;
    for (int s = 0; s < splits.size(); s++) {
      String color = color(s, splits.get(s));
      int width2 = splits.get(s).equals(ALL) ? 4 : 2;
      svg.append(String.format(Locale.ROOT,
          "<line x1=\"%d\" y1=\"%d\" x2=\"%d\" y2=\"%d\" stroke=\"%s\" stroke-width=\"%d\"/>"
              + "<text x=\"%d\" y=\"%d\">%s (%d records)</text>\n",
          left, y - 4, left + 30, y - 4, color, width2, left + 38, y,
          xml(splits.get(s)), rows.get(splits.get(s)).records));
      y += 20;
    }
    svg.append("</svg>\n");
    return svg.toString();
  }

  private interface Retention {
    double at(Row row, int index);
  }

  private void panel(StringBuilder svg, int x0, int y0, int w, int h, double[] xs, String label,
      List<String> splits, Retention retention) {
    double xMin = xs[0];
    double xMax = xs.length > 1 ? xs[xs.length - 1] : xs[0] + 0.05;
    svg.append(String.format(Locale.ROOT,
        "<rect x=\"%d\" y=\"%d\" width=\"%d\" height=\"%d\" fill=\"none\" stroke=\"#444\"/>\n",
        x0, y0, w, h));
    for (int t = 0; t <= 4; t++) {
      double v = t / 4.0;
      double y = y0 + h - v * h;
      svg.append(String.format(Locale.ROOT,
          "<line x1=\"%d\" y1=\"%.1f\" x2=\"%d\" y2=\"%.1f\" stroke=\"#ddd\"/>"
              + "<text x=\"%d\" y=\"%.1f\" text-anchor=\"end\">%d%%</text>\n",
          x0, y, x0 + w, y, x0 - 6, y + 4, Math.round(v * 100)));
    }
    for (double x : xs) {
      double px = x0 + (x - xMin) / (xMax - xMin) * w;
      svg.append(String.format(Locale.ROOT,
          "<text x=\"%.1f\" y=\"%d\" text-anchor=\"middle\">%s</text>\n", px, y0 + h + 16,
          threshold(x)));
    }
    svg.append(String.format(Locale.ROOT,
        "<text x=\"%d\" y=\"%d\" text-anchor=\"middle\">%s</text>\n", x0 + w / 2, y0 + h + 36,
        xml(label)));
    for (int s = 0; s < splits.size(); s++) {
      Row row = rows.get(splits.get(s));
      StringBuilder points = new StringBuilder();
      for (int k = 0; k < xs.length; k++) {
        double px = x0 + (xs[k] - xMin) / (xMax - xMin) * w;
        double py = y0 + h - retention.at(row, k) * h;
        points.append(String.format(Locale.ROOT, "%.1f,%.1f ", px, py));
      }
      svg.append(String.format(Locale.ROOT,
          "<polyline fill=\"none\" stroke=\"%s\" stroke-width=\"%d\" points=\"%s\">"
              + "<title>%s</title></polyline>\n",
          color(s, splits.get(s)), splits.get(s).equals(ALL) ? 4 : 2, points.toString().strip(),
          xml(splits.get(s))));
    }
  }

  private static String color(int index, String split) {
    return split.equals(ALL) ? "#000000" : COLORS[index % COLORS.length];
  }

  /** A threshold as people write it: 0.6, 0.65, 0.9. */
  static String threshold(double v) {
    return BigDecimal.valueOf(v).setScale(4, RoundingMode.HALF_UP).stripTrailingZeros()
        .toPlainString();
  }

  private static String csvField(String s) {
    if (s.contains(",") || s.contains("\"") || s.contains("\n")) {
      return "\"" + s.replace("\"", "\"\"") + "\"";
    }
    return s;
  }

  private static String xml(String s) {
    return s.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;").replace("\"", "&quot;");
  }
}
