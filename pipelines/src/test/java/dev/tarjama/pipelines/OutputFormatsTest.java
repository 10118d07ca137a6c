package dev.tarjama.pipelines;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.tarjama.transforms.io.RecordJson;
import dev.tarjama.transforms.io.SmolTalk2Parquet;
import dev.tarjama.transforms.domain.SourceRecord;
import dev.tarjama.models.testing.DataKit;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.yaml.snakeyaml.Yaml;

/**
 * {@code --output-format} end to end: translate runs over several record formats, then the
 * dataset card's YAML is parsed (SnakeYAML) and every config it lists is read with DuckDB and
 * hyparquet from npm; rows and columns must equal report.json's, chosen must join candidates on
 * record_id, and each column must have one type.
 */
class OutputFormatsTest {
  /** A few records of each format: messages (string and typed content), alpaca, sharegpt, flat. */
  static Path severalFormats(Path tmp) throws Exception {
    Path in = Files.createDirectories(tmp.resolve("in"));
    JobTest.copyHead(in, "instruct/smoltalk2_style/gsm8k_think.jsonl", 4);
    JobTest.copyHead(in, "instruct/llamafactory/reason_tool_use_demo_50.jsonl", 3);
    JobTest.copyHead(in, "instruct/llamafactory/alpaca_en_demo.json", 4);
    JobTest.copyHead(in, "instruct/llamafactory/dpo_en_demo.json", 3);
    JobTest.copyHead(in, "instruct/gsm8k/test.jsonl", 4);
    return in;
  }

  @Test
  void parquetOverSeveralFormatsLoadsConfigByConfig(@TempDir Path tmp) throws Exception {
    Path in = severalFormats(tmp);
    Path out = tmp.resolve("out");
    // One split rejected, so rejected/ has rows; dead_letter/ stays empty (a zero-row file).
    JobTest.translate(
        in + "/*/*", out, "--output-format=parquet", "--policy=gsm8k_think:min-lr=1.0").runOnce();

    JsonNode report = new RunOutputs(out).report();
    assertEquals(18, report.at("/counts/input").asInt());
    assertTrue(report.at("/counts/rejected").asInt() > 0, report.toPrettyString());
    JsonNode read = readEveryConfig(out, report, "parquet");
    Set<String> configs = fieldNames(report.at("/outputs/configs"));
    assertEquals(Set.of("chosen_messages", "chosen_messages_typed", "chosen_alpaca",
        "chosen_sharegpt", "chosen_fields", "candidates", "rejected", "dead_letter"), configs);
    assertEquals(0, read.at("/tables/dead_letter/rows").asInt());
    assertEquals(1, read.at("/tables/dead_letter/files").asInt(), "a zero-row file");

    // One type per column: string content here, a list of typed parts there.
    assertEquals("STRUCT(\"role\" VARCHAR, \"content\" VARCHAR)[]",
        type(read, "chosen_messages", "messages").replace("\"content\" VARCHAR, \"role\" VARCHAR",
            "\"role\" VARCHAR, \"content\" VARCHAR"));
    assertTrue(type(read, "chosen_messages_typed", "messages").contains("\"content\" STRUCT("),
        read.toString());
    assertEquals("VARCHAR", type(read, "candidates", "record"));
    assertEquals("DOUBLE", type(read, "candidates", "LR"));

    // sweep re-ranks from Parquet candidates and exits 1 unless it chooses what the run chose.
    JobTest.line("sweep", "--run=" + out, "--min-lr=0.6",
        "--min-scr=0.8").runOnce();
  }

