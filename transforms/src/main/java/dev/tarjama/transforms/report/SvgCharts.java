package dev.tarjama.transforms.report;

import java.util.List;
import java.util.Locale;

/**
 * Inline SVG charts for the HTML report: no script, no library, no network. Every chart is one
 * {@code <svg class="plot">} element with a {@code <title>}; every text drawn (split and backend
 * names come from the data) is escaped with {@link #escape}.
 */
public final class SvgCharts {
  /** Colours told apart by most readers (Okabe–Ito). */
  static final String[] COLORS = {
    "#0072B2", "#E69F00", "#009E73", "#CC79A7", "#56B4E9", "#D55E00", "#F0E442", "#000000"
  };
  private static final int W = 560;
  private static final int H = 260;
  private static final int LEFT = 56;
  private static final int RIGHT = 16;
  private static final int TOP = 34;
  private static final int BOTTOM = 44;

  private SvgCharts() {}

  /** One histogram series: counts per bucket whose lower edges are {@code edges}. */
  public record Series(String name, double[] edges, long[] counts) {}

  /** One line: points (x, y). */
  public record Line(String name, double[] x, double[] y) {}

  /** One horizontal bar: a label and a value in [0, 1] shown as a percentage. */
  public record Bar(String label, double share, String note) {}

  /** Text for XML/HTML: {@code & < > " '} escaped, control characters but tab and newline dropped. */
  public static String escape(String s) {
    if (s == null) {
      return "";
    }
    StringBuilder out = new StringBuilder(s.length() + 16);
    for (int i = 0; i < s.length(); i++) {
      char ch = s.charAt(i);
      switch (ch) {
        case '&' -> out.append("&amp;");
        case '<' -> out.append("&lt;");
        case '>' -> out.append("&gt;");
        case '"' -> out.append("&quot;");
        case '\'' -> out.append("&#39;");
        default -> {
          if (ch >= 0x20 || ch == '\n' || ch == '\t') {
            out.append(ch);
          }
        }
      }
    }
    return out.toString();
  }

  /**
   * Histograms of several series over the same buckets, each as the share of its own total (so a
   * backend with fewer candidates compares), drawn as outlined steps; the legend gives each
   * series' total.
   */
  public static String histogram(String title, String xLabel, double width, List<Series> series) {
    double xMin = Double.POSITIVE_INFINITY;
    double xMax = Double.NEGATIVE_INFINITY;
    double yMax = 0;
    for (Series s : series) {
      long total = total(s.counts());
      for (int i = 0; i < s.edges().length; i++) {
        xMin = Math.min(xMin, s.edges()[i]);
        xMax = Math.max(xMax, s.edges()[i] + width);
        if (total > 0) {
          yMax = Math.max(yMax, (double) s.counts()[i] / total);
        }
      }
    }
    if (!Double.isFinite(xMin)) {
      xMin = 0;
      xMax = 1;
    }
    yMax = yMax == 0 ? 1 : Math.min(1, yMax * 1.1);
    StringBuilder svg = open(title, "histogram", series.size());
    axes(svg, xMin, xMax, 0, yMax, xLabel, "share", true);
    for (int s = 0; s < series.size(); s++) {
      Series one = series.get(s);
      long total = total(one.counts());
      String color = COLORS[s % COLORS.length];
      for (int i = 0; i < one.edges().length; i++) {
        double share = total == 0 ? 0 : (double) one.counts()[i] / total;
        double x0 = px(one.edges()[i], xMin, xMax);
        double x1 = px(one.edges()[i] + width, xMin, xMax);
        double y = py(share, 0, yMax);
        svg.append(String.format(Locale.ROOT,
            "<rect x=\"%.1f\" y=\"%.1f\" width=\"%.1f\" height=\"%.1f\" fill=\"%s\" "
                + "fill-opacity=\"0.35\" stroke=\"%s\"><title>%s: %s–%s: %d (%.1f%%)</title></rect>\n",
            x0, y, Math.max(0.5, x1 - x0), py(0, 0, yMax) - y, color, color,
            escape(one.name()), num(one.edges()[i]), num(one.edges()[i] + width),
            one.counts()[i], 100 * share));
      }
    }
    legend(svg, series.stream().map(s -> s.name() + " (" + total(s.counts()) + ")").toList());
    return svg.append("</svg>\n").toString();
  }

