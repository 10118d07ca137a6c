package dev.tarjama.models.serve;

import static dev.tarjama.models.serve.LetterTranslator.transliterate;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.tarjama.models.prompt.PromptTemplate;
import dev.tarjama.models.testing.DataKit;
import dev.tarjama.models.local.Decoding;
import dev.tarjama.models.local.SentenceWiseTranslator;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** A real server on 127.0.0.1, spoken to by java.net.http. */
class TranslationServerTest {
  static final ObjectMapper JSON = new ObjectMapper();
  static final HttpClient HTTP =
      HttpClient.newBuilder()
          .version(HttpClient.Version.HTTP_1_1)
          .connectTimeout(Duration.ofSeconds(5))
          .build();
  static final String HALA = "Translate from English to Arabic: ";

  private final List<RunningServer> started = new ArrayList<>();
  private final List<String> log = Collections.synchronizedList(new ArrayList<>());

  @AfterEach
  void stop() {
    started.forEach(RunningServer::close);
  }

  /** English sentences of the Tatoeba EN–AR pairs in the data kit, from line {@code from}. */
  static List<String> tatoebaEnglish(int from, int count) throws IOException {
    Path file = DataKit.tatoeba();
    return Files.readAllLines(file, StandardCharsets.UTF_8).stream()
        .skip(from)
        .limit(count)
        .map(line -> line.substring(0, line.indexOf('\t')))
        .toList();
  }

  private RunningServer start(TranslationServer server) throws IOException {
    RunningServer running = server.withHost("127.0.0.1").withPort(0).withLog(log::add).start();
    started.add(running);
    return running;
  }

  private RunningServer startDefault(LetterTranslator model) throws IOException {
    return start(
        TranslationServer.over(model, "letters")
            .withPromptTemplates(List.of(PromptTemplate.named("hala"), PromptTemplate.named("seed-x"))));
  }

  static HttpResponse<String> post(RunningServer s, String path, String body, String... headers)
      throws Exception {
    HttpRequest.Builder b =
        HttpRequest.newBuilder(URI.create(root(s) + path))
            .header("Content-Type", "application/json")
            .POST(HttpRequest.BodyPublishers.ofString(body, StandardCharsets.UTF_8));
    if (headers.length > 0) {
      b.headers(headers);
    }
    return HTTP.send(b.build(), HttpResponse.BodyHandlers.ofString(StandardCharsets.UTF_8));
  }

  static HttpResponse<String> get(RunningServer s, String path, String... headers) throws Exception {
    HttpRequest.Builder b = HttpRequest.newBuilder(URI.create(root(s) + path)).GET();
    if (headers.length > 0) {
      b.headers(headers);
    }
    return HTTP.send(b.build(), HttpResponse.BodyHandlers.ofString(StandardCharsets.UTF_8));
  }

  static String root(RunningServer s) {
    return s.baseUrl().substring(0, s.baseUrl().length() - "/v1".length());
  }

  static String chatBody(String content, String extra) {
    ObjectNode body = JSON.createObjectNode();
    body.putArray("messages").addObject().put("role", "user").put("content", content);
    return body.toString().replaceFirst("}$", extra.isEmpty() ? "}" : "," + extra + "}");
  }

  static JsonNode json(HttpResponse<String> r) throws IOException {
    return JSON.readTree(r.body());
  }

