package dev.tarjama.transforms.report;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.fasterxml.jackson.databind.node.TextNode;
import dev.tarjama.transforms.backend.BackendSpec;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.Iterator;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * The {@code README.md} dataset card of a translate run's output folder: YAML front matter with
 * the Hugging Face {@code configs:} that {@code datasets.load_dataset(OUT)} reads (every file set
 * of {@link dev.tarjama.transforms.io.WriteOutputs} is one config, chosen the default), then the
 * source, the translators with their licences, the policy, the counts and the score means.
 *
 * <p>Config names: {@code chosen} when the chosen records are of one format, else {@code
 * chosen_<shape>} for each (the largest one the default); every other folder is a config of its
 * own name ({@code candidates}, {@code rejected}, {@code dead_letter}, {@code preferences}, …).
 */
public final class DatasetCard {
  /** One config of the card: a name and the file set it reads. */
  public record Config(String name, String folder, String path, long rows, List<String> columns,
      boolean isDefault) {}

  private DatasetCard() {}

  /** The configs of these file-set descriptions (WriteOutputs' output lines), chosen first. */
  public static List<Config> configs(List<JsonNode> fileSets) {
    List<JsonNode> chosen = new ArrayList<>();
    List<JsonNode> others = new ArrayList<>();
    for (JsonNode set : fileSets) {
      (set.get("folder").asText().equals("chosen") ? chosen : others).add(set);
    }
    chosen.sort(Comparator.comparing((JsonNode s) -> -s.get("rows").asLong())
        .thenComparing(s -> s.get("shape").asText()));
    others.sort(Comparator.comparing((JsonNode s) -> s.get("folder").asText())
        .thenComparing(s -> s.get("shape").asText()));
    List<Config> configs = new ArrayList<>();
    for (JsonNode set : chosen) {
      String name = chosen.size() == 1 ? "chosen" : "chosen_" + set.get("shape").asText();
      configs.add(config(name, set, configs.isEmpty()));
    }
    for (JsonNode set : others) {
      String folder = set.get("folder").asText();
      String shape = set.get("shape").asText();
      configs.add(config(shape.equals(folder) ? folder : folder + "_" + shape, set, false));
    }
    return configs;
  }

  private static Config config(String name, JsonNode set, boolean isDefault) {
    List<String> columns = new ArrayList<>();
    set.get("columns").forEach(c -> columns.add(c.asText()));
    return new Config(name, set.get("folder").asText(), set.get("path").asText(),
        set.get("rows").asLong(), List.copyOf(columns), isDefault);
  }

  /** report.json's {@code outputs}: {config: {folder, path, rows, columns, default}}. */
  public static ObjectNode outputsJson(String format, List<Config> configs) {
    ObjectNode root = JsonNodeFactory.instance.objectNode();
    root.put("format", format);
    ObjectNode all = root.putObject("configs");
    for (Config c : configs) {
      ObjectNode node = all.putObject(c.name);
      node.put("folder", c.folder);
      node.put("path", c.path);
      node.put("rows", c.rows);
      c.columns.forEach(node.putArray("columns")::add);
      node.put("default", c.isDefault);
    }
    return root;
  }

