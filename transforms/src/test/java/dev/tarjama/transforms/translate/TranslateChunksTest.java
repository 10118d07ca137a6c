package dev.tarjama.transforms.translate;

import static dev.tarjama.transforms.testing.PipelineMetrics.backendCounter;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.tarjama.transforms.backend.BackendSpec;
import dev.tarjama.transforms.domain.Chunk;
import dev.tarjama.transforms.domain.ChunkTranslation;
import dev.tarjama.transforms.domain.Placeholders;
import dev.tarjama.models.testing.DataKit;
import dev.tarjama.models.testing.FakeOpenAiServer;
import dev.tarjama.models.testing.TranslatorAnswers;
import dev.tarjama.models.testing.FakeOpenAiServer.Fault;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Collectors;
import org.apache.beam.sdk.PipelineResult;
import org.apache.beam.sdk.testing.PAssert;
import org.apache.beam.sdk.testing.TestPipeline;
import org.apache.beam.sdk.testing.TestPipelineExtension;
import org.apache.beam.sdk.transforms.Create;
import org.apache.beam.sdk.values.PCollection;
import org.apache.beam.sdk.values.PCollectionTuple;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/** Two working backends and a broken one on real loopback servers, GSM8K chunks as input. */
@ExtendWith(TestPipelineExtension.class)
class TranslateChunksTest {
  private static final Pattern CALCULATOR = Pattern.compile("<<[^>]*>>");

  /**
   * Chunks as segmentation would make them from the first GSM8K test records: the question, and
   * the answer with its calculator marks {@code <<…>>} protected as placeholders.
   */
  static List<Chunk> gsm8kChunks(int records) throws IOException {
    Path file = DataKit.data("instruct/gsm8k/test.jsonl");
    ObjectMapper json = new ObjectMapper();
    List<Chunk> chunks = new ArrayList<>();
    List<String> lines = Files.readAllLines(file, StandardCharsets.UTF_8);
    for (int i = 0; i < records; i++) {
      JsonNode record = json.readTree(lines.get(i));
      String id = "gsm8k/test.jsonl:" + (i + 1);
      String question = record.get("question").asText();
      chunks.add(new Chunk(id, "gsm8k", 0, 0, question, List.of(), List.of(),
          question.split("\\s+").length));
      Matcher m = CALCULATOR.matcher(record.get("answer").asText());
      StringBuilder text = new StringBuilder();
      List<String> spans = new ArrayList<>();
      while (m.find()) {
        m.appendReplacement(text, Matcher.quoteReplacement(Placeholders.of(spans.size())));
        spans.add(m.group());
      }
      m.appendTail(text);
      chunks.add(new Chunk(id, "gsm8k", 1, 1, text.toString(), spans,
          spans.stream().map(s -> "calculator").toList(), text.toString().split("\\s+").length));
    }
    return chunks;
  }