  /** Lines over a shared x axis (e.g. seconds since the start). */
  public static String lines(String title, String xLabel, String yLabel, List<Line> lines) {
    double xMin = Double.POSITIVE_INFINITY;
    double xMax = Double.NEGATIVE_INFINITY;
    double yMax = 0;
    for (Line l : lines) {
      for (int i = 0; i < l.x().length; i++) {
        xMin = Math.min(xMin, l.x()[i]);
        xMax = Math.max(xMax, l.x()[i]);
        yMax = Math.max(yMax, l.y()[i]);
      }
    }
    if (!Double.isFinite(xMin)) {
      xMin = 0;
      xMax = 1;
    }
    if (xMax <= xMin) {
      xMax = xMin + 1;
    }
    yMax = yMax <= 0 ? 1 : yMax * 1.1;
    StringBuilder svg = open(title, "lines", lines.size());
    axes(svg, xMin, xMax, 0, yMax, xLabel, yLabel, false);
    for (int s = 0; s < lines.size(); s++) {
      Line l = lines.get(s);
      StringBuilder points = new StringBuilder();
      for (int i = 0; i < l.x().length; i++) {
        points.append(String.format(Locale.ROOT, "%.1f,%.1f ",
            px(l.x()[i], xMin, xMax), py(l.y()[i], 0, yMax)));
      }
      svg.append(String.format(Locale.ROOT,
          "<polyline fill=\"none\" stroke=\"%s\" stroke-width=\"2\" points=\"%s\"><title>%s</title>"
              + "</polyline>\n",
          COLORS[s % COLORS.length], points.toString().strip(), escape(l.name())));
    }
    legend(svg, lines.stream().map(Line::name).toList());
    return svg.append("</svg>\n").toString();
  }

  /** Horizontal bars, one per row, each a share in [0, 1] with its label and note. */
  public static String bars(String title, List<Bar> bars) {
    int row = 18;
    int labelW = 300;
    int barW = W - labelW - 90;
    int height = TOP + Math.max(1, bars.size()) * row + 12;
    StringBuilder svg = new StringBuilder(String.format(Locale.ROOT,
        "<svg class=\"plot\" data-kind=\"bars\" data-series=\"%d\" xmlns=\"http://www.w3.org/2000/svg\" "
            + "width=\"%d\" height=\"%d\" viewBox=\"0 0 %d %d\" font-family=\"sans-serif\" "
            + "font-size=\"11\" role=\"img\"><title>%s</title>\n"
            + "<text x=\"8\" y=\"20\" font-size=\"14\">%s</text>\n",
        bars.size(), W, height, W, height, escape(title), escape(title)));
    if (bars.isEmpty()) {
      svg.append("<text x=\"8\" y=\"44\">none</text>\n");
    }
    for (int i = 0; i < bars.size(); i++) {
      Bar b = bars.get(i);
      double y = TOP + i * row;
      double share = Math.max(0, Math.min(1, b.share()));
      svg.append(String.format(Locale.ROOT,
          "<text x=\"%d\" y=\"%.1f\" text-anchor=\"end\">%s</text>"
              + "<rect x=\"%d\" y=\"%.1f\" width=\"%.1f\" height=\"%d\" fill=\"%s\">"
              + "<title>%s: %.1f%% %s</title></rect>"
              + "<text x=\"%.1f\" y=\"%.1f\">%.1f%% %s</text>\n",
          labelW - 6, y + 12, escape(b.label()), labelW, y + 2, Math.max(0.5, share * barW),
          row - 5, COLORS[0], escape(b.label()), 100 * share, escape(b.note()),
          labelW + share * barW + 4, y + 12, 100 * share, escape(b.note())));
    }
    return svg.append("</svg>\n").toString();
  }

