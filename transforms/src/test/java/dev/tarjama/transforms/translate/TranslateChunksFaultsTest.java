package dev.tarjama.transforms.translate;

import static dev.tarjama.transforms.testing.PipelineMetrics.backendCounter;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.tarjama.models.openai.SpendingLimit;
import dev.tarjama.models.prompt.PromptTemplate;
import dev.tarjama.transforms.backend.BackendSpec;
import dev.tarjama.transforms.domain.Chunk;
import dev.tarjama.transforms.domain.ChunkTranslation;
import dev.tarjama.models.testing.FakeOpenAiServer;
import dev.tarjama.models.testing.TranslatorAnswers;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.apache.beam.sdk.PipelineResult;
import org.apache.beam.sdk.testing.PAssert;
import org.apache.beam.sdk.testing.TestPipeline;
import org.apache.beam.sdk.testing.TestPipelineExtension;
import org.apache.beam.sdk.transforms.Create;
import org.apache.beam.sdk.values.PCollectionTuple;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * TranslateChunks against servers that fail a seeded 20% of their answers in every way a real
 * backend does, and under a spending limit; GSM8K chunks of the data kit as input.
 */
@ExtendWith(TestPipelineExtension.class)
class TranslateChunksFaultsTest {
  @Test
  void everyChunkEndsAsKCandidatesOrKFailuresWithTheLastError(TestPipeline pipeline)
      throws Exception {
    List<Chunk> chunks = TranslateChunksTest.gsm8kChunks(40);
    // The delay outlasts the client's timeout: a timeout, as a hung GPU server gives. The timeout
    // itself is generous, so that a slow answer on a busy machine is not mistaken for a fault.
    List<FakeOpenAiServer.Fault> faults =
        FakeOpenAiServer.everyFaultKind(Duration.ofMillis(3500));
    try (FakeOpenAiServer gemmaServer =
            FakeOpenAiServer.builder()
                .randomFaults(FakeOpenAiServer.TWENTY_PERCENT, 7, faults)
                .start();
        FakeOpenAiServer seedxServer =
            FakeOpenAiServer.builder()
                .promptPrefix(TranslatorAnswers.SEED_X_PREFIX)
                .promptSuffix(TranslatorAnswers.SEED_X_SUFFIX)
                .randomFaults(FakeOpenAiServer.TWENTY_PERCENT, 11, faults)
                .start()) {
      // Two attempts per request: with 20% faults some requests fail for good, as the test needs.
      String common = ",k=2,retries=2,backoff=5ms,backoff-cap=10ms,timeout=2500ms,concurrency=8";
      BackendSpec gemma =
          BackendSpec.parse("name=gemma,url=" + gemmaServer.baseUrl() + ",model=g,prompt=hala"
              + common);
      BackendSpec seedx =
          BackendSpec.parse("name=seedx,kind=openai-completions,url=" + seedxServer.baseUrl()
              + ",model=s,prompt=seed-x,candidates=seeds" + common);

      PCollectionTuple out =
          pipeline
              .apply(Create.of(chunks))
              // Few keys: the DirectRunner's bundles then hold many chunks, and keep 8 in flight.
              .apply(TranslateChunks.with(gemma, seedx).withShuffleBuckets(4));
      Map<String, String> sourceByKey = new HashMap<>();
      for (Chunk c : chunks) {
        sourceByKey.put(c.recordId() + "#" + c.chunkIndex(), c.text());
      }
      Map<String, PromptTemplate> prompts = Map.of("gemma", gemma.prompt(), "seedx", seedx.prompt());
      PAssert.that(out.get(TranslateChunks.TRANSLATIONS))
          .satisfies(
              all -> {
                for (ChunkTranslation t : all) {
                  assertEquals(
                      TranslatorAnswers.translate(sourceByKey.get(t.recordId() + "#" + t.chunkIndex()),
                          t.candidate()),
                      t.text());
                }
                return null;
              });
      // Collected outside the pipeline: PAssert runs before the servers' logs can be read.
      List<ChunkTranslation> translations = new ArrayList<>();
      List<ChunkTranslation> failures = new ArrayList<>();
      out.get(TranslateChunks.TRANSLATIONS).apply("KeepTranslations", Collect.into("t"));
      out.get(TranslateChunks.FAILURES).apply("KeepFailures", Collect.into("f"));
      PipelineResult result = pipeline.run();
      result.waitUntilFinish();
      translations.addAll(Collect.drain("t"));
      failures.addAll(Collect.drain("f"));

      // Nothing lost, nothing doubled: each (chunk, backend, candidate) exactly once.
      Set<String> seen = new HashSet<>();
      for (ChunkTranslation t : translations) {
        assertTrue(seen.add(t.backend() + "/" + t.recordId() + "#" + t.chunkIndex() + "/" + t.candidate()),
            "twice: " + t);
      }
      for (ChunkTranslation f : failures) {
        assertTrue(seen.add(f.backend() + "/" + f.recordId() + "#" + f.chunkIndex() + "/" + f.candidate()),
            "twice: " + f);
      }
      assertEquals(2 * 2 * chunks.size(), seen.size());
      assertFalse(failures.isEmpty(), "with 2 attempts and 20% faults some chunks must fail");
      assertTrue(translations.size() > failures.size() * 4);

      // Every failure carries the error of the last attempt, as the server answered it.
      Map<String, FakeOpenAiServer> servers =
          Map.of("gemma", gemmaServer, "seedx", seedxServer);
      Map<String, Map<String, List<String>>> lastFaults = new HashMap<>();
      for (var e : servers.entrySet()) {
        lastFaults.put(e.getKey(), e.getValue().lastFaultsByPrompt());
      }
      Set<String> kindsSeen = new HashSet<>();
      for (ChunkTranslation f : failures) {
        String prompt = prompts.get(f.backend()).render(f.source());
        List<String> last = lastFaults.get(f.backend()).get(prompt);
        assertNotNull(last, "the server's last answer to a failed chunk was not a fault: " + f);
        assertTrue(f.error().startsWith("backend " + f.backend() + ": model "), f.error());
        assertTrue(f.error().contains("failed after 2 attempts: "), f.error());
        assertTrue(last.stream().anyMatch(fault -> f.error().contains(FakeOpenAiServer.clientErrorFor(fault))),
            f.error() + " is none of the last faults " + last);
        last.forEach(kindsSeen::add);
      }
      assertTrue(kindsSeen.size() >= 3, "fault kinds among the failures: " + kindsSeen);
      assertTrue(backendCounter(result, "gemma", "retries") > 0);
    }
  }

