package dev.tarjama.transforms.backend;

import static dev.tarjama.transforms.testing.PipelineMetrics.counter;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.tarjama.models.cache.CacheKey;
import dev.tarjama.models.cache.CacheKeyspace;
import dev.tarjama.models.cache.CachedTranslation;
import dev.tarjama.models.openai.Completion;
import dev.tarjama.models.openai.SpendingLimit;
import dev.tarjama.models.testing.LoopbackHttp;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;
import org.apache.beam.sdk.PipelineResult;
import org.apache.beam.sdk.coders.Coder;
import org.apache.beam.sdk.coders.StringUtf8Coder;
import org.apache.beam.sdk.testing.PAssert;
import org.apache.beam.sdk.transforms.display.DisplayData;
import org.apache.beam.sdk.Pipeline;
import org.apache.beam.sdk.options.PipelineOptionsFactory;
import org.apache.beam.sdk.transforms.Create;
import org.apache.beam.sdk.values.PCollectionTuple;
import org.apache.beam.sdk.values.TupleTag;
import org.apache.beam.sdk.values.TupleTagList;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@link CallBackend} with the smallest {@link BackendCall} there is (a word in, the server's
 * answer out, a failure as the word and the reason) against a real loopback server that answers
 * each prompt upper-cased, refuses prompts containing {@code FAIL} with a 400 and counts what it
 * is sent: every input lands in exactly one output, answers are cached and never asked twice,
 * identical requests in flight are one call, and the spending limit stops what it must.
 */
class CallBackendTest {
  static final TupleTag<String> ANSWERS = new TupleTag<>() {};
  static final TupleTag<String> FAILED = new TupleTag<>() {};

  /** A word asked as it is; its answer, or "word: reason". */
  static final class WordCall implements BackendCall<String, String> {
    private final BackendSpec backend;

    WordCall(BackendSpec backend) {
      this.backend = backend;
    }

    @Override
    public BackendSpec backend() {
      return backend;
    }

    @Override
    public String name() {
      return backend.name();
    }

    @Override
    public BackendMetrics metrics() {
      return BackendMetrics.translation("words");
    }

    @Override
    public CacheKeyspace keyspace() {
      return CacheKeyspace.of("words", "upper", "", Map.of());
    }

    @Override
    public CacheKeyspace truncatedKeyspace() {
      return null;
    }

    @Override
    public int n() {
      return 1;
    }

    @Override
    public String cacheText(String word) {
      return word;
    }

    @Override
    public String request(String word) {
      return word;
    }

    @Override
    public long expectedTokensOut(String word) {
      return 10;
    }

    @Override
    public TupleTag<String> output() {
      return ANSWERS;
    }

    @Override
    public TupleTagList otherOutputs() {
      return TupleTagList.of(FAILED);
    }

    @Override
    public void setCoders(PCollectionTuple outputs, Coder<String> inputCoder) {
      outputs.get(ANSWERS).setCoder(StringUtf8Coder.of());
      outputs.get(FAILED).setCoder(StringUtf8Coder.of());
    }

    @Override
    public Map<CacheKey, CachedTranslation> entries(String word, Completion completion) {
      return Map.of(keyspace().key(0, word), new CachedTranslation(
          completion.texts().get(0), completion.promptTokens(), completion.completionTokens()));
    }

    @Override
    public void stored(String word, BackendCaching.Stored stored, Emitter out) {
      out.output(ANSWERS, stored.candidates().get(0).text());
    }

    @Override
    public void answered(String word, Completion completion, Emitter out) {
      out.output(ANSWERS, completion.texts().get(0));
    }

    @Override
    public void copied(String word, Completion completion, BackendCaching.Stored stored,
        Emitter out) {
      out.output(ANSWERS, stored != null ? stored.candidates().get(0).text()
          : completion.texts().get(0));
    }

    @Override
    public void failed(String word, String error, Emitter out) {
      out.output(FAILED, word + ": " + error);
    }
  }

  private static final ObjectMapper JSON = new ObjectMapper();
  private final Map<String, AtomicInteger> asked = new ConcurrentHashMap<>();
  private LoopbackHttp server;

