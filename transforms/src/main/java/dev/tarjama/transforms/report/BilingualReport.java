package dev.tarjama.transforms.report;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.tarjama.transforms.bilingual.InstructionTurns;
import dev.tarjama.transforms.io.RecordJson;
import java.util.Locale;

/**
 * The {@code bilingual} section of a translate report with {@code --emit=bilingual}: chosen
 * records, tuples written, translator-training records written, and the chosen records skipped
 * per reason (multi-turn ones among them), from the counts {@link
 * dev.tarjama.transforms.bilingual.EmitBilingual} wrote (its summary, read by the launcher).
 */
public final class BilingualReport {
  private BilingualReport() {}

  /** report.json's section, from the summary's counts (an empty object: nothing was counted). */
  public static ObjectNode section(JsonNode counts) {
    ObjectNode section = RecordJson.MAPPER.createObjectNode();
    section.put("chosen", counts.path("chosen").asLong());
    section.put("tuples", counts.path("tuples").asLong());
    section.put("translator_training", counts.path("translator_training").asLong());
    ObjectNode skipped = section.putObject("skipped");
    for (String reason : new String[] {InstructionTurns.MULTI_TURN,
        InstructionTurns.TOOLS_OR_PARTS, InstructionTurns.NOT_INSTRUCTION}) {
      skipped.put(reason, counts.path("skipped." + reason).asLong());
    }
    counts.fields().forEachRemaining(e -> {
      if (e.getKey().startsWith("skipped.")) {
        skipped.put(e.getKey().substring("skipped.".length()), e.getValue().asLong());
      }
    });
    return section;
  }

  /** report.md's section, from report.json's. */
  public static String markdown(JsonNode b) {
    StringBuilder md = new StringBuilder("\n## Bilingual supervision (--emit=bilingual)\n\n");
    md.append(String.format(Locale.ROOT,
        "| chosen | tuples | translator-training records |\n|---:|---:|---:|\n| %d | %d | %d |\n\n",
        b.get("chosen").asLong(), b.get("tuples").asLong(), b.get("translator_training").asLong()));
    md.append("Skipped chosen records: ");
    b.get("skipped").fields().forEachRemaining(
        e -> md.append(e.getKey()).append(' ').append(e.getValue().asLong()).append("; "));
    md.append("\n");
    return md.toString();
  }
}