  @Test
  void chatTranslatesOnlyTheTextOfTheLastUserMessage() throws Exception {
    RunningServer s = startDefault(new LetterTranslator());
    String text = tatoebaEnglish(3000, 1).get(0);
    ObjectNode body = JSON.createObjectNode().put("model", "letters");
    ArrayNode messages = body.putArray("messages");
    messages.addObject().put("role", "system").put("content", "You translate.");
    messages.addObject().put("role", "user").put("content", HALA + "An older turn.");
    messages.addObject().put("role", "assistant").put("content", "…");
    messages.addObject().put("role", "user").put("content", HALA + text);

    HttpResponse<String> r = post(s, "/v1/chat/completions", body.toString());
    assertEquals(200, r.statusCode(), r.body());
    assertEquals("application/json; charset=utf-8", r.headers().firstValue("Content-Type").orElseThrow());
    JsonNode root = json(r);
    assertTrue(root.get("id").asText().startsWith("chatcmpl-"));
    assertEquals("chat.completion", root.get("object").asText());
    assertTrue(root.get("created").asLong() > 1_600_000_000L);
    assertEquals("letters", root.get("model").asText());
    JsonNode choice = root.get("choices").get(0);
    assertEquals(1, root.get("choices").size());
    assertEquals(0, choice.get("index").asInt());
    assertEquals("assistant", choice.at("/message/role").asText());
    assertEquals(transliterate(text), choice.at("/message/content").asText());
    assertEquals("stop", choice.get("finish_reason").asText());
    int words = LetterTranslator.words(text);
    assertEquals(words, root.at("/usage/prompt_tokens").asInt());
    assertEquals(words, root.at("/usage/completion_tokens").asInt());
    assertEquals(2 * words, root.at("/usage/total_tokens").asInt());
  }

  @Test
  void completionsUnwrapSeedXAndTranslateAnArrayOfPromptsWithNCandidatesEach() throws Exception {
    LetterTranslator model = new LetterTranslator();
    RunningServer s = startDefault(model);
    List<String> texts = tatoebaEnglish(5000, 2);
    ObjectNode body = JSON.createObjectNode().put("n", 2).put("temperature", 0);
    body.putArray("prompt")
        .add(PromptTemplate.named("seed-x").render(texts.get(0)))
        .add("Please translate: " + texts.get(1));

    HttpResponse<String> r = post(s, "/v1/completions", body.toString());
    assertEquals(200, r.statusCode(), r.body());
    JsonNode root = json(r);
    assertEquals("text_completion", root.get("object").asText());
    assertTrue(root.get("id").asText().startsWith("cmpl-"));
    JsonNode choices = root.get("choices");
    assertEquals(4, choices.size());
    List<String> expected =
        List.of(
            transliterate(texts.get(0)),
            transliterate(texts.get(0)) + "ـ",
            // No template says "Please translate:", so the whole prompt is the text.
            transliterate("Please translate: " + texts.get(1)),
            transliterate("Please translate: " + texts.get(1)) + "ـ");
    for (int i = 0; i < 4; i++) {
      assertEquals(i, choices.get(i).get("index").asInt());
      assertEquals(expected.get(i), choices.get(i).get("text").asText());
      assertTrue(choices.get(i).get("logprobs").isNull());
    }
    // One call for both prompts: a beam of width 2 (temperature 0, n 2).
    assertEquals(1, model.calls().size());
    assertEquals(Decoding.Strategy.BEAM, model.calls().get(0).decoding().strategy());
    assertEquals(2, model.calls().get(0).sources().size());
    int w0 = LetterTranslator.words(texts.get(0));
    int w1 = LetterTranslator.words("Please translate: " + texts.get(1));
    assertEquals(w0 + w1, root.at("/usage/prompt_tokens").asInt());
    assertEquals(2 * (w0 + w1), root.at("/usage/completion_tokens").asInt());
  }

