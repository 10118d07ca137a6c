package dev.tarjama.transforms.batch;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.tarjama.models.openai.BackendConfig;
import dev.tarjama.models.openai.Completion;
import dev.tarjama.models.openai.CompletionBody;
import dev.tarjama.models.openai.OpenAiCompatibleClient;
import dev.tarjama.transforms.backend.BackendSpec;
import dev.tarjama.transforms.backend.BatchSettings;
import java.io.IOException;
import java.util.ArrayList;
import java.util.List;

/**
 * The lines of OpenAI batch files (the format of {@code /v1/batches} and of {@code vllm
 * run-batch}): request lines built from a chunk text exactly as a live call would send it, and
 * the output and error lines parsed back.
 *
 * <p>One request serves every record whose chunk has that text, so a {@code custom_id} names the
 * chunk text's hash ({@link BatchSettings#textHash}) and the candidates the line asks for: {@code
 * HASH-0} for one candidate (or candidate i = {@code HASH-i} of a {@code candidates=seeds}
 * backend, one line per candidate with seed {@code seed+i}), {@code HASH-0-K} for all k of an
 * {@code n}-mode backend (one line with {@code n=k}).
 */
public final class BatchLines {
  static final ObjectMapper JSON = new ObjectMapper();

  private BatchLines() {}

  /**
   * One request line: its id, the chunk text's hash, the first candidate it answers and how many
   * (k in n-mode, 1 per seeded line), the prompt it sends (for token estimates) and the line.
   */
  public record Request(
      String customId, String hash, int firstCandidate, int candidates, String prompt,
      String line) {}

  /** The request lines of one chunk text for {@code backend}, candidates in order. */
  public static List<Request> requests(BackendSpec backend, String text) {
    BackendConfig config = backend.config();
    String hash = BatchSettings.textHash(text);
    String prompt = backend.prompt().render(text);
    String url = "/v1/" + config.endpoint().path();
    int k = backend.k();
    List<Request> lines = new ArrayList<>();
    if (config.candidateMode() == BackendConfig.CandidateMode.SERVER_N || k == 1) {
      String id = k == 1 ? hash + "-0" : hash + "-0-" + k;
      lines.add(new Request(id, hash, 0, k, prompt,
          line(id, url, OpenAiCompatibleClient.requestJson(config, prompt, k, config.seed()))));
      return lines;
    }
    // As the live client's seeded calls: seed+i per candidate, from 0 when none is given.
    long base = config.seed() == null ? 0L : config.seed();
    for (int i = 0; i < k; i++) {
      String id = hash + "-" + i;
      lines.add(new Request(id, hash, i, 1, prompt,
          line(id, url, OpenAiCompatibleClient.requestJson(config, prompt, 1, base + i))));
    }
    return lines;
  }

  private static String line(String customId, String url, ObjectNode body) {
    ObjectNode line = JSON.createObjectNode();
    line.put("custom_id", customId);
    line.put("method", "POST");
    line.put("url", url);
    line.set("body", body);
    return line.toString();
  }

  /**
   * One line of an output or error file: its {@code custom_id}, the response's status code (0
   * when there is no response), the response body (null when none), and the error's code and
   * message ("" when none).
   */
  public record Result(
      String customId, int statusCode, JsonNode body, String errorCode, String errorMessage) {

    /** Whether the line carries a successful response. */
    public boolean ok() {
      return statusCode == 200 && body != null && errorCode.isEmpty() && errorMessage.isEmpty();
    }

    /** What went wrong, for a failure's reason. */
    public String describe() {
      if (!errorCode.isEmpty() || !errorMessage.isEmpty()) {
        return (errorCode.isEmpty() ? "error" : errorCode)
            + (errorMessage.isEmpty() ? "" : ": " + excerpt(errorMessage));
      }
      String message = body == null ? "" : body.path("error").path("message").asText("");
      return "HTTP " + statusCode + (message.isEmpty() ? "" : ": " + excerpt(message));
    }
  }

  /**
   * Parses a line of an output or error file.
   *
   * @throws IllegalArgumentException when the line is not JSON or names no {@code custom_id}
   */
  public static Result parse(String line) {
    JsonNode root;
    try {
      root = JSON.readTree(line);
    } catch (IOException e) {
      throw new IllegalArgumentException("a batch result line is not JSON: " + excerpt(line));
    }
    if (root == null || !root.path("custom_id").isTextual()) {
      throw new IllegalArgumentException("a batch result line has no custom_id: " + excerpt(line));
    }
    JsonNode response = root.path("response");
    int status = response.path("status_code").asInt(0);
    JsonNode body = response.get("body");
    if (body != null && body.isNull()) {
      body = null;
    }
    JsonNode error = root.get("error");
    String code = "";
    String message = "";
    if (error != null && !error.isNull()) {
      code = error.path("code").asText("");
      message = error.path("message").asText(error.isTextual() ? error.asText() : "");
    }
    return new Result(root.get("custom_id").asText(), status, body, code, message);
  }

  /**
   * The completion a successful line carries for a request of {@code candidates} choices, as
   * the live client reads a response: choice {@code index} order, finish reasons, usage (or an
   * estimate from the prompt and texts when the server sent none).
   *
   * @throws IllegalArgumentException when the body has fewer choices or a choice has no text
   */
  public static Completion completion(
      JsonNode body, BackendConfig.Endpoint endpoint, String prompt, int candidates) {
    try {
      CompletionBody.Parsed p = CompletionBody.parse(body, endpoint, prompt, candidates);
      return new Completion(p.texts(), p.finishReasons(), p.promptTokens(),
          p.completionTokens(), p.estimated(), 1, 1);
    } catch (CompletionBody.Malformed e) {
      throw new IllegalArgumentException(e.getMessage());
    }
  }

  static String excerpt(String text) {
    String one = text.replaceAll("\\s+", " ").strip();
    return one.length() <= 200 ? one : one.substring(0, 200) + "…";
  }
}