  @Test
  void everyBackendGivesKCandidatesPerChunkAndFailuresKeepTheirSource(TestPipeline pipeline)
      throws Exception {
    List<Chunk> chunks = gsm8kChunks(6);
    assertTrue(chunks.stream().anyMatch(c -> !c.spans().isEmpty()));
    try (FakeOpenAiServer gemmaServer = FakeOpenAiServer.start();
        FakeOpenAiServer seedxServer =
            FakeOpenAiServer.builder()
                .promptPrefix(TranslatorAnswers.SEED_X_PREFIX)
                .promptSuffix(TranslatorAnswers.SEED_X_SUFFIX)
                // One throttled request on the way: retried, nothing lost.
                .faultWhenPromptContains("Janet", 1, Fault.tooManyRequests("0"))
                .start();
        FakeOpenAiServer brokenServer =
            FakeOpenAiServer.builder().alwaysFail(Fault.status(500)).start()) {
      BackendSpec gemma =
          BackendSpec.parse(
              "name=gemma,kind=openai-chat,url=" + gemmaServer.baseUrl()
                  + ",model=gemma-3-27b,prompt=hala,k=2,temperature=0.3,concurrency=4,"
                  + "label=SFT_Gemma3_ranked");
      BackendSpec seedx =
          BackendSpec.parse(
              "name=seedx,kind=openai-completions,url=" + seedxServer.baseUrl()
                  + ",model=seed-x,prompt=seed-x,k=2,candidates=seeds,concurrency=3,"
                  + "backoff=10ms,label=SFT_SeedX_ranked");
      BackendSpec broken =
          BackendSpec.parse(
              "name=broken,url=" + brokenServer.baseUrl()
                  + ",model=m,k=2,retries=2,backoff=10ms,backoff-cap=20ms");

      PCollectionTuple out =
          pipeline
              .apply(Create.of(chunks))
              .apply(TranslateChunks.with(List.of(gemma, seedx, broken)));
      PCollection<ChunkTranslation> translations = out.get(TranslateChunks.TRANSLATIONS);
      PCollection<ChunkTranslation> failures = out.get(TranslateChunks.FAILURES);

      String brokenUrl = brokenServer.baseUrl();
      Map<String, String> sourceByKey = new HashMap<>();
      for (Chunk c : chunks) {
        sourceByKey.put(c.recordId() + "#" + c.chunkIndex(), c.text());
      }
      int n = chunks.size();
      PAssert.that(translations)
          .satisfies(
              all -> {
                Map<String, Long> perBackend = new HashMap<>();
                Set<String> keys = new HashSet<>();
                for (ChunkTranslation t : all) {
                  perBackend.merge(t.backend(), 1L, Long::sum);
                  assertTrue(keys.add(t.candidateKey() + "#" + t.chunkIndex()), "duplicate " + t);
                  String source = sourceByKey.get(t.recordId() + "#" + t.chunkIndex());
                  assertEquals(source, t.source());
                  assertEquals(TranslatorAnswers.translate(source, t.candidate()), t.text());
                  assertTrue(t.tokensIn() > 0 && t.tokensOut() > 0, t.toString());
                  assertEquals("", t.error());
                }
                assertEquals(Map.of("SFT_Gemma3_ranked", 2L * n, "SFT_SeedX_ranked", 2L * n),
                    perBackend);
                return null;
              });
      PAssert.that(failures)
          .satisfies(
              all -> {
                int count = 0;
                Set<String> keys = new HashSet<>();
                for (ChunkTranslation f : all) {
                  count++;
                  assertEquals("broken", f.backend());
                  assertTrue(f.candidate() == 0 || f.candidate() == 1);
                  assertTrue(keys.add(f.candidateKey() + "#" + f.chunkIndex()));
                  assertEquals(sourceByKey.get(f.recordId() + "#" + f.chunkIndex()), f.source());
                  assertEquals("", f.text());
                  assertTrue(f.failed());
                  assertTrue(
                      f.error().startsWith("backend broken: model m at " + brokenUrl),
                      f.error());
                  assertTrue(f.error().contains("failed after 2 attempts: HTTP 500"), f.error());
                }
                assertEquals(2 * n, count);
                return null;
              });

      PipelineResult result = pipeline.run();
      result.waitUntilFinish();

      assertEquals(n, backendCounter(result, "SFT_Gemma3_ranked", "api_calls"));
      assertEquals(0, backendCounter(result, "SFT_Gemma3_ranked", "retries"));
      assertEquals(2 * n + 1, backendCounter(result, "SFT_SeedX_ranked", "api_calls"));
      assertEquals(1, backendCounter(result, "SFT_SeedX_ranked", "retries"));
      assertEquals(2 * n, backendCounter(result, "broken", "api_calls"));
      assertEquals(n, backendCounter(result, "broken", "failures"));
      assertEquals(0, backendCounter(result, "SFT_Gemma3_ranked", "failures"));
      assertTrue(backendCounter(result, "SFT_Gemma3_ranked", "tokens_in") > 0);
      assertTrue(backendCounter(result, "SFT_SeedX_ranked", "tokens_out") > 0);

      // Every request reached the servers with its placeholders as they were.
      Set<String> sent =
          gemmaServer.requests().stream()
              .map(r -> r.body())
              .collect(Collectors.toSet());
      assertEquals(n, sent.size());
      assertTrue(sent.stream().anyMatch(b -> b.contains("⟦0⟧")));
      assertEquals(2 * n + 1, seedxServer.requestCount());
      // One client per backend per JVM: its concurrency bounds all DoFn threads together.
      assertTrue(gemmaServer.maxConcurrentRequests() <= 4);
      assertTrue(seedxServer.maxConcurrentRequests() <= 3);
      assertEquals(2 * n, brokenServer.requestCount());
    }
  }

  @Test
  void backendNamesAndLabelsMustBeUniqueInOneRun() {
    BackendSpec a = BackendSpec.parse("name=a,url=http://h:1/v1,model=m");
    BackendSpec a2 = BackendSpec.parse("name=a,url=http://h:2/v1,model=m");
    BackendSpec b = BackendSpec.parse("name=b,url=http://h:2/v1,model=m,label=a");
    assertThrows(IllegalArgumentException.class, () -> TranslateChunks.with(a, a2));
    assertThrows(IllegalArgumentException.class, () -> TranslateChunks.with(a, b));
    assertThrows(IllegalArgumentException.class, () -> TranslateChunks.with(java.util.List.of()));
  }
}