  @BeforeEach
  void start() throws IOException {
    server = LoopbackHttp.start("upper-case", 8, 64, exchange -> {
      JsonNode body = JSON.readTree(exchange.getRequestBody());
      JsonNode messages = body.path("messages");
      String prompt = messages.get(messages.size() - 1).path("content").asText();
      asked.computeIfAbsent(prompt, p -> new AtomicInteger()).incrementAndGet();
      byte[] answer;
      int status;
      if (prompt.contains("FAIL")) {
        status = 400;
        answer = "{\"error\":{\"message\":\"refused\"}}".getBytes(StandardCharsets.UTF_8);
      } else {
        try {
          Thread.sleep(20); // long enough for identical requests to overlap
        } catch (InterruptedException e) {
          Thread.currentThread().interrupt();
        }
        status = 200;
        ObjectNode reply = JSON.createObjectNode();
        ObjectNode choice = reply.putArray("choices").addObject();
        choice.put("index", 0).put("finish_reason", "stop");
        choice.putObject("message").put("role", "assistant").put("content", prompt.toUpperCase());
        reply.putObject("usage").put("prompt_tokens", 3).put("completion_tokens", 2);
        answer = JSON.writeValueAsBytes(reply);
      }
      exchange.getResponseHeaders().add("Content-Type", "application/json");
      exchange.sendResponseHeaders(status, answer.length);
      exchange.getResponseBody().write(answer);
      exchange.close();
    });
  }

  @AfterEach
  void stop() {
    server.close();
  }

  private BackendSpec backend(String extra) {
    return BackendSpec.parse("name=upper,url=" + server.baseUrl()
        + ",model=upper,retries=1" + extra);
  }

  private static List<String> words(int n) {
    List<String> words = new ArrayList<>();
    for (int i = 0; i < n; i++) {
      words.add("word" + i);
    }
    return words;
  }

  private PipelineResult run(List<String> input, CallBackend<String, String> call,
      List<String> answers, List<String> failed) {
    Pipeline p = Pipeline.create(PipelineOptionsFactory.create());
    PCollectionTuple out = p.apply(Create.of(input).withCoder(StringUtf8Coder.of())).apply(call);
    PAssert.that(out.get(ANSWERS)).containsInAnyOrder(answers);
    PAssert.that(out.get(FAILED)).containsInAnyOrder(failed);
    PipelineResult result = p.run();
    result.waitUntilFinish();
    return result;
  }

  @Test
  void theJobGraphShowsTheBackendCacheAndLimitButNoSecret() {
    String cache = "redis://cache.internal:6379/2?password-env=CACHE_PASSWORD";
    CallBackend<String, String> call =
        CallBackend.of(new WordCall(backend(",concurrency=4,key-env=UPPER_KEY")))
            .withCache(cache).withShuffleBuckets(8).sharingIdenticalRequests(true)
            .withSpendingLimit(SpendingLimit.of(2.5, 0));
    Map<String, String> items = items(call);
    assertEquals("upper", items.get("backend"));
    assertEquals("UPPER_KEY", items.get("keyEnv"), "the variable's name, never its value");
    assertEquals(cache, items.get("cache"));
    assertEquals("8", items.get("shuffleBuckets"));
    assertEquals("true", items.get("shareInFlight"));
    assertTrue(items.get("spendingLimit").contains("2.5"), items.get("spendingLimit"));
    assertEquals("false", items(CallBackend.of(new WordCall(backend(",concurrency=4")))
        .sharingIdenticalRequests(true)).get("shareInFlight"), "no sharing without a cache");
  }

  private static Map<String, String> items(CallBackend<String, String> call) {
    Map<String, String> items = new java.util.HashMap<>();
    for (DisplayData.Item item : DisplayData.from(call).items()) {
      items.put(item.getKey(), String.valueOf(item.getValue()));
    }
    return items;
  }

  @Test
  void onOneWorkerTheInputsAreCalledWithoutASpreadFirst() {
    List<String> input = words(20);
    List<String> upper = input.stream().map(String::toUpperCase).toList();
    CallBackend<String, String> oneWorker = CallBackend.of(new WordCall(backend(",concurrency=4")))
        .withOptions(CallOptions.defaults().onOneWorker());
    Pipeline p = Pipeline.create(PipelineOptionsFactory.create());
    PCollectionTuple out = p.apply(Create.of(input).withCoder(StringUtf8Coder.of()))
        .apply("Call", oneWorker);
    PAssert.that(out.get(ANSWERS)).containsInAnyOrder(upper);
    PAssert.that(out.get(FAILED)).empty();
    assertEquals(List.of(), transformsNamed(p, "Spread over workers"));
    p.run().waitUntilFinish();
    assertEquals(20, asked.size(), "every input called once");
    assertEquals("false", items(oneWorker).get("spread"));

    Pipeline spread = Pipeline.create(PipelineOptionsFactory.create());
    CallBackend<String, String> everywhere = CallBackend.of(new WordCall(backend("")));
    spread.apply(Create.of(input).withCoder(StringUtf8Coder.of())).apply("Call", everywhere);
    assertEquals(List.of("Call/Spread over workers"), transformsNamed(spread, "Spread over workers"),
        "by default the inputs are spread before the calls");
    assertEquals("true", items(everywhere).get("spread"));
  }