  @Test
  void samplingWithASeedIsReproducibleAndTheSeedMatters() throws Exception {
    RunningServer s = startDefault(new LetterTranslator());
    String text = HALA + "Just because something is traditional doesn't mean it's right.";
    String a = post(s, "/v1/chat/completions", chatBody(text, "\"n\":3,\"temperature\":0.8,\"seed\":7")).body();
    String b = post(s, "/v1/chat/completions", chatBody(text, "\"n\":3,\"temperature\":0.8,\"seed\":7")).body();
    String c = post(s, "/v1/chat/completions", chatBody(text, "\"n\":3,\"temperature\":0.8,\"seed\":8")).body();
    List<String> ca = contents(JSON.readTree(a));
    assertEquals(3, ca.size());
    assertEquals(ca, contents(JSON.readTree(b)));
    assertNotEquals(ca, contents(JSON.readTree(c)));
    assertEquals(3, new java.util.HashSet<>(ca).size(), "three different samples: " + ca);
    for (String candidate : ca) {
      assertFalse(candidate.matches(".*[A-Za-z].*"), candidate);
      assertEquals(LetterTranslator.words(text) - 5, LetterTranslator.words(candidate));
    }
  }

  @Test
  void maxTokensCutsTheCandidateAndSaysLength() throws Exception {
    LetterTranslator model = new LetterTranslator();
    RunningServer s = startDefault(model);
    JsonNode root =
        json(post(s, "/v1/chat/completions", chatBody(HALA + "I have to go to sleep now.", "\"max_tokens\":3")));
    JsonNode choice = root.get("choices").get(0);
    assertEquals(transliterate("I have to"), choice.at("/message/content").asText());
    assertEquals("length", choice.get("finish_reason").asText());
    assertEquals(3, root.at("/usage/completion_tokens").asInt());
    assertEquals(3, model.calls().get(0).decoding().maxLength());
  }

  @Test
  void finishReasonIsStopWhenEverySentenceEndedHoweverLongTheAnswer() throws Exception {
    RunningServer s =
        start(TranslationServer.over(new SentenceWiseTranslator(new LetterTranslator()), "letters"));
    String text = String.join(" ", tatoebaEnglish(2000, 120));
    JsonNode root = json(post(s, "/v1/chat/completions", chatBody(text, "")));
    JsonNode choice = root.get("choices").get(0);
    assertEquals(transliterate(text), choice.at("/message/content").asText());
    // More tokens than the model's per-sentence limit (256), and yet no sentence was cut.
    assertTrue(root.at("/usage/completion_tokens").asInt() > 256, root.get("usage").toString());
    assertEquals("stop", choice.get("finish_reason").asText());
  }

  @Test
  void maxTokensBoundsTheWholeResponseNotEachSentence() throws Exception {
    RunningServer s =
        start(TranslationServer.over(new SentenceWiseTranslator(new LetterTranslator()), "letters"));
    String text = "I am very hungry. Where is the station? It is late.";
    JsonNode root = json(post(s, "/v1/chat/completions", chatBody(text, "\"max_tokens\":6")));
    JsonNode choice = root.get("choices").get(0);
    assertEquals(transliterate("I am very hungry. Where is"), choice.at("/message/content").asText());
    assertEquals("length", choice.get("finish_reason").asText());
    assertEquals(6, root.at("/usage/completion_tokens").asInt());

    JsonNode roomy = json(post(s, "/v1/chat/completions", chatBody(text, "\"max_tokens\":11")));
    assertEquals(transliterate(text), roomy.at("/choices/0/message/content").asText());
    assertEquals("stop", roomy.at("/choices/0/finish_reason").asText());
  }

