package dev.tarjama.transforms.io;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;

/**
 * Sends each chosen row to the file set of its record format, so that {@code chosen/} keeps every
 * record's own format (DESIGN) and each file still has one schema: {@code messages} (every
 * {@code content} a string), {@code messages_typed} (typed parts in some {@code content}: LLaMA-Factory
 * {@code {type, value}}, OpenAI {@code {type, text}}), {@code preference} (SmolTalk2 {@code
 * chosen}/{@code rejected} message lists), {@code question} (BFCL turns), {@code sharegpt},
 * {@code alpaca} and {@code fields} (flat records: GSM8K, MATH, Open-Orca, a field mapping).
 *
 * <p>In {@code messages_typed}, {@code content} is always a list of parts: a message whose content
 * is a string there becomes one text part ({@code {type: "text", value|text: …}}, with the text
 * key the record's own parts use), so the column has one type.
 */
public final class ChosenShapes implements WriteOutputs.Shaper {
  private static final long serialVersionUID = 1L;

  @Override
  public String shape(ObjectNode row) {
    if (row.has("messages")) {
      JsonNode messages = row.get("messages");
      if (typed(messages)) {
        wrapStringContents(messages);
        return "messages_typed";
      }
      return "messages";
    }
    if (row.has("conversations")) {
      return "sharegpt";
    }
    if (row.path("chosen").isArray()) {
      return "preference";
    }
    if (row.path("question").isArray()) {
      return "question";
    }
    if (row.has("instruction") || row.has("instances")) {
      return "alpaca";
    }
    return "fields";
  }

  private static boolean typed(JsonNode messages) {
    for (JsonNode m : messages) {
      if (m.path("content").isArray()) {
        return true;
      }
    }
    return false;
  }

  private static void wrapStringContents(JsonNode messages) {
    String textKey = "text";
    for (JsonNode m : messages) {
      for (JsonNode part : m.path("content")) {
        if (part.has("value")) {
          textKey = "value";
        }
      }
    }
    for (JsonNode m : messages) {
      if (m instanceof ObjectNode message && message.path("content").isTextual()) {
        ArrayNode parts = RecordJson.MAPPER.createArrayNode();
        parts.addObject().put("type", "text").put(textKey, message.get("content").asText());
        message.set("content", parts);
      }
    }
  }
}
