package dev.tarjama.transforms.io;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.apache.avro.generic.GenericRecord;
import org.apache.beam.sdk.coders.StringUtf8Coder;
import org.apache.beam.sdk.testing.TestPipeline;
import org.apache.beam.sdk.testing.TestPipelineExtension;
import org.apache.beam.sdk.transforms.Create;
import org.apache.beam.sdk.values.PCollectionTuple;
import org.apache.hadoop.conf.Configuration;
import org.apache.parquet.avro.AvroParquetReader;
import org.apache.parquet.hadoop.ParquetReader;
import org.apache.parquet.hadoop.util.HadoopInputFile;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

/** One schema per file set, rows split by shape, zero-row files for empty folders. */
@ExtendWith(TestPipelineExtension.class)
class WriteOutputsTest {
  private static final List<String> CHOSEN = List.of(
      "{\"messages\":[{\"role\":\"user\",\"content\":\"a\"}],\"id\":1,\"record_id\":\"f:1\"}",
      "{\"messages\":[{\"role\":\"user\",\"content\":\"b\"}],\"id\":\"x\",\"extra\":2,"
          + "\"record_id\":\"f:2\"}",
      "{\"messages\":[{\"role\":\"user\",\"content\":[{\"type\":\"text\",\"value\":\"c\"}]},"
          + "{\"role\":\"assistant\",\"content\":\"d\"}],\"record_id\":\"f:3\"}",
      "{\"instruction\":\"e\",\"output\":\"f\",\"my-key\":true,\"record_id\":\"f:4\"}");

  private static WriteOutputs writer(Path out, OutputFormat format) {
    return WriteOutputs.to(out.toString()).withFormat(format).withNumShards(1)
        .folder("chosen", OutputRecords.CHOSEN_COLUMNS, new ChosenShapes())
        .folder("dead_letter", OutputRecords.DEAD_LETTER_COLUMNS);
  }

  private static void run(TestPipeline p, Path out, OutputFormat format) {
    PCollectionTuple.of(WriteOutputs.rows("chosen"),
            p.apply("Chosen", Create.of(CHOSEN).withCoder(StringUtf8Coder.of())))
        .and(WriteOutputs.rows("dead_letter"),
            p.apply("Dead", Create.empty(StringUtf8Coder.of())))
        .apply(writer(out, format));
    p.run().waitUntilFinish();
  }

  @Test
  void parquetFileSetsHaveOneSchemaEachAndEmptyFoldersAZeroRowFile(TestPipeline p,
      @TempDir Path tmp) throws Exception {
    Path out = tmp.resolve("out");
    run(p, out, OutputFormat.PARQUET);

    assertEquals(List.of("alpaca-00000-of-00001.parquet", "messages-00000-of-00001.parquet",
        "messages_typed-00000-of-00001.parquet"), names(out.resolve("chosen")));
    List<GenericRecord> messages = read(out.resolve("chosen/messages-00000-of-00001.parquet"));
    assertEquals(2, messages.size());
    Map<String, GenericRecord> byId = new HashMap<>();
    messages.forEach(r -> byId.put(r.get("record_id").toString(), r));
    // id is a number in one row and a string in the other: its JSON text in both.
    assertEquals("1", byId.get("f:1").get("id").toString());
    assertEquals("\"x\"", byId.get("f:2").get("id").toString());
    assertEquals(null, byId.get("f:1").get("extra"), "a field missing from a row is null");
    assertEquals(2L, byId.get("f:2").get("extra"));

    GenericRecord typed = read(out.resolve("chosen/messages_typed-00000-of-00001.parquet")).get(0);
    List<?> turns = (List<?>) typed.get("messages");
    GenericRecord assistant = (GenericRecord) turns.get(1);
    GenericRecord part = (GenericRecord) ((List<?>) assistant.get("content")).get(0);
    assertEquals("text", part.get("type").toString());
    assertEquals("d", part.get("value").toString(), "a string content becomes one text part");

    GenericRecord alpaca = read(out.resolve("chosen/alpaca-00000-of-00001.parquet")).get(0);
    assertEquals(true, alpaca.get("my_key"), "a key that is no column name is renamed");

    assertEquals(List.of("dead_letter-00000-of-00001.parquet"), names(out.resolve("dead_letter")));
    assertEquals(0, read(out.resolve("dead_letter/dead_letter-00000-of-00001.parquet")).size());
  }

