package dev.tarjama.pipelines;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import dev.tarjama.transforms.batch.BatchJobs;
import dev.tarjama.models.testing.BatchEndpoints;
import dev.tarjama.models.testing.FakeOpenAiServer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code translate} with batch backends end to end on the DirectRunner, over data-kit files,
 * against a real batch API on loopback ({@link BatchEndpoints}) whose lines are answered by
 * the same deterministic engine a live backend calls ({@link FakeOpenAiServer}).
 */
class BatchTranslateTest {
  static final String BACKEND =
      "name=gemma,model=gemma-3-27b,prompt=hala,k=2,seed=11,temperature=0.3,price-in=0.1,"
          + "price-out=0.4,label=SFT_Gemma3_ranked";

  @TempDir Path tmp;
  FakeOpenAiServer engine;
  BatchEndpoints api;
  Path in;
  int records;

  @BeforeEach
  void start() throws Exception {
    engine = FakeOpenAiServer.start();
    api = engine.batches();
    in = Files.createDirectories(tmp.resolve("in"));
    copyInput(6);
  }

  /** The head of three data-kit files (tool calls with thinking, GSM8K with thinking, Alpaca). */
  void copyInput(int perFile) throws Exception {
    records = JobTest.copyHead(in, "instruct/smoltalk2_style/think_tools.jsonl",
        perFile);
    records += JobTest.copyHead(in, "instruct/smoltalk2_style/gsm8k_think.jsonl",
        perFile);
    records += JobTest.copyHead(in, "instruct/llamafactory/alpaca_en_demo.json",
        perFile);
  }

  @AfterEach
  void stop() {
    BatchJobs.setHook(null);
    engine.close();
  }

  String[] args(Path out, String backend, String... extra) {
    List<String> args = new ArrayList<>(List.of("translate", "--input=" + in + "/*/*",
        "--output=" + out, "--tokenizer=" + JobTest.QWEN3, "--backend=" + backend,
        "--batchPollSeconds=0.001"));
    args.addAll(List.of(extra));
    return args.toArray(String[]::new);
  }

  String live() {
    return BACKEND + ",kind=openai-chat,url=" + engine.baseUrl();
  }

  String batch(String extra) {
    return BACKEND + ",kind=openai-batch,url=" + api.baseUrl() + extra;
  }

  static long count(RunOutputs outputs, String key) {
    return outputs.report().get("counts").get(key).asLong();
  }

  /** Every input record once in chosen, rejected or dead letters. */
  void assertEveryRecordOnce(RunOutputs outputs) {
    assertEquals(records, ResumeTest.recordIdsOnce(outputs).size());
    assertEquals(records, count(outputs, "input"));
  }

  @Test
  void aBatchRunChoosesWhatALiveRunChoosesAndItsAnswersServeLiveRequests() throws Exception {
    copyInput(12);
    Path liveOut = tmp.resolve("live");
    JobTest.line(args(liveOut, live())).runOnce();
    int liveRequests = engine.requestCount();
    RunOutputs liveRun = new RunOutputs(liveOut);

    // Partial expiry and a dropped line on the way: reconciliation resubmits them.
    api.plan(1, BatchEndpoints.Plan.EXPIRE_PARTIAL).plan(2, BatchEndpoints.Plan.DROP_FIRST_LINE);
    Path batchOut = tmp.resolve("batch");
    RunOutputs batchRun = JobTest.line(args(batchOut, batch(",batch-lines=30"))).runOnce();
    assertEquals(liveRun.recordSet("chosen"), batchRun.recordSet("chosen"));
    assertEquals(liveRun.report().get("counts"), batchRun.report().get("counts"));
    assertEveryRecordOnce(batchRun);

    JsonNode b = batchRun.report().get("batches").get("SFT_Gemma3_ranked");
    assertEquals(api.linesSubmitted(), b.get("submitted").asLong(), b.toString());
    assertTrue(b.get("expired").asLong() > 0 && b.get("missing").asLong() == 1, b.toString());
    assertEquals(b.get("expired").asLong() + 1, b.get("resubmitted").asLong(), b.toString());
    assertEquals(0, b.get("given_up").asLong(), b.toString());
    // One line per distinct chunk text: the live run's requests (n-mode: one per chunk).
    assertEquals(liveRequests, b.get("completed").asLong(), b.toString());
    assertEquals(b.get("cost_usd_at_live_price").asDouble() / 2, b.get("cost_usd").asDouble(),
        1e-12);
    System.out.printf(Locale.ROOT, "batch vs live over %d data-kit records: %s; live run: %d "
            + "requests; batch run: %d batches, %d lines submitted%n", records, b, liveRequests,
        api.batchesCreated(), api.linesSubmitted());

    // The batch answers are the live answers' cache entries: a live run on that cache pays 0.
    int before = engine.requestCount();
    Path again = tmp.resolve("again");
    JobTest.line(args(again, live(),
        "--cache=sqlite:" + batchOut.resolve("_cache/translations.db"))).runOnce();
    assertEquals(before, engine.requestCount(), "a live run on the batch cache sent requests");
    assertEquals(liveRun.recordSet("chosen"), new RunOutputs(again).recordSet("chosen"));
  }