  private static List<String> transformsNamed(Pipeline p, String name) {
    List<String> found = new ArrayList<>();
    p.traverseTopologically(new Pipeline.PipelineVisitor.Defaults() {
      @Override
      public CompositeBehavior enterCompositeTransform(
          org.apache.beam.sdk.runners.TransformHierarchy.Node node) {
        if (node.getFullName().endsWith("/" + name)) {
          found.add(node.getFullName());
        }
        return CompositeBehavior.ENTER_TRANSFORM;
      }
    });
    return found;
  }

  @Test
  void everyInputIsAnsweredOrFailsWithItsInputKept() {
    List<String> input = new ArrayList<>(words(30));
    input.add("pleaseFAIL");
    List<String> upper = words(30).stream().map(String::toUpperCase).toList();
    Pipeline p = Pipeline.create(PipelineOptionsFactory.create());
    PCollectionTuple out = p.apply(Create.of(input).withCoder(StringUtf8Coder.of()))
        .apply(CallBackend.of(new WordCall(backend(",concurrency=4"))));
    PAssert.that(out.get(ANSWERS)).containsInAnyOrder(upper);
    PAssert.that(out.get(FAILED)).satisfies(failed -> {
      List<String> all = new ArrayList<>();
      failed.forEach(all::add);
      assertEquals(1, all.size(), all.toString());
      assertTrue(all.get(0).startsWith("pleaseFAIL: backend upper: "), all.get(0));
      assertTrue(all.get(0).contains("400"), all.get(0));
      return null;
    });
    PipelineResult result = p.run();
    result.waitUntilFinish();
    assertEquals(31, asked.values().stream().mapToInt(AtomicInteger::get).sum());
    assertEquals(30 * 3, counter(result, "translate/words/tokens_in"),
        "the failed request reports no usage");
    assertEquals(1, counter(result, "translate/words/failures"));
  }

  @Test
  void aCachedAnswerIsNeverAskedAgain(@TempDir Path dir) {
    String cache = "sqlite:" + dir.resolve("cache.db");
    List<String> input = words(20);
    List<String> upper = input.stream().map(String::toUpperCase).toList();
    run(input, CallBackend.of(new WordCall(backend(",concurrency=4"))).withCache(cache), upper, List.of());
    assertEquals(20, asked.size());
    asked.clear();
    List<String> more = new ArrayList<>(input);
    more.add("word20");
    List<String> moreUpper = more.stream().map(String::toUpperCase).toList();
    PipelineResult second =
        run(more, CallBackend.of(new WordCall(backend(",concurrency=4"))).withCache(cache), moreUpper, List.of());
    assertEquals(Map.of("word20", 1), Map.copyOf(
        asked.entrySet().stream().collect(java.util.stream.Collectors.toMap(
            Map.Entry::getKey, e -> e.getValue().get()))), "only the new word is asked");
    assertEquals(20, counter(second, "translate/words/cache_hits"));
    assertEquals(1, counter(second, "translate/words/cache_misses"));
  }

  @Test
  void identicalRequestsInFlightAreOneCall(@TempDir Path dir) {
    List<String> input = new ArrayList<>();
    for (int copy = 0; copy < 5; copy++) {
      input.addAll(words(6));
    }
    List<String> upper = input.stream().map(String::toUpperCase).toList();
    PipelineResult result = run(input,
        CallBackend.of(new WordCall(backend(",concurrency=4"))).withCache("sqlite:" + dir.resolve("c.db"))
            .withShuffleBuckets(1).sharingIdenticalRequests(true),
        upper, List.of());
    assertEquals(6, asked.size());
    asked.forEach((word, n) -> assertEquals(1, n.get(), word + " asked once"));
    assertEquals(6, counter(result, "translate/words/api_calls"));
  }

  @Test
  void theSpendingLimitStopsWhatItMust() {
    List<String> input = words(12);
    // Each request is reserved at its prompt's estimate plus 10 tokens out; 40 tokens let a few
    // go and refuse the rest, which fail saying so.
    PipelineResult result = runAll(input, CallBackend.of(new WordCall(backend(",concurrency=1")))
        .withShuffleBuckets(1).withSpendingLimit(SpendingLimit.of(0, 40)));
    long refused = counter(result, "translate/words/budget_refused");
    long sent = asked.values().stream().mapToInt(AtomicInteger::get).sum();
    assertTrue(refused > 0 && sent > 0, "sent " + sent + ", refused " + refused);
    assertEquals(12, refused + sent, "every word sent or refused");
  }

  private PipelineResult runAll(List<String> input, CallBackend<String, String> call) {
    Pipeline p = Pipeline.create(PipelineOptionsFactory.create());
    PCollectionTuple out = p.apply(Create.of(input).withCoder(StringUtf8Coder.of())).apply(call);
    PAssert.that(out.get(FAILED)).satisfies(failed -> {
      failed.forEach(f -> assertTrue(f.contains("not sent") && f.contains("backend upper"), f));
      return null;
    });
    PipelineResult result = p.run();
    result.waitUntilFinish();
    return result;
  }
}