  @Test
  void unsupportedParametersGet400NamingThemAndHarmlessDefaultsAreAccepted() throws Exception {
    LetterTranslator model = new LetterTranslator();
    RunningServer s = startDefault(model);
    String[][] refused = {
      // path, extra fields, the param the error must name
      {"/v1/chat/completions", "\"stop\":[\"\\n\"]", "stop"},
      {"/v1/chat/completions", "\"stop\":\"END\"", "stop"},
      {"/v1/chat/completions", "\"logprobs\":true", "logprobs"},
      {"/v1/chat/completions", "\"top_logprobs\":2", "top_logprobs"},
      {"/v1/chat/completions", "\"tools\":[{\"type\":\"function\",\"function\":{\"name\":\"f\"}}]", "tools"},
      {"/v1/chat/completions", "\"tool_choice\":\"auto\"", "tool_choice"},
      {"/v1/chat/completions", "\"response_format\":{\"type\":\"json_object\"}", "response_format"},
      {"/v1/chat/completions", "\"frequency_penalty\":0.5", "frequency_penalty"},
      {"/v1/chat/completions", "\"presence_penalty\":-1", "presence_penalty"},
      {"/v1/chat/completions", "\"logit_bias\":{\"50256\":-100}", "logit_bias"},
      {"/v1/chat/completions", "\"top_k\":20", "top_k"},
      {"/v1/chat/completions", "\"chat_template_kwargs\":{\"enable_thinking\":false}", "chat_template_kwargs"},
      {"/v1/chat/completions", "\"stream_options\":{\"include_usage\":true}", "stream_options"},
      {"/v1/completions", "\"echo\":true", "echo"},
      {"/v1/completions", "\"logprobs\":1", "logprobs"},
      {"/v1/completions", "\"best_of\":3", "best_of"},
      {"/v1/completions", "\"suffix\":\" the end\"", "suffix"},
    };
    for (String[] c : refused) {
      String body = completionsOrChat(c[0], c[1]);
      HttpResponse<String> r = post(s, c[0], body);
      String what = c[0] + " " + body + " → " + r.body();
      assertEquals(400, r.statusCode(), what);
      JsonNode error = json(r).get("error");
      assertEquals("invalid_request_error", error.get("type").asText(), what);
      assertEquals(c[2], error.get("param").asText(), what);
      assertTrue(error.get("message").asText().contains(c[2]), what);
    }
    assertEquals(0, model.calls().size(), "no refused request reaches the model");
    String[][] accepted = {
      {"/v1/chat/completions", "\"logprobs\":false,\"n\":1,\"stream\":false,\"stop\":null"},
      {"/v1/chat/completions", "\"stop\":[],\"tools\":[],\"tool_choice\":\"none\",\"top_logprobs\":0"},
      {"/v1/chat/completions", "\"response_format\":{\"type\":\"text\"},\"user\":\"worker-3\""},
      {"/v1/chat/completions", "\"frequency_penalty\":0,\"presence_penalty\":0.0,\"logit_bias\":{}"},
      {"/v1/completions", "\"echo\":false,\"logprobs\":null,\"best_of\":1,\"suffix\":null"},
    };
    for (String[] c : accepted) {
      String body = completionsOrChat(c[0], c[1]);
      HttpResponse<String> r = post(s, c[0], body);
      assertEquals(200, r.statusCode(), c[0] + " " + body + " → " + r.body());
    }
  }

  private static String completionsOrChat(String path, String extra) {
    return path.endsWith("/chat/completions")
        ? chatBody("Good night.", extra)
        : "{\"prompt\":\"Good night.\"," + extra + "}";
  }

  @Test
  void responsesAreSentWithoutNagleDelay() throws Exception {
    startDefault(new LetterTranslator());
    // The JDK server reads it once, when its first server is made: a keep-alive answer then
    // leaves at once instead of waiting for the client's delayed ACK.
    assertEquals("true", System.getProperty("sun.net.httpserver.nodelay"));
  }

  @Test
  void modelsAndHealthDescribeTheServedModel() throws Exception {
    RunningServer s = startDefault(new LetterTranslator());
    JsonNode models = json(get(s, "/v1/models"));
    assertEquals("list", models.get("object").asText());
    assertEquals(1, models.get("data").size());
    assertEquals("letters", models.at("/data/0/id").asText());
    assertEquals("model", models.at("/data/0/object").asText());
    HttpResponse<String> health = get(s, "/health");
    assertEquals(200, health.statusCode());
    assertEquals("ok", json(health).get("status").asText());
  }

