package dev.tarjama.models.serve;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;

import dev.tarjama.models.serve.ApiRequest.Endpoint;
import dev.tarjama.models.local.Decoding;
import dev.tarjama.models.local.Decoding.Strategy;
import java.nio.charset.StandardCharsets;
import java.util.List;
import org.junit.jupiter.api.Test;

class ApiRequestTest {
  private static ApiRequest chat(String json) {
    return ApiRequest.parse(Endpoint.CHAT, json.getBytes(StandardCharsets.UTF_8), 16);
  }

  private static ApiRequest completion(String json) {
    return ApiRequest.parse(Endpoint.COMPLETIONS, json.getBytes(StandardCharsets.UTF_8), 16);
  }

  @Test
  void chatTakesTheLastUserMessageAndTheSamplingFields() {
    ApiRequest r =
        chat(
            "{\"model\":\"m\",\"messages\":[{\"role\":\"system\",\"content\":\"s\"},"
                + "{\"role\":\"user\",\"content\":\"first\"},{\"role\":\"assistant\",\"content\":null},"
                + "{\"role\":\"user\",\"content\":[{\"type\":\"text\",\"text\":\"sec\"},"
                + "{\"type\":\"text\",\"text\":\"ond\"}]}],"
                + "\"n\":3,\"temperature\":0.7,\"top_p\":0.9,\"max_tokens\":50,\"seed\":42,"
                + "\"frequency_penalty\":0,\"stream\":false}");
    assertEquals(List.of("second"), r.prompts());
    assertEquals("m", r.model());
    assertEquals(3, r.n());
    assertEquals(0.7, r.temperature());
    assertEquals(0.9, r.topP());
    assertEquals(50, r.maxTokens());
    assertEquals(42L, r.seed());
  }

  @Test
  void completionsTakeAStringOrAnArrayOfStrings() {
    assertEquals(List.of("a"), completion("{\"prompt\":\"a\"}").prompts());
    ApiRequest r = completion("{\"prompt\":[\"a\",\"b\"],\"max_completion_tokens\":7,\"n\":2.0}");
    assertEquals(List.of("a", "b"), r.prompts());
    assertEquals(7, r.maxTokens());
    assertEquals(2, r.n());
    assertNull(r.temperature());
    assertNull(r.seed());
  }

  @Test
  void errorsNameTheField() {
    assertEquals("n", assertThrows(ApiError.class, () -> chat(
        "{\"messages\":[{\"role\":\"user\",\"content\":\"x\"}],\"n\":17}")).param);
    assertEquals("messages[1].role", assertThrows(ApiError.class, () -> chat(
        "{\"messages\":[{\"role\":\"user\",\"content\":\"x\"},{\"content\":\"y\"}]}")).param);
    assertEquals("prompt", assertThrows(ApiError.class, () -> completion(
        "{\"prompt\":[1,2,3]}")).param);
    ApiError trailing = assertThrows(ApiError.class, () -> completion("{\"prompt\":\"a\"} {}"));
    assertNull(trailing.param);
    assertEquals(400, trailing.status);
  }

  @Test
  void decodingFollowsTemperatureAndTheConfiguredStrategy() {
    DecodingPolicy greedy = new DecodingPolicy(Decoding.greedy());
    String user = "\"messages\":[{\"role\":\"user\",\"content\":\"x\"}]";
    assertEquals(Strategy.GREEDY, greedy.forRequest(chat("{" + user + "}")).strategy());
    Decoding nBest = greedy.forRequest(chat("{" + user + ",\"n\":3}"));
    assertEquals(Strategy.BEAM, nBest.strategy());
    assertEquals(3, nBest.beamWidth());
    assertEquals(3, nBest.candidates());
    Decoding sampled =
        greedy.forRequest(chat("{" + user + ",\"n\":2,\"temperature\":0.5,\"top_p\":0.8,\"seed\":9}"));
    assertEquals(Decoding.sample(2, 0.5, 0.8, 9), sampled);

    DecodingPolicy beam4 = new DecodingPolicy(DecodingPolicy.parse("beam:4"));
    Decoding b = beam4.forRequest(chat("{" + user + ",\"n\":2,\"temperature\":0}"));
    assertEquals(Decoding.beam(4, 2), b);
    assertEquals(Decoding.beam(6, 6), beam4.forRequest(chat("{" + user + ",\"n\":6}")));

    DecodingPolicy sample = new DecodingPolicy(DecodingPolicy.parse("sample"));
    assertEquals(Decoding.sample(1, 1.0, 1.0, 0L), sample.forRequest(chat("{" + user + "}")));
    assertEquals(Strategy.GREEDY, sample.forRequest(chat("{" + user + ",\"temperature\":0}")).strategy());

    Decoding capped = greedy.forRequest(chat("{" + user + ",\"max_tokens\":5}"));
    assertEquals(5, capped.maxLength());
    assertEquals(256, greedy.forRequest(chat("{" + user + ",\"max_tokens\":100000}")).maxLength());
    assertThrows(IllegalArgumentException.class, () -> DecodingPolicy.parse("beam:0"));
    assertThrows(IllegalArgumentException.class, () -> DecodingPolicy.parse("nucleus"));
  }
}