  /** The card's text: front matter, then the run for a person. */
  public static String markdown(
      List<Config> configs, JsonNode report, List<BackendSpec> backends, String format) {
    StringBuilder md = new StringBuilder("---\nconfigs:\n");
    for (Config c : configs) {
      md.append("- config_name: ").append(yaml(c.name)).append('\n');
      if (c.isDefault) {
        md.append("  default: true\n");
      }
      md.append("  data_files:\n  - split: train\n    path: ").append(yaml(c.path)).append('\n');
    }
    md.append("tags:\n- translation\n- tarjama\n---\n\n");
    md.append("# Translated with Tarjama\n\n");
    md.append("Source: `").append(report.path("input").asText()).append("`, ")
        .append(report.path("counts").path("input").asLong())
        .append(" records, translated by an ensemble; the best candidate of each record is kept")
        .append(" in `chosen`. Files: ").append(format).append(".\n\n");

    md.append("## Configs\n\n| config | files | rows | columns |\n|---|---|---|---|\n");
    for (Config c : configs) {
      md.append("| ").append(c.name).append(c.isDefault ? " (default)" : "").append(" | `")
          .append(c.path).append("` | ").append(c.rows).append(" | ")
          .append(String.join(", ", c.columns)).append(" |\n");
    }
    md.append("\n`chosen` rows keep each record's own format plus `LR`, `SCR`, `rank_score`, ")
        .append("`source` (the winning translator) and `record_id`, which joins `candidates` ")
        .append("(every candidate, its scores and its translated `record` as JSON text).\n\n");

    md.append("## Translators\n\n| source label | kind | model | licence | wins |\n")
        .append("|---|---|---|---|---|\n");
    for (BackendSpec b : backends) {
      JsonNode stats = report.path("backends").path(b.label());
      md.append("| ").append(b.label()).append(" | ").append(b.kind().toString().toLowerCase(
              Locale.ROOT)).append(" | ").append(b.model()).append(" | ")
          .append(b.license().isEmpty() ? "not given" : b.license()).append(" | ")
          .append(stats.path("wins").asLong()).append(" |\n");
    }

    md.append("\n## Policy\n\n```json\n").append(report.path("policy").toPrettyString())
        .append("\n```\n\nr0 (length ratio): ").append(report.path("r0").path("r0").asText())
        .append("\n\n## Counts\n\n| ");
    JsonNode counts = report.path("counts");
    StringBuilder header = new StringBuilder();
    StringBuilder values = new StringBuilder();
    for (Iterator<Map.Entry<String, JsonNode>> it = counts.fields(); it.hasNext(); ) {
      Map.Entry<String, JsonNode> e = it.next();
      header.append(e.getKey()).append(" | ");
      values.append(e.getValue().asText()).append(" | ");
    }
    md.append(header).append("\n|").append("---|".repeat(counts.size())).append("\n| ")
        .append(values).append("\n\n");
    md.append(scores(report));
    return md.toString();
  }

  /** Mean LR, SCR, rank_score (and reward) of the chosen records, overall and per split. */
  private static String scores(JsonNode report) {
    String[] names = {"LR", "SCR", "rank_score", "reward"};
    StringBuilder md = new StringBuilder("## Scores of the chosen records (means)\n\n")
        .append("| split | chosen | LR | SCR | rank_score | reward |\n|---|---|---|---|---|---|\n");
    double[] sums = new double[names.length];
    boolean[] seen = new boolean[names.length];
    long total = 0;
    StringBuilder rows = new StringBuilder();
    for (Iterator<Map.Entry<String, JsonNode>> it = report.path("splits").fields(); it.hasNext(); ) {
      Map.Entry<String, JsonNode> e = it.next();
      long chosen = e.getValue().path("chosen").asLong();
      total += chosen;
      rows.append("| ").append(e.getKey()).append(" | ").append(chosen);
      for (int i = 0; i < names.length; i++) {
        JsonNode mean = e.getValue().get(names[i] + "_mean");
        rows.append(" | ").append(mean == null ? "" : format(mean.asDouble()));
        if (mean != null) {
          sums[i] += mean.asDouble() * chosen;
          seen[i] = true;
        } else if (chosen > 0) {
          sums[i] = Double.NaN; // a split without this score: no overall mean
        }
      }
      rows.append(" |\n");
    }
    md.append("| (all) | ").append(total);
    for (int i = 0; i < names.length; i++) {
      double sum = seen[i] ? sums[i] : Double.NaN;
      md.append(" | ").append(total == 0 || Double.isNaN(sum) ? "" : format(sum / total));
    }
    return md.append(" |\n").append(rows).toString();
  }

  private static String format(double value) {
    return String.format(Locale.ROOT, "%.4f", value);
  }

  /** A YAML double-quoted scalar (JSON string syntax is valid YAML). */
  private static String yaml(String text) {
    return TextNode.valueOf(text).toString();
  }
}