  @Test
  void badRequestsGet400NamingTheField() throws Exception {
    LetterTranslator model = new LetterTranslator();
    RunningServer s = startDefault(model);
    String user = "\"messages\":[{\"role\":\"user\",\"content\":\"hi\"}]";
    Object[][] cases = {
      // path, body, param (null: the request as a whole)
      {"/v1/chat/completions", "{\"messages\": [", null},
      {"/v1/chat/completions", "[1, 2]", null},
      {"/v1/chat/completions", "", null},
      {"/v1/chat/completions", "{}", "messages"},
      {"/v1/chat/completions", "{\"messages\": \"hi\"}", "messages"},
      {"/v1/chat/completions", "{\"messages\": []}", "messages"},
      {"/v1/chat/completions", "{\"messages\": [{\"role\": \"system\", \"content\": \"x\"}]}", "messages"},
      {"/v1/chat/completions", "{\"messages\": [{\"role\": \"user\", \"content\": 5}]}", "messages[0].content"},
      {"/v1/chat/completions", "{\"messages\": [{\"content\": \"x\"}]}", "messages[0].role"},
      {"/v1/chat/completions", "{\"messages\": [7]}", "messages[0]"},
      {"/v1/chat/completions", "{" + user + ", \"n\": 0}", "n"},
      {"/v1/chat/completions", "{" + user + ", \"n\": 17}", "n"},
      {"/v1/chat/completions", "{" + user + ", \"n\": \"2\"}", "n"},
      {"/v1/chat/completions", "{" + user + ", \"n\": 1.5}", "n"},
      {"/v1/chat/completions", "{" + user + ", \"temperature\": \"hot\"}", "temperature"},
      {"/v1/chat/completions", "{" + user + ", \"temperature\": 2.5}", "temperature"},
      {"/v1/chat/completions", "{" + user + ", \"top_p\": 0}", "top_p"},
      {"/v1/chat/completions", "{" + user + ", \"max_tokens\": 0}", "max_tokens"},
      {"/v1/chat/completions", "{" + user + ", \"seed\": \"x\"}", "seed"},
      {"/v1/chat/completions", "{" + user + ", \"model\": 5}", "model"},
      {"/v1/chat/completions", "{" + user + ", \"stream\": true}", "stream"},
      {"/v1/completions", "{}", "prompt"},
      {"/v1/completions", "{\"prompt\": 5}", "prompt"},
      {"/v1/completions", "{\"prompt\": []}", "prompt"},
      {"/v1/completions", "{\"prompt\": [[1, 2]]}", "prompt"},
    };
    for (Object[] c : cases) {
      HttpResponse<String> r = post(s, (String) c[0], (String) c[1]);
      String what = c[0] + " " + c[1] + " → " + r.body();
      assertEquals(400, r.statusCode(), what);
      JsonNode error = json(r).get("error");
      assertEquals("invalid_request_error", error.get("type").asText(), what);
      assertEquals(c[2] == null ? null : c[2], error.get("param").isNull() ? null : error.get("param").asText(), what);
      assertFalse(error.get("message").asText().isBlank(), what);
    }
    assertEquals(0, model.calls().size(), "no bad request reaches the model");
    assertEquals(cases.length, log.stream().filter(l -> l.startsWith("400 ")).count());
  }

  @Test
  void unknownPathsModelsAndMethodsGet404And405() throws Exception {
    RunningServer s = startDefault(new LetterTranslator());
    HttpResponse<String> path = post(s, "/v1/embeddings", "{}");
    assertEquals(404, path.statusCode());
    assertEquals("not_found_error", json(path).at("/error/type").asText());
    assertEquals(404, get(s, "/").statusCode());

    HttpResponse<String> model =
        post(s, "/v1/chat/completions", chatBody("hi", "\"model\":\"gpt-4o\""));
    assertEquals(404, model.statusCode());
    assertEquals("model_not_found", json(model).at("/error/code").asText());
    assertEquals("model", json(model).at("/error/param").asText());
    assertTrue(json(model).at("/error/message").asText().contains("'letters'"));

    HttpResponse<String> getChat = get(s, "/v1/chat/completions");
    assertEquals(405, getChat.statusCode());
    assertEquals("POST", getChat.headers().firstValue("Allow").orElseThrow());
    HttpResponse<String> postModels = post(s, "/v1/models", "{}");
    assertEquals(405, postModels.statusCode());
    assertEquals("GET", postModels.headers().firstValue("Allow").orElseThrow());
  }

