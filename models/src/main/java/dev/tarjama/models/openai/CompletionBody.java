package dev.tarjama.models.openai;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.Arrays;
import java.util.List;

/**
 * The choices and usage of a successful OpenAI-compatible completion body, read the same way for
 * a live response and for a line of a batch output file: choices in {@code index} order, finish
 * reasons, usage (or an estimate from the prompt and texts when the server sent none).
 */
public final class CompletionBody {
  /** What a body says. {@code estimated}: the server sent no usage. */
  public record Parsed(
      List<String> texts,
      List<String> finishReasons,
      long promptTokens,
      long completionTokens,
      boolean estimated) {}

  /**
   * A body that cannot be used. {@code retryable}: asking again may help (a garbled answer);
   * false when the server answered fewer choices than asked (it ignores {@code n}).
   */
  public static final class Malformed extends Exception {
    private static final long serialVersionUID = 1L;
    private final boolean retryable;

    Malformed(String message, boolean retryable) {
      super(message);
      this.retryable = retryable;
    }

    public boolean retryable() {
      return retryable;
    }
  }

  private CompletionBody() {}

  /**
   * The first {@code n} choices of {@code root}, a response to {@code prompt} at {@code endpoint}.
   *
   * @throws Malformed naming what is wrong (no choices, bad indexes, a choice without text, fewer
   *     than {@code n} choices)
   */
  public static Parsed parse(JsonNode root, BackendConfig.Endpoint endpoint, String prompt, int n)
      throws Malformed {
    JsonNode choices = root == null ? null : root.get("choices");
    if (choices == null || !choices.isArray() || choices.isEmpty()) {
      throw new Malformed("response has no choices", true);
    }
    String[] texts = new String[choices.size()];
    String[] reasons = new String[choices.size()];
    for (int pos = 0; pos < choices.size(); pos++) {
      JsonNode choice = choices.get(pos);
      int index = choice.path("index").asInt(pos);
      if (index < 0 || index >= texts.length || texts[index] != null) {
        throw new Malformed("response has bad choice indexes", true);
      }
      JsonNode text =
          endpoint == BackendConfig.Endpoint.CHAT
              ? choice.path("message").path("content")
              : choice.path("text");
      if (!text.isTextual()) {
        throw new Malformed("choice " + index + " has no text", true);
      }
      texts[index] = text.asText();
      JsonNode reason = choice.get("finish_reason");
      reasons[index] = reason == null || reason.isNull() ? "" : reason.asText();
    }
    if (texts.length < n) {
      // Asking again will not help: the server ignores n. Seeded calls get k candidates anyway.
      throw new Malformed("server returned " + texts.length + " of " + n
          + " choices; it may not support n: use seeded calls instead", false);
    }
    List<String> textList = Arrays.asList(texts).subList(0, n);
    List<String> reasonList = Arrays.asList(reasons).subList(0, n);
    JsonNode usage = root.get("usage");
    JsonNode in = usage == null ? null : usage.get("prompt_tokens");
    JsonNode out = usage == null ? null : usage.get("completion_tokens");
    if (in != null && in.canConvertToLong() && out != null && out.canConvertToLong()) {
      return new Parsed(textList, reasonList, in.asLong(), out.asLong(), false);
    }
    long generated =
        textList.stream().mapToLong(OpenAiCompatibleClient::estimateTokens).sum();
    return new Parsed(
        textList, reasonList, OpenAiCompatibleClient.estimateTokens(prompt), generated, true);
  }
}