  @Test
  void jsonLinesRowsCarryEveryColumnOfTheirFileSet(TestPipeline p, @TempDir Path tmp)
      throws Exception {
    Path out = tmp.resolve("out");
    run(p, out, OutputFormat.JSONL_GZ);

    assertEquals(List.of("alpaca-00000-of-00001.jsonl.gz", "messages-00000-of-00001.jsonl.gz",
        "messages_typed-00000-of-00001.jsonl.gz"), names(out.resolve("chosen")));
    List<JsonNode> rows = new ArrayList<>();
    try (var in = new java.util.zip.GZIPInputStream(
        Files.newInputStream(out.resolve("chosen/messages-00000-of-00001.jsonl.gz")))) {
      for (String line : new String(in.readAllBytes(), "UTF-8").split("\n")) {
        rows.add(RecordJson.parse(line));
      }
    }
    for (JsonNode row : rows) {
      List<String> keys = new ArrayList<>();
      row.fieldNames().forEachRemaining(keys::add);
      assertEquals(List.of("messages", "id", "extra", "record_id"), keys, row.toString());
    }
    assertTrue(Files.size(out.resolve("dead_letter/dead_letter-00000-of-00001.jsonl.gz")) > 0,
        "an empty gzip stream is still gzip");
  }

  @Test
  void rowsThatNeedNoRenamingAreWrittenAsTheParsedPathWroteThem(TestPipeline p,
      @TempDir Path tmp) throws Exception {
    List<String> rows = List.of(
        "{\"record_id\":\"f:1\",\"LR\":1.0E-5,\"SCR\":1.0E22,\"n\":-0.0,\"k\":12,"
            + "\"text\":\"\\u00e9 \\ud83d\\ude00 \\u2028 \\\"q\\\"\"}",
        "{\"record_id\":\"f:2\",\"LR\":0.5,\"k\":2.50,\"q\":{\"a-b\":1},\"l\":[1,2.5]}",
        "{\"record_id\":\"f:3\",\"my-key\":true,\"LR\":null,\"l\":[]}",
        "{\"record_id\":\"f:4\",\"SCR\":12345678901234567890,\"text\":\"\"}");
    Path out = tmp.resolve("out");
    PCollectionTuple.of(WriteOutputs.rows("plain"),
            p.apply("Plain", Create.of(rows).withCoder(StringUtf8Coder.of())))
        .apply(WriteOutputs.to(out.toString()).withFormat(OutputFormat.JSONL).withNumShards(1)
            .folder("plain", RowType.NULL));
    p.run().waitUntilFinish();

    // What every row took before: parsed, renamed, printed; typed and written from that text.
    List<String> shaped = new ArrayList<>();
    RowType type = RowType.NULL;
    for (String row : rows) {
      String s = RecordJson.print(WriteOutputs.columnNames(
          (com.fasterxml.jackson.databind.node.ObjectNode) RecordJson.parse(row)));
      shaped.add(s);
      type = type.merge(RowType.of(RecordJson.parse(s)));
    }
    List<String> expected = new ArrayList<>();
    for (String s : shaped) {
      expected.add(RecordJson.print(type.finish().conform(RecordJson.parse(s))));
    }
    List<String> written = new ArrayList<>(Files.readAllLines(
        out.resolve("plain/plain-00000-of-00001.jsonl"), java.nio.charset.StandardCharsets.UTF_8));
    java.util.Collections.sort(expected);
    java.util.Collections.sort(written);
    assertEquals(expected, written);
  }

  private static List<String> names(Path dir) throws Exception {
    try (Stream<Path> files = Files.list(dir)) {
      return files.map(f -> f.getFileName().toString()).sorted().toList();
    }
  }

  private static List<GenericRecord> read(Path file) throws Exception {
    List<GenericRecord> rows = new ArrayList<>();
    try (ParquetReader<GenericRecord> reader = AvroParquetReader.<GenericRecord>builder(
        HadoopInputFile.fromPath(new org.apache.hadoop.fs.Path(file.toUri()), new Configuration()))
        .build()) {
      for (GenericRecord r; (r = reader.read()) != null; ) {
        rows.add(r);
      }
    }
    return rows;
  }
}