  private static StringBuilder open(String title, String kind, int series) {
    int height = H + 18 * ((series + 2) / 3);
    return new StringBuilder(String.format(Locale.ROOT,
        "<svg class=\"plot\" data-kind=\"%s\" data-series=\"%d\" xmlns=\"http://www.w3.org/2000/svg\" "
            + "width=\"%d\" height=\"%d\" viewBox=\"0 0 %d %d\" font-family=\"sans-serif\" "
            + "font-size=\"11\" role=\"img\"><title>%s</title>\n"
            + "<text x=\"8\" y=\"20\" font-size=\"14\">%s</text>\n",
        kind, series, W, height, W, height, escape(title), escape(title)));
  }

  private static void axes(StringBuilder svg, double xMin, double xMax, double yMin, double yMax,
      String xLabel, String yLabel, boolean percent) {
    double x0 = LEFT;
    double y0 = H - BOTTOM;
    svg.append(String.format(Locale.ROOT,
        "<line x1=\"%.1f\" y1=\"%.1f\" x2=\"%d\" y2=\"%.1f\" stroke=\"#444\"/>"
            + "<line x1=\"%.1f\" y1=\"%d\" x2=\"%.1f\" y2=\"%.1f\" stroke=\"#444\"/>\n",
        x0, y0, W - RIGHT, y0, x0, TOP, x0, y0));
    for (int t = 0; t <= 4; t++) {
      double xv = xMin + (xMax - xMin) * t / 4;
      double yv = yMin + (yMax - yMin) * t / 4;
      svg.append(String.format(Locale.ROOT,
          "<text x=\"%.1f\" y=\"%.1f\" text-anchor=\"middle\">%s</text>"
              + "<text x=\"%.1f\" y=\"%.1f\" text-anchor=\"end\">%s</text>"
              + "<line x1=\"%.1f\" y1=\"%.1f\" x2=\"%d\" y2=\"%.1f\" stroke=\"#ddd\"/>\n",
          px(xv, xMin, xMax), y0 + 14, num(xv), x0 - 4, py(yv, yMin, yMax) + 4,
          percent ? String.format(Locale.ROOT, "%.0f%%", 100 * yv) : num(yv),
          x0, py(yv, yMin, yMax), W - RIGHT, py(yv, yMin, yMax)));
    }
    svg.append(String.format(Locale.ROOT,
        "<text x=\"%d\" y=\"%.1f\" text-anchor=\"middle\">%s</text>"
            + "<text x=\"12\" y=\"%d\" transform=\"rotate(-90 12 %d)\" text-anchor=\"middle\">%s"
            + "</text>\n",
        (LEFT + W - RIGHT) / 2, y0 + 30, escape(xLabel), (TOP + H - BOTTOM) / 2,
        (TOP + H - BOTTOM) / 2, escape(yLabel)));
  }

  private static void legend(StringBuilder svg, List<String> names) {
    for (int i = 0; i < names.size(); i++) {
      int x = LEFT + (i % 3) * 170;
      int y = H + 4 + (i / 3) * 18;
      svg.append(String.format(Locale.ROOT,
          "<rect x=\"%d\" y=\"%d\" width=\"12\" height=\"12\" fill=\"%s\"/>"
              + "<text x=\"%d\" y=\"%d\">%s</text>\n",
          x, y - 10, COLORS[i % COLORS.length], x + 16, y, escape(names.get(i))));
    }
  }

  private static double px(double x, double min, double max) {
    return LEFT + (x - min) / (max - min) * (W - LEFT - RIGHT);
  }

  private static double py(double y, double min, double max) {
    return H - BOTTOM - (y - min) / (max - min) * (H - BOTTOM - TOP);
  }

  private static long total(long[] counts) {
    long t = 0;
    for (long c : counts) {
      t += c;
    }
    return t;
  }

  static String num(double v) {
    if (Math.abs(v - Math.rint(v)) < 1e-9 && Math.abs(v) < 1e15) {
      return Long.toString((long) Math.rint(v));
    }
    return Math.abs(v) >= 100
        ? String.format(Locale.ROOT, "%.0f", v) : String.format(Locale.ROOT, "%.2f", v);
  }
}