  @Test
  void jsonLinesOverSeveralFormatsLoadsConfigByConfig(@TempDir Path tmp) throws Exception {
    Path in = severalFormats(tmp);
    Files.writeString(in.resolve("smoltalk2_style/gsm8k_think.jsonl"), "{\"messages\": [\n",
        java.nio.file.StandardOpenOption.APPEND);
    Path out = tmp.resolve("out");
    JobTest.translate(
        in + "/*/*", out, "--output-format=jsonl").runOnce();

    JsonNode report = new RunOutputs(out).report();
    assertEquals(1, report.at("/counts/dead_letter").asInt());
    assertEquals(0, report.at("/counts/rejected").asInt());
    JsonNode read = readEveryConfig(out, report, "jsonl");
    // An empty JSON Lines file holds no schema: DuckDB reads it as 0 rows of one JSON column.
    assertEquals(0, read.at("/tables/rejected/rows").asInt());
    assertEquals(1, read.at("/tables/rejected/files").asInt());
    assertEquals("VARCHAR", type(read, "candidates", "record"));
    // Every row carries every column of its file, so a reader that samples sees them all.
    for (JsonNode line : new RunOutputs(out).lines("chosen")) {
      assertTrue(line.has("record_id") && line.has("source"), line.toString());
    }
  }

  @Test
  void parquetInputWritesParquetInSmolKalamsColumnsByDefault(@TempDir Path tmp) throws Exception {
    List<SourceRecord> records = new ArrayList<>();
    List<String> lines = Files.readAllLines(DataKit.data(
        "instruct/smoltalk2_style/think_tools.jsonl"));
    for (int i = 0; i < 5; i++) {
      records.add(new SourceRecord("think_tools.parquet#" + i, "think_tools.parquet", i, lines.get(i)));
    }
    Path input = tmp.resolve("think_tools.parquet");
    SmolTalk2Parquet.write(input, records);
    Path out = tmp.resolve("out");
    JobTest.translate(input.toString(), out).runOnce();

    JsonNode report = new RunOutputs(out).report();
    assertEquals("parquet", report.at("/outputs/format").asText());
    JsonNode read = readEveryConfig(out, report, "parquet");
    assertEquals(List.of("messages", "chat_template_kwargs", "original_source", "LR", "SCR",
            "rank_score", "source", "record_id"),
        columnNames(read.at("/tables/chosen/columns")));
    assertTrue(type(read, "chosen", "chat_template_kwargs").startsWith("STRUCT("));
    assertEquals("BOOLEAN", type(read, "chosen", "chat_template_kwargs")
        .replaceAll(".*enable_thinking\"? (\\w+).*", "$1"));
    assertEquals("DOUBLE", type(read, "chosen", "rank_score"));
  }

