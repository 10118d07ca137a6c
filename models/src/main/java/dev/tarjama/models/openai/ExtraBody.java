package dev.tarjama.models.openai;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * Extra request-body fields for servers that take more than the OpenAI API (vLLM's {@code
 * chat_template_kwargs}, {@code top_k}, {@code stop}, {@code repetition_penalty}, …), as one JSON
 * object merged into every request.
 *
 * <p>The canonical form is compact JSON with the keys of every object sorted, so that the same
 * fields written in another order or spacing are the same configuration (and the same cache key).
 * Fields the client sets itself ({@link #RESERVED}) are refused: their values come from the
 * backend's own keys, which the cache key already holds.
 */
public final class ExtraBody {
  private static final ObjectMapper JSON = new ObjectMapper();

  /** Request fields that the client writes from its own settings. */
  public static final List<String> RESERVED =
      List.of("model", "messages", "prompt", "n", "stream", "temperature", "top_p", "max_tokens",
          "seed");

  private ExtraBody() {}

  /**
   * {@code json} in canonical form ({@code ""} for none).
   *
   * @throws IllegalArgumentException when it is not a JSON object, or sets a reserved field
   */
  public static String canonical(String json) {
    if (json.isBlank()) {
      return "";
    }
    JsonNode node;
    try {
      node = JSON.readTree(json);
    } catch (JsonProcessingException e) {
      throw new IllegalArgumentException(
          "extra body is not JSON: " + e.getOriginalMessage(), e);
    }
    if (node == null || !node.isObject()) {
      throw new IllegalArgumentException("extra body must be a JSON object, e.g. {\"top_k\": 20}");
    }
    for (String field : RESERVED) {
      if (node.has(field)) {
        throw new IllegalArgumentException(
            "extra body may not set \"" + field + "\": the backend's own keys set it");
      }
    }
    try {
      return JSON.writeValueAsString(sorted(node));
    } catch (JsonProcessingException e) {
      throw new IllegalStateException("cannot encode JSON", e);
    }
  }

  /**
   * {@code extraBody} (canonical or {@code ""}) with {@code field} set to the JSON object {@code
   * value}: how {@code chat-template-kwargs=…} joins an {@code extra-body=…}.
   *
   * @throws IllegalArgumentException when {@code value} is not a JSON object or the extra body
   *     already sets {@code field}
   */
  public static String withField(String extraBody, String field, String value) {
    ObjectNode body;
    JsonNode fieldValue;
    try {
      body = extraBody.isBlank() ? JSON.createObjectNode() : (ObjectNode) JSON.readTree(extraBody);
      fieldValue = JSON.readTree(value);
    } catch (JsonProcessingException e) {
      throw new IllegalArgumentException(field + " is not JSON: " + e.getOriginalMessage(), e);
    }
    if (fieldValue == null || !fieldValue.isObject()) {
      throw new IllegalArgumentException(
          field + " must be a JSON object, e.g. {\"enable_thinking\": false}");
    }
    if (body.has(field)) {
      throw new IllegalArgumentException(field + " is given twice (also in the extra body)");
    }
    body.set(field, fieldValue);
    return canonical(body.toString());
  }

  /** Sets every field of {@code extraBody} (canonical or {@code ""}) on {@code body}. */
  static void mergeInto(ObjectNode body, String extraBody) {
    if (extraBody.isEmpty()) {
      return;
    }
    try {
      JsonNode extra = JSON.readTree(extraBody);
      for (Iterator<Map.Entry<String, JsonNode>> it = extra.fields(); it.hasNext(); ) {
        Map.Entry<String, JsonNode> e = it.next();
        body.set(e.getKey(), e.getValue());
      }
    } catch (JsonProcessingException e) {
      throw new IllegalStateException("a canonical extra body is JSON", e);
    }
  }

  private static JsonNode sorted(JsonNode node) {
    if (node.isObject()) {
      TreeMap<String, JsonNode> fields = new TreeMap<>();
      node.fields().forEachRemaining(e -> fields.put(e.getKey(), sorted(e.getValue())));
      ObjectNode out = JSON.createObjectNode();
      fields.forEach(out::set);
      return out;
    }
    if (node.isArray()) {
      ArrayNode out = JSON.createArrayNode();
      node.forEach(e -> out.add(sorted(e)));
      return out;
    }
    return node;
  }
}
