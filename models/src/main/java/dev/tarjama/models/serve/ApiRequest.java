package dev.tarjama.models.serve;

import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.util.ArrayList;
import java.util.List;

/**
 * One validated request to {@code /v1/chat/completions} or {@code /v1/completions}: the prompts to
 * translate and the OpenAI sampling fields this server honours. Parsing rejects what it cannot
 * honour with an {@link ApiError} that names the field, and fields it does not support too
 * ({@link RequestFields}): none is silently ignored.
 *
 * @param endpoint which API the request came to
 * @param model the {@code model} field, {@code null} when absent
 * @param prompts chat: the last user message's content; completions: {@code prompt} (a string,
 *     or an array of strings for a batch)
 * @param n candidates per prompt
 * @param temperature {@code null} when absent
 * @param topP {@code null} when absent
 * @param maxTokens {@code null} when absent
 * @param seed {@code null} when absent
 */
record ApiRequest(
    Endpoint endpoint,
    String model,
    List<String> prompts,
    int n,
    Double temperature,
    Double topP,
    Integer maxTokens,
    Long seed) {

  enum Endpoint {
    CHAT,
    COMPLETIONS
  }

  private static final ObjectMapper JSON =
      new ObjectMapper().enable(DeserializationFeature.FAIL_ON_TRAILING_TOKENS);

  static ApiRequest parse(Endpoint endpoint, byte[] body, int maxCandidates) {
    JsonNode root;
    try {
      root = JSON.readTree(body);
    } catch (IOException e) {
      throw ApiError.badRequest("request body is not valid JSON: " + firstLine(e.getMessage()));
    }
    if (root == null || !root.isObject()) {
      throw ApiError.badRequest("request body must be a JSON object");
    }
    RequestFields.check(root, endpoint);
    String model = optionalString(root, "model");
    List<String> prompts =
        endpoint == Endpoint.CHAT ? List.of(lastUserMessage(root)) : completionPrompts(root);
    int n = 1;
    JsonNode nNode = present(root, "n");
    if (nNode != null) {
      if (!isInteger(nNode) || !nNode.canConvertToLong()) {
        throw ApiError.badField("n", "n must be an integer");
      }
      long value = nNode.asLong();
      if (value < 1 || value > maxCandidates) {
        throw ApiError.badField(
            "n", "n must be between 1 and " + maxCandidates + " on this server, not " + nNode);
      }
      n = (int) value;
    }
    Double temperature = optionalNumber(root, "temperature");
    if (temperature != null && (temperature < 0 || temperature > 2)) {
      throw ApiError.badField("temperature", "temperature must be in [0, 2], not " + temperature);
    }
    Double topP = optionalNumber(root, "top_p");
    if (topP != null && (topP <= 0 || topP > 1)) {
      throw ApiError.badField("top_p", "top_p must be in (0, 1], not " + topP);
    }
    Integer maxTokens = null;
    String maxTokensField = root.has("max_completion_tokens") ? "max_completion_tokens" : "max_tokens";
    JsonNode mt = present(root, maxTokensField);
    if (mt != null) {
      if (!isInteger(mt) || mt.asLong() < 1 || mt.asLong() > Integer.MAX_VALUE) {
        throw ApiError.badField(maxTokensField, maxTokensField + " must be a positive integer");
      }
      maxTokens = mt.asInt();
    }
    Long seed = null;
    JsonNode seedNode = present(root, "seed");
    if (seedNode != null) {
      if (!isInteger(seedNode) || !seedNode.canConvertToLong()) {
        throw ApiError.badField("seed", "seed must be an integer (64-bit)");
      }
      seed = seedNode.asLong();
    }
    JsonNode stream = present(root, "stream");
    if (stream != null) {
      if (!stream.isBoolean()) {
        throw ApiError.badField("stream", "stream must be a boolean");
      }
      if (stream.booleanValue()) {
        throw ApiError.badField("stream", "stream=true is not supported by tarjama serve");
      }
    }
    return new ApiRequest(endpoint, model, prompts, n, temperature, topP, maxTokens, seed);
  }

  private static String lastUserMessage(JsonNode root) {
    JsonNode messages = present(root, "messages");
    if (messages == null) {
      throw ApiError.badField("messages", "messages is required");
    }
    if (!messages.isArray() || messages.isEmpty()) {
      throw ApiError.badField("messages", "messages must be a non-empty array");
    }
    String last = null;
    for (int i = 0; i < messages.size(); i++) {
      JsonNode message = messages.get(i);
      String where = "messages[" + i + "]";
      if (!message.isObject()) {
        throw ApiError.badField(where, where + " must be an object");
      }
      JsonNode role = message.get("role");
      if (role == null || !role.isTextual()) {
        throw ApiError.badField(where + ".role", where + ".role must be a string");
      }
      if (role.asText().equals("user")) {
        last = content(message.get("content"), where + ".content");
      }
    }
    if (last == null) {
      throw ApiError.badField("messages", "messages has no message with role user");
    }
    return last;
  }

  /** A string, or an array of {@code {"type": "text", "text": …}} parts (joined). */
  private static String content(JsonNode content, String where) {
    if (content != null && content.isTextual()) {
      return content.asText();
    }
    if (content != null && content.isArray()) {
      StringBuilder text = new StringBuilder();
      for (int i = 0; i < content.size(); i++) {
        JsonNode part = content.get(i);
        if (!part.isObject()
            || !"text".equals(part.path("type").asText())
            || !part.path("text").isTextual()) {
          throw ApiError.badField(
              where + "[" + i + "]", where + "[" + i + "] must be a {type: text, text: string} part");
        }
        text.append(part.get("text").asText());
      }
      return text.toString();
    }
    throw ApiError.badField(where, where + " must be a string or an array of text parts");
  }

  private static List<String> completionPrompts(JsonNode root) {
    JsonNode prompt = present(root, "prompt");
    if (prompt == null) {
      throw ApiError.badField("prompt", "prompt is required");
    }
    if (prompt.isTextual()) {
      return List.of(prompt.asText());
    }
    if (prompt.isArray() && !prompt.isEmpty()) {
      List<String> prompts = new ArrayList<>(prompt.size());
      for (int i = 0; i < prompt.size(); i++) {
        if (!prompt.get(i).isTextual()) {
          throw ApiError.badField(
              "prompt", "prompt must be a string or an array of strings (token ids are not supported)");
        }
        prompts.add(prompt.get(i).asText());
      }
      return List.copyOf(prompts);
    }
    throw ApiError.badField("prompt", "prompt must be a string or a non-empty array of strings");
  }

  /** The field's value, or {@code null} when it is absent or JSON null. */
  private static JsonNode present(JsonNode root, String field) {
    JsonNode node = root.get(field);
    return node == null || node.isNull() ? null : node;
  }

  private static String optionalString(JsonNode root, String field) {
    JsonNode node = present(root, field);
    if (node == null) {
      return null;
    }
    if (!node.isTextual()) {
      throw ApiError.badField(field, field + " must be a string");
    }
    return node.asText();
  }

  private static Double optionalNumber(JsonNode root, String field) {
    JsonNode node = present(root, field);
    if (node == null) {
      return null;
    }
    if (!node.isNumber()) {
      throw ApiError.badField(field, field + " must be a number");
    }
    return node.asDouble();
  }

  /** An integral JSON number: {@code 2} and {@code 2.0} are, {@code 2.5} and {@code "2"} are not. */
  private static boolean isInteger(JsonNode node) {
    return node.isIntegralNumber()
        || (node.isFloatingPointNumber() && node.asDouble() == Math.rint(node.asDouble()));
  }

  private static String firstLine(String message) {
    if (message == null) {
      return "";
    }
    int nl = message.indexOf('\n');
    return nl < 0 ? message : message.substring(0, nl);
  }
}
