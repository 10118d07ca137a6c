package dev.tarjama.transforms.io;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.tarjama.transforms.domain.SourceRecord;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.apache.avro.Schema;
import org.apache.avro.generic.GenericData;
import org.apache.avro.generic.GenericRecord;
import org.apache.hadoop.conf.Configuration;
import org.apache.parquet.avro.AvroParquetWriter;
import org.apache.parquet.hadoop.ParquetWriter;
import org.apache.parquet.hadoop.metadata.CompressionCodecName;
import org.apache.parquet.io.LocalOutputFile;

/**
 * Writes real records as a Parquet file in the schema HF publishes for SmolTalk2's SFT config:
 * {@code messages: list<struct{content, role}>}, {@code chat_template_kwargs: struct{
 * custom_instructions, enable_thinking, python_tools: list<string>, xml_tools: list<string>}},
 * {@code source}. Lists use the 3-level layout pyarrow writes.
 */
public final class SmolTalk2Parquet {
  static final Schema SCHEMA =
      new Schema.Parser()
          .parse(
              """
              {"type": "record", "name": "SmolTalk2", "fields": [
                {"name": "messages", "type": {"type": "array", "items": {"type": "record",
                  "name": "Message", "fields": [
                    {"name": "content", "type": "string"}, {"name": "role", "type": "string"}]}}},
                {"name": "chat_template_kwargs", "type": {"type": "record",
                  "name": "ChatTemplateKwargs", "fields": [
                    {"name": "custom_instructions", "type": ["null", "string"], "default": null},
                    {"name": "enable_thinking", "type": ["null", "boolean"], "default": null},
                    {"name": "python_tools", "type": ["null", {"type": "array", "items": "string"}],
                     "default": null},
                    {"name": "xml_tools", "type": ["null", {"type": "array", "items": "string"}],
                     "default": null}]}},
                {"name": "source", "type": "string"}]}
              """);

  private SmolTalk2Parquet() {}

  static JsonNode parse(String json) {
    try {
      return RecordJson.parse(json);
    } catch (IOException e) {
      throw new IllegalStateException(e);
    }
  }

  /**
   * The record as its SmolTalk2 row reads back: the data kit keeps xml_tools as JSON objects,
   * SmolTalk2's schema as JSON strings.
   */
  static JsonNode asSmolTalk2(String json) {
    ObjectNode root = (ObjectNode) parse(json);
    ObjectNode kwargs = (ObjectNode) root.get("chat_template_kwargs");
    for (String tools : List.of("python_tools", "xml_tools")) {
      if (kwargs.get(tools).isArray()) {
        ArrayNode strings = kwargs.arrayNode();
        kwargs.get(tools).forEach(t -> strings.add(t.isTextual() ? t.textValue() : RecordJson.print(t)));
        kwargs.set(tools, strings);
      }
    }
    return root;
  }

  public static void write(Path file, List<SourceRecord> records) throws IOException {
    Schema message = SCHEMA.getField("messages").schema().getElementType();
    Schema kwargsSchema = SCHEMA.getField("chat_template_kwargs").schema();
    Configuration conf = new Configuration();
    conf.setBoolean("parquet.avro.write-old-list-structure", false);
    try (ParquetWriter<GenericRecord> writer =
        AvroParquetWriter.<GenericRecord>builder(new LocalOutputFile(file))
            .withSchema(SCHEMA)
            .withConf(conf)
            .withCompressionCodec(CompressionCodecName.SNAPPY)
            .build()) {
      for (SourceRecord record : records) {
        JsonNode root = asSmolTalk2(record.json());
        List<GenericRecord> messages = new ArrayList<>();
        for (JsonNode m : root.get("messages")) {
          GenericRecord r = new GenericData.Record(message);
          r.put("content", m.get("content").textValue());
          r.put("role", m.get("role").textValue());
          messages.add(r);
        }
        JsonNode k = root.get("chat_template_kwargs");
        GenericRecord kwargs = new GenericData.Record(kwargsSchema);
        kwargs.put("custom_instructions", k.get("custom_instructions").textValue());
        kwargs.put("enable_thinking", k.get("enable_thinking").booleanValue());
        kwargs.put("python_tools", strings(k.get("python_tools")));
        kwargs.put("xml_tools", strings(k.get("xml_tools")));
        GenericRecord row = new GenericData.Record(SCHEMA);
        row.put("messages", messages);
        row.put("chat_template_kwargs", kwargs);
        row.put("source", root.get("source").textValue());
        writer.write(row);
      }
    }
  }

  private static List<String> strings(JsonNode list) {
    if (list == null || list.isNull()) {
      return null;
    }
    List<String> out = new ArrayList<>();
    list.forEach(s -> out.add(s.textValue()));
    return out;
  }
}
