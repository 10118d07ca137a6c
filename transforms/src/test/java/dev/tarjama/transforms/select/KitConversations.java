package dev.tarjama.transforms.select;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.tarjama.transforms.io.ConversationNormalizer;
import dev.tarjama.transforms.io.FieldMapping;
import dev.tarjama.transforms.io.RecordJson;
import dev.tarjama.transforms.domain.Conversation;
import dev.tarjama.transforms.domain.SourceRecord;
import dev.tarjama.models.testing.DataKit;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/** Data-kit records as Normalize makes them, with ids as ReadRecords names them (file:line). */
final class KitConversations {
  private KitConversations() {}

  /** Every record of a JSON Lines file of the kit. */
  static List<Conversation> jsonLines(String relative, String fieldMapping) throws Exception {
    Path file = DataKit.data(relative);
    List<String> lines = Files.readAllLines(file, StandardCharsets.UTF_8);
    List<String> records = new ArrayList<>();
    for (String line : lines) {
      records.add(line.isBlank() ? null : line);
    }
    return normalize(file.getFileName().toString(), records, fieldMapping, ":");
  }

  /** Every record of a JSON array file of the kit. */
  static List<Conversation> jsonArray(String relative) throws Exception {
    Path file = DataKit.data(relative);
    List<String> records = new ArrayList<>();
    for (JsonNode r : RecordJson.parse(Files.readString(file))) {
      records.add(r.toString());
    }
    return normalize(file.getFileName().toString(), records, null, "#");
  }

  /**
   * XQuAD as chat records in one language: the question asked, the paragraph as the answer, split
   * {@code xquad_<language>} — real human text in English or in Arabic.
   */
  static List<Conversation> xquad(String language, int n) throws Exception {
    JsonNode root = RecordJson.parse(
        Files.readString(DataKit.data("eval/xquad/xquad." + language + ".json")));
    List<String> records = new ArrayList<>();
    for (JsonNode article : root.get("data")) {
      for (JsonNode paragraph : article.get("paragraphs")) {
        if (records.size() == n) {
          break;
        }
        ObjectNode record = RecordJson.MAPPER.createObjectNode();
        ArrayNode messages = record.putArray("messages");
        messages.addObject().put("role", "user")
            .put("content", paragraph.get("qas").get(0).get("question").asText());
        messages.addObject().put("role", "assistant")
            .put("content", paragraph.get("context").asText().strip());
        record.put("source", "xquad_" + language);
        records.add(record.toString());
      }
    }
    return normalize("xquad." + language + ".json", records, null, "#");
  }

  private static List<Conversation> normalize(
      String file, List<String> records, String fieldMapping, String separator) {
    ConversationNormalizer normalizer = new ConversationNormalizer(
        null, fieldMapping == null ? null : FieldMapping.parse(fieldMapping), "source");
    List<Conversation> out = new ArrayList<>();
    for (int i = 0; i < records.size(); i++) {
      if (records.get(i) == null) {
        continue;
      }
      String id = file + separator + (separator.equals(":") ? i + 1 : i);
      ConversationNormalizer.Result r =
          normalizer.normalize(new SourceRecord(id, file, i, records.get(i)));
      if (r.conversation == null) {
        throw new IllegalStateException("kit record " + id + " does not normalize: " + r.deadLetter);
      }
      out.add(r.conversation);
    }
    return out;
  }
}