  @Test
  void aSpentBudgetStopsEverySendAndTheRestFailsAsBudgetExhausted(TestPipeline pipeline)
      throws Exception {
    List<Chunk> chunks = TranslateChunksTest.gsm8kChunks(40);
    try (FakeOpenAiServer server = FakeOpenAiServer.start()) {
      BackendSpec gemma =
          BackendSpec.parse("name=gemma,url=" + server.baseUrl()
              + ",model=g,prompt=hala,k=2,concurrency=2,price-in=1,price-out=2");
      // About a quarter of what the 80 chunks need (each is ~100-200 tokens in and out).
      SpendingLimit limit = SpendingLimit.of(0, 4_000);
      PCollectionTuple out =
          pipeline
              .apply(Create.of(chunks))
              .apply(TranslateChunks.with(gemma).withSpendingLimit(limit));
      out.get(TranslateChunks.TRANSLATIONS).apply("KeepTranslations", Collect.into("bt"));
      out.get(TranslateChunks.FAILURES).apply("KeepFailures", Collect.into("bf"));
      PipelineResult result = pipeline.run();
      result.waitUntilFinish();
      List<ChunkTranslation> translations = Collect.drain("bt");
      List<ChunkTranslation> failures = Collect.drain("bf");

      assertEquals(2 * chunks.size(), translations.size() + failures.size());
      assertFalse(translations.isEmpty());
      assertFalse(failures.isEmpty());
      for (ChunkTranslation f : failures) {
        assertTrue(f.error().startsWith("backend gemma: budget exhausted (--max-tokens=4000 reached"
            + " in this worker"), f.error());
        assertTrue(f.error().endsWith("; chunk not sent"), f.error());
      }
      // Refused chunks were never sent: one request per translated chunk, none for the rest.
      assertEquals(translations.size() / 2, server.requestCount());
      long refused = backendCounter(result, "gemma", "budget_refused");
      assertEquals(failures.size() / 2, refused);
      // What the servers billed: under the limit plus what the last requests in flight cost.
      long billed = translations.stream().mapToLong(t -> t.tokensIn() + t.tokensOut()).sum();
      assertEquals(billed, limit.ledger().spentTokens());
      assertTrue(billed >= 3_000 && billed <= 4_000 + 2 * 600, "billed " + billed);
    }
  }
}
