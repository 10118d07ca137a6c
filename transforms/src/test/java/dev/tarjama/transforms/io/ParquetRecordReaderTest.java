package dev.tarjama.transforms.io;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.tarjama.models.testing.DataKit;
import java.math.BigDecimal;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.apache.avro.Conversions;
import org.apache.avro.LogicalTypes;
import org.apache.avro.Schema;
import org.apache.avro.generic.GenericData;
import org.apache.parquet.example.data.Group;
import org.apache.parquet.example.data.simple.SimpleGroupFactory;
import org.apache.parquet.hadoop.ParquetWriter;
import org.apache.parquet.hadoop.example.ExampleParquetWriter;
import org.apache.parquet.io.LocalOutputFile;
import org.apache.parquet.schema.MessageType;
import org.apache.parquet.schema.MessageTypeParser;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ParquetRecordReaderTest {

  /**
   * HF datasets are written by pyarrow: 3-level lists ({@code list.element}) and no Avro schema in
   * the footer. Read with parquet-avro's defaults, every message would come back wrapped as
   * {@code {"element": {...}}}.
   */
  @Test
  void readsPyarrowLayoutWithoutAnAvroSchema(@TempDir Path dir) throws Exception {
    JsonNode record =
        RecordJson.parse(
            Files.readAllLines(DataKit.data("instruct/smoltalk2_style/gsm8k_think.jsonl"),
                StandardCharsets.UTF_8).get(0));
    MessageType schema =
        MessageTypeParser.parseMessageType(
            """
            message schema {
              optional group messages (LIST) {
                repeated group list {
                  optional group element {
                    optional binary content (STRING);
                    optional binary role (STRING);
                  }
                }
              }
              optional binary source (STRING);
            }
            """);
    Path file = dir.resolve("train-00000-of-00001.parquet");
    try (ParquetWriter<Group> writer =
        ExampleParquetWriter.builder(new LocalOutputFile(file)).withType(schema).build()) {
      Group row = new SimpleGroupFactory(schema).newGroup();
      Group messages = row.addGroup("messages");
      for (JsonNode m : record.get("messages")) {
        Group element = messages.addGroup("list").addGroup("element");
        element.add("content", m.get("content").textValue());
        element.add("role", m.get("role").textValue());
      }
      row.add("source", record.get("source").textValue());
      writer.write(row);
    }

    KitReader.Collected sink = new KitReader.Collected(null);
    new ParquetRecordReader("train-00000-of-00001.parquet", sink)
        .read(() -> FileChannel.open(file), Files.size(file));
    assertEquals(List.of(), sink.deadLetters);
    assertEquals(1, sink.records.size());
    assertEquals("train-00000-of-00001.parquet#0", sink.records.get(0).recordId());
    ObjectNode expected = RecordJson.MAPPER.createObjectNode();
    expected.set("messages", record.get("messages"));
    expected.set("source", record.get("source"));
    assertEquals(expected, RecordJson.parse(sink.records.get(0).json()));
  }

  @Test
  void aFileThatIsNotParquetIsOneDeadLetter(@TempDir Path dir) throws Exception {
    Path file = dir.resolve("fake.parquet");
    Files.copy(DataKit.data("instruct/gsm8k/test.jsonl"), file);
    KitReader.Collected sink = new KitReader.Collected(null);
    new ParquetRecordReader("fake.parquet", sink).read(() -> FileChannel.open(file), Files.size(file));
    assertEquals(0, sink.records.size());
    assertEquals(1, sink.deadLetters.size());
    assertEquals("fake.parquet#0", sink.deadLetters.get(0).recordId());
    assertTrue(sink.deadLetters.get(0).error().startsWith("row 0: cannot read Parquet: "),
        sink.deadLetters.get(0).error());
  }

  @Test
  void avroValuesMapToJson() {
    Schema decimal = LogicalTypes.decimal(6, 2).addToSchema(Schema.create(Schema.Type.BYTES));
    Schema schema =
        new Schema.Parser()
            .parse(
                """
                {"type": "record", "name": "R", "fields": [
                  {"name": "tags", "type": {"type": "map", "values": "long"}},
                  {"name": "kind", "type": {"type": "enum", "name": "K", "symbols": ["A", "B"]}},
                  {"name": "blob", "type": "bytes"},
                  {"name": "maybe", "type": ["null", "double", "string"]},
                  {"name": "none", "type": ["null", "string"]},
                  {"name": "flag", "type": "boolean"},
                  {"name": "price", "type": {"type": "bytes", "logicalType": "decimal",
                   "precision": 6, "scale": 2}}]}
                """);
    GenericData.Record r = new GenericData.Record(schema);
    r.put("tags", Map.of(new org.apache.avro.util.Utf8("n"), 3L));
    r.put("kind", new GenericData.EnumSymbol(schema.getField("kind").schema(), "B"));
    ByteBuffer blob = ByteBuffer.wrap(new byte[] {1, 2, 3});
    r.put("blob", blob);
    r.put("maybe", "text");
    r.put("none", null);
    r.put("flag", true);
    r.put("price", new Conversions.DecimalConversion().toBytes(new BigDecimal("12.30"), decimal,
        LogicalTypes.decimal(6, 2)));
    assertEquals(
        "{\"tags\":{\"n\":3},\"kind\":\"B\",\"blob\":\"AQID\",\"maybe\":\"text\",\"none\":null,"
            + "\"flag\":true,\"price\":12.30}",
        RecordJson.print(AvroJson.toJson(r)));
    assertEquals(3, blob.remaining(), "the row's buffer is not consumed");
  }
}