  /** What a kill does to the launcher: nothing after this point runs. */
  static final class Kill extends Error {
    Kill(String point) {
      super("killed at " + point);
    }
  }

  @Test
  void aLauncherKilledAfterSubmittingAndAfterAPartialDownloadResumesPayingNothingTwice()
      throws Exception {
    Path out = tmp.resolve("out");
    String backend = batch(",batch-lines=8");
    BatchJobs.setHook(point -> {
      if (point.equals("submitted")) {
        throw new Kill(point);
      }
    });
    assertThrows(Kill.class, () -> JobTest.line(args(out, backend)).runOnce());
    int batches = api.batchesCreated();
    int lines = api.linesSubmitted();
    assertTrue(batches >= 3, "batches " + batches);
    assertTrue(Files.exists(out.resolve("_batches/gemma/state.json")));

    // Without --resume the run is refused: its batches are out.
    JobTest.line(args(out, backend)).exits(2).runOnce();

    BatchJobs.setHook(point -> {
      if (point.equals("collected")) {
        throw new Kill(point);
      }
    });
    assertThrows(Kill.class, () -> JobTest.line(args(out, backend, "--resume")).runOnce());
    assertEquals(batches, api.batchesCreated());

    BatchJobs.setHook(null);
    JobTest.line(args(out, backend, "--resume")).runOnce();
    assertEquals(batches, api.batchesCreated(), "the resumed runs created batches");
    assertEquals(lines, api.linesSubmitted());
    assertTrue(api.submissions().values().stream().allMatch(n -> n == 1), "a line was paid twice");
    RunOutputs outputs = new RunOutputs(out);
    assertEveryRecordOnce(outputs);
    assertEquals(0, count(outputs, "dead_letter"));
    assertEquals(lines, outputs.report().get("batches").get("SFT_Gemma3_ranked")
        .get("completed").asLong());
  }

  @Test
  void withoutWaitingTheLaunchExitsAndAResumedLaunchFinishes() throws Exception {
    Path out = tmp.resolve("out");
    String backend = batch("");
    JobTest.line(args(out, backend, "--batchWait=false")).exits(BatchPhase.PENDING).runOnce();
    assertFalse(Files.exists(out.resolve("report.json")));
    int lines = api.linesSubmitted();
    JobTest.line(args(out, backend, "--resume")).runOnce();
    assertEquals(lines, api.linesSubmitted());
    assertEveryRecordOnce(new RunOutputs(out));
  }

  @Test
  void linesGivenUpBecomeDeadLettersWithTheirReason() throws Exception {
    for (int n = 1; n <= 3; n++) {
      api.plan(n, BatchEndpoints.Plan.FAIL);
    }
    Path out = tmp.resolve("out");
    // One batch per round, failed every time: every chunk is given up after one resubmission.
    RunOutputs outputs = JobTest.line(args(out, batch(",batch-retries=1"))).exits(3).runOnce();
    assertEveryRecordOnce(outputs);
    assertEquals(records, count(outputs, "dead_letter"));
    String error = outputs.lines("dead_letter").get(0).toString();
    assertTrue(error.contains("failed after 2 submission(s)"), error);
  }

  @Test
  void batchFilesForALocalEngineAreWrittenThenReadBack() throws Exception {
    Path liveOut = tmp.resolve("live");
    JobTest.line(args(liveOut, live())).runOnce();
    Path files = tmp.resolve("files");
    Path out = tmp.resolve("out");
    String backend = BACKEND + ",kind=batch-file,path=" + files + ",batch-lines=20";
    JobTest.line(args(out, backend)).exits(BatchPhase.PENDING).runOnce();
    assertTrue(Files.exists(files.resolve("requests-0001.jsonl")));
    // The engine's turn (vllm run-batch), then the same command again.
    assertTrue(BatchEndpoints.runBatchFiles(files, engine.baseUrl()) > 0);
    RunOutputs outputs = JobTest.line(args(out, backend, "--resume")).runOnce();
    assertEquals(new RunOutputs(liveOut).recordSet("chosen"), outputs.recordSet("chosen"));
    assertEveryRecordOnce(outputs);
  }

  @Test
  void theDryRunPricesBatchBackendsAtTheBatchPriceBesideTheLivePrice() throws Exception {
    Path out = tmp.resolve("out");
    JobTest.line(args(out, batch(""), "--dry-run")).runOnce();
    JsonNode b = new RunOutputs(out.resolve(TranslateCommand.ESTIMATE)).report().get("backends")
        .get("SFT_Gemma3_ranked");
    assertEquals("batch", b.get("pricing").asText());
    assertTrue(b.get("cost_usd_estimate").asDouble() > 0, b.toString());
    assertEquals(b.get("cost_usd_estimate_at_live_price").asDouble() / 2,
        b.get("cost_usd_estimate").asDouble(), 1e-12);
  }
}
