package dev.tarjama.transforms.translate;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.tarjama.models.openai.SpendingLimit;
import dev.tarjama.transforms.backend.BackendSpec;
import dev.tarjama.transforms.domain.Chunk;
import dev.tarjama.transforms.domain.ChunkTranslation;
import dev.tarjama.models.testing.FakeOpenAiServer;
import java.nio.file.Path;
import java.util.List;
import org.apache.beam.sdk.Pipeline;
import org.apache.beam.sdk.options.PipelineOptionsFactory;
import org.apache.beam.sdk.transforms.Create;
import org.apache.beam.sdk.transforms.DoFn;
import org.apache.beam.sdk.transforms.ParDo;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Spend is counted per HTTP attempt the server answered, measured against the loopback server's
 * own tally of the usage it billed: the paid calls of a seeded request whose sibling failed, and
 * the requests of a bundle that failed after they were paid, all count; the ledger file keeps
 * them for the next launch.
 */
class SpendPerAttemptTest {

  private static long billed(FakeOpenAiServer server) {
    FakeOpenAiServer.Meter m = server.meter();
    return m.tokensIn() + m.tokensOut();
  }

  @Test
  void thePaidCallOfASeededRequestWhoseSiblingFailedCounts(@TempDir Path dir) throws Exception {
    List<Chunk> chunks = TranslateChunksTest.gsm8kChunks(1).subList(0, 1);
    try (FakeOpenAiServer server = FakeOpenAiServer.builder()
        .faultOnRequest(2, FakeOpenAiServer.Fault.status(400)).start()) {
      BackendSpec seeded = BackendSpec.parse("name=gemma,url=" + server.baseUrl()
          + ",model=g,prompt=hala,k=2,candidates=seeds,price-in=1,price-out=1");
      SpendingLimit limit = SpendingLimit.of(0, 0)
          .withLedgerFile(dir.resolve("_spend/ledger.jsonl").toString());
      TranslationRuns.Run run =
          TranslationRuns.run(chunks, TranslateChunks.with(seeded).withSpendingLimit(limit));
      assertEquals(2 * chunks.size(), run.failures().size(), "the request failed as a whole");
      assertTrue(billed(server) > 0, "the server billed the sibling that succeeded");
      assertEquals(billed(server), limit.ledger().spentTokens());
      assertEquals(billed(server),
          SpendingLimit.readLedgerFile(dir.resolve("_spend/ledger.jsonl")).tokens());
    }
  }

  /** Fails every bundle downstream of translation, after its requests were paid. */
  static final class FailAfterPayingFn extends DoFn<ChunkTranslation, Void> {
    @ProcessElement
    public void process(@Element ChunkTranslation t) {
      throw new IllegalStateException("the worker died after paying for " + t.recordId());
    }
  }

  @Test
  void requestsOfABundleThatFailedAfterPayingCount(@TempDir Path dir) throws Exception {
    List<Chunk> chunks = TranslateChunksTest.gsm8kChunks(12);
    Path ledger = dir.resolve("_spend/ledger.jsonl");
    try (FakeOpenAiServer server = FakeOpenAiServer.start()) {
      BackendSpec gemma = BackendSpec.parse("name=gemma,url=" + server.baseUrl()
          + ",model=g,prompt=hala,k=1,concurrency=4,price-in=1,price-out=1");
      SpendingLimit limit = SpendingLimit.of(0, 0).withLedgerFile(ledger.toString());
      Pipeline pipeline = Pipeline.create(PipelineOptionsFactory.create());
      pipeline.apply(Create.of(chunks))
          .apply(TranslateChunks.with(gemma).withSpendingLimit(limit))
          .get(TranslateChunks.TRANSLATIONS)
          .apply(ParDo.of(new FailAfterPayingFn()));
      assertThrows(RuntimeException.class, () -> pipeline.run().waitUntilFinish());
      assertTrue(billed(server) > 0);
      SpendingLimit.Spent spent = SpendingLimit.readLedgerFile(ledger);
      assertEquals(billed(server), spent.tokens(), "a paid request of a failed bundle was lost");
      assertEquals(billed(server) / 1e6, spent.usd(), 1e-9);
      // The next launch of the run starts from what the failed one paid.
      SpendingLimit next = SpendingLimit.of(0, 0).withLedgerFile(ledger.toString());
      assertEquals(billed(server), next.ledger().carriedTokens());
    }
  }
}
