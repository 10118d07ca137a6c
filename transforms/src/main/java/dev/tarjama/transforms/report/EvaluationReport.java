package dev.tarjama.transforms.report;

import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.tarjama.transforms.evaluate.SystemScores;
import dev.tarjama.transforms.io.RecordJson;
import java.util.LinkedHashSet;
import java.util.Locale;
import java.util.Set;

/**
 * The report of {@code tarjama evaluate}: scores.json ({@code {NAME: {bleu, chrf_pp, rouge_l,
 * signature, …}}}) and the table on stdout, from each system's {@link SystemScores}.
 */
public final class EvaluationReport {
  private EvaluationReport() {}

  /** scores.json: each system's scores under its name, in the order given. */
  public static ObjectNode json(Iterable<SystemScores> scores) {
    ObjectNode json = RecordJson.MAPPER.createObjectNode();
    for (SystemScores s : scores) {
      json.set(s.system(), s.toJson());
    }
    return json;
  }

  /** The table printed on stdout: one row per system, then the metrics' signatures. */
  public static String table(Iterable<SystemScores> scores) {
    int width = "system".length();
    for (SystemScores s : scores) {
      width = Math.max(width, s.system().length());
    }
    String row = "%-" + width + "s  %8s  %6s  %6s  %7s  %6s%n";
    StringBuilder out = new StringBuilder();
    out.append(String.format(Locale.ROOT, row, "system", "segments", "BLEU", "chrF++", "ROUGE-L",
        "failed"));
    Set<String> signatures = new LinkedHashSet<>();
    for (SystemScores s : scores) {
      out.append(String.format(Locale.ROOT, row, s.system(), s.segments(),
          String.format(Locale.ROOT, "%.2f", s.bleu()),
          String.format(Locale.ROOT, "%.2f", s.chrfPlusPlus()),
          String.format(Locale.ROOT, "%.2f", s.rougeL()), s.failed()));
      signatures.add(s.bleuSignature());
      signatures.add(s.chrfSignature());
      signatures.add(s.rougeSignature());
    }
    out.append("signatures:\n");
    for (String signature : signatures) {
      out.append("  ").append(signature).append('\n');
    }
    return out.toString();
  }
}
