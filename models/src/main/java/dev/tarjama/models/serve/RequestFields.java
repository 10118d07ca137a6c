package dev.tarjama.models.serve;

import com.fasterxml.jackson.databind.JsonNode;
import dev.tarjama.models.serve.ApiRequest.Endpoint;
import java.util.Iterator;
import java.util.Map;
import java.util.Set;
import java.util.function.Predicate;

/**
 * Which top-level request fields {@code tarjama serve} accepts: a field it would otherwise ignore
 * is refused with a 400 naming it, because a client that sends {@code stop}, {@code tools} or
 * {@code response_format} expects an answer shaped by it, and an answer that silently is not looks
 * like a good one.
 *
 * <ul>
 *   <li>Honoured (their values are checked by {@link ApiRequest}): {@code model}, {@code
 *       messages} (chat), {@code prompt} (completions), {@code n}, {@code temperature}, {@code
 *       top_p}, {@code seed}, {@code max_tokens}, {@code max_completion_tokens}, {@code stream}
 *       ({@code false} only).
 *   <li>Metadata with no effect on the answer: {@code user}.
 *   <li>Accepted only at the value that asks for nothing ({@code null} always is): {@code
 *       logprobs} {@code false} (chat) or {@code 0}/{@code false} (completions), {@code
 *       top_logprobs} 0, {@code echo} {@code false}, {@code stop} {@code []}, {@code tools} and
 *       {@code functions} {@code []}, {@code tool_choice} and {@code function_call} {@code "none"},
 *       {@code parallel_tool_calls} any boolean (it means nothing without tools), {@code
 *       response_format} {@code {"type": "text"}}, {@code frequency_penalty} and {@code
 *       presence_penalty} 0, {@code logit_bias} {@code {}}, {@code best_of} equal to {@code n},
 *       {@code suffix} {@code ""}, {@code store} {@code false}.
 *   <li>Anything else, including other servers' extensions ({@code top_k}, {@code
 *       chat_template_kwargs}, {@code repetition_penalty}, …): 400, code {@code
 *       unsupported_parameter}; a known field at another value: 400, code {@code
 *       unsupported_value}.
 * </ul>
 */
final class RequestFields {
  private static final Set<String> HONOURED =
      Set.of(
          "model", "n", "temperature", "top_p", "seed", "max_tokens", "max_completion_tokens",
          "stream", "user");

  private static final Map<String, Predicate<JsonNode>> DEFAULT_ONLY =
      Map.ofEntries(
          Map.entry("logprobs", v -> isFalse(v) || isZero(v)),
          Map.entry("top_logprobs", RequestFields::isZero),
          Map.entry("echo", RequestFields::isFalse),
          Map.entry("stop", v -> v.isArray() && v.isEmpty()),
          Map.entry("tools", v -> v.isArray() && v.isEmpty()),
          Map.entry("functions", v -> v.isArray() && v.isEmpty()),
          Map.entry("tool_choice", v -> v.isTextual() && v.asText().equals("none")),
          Map.entry("function_call", v -> v.isTextual() && v.asText().equals("none")),
          Map.entry("parallel_tool_calls", JsonNode::isBoolean),
          Map.entry(
              "response_format",
              v -> v.isObject() && v.size() == 1 && v.path("type").asText().equals("text")),
          Map.entry("frequency_penalty", RequestFields::isZero),
          Map.entry("presence_penalty", RequestFields::isZero),
          Map.entry("logit_bias", v -> v.isObject() && v.isEmpty()),
          Map.entry("suffix", v -> v.isTextual() && v.asText().isEmpty()),
          Map.entry("store", RequestFields::isFalse));

  private RequestFields() {}

  /** Throws a 400 naming the first field of {@code root} that this server cannot honour. */
  static void check(JsonNode root, Endpoint endpoint) {
    for (Iterator<Map.Entry<String, JsonNode>> it = root.fields(); it.hasNext(); ) {
      Map.Entry<String, JsonNode> field = it.next();
      String name = field.getKey();
      JsonNode value = field.getValue();
      if (HONOURED.contains(name)
          || (endpoint == Endpoint.CHAT && name.equals("messages"))
          || (endpoint == Endpoint.COMPLETIONS && name.equals("prompt"))
          || value.isNull()) {
        continue;
      }
      if (name.equals("best_of")) {
        JsonNode n = root.get("n");
        long asked = n == null || n.isNull() ? 1 : n.asLong();
        if (value.isIntegralNumber() && value.asLong() == asked) {
          continue;
        }
        throw unsupportedValue(name, value, "best_of must equal n (no extra candidates are ranked)");
      }
      Predicate<JsonNode> harmless = DEFAULT_ONLY.get(name);
      if (harmless == null) {
        throw new ApiError(400, "invalid_request_error", name, "unsupported_parameter",
            "unsupported parameter '" + name + "': tarjama serve does not support it");
      }
      if (!harmless.test(value)) {
        throw unsupportedValue(name, value, "only its default value is accepted");
      }
    }
  }

  private static ApiError unsupportedValue(String name, JsonNode value, String why) {
    String shown = value.toString();
    if (shown.length() > 80) {
      shown = shown.substring(0, 80) + "…";
    }
    return new ApiError(400, "invalid_request_error", name, "unsupported_value",
        "unsupported value for '" + name + "': " + shown + "; tarjama serve does not support it ("
            + why + ")");
  }

  private static boolean isFalse(JsonNode v) {
    return v.isBoolean() && !v.booleanValue();
  }

  private static boolean isZero(JsonNode v) {
    return v.isNumber() && v.asDouble() == 0;
  }
}