  @Test
  void bodiesOverTheLimitGet413WithOrWithoutAContentLength() throws Exception {
    LetterTranslator model = new LetterTranslator();
    RunningServer s =
        start(TranslationServer.over(model, "letters").withMaxRequestBytes(4096));
    String big = chatBody("x".repeat(100_000), "");
    HttpResponse<String> declared = post(s, "/v1/chat/completions", big);
    assertEquals(413, declared.statusCode(), declared.body());
    assertEquals("request_too_large", json(declared).at("/error/code").asText());

    // Chunked: no Content-Length, the server counts while reading.
    HttpRequest chunked =
        HttpRequest.newBuilder(URI.create(s.baseUrl() + "/chat/completions"))
            .POST(
                HttpRequest.BodyPublishers.ofInputStream(
                    () -> new ByteArrayInputStream(big.getBytes(StandardCharsets.UTF_8))))
            .build();
    HttpResponse<String> streamed = HTTP.send(chunked, HttpResponse.BodyHandlers.ofString());
    assertEquals(413, streamed.statusCode(), streamed.body());

    String fits = chatBody("x".repeat(3000), "");
    assertEquals(200, post(s, "/v1/chat/completions", fits).statusCode());
    assertEquals(1, model.calls().size());
  }

  @Test
  void aConfiguredKeyIsRequiredAndNeverEchoedOrLogged() throws Exception {
    String key = "sk-tarjama-test-" + java.util.UUID.randomUUID();
    RunningServer s = start(TranslationServer.over(new LetterTranslator(), "letters").withApiKey(key));
    String body = chatBody("Good morning.", "");

    HttpResponse<String> none = post(s, "/v1/chat/completions", body);
    HttpResponse<String> wrong =
        post(s, "/v1/chat/completions", body, "Authorization", "Bearer " + key + "x");
    HttpResponse<String> basic = post(s, "/v1/chat/completions", body, "Authorization", "Basic " + key);
    HttpResponse<String> models = get(s, "/v1/models");
    for (HttpResponse<String> r : List.of(none, wrong, basic, models)) {
      assertEquals(401, r.statusCode(), r.body());
      assertEquals("authentication_error", json(r).at("/error/type").asText());
      assertEquals("Bearer", r.headers().firstValue("WWW-Authenticate").orElseThrow());
      assertFalse(r.body().contains(key), r.body());
    }
    HttpResponse<String> ok =
        post(s, "/v1/chat/completions", body, "Authorization", "Bearer " + key);
    assertEquals(200, ok.statusCode(), ok.body());
    assertEquals(transliterate("Good morning."), json(ok).at("/choices/0/message/content").asText());
    assertEquals(200, get(s, "/health").statusCode(), "health stays open for probes");

    assertEquals(4, log.stream().filter(l -> l.startsWith("401 ")).count(), log.toString());
    assertTrue(log.stream().noneMatch(l -> l.contains(key)), log.toString());
    assertFalse(s.toString().contains(key));
  }

  @Test
  void aFailingModelGives500WithAJsonErrorAndTheServerKeepsServing() throws Exception {
    RunningServer s = startDefault(new LetterTranslator());
    HttpResponse<String> failed = post(s, "/v1/chat/completions", chatBody(HALA + "FAIL now", ""));
    assertEquals(500, failed.statusCode(), failed.body());
    JsonNode error = json(failed).get("error");
    assertEquals("server_error", error.get("type").asText());
    assertTrue(error.get("message").asText().contains("cannot translate FAIL"), error.toString());
    assertTrue(log.stream().anyMatch(l -> l.startsWith("500 ") && l.contains("cannot translate FAIL")));

    HttpResponse<String> next = post(s, "/v1/chat/completions", chatBody(HALA + "Fine.", ""));
    assertEquals(200, next.statusCode());
  }