  /**
   * Parses README.md's front matter, reads every config with DuckDB (and Parquet with hyparquet
   * too) and checks them against report.json; returns what the readers saw.
   */
  static JsonNode readEveryConfig(Path out, JsonNode report, String format) throws Exception {
    String card = Files.readString(out.resolve("README.md"));
    assertTrue(card.startsWith("---\n"), card);
    Map<String, Object> front =
        new Yaml().load(card.substring(4, card.indexOf("\n---\n", 4)));
    @SuppressWarnings("unchecked")
    List<Map<String, Object>> configs = (List<Map<String, Object>>) front.get("configs");
    JsonNode outputs = report.at("/outputs/configs");
    assertEquals(outputs.size(), configs.size(), card);

    ObjectNode spec = RecordJson.MAPPER.createObjectNode();
    spec.put("dir", out.toString());
    List<String> defaults = new ArrayList<>();
    for (Map<String, Object> config : configs) {
      String name = (String) config.get("config_name");
      if (Boolean.TRUE.equals(config.get("default"))) {
        defaults.add(name);
      }
      @SuppressWarnings("unchecked")
      List<Map<String, Object>> files = (List<Map<String, Object>>) config.get("data_files");
      assertEquals(1, files.size());
      assertEquals("train", files.get(0).get("split"));
      String path = (String) files.get(0).get("path");
      assertEquals(outputs.at("/" + name + "/path").asText(), path, name);
      assertTrue(path.endsWith("." + format), path);
      spec.withArray("tables").addObject().put("name", name).put("path", path)
          .put("format", format);
    }
    assertEquals(1, defaults.size(), card);
    assertTrue(defaults.get(0).startsWith("chosen"), card);

    List<String> chosen = new ArrayList<>();
    outputs.fieldNames().forEachRemaining(n -> {
      if (n.startsWith("chosen")) {
        chosen.add(n);
      }
    });
    // Every chosen row has a candidate of the same record, backend and rank_score.
    StringBuilder union = new StringBuilder();
    for (String c : chosen) {
      union.append(union.length() == 0 ? "" : " union all ")
          .append("select record_id, source, rank_score from \"").append(c).append('"');
    }
    ObjectNode queries = spec.putObject("queries");
    queries.put("unjoined", "select count(*) as n from (" + union + ") c where not exists "
        + "(select 1 from candidates k where k.record_id = c.record_id "
        + "and k.backend = c.source and k.rank_score = c.rank_score)");
    queries.put("chosen_ids", "select count(distinct record_id) as n from (" + union + ")");

    JsonNode read = NodeReaders.read(spec);
    long chosenRows = 0;
    for (Map.Entry<String, JsonNode> e : iterable(outputs)) {
      String name = e.getKey();
      JsonNode table = read.at("/tables/" + name);
      assertEquals(e.getValue().get("rows").asLong(), table.get("rows").asLong(), name);
      boolean emptyJsonLines = !format.equals("parquet") && table.get("rows").asLong() == 0;
      if (!emptyJsonLines) {
        assertEquals(stringList(e.getValue().get("columns")), columnNames(table.get("columns")),
            name);
      }
      if (format.equals("parquet")) {
        assertEquals(table.get("rows").asLong(), read.at("/hyparquet/" + name + "/rows").asLong());
        assertEquals(stringList(e.getValue().get("columns")),
            stringList(read.at("/hyparquet/" + name + "/columns")), name);
      }
      if (name.startsWith("chosen")) {
        chosenRows += table.get("rows").asLong();
      }
    }
    JsonNode counts = report.get("counts");
    assertEquals(counts.get("chosen").asLong(), chosenRows);
    assertEquals(counts.get("rejected").asLong(), read.at("/tables/rejected/rows").asLong());
    assertEquals(counts.get("dead_letter").asLong(), read.at("/tables/dead_letter/rows").asLong());
    // gemma k=1 and seedx k=2: three candidates per translated record.
    assertEquals(3 * (counts.get("chosen").asLong() + counts.get("rejected").asLong()),
        read.at("/tables/candidates/rows").asLong());
    assertEquals(0, read.at("/queries/unjoined/0/n").asLong(), "chosen rows without a candidate");
    assertEquals(chosenRows, read.at("/queries/chosen_ids/0/n").asLong());
    return read;
  }

  static String type(JsonNode read, String table, String column) {
    for (JsonNode c : read.at("/tables/" + table + "/columns")) {
      if (c.get(0).asText().equals(column)) {
        return c.get(1).asText();
      }
    }
    throw new AssertionError(table + " has no column " + column + ": " + read);
  }

  static List<String> columnNames(JsonNode columns) {
    List<String> names = new ArrayList<>();
    columns.forEach(c -> names.add(c.get(0).asText()));
    return names;
  }

  static List<String> stringList(JsonNode array) {
    List<String> list = new ArrayList<>();
    array.forEach(v -> list.add(v.asText()));
    return list;
  }

  static Set<String> fieldNames(JsonNode node) {
    Set<String> names = new HashSet<>();
    node.fieldNames().forEachRemaining(names::add);
    return names;
  }

  static Iterable<Map.Entry<String, JsonNode>> iterable(JsonNode node) {
    Map<String, JsonNode> map = new HashMap<>();
    node.fields().forEachRemaining(e -> map.put(e.getKey(), e.getValue()));
    return map.entrySet();
  }
}
