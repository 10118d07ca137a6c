package dev.tarjama.transforms.batch;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import dev.tarjama.models.openai.BackendConfig;
import dev.tarjama.transforms.backend.BackendSpec;
import dev.tarjama.transforms.backend.BatchSettings;
import dev.tarjama.transforms.batch.Reconciliation.Outcome;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

class ReconciliationTest {
  static final BackendSpec N_MODE = BackendSpec.parse(
      "name=b,kind=openai-batch,url=http://127.0.0.1:1/v1,model=m,k=2,temperature=0.5,seed=3");
  static final BackendSpec SEEDS = BackendSpec.parse(
      "name=b,kind=openai-batch,url=http://127.0.0.1:1/v1,model=m,k=2,candidates=seeds,seed=3");

  @Test
  void requestLinesAreTheLiveRequestsBodiesNamedByTextHashAndCandidate() throws Exception {
    List<BatchLines.Request> n = BatchLines.requests(N_MODE, "Hello.");
    assertEquals(1, n.size());
    String hash = BatchSettings.textHash("Hello.");
    assertEquals(hash + "-0-2", n.get(0).customId());
    JsonNode line = BatchLines.JSON.readTree(n.get(0).line());
    assertEquals("POST", line.get("method").asText());
    assertEquals("/v1/chat/completions", line.get("url").asText());
    assertEquals(2, line.get("body").get("n").asInt());
    assertEquals(3, line.get("body").get("seed").asLong());
    assertEquals("m", line.get("body").get("model").asText());
    assertTrue(line.get("body").get("messages").get(0).get("content").asText().contains("Hello."));

    List<BatchLines.Request> seeds = BatchLines.requests(SEEDS, "Hello.");
    assertEquals(List.of(hash + "-0", hash + "-1"),
        seeds.stream().map(BatchLines.Request::customId).toList());
    assertEquals(4, BatchLines.JSON.readTree(seeds.get(1).line()).get("body").get("seed").asLong());
    assertNotEquals(hash, BatchSettings.textHash("Hello!"));
  }

  @Test
  void batchSpecsTakeBatchPricesOrADiscountAndShareTheLiveCacheKeys() {
    BackendSpec discounted = BackendSpec.parse("name=b,kind=openai-batch,url=http://127.0.0.1:1/v1,"
        + "model=m,price-in=2,price-out=8,batch-lines=10");
    assertEquals(1.0, discounted.batch().priceIn());
    assertEquals(4.0, discounted.batch().priceOut());
    assertEquals(10, discounted.batch().lines());
    BackendSpec priced = BackendSpec.parse("name=b,kind=openai-batch,url=http://127.0.0.1:1/v1,"
        + "model=m,price-in=2,price-out=8,batch-price-in=0.5,batch-discount=0.25");
    assertEquals(0.5, priced.batch().priceIn());
    assertEquals(2.0, priced.batch().priceOut());
    BackendSpec live = BackendSpec.parse("name=b,url=http://127.0.0.1:1/v1,model=m");
    assertEquals(dev.tarjama.transforms.backend.BackendCaching.keyspace(live).key(0, "t"),
        dev.tarjama.transforms.backend.BackendCaching.keyspace(discounted).key(0, "t"));
    BackendSpec file = BackendSpec.parse("name=b,kind=batch-file,path=/tmp/x,model=m");
    assertEquals("/tmp/x", file.batch().path());
    org.junit.jupiter.api.Assertions.assertFalse(file.batch().hasServer());
    org.junit.jupiter.api.Assertions.assertThrows(IllegalArgumentException.class,
        () -> BackendSpec.parse("name=b,url=http://127.0.0.1:1/v1,model=m,batch-lines=3"));
    org.junit.jupiter.api.Assertions.assertThrows(IllegalArgumentException.class,
        () -> BackendSpec.parse("name=b,kind=batch-file,model=m"));
  }

  static String ok(String id, String... texts) {
    StringBuilder choices = new StringBuilder();
    for (int i = 0; i < texts.length; i++) {
      choices.append(i == 0 ? "" : ",").append("{\"index\":").append(i)
          .append(",\"message\":{\"role\":\"assistant\",\"content\":\"").append(texts[i])
          .append("\"},\"finish_reason\":\"stop\"}");
    }
    return "{\"id\":\"r\",\"custom_id\":\"" + id + "\",\"response\":{\"status_code\":200,"
        + "\"body\":{\"choices\":[" + choices + "],\"usage\":{\"prompt_tokens\":7,"
        + "\"completion_tokens\":5}}},\"error\":null}";
  }

  static String error(String id, String code) {
    return "{\"id\":\"r\",\"custom_id\":\"" + id + "\",\"response\":null,\"error\":{\"code\":\""
        + code + "\",\"message\":\"" + code + " happened\"}}";
  }

  @Test
  void everySubmittedLineGetsExactlyOneOutcomeFromTheLinesNotFromCounts() {
    List<BatchLines.Request> submitted = new ArrayList<>();
    for (String text : List.of("a", "b", "c", "d", "e", "f", "g")) {
      submitted.addAll(BatchLines.requests(N_MODE, text));
    }
    String[] id = submitted.stream().map(BatchLines.Request::customId).toArray(String[]::new);
    List<String> output = List.of(
        ok(id[0], "x", "y"),
        ok(id[1], "x", "y"), // also in the error file: a conflict
        "{\"custom_id\":\"" + id[2] + "\",\"response\":{\"status_code\":500,\"body\":"
            + "{\"error\":{\"message\":\"boom\"}}}}",
        ok(id[3], "only one"), // one of two choices
        ok("not-submitted", "x", "y"),
        "not json");
    List<String> errors = List.of(error(id[1], "server_error"), error(id[4], "batch_expired"),
        error(id[5], "invalid_request"));
    Reconciliation.Result r = Reconciliation.reconcile(
        submitted, BackendConfig.Endpoint.CHAT, output, errors, "expired", "");
    List<Outcome> outcomes = r.lines().stream().map(Reconciliation.Line::outcome).toList();
    assertEquals(List.of(Outcome.COMPLETED, Outcome.CONFLICT, Outcome.FAILED, Outcome.FAILED,
        Outcome.EXPIRED, Outcome.FAILED, Outcome.MISSING), outcomes);
    assertEquals(List.of("x", "y"), r.lines().get(0).completion().texts());
    assertEquals(7, r.lines().get(0).completion().promptTokens());
    assertTrue(r.lines().get(2).reason().contains("HTTP 500: boom"), r.lines().get(2).reason());
    assertTrue(r.lines().get(3).reason().contains("1 of 2 choices"), r.lines().get(3).reason());
    assertTrue(r.lines().get(6).reason().contains("neither"), r.lines().get(6).reason());
    assertEquals(1, r.unexpected());
    assertEquals(1, r.unreadable());
  }

  @Test
  void aBatchThatFailedAsAWholeFailsEveryLineWithItsError() {
    List<BatchLines.Request> submitted = BatchLines.requests(N_MODE, "a");
    Reconciliation.Result r = Reconciliation.reconcile(submitted, BackendConfig.Endpoint.CHAT,
        List.of(), List.of(), "failed", "invalid_file");
    assertEquals(Outcome.FAILED, r.lines().get(0).outcome());
    assertTrue(r.lines().get(0).reason().contains("invalid_file"));
  }
}