  @Test
  void concurrentRequestsAreMicroBatchedIntoFewerTranslateCalls() throws Exception {
    // 40 ms per batch, like a small model: while one batch runs, the next requests gather.
    LetterTranslator model = new LetterTranslator(40);
    RunningServer s =
        start(
            TranslationServer.over(model, "letters")
                .withPromptTemplates(List.of(PromptTemplate.named("hala")))
                .withBatching(8, Duration.ofMillis(20)));
    List<String> texts = tatoebaEnglish(8000, 16);
    List<CompletableFuture<HttpResponse<String>>> responses = new ArrayList<>();
    for (String text : texts) {
      HttpRequest request =
          HttpRequest.newBuilder(URI.create(s.baseUrl() + "/chat/completions"))
              .POST(HttpRequest.BodyPublishers.ofString(chatBody(HALA + text, "")))
              .build();
      responses.add(HTTP.sendAsync(request, HttpResponse.BodyHandlers.ofString()));
    }
    for (int i = 0; i < texts.size(); i++) {
      HttpResponse<String> r = responses.get(i).join();
      assertEquals(200, r.statusCode(), r.body());
      assertEquals(transliterate(texts.get(i)), json(r).at("/choices/0/message/content").asText());
    }
    ServerStats stats = s.stats();
    assertEquals(16, stats.completionRequests());
    assertEquals(16, stats.sourcesTranslated());
    assertEquals(model.calls().size(), stats.translateCalls());
    assertTrue(stats.translateCalls() < 16, "16 requests took " + stats.translateCalls() + " calls");
    assertTrue(stats.largestBatch() > 1 && stats.largestBatch() <= 8, stats.toString());
    assertTrue(model.calls().stream().allMatch(c -> c.sources().size() <= 8));
  }

  @Test
  void requestsWithDifferentDecodingsShareNoBatch() throws Exception {
    LetterTranslator model = new LetterTranslator(40);
    RunningServer s =
        start(TranslationServer.over(model, "letters").withBatching(32, Duration.ofMillis(30)));
    List<CompletableFuture<HttpResponse<String>>> responses = new ArrayList<>();
    for (int i = 0; i < 12; i++) {
      String extra = i % 2 == 0 ? "" : "\"temperature\":0.9,\"seed\":3";
      HttpRequest request =
          HttpRequest.newBuilder(URI.create(s.baseUrl() + "/chat/completions"))
              .POST(HttpRequest.BodyPublishers.ofString(chatBody("hello world " + i, extra)))
              .build();
      responses.add(HTTP.sendAsync(request, HttpResponse.BodyHandlers.ofString()));
    }
    for (int i = 0; i < 12; i++) {
      HttpResponse<String> r = responses.get(i).join();
      assertEquals(200, r.statusCode(), r.body());
      String content = json(r).at("/choices/0/message/content").asText();
      if (i % 2 == 0) {
        assertEquals(transliterate("hello world " + i), content);
      }
    }
    for (LetterTranslator.Call call : model.calls()) {
      boolean greedy = call.decoding().strategy() == Decoding.Strategy.GREEDY;
      for (String source : call.sources()) {
        int i = Integer.parseInt(source.substring("hello world ".length()));
        assertEquals(i % 2 == 0, greedy, "request " + i + " went into a " + call.decoding());
      }
    }
    assertEquals(12, model.calls().stream().mapToInt(c -> c.sources().size()).sum());
  }

  private static List<String> contents(JsonNode root) {
    List<String> out = new ArrayList<>();
    root.get("choices").forEach(c -> out.add(c.at("/message/content").asText()));
    return out;
  }
}
