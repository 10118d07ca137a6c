package dev.tarjama.transforms.backend;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.tarjama.models.cache.CacheKeyspace;
import dev.tarjama.models.openai.OpenAiCompatibleClient;

import dev.tarjama.models.testing.FakeOpenAiServer;
import dev.tarjama.models.testing.TranslatorAnswers;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code extra-body=} and {@code chat-template-kwargs=} on a backend spec: what a real loopback
 * server receives, and the cache key they enter.
 */
class BackendSpecExtraBodyTest {
  private static final ObjectMapper JSON = new ObjectMapper();

  @Test
  void extraFieldsReachTheServerMergedIntoTheRequestBody(@TempDir Path dir) throws Exception {
    Path file = dir.resolve("vllm.json");
    Files.writeString(file, "{\"top_k\": 20, \"stop\": [\"</s>\", \"\\n\\n\"], \"repetition_penalty\": 1.05}");
    try (FakeOpenAiServer server =
        FakeOpenAiServer.builder().promptPrefix(TranslatorAnswers.HALA_PREFIX).start()) {
      BackendSpec spec =
          BackendSpec.parse("name=qwen,url=" + server.baseUrl() + ",model=qwen3,extra-body=@"
              + file + ",chat-template-kwargs={\"enable_thinking\": false, \"x\": [1,2]},k=1");
      try (OpenAiCompatibleClient client = OpenAiCompatibleClient.create(spec.config())) {
        String answer =
            client.translate(spec.prompt().render("Good morning."), 1).get(30, TimeUnit.SECONDS)
                .texts().get(0);
        assertFalse(answer.isBlank());
      }
      JsonNode body = JSON.readTree(server.requests().get(0).body());
      assertEquals(20, body.get("top_k").asInt());
      assertEquals("</s>", body.get("stop").get(0).asText());
      assertEquals("\n\n", body.get("stop").get(1).asText());
      assertEquals(1.05, body.get("repetition_penalty").asDouble(), 1e-9);
      assertFalse(body.get("chat_template_kwargs").get("enable_thinking").asBoolean(true));
      assertEquals(2, body.get("chat_template_kwargs").get("x").get(1).asInt());
      // The client's own fields are still its own.
      assertEquals("qwen3", body.get("model").asText());
      assertEquals("user", body.get("messages").get(0).get("role").asText());
    }
  }

  @Test
  void extraFieldsAreInTheCacheKeyAndOrderDoesNotMatter() {
    String base = "name=a,url=http://127.0.0.1:9/v1,model=m";
    CacheKeyspace none = BackendCaching.keyspace(BackendSpec.parse(base));
    CacheKeyspace off =
        BackendCaching.keyspace(
            BackendSpec.parse(base + ",chat-template-kwargs={\"enable_thinking\":false}"));
    CacheKeyspace on =
        BackendCaching.keyspace(
            BackendSpec.parse(base + ",chat-template-kwargs={\"enable_thinking\":true}"));
    CacheKeyspace twoFields =
        BackendCaching.keyspace(BackendSpec.parse(base + ",extra-body={\"top_k\":20,\"min_p\":0.1}"));
    CacheKeyspace twoFieldsReordered =
        BackendCaching.keyspace(
            BackendSpec.parse(base + ",extra-body={ \"min_p\": 0.1, \"top_k\": 20 }"));
    assertNotEquals(none.key(0, "Hello."), off.key(0, "Hello."));
    assertNotEquals(off.key(0, "Hello."), on.key(0, "Hello."));
    assertEquals(twoFields.key(0, "Hello."), twoFieldsReordered.key(0, "Hello."));
    assertTrue(off.decoding().contains("extra_body={\"chat_template_kwargs\":{\"enable_thinking\":false}}"),
        off.decoding());
    // Without extra fields the keyspace is what it was before they existed.
    assertFalse(none.decoding().contains("extra_body"));
  }

  @Test
  void badExtraBodiesAreRefusedNamingTheBackend(@TempDir Path dir) {
    String base = "name=a,url=http://127.0.0.1:9/v1,model=m";
    IllegalArgumentException notObject =
        assertThrows(IllegalArgumentException.class,
            () -> BackendSpec.parse(base + ",extra-body=[1,2]"));
    assertTrue(notObject.getMessage().contains("backend a"), notObject.getMessage());
    IllegalArgumentException reserved =
        assertThrows(IllegalArgumentException.class,
            () -> BackendSpec.parse(base + ",extra-body={\"temperature\":0.1}"));
    assertTrue(reserved.getMessage().contains("temperature"), reserved.getMessage());
    IllegalArgumentException missing =
        assertThrows(IllegalArgumentException.class,
            () -> BackendSpec.parse(base + ",extra-body=@" + dir.resolve("absent.json")));
    assertTrue(missing.getMessage().contains("absent.json"), missing.getMessage());
    IllegalArgumentException twice =
        assertThrows(IllegalArgumentException.class,
            () -> BackendSpec.parse(base + ",extra-body={\"chat_template_kwargs\":{}},"
                + "chat-template-kwargs={\"enable_thinking\":false}"));
    assertTrue(twice.getMessage().contains("twice"), twice.getMessage());
    assertThrows(IllegalArgumentException.class,
        () -> BackendSpec.parse("name=l,kind=local,path=x,chat-template-kwargs={}"));
  }
}
