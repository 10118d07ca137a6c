package dev.tarjama.transforms.testing;

import static org.junit.jupiter.api.Assertions.assertEquals;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.tarjama.models.openai.BackendConfig;
import dev.tarjama.models.openai.OpenAiCompatibleClient;
import dev.tarjama.models.prompt.PromptTemplate;
import dev.tarjama.models.testing.FakeOpenAiServer;
import dev.tarjama.models.testing.JudgeAnswers;
import dev.tarjama.models.testing.TranslatorAnswers;
import dev.tarjama.transforms.judge.JudgePrompt;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;

/**
 * One {@link FakeOpenAiServer} translates, judges and runs a batch at one base URL, as one vLLM
 * or gateway would: a strict judge prompt goes to its {@link JudgeAnswers}, every other prompt to
 * its translator, and a batch line is answered exactly as the live request would be.
 */
class FakeOpenAiServerTest {
  private static final ObjectMapper JSON = new ObjectMapper();
  private static final HttpClient HTTP = HttpClient.newHttpClient();

  @Test
  void translatesJudgesAndBatchesOnOneServer() throws Exception {
    String english = "Where is the station?";
    String arabic = TranslatorAnswers.translate(english, 0);
    try (FakeOpenAiServer server = FakeOpenAiServer.builder()
        .judge(JudgeAnswers.of(Map.of(english, Set.of(arabic))))
        .start()) {
      try (OpenAiCompatibleClient client =
          OpenAiCompatibleClient.create(BackendConfig.of(server.baseUrl(), "m"))) {
        String prompt = PromptTemplate.named("hala").render(english);
        assertEquals(List.of(arabic, TranslatorAnswers.translate(english, 1)),
            client.translate(prompt, 2).join().texts());
        assertEquals(List.of("ACCEPT"), client.translate(
            JudgePrompt.strict().render(english, arabic), 1).join().texts());
        assertEquals(List.of("REJECT"), client.translate(
            JudgePrompt.strict().render(english, english), 1).join().texts());

        // The same translation request as one batch line, through files and batches.
        String body = JSON.createObjectNode().put("model", "m").set("messages",
            JSON.createArrayNode().add(JSON.createObjectNode().put("role", "user")
                .put("content", prompt))).toString();
        String line = "{\"custom_id\":\"c1\",\"method\":\"POST\",\"url\":\"/v1/chat/completions\","
            + "\"body\":" + body + "}\n";
        String file = upload(server.baseUrl(), line).path("id").asText();
        JsonNode batch = post(server.baseUrl() + "/batches", "{\"input_file_id\":\"" + file
            + "\",\"endpoint\":\"/v1/chat/completions\",\"completion_window\":\"24h\"}");
        for (int poll = 0; poll < 4; poll++) { // validating → in_progress → finalizing → final
          batch = get(server.baseUrl() + "/batches/" + batch.path("id").asText());
        }
        assertEquals("completed", batch.path("status").asText(), batch.toString());
        JsonNode answer = JSON.readTree(HTTP.send(HttpRequest.newBuilder(URI.create(
                server.baseUrl() + "/files/" + batch.path("output_file_id").asText() + "/content"))
            .build(), HttpResponse.BodyHandlers.ofString()).body());
        assertEquals(arabic, answer.at("/response/body/choices/0/message/content").asText());
        assertEquals(1, server.batches().linesSubmitted());
        // Four completions (two translations, two verdicts, the batch line), no bookkeeping.
        assertEquals(4, server.requestCount());
      }
    }
  }

  private static JsonNode upload(String baseUrl, String content) throws Exception {
    String boundary = "fake-openai-test";
    String form = "--" + boundary + "\r\nContent-Disposition: form-data; name=\"purpose\"\r\n\r\n"
        + "batch\r\n--" + boundary + "\r\nContent-Disposition: form-data; name=\"file\"; "
        + "filename=\"in.jsonl\"\r\nContent-Type: application/jsonl\r\n\r\n" + content + "\r\n--"
        + boundary + "--\r\n";
    return JSON.readTree(HTTP.send(HttpRequest.newBuilder(URI.create(baseUrl + "/files"))
        .header("Content-Type", "multipart/form-data; boundary=" + boundary)
        .POST(HttpRequest.BodyPublishers.ofString(form)).build(),
        HttpResponse.BodyHandlers.ofString()).body());
  }

  private static JsonNode post(String url, String body) throws Exception {
    return JSON.readTree(HTTP.send(HttpRequest.newBuilder(URI.create(url))
        .header("Content-Type", "application/json")
        .POST(HttpRequest.BodyPublishers.ofString(body)).build(),
        HttpResponse.BodyHandlers.ofString()).body());
  }

  private static JsonNode get(String url) throws Exception {
    return JSON.readTree(HTTP.send(HttpRequest.newBuilder(URI.create(url)).build(),
        HttpResponse.BodyHandlers.ofString()).body());
  }
}
